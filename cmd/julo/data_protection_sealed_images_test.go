package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/blob"
)

// sealTestMarker is a text no sealed object may contain: it sits in the
// test images' own bytes (a JPEG comment).
const sealTestMarker = "KTP-PHOTO-MARKER-3203020101930001"

// imgJPEGWithComment is a JPEG whose first segment after SOI is a comment
// holding text: still a whole, valid JPEG.
func imgJPEGWithComment(t *testing.T, w, h int, seed uint64, text string) []byte {
	t.Helper()
	jpg := imgJPEG(t, w, h, seed)
	com := []byte{0xff, 0xfe, 0, 0}
	binary.BigEndian.PutUint16(com[2:], uint16(2+len(text)))
	out := append(append(append([]byte{}, jpg[:2]...), com...), text...)
	return append(out, jpg[2:]...)
}

// rawBlobs reads every object of the server's blob store as it is stored
// (under DATA/files, or under the test's S3 prefix), by key.
func (s *testServer) rawBlobs(t *testing.T) map[string][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := blob.Open(ctx, s.blobURL, s.Data, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, k := range s.blobKeys(t) {
		r, err := st.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[k] = b
	}
	return out
}

// assertSealedAtRest fails unless every stored object is sealed and holds
// nothing of the images: not their bytes (whole, or any 64-byte piece), not
// a JPEG's or PNG's opening at offset 0, not the marker. On disk it also
// reads every file under the data dir's files/ itself, temp files included.
func assertSealedAtRest(t *testing.T, s *testServer, images ...[]byte) {
	t.Helper()
	objects := s.rawBlobs(t)
	if s.blobURL == "" {
		root := filepath.Join(s.Data, "files")
		n := 0
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			objects["file:"+rel] = b
			n++
			return nil
		})
		if n == 0 {
			t.Fatalf("no files under %s", root)
		}
	}
	if len(objects) == 0 {
		t.Fatal("nothing stored")
	}
	for k, b := range objects {
		if !bytes.HasPrefix(b, []byte(blob.SealMagic)) {
			t.Errorf("%s is not sealed: starts %.12q", k, b)
		}
		for _, opening := range []string{"\xff\xd8\xff", "\x89PNG", "RIFF"} {
			if bytes.HasPrefix(b, []byte(opening)) {
				t.Errorf("%s starts like an image (%q)", k, opening)
			}
		}
		if bytes.Contains(b, []byte(sealTestMarker)) {
			t.Errorf("%s holds the marker text", k)
		}
		for _, img := range images {
			for off := 0; off+64 <= len(img); off += 64 {
				if bytes.Contains(b, img[off:off+64]) {
					t.Errorf("%s holds bytes %d..%d of an image", k, off, off+64)
					break
				}
			}
		}
	}
}

// Issue 10, item 2: images are encrypted before they reach the blob store.
// After uploads (one replaced by a second of the same type, whose first
// stays as history), nothing stored holds an image's bytes, its opening or
// the marker text inside it, while the API serves every image byte for
// byte.
func TestDataProtectionImagesAreSealedAtRest(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	ktp := imgJPEGWithComment(t, 320, 240, 1, sealTestMarker)
	ktp2 := imgJPEGWithComment(t, 64, 48, 2, sealTestMarker)
	selfie := imgPNG(t, 200, 150, 3)
	imgUpload(t, s, xid, "ktp_self", "ktp.jpg", ktp).expect(t, http.StatusOK)
	imgUpload(t, s, xid, "selfie", "selfie.png", selfie).expect(t, http.StatusOK)
	imgUpload(t, s, xid, "ktp_self", "ktp2.jpg", ktp2).expect(t, http.StatusOK)
	if !bytes.Contains(ktp, []byte(sealTestMarker)) {
		t.Fatal("the test image lacks its marker")
	}

	assertSealedAtRest(t, s, ktp, ktp2, selfie)
	if n := len(s.blobKeys(t)); n != 3 {
		t.Fatalf("%d objects stored, want 3", n)
	}
	var keys []string
	rows, err := s.sqlDB().Query(`SELECT blob_key FROM images ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	served := map[string][]byte{}
	for i, want := range [][]byte{ktp, selfie, ktp2} {
		var id int64
		s.query(t, `SELECT public_id FROM images WHERE blob_key = $1`, []any{keys[i]}, &id)
		resp, got := imgFetch(t, s, imgPath(xid)+"/"+strconv.FormatInt(id, 10))
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
			t.Fatalf("image %d: %d, %d bytes, want %d exact bytes", i, resp.StatusCode, len(got), len(want))
		}
		served[keys[i]] = got
	}
	if len(served) != 3 {
		t.Fatal(served)
	}
}

// An object moved to another image's key (a swap inside a leaked bucket)
// is not served: the answer is a failure, not the other image.
func TestDataProtectionSwappedImageIsNotServed(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	a, b := imgJPEG(t, 32, 32, 5), imgJPEG(t, 32, 32, 6)
	imgUpload(t, s, xid, "ktp_self", "a.jpg", a).expect(t, http.StatusOK)
	imgUpload(t, s, xid, "selfie", "b.jpg", b).expect(t, http.StatusOK)
	var keyA, keyB string
	var idB int64
	s.query(t, `SELECT blob_key FROM images WHERE image_type = 'ktp_self'`, nil, &keyA)
	s.query(t, `SELECT blob_key, public_id FROM images WHERE image_type = 'selfie'`, nil, &keyB, &idB)
	raw := s.rawBlobs(t)
	ctx := context.Background()
	st, err := blob.Open(ctx, s.blobURL, s.Data, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, keyB, bytes.NewReader(raw[keyA]), int64(len(raw[keyA])), ""); err != nil {
		t.Fatal(err)
	}
	resp, got := imgFetch(t, s, imgPath(xid)+"/"+strconv.FormatInt(idB, 10))
	if resp.StatusCode == http.StatusOK || bytes.Equal(got, a) || bytes.Contains(got, a[:64]) {
		t.Fatalf("a swapped object was served: %d, %d bytes", resp.StatusCode, len(got))
	}
	if !strings.Contains(s.logs.String(), "sealed blob does not open") {
		t.Fatalf("the refusal is not logged:\n%s", s.logs.String())
	}
}

// Images stored before they were encrypted (no seal header) are served as
// they are, until `julo keys seal-images` queues the job that seals them in
// place; then they are sealed and still served byte for byte, and running
// it again changes nothing.
func TestDataProtectionSealImagesMigratesPlaintextImages(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	old := imgJPEGWithComment(t, 160, 120, 7, sealTestMarker)
	sealed := imgPNG(t, 40, 40, 8)
	imgUpload(t, s, xid, "ktp_self", "ktp.jpg", old).expect(t, http.StatusOK)
	imgUpload(t, s, xid, "selfie", "selfie.png", sealed).expect(t, http.StatusOK)
	var key string
	var id, sealedID int64
	s.query(t, `SELECT blob_key, public_id FROM images WHERE image_type = 'ktp_self'`, nil, &key, &id)
	s.query(t, `SELECT public_id FROM images WHERE image_type = 'selfie'`, nil, &sealedID)

	// What an earlier version stored: the image itself.
	ctx := context.Background()
	st, err := blob.Open(ctx, s.blobURL, s.Data, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, key, bytes.NewReader(old), int64(len(old)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	sealedBefore := s.rawBlobs(t)
	if resp, got := imgFetch(t, s, imgPath(xid)+"/"+strconv.FormatInt(id, 10)); resp.StatusCode != http.StatusOK || !bytes.Equal(got, old) {
		t.Fatalf("an unsealed image before the migration: %d, %d bytes", resp.StatusCode, len(got))
	}

	out, err := s.cli("keys", "seal-images")
	if err != nil || !strings.Contains(out, `"queued":"seal_blobs"`) {
		t.Fatalf("keys seal-images: %q %v", out, err)
	}
	s.settle(t)
	assertSealedAtRest(t, s, old, sealed)
	after := s.rawBlobs(t)
	for k, b := range sealedBefore {
		if k != key && !bytes.Equal(after[k], b) {
			t.Errorf("%s, already sealed, was rewritten", k)
		}
	}
	for _, c := range []struct {
		id   int64
		want []byte
	}{{id, old}, {sealedID, sealed}} {
		if resp, got := imgFetch(t, s, imgPath(xid)+"/"+strconv.FormatInt(c.id, 10)); resp.StatusCode != http.StatusOK || !bytes.Equal(got, c.want) {
			t.Fatalf("image %d after the migration: %d, %d bytes", c.id, resp.StatusCode, len(got))
		}
	}
	if got := sealOutputs(t, s); len(got) != 1 || got[0] != (sealOutput{Checked: 2, Sealed: 1, Done: true}) {
		t.Fatalf("job outputs %+v: %s", got, s.jobDumpAll())
	}

	// Again: nothing left to seal, nothing rewritten.
	if _, err := s.cli("keys", "seal-images"); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	if got := sealOutputs(t, s); len(got) != 2 || got[1] != (sealOutput{Checked: 2, Done: true}) {
		t.Fatalf("job outputs %+v: %s", got, s.jobDumpAll())
	}
	again := s.rawBlobs(t)
	for k, b := range after {
		if !bytes.Equal(again[k], b) {
			t.Errorf("%s was rewritten by the second run", k)
		}
	}
}

type sealOutput struct {
	Checked, Sealed, Rewrapped int
	Done                       bool
}

// sealOutputs are the recorded outputs of the completed seal_blobs jobs,
// oldest first.
func sealOutputs(t *testing.T, s *testServer) []sealOutput {
	t.Helper()
	meta := "json(metadata)" // River keeps SQLite's as JSONB
	if strings.HasPrefix(s.dbURL, "postgres") {
		meta = "CAST(metadata AS TEXT)"
	}
	rows, err := s.sqlDB().Query(`SELECT ` + meta + ` FROM river_job WHERE kind = 'seal_blobs' AND state = 'completed' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sealOutput
	for rows.Next() {
		var meta string
		if err := rows.Scan(&meta); err != nil {
			t.Fatal(err)
		}
		var m struct {
			Output struct {
				Checked   int      `json:"checked"`
				Sealed    int      `json:"sealed"`
				Rewrapped int      `json:"rewrapped"`
				Broken    []string `json:"broken"`
				Done      bool     `json:"done"`
			} `json:"output"`
		}
		if err := json.Unmarshal([]byte(meta), &m); err != nil {
			t.Fatalf("%s: %v", meta, err)
		}
		if len(m.Output.Broken) > 0 {
			t.Fatalf("broken blobs reported: %q", m.Output.Broken)
		}
		out = append(out, sealOutput{m.Output.Checked, m.Output.Sealed, m.Output.Rewrapped, m.Output.Done})
	}
	return out
}
