package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// testS3URLEnv names an S3-compatible bucket the tests may write to, e.g.
// s3://julo-test?endpoint=http://127.0.0.1:7070 with AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY set; .ci/s3.sh starts versitygw and sets all three.
const testS3URLEnv = "JULO_TEST_S3_URL"

// testS3Store opens the test bucket under a fresh prefix, emptied when the
// test ends; without JULO_TEST_S3_URL the test is skipped.
func testS3Store(t *testing.T, extraQuery string) *S3 {
	t.Helper()
	base := os.Getenv(testS3URLEnv)
	if base == "" {
		t.Skip(testS3URLEnv + " is not set: S3 tests skipped (.ci/run sets it)")
	}
	st, err := Open(context.Background(), withQuery(base, "prefix=blobtest-"+rand.Text()[:12]+"/"+extraQuery), "", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	s := st.(*S3)
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := Keys(ctx, s)
		if err != nil {
			t.Errorf("listing what the test left: %v", err)
		}
		for _, k := range keys {
			s.Delete(ctx, k)
		}
	})
	return s
}

func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

func TestS3PassesTheStoreSuite(t *testing.T) {
	testBlobStore(t, testS3Store(t, ""))
}

func TestS3StoresTheSizeAndContentType(t *testing.T) {
	s := testS3Store(t, "")
	ctx := context.Background()
	for _, ct := range []string{"image/png", "image/jpeg"} {
		key := "types/a." + strings.TrimPrefix(ct, "image/")
		if err := s.Put(ctx, key, strings.NewReader("12345"), 5, ct); err != nil {
			t.Fatal(err)
		}
		out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ContentType) != ct || aws.ToInt64(out.ContentLength) != 5 {
			t.Fatalf("%s stored as %q, %d bytes", key, aws.ToString(out.ContentType), aws.ToInt64(out.ContentLength))
		}
	}
}

func TestS3PrefixesKeepStoresApart(t *testing.T) {
	a, b := testS3Store(t, ""), testS3Store(t, "")
	ctx := context.Background()
	if err := a.Put(ctx, "images/1/x.jpg", strings.NewReader("a"), 1, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "images/1/x.jpg"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the other prefix reads it: %v", err)
	}
	if err := b.Delete(ctx, "images/1/x.jpg"); err != nil {
		t.Fatal(err)
	}
	if ka, _ := Keys(ctx, a); len(ka) != 1 || ka[0] != "images/1/x.jpg" {
		t.Fatalf("a holds %q", ka)
	}
	if kb, _ := Keys(ctx, b); len(kb) != 0 {
		t.Fatalf("b holds %q", kb)
	}
}

func TestS3MisconfigurationFailsAtOpenWithAClearMessage(t *testing.T) {
	base := os.Getenv(testS3URLEnv)
	if base == "" {
		t.Skip(testS3URLEnv + " is not set")
	}
	rest, _ := strings.CutPrefix(base, "s3://")
	bucket, _, _ := strings.Cut(rest, "?")
	ctx := context.Background()
	_, err := Open(ctx, strings.Replace(base, "s3://"+bucket, "s3://no-such-bucket-"+strings.ToLower(rand.Text()[:8]), 1), "", os.Getenv)
	if err == nil || !strings.Contains(err.Error(), "the bucket does not exist") {
		t.Errorf("missing bucket: %v", err)
	}
	wrong := func(k string) string {
		if k == "AWS_SECRET_ACCESS_KEY" {
			return "wrong-secret-hunter2"
		}
		return os.Getenv(k)
	}
	_, err = Open(ctx, base, "", wrong)
	if err == nil || !strings.Contains(err.Error(), "access denied") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("wrong secret: %v", err)
	}
}

var fakeEnv = func(k string) string {
	return map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-hunter2"}[k]
}

// A server that accepts connections and never answers must not hang the
// start: Open gives up after the timeout with a message saying so.
func TestS3OpenOnADeadEndpointFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var conns []net.Conn
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	start := time.Now()
	_, err = Open(context.Background(), "s3://bucket?timeout=500ms&endpoint=http://"+ln.Addr().String(), "", fakeEnv)
	if err == nil || !strings.Contains(err.Error(), "no answer within 500ms") {
		t.Fatalf("Open = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Open took %s", d)
	}

	// Nothing listens at all: refused at once, naming the endpoint.
	addr := ln.Addr().String()
	ln.Close()
	_, err = Open(context.Background(), "s3://bucket?timeout=2s&endpoint=http://"+addr, "", fakeEnv)
	if err == nil || !strings.Contains(err.Error(), "s3://bucket at http://"+addr) {
		t.Fatalf("Open = %v", err)
	}
}

// fakeS3 answers the list of the bucket (the check of Open) with an empty
// list and everything else with handle.
func fakeS3(t *testing.T, handle http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/bucket" {
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`)
			return
		}
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Every call is bounded: a store that stops answering after the start makes
// Put, Get and Delete fail after the timeout, not hang.
func TestS3CallsOnAHangingStoreEndAtTheTimeout(t *testing.T) {
	stop := make(chan struct{})
	endpoint := fakeS3(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	defer close(stop)
	st, err := Open(context.Background(), "s3://bucket?timeout=300ms&endpoint="+endpoint, "", fakeEnv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"Put":        func() error { return st.Put(ctx, "a/b", strings.NewReader("abc"), 3, "text/plain") },
		"Put stream": func() error { return st.Put(ctx, "a/b", struct{ io.Reader }{strings.NewReader("abc")}, 3, "") },
		"Get":        func() error { _, err := st.Get(ctx, "a/b"); return err },
		"Delete":     func() error { return st.Delete(ctx, "a/b") },
	} {
		start := time.Now()
		err := call()
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s on a hanging store: %v", name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s took %s", name, d)
		}
	}
}

// A Get whose body stalls halfway ends at the timeout too.
func TestS3ReadingAStalledBodyEndsAtTheTimeout(t *testing.T) {
	stop := make(chan struct{})
	endpoint := fakeS3(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("first half"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	defer close(stop)
	st, err := Open(context.Background(), "s3://bucket?timeout=300ms&endpoint="+endpoint, "", fakeEnv)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Get(context.Background(), "a/b")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Now()
	if _, err := io.ReadAll(r); err == nil {
		t.Fatal("a body cut short read without error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("reading took %s", d)
	}
}

// How the store reads the answers of an S3 server: a missing object is
// fs.ErrNotExist, a missing bucket is not (it is a configuration error),
// and refusals at the start say what to check without showing a secret.
func TestS3ReadsTheServersAnswers(t *testing.T) {
	xmlError := func(w http.ResponseWriter, status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>m</Message></Error>`)
	}
	endpoint := fakeS3(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bucket/gone":
			xmlError(w, http.StatusNotFound, "NoSuchKey")
		case "/bucket/nobucket":
			xmlError(w, http.StatusNotFound, "NoSuchBucket")
		default:
			xmlError(w, http.StatusInternalServerError, "InternalError")
		}
	})
	st, err := Open(context.Background(), "s3://bucket?timeout=2s&endpoint="+endpoint, "", fakeEnv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.Get(ctx, "gone"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NoSuchKey: %v", err)
	}
	if err := st.Delete(ctx, "gone"); err != nil {
		t.Errorf("Delete on NoSuchKey: %v", err)
	}
	if _, err := st.Get(ctx, "nobucket"); err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NoSuchBucket: %v", err)
	}
	if err := st.Delete(ctx, "nobucket"); err == nil {
		t.Errorf("Delete on NoSuchBucket succeeded")
	}

	for _, c := range []struct {
		status int
		code   string
		want   string
	}{
		{http.StatusForbidden, "", "access denied (Forbidden); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{http.StatusForbidden, "SignatureDoesNotMatch", "access denied (SignatureDoesNotMatch); check AWS_ACCESS_KEY_ID"},
		{http.StatusNotFound, "", "the bucket does not exist"},
		{http.StatusNotFound, "NoSuchBucket", "the bucket does not exist"},
		{http.StatusNotFound, "XAdminUserNotFound", "refused with HTTP 404 XAdminUserNotFound m"},
		{http.StatusMovedPermanently, "PermanentRedirect", "refused (PermanentRedirect); check the region"},
		{http.StatusBadRequest, "InvalidRequest", "refused with HTTP 400 InvalidRequest m"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.code == "" {
				w.WriteHeader(c.status)
			} else {
				xmlError(w, c.status, c.code)
			}
		}))
		_, err := Open(ctx, "s3://bucket?timeout=2s&endpoint="+srv.URL, "", fakeEnv)
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "s3://bucket at "+srv.URL) {
			t.Errorf("the list answered %d %s: %v, want %q", c.status, c.code, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "AKIDEXAMPLE") {
			t.Errorf("the error shows a credential: %v", err)
		}
	}
}

func TestExactlyPassesExactReadersAndFailsTheOthers(t *testing.T) {
	data := []byte("0123456789")
	wraps := map[string]func(io.Reader) io.Reader{
		"plain":    func(r io.Reader) io.Reader { return struct{ io.Reader }{r} },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+EOF": iotest.DataErrReader,
		"seekable": func(r io.Reader) io.Reader { b, _ := io.ReadAll(r); return bytes.NewReader(b) },
	}
	for name, wrap := range wraps {
		for _, c := range []struct {
			n, size int
			ok      bool
		}{{10, 10, true}, {0, 0, true}, {9, 10, false}, {10, 9, false}, {1, 0, false}, {0, 1, false}} {
			body, err := exactly(wrap(bytes.NewReader(data[:c.n])), int64(c.size))
			var got []byte
			if err == nil {
				got, err = io.ReadAll(body)
			}
			if c.ok && (err != nil || !bytes.Equal(got, data[:c.n])) {
				t.Errorf("%s, %d bytes for %d: %q, %v", name, c.n, c.size, got, err)
			}
			if !c.ok && err == nil {
				t.Errorf("%s, %d bytes for %d: read %q without error", name, c.n, c.size, got)
			}
			if !c.ok && len(got) >= c.size && c.size > 0 {
				t.Errorf("%s, %d bytes for %d: delivered all %d bytes before failing", name, c.n, c.size, len(got))
			}
		}
	}
}
