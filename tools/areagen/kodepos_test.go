package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const vendoredKodepos = "wilayah_kodepos/wilayah_kodepos.sql.gz"

// The committed area data agrees with the vendored current postal source
// for every village, and every village has a postal code. This is the
// "after" measurement; `go run . -agreement FILE` prints it for any file.
func TestCommittedAreaDataAgreesWithWilayahKodepos(t *testing.T) {
	cur, err := readKodepos(vendoredKodepos)
	if err != nil {
		t.Fatal(err)
	}
	villages, err := readAreaFile(filepath.Join("..", "..", "internal", "refdata", "areadata", "area.tsv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(villages) != len(cur) {
		t.Errorf("area data has %d villages, wilayah_kodepos %d", len(villages), len(cur))
	}
	rows := agreement(villages, cur)
	if len(rows) != 1+len(papuaProvinces) {
		t.Fatalf("rows %v", rows)
	}
	for _, r := range rows {
		t.Log(r)
		if r.villages == 0 || r.agree != r.villages || r.absent != 0 {
			t.Errorf("%s", r)
		}
	}
}

// A vendored file that is not the pinned one is refused, not read.
func TestReadKodeposRefusesAnotherFile(t *testing.T) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte("INSERT INTO wilayah_kodepos(kode,kodepos)\nVALUES\n('96.02.01.1002', '98216');\n"))
	zw.Close()
	path := filepath.Join(t.TempDir(), "k.sql.gz")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readKodepos(path); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("readKodepos of another file: %v", err)
	}
}
