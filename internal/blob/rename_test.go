package blob

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"sync"
	"testing"
)

// S3's Rename is a copy inside the bucket, naming the source as S3
// documents x-amz-copy-source (BUCKET/KEY, each key segment escaped), then
// the deletion of the source; a missing source is fs.ErrNotExist and
// deletes nothing. (The store suite runs it on a real S3 server when
// JULO_TEST_S3_URL is set.)
func TestS3RenameCopiesThenDeletes(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	endpoint := fakeS3(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Amz-Copy-Source"))
		mu.Unlock()
		switch {
		case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") == "bucket/p/pending/1-gone":
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>m</Message></Error>`)
		case r.Method == http.MethodPut:
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>`)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	st, err := Open(context.Background(), "s3://bucket?timeout=2s&prefix=p/&endpoint="+endpoint, "", fakeEnv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := st.Rename(ctx, "pending/1-images%2F1%2Fa b.png", "images/1/a b.png"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PUT /bucket/p/images/1/a b.png bucket/p/pending/1-images%252F1%252Fa%20b.png",
		"DELETE /bucket/p/pending/1-images%2F1%2Fa b.png ",
	}
	if len(calls) != 2 || calls[0] != want[0] || calls[1] != want[1] {
		t.Fatalf("calls %q, want %q", calls, want)
	}
	calls = nil
	if err := st.Rename(ctx, "pending/1-gone", "images/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing source: %v", err)
	}
	if len(calls) != 1 {
		t.Fatalf("calls after a failed copy %q", calls)
	}
}
