package blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
)

// memStore is a Store in memory, so that the benchmarks measure sealing,
// not a disk: it reuses the buffers of deleted and replaced blobs, so that
// they do not measure the allocation of a fresh 10 MiB either.
type memStore struct {
	mu    sync.Mutex
	m     map[string][]byte
	spare [][]byte
}

func (m *memStore) buffer(size int64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, b := range m.spare {
		if int64(cap(b)) > size {
			m.spare = slices.Delete(m.spare, i, i+1)
			return b[:0]
		}
	}
	return make([]byte, 0, size+1)
}

func (m *memStore) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) error {
	buf := bytes.NewBuffer(m.buffer(size))
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	b := buf.Bytes()
	if int64(len(b)) != size {
		return fmt.Errorf("read %d bytes, expected %d", len(b), size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.m[key]; ok {
		m.spare = append(m.spare, old)
	}
	m.m[key] = b
	return nil
}

func (m *memStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.m[key]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (m *memStore) Delete(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.m[key]; ok {
		m.spare = append(m.spare, old)
	}
	delete(m.m, key)
	return nil
}

func (m *memStore) Rename(ctx context.Context, from, to string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.m[from]
	if !ok {
		return fs.ErrNotExist
	}
	if old, ok := m.m[to]; ok {
		m.spare = append(m.spare, old)
	}
	m.m[to] = b
	delete(m.m, from)
	return nil
}

func (m *memStore) List(ctx context.Context, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

// The cost of sealing (Put) and opening (Get and read it all) an image of
// 1 MiB and 10 MiB (the upload limit), in memory; "plain" is the same
// without Sealed, for comparison. And a Rename between keys bound to other
// names, which rewraps the data key and copies the segments (an upload's
// promotion is bound to one name: the store's own rename, no crypto).
//
//	go test -run '^$' -bench Sealed -benchmem ./internal/blob
func BenchmarkSealed(b *testing.B) {
	ctx := context.Background()
	for _, size := range []int{1 << 20, 10 << 20} {
		data := randomBytes(size)
		name := fmt.Sprintf("%dMiB", size>>20)
		mem := &memStore{m: map[string][]byte{}}
		sealed, err := NewSealed(mem, testSealKeys(b, "k1"))
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range []struct {
			kind string
			st   Store
		}{{"plain", mem}, {"sealed", sealed}} {
			stored := func(b *testing.B) {
				mem.m = map[string][]byte{}
				if err := st.st.Put(ctx, "images/x", bytes.NewReader(data), int64(size), "image/jpeg"); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(name+"/put/"+st.kind, func(b *testing.B) {
				b.SetBytes(int64(size))
				for b.Loop() {
					if err := st.st.Put(ctx, "images/x", bytes.NewReader(data), int64(size), "image/jpeg"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/get/"+st.kind, func(b *testing.B) {
				stored(b)
				b.SetBytes(int64(size))
				for b.Loop() {
					r, err := st.st.Get(ctx, "images/x")
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.Copy(io.Discard, r)
					r.Close()
					if err != nil || n != int64(size) {
						b.Fatal(n, err)
					}
				}
			})
			b.Run(name+"/rename/"+st.kind, func(b *testing.B) {
				stored(b)
				b.SetBytes(int64(size))
				from, to := "images/x", "images/y"
				for b.Loop() {
					if err := st.st.Rename(ctx, from, to); err != nil {
						b.Fatal(err)
					}
					from, to = to, from
				}
			})
		}
	}
}
