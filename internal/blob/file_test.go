package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirStoresReadsAndDeletes(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("\x89PNG fake")
	if err := d.Put(ctx, "images/1234567890/a.png", bytes.NewReader(data), int64(len(data)), "image/png"); err != nil {
		t.Fatal(err)
	}
	r, err := d.Get(ctx, "images/1234567890/a.png")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("read %q", got)
	}
	if err := d.Delete(ctx, "images/1234567890/a.png"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "images/1234567890/a.png"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after delete: %v", err)
	}
	if err := d.Delete(ctx, "images/1234567890/a.png"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestDirLeavesNothingWhenAWriteFails(t *testing.T) {
	root := t.TempDir()
	d, _ := NewDir(root)
	// The reader yields fewer bytes than promised: nothing may be stored.
	err := d.Put(context.Background(), "images/x/short.jpg", strings.NewReader("abc"), 10, "image/jpeg")
	if err == nil {
		t.Fatal("a short write was accepted")
	}
	entries, _ := os.ReadDir(filepath.Join(root, "images", "x"))
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestDirRefusesKeysOutsideTheRoot(t *testing.T) {
	d, _ := NewDir(t.TempDir())
	for _, k := range []string{"", "../x", "/etc/passwd", "a/../../x", "a\\b", "./a"} {
		if err := d.Put(context.Background(), k, strings.NewReader("x"), 1, ""); err == nil {
			t.Errorf("key %q accepted", k)
		}
		if _, err := d.Get(context.Background(), k); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Get(%q): %v", k, err)
		}
	}
}
