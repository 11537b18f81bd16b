package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// uploadStore is the part of a Store an upload uses: one application of
// partner 1, and images recorded in memory (or failing with fail).
type uploadStore struct {
	onboarding.Store
	mu    sync.Mutex
	fail  error
	added int
}

func (f *uploadStore) ApplicationByXID(ctx context.Context, xid int64) (onboarding.Application, error) {
	if xid != 1234567890 {
		return onboarding.Application{}, &julo.Error{Code: julo.ENOTFOUND}
	}
	return onboarding.Application{ID: 3, XID: xid, PartnerID: 1, Status: julo.AppFormCreated}, nil
}

func (f *uploadStore) Enqueue(ctx context.Context, jobs ...julo.Scheduled) error { return nil }

func (f *uploadStore) AddImage(ctx context.Context, img onboarding.Image, accept func(julo.AppStatus, int) error) (onboarding.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return onboarding.Image{}, f.fail
	}
	f.added++
	img.ID = int64(f.added)
	if img.PublicID == 0 {
		panic("AddImage without a public id")
	}
	return img, nil
}

// uploadBlobs keeps blobs in memory.
type uploadBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *uploadBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	data, err := io.ReadAll(r)
	if err != nil || int64(len(data)) != size {
		return fmt.Errorf("put: %v, %d of %d bytes", err, len(data), size)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = data
	return nil
}

func (b *uploadBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	return nil, fs.ErrNotExist
}

func (b *uploadBlobs) Delete(ctx context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// uploadServer serves the upload handler with spool dir dir and a 64 KiB
// upload bound; the partner is the "partner" header's id (authentication is
// another test's business).
func uploadServer(t *testing.T, dir string, st *uploadStore) (*httptest.Server, *uploadBlobs) {
	t.Helper()
	bl := &uploadBlobs{m: map[string][]byte{}}
	svc := onboarding.New(onboarding.Deps{Store: st, Blobs: bl})
	s := New(ServicesOf(svc), slog.New(slog.NewJSONHandler(io.Discard, nil)), Config{SpoolDir: dir, MaxUploadBytes: 64 << 10})
	up := s.uploadSlots(s.handleUploadImage(svc))
	s.mux.Handle("POST /applications/{application_xid}/images", s.limitBody(s.cfg.MaxUploadBytes,
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := strconv.ParseInt(r.Header.Get("partner"), 10, 64)
			up.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), partnerKey{}, julo.Partner{ID: id})))
		})))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, bl
}

func uploadBody(t *testing.T, typ string, files ...[]byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("image_type", typ)
	for _, f := range files {
		w, _ := mw.CreateFormFile("upload", "x.png")
		w.Write(f)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func tinyPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func post(t *testing.T, srv *httptest.Server, partner string, body io.Reader, ct string) int {
	t.Helper()
	r, _ := http.NewRequest("POST", srv.URL+"/applications/1234567890/images", body)
	r.Header.Set("Content-Type", ct)
	r.Header.Set("partner", partner)
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// spoolState is what is left of spool files in dir: names in the directory,
// and (on Linux, where a spool file is unlinked at once) files of this
// process still open there.
func spoolState(t *testing.T, dir string) (names, open []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if runtime.GOOS == "linux" {
		fds, _ := os.ReadDir("/proc/self/fd")
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(l, dir+string(filepath.Separator)) {
				open = append(open, l)
			}
		}
	}
	return names, open
}

// waitSpoolEmpty waits until nothing of a spool file is left in dir (the
// handler of a request the client gave up may still be finishing).
func waitSpoolEmpty(t *testing.T, dir, after string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		names, open := spoolState(t, dir)
		if len(names) == 0 && len(open) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: spool files left: %v, open: %v", after, names, open)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Every upload spools its file in the spool dir while it is received, and
// the file is gone (removed and closed) when the request ends, however it
// ends.
func TestImageUploadSpoolFilesAreRemovedOnEveryPath(t *testing.T) {
	dir := t.TempDir()
	st := &uploadStore{}
	srv, bl := uploadServer(t, dir, st)
	img := tinyPNG(t, 4, 4)

	for _, tc := range []struct {
		name    string
		body    func() ([]byte, string)
		chunked bool
		fail    error
		want    int
	}{
		{"stored", func() ([]byte, string) { return uploadBody(t, "selfie", img) }, false, nil, 200},
		{"not an image", func() ([]byte, string) { return uploadBody(t, "selfie", []byte("text")) }, false, nil, 400},
		{"bad type", func() ([]byte, string) { return uploadBody(t, "nope", img) }, false, nil, 400},
		{"two files", func() ([]byte, string) { return uploadBody(t, "selfie", img, img) }, false, nil, 400},
		{"over the bound, chunked", func() ([]byte, string) {
			return uploadBody(t, "selfie", append(bytes.Clone(img), make([]byte, 100<<10)...))
		}, true, nil, 413},
		{"cut multipart", func() ([]byte, string) {
			b, ct := uploadBody(t, "selfie", img)
			return b[:len(b)-10], ct
		}, false, nil, 400},
		{"recording fails", func() ([]byte, string) { return uploadBody(t, "selfie", img) }, false, errors.New("disk full"), 500},
	} {
		st.mu.Lock()
		st.fail = tc.fail
		st.mu.Unlock()
		b, ct := tc.body()
		var r io.Reader = bytes.NewReader(b)
		if tc.chunked {
			r = io.MultiReader(r)
		}
		if got := post(t, srv, "1", r, ct); got != tc.want {
			t.Fatalf("%s: status %d, want %d", tc.name, got, tc.want)
		}
		waitSpoolEmpty(t, dir, tc.name)
	}
	if st.added != 1 || len(bl.m) != 1 {
		t.Fatalf("%d recorded, %d blobs", st.added, len(bl.m))
	}

	// A client that goes away mid-file: the spool file is in use while the
	// upload is received, and gone once the handler gives up.
	b, ct := uploadBody(t, "selfie", append(bytes.Clone(img), make([]byte, 30<<10)...))
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, _ := http.NewRequest("POST", srv.URL+"/applications/1234567890/images", pr)
		r.Header.Set("Content-Type", ct)
		r.Header.Set("partner", "1")
		if resp, err := srv.Client().Do(r); err == nil {
			resp.Body.Close()
		}
	}()
	pw.Write(b[:len(b)/2])
	if runtime.GOOS == "linux" {
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if _, open := spoolState(t, dir); len(open) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no spool file open in the spool dir while an upload is received")
			}
		}
	}
	pw.CloseWithError(errors.New("client gone"))
	<-done
	waitSpoolEmpty(t, dir, "client gone")
}

// The per-partner bound counts each partner's uploads on its own, and a
// slot given back is taken again.
func TestUploadSlotsArePerPartner(t *testing.T) {
	u := &uploadSlots{max: 2, n: map[int64]int{}}
	r1, ok1 := u.take(1)
	r2, ok2 := u.take(1)
	_, ok3 := u.take(1)
	r4, ok4 := u.take(2)
	if !ok1 || !ok2 || ok3 || !ok4 {
		t.Fatalf("take: %v %v %v %v", ok1, ok2, ok3, ok4)
	}
	r1()
	r1() // a second release gives nothing back twice
	if _, ok := u.take(1); !ok {
		t.Fatal("a released slot was not taken again")
	}
	if _, ok := u.take(1); ok {
		t.Fatal("a double release gave back two slots")
	}
	r2()
	r4()
	if u.n[2] != 0 || len(u.n) != 1 {
		t.Fatalf("counts %v", u.n)
	}
}
