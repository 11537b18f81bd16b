package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"testing"
)

// tarball builds a gzip-compressed tarball of name -> content.
func tarball(t *testing.T, entries map[string]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	sum := sha512.Sum512(buf.Bytes())
	return buf.Bytes(), "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestGenerate(t *testing.T) {
	bundle := `x={src:"https://cdn.redoc.ly/redoc/logo-mini.svg"};`
	tgz, sum := tarball(t, map[string]string{
		"package/bundles/redoc.standalone.js":             bundle,
		"package/bundles/redoc.standalone.js.LICENSE.txt": "notices",
		"package/LICENSE": "MIT",
	})
	out, err := generate(tgz, sum)
	if err != nil {
		t.Fatal(err)
	}
	js := string(out["redoc.standalone.js"])
	if strings.Contains(js, "cdn.redoc.ly") || !strings.Contains(js, `src:"data:image/svg+xml,`) {
		t.Errorf("bundle not patched: %s", js)
	}
	if string(out["LICENSE.redoc"]) != "MIT" || string(out["redoc.standalone.js.LICENSE.txt"]) != "notices" {
		t.Errorf("license files: %q", out)
	}

	// Another tarball than the pinned one is refused.
	if _, err := generate(append(tgz[:len(tgz):len(tgz)], 0), sum); err == nil || !strings.Contains(err.Error(), "integrity") {
		t.Errorf("a tampered tarball: %v", err)
	}
	// A patch that no longer matches exactly once fails the run.
	tgz, sum = tarball(t, map[string]string{
		"package/bundles/redoc.standalone.js":             "no logo here",
		"package/bundles/redoc.standalone.js.LICENSE.txt": "notices",
		"package/LICENSE": "MIT",
	})
	if _, err := generate(tgz, sum); err == nil || !strings.Contains(err.Error(), "matches 0 times") {
		t.Errorf("an unmatched patch: %v", err)
	}
	// A missing file fails the run.
	tgz, sum = tarball(t, map[string]string{"package/LICENSE": "MIT"})
	if _, err := generate(tgz, sum); err == nil || !strings.Contains(err.Error(), "has no") {
		t.Errorf("a missing file: %v", err)
	}
}
