package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testBlobStore is the conformance suite every store passes: what
// onboarding.Blobs promises, and what blob.Dir has always done. st must be
// empty.
func testBlobStore(t *testing.T, st Store) {
	ctx := context.Background()
	get := func(t *testing.T, key string) ([]byte, error) {
		t.Helper()
		r, err := st.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return io.ReadAll(r)
	}
	mustHold := func(t *testing.T, key string, want []byte) {
		t.Helper()
		got, err := get(t, key)
		if err != nil {
			t.Fatalf("Get(%s): %v", key, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Get(%s) read %d bytes %.20q, want %d bytes %.20q", key, len(got), got, len(want), want)
		}
	}
	mustBeMissing := func(t *testing.T, key string) {
		t.Helper()
		if _, err := get(t, key); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Get(%s) = %v, want an error wrapping fs.ErrNotExist", key, err)
		}
	}
	// The two kinds of body a caller may pass: seekable (bytes.Reader, as the
	// image upload does) and a plain stream.
	bodies := map[string]func([]byte) io.Reader{
		"seekable": func(b []byte) io.Reader { return bytes.NewReader(b) },
		"stream":   func(b []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(b)} },
	}

	t.Run("a stored blob reads back byte for byte, and Delete removes it", func(t *testing.T) {
		for kind, body := range bodies {
			key := "images/1234567890/" + kind + ".png"
			data := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)...)
			if err := st.Put(ctx, key, body(data), int64(len(data)), "image/png"); err != nil {
				t.Fatalf("%s: Put: %v", kind, err)
			}
			mustHold(t, key, data)
			if err := st.Delete(ctx, key); err != nil {
				t.Fatalf("%s: Delete: %v", kind, err)
			}
			mustBeMissing(t, key)
			if err := st.Delete(ctx, key); err != nil {
				t.Fatalf("%s: deleting twice: %v", kind, err)
			}
		}
	})

	t.Run("a key never stored reads as fs.ErrNotExist and deletes without error", func(t *testing.T) {
		mustBeMissing(t, "images/never/stored.jpg")
		if err := st.Delete(ctx, "images/never/stored.jpg"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("an empty blob and a large one round trip", func(t *testing.T) {
		if err := st.Put(ctx, "sizes/empty", bytes.NewReader(nil), 0, "application/octet-stream"); err != nil {
			t.Fatal(err)
		}
		mustHold(t, "sizes/empty", []byte{})
		big := make([]byte, 3<<20+7) // more than one read buffer, not a round size
		for i := range big {
			big[i] = byte(i * 7)
		}
		if err := st.Put(ctx, "sizes/big", bodies["stream"](big), int64(len(big)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		mustHold(t, "sizes/big", big)
		for _, k := range []string{"sizes/empty", "sizes/big"} {
			if err := st.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("Put replaces a blob", func(t *testing.T) {
		st.Put(ctx, "replace/a", strings.NewReader("first version"), 13, "text/plain")
		if err := st.Put(ctx, "replace/a", strings.NewReader("second"), 6, "text/plain"); err != nil {
			t.Fatal(err)
		}
		mustHold(t, "replace/a", []byte("second"))
		st.Delete(ctx, "replace/a")
	})

	t.Run("a reader shorter or longer than the size stores nothing and keeps the old blob", func(t *testing.T) {
		if err := st.Put(ctx, "wrong/kept", strings.NewReader("old"), 3, "text/plain"); err != nil {
			t.Fatal(err)
		}
		for kind, body := range bodies {
			for _, c := range []struct {
				name string
				data string
				size int64
			}{{"short", "abc", 10}, {"long", "abcdefghijkl", 10}, {"empty", "", 1}, {"not empty", "x", 0}} {
				key := "wrong/" + kind + "-" + strings.ReplaceAll(c.name, " ", "-")
				if err := st.Put(ctx, key, body([]byte(c.data)), c.size, "image/jpeg"); err == nil {
					t.Errorf("%s %s reader: Put of %d bytes promised %d succeeded", kind, c.name, len(c.data), c.size)
				}
				mustBeMissing(t, key)
				if err := st.Put(ctx, "wrong/kept", body([]byte(c.data)), c.size, "text/plain"); err == nil {
					t.Errorf("%s %s reader: Put over an existing blob succeeded", kind, c.name)
				}
				mustHold(t, "wrong/kept", []byte("old"))
			}
		}
		st.Delete(ctx, "wrong/kept")
	})

	t.Run("a reader that fails stores nothing", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader("partial"), iotestErrReader{})
		if err := st.Put(ctx, "failing/x", r, 100, "image/jpeg"); err == nil {
			t.Fatal("Put with a failing reader succeeded")
		}
		mustBeMissing(t, "failing/x")
	})

	t.Run("a canceled context stores nothing", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := st.Put(cctx, "canceled/x", strings.NewReader("abc"), 3, "text/plain"); err == nil {
			t.Fatal("Put with a canceled context succeeded")
		}
		mustBeMissing(t, "canceled/x")
	})

	t.Run("keys that could leave the store are refused", func(t *testing.T) {
		for _, k := range []string{"", "../x", "/etc/passwd", "a/../../x", "a\\b", "./a", "a//b", "a/"} {
			if err := st.Put(ctx, k, strings.NewReader("x"), 1, ""); err == nil {
				t.Errorf("Put(%q) accepted", k)
			}
			if _, err := st.Get(ctx, k); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Get(%q) = %v, want fs.ErrNotExist", k, err)
			}
			if err := st.Delete(ctx, k); err == nil {
				t.Errorf("Delete(%q) accepted", k)
			}
		}
	})

	t.Run("concurrent puts of different keys all land", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Go(func() {
				d := fmt.Sprintf("blob number %d", i)
				errs <- st.Put(ctx, fmt.Sprintf("many/%d.jpg", i), strings.NewReader(d), int64(len(d)), "image/jpeg")
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := range 8 {
			mustHold(t, fmt.Sprintf("many/%d.jpg", i), fmt.Appendf(nil, "blob number %d", i))
		}
	})

	t.Run("Rename moves a blob, replacing what is at the new key", func(t *testing.T) {
		data := []byte("\xff\xd8\xff pending bytes")
		if err := st.Put(ctx, "pending/1-a.jpg", bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		st.Put(ctx, "final/dir/a.jpg", strings.NewReader("old"), 3, "image/jpeg")
		if err := st.Rename(ctx, "pending/1-a.jpg", "final/dir/a.jpg"); err != nil {
			t.Fatal(err)
		}
		mustHold(t, "final/dir/a.jpg", data)
		mustBeMissing(t, "pending/1-a.jpg")
		// Into a folder that does not exist yet, and with characters an
		// escaped key holds.
		if err := st.Rename(ctx, "final/dir/a.jpg", "pending/2-images%2F1%2Fa b.jpg"); err != nil {
			t.Fatal(err)
		}
		mustHold(t, "pending/2-images%2F1%2Fa b.jpg", data)
		if err := st.Rename(ctx, "final/dir/a.jpg", "final/dir/b.jpg"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("renaming a missing blob: %v, want fs.ErrNotExist", err)
		}
		for _, k := range []string{"../x", "/abs", "a//b"} {
			if st.Rename(ctx, "pending/2-images%2F1%2Fa b.jpg", k) == nil || st.Rename(ctx, k, "final/x") == nil {
				t.Errorf("Rename with key %q accepted", k)
			}
		}
		st.Delete(ctx, "pending/2-images%2F1%2Fa b.jpg")
	})

	t.Run("List returns the keys under a prefix", func(t *testing.T) {
		for _, k := range []string{"list/pending/2", "list/pending/1", "list/pendingx", "list/other/1", "lis"} {
			if err := st.Put(ctx, k, strings.NewReader("x"), 1, ""); err != nil {
				t.Fatal(err)
			}
		}
		for prefix, want := range map[string][]string{
			"list/pending/": {"list/pending/1", "list/pending/2"},
			"list/pending":  {"list/pending/1", "list/pending/2", "list/pendingx"},
			"list/":         {"list/other/1", "list/pending/1", "list/pending/2", "list/pendingx"},
			"nothing/here/": nil,
			"list/none/":    nil,
		} {
			got, err := st.List(ctx, prefix)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("List(%q) = %q, %v; want %q", prefix, got, err, want)
			}
		}
		for _, k := range []string{"list/pending/2", "list/pending/1", "list/pendingx", "list/other/1", "lis"} {
			st.Delete(ctx, k)
		}
	})

	t.Run("Keys lists exactly what is stored", func(t *testing.T) {
		got, err := Keys(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := range 8 {
			want = append(want, fmt.Sprintf("many/%d.jpg", i))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Keys = %q, want %q", got, want)
		}
	})
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestDirPassesTheStoreSuite(t *testing.T) {
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testBlobStore(t, d)
}

func TestOpenFileURLs(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	abs := filepath.Join(t.TempDir(), "blobs")
	for _, c := range []struct{ url, root string }{
		{"", filepath.Join(data, "files")},
		{"file://", filepath.Join(data, "files")},
		{"file://" + filepath.ToSlash(abs), abs},
	} {
		st, err := Open(ctx, c.url, data, noEnv)
		if err != nil {
			t.Fatalf("Open(%q): %v", c.url, err)
		}
		d, ok := st.(*Dir)
		if !ok || d.root != c.root {
			t.Fatalf("Open(%q) = %#v, want a Dir at %s", c.url, st, c.root)
		}
	}
}

func noEnv(string) string { return "" }

func TestOpenRefusesBadURLsWithoutRepeatingThem(t *testing.T) {
	env := func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t-in-env"}[k]
	}
	for _, c := range []struct{ url, want string }{
		{"http://example.com/x", `unknown scheme "http"`},
		{"gs://bucket", `unknown scheme "gs"`},
		{"files://", `unknown scheme "files"`},
		{"file://relative/dir", "file:///ABSOLUTE/PATH"},
		{"file:relative", "file:///ABSOLUTE/PATH"},
		{"file:///abs?x=1", "file:///ABSOLUTE/PATH"},
		{"s3://AKIA:hunter2@bucket?endpoint=http://127.0.0.1:1", "must not carry a user or password"},
		{"s3://hunter2@bucket", "must not carry a user or password"},
		{"s3://bucket?endpoint=http://AKIA:hunter2@127.0.0.1:1", "without credentials"},
		{"s3://%zz:hunter2@x", "not a URL"},
		{"s3://", "not a bucket name"},
		{"s3://Bucket_Name", "not a bucket name"},
		{"s3://bucket/folder", "prefix=FOLDER/"},
		{"s3://bucket?endpoint=ftp://x", "endpoint: use http"},
		{"s3://bucket?endpoint=127.0.0.1:7070", "endpoint: use http"},
		{"s3://bucket?endpoint=http://x/path", "endpoint: use http"},
		{"s3://bucket?use_path_style=maybe", `use_path_style="maybe"`},
		{"s3://bucket?prefix=../up", `prefix="../up"`},
		{"s3://bucket?prefix=/abs", `prefix="/abs"`},
		{"s3://bucket?timeout=soon", `timeout="soon"`},
		{"s3://bucket?timeout=-1s", `timeout="-1s"`},
		{"s3://bucket?secret_key=hunter2", "secret_key=...: unknown setting"},
		{"s3://bucket?region=a&region=b", "given 2 times"},
	} {
		_, err := Open(context.Background(), c.url, t.TempDir(), env)
		if err == nil {
			t.Errorf("Open(%q) accepted", c.url)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q) = %q, want it to say %q", c.url, err, c.want)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Open(%q): the error shows a secret: %q", c.url, err)
		}
	}
}

func TestOpenS3NeedsCredentialsInTheEnvironment(t *testing.T) {
	for _, env := range []map[string]string{{}, {"AWS_ACCESS_KEY_ID": "AKID"}, {"AWS_SECRET_ACCESS_KEY": "x"}} {
		_, err := Open(context.Background(), "s3://bucket?endpoint=http://127.0.0.1:1", "", func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") {
			t.Errorf("env %v: %v", env, err)
		}
	}
}

func TestParseS3(t *testing.T) {
	for _, c := range []struct {
		url  string
		want S3Config
	}{
		{"s3://bucket", S3Config{Bucket: "bucket"}},
		{"s3://my.bucket-1?region=ap-southeast-3", S3Config{Bucket: "my.bucket-1", Region: "ap-southeast-3"}},
		{"s3://b12?endpoint=http://127.0.0.1:7070&region=us-east-1",
			S3Config{Bucket: "b12", Endpoint: "http://127.0.0.1:7070", Region: "us-east-1", PathStyle: true}},
		{"s3://b12?endpoint=https://s3.example.com/&use_path_style=false",
			S3Config{Bucket: "b12", Endpoint: "https://s3.example.com"}},
		{"s3://b12?use_path_style=true&prefix=test-1&timeout=5s",
			S3Config{Bucket: "b12", PathStyle: true, Prefix: "test-1/", Timeout: 5e9}},
		{"s3://b12?prefix=a/b/", S3Config{Bucket: "b12", Prefix: "a/b/"}},
	} {
		u, _ := url.Parse(c.url)
		got, err := parseS3(u)
		if err != nil || got != c.want {
			t.Errorf("parseS3(%q) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}
