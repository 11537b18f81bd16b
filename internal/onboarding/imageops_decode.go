package onboarding

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// An upload whose header is sound is decoded in full before it is accepted
// (issue 10, item 10): a valid header followed by garbage, a truncated file,
// or an image with something appended after its end (a PNG with HTML after
// IEND: a polyglot a browser could be talked into running) is refused. The
// pixel bound is checked from the header first (checkImageFile), so a
// decode never allocates more than MaxImagePixels pixels, and decodeMemory
// bounds the memory of the decodes that run at once.

// decodeBudgetMiB is how much memory the decoded images of concurrent
// uploads may hold together: more than the largest image allowed
// (MaxImagePixels at 8 bytes a pixel, a 16-bit RGBA PNG, is 382 MiB), so
// every allowed image decodes, and small ones decode side by side.
const decodeBudgetMiB = 512

var decodeMemory = newMemGate(decodeBudgetMiB)

// memGate is a weighted semaphore of MiB tokens. One acquirer at a time
// takes its tokens, so two large decodes cannot each hold part of the
// budget and wait for the rest forever.
type memGate struct {
	turn   chan struct{}
	tokens chan struct{}
}

func newMemGate(mib int) *memGate {
	return &memGate{turn: make(chan struct{}, 1), tokens: make(chan struct{}, mib)}
}

// acquire takes n MiB (at most the whole budget) and returns their release,
// or ctx's error if ctx ends first.
func (g *memGate) acquire(ctx context.Context, n int) (func(), error) {
	n = max(1, min(n, cap(g.tokens)))
	select {
	case g.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-g.turn }()
	for i := 0; i < n; i++ {
		select {
		case g.tokens <- struct{}{}:
		case <-ctx.Done():
			for ; i > 0; i-- {
				<-g.tokens
			}
			return nil, ctx.Err()
		}
	}
	return func() {
		for i := 0; i < n; i++ {
			<-g.tokens
		}
	}, nil
}

// bytesPerPixel is what the decoder of a color model allocates per pixel
// (at most).
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, paletted := m.(color.Palette); paletted {
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK, YCbCr (3 planes, at most 4:4:4), NYCbCrA
}

// decoders decode a whole image; end returns where a decoded image ends in
// the file, from the number of bytes the decoder consumed (exact for PNG,
// an upper bound for JPEG, whose decoder reads ahead).
var decoders = map[string]struct {
	decode func(io.Reader) (image.Image, error)
	end    func(f *ImageFile, consumed int64) (int64, error)
}{
	"JPEG": {jpeg.Decode, func(f *ImageFile, _ int64) (int64, error) { return jpegEnd(f.reader()) }},
	"PNG":  {png.Decode, func(_ *ImageFile, consumed int64) (int64, error) { return consumed, nil }},
	"WebP": {webp.Decode, func(f *ImageFile, _ int64) (int64, error) { return riffEnd(f) }},
}

// checkDecodes decodes the whole file (of format f, whose header said cfg)
// and adds the field's problem when it does not decode, is cut short, or
// holds bytes after the image. err is a failure to read the file or ctx's
// end, not the caller's fault.
func checkDecodes(ctx context.Context, ps *julo.Problems, field string, file *ImageFile, f imageFormat, cfg image.Config) (ok bool, err error) {
	d := decoders[f.name]
	mib := int((int64(cfg.Width)*int64(cfg.Height)*int64(bytesPerPixel(cfg.ColorModel)) + 1<<20 - 1) >> 20)
	release, err := decodeMemory.acquire(ctx, mib)
	if err != nil {
		return false, err
	}
	defer release()
	r := &ReadErr{R: file.reader()}
	counted := &countingReader{r: r}
	br := bufio.NewReaderSize(counted, 32<<10)
	_, derr := d.decode(br)
	if r.Err != nil {
		return false, fmt.Errorf("reading the upload: %w", r.Err)
	}
	switch {
	case ranOut(derr):
		ps.Add(field, i18n.ImageFileTruncated, f.name)
		return false, nil
	case derr != nil:
		ps.Add(field, i18n.ImageFileUndecodable, f.name)
		return false, nil
	}
	end, err := d.end(file, counted.n-int64(br.Buffered()))
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		ps.Add(field, i18n.ImageFileTruncated, f.name)
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reading the upload: %w", err)
	case end < file.Size:
		ps.Add(field, i18n.ImageFileTrailingData, f.name, file.Size-end)
		return false, nil
	}
	return true, nil
}

// ranOut reports whether a decoder failed for want of bytes: the file ends
// before its image data does. The decoders say so with io.ErrUnexpectedEOF,
// or with errors of their own for data that stops short.
func ranOut(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		err == png.FormatError("not enough pixel data") || err == jpeg.FormatError("short Huffman data")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// jpegEnd returns the offset just after the End Of Image marker of a JPEG
// that decoded, walking its markers as the decoder does: segments are
// skipped by their length (so an EXIF thumbnail's own EOI is not taken for
// the image's), and entropy-coded data after SOS runs to the next marker
// that is neither stuffing (FF 00) nor a restart (FF D0-D7).
func jpegEnd(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 32<<10)
	var pos int64
	next := func() (byte, error) {
		b, err := br.ReadByte()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		pos++
		return b, err
	}
	skip := func(n int64) error {
		m, err := br.Discard(int(n))
		pos += int64(m)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if err := skip(2); err != nil { // SOI
		return 0, err
	}
	for {
		b, err := next()
		if err != nil {
			return 0, err
		}
		if b != 0xff {
			continue // entropy-coded data, or extraneous bytes the decoder ignores
		}
		m, err := next()
		for err == nil && m == 0xff { // fill bytes
			m, err = next()
		}
		if err != nil {
			return 0, err
		}
		switch {
		case m == 0x00 || 0xd0 <= m && m <= 0xd7: // stuffing, restart
			continue
		case m == 0xd9: // EOI
			return pos, nil
		}
		var l [2]byte
		if l[0], err = next(); err == nil {
			l[1], err = next()
		}
		if err != nil {
			return 0, err
		}
		n := int64(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return 0, errors.New("jpeg: short segment length")
		}
		// After SOS's header the entropy-coded data is read byte by byte above.
		if err := skip(n); err != nil {
			return 0, err
		}
	}
}

// riffEnd returns where a WebP file's RIFF container ends by its header
// (io.ErrUnexpectedEOF if the file is shorter): 8 bytes of header and the
// size it states, and the pad byte RIFF puts after a chunk of odd size.
func riffEnd(f *ImageFile) (int64, error) {
	var h [8]byte
	if _, err := f.Content.ReadAt(h[:], 0); err != nil {
		return 0, err
	}
	end := 8 + int64(binary.LittleEndian.Uint32(h[4:]))
	if end%2 == 1 && f.Size == end+1 {
		end++
	}
	if f.Size < end {
		return 0, io.ErrUnexpectedEOF
	}
	return end, nil
}
