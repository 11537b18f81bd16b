package onboarding

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// movingBlobs is memBlobs with Rename and List (a BlobMover, as blob.Dir
// and blob.S3 are); renameErr makes Rename fail.
type movingBlobs struct {
	*memBlobs
	renameErr error
	renames   int
}

func (b *movingBlobs) Rename(ctx context.Context, from, to string) error {
	b.renames++
	if b.renameErr != nil {
		return b.renameErr
	}
	d, ok := b.m[from]
	if !ok {
		return fs.ErrNotExist
	}
	b.m[to] = d
	delete(b.m, from)
	return nil
}

func (b *movingBlobs) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	for k := range b.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *imageFakeStore) Image(ctx context.Context, applicationID, imageID int64) (Image, error) {
	for _, img := range f.added {
		if img.PublicID == imageID && img.ApplicationID == applicationID {
			return img, nil
		}
	}
	return Image{}, &julo.Error{Code: julo.ENOTFOUND}
}

// testClock is a clock tests move.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func pendingService(t *testing.T) (*Service, *imageFakeStore, *movingBlobs, *testClock) {
	t.Helper()
	bl := &movingBlobs{memBlobs: &memBlobs{m: map[string][]byte{}}}
	st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}}
	clock := &testClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	return New(Deps{Store: st, Blobs: bl, Now: clock.Now}), st, bl, clock
}

func pendingKeys(bl *movingBlobs) []string {
	keys, _ := bl.List(context.Background(), pendingBlobPrefix)
	return keys
}

func TestPendingBlobKeysRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 123_000_000, time.UTC)
	for _, key := range []string{"images/1234567890/selfie/0123abcd.png", "a", "x y/z%2F-w"} {
		p := pendingBlobKey(key, at)
		if !strings.HasPrefix(p, pendingBlobPrefix) || strings.Count(p, "/") != 1 {
			t.Fatalf("%q: pending name %q is not one flat name under %s", key, p, pendingBlobPrefix)
		}
		got, gotAt, ok := parsePendingBlobKey(p)
		if !ok || got != key || !gotAt.Equal(at) {
			t.Fatalf("%q: parsed %q %v %v", p, got, gotAt, ok)
		}
	}
	for _, p := range []string{"pending/", "pending/x-a", "pending/123", "pending/-5-a", "images/1-a", "pending/12-a%2", "pending/12-a/b"} {
		if _, _, ok := parsePendingBlobKey(p); ok {
			t.Errorf("%q parsed", p)
		}
	}
}

// An upload writes its blob under a pending name, records the row, then
// promotes the blob to its key; it queues no job.
func TestUploadWritesUnderAPendingNameAndPromotesAfterTheCommit(t *testing.T) {
	svc, st, bl, _ := pendingService(t)
	var atCommit []string
	st.add = func(int) error {
		atCommit = slices.Sorted(func(yield func(string) bool) {
			for k := range bl.m {
				yield(k)
			}
		})
		return nil
	}
	img, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890",
		ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{pendingBlobKey(img.BlobKey, img.CreatedAt)}; !slices.Equal(atCommit, want) {
		t.Fatalf("blobs at the commit %q, want only %q", atCommit, want)
	}
	if len(bl.m) != 1 || bl.m[img.BlobKey] == nil || bl.renames != 1 || len(st.sweeps) != 0 {
		t.Fatalf("after the upload: %d blobs, final present %v, %d renames, %d jobs", len(bl.m), bl.m[img.BlobKey] != nil, bl.renames, len(st.sweeps))
	}
}

// A store without Rename gets the blob copied to its key.
func TestUploadPromotesByCopyingWithoutRename(t *testing.T) {
	bl := &memBlobs{m: map[string][]byte{}}
	st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}}
	svc := New(Deps{Store: st, Blobs: bl})
	content := testPNG(t, 4, 4)
	img, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890", ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(content)})
	if err != nil || len(bl.m) != 1 || !bytes.Equal(bl.m[img.BlobKey], content) {
		t.Fatalf("%v: %d blobs", err, len(bl.m))
	}
}

// An upload killed before its row commits leaves a pending blob (here: the
// recording fails and so does the deletion); the sweep leaves it alone for
// an hour, by the service's clock, then deletes it.
func TestSweepDeletesThePendingBlobOfAnUploadKilledBeforeItsCommit(t *testing.T) {
	svc, st, bl, clock := pendingService(t)
	st.add = func(int) error { return errors.New("killed") }
	bl.deleteErr = errors.New("killed")
	if _, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890",
		ImageUploadInput{Type: ptr("ktp_self"), Upload: NewImageFile(testPNG(t, 4, 4))}); err == nil {
		t.Fatal("upload succeeded")
	}
	bl.deleteErr = nil
	if got := pendingKeys(bl); len(got) != 1 || len(bl.m) != 1 {
		t.Fatalf("left %q, want one pending blob", got)
	}
	// A young one: an upload may still be under way.
	clock.Add(59 * time.Minute)
	if err := svc.SweepPendingBlobs(context.Background(), PendingBlobSweepJob{}); err != nil || len(bl.m) != 1 {
		t.Fatalf("sweep at 59 min: %v, %d blobs", err, len(bl.m))
	}
	clock.Add(2 * time.Minute)
	if err := svc.SweepPendingBlobs(context.Background(), PendingBlobSweepJob{}); err != nil || len(bl.m) != 0 {
		t.Fatalf("sweep at 61 min: %v, left %d blobs", err, len(bl.m))
	}
}

// An upload killed between its commit and the promotion leaves its blob at
// the pending name: the image is served from there, and the sweep promotes
// it (an hour later) instead of deleting it. Names it did not make stay.
func TestSweepPromotesThePendingBlobOfAnUploadKilledAfterItsCommit(t *testing.T) {
	svc, _, bl, clock := pendingService(t)
	bl.renameErr = errors.New("killed")
	content := testPNG(t, 5, 5)
	img, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890",
		ImageUploadInput{Type: ptr("ktp_self"), Upload: NewImageFile(content)})
	if err != nil {
		t.Fatalf("a recorded upload whose promotion failed answered %v", err)
	}
	bl.renameErr = nil
	pending := pendingBlobKey(img.BlobKey, img.CreatedAt)
	if bl.m[pending] == nil || bl.m[img.BlobKey] != nil {
		t.Fatalf("blobs %v", pendingKeys(bl))
	}
	read := func() []byte {
		t.Helper()
		_, rc, err := svc.OpenImage(context.Background(), julo.Partner{ID: 7}, "1234567890", strconv.FormatInt(img.PublicID, 10))
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	if !bytes.Equal(read(), content) {
		t.Fatal("the unpromoted image does not read back")
	}
	bl.m["pending/not-ours"] = []byte("x")
	clock.Add(61 * time.Minute)
	if err := svc.SweepPendingBlobs(context.Background(), PendingBlobSweepJob{}); err != nil {
		t.Fatal(err)
	}
	if bl.m[pending] != nil || !bytes.Equal(bl.m[img.BlobKey], content) || bl.m["pending/not-ours"] == nil {
		t.Fatalf("after the sweep: %d blobs, pending %v, final %v", len(bl.m), bl.m[pending] != nil, bl.m[img.BlobKey] != nil)
	}
	if !bytes.Equal(read(), content) {
		t.Fatal("the promoted image does not read back")
	}
}

// One blob the sweep cannot handle does not stop the others.
func TestSweepGoesOnPastAFailure(t *testing.T) {
	svc, _, bl, clock := pendingService(t)
	old := clock.Now()
	bl.m[pendingBlobKey("images/1/selfie/a.png", old)] = []byte("a")
	bl.m[pendingBlobKey("images/1/selfie/b.png", old)] = []byte("b")
	clock.Add(2 * time.Hour)
	bl.deleteErr = errors.New("store down")
	if err := svc.SweepPendingBlobs(context.Background(), PendingBlobSweepJob{}); err == nil || strings.Count(err.Error(), "store down") != 2 {
		t.Fatalf("got %v, want both failures", err)
	}
	bl.deleteErr = nil
	if err := svc.SweepPendingBlobs(context.Background(), PendingBlobSweepJob{}); err != nil || len(bl.m) != 0 {
		t.Fatalf("retry: %v, %d left", err, len(bl.m))
	}
}

// A pending name binds to the key it is promoted to; every other name,
// and a name pendingBlobKey did not make, to itself.
func TestPendingBlobFinalKeyIsTheInverseOfThePendingName(t *testing.T) {
	key := "images/7040253099/ktp_self/0123456789abcdef0123456789abcdef.jpg"
	if got := PendingBlobFinalKey(pendingBlobKey(key, time.UnixMilli(1764000000000))); got != key {
		t.Fatalf("pending name binds to %q, want %q", got, key)
	}
	for _, p := range []string{key, "pending/", "pending/x-" + key, "pending/-1-a", "pending/12-", "pending/12-pending%2Fa"} {
		if got := PendingBlobFinalKey(p); got != p {
			t.Errorf("%q binds to %q, want itself", p, got)
		}
	}
}
