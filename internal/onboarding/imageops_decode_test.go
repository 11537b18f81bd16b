package onboarding

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noise is an image of random pixels: its encoding has no long runs, so a
// cut or a garbled byte lands in real image data.
func noise(w, h int) *image.NRGBA {
	r := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	return m
}

func encodePNG(t *testing.T, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, m image.Image, o *jpeg.Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// garble keeps the first keep bytes of b and replaces the rest with random
// bytes that hold no 0xFF (so a JPEG's scan meets no marker, a PNG's chunk
// lengths stay put only by chance).
func garble(b []byte, keep int) []byte {
	out := bytes.Clone(b)
	r := rand.New(rand.NewPCG(1, 2))
	for i := keep; i < len(out); i++ {
		out[i] = byte(r.IntN(255))
	}
	return out
}

// randomAfter keeps the first keep bytes of b and replaces the rest with
// random bytes, 0xFF included (a JPEG then meets random markers).
func randomAfter(b []byte, keep int) []byte {
	out := bytes.Clone(b)
	r := rand.New(rand.NewPCG(3, 4))
	for i := keep; i < len(out); i++ {
		out[i] = byte(r.IntN(256))
	}
	return out
}

// pngIDATStart is the offset of the first IDAT chunk's data.
func pngIDATStart(t *testing.T, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte("IDAT"))
	if i < 0 {
		t.Fatal("no IDAT")
	}
	return i + 4
}

// jpegSOSData is the offset just after a JPEG's SOS header.
func jpegSOSData(t *testing.T, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte{0xff, 0xda})
	if i < 0 {
		t.Fatal("no SOS")
	}
	return i + 2 + int(binary.BigEndian.Uint16(b[i+2:]))
}

// withEXIFThumbnail puts an APP1 segment holding a whole small JPEG (its own
// SOI ... EOI) after the SOI of b, as cameras store thumbnails.
func withEXIFThumbnail(t *testing.T, b []byte) []byte {
	thumb := encodeJPEG(t, noise(8, 8), nil)
	seg := append([]byte("Exif\x00\x00"), thumb...)
	app1 := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, b[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// Issue 10, item 10: the whole image decodes, to its end and no further.
func TestCheckImageFileDecodesTheWholeImage(t *testing.T) {
	png1 := encodePNG(t, noise(40, 30))
	jpg := encodeJPEG(t, noise(40, 30), &jpeg.Options{Quality: 90})
	gray16 := image.NewGray16(image.Rect(0, 0, 9, 9))
	gray16.Set(1, 1, color.Gray16{Y: 40000})
	progressive := testdata(t, "video-001.lossy.webp") // lossy VP8
	rose := testdata(t, "yellow_rose.lossy-with-alpha.webp")
	lossless := testdata(t, "gopher-doc.1bpp.lossless.webp")
	html := []byte("<html><script>alert(document.cookie)</script></html>")
	iend := bytes.Index(png1, []byte("IEND")) - 4
	for _, tc := range []struct {
		name string
		b    []byte
		msg  i18n.Msg // "" when accepted
		args []any
	}{
		{"png", png1, "", nil},
		{"16-bit png", encodePNG(t, gray16), "", nil},
		{"jpeg", jpg, "", nil},
		{"jpeg with an EXIF thumbnail", withEXIFThumbnail(t, jpg), "", nil},
		{"jpeg with fill bytes before EOI", append(jpg[:len(jpg)-2:len(jpg)-2], 0xff, 0xff, 0xff, 0xd9), "", nil},
		{"webp lossy", progressive, "", nil},
		{"webp extended with alpha", rose, "", nil},

		{"png with html after IEND", append(bytes.Clone(png1), html...), i18n.ImageFileTrailingData, []any{"PNG", int64(len(html))}},
		{"png with a chunk after IEND", append(bytes.Clone(png1), pngChunk("tEXt", []byte("k\x00v"))...), i18n.ImageFileTrailingData, []any{"PNG", int64(15)}},
		{"png with one byte after IEND", append(bytes.Clone(png1), 0), i18n.ImageFileTrailingData, []any{"PNG", int64(1)}},
		{"jpeg with html after EOI", append(bytes.Clone(jpg), html...), i18n.ImageFileTrailingData, []any{"JPEG", int64(len(html))}},
		{"thumbnailed jpeg with html after EOI", append(withEXIFThumbnail(t, jpg), html...), i18n.ImageFileTrailingData, []any{"JPEG", int64(len(html))}},
		{"webp with html after its RIFF size", append(bytes.Clone(rose), html...), i18n.ImageFileTrailingData, []any{"WebP", int64(len(html))}},

		{"png cut in its image data", png1[:len(png1)/2], i18n.ImageFileTruncated, []any{"PNG"}},
		{"png without IEND", png1[:iend], i18n.ImageFileTruncated, []any{"PNG"}},
		{"jpeg cut in its scan", jpg[:len(jpg)*2/3], i18n.ImageFileTruncated, []any{"JPEG"}},
		{"jpeg without EOI", jpg[:len(jpg)-2], i18n.ImageFileTruncated, []any{"JPEG"}},
		{"webp cut", rose[:len(rose)-100], i18n.ImageFileTruncated, []any{"WebP"}},
		{"webp lossy cut", progressive[:len(progressive)/2], i18n.ImageFileTruncated, []any{"WebP"}},

		{"png header then garbage", garble(png1, pngIDATStart(t, png1)), i18n.ImageFileUndecodable, []any{"PNG"}},
		{"png with a bad CRC", func() []byte { b := bytes.Clone(png1); b[iend-1] ^= 1; return b }(), i18n.ImageFileUndecodable, []any{"PNG"}},
		{"jpeg header then garbage", garble(jpg, jpegSOSData(t, jpg)), i18n.ImageFileTruncated, []any{"JPEG"}},
		{"jpeg header then random bytes", randomAfter(jpg, jpegSOSData(t, jpg)), i18n.ImageFileUndecodable, []any{"JPEG"}},
		{"jpeg with a broken table", func() []byte { b := bytes.Clone(jpg); b[bytes.Index(b, []byte{0xff, 0xc4})+4] = 0xee; return b }(), i18n.ImageFileUndecodable, []any{"JPEG"}},
		{"webp header then garbage", garble(lossless, 30), i18n.ImageFileUndecodable, []any{"WebP"}},
	} {
		var ps julo.Problems
		_, ok, err := checkImageFile(context.Background(), &ps, "upload", NewImageFile(tc.b))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.msg == "" {
			if !ok || len(ps) != 0 {
				t.Errorf("%s: refused: %v", tc.name, ps)
			}
			continue
		}
		if ok || len(ps) != 1 || ps[0].Field != "upload" || ps[0].Msg != tc.msg || fmtArgs(ps[0].Args) != fmtArgs(tc.args) {
			t.Errorf("%s: ok %v, problems %v, want %s %v", tc.name, ok, ps, tc.msg, tc.args)
		}
	}
}

func fmtArgs(a []any) string { return i18n.T(i18n.EN, i18n.ImageFileTrailingData, append(a, 0, 0)...) }

// The pixel bound is applied before the decode: a header claiming too many
// pixels is refused without the gate being asked for memory (here, with
// the whole budget held, a decode would wait).
func TestCheckImageFileRefusesABombBeforeDecoding(t *testing.T) {
	release, err := decodeMemory.acquire(context.Background(), decodeBudgetMiB)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var ps julo.Problems
	if _, ok, err := checkImageFile(context.Background(), &ps, "upload", NewImageFile(pngHeader(100_000, 100_000))); ok || err != nil || len(ps) != 1 || ps[0].Msg != i18n.ImageFileTooManyPix {
		t.Fatalf("bomb: ok %v, %v, %v", ok, ps, err)
	}
	// An image within the bound waits for memory, and gives up with ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ps = nil
	if _, ok, err := checkImageFile(ctx, &ps, "upload", NewImageFile(testPNG(t, 4, 4))); ok || err != context.DeadlineExceeded {
		t.Fatalf("with no memory left: ok %v, %v", ok, err)
	}
}

// The gate never lets more than its budget be held, and large and small
// acquirers all get through.
func TestMemGateBoundsWhatIsHeld(t *testing.T) {
	g := newMemGate(10)
	held := make(chan int, 100)
	done := make(chan struct{})
	for _, n := range []int{7, 3, 10, 1, 6, 25, 4, 9} {
		go func() {
			release, err := g.acquire(context.Background(), n)
			if err != nil {
				t.Error(err)
			}
			held <- len(g.tokens)
			release()
			done <- struct{}{}
		}()
	}
	for range 8 {
		<-done
	}
	close(held)
	for h := range held {
		if h > 10 {
			t.Fatalf("%d MiB held", h)
		}
	}
	if len(g.tokens) != 0 {
		t.Fatalf("%d tokens left", len(g.tokens))
	}
}
