// Package blob stores files (images) behind one interface: on local disk by
// default, in S3-compatible storage in production.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Dir stores each blob as a file under a root directory. Writes go to a temp
// file that is synced and renamed into place, and the directory is synced, so
// a blob is complete and durable once Put returns, or absent.
type Dir struct {
	root string
}

// NewDir returns a store rooted at dir, creating it.
func NewDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Dir{root: dir}, nil
}

// checkKey is the one rule for keys of every store: a clean relative
// slash-separated path ("images/123/abc.jpg"), so no key can leave a Dir's
// root or name "." (no file).
func checkKey(key string) error {
	if key == "" || key == "." || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") || !fs.ValidPath(key) {
		return fmt.Errorf("blob key %q is not a clean relative path", key)
	}
	return nil
}

// path maps a key to a file under the root.
func (d *Dir) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes the blob; size is the number of bytes r must yield.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	n, err := io.Copy(f, r)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("blob %s: wrote %d bytes, expected %d", key, n, size)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), p); err != nil {
		return err
	}
	return syncDir(dir)
}

// Get opens the blob; a missing key gives an error wrapping fs.ErrNotExist.
func (d *Dir) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", fs.ErrNotExist, err)
	}
	return os.Open(p)
}

// Delete removes the blob; deleting a missing blob is not an error.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Rename moves the blob at from to the key to, replacing a blob there: one
// rename of the file, so the blob is at one key or the other, never both
// or neither. A missing from gives an error wrapping fs.ErrNotExist.
func (d *Dir) Rename(ctx context.Context, from, to string) error {
	src, err := d.path(from)
	if err != nil {
		return err
	}
	dst, err := d.path(to)
	if err != nil {
		return err
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob %s: %w", from, fs.ErrNotExist)
		}
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	if sd := filepath.Dir(src); sd != dir {
		return syncDir(sd)
	}
	return nil
}

// List returns, sorted, the keys that start with prefix (a Put still
// writing its temp file is not listed).
func (d *Dir) List(ctx context.Context, prefix string) ([]string, error) {
	// Only the folder the prefix names (up to its last slash) can hold them.
	start := d.root
	if i := strings.LastIndex(prefix, "/"); i > 0 {
		var err error
		if start, err = d.path(prefix[:i]); err != nil {
			return nil, err
		}
	}
	var out []string
	err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == start {
			return fs.SkipAll // nothing stored under the prefix yet
		}
		if err != nil {
			return err
		}
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".put-") {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			out = append(out, key)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
