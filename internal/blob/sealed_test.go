package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func testSealKeys(t testing.TB, current string, ids ...string) SealKeys {
	t.Helper()
	k := SealKeys{Current: current, Keys: map[string][]byte{}}
	for _, id := range append(ids, current) {
		b := make([]byte, 32)
		rand.Read(b)
		k.Keys[id] = b
	}
	return k
}

func newTestSealed(t testing.TB, keys SealKeys) (*Sealed, *Dir, string) {
	t.Helper()
	root := t.TempDir()
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSealed(d, keys)
	if err != nil {
		t.Fatal(err)
	}
	return s, d, root
}

// readAll is Get and ReadAll in one: the error of either.
func readAll(st Store, key string) ([]byte, error) {
	r, err := st.Get(context.Background(), key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func put(t *testing.T, st Store, key string, b []byte) {
	t.Helper()
	if err := st.Put(context.Background(), key, bytes.NewReader(b), int64(len(b)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Sealed is a Store like the others: the whole conformance suite, on a Dir.
func TestSealedDirPassesTheStoreSuite(t *testing.T) {
	s, _, _ := newTestSealed(t, testSealKeys(t, "k1"))
	testBlobStore(t, s)
}

// And on S3 when JULO_TEST_S3_URL names a bucket.
func TestSealedS3PassesTheStoreSuite(t *testing.T) {
	s, err := NewSealed(testS3Store(t, ""), testSealKeys(t, "k1"))
	if err != nil {
		t.Fatal(err)
	}
	testBlobStore(t, s)
	// What S3 holds is sealed.
	data := append([]byte("\xff\xd8\xff\xe0 KNOWN-MARKER-S3 "), randomBytes(100_000)...)
	put(t, s, "images/1/x.jpg", data)
	raw, err := readAll(s.Inner(), "images/1/x.jpg")
	if err != nil || !bytes.HasPrefix(raw, []byte(SealMagic)) || bytes.Contains(raw, []byte("KNOWN-MARKER-S3")) {
		t.Fatalf("stored in S3: %.20q (%d bytes), %v", raw, len(raw), err)
	}
	if got, err := readAll(s, "images/1/x.jpg"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	s.Delete(context.Background(), "images/1/x.jpg")
}

// Every size round trips, around the segment boundaries too, and what is
// stored is the sealed form, with nothing of the content in it.
func TestSealedRoundTripsEverySizeAndStoresNoPlaintext(t *testing.T) {
	s, d, _ := newTestSealed(t, testSealKeys(t, "k1"))
	marker := []byte("KNOWN-MARKER-1234")
	for _, n := range []int{0, 1, 17, sealSegment - 1, sealSegment, sealSegment + 1, 2 * sealSegment, 3*sealSegment + 5, 1<<20 + 3} {
		data := randomBytes(n)
		if n >= len(marker) {
			copy(data[n/2:], marker)
		}
		put(t, s, "images/rt", data)
		got, err := readAll(s, "images/rt")
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: read %d bytes, %v", n, len(got), err)
		}
		raw, _ := readAll(d, "images/rt")
		nseg := max(1, (n+sealSegment-1)/sealSegment)
		if want := len(SealMagic) + 2 + 2 + 12 + 48 + 7 + n + 16*nseg; len(raw) != want || !bytes.HasPrefix(raw, []byte(SealMagic+"\x01\x02k1")) {
			t.Fatalf("%d bytes: stored %d bytes %.12q, want %d", n, len(raw), raw, want)
		}
		if n >= len(marker) && bytes.Contains(raw, marker) {
			t.Fatalf("%d bytes: the stored object holds the content's marker", n)
		}
	}
}

// Changing any byte of a sealed object makes it fail to open: at Get for
// the header and the first segment, at the Read that reaches a later
// segment; never are altered bytes served.
func TestSealedTamperingIsAnError(t *testing.T) {
	s, d, root := newTestSealed(t, testSealKeys(t, "k1"))
	data := randomBytes(3*sealSegment + 100)
	put(t, s, "images/t", data)
	path := filepath.Join(root, "images", "t")
	orig, _ := os.ReadFile(path)
	hdr := len(SealMagic) + 2 + 2 + 12 + 48 + 7
	for name, off := range map[string]int{
		"the version": len(SealMagic), "the key id length": len(SealMagic) + 1, "the key id": len(SealMagic) + 3,
		"the wrap nonce": len(SealMagic) + 5, "the wrapped key": len(SealMagic) + 20, "the stream prefix": hdr - 1,
		"the first segment": hdr + 10, "the first tag": hdr + sealSegment + 3, "the third segment": hdr + 2*(sealSegment+16) + 5,
		"the last tag": len(orig) - 1,
	} {
		b := bytes.Clone(orig)
		b[off] ^= 0x01
		os.WriteFile(path, b, 0o600)
		got, err := readAll(s, "images/t")
		if !errors.Is(err, ErrSealBroken) {
			t.Errorf("%s changed: read %d bytes, err %v; want ErrSealBroken", name, len(got), err)
		}
		if bytes.Equal(got, data) {
			t.Errorf("%s changed: served in full", name)
		}
	}
	// The magic itself changed: then it is no sealed object, and a store
	// that refuses unsealed blobs refuses it.
	b := bytes.Clone(orig)
	b[0] ^= 0x01
	os.WriteFile(path, b, 0o600)
	s.RefusePlaintext = true
	if _, err := readAll(s, "images/t"); !errors.Is(err, ErrSealBroken) {
		t.Errorf("magic changed, unsealed refused: %v", err)
	}
	s.RefusePlaintext = false
	if got, _ := readAll(s, "images/t"); bytes.Equal(got, data) {
		t.Error("magic changed: the content was served")
	}
	_ = d
}

// A truncated object fails, at a segment boundary too (the segment left
// last was not sealed as the last), and so does an extended one.
func TestSealedTruncationAndExtensionAreErrors(t *testing.T) {
	s, _, root := newTestSealed(t, testSealKeys(t, "k1"))
	data := randomBytes(2*sealSegment + 10)
	put(t, s, "images/cut", data)
	path := filepath.Join(root, "images", "cut")
	orig, _ := os.ReadFile(path)
	hdr := len(SealMagic) + 2 + 2 + 12 + 48 + 7
	for name, b := range map[string][]byte{
		"after the first segment":  orig[:hdr+sealSegment+16],
		"after the second segment": orig[:hdr+2*(sealSegment+16)],
		"inside a segment":         orig[:hdr+sealSegment+16+100],
		"inside the last tag":      orig[:len(orig)-3],
		"inside the header":        orig[:hdr-5],
		"after the header":         orig[:hdr],
		"one byte appended":        append(bytes.Clone(orig), 0),
		"a segment appended":       append(bytes.Clone(orig), orig[hdr:hdr+sealSegment+16]...),
	} {
		os.WriteFile(path, b, 0o600)
		got, err := readAll(s, "images/cut")
		if !errors.Is(err, ErrSealBroken) {
			t.Errorf("%s: read %d bytes, err %v; want ErrSealBroken", name, len(got), err)
		}
	}
}

// An object copied or moved to another key does not open there, nor does
// one header with another object's segments.
func TestSealedSwappedObjectsDoNotOpen(t *testing.T) {
	s, _, root := newTestSealed(t, testSealKeys(t, "k1"))
	a, b := randomBytes(1000), randomBytes(1000)
	put(t, s, "images/1/ktp.jpg", a)
	put(t, s, "images/2/ktp.jpg", b)
	pa, pb := filepath.Join(root, "images", "1", "ktp.jpg"), filepath.Join(root, "images", "2", "ktp.jpg")
	ra, _ := os.ReadFile(pa)
	rb, _ := os.ReadFile(pb)
	os.WriteFile(pb, ra, 0o600)
	// Get itself fails: nothing is served (no 200 sent) for a moved object.
	if r, err := s.Get(context.Background(), "images/2/ktp.jpg"); !errors.Is(err, ErrSealBroken) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("application 1's image at application 2's key: Get %v", err)
	}
	hdr := len(SealMagic) + 2 + 2 + 12 + 48 + 7
	os.WriteFile(pb, append(bytes.Clone(rb[:hdr]), ra[hdr:]...), 0o600)
	if _, err := readAll(s, "images/2/ktp.jpg"); !errors.Is(err, ErrSealBroken) {
		t.Fatalf("b's header with a's segments: %v", err)
	}
}

// The current key seals; older keys still open what they sealed; a key
// the keyring no longer holds is a clear error naming its id.
func TestSealedKeyRotationAndUnknownKeyIDs(t *testing.T) {
	old := testSealKeys(t, "k1")
	s1, d, _ := newTestSealed(t, old)
	data := randomBytes(5000)
	put(t, s1, "images/old", data)

	rotated := SealKeys{Current: "k2", Keys: map[string][]byte{"k1": old.Keys["k1"], "k2": randomBytes(32)}}
	s2, err := NewSealed(d, rotated)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(s2, "images/old"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("sealed by k1, read with k1 and k2: %v", err)
	}
	put(t, s2, "images/new", data)
	if raw, _ := readAll(d, "images/new"); !bytes.HasPrefix(raw, []byte(SealMagic+"\x01\x02k2")) {
		t.Fatalf("a new blob is not sealed by the current key: %.12q", raw)
	}
	onlyK2, _ := NewSealed(d, SealKeys{Current: "k2", Keys: map[string][]byte{"k2": rotated.Keys["k2"]}})
	if _, err := readAll(onlyK2, "images/old"); !errors.Is(err, ErrSealBroken) || !strings.Contains(err.Error(), `"k1"`) {
		t.Fatalf("sealed by a key no longer held: %v", err)
	}
	// A key under the same id but another value does not open it either.
	other := SealKeys{Current: "k1", Keys: map[string][]byte{"k1": randomBytes(32)}}
	s3, _ := NewSealed(d, other)
	if _, err := readAll(s3, "images/old"); !errors.Is(err, ErrSealBroken) {
		t.Fatalf("another key named k1: %v", err)
	}
	for name, k := range map[string]SealKeys{
		"no current":  {Current: "x", Keys: old.Keys},
		"a short key": {Current: "k1", Keys: map[string][]byte{"k1": make([]byte, 16)}},
		"an empty id": {Current: "", Keys: map[string][]byte{"": make([]byte, 32)}},
	} {
		if _, err := NewSealed(d, k); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Rename keeps a sealed blob readable at its new key (its data key wrapped
// again, by the current key), and seals an unsealed one on the way.
func TestSealedRenameRewrapsForTheNewKey(t *testing.T) {
	old := testSealKeys(t, "k1")
	s1, d, _ := newTestSealed(t, old)
	ctx := context.Background()
	data := randomBytes(sealSegment*2 + 1)
	put(t, s1, "pending/1-images%2Fa.jpg", data)
	before, _ := readAll(d, "pending/1-images%2Fa.jpg")

	s2, _ := NewSealed(d, SealKeys{Current: "k2", Keys: map[string][]byte{"k1": old.Keys["k1"], "k2": randomBytes(32)}})
	if err := s2.Rename(ctx, "pending/1-images%2Fa.jpg", "images/a.jpg"); err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(s2, "images/a.jpg"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after Rename: %v", err)
	}
	if _, err := d.Get(ctx, "pending/1-images%2Fa.jpg"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the old key is still there: %v", err)
	}
	after, _ := readAll(d, "images/a.jpg")
	hdr := len(SealMagic) + 2 + 2 + 12 + 48 + 7
	if !bytes.HasPrefix(after, []byte(SealMagic+"\x01\x02k2")) || !bytes.Equal(after[hdr:], before[hdr:]) {
		t.Fatal("Rename did not rewrap with k2, or re-encrypted the segments")
	}
	// An unsealed blob (stored before sealing) is sealed by a Rename.
	plain := []byte("\xff\xd8\xff old plaintext image")
	put(t, d, "pending/2-b", plain)
	if err := s2.Rename(ctx, "pending/2-b", "images/b.jpg"); err != nil {
		t.Fatal(err)
	}
	if raw, _ := readAll(d, "images/b.jpg"); !bytes.HasPrefix(raw, []byte(SealMagic)) {
		t.Fatal("an unsealed blob stayed unsealed through Rename")
	}
	if got, err := readAll(s2, "images/b.jpg"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("%q %v", got, err)
	}
	if err := s2.Rename(ctx, "images/b.jpg", "images/b.jpg"); err != nil {
		t.Fatalf("Rename onto itself: %v", err)
	}
	if got, err := readAll(s2, "images/b.jpg"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("after Rename onto itself: %v", err)
	}
}

// Blobs stored before sealing are read as they are until RefusePlaintext.
func TestSealedReadsUnsealedBlobsUntilTold(t *testing.T) {
	s, d, _ := newTestSealed(t, testSealKeys(t, "k1"))
	for _, plain := range [][]byte{[]byte("\x89PNG\r\n\x1a\n old"), []byte("abc"), {}} {
		put(t, d, "images/plain", plain)
		s.RefusePlaintext = false
		if got, err := readAll(s, "images/plain"); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%q: read %q, %v", plain, got, err)
		}
		s.RefusePlaintext = true
		if _, err := readAll(s, "images/plain"); !errors.Is(err, ErrSealBroken) {
			t.Fatalf("%q with RefusePlaintext: %v", plain, err)
		}
	}
}

// SealStored seals unsealed blobs in place and rewraps those of older keys,
// in batches, each after the last one's Next; running it again changes
// nothing; blobs that do not open are reported, not fatal.
func TestSealStoredMigratesInResumableIdempotentBatches(t *testing.T) {
	old := testSealKeys(t, "k1")
	s1, d, _ := newTestSealed(t, old)
	ctx := context.Background()
	want := map[string][]byte{}
	for i := range 7 {
		k := "images/" + string(rune('a'+i)) + ".jpg"
		want[k] = append([]byte("\xff\xd8\xff plain "), randomBytes(100*i)...)
		put(t, d, k, want[k])
	}
	want["images/k1.jpg"] = randomBytes(300)
	put(t, s1, "images/k1.jpg", want["images/k1.jpg"])
	put(t, d, "images/zz-broken", []byte(SealMagic+"\x01\x02k1 not really sealed"))

	s, _ := NewSealed(d, SealKeys{Current: "k2", Keys: map[string][]byte{"k1": old.Keys["k1"], "k2": randomBytes(32)}})
	var total SealProgress
	after, runs := "", 0
	for {
		p, err := s.SealStored(ctx, after, 3, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		runs++
		total.Checked += p.Checked
		total.Sealed += p.Sealed
		total.Rewrapped += p.Rewrapped
		total.Broken = append(total.Broken, p.Broken...)
		after = p.Next
		if p.Done {
			break
		}
	}
	if runs != 3 || total.Checked != 9 || total.Sealed != 7 || total.Rewrapped != 1 || !slices.Equal(total.Broken, []string{"images/zz-broken"}) {
		t.Fatalf("%d runs, %+v", runs, total)
	}
	for k, data := range want {
		raw, _ := readAll(d, k)
		if !bytes.HasPrefix(raw, []byte(SealMagic+"\x01\x02k2")) {
			t.Fatalf("%s is not sealed by k2: %.12q", k, raw)
		}
		if got, err := readAll(s, k); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: %v", k, err)
		}
	}
	before, _ := readAll(d, "images/a.jpg")
	p, err := s.SealStored(ctx, "", 100, time.Time{})
	if err != nil || !p.Done || p.Checked != 9 || p.Sealed != 0 || p.Rewrapped != 0 || len(p.Broken) != 1 {
		t.Fatalf("again: %+v %v", p, err)
	}
	if again, _ := readAll(d, "images/a.jpg"); !bytes.Equal(again, before) {
		t.Fatal("a second run rewrote a sealed blob")
	}
	// A deadline already passed stops before the first blob.
	if p, err := s.SealStored(ctx, "", 100, time.Now()); err != nil || p.Done || p.Checked != 0 || p.Next != "" {
		t.Fatalf("past deadline: %+v %v", p, err)
	}
}

// With Bind mapping a pending name to its final key, a Rename between them
// is the store's own (the object moves as it is), an object moved by the
// store between them still opens, and one moved to any other key does not.
func TestSealedBindLetsAPendingNameAndItsKeyShareASeal(t *testing.T) {
	s, d, _ := newTestSealed(t, testSealKeys(t, "k1"))
	s.Bind = func(key string) string {
		if rest, ok := strings.CutPrefix(key, "pending/1-"); ok {
			return rest
		}
		return key
	}
	ctx := context.Background()
	data := randomBytes(1000)
	put(t, s, "pending/1-images/a.jpg", data)
	before, _ := readAll(d, "pending/1-images/a.jpg")
	if err := s.Rename(ctx, "pending/1-images/a.jpg", "images/a.jpg"); err != nil {
		t.Fatal(err)
	}
	if after, _ := readAll(d, "images/a.jpg"); !bytes.Equal(after, before) {
		t.Fatal("a Rename between bound keys rewrote the object")
	}
	if got, err := readAll(s, "images/a.jpg"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after Rename: %v", err)
	}
	if err := d.Rename(ctx, "images/a.jpg", "pending/1-images/a.jpg"); err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(s, "pending/1-images/a.jpg"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("moved back by the store: %v", err)
	}
	if err := d.Rename(ctx, "pending/1-images/a.jpg", "images/b.jpg"); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(s, "images/b.jpg"); !errors.Is(err, ErrSealBroken) {
		t.Fatalf("moved to another key: %v", err)
	}
}
