package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/blob"
)

// testS3URLEnv names an S3-compatible bucket the tests may write to
// (s3://BUCKET?endpoint=http://127.0.0.1:PORT), with AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY in the environment. Set, every test server keeps
// its files there; unset, under its data dir. CI sets it (.ci/s3.sh).
const testS3URLEnv = "JULO_TEST_S3_URL"

var testBlobURLs sync.Map // *testing.T -> its --blob-url

// testBlobURL is the --blob-url each test server gets: empty means files
// under the server's data dir. With JULO_TEST_S3_URL it is that bucket under
// a prefix of the test's own, so that tests running in parallel never see
// each other's files; later servers of the same test get the same prefix,
// so a restart (withData) finds what the first server stored, as it does in
// the data dir. What the test stored is deleted when it ends.
func testBlobURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv(testS3URLEnv)
	if base == "" {
		return ""
	}
	if u, ok := testBlobURLs.Load(t); ok {
		return u.(string)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	u := base + sep + "prefix=julo-test-" + strings.ToLower(rand.Text()[:16]) + "/"
	testBlobURLs.Store(t, u)
	// Registered before the server's own cleanup, so it runs after the
	// server has stopped.
	t.Cleanup(func() {
		testBlobURLs.Delete(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		st, err := blob.Open(ctx, u, t.TempDir(), os.Getenv)
		if err != nil {
			t.Errorf("emptying the test's blob prefix: %v", err)
			return
		}
		keys, err := blob.Keys(ctx, st)
		if err != nil {
			t.Errorf("emptying the test's blob prefix: %v", err)
		}
		for _, k := range keys {
			if err := st.Delete(ctx, k); err != nil {
				t.Errorf("emptying the test's blob prefix: %v", err)
			}
		}
	})
	return u
}

// blobKeys lists, sorted, the keys in the blob store the server uses:
// the files under DATA/files, or the objects under its S3 prefix. Tests
// use it to check what was stored whichever the store.
func (s *testServer) blobKeys(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := blob.Open(ctx, s.blobURL, s.Data, os.Getenv)
	if err != nil {
		t.Fatalf("opening the server's blob store: %v", err)
	}
	keys, err := blob.Keys(ctx, st)
	if err != nil {
		t.Fatalf("listing the server's blobs: %v", err)
	}
	return keys
}

// blobCount is the number of blobs the server has stored.
func (s *testServer) blobCount(t *testing.T) int {
	t.Helper()
	return len(s.blobKeys(t))
}

// withBlobURL runs the server on the given --blob-url instead of the test's.
func withBlobURL(u string) serverOption { return func(s *testServer) { s.blobURL = u } }

// An uploaded image lands in the store --blob-url names (the test's S3
// bucket in CI, else the data dir), reads back from there, and is still
// there after a restart.
func TestImagesAreStoredWhereTheBlobURLSays(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]serverOption{
		"the test's store": nil,
		"file:///ABS/PATH": {withBlobURL("file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "blobs")))},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, nil, opts...)
			xid := imgRegister(t, s, 1)
			content := imgPNG(t, 8, 8, 1)
			imgUpload(t, s, xid, "selfie", "a.png", content).expect(t, http.StatusOK)
			keys := s.blobKeys(t)
			if len(keys) != 1 || !strings.HasSuffix(keys[0], ".png") {
				t.Fatalf("stored %q, want one .png", keys)
			}
			if s.blobURL != "" {
				// Elsewhere than the data dir: nothing under DATA/files.
				filepath.WalkDir(s.Data, func(p string, d fs.DirEntry, err error) error {
					if rel, _ := filepath.Rel(s.Data, p); err == nil && !d.IsDir() && strings.HasPrefix(rel, "files") {
						t.Errorf("%s stored in the data dir", rel)
					}
					return nil
				})
			}
			s.stop()
			s2 := startServer(t, nil, append([]serverOption{withData(s.Data), withPartner(s.Partner, s.Secret)}, opts...)...)
			list := imgList(t, s2, xid)
			if len(list) != 1 {
				t.Fatalf("after a restart %d images listed", len(list))
			}
			if resp, b := imgFetch(t, s2, list[0].URL); resp.StatusCode != http.StatusOK || !bytes.Equal(b, content) {
				t.Fatalf("after a restart: %d, %d bytes", resp.StatusCode, len(b))
			}
			if n := s2.blobCount(t); n != 1 {
				t.Fatalf("%d blobs after a restart", n)
			}
		})
	}
}

// A misconfigured blob store stops serve before it listens, with a message
// that says what to fix and shows no secret.
func TestServeRefusesABadBlobURL(t *testing.T) {
	t.Parallel()
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "hunter2-secret"}
	cases := []struct{ url, want string }{
		{"ftp://files.example.com/", `unknown scheme "ftp"`},
		{"file://relative/dir", "file:///ABSOLUTE/PATH"},
		{"s3://AKIA:hunter2@bucket?endpoint=http://127.0.0.1:9", "must not carry a user or password"},
		{"s3://bucket?endpoint=http://127.0.0.1:9&timeout=2s", "s3 blob store s3://bucket at http://127.0.0.1:9 is not reachable"},
		{"s3://bucket?endpont=http://127.0.0.1:9", "endpont=...: unknown setting"},
	}
	for _, c := range cases {
		for _, how := range []string{"flag", "env"} {
			args := []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", testDatabaseURL(t)}
			getenv := func(k string) string { return env[k] }
			if how == "flag" {
				args = append(args, "--blob-url", c.url)
			} else {
				getenv = func(k string) string {
					if k == "JULO_BLOB_URL" {
						return c.url
					}
					return env[k]
				}
			}
			var logs bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := runWith(ctx, args, getenv, io.Discard, &logs, hooks{})
			cancel()
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "--blob-url") {
				t.Errorf("%s %s: %v, want it to say %q", how, c.url, err, c.want)
			}
			if strings.Contains(err.Error()+logs.String(), "hunter2") {
				t.Errorf("%s %s: a secret is shown: %v\n%s", how, c.url, err, logs.String())
			}
			if strings.Contains(logs.String(), `"listening"`) {
				t.Errorf("%s %s: the server listened", how, c.url)
			}
		}
	}
	if base := os.Getenv(testS3URLEnv); base != "" {
		// The test bucket with a wrong secret: the credentials come from
		// the program's environment first.
		getenv := func(k string) string { return map[string]string{"AWS_SECRET_ACCESS_KEY": "hunter2-wrong"}[k] }
		args := []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", testDatabaseURL(t), "--blob-url", base}
		err := runWith(context.Background(), args, getenv, io.Discard, io.Discard, hooks{})
		if err == nil || !strings.Contains(err.Error(), "access denied") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("a wrong secret: %v", err)
		}
	}
}

// testBlobEnv is what a server run as a process of its own needs in its
// environment to reach the test's blob store: the AWS_* credentials.
func testBlobEnv() []string {
	var env []string
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}
