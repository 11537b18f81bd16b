package blob

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
)

// Sealed is a Store that encrypts every blob before it reaches the store it
// wraps (issue 10, item 2), so that a leaked bucket or data dir holds no
// readable image. It is envelope encryption: each blob gets a fresh random
// 32-byte data key, which encrypts the blob with AES-256-GCM, and the data
// key is itself sealed (wrapped) by the current key of the keyring's data
// set and stored, with that key's id, in a small header at the start of the
// object. Reads open it again with whichever data-set key the header names.
//
// The object format, version 1:
//
//	"JULOSEAL"        8 bytes, the magic (SealMagic)
//	0x01              the version
//	n, id             the wrapping key's id: 1 length byte, n bytes
//	wrap nonce        12 bytes, random
//	wrapped data key  48 bytes: AES-256-GCM(wrapping key, data key),
//	                  authenticated data = magic, version, n, id, stream prefix,
//	                  the name the blob is bound to (its key; see Bind)
//	stream prefix     7 bytes, random
//	segments          the blob in segments of 64 KiB (the last one shorter,
//	                  or empty for an empty blob), each AES-256-GCM(data key)
//	                  with its own 16-byte tag and the nonce
//	                  prefix || segment index (4 bytes, big-endian) || last (1 byte: 1 on the last segment, else 0)
//
// What it guarantees:
//   - tampering with any byte is an error (GCM's tags), and so is a
//     truncated or extended object (the last segment is sealed as last, so
//     cutting at a segment boundary leaves a non-last segment at the end,
//     which does not open as last);
//   - an object copied or moved to another key in the store does not open
//     there: the wrapped data key is bound to its blob key, and the segments
//     to their data key, which no other object shares;
//   - streaming: Put seals as it reads and Get opens as it reads, one
//     segment at a time, so neither holds a whole image in memory. Get opens
//     the header and the first segment before it returns, so a blob that
//     does not open at all (wrong key, moved, tampered at the start) fails
//     Get, before any byte is served; damage further on fails the Read
//     that reaches it.
//
// Rename must keep a blob readable at its new key, and the wrapped data key
// is bound to a name. By default that name is the blob's key; Bind may map
// several keys to one name, as cmd/julo maps an upload's pending name to
// the key it is promoted to (onboarding's images_pending.go). A Rename
// between two keys bound to the same name is the wrapped store's Rename
// (one rename(2) on a Dir, a copy inside the bucket on S3). Any other
// Rename opens the data key for the old name, wraps it again for the new
// one (with the current wrapping key) and writes the new header followed by
// the segments as they are (no re-encryption of the content), then deletes
// the old object: the blob is at one key or both at every moment, never at
// neither.
//
// Objects stored before Sealed (no magic at their start) are read as they
// are unless RefusePlaintext is set; SealStored seals them in place.
type Sealed struct {
	inner   Store
	current string
	keks    map[string]cipher.AEAD
	rand    io.Reader
	// Bind is the name the seal of the blob at a key is bound to (nil: the
	// key itself). Keys bound to one name can hold each other's objects, so
	// only keys of the same blob (a pending name and its final key) may
	// share one.
	Bind func(key string) string
	// RefusePlaintext makes a blob without the seal's header an error
	// instead of being served as it is stored: set it once SealStored has
	// sealed everything, so that a blob planted in the store unencrypted
	// cannot be served either.
	RefusePlaintext bool
}

// SealKeys are the wrapping keys (the keyring's data set): every key by id,
// each exactly 32 bytes, and the id of the one that wraps new data keys.
type SealKeys struct {
	Current string
	Keys    map[string][]byte
}

// SealMagic starts every sealed object.
const SealMagic = "JULOSEAL"

const (
	sealVersion   = 1
	sealSegment   = 64 << 10
	sealTag       = 16
	sealPrefixLen = 7
	sealNonceLen  = 12
	dataKeyLen    = 32
	wrappedLen    = dataKeyLen + sealTag
)

// ErrSealBroken is wrapped by every error of a sealed blob that does not
// open: damaged, truncated, moved from another key, or wrapped by a key the
// keyring does not hold.
var ErrSealBroken = errors.New("sealed blob does not open")

// NewSealed wraps inner; keys must hold the current key, each key 32 bytes
// and each id 1 to 255 bytes.
func NewSealed(inner Store, keys SealKeys) (*Sealed, error) {
	s := &Sealed{inner: inner, current: keys.Current, keks: map[string]cipher.AEAD{}, rand: rand.Reader}
	for id, k := range keys.Keys {
		if len(id) == 0 || len(id) > 255 {
			return nil, fmt.Errorf("blob seal: key id %q: use 1 to 255 bytes", id)
		}
		if len(k) != dataKeyLen {
			return nil, fmt.Errorf("blob seal: key %q is %d bytes, want %d", id, len(k), dataKeyLen)
		}
		a, err := newGCM(k)
		if err != nil {
			return nil, err
		}
		s.keks[id] = a
	}
	if _, ok := s.keks[keys.Current]; !ok {
		return nil, fmt.Errorf("blob seal: the current key %q is not among the keys", keys.Current)
	}
	return s, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// Inner is the store Sealed writes to.
func (s *Sealed) Inner() Store { return s.inner }

// header is a sealed object's header, parsed.
type header struct {
	keyID     string
	wrapNonce [sealNonceLen]byte
	wrapped   [wrappedLen]byte
	prefix    [sealPrefixLen]byte
}

func (h *header) marshal() []byte {
	b := make([]byte, 0, h.size())
	b = append(b, SealMagic...)
	b = append(b, sealVersion, byte(len(h.keyID)))
	b = append(b, h.keyID...)
	b = append(b, h.wrapNonce[:]...)
	b = append(b, h.wrapped[:]...)
	return append(b, h.prefix[:]...)
}

func (h *header) size() int {
	return len(SealMagic) + 2 + len(h.keyID) + sealNonceLen + wrappedLen + sealPrefixLen
}

// bound is the name the seal of the blob at key is bound to.
func (s *Sealed) bound(key string) string {
	if s.Bind == nil {
		return key
	}
	return s.Bind(key)
}

// envelopeAAD is what the wrapped data key is bound to: the header's fixed
// fields and the blob's bound name.
func envelopeAAD(h *header, name string) []byte {
	b := make([]byte, 0, 64+len(name))
	b = append(b, SealMagic...)
	b = append(b, sealVersion, byte(len(h.keyID)))
	b = append(b, h.keyID...)
	b = append(b, h.prefix[:]...)
	return append(b, name...)
}

// wrap makes the header that holds dk for the blob at key, wrapped by the
// current key.
func (s *Sealed) wrap(key string, dk []byte, prefix [sealPrefixLen]byte) (*header, error) {
	h := &header{keyID: s.current, prefix: prefix}
	if _, err := io.ReadFull(s.rand, h.wrapNonce[:]); err != nil {
		return nil, err
	}
	s.keks[s.current].Seal(h.wrapped[:0], h.wrapNonce[:], dk, envelopeAAD(h, s.bound(key)))
	return h, nil
}

// unwrap opens the data key of the blob at key.
func (s *Sealed) unwrap(key string, h *header) ([]byte, error) {
	kek, ok := s.keks[h.keyID]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w: its data key is wrapped by key %q, which the key file's data set does not hold", key, ErrSealBroken, h.keyID)
	}
	dk, err := kek.Open(nil, h.wrapNonce[:], h.wrapped[:], envelopeAAD(h, s.bound(key)))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w: its header does not open (damaged, or the object was moved here from another key)", key, ErrSealBroken)
	}
	return dk, nil
}

// sealedSize is the stored size of a blob of size bytes.
func sealedSize(h *header, size int64) int64 {
	return int64(h.size()) + size + segments(size)*sealTag
}

func segments(size int64) int64 { return max(1, (size+sealSegment-1)/sealSegment) }

func segmentNonce(prefix [sealPrefixLen]byte, i uint32, last bool) []byte {
	n := make([]byte, sealNonceLen)
	copy(n, prefix[:])
	binary.BigEndian.PutUint32(n[sealPrefixLen:], i)
	if last {
		n[sealNonceLen-1] = 1
	}
	return n
}

// Put seals r's size bytes under a new data key and stores them. The
// stored object's content type is application/octet-stream: what it holds
// is no longer an image anyone can open.
func (s *Sealed) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blob %s: negative size %d", key, size)
	}
	if segments(size) > math.MaxUint32 {
		return fmt.Errorf("blob %s: %d bytes is too large to seal", key, size)
	}
	dk := make([]byte, dataKeyLen)
	var prefix [sealPrefixLen]byte
	if _, err := io.ReadFull(s.rand, dk); err != nil {
		return err
	}
	if _, err := io.ReadFull(s.rand, prefix[:]); err != nil {
		return err
	}
	h, err := s.wrap(key, dk, prefix)
	if err != nil {
		return err
	}
	aead, err := newGCM(dk)
	if err != nil {
		return err
	}
	body := io.MultiReader(bytes.NewReader(h.marshal()), &sealReader{aead: aead, prefix: prefix, src: r, size: size, left: size})
	return s.inner.Put(ctx, key, body, sealedSize(h, size), "application/octet-stream")
}

// sealReader yields the sealed segments of src's size bytes, and fails if
// src holds fewer or more.
type sealReader struct {
	aead       cipher.AEAD
	prefix     [sealPrefixLen]byte
	src        io.Reader
	size, left int64
	idx        uint32
	buf, out   []byte
	done       bool
	err        error
}

func (s *sealReader) Read(p []byte) (int, error) {
	for len(s.out) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		if s.done {
			return 0, io.EOF
		}
		s.fill()
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

func (s *sealReader) fill() {
	if s.buf == nil {
		s.buf = make([]byte, min(s.size, sealSegment)+sealTag)
	}
	n := min(s.left, sealSegment)
	if _, err := io.ReadFull(s.src, s.buf[:n]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("the reader holds fewer bytes than the size, %d", s.size)
		}
		s.err = err
		return
	}
	s.left -= int64(n)
	last := s.left == 0
	if last {
		var one [1]byte
		if m, err := io.ReadFull(s.src, one[:]); m > 0 {
			s.err = fmt.Errorf("the reader holds more bytes than the size, %d", s.size)
			return
		} else if !errors.Is(err, io.EOF) {
			s.err = err
			return
		}
		s.done = true
	}
	s.out = s.aead.Seal(s.buf[:0], segmentNonce(s.prefix, s.idx, last), s.buf[:n], nil)
	s.idx++
}

// Get opens the blob at key: a sealed one is opened as it is read (see
// Sealed), one stored before sealing is read as it is (unless
// RefusePlaintext). A missing key gives an error wrapping fs.ErrNotExist.
func (s *Sealed) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := s.inner.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(rc, sealSegment+sealTag+1)
	h, err := readHeader(br, key)
	if err != nil {
		rc.Close()
		return nil, err
	}
	if h == nil {
		if s.RefusePlaintext {
			rc.Close()
			return nil, fmt.Errorf("blob %s: %w: it is not sealed, and this store refuses unsealed blobs", key, ErrSealBroken)
		}
		return struct {
			io.Reader
			io.Closer
		}{br, rc}, nil
	}
	o, err := s.opener(key, h, br, rc)
	if err != nil {
		rc.Close()
		return nil, err
	}
	// The first segment now: a blob that does not open fails here.
	if err := o.next(); err != nil {
		rc.Close()
		return nil, err
	}
	return o, nil
}

func (s *Sealed) opener(key string, h *header, br *bufio.Reader, rc io.Closer) (*openReader, error) {
	dk, err := s.unwrap(key, h)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(dk)
	if err != nil {
		return nil, err
	}
	return &openReader{key: key, aead: aead, prefix: h.prefix, br: br, rc: rc, buf: make([]byte, 0, sealSegment)}, nil
}

// readHeader reads a sealed object's header from br; nil (and no error)
// when the object does not start with the magic, having read nothing.
func readHeader(br *bufio.Reader, key string) (*header, error) {
	start, err := br.Peek(len(SealMagic) + 1)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("blob %s: %w", key, err)
	}
	if len(start) < len(SealMagic) || string(start[:len(SealMagic)]) != SealMagic {
		return nil, nil
	}
	broken := func(what string) error {
		return fmt.Errorf("blob %s: %w: %s", key, ErrSealBroken, what)
	}
	if len(start) <= len(SealMagic) {
		return nil, broken("its header is cut short")
	}
	if v := start[len(SealMagic)]; v != sealVersion {
		return nil, broken(fmt.Sprintf("it is sealed in format version %d, which this version does not know", v))
	}
	br.Discard(len(SealMagic) + 1)
	var h header
	n, err := br.ReadByte()
	if err != nil || n == 0 {
		return nil, broken("its header is cut short or damaged")
	}
	id := make([]byte, n)
	for _, part := range [][]byte{id, h.wrapNonce[:], h.wrapped[:], h.prefix[:]} {
		if _, err := io.ReadFull(br, part); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, broken("its header is cut short")
			}
			return nil, fmt.Errorf("blob %s: %w", key, err)
		}
	}
	h.keyID = string(id)
	return &h, nil
}

// openReader yields the opened segments of a sealed object.
type openReader struct {
	key    string
	aead   cipher.AEAD
	prefix [sealPrefixLen]byte
	br     *bufio.Reader
	rc     io.Closer
	idx    uint32
	buf    []byte
	out    []byte
	done   bool
	err    error
}

// next opens the next segment into out. A segment is the last one when
// nothing follows it.
func (o *openReader) next() error {
	if o.err != nil {
		return o.err
	}
	peek, err := o.br.Peek(sealSegment + sealTag + 1)
	if err != nil && !errors.Is(err, io.EOF) {
		o.err = fmt.Errorf("blob %s: %w", o.key, err)
		return o.err
	}
	last := len(peek) <= sealSegment+sealTag
	n := min(len(peek), sealSegment+sealTag)
	if n < sealTag {
		o.err = fmt.Errorf("blob %s: %w: it is cut short", o.key, ErrSealBroken)
		return o.err
	}
	pt, err := o.aead.Open(o.buf[:0], segmentNonce(o.prefix, o.idx, last), peek[:n], nil)
	if err != nil {
		o.err = fmt.Errorf("blob %s: %w: segment %d is damaged, or the object is cut short or extended", o.key, ErrSealBroken, o.idx)
		return o.err
	}
	o.br.Discard(n)
	o.idx++
	o.out, o.done = pt, last
	return nil
}

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.out) == 0 {
		if o.done {
			return 0, io.EOF
		}
		if err := o.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, o.out)
	o.out = o.out[n:]
	return n, nil
}

func (o *openReader) Close() error { return o.rc.Close() }

// Delete removes the blob; deleting a missing blob is not an error.
func (s *Sealed) Delete(ctx context.Context, key string) error { return s.inner.Delete(ctx, key) }

// List returns, sorted, the keys that start with prefix.
func (s *Sealed) List(ctx context.Context, prefix string) ([]string, error) {
	return s.inner.List(ctx, prefix)
}

// Rename moves the blob at from to to. Between keys bound to the same name
// it is the wrapped store's Rename; otherwise (see Sealed) a sealed blob
// gets its data key wrapped again for to, its segments kept byte for byte,
// and an unsealed one is sealed on the way. A missing from gives an error
// wrapping fs.ErrNotExist.
func (s *Sealed) Rename(ctx context.Context, from, to string) error {
	if err := checkKey(from); err != nil {
		return err
	}
	if err := checkKey(to); err != nil {
		return err
	}
	if from == to {
		rc, err := s.inner.Get(ctx, from)
		if err != nil {
			return err
		}
		return rc.Close()
	}
	if s.bound(from) == s.bound(to) {
		return s.inner.Rename(ctx, from, to)
	}
	if _, err := s.rewrite(ctx, from, to, false); err != nil {
		return err
	}
	return s.inner.Delete(ctx, from)
}

// rewrite reads the object at from and stores it at to: sealed again (an
// unsealed one), or with its data key wrapped again for to by the current
// key. With onlyIfNeeded, an object already sealed at to (from == to) by
// the current key is left as it is. It returns what it did: "sealed",
// "rewrapped" or "" (nothing).
func (s *Sealed) rewrite(ctx context.Context, from, to string, onlyIfNeeded bool) (string, error) {
	rc, err := s.inner.Get(ctx, from)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, sealSegment+sealTag+1)
	h, err := readHeader(br, from)
	if err != nil {
		return "", err
	}
	if h == nil {
		// Images are bounded (the upload limit): held whole, as the
		// store needs the size before it writes.
		b, err := io.ReadAll(br)
		if err != nil {
			return "", fmt.Errorf("blob %s: %w", from, err)
		}
		return "sealed", s.Put(ctx, to, bytes.NewReader(b), int64(len(b)), "")
	}
	if onlyIfNeeded && h.keyID == s.current {
		return "", nil
	}
	dk, err := s.unwrap(from, h)
	if err != nil {
		return "", err
	}
	nh, err := s.wrap(to, dk, h.prefix)
	if err != nil {
		return "", err
	}
	hb := nh.marshal()
	// The segments are copied as they are: streamed when the stored
	// object's size is known (a Dir's file), else held whole.
	if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if info, err := st.Stat(); err == nil && info.Mode().IsRegular() {
			rest := info.Size() - int64(h.size())
			body := io.MultiReader(bytes.NewReader(hb), br)
			return "rewrapped", s.inner.Put(ctx, to, body, int64(len(hb))+rest, "application/octet-stream")
		}
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		return "", fmt.Errorf("blob %s: %w", from, err)
	}
	body := io.MultiReader(bytes.NewReader(hb), bytes.NewReader(rest))
	return "rewrapped", s.inner.Put(ctx, to, body, int64(len(hb)+len(rest)), "application/octet-stream")
}

var _ Store = (*Sealed)(nil)
