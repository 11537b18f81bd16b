package onboarding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG that is only a signature, an IHDR claiming w x h and
// IEND, with valid CRCs.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

// riff wraps WebP chunks in the RIFF container.
func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

func webpChunk(fourcc string, data []byte) []byte {
	out := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// webpLossless is the header of a lossless WebP of w x h pixels.
func webpLossless(w, h uint32) []byte {
	bits := (w - 1) | (h-1)<<14
	data := append([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, bits)...)
	return riff(webpChunk("VP8L", data))
}

// webpExtended is an extended WebP whose VP8X canvas is w x h pixels.
func webpExtended(w, h uint32) []byte {
	data := make([]byte, 10)
	data[4], data[5], data[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	data[7], data[8], data[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	return riff(webpChunk("VP8X", data))
}

func TestSniffImageGoesByTheBytesOnly(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want string // "" when not an image
	}{
		{"jpeg", testJPEG(t, 4, 4), "image/jpeg"},
		{"png", testPNG(t, 4, 4), "image/png"},
		{"webp lossless", webpLossless(4, 4), "image/webp"},
		{"webp extended", webpExtended(4, 4), "image/webp"},
		{"empty", nil, ""},
		{"text", []byte("hello, this is a .jpg"), ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), ""},
		{"half a jpeg marker", []byte("\xff\xd8"), ""},
		{"png signature cut", []byte("\x89PNG\r\n"), ""},
		{"riff but not webp", []byte("RIFF\x04\x00\x00\x00WAVE"), ""},
		{"png after a prefix", append([]byte(" "), testPNG(t, 4, 4)...), ""},
	} {
		f, ok := sniffImage(tc.b)
		if ok != (tc.want != "") || f.contentType != tc.want {
			t.Errorf("%s: sniffed %q (%v), want %q", tc.name, f.contentType, ok, tc.want)
		}
	}
}

func TestCheckImageFileBoundsPixelsFromTheHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		msg  i18n.Msg // "" when accepted
		w, h int
	}{
		{"small png", testPNG(t, 3, 2), "", 3, 2},
		{"small jpeg", testJPEG(t, 5, 7), "", 5, 7},
		{"webp lossless", testdata(t, "gopher-doc.1bpp.lossless.webp"), "", 75, 100},
		// Within the bounds, a header alone is then decoded, and refused.
		{"at the side bound", pngHeader(MaxImageSide, 1), i18n.ImageFileUndecodable, 0, 0},
		{"at the pixel bound", pngHeader(20_000, 2_500), i18n.ImageFileUndecodable, 0, 0},
		{"webp lossless header", webpLossless(640, 480), i18n.ImageFileTruncated, 0, 0},
		{"png bomb", pngHeader(100_000, 100_000), i18n.ImageFileTooManyPix, 0, 0},
		{"one side too long", pngHeader(MaxImageSide+1, 1), i18n.ImageFileTooManyPix, 0, 0},
		{"too many pixels", pngHeader(8_000, 8_000), i18n.ImageFileTooManyPix, 0, 0},
		{"one pixel over", pngHeader(20_000, 2_501), i18n.ImageFileTooManyPix, 0, 0},
		{"webp canvas bomb", webpExtended(40_000, 40_000), i18n.ImageFileTooManyPix, 0, 0},
		{"webp canvas past 2^31 pixels", webpExtended(16_000_000, 16_000_000), i18n.ImageFileCorrupt, 0, 0},
		{"webp lossless bomb", webpLossless(16_384, 16_384), i18n.ImageFileTooManyPix, 0, 0},
		{"png cut in its header", testPNG(t, 4, 4)[:20], i18n.ImageFileCorrupt, 0, 0},
		{"jpeg without frame", []byte("\xff\xd8\xff\xd9"), i18n.ImageFileCorrupt, 0, 0},
		{"zero-width png", pngHeader(0, 10), i18n.ImageFileCorrupt, 0, 0},
		{"text", []byte("not an image"), i18n.ImageFileNotImage, 0, 0},
		{"empty", []byte{}, i18n.ImageFileEmpty, 0, 0},
		{"absent", nil, i18n.ImageFileRequired, 0, 0},
	} {
		var ps julo.Problems
		img, ok, err := checkImageFile(context.Background(), &ps, "upload", fileOf(tc.b))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.msg == "" {
			if !ok || len(ps) != 0 || img.width != tc.w || img.height != tc.h {
				t.Errorf("%s: ok %v, %dx%d, problems %v", tc.name, ok, img.width, img.height, ps)
			}
			continue
		}
		if ok || len(ps) != 1 || ps[0].Field != "upload" || ps[0].Msg != tc.msg {
			t.Errorf("%s: ok %v, problems %v, want %s", tc.name, ok, ps, tc.msg)
		}
	}
}

func TestCheckImageFileLeavesAnEarlierProblemAlone(t *testing.T) {
	ps := julo.Problems{{Field: "upload", Msg: i18n.ImageFileNotFile}}
	if _, ok, err := checkImageFile(context.Background(), &ps, "upload", nil); ok || err != nil || len(ps) != 1 {
		t.Fatalf("problems %v", ps)
	}
}

func TestCheckImageTypeAcceptsTheThirteenTypes(t *testing.T) {
	if len(ImageTypes) != 13 {
		t.Fatalf("%d image types", len(ImageTypes))
	}
	for _, typ := range ImageTypes {
		for _, sent := range []string{typ, " " + typ + " ", "  " + string(bytes.ToUpper([]byte(typ)))} {
			var ps julo.Problems
			got, ok := checkImageType(&ps, "image_type", &sent)
			if !ok || got != typ || len(ps) != 0 {
				t.Errorf("%q: %q %v %v", sent, got, ok, ps)
			}
		}
	}
	for _, sent := range []*string{nil, ptr(""), ptr("  "), ptr("ktp"), ptr("ktp_self2"), ptr("ktp self")} {
		var ps julo.Problems
		if _, ok := checkImageType(&ps, "image_type", sent); ok || len(ps) != 1 || ps[0].Field != "image_type" {
			t.Errorf("%v: accepted or %v", sent, ps)
		}
	}
}

func ptr(s string) *string { return &s }

// fileOf is b as an upload file, nil when b is (no file part sent).
func fileOf(b []byte) *ImageFile {
	if b == nil {
		return nil
	}
	return NewImageFile(b)
}

// imageFakeStore is a Store whose image recording fails as a test says;
// methods the upload does not use are the nil embedded interface's (they
// panic if called).
type imageFakeStore struct {
	Store
	app   Application
	add   func(try int) error // nil: record
	tries int
	added []Image
	count int // images the application already holds
	// sweeps are the jobs enqueued, with the blobs present when each was.
	sweeps []ImageSweepJob
	blobs  *memBlobs
	// blobsAtSweep counts the blobs stored when each sweep was enqueued.
	blobsAtSweep []int
}

func (f *imageFakeStore) Enqueue(ctx context.Context, jobs ...julo.Scheduled) error {
	for _, j := range jobs {
		f.sweeps = append(f.sweeps, j.Job.(ImageSweepJob))
		if f.blobs != nil {
			f.blobsAtSweep = append(f.blobsAtSweep, len(f.blobs.m))
		}
	}
	return nil
}

func (f *imageFakeStore) BlobRecorded(ctx context.Context, key string) (bool, error) {
	for _, img := range f.added {
		if img.BlobKey == key {
			return true, nil
		}
	}
	return false, nil
}

func (f *imageFakeStore) ApplicationByXID(ctx context.Context, xid int64) (Application, error) {
	if xid != f.app.XID {
		return Application{}, &julo.Error{Code: julo.ENOTFOUND}
	}
	return f.app, nil
}

func (f *imageFakeStore) AddImage(ctx context.Context, img Image, accept func(julo.AppStatus, int) error) (Image, error) {
	f.tries++
	if f.add != nil {
		if err := f.add(f.tries); err != nil {
			return Image{}, err
		}
	}
	if err := accept(f.app.Status, f.count+len(f.added)); err != nil {
		return Image{}, err
	}
	img.ID = int64(len(f.added) + 1)
	f.added = append(f.added, img)
	return img, nil
}

// memBlobs keeps blobs in memory; putErr and deleteErr make those fail.
type memBlobs struct {
	m                 map[string][]byte
	putErr, deleteErr error
	deletes           int
}

func (b *memBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	data, _ := io.ReadAll(r)
	if int64(len(data)) != size {
		return errors.New("size mismatch")
	}
	if b.putErr != nil {
		return b.putErr
	}
	b.m[key] = data
	return nil
}

func (b *memBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	d, ok := b.m[key]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(d)), nil
}

func (b *memBlobs) Delete(ctx context.Context, key string) error {
	b.deletes++
	if b.deleteErr != nil {
		return b.deleteErr
	}
	delete(b.m, key)
	return nil
}

// An upload is stored and recorded, or neither: whenever recording fails the
// blob that was put is deleted again, and the caller's answer is kept.
func TestUploadImageIsStoredAndRecordedOrNeither(t *testing.T) {
	partner := julo.Partner{ID: 7}
	newSvc := func(add func(int) error) (*Service, *imageFakeStore, *memBlobs) {
		st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}, add: add}
		bl := &memBlobs{m: map[string][]byte{}}
		return New(Deps{Store: st, Blobs: bl}), st, bl
	}
	in := func() ImageUploadInput {
		return ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))}
	}
	duplicateType := func() error {
		return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonDuplicate, Unique: UniqueImageType}
	}

	t.Run("recorded", func(t *testing.T) {
		svc, st, bl := newSvc(nil)
		img, err := svc.UploadImage(context.Background(), partner, "1234567890", in())
		if err != nil || len(st.added) != 1 || len(bl.m) != 1 || bl.m[img.BlobKey] == nil {
			t.Fatalf("%v, %d rows, %d blobs", err, len(st.added), len(bl.m))
		}
		if !regexp.MustCompile(`^images/1234567890/selfie/[0-9a-f]{32}\.png$`).MatchString(img.BlobKey) ||
			img.ContentType != "image/png" || img.Width != 4 || img.Size != in().Upload.Size || len(img.SHA256) != 64 {
			t.Fatalf("recorded %+v", img)
		}
	})
	t.Run("recording fails", func(t *testing.T) {
		svc, _, bl := newSvc(func(int) error { return errors.New("disk full") })
		_, err := svc.UploadImage(context.Background(), partner, "1234567890", in())
		if julo.ErrorCode(err) != julo.EINTERNAL || len(bl.m) != 0 || bl.deletes != 1 {
			t.Fatalf("%v, %d blobs left", err, len(bl.m))
		}
	})
	t.Run("status moved on while uploading", func(t *testing.T) {
		var st *imageFakeStore
		svc, st, bl := newSvc(func(int) error { st.app.Status = julo.AppFormSubmitted; return nil })
		_, err := svc.UploadImage(context.Background(), partner, "1234567890", in())
		var e *julo.Error
		if !errors.As(err, &e) || e.Code != julo.ECONFLICT || e.Problems[0].Msg != i18n.ImagesClosed || len(bl.m) != 0 {
			t.Fatalf("%v, %d blobs left", err, len(bl.m))
		}
	})
	t.Run("a concurrent upload of the type wins the index once", func(t *testing.T) {
		svc, st, bl := newSvc(func(try int) error {
			if try == 1 {
				return duplicateType()
			}
			return nil
		})
		if _, err := svc.UploadImage(context.Background(), partner, "1234567890", in()); err != nil || len(st.added) != 1 || len(bl.m) != 1 {
			t.Fatalf("%v, %d rows, %d blobs", err, len(st.added), len(bl.m))
		}
	})
	t.Run("the index keeps conflicting", func(t *testing.T) {
		svc, _, bl := newSvc(func(int) error { return duplicateType() })
		if _, err := svc.UploadImage(context.Background(), partner, "1234567890", in()); julo.ErrorCode(err) != julo.EINTERNAL || len(bl.m) != 0 {
			t.Fatalf("%v, %d blobs", err, len(bl.m))
		}
	})
	t.Run("the deletion fails too: the answer stays, the cause is kept for the log", func(t *testing.T) {
		var st *imageFakeStore
		svc, st, bl := newSvc(func(int) error { st.app.Status = julo.AppFormSubmitted; return nil })
		bl.deleteErr = errors.New("bucket unreachable")
		_, err := svc.UploadImage(context.Background(), partner, "1234567890", in())
		var e *julo.Error
		if !errors.As(err, &e) || e.Code != julo.ECONFLICT || e.Err == nil || !strings.Contains(e.Err.Error(), "bucket unreachable") {
			t.Fatalf("%#v", err)
		}
	})
	t.Run("put fails: nothing recorded", func(t *testing.T) {
		svc, st, bl := newSvc(nil)
		bl.putErr = errors.New("no space")
		if _, err := svc.UploadImage(context.Background(), partner, "1234567890", in()); err == nil || len(st.added) != 0 || st.tries != 0 {
			t.Fatalf("%v, %d rows", err, len(st.added))
		}
	})
	t.Run("invalid input touches nothing", func(t *testing.T) {
		svc, st, bl := newSvc(nil)
		_, err := svc.UploadImage(context.Background(), partner, "1234567890", ImageUploadInput{Type: ptr("x"), Upload: NewImageFile([]byte("text"))})
		var e *julo.Error
		if !errors.As(err, &e) || e.Code != julo.EINVALID || len(e.Problems) != 2 || st.tries != 0 || len(bl.m) != 0 || bl.deletes != 0 {
			t.Fatalf("%v", err)
		}
	})
	t.Run("another partner's application", func(t *testing.T) {
		svc, st, bl := newSvc(nil)
		_, err := svc.UploadImage(context.Background(), julo.Partner{ID: 8}, "1234567890", in())
		if err != errApplicationMissing || st.tries != 0 || len(bl.m) != 0 {
			t.Fatalf("%v", err)
		}
	})
}

// An upload held in a file (as the HTTP layer spools it) is checked from its
// header and streamed to the blob store: what is stored is the file's
// content, with the size and SHA-256 the caller measured.
func TestUploadImageStreamsAnUploadFile(t *testing.T) {
	// A JPEG whose frame header comes after 120 KB of APP1 segments: the
	// dimensions are read through the file, past any buffer.
	plain := testJPEG(t, 9, 5)
	var b bytes.Buffer
	b.Write(plain[:2]) // SOI
	for range 2 {
		seg := bytes.Repeat([]byte{'x'}, 60_000)
		b.Write([]byte{0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)})
		b.Write(seg)
	}
	b.Write(plain[2:])
	content := b.Bytes()

	f, err := os.CreateTemp(t.TempDir(), "upload-*")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(content)
	st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}}
	bl := &memBlobs{m: map[string][]byte{}}
	svc := New(Deps{Store: st, Blobs: bl})
	sum := sha256.Sum256(content)
	img, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890",
		ImageUploadInput{Type: ptr("ktp_self"), Upload: &ImageFile{Content: f, Size: int64(len(content)), SHA256: sum}})
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != 9 || img.Height != 5 || img.ContentType != "image/jpeg" || img.Size != int64(len(content)) ||
		img.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(bl.m[img.BlobKey], content) {
		t.Fatalf("recorded %+v, stored %d bytes", img, len(bl.m[img.BlobKey]))
	}
}

// failingReaderAt fails every read past its first n bytes.
type failingReaderAt struct {
	b []byte
	n int64
}

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.n {
		return 0, errors.New("input/output error")
	}
	return copy(p, f.b[off:]), nil
}

// A file that cannot be read (a disk error on the spool) is an internal
// error, not a damaged image, and stores nothing.
func TestUploadImageFileReadErrorIsInternal(t *testing.T) {
	content := testPNG(t, 4, 4)
	for _, n := range []int64{0, 20} { // while sniffing, while reading the header
		st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}}
		bl := &memBlobs{m: map[string][]byte{}}
		svc := New(Deps{Store: st, Blobs: bl})
		_, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890", ImageUploadInput{Type: ptr("selfie"),
			Upload: &ImageFile{Content: failingReaderAt{content, n}, Size: int64(len(content))}})
		if julo.ErrorCode(err) != julo.EINTERNAL || !strings.Contains(err.Error(), "input/output error") || st.tries != 0 || len(bl.m) != 0 {
			t.Fatalf("failing after %d bytes: %v", n, err)
		}
	}
}

// The image limit is decided in the recording transaction (the store calls
// the domain's rule with the count it holds); an application at its limit gets a 409 that says the limit,
// and the blob that was put is deleted again.
func TestUploadImageLimitPerApplication(t *testing.T) {
	for _, tc := range []struct{ configured, want int }{{0, DefaultMaxImagesPerApplication}, {3, 3}} {
		st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}, count: tc.want}
		bl := &memBlobs{m: map[string][]byte{}}
		cfg := DefaultConfig()
		cfg.MaxImagesPerApplication = tc.configured
		svc := New(Deps{Store: st, Blobs: bl, Config: cfg})
		_, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890",
			ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))})
		var e *julo.Error
		if !errors.As(err, &e) || e.Code != julo.ECONFLICT || len(e.Problems) != 1 || e.Problems[0].Msg != i18n.ImageLimitReached ||
			len(bl.m) != 0 || bl.deletes != 1 {
			t.Fatalf("configured %d: %v, %d blobs left", tc.configured, err, len(bl.m))
		}
		want := fmt.Sprintf("This application has reached its limit of %d images", tc.want)
		if got := i18n.T(i18n.EN, e.Problems[0].Msg, e.Problems[0].Args...); !strings.HasPrefix(got, want) {
			t.Fatalf("message %q", got)
		}
	}
}

// The sweeps queued by earlier versions (ImageSweepJob) still run: a blob
// no image holds is deleted, one an image holds is kept, and one already
// gone is fine. Uploads no longer queue them.
func TestImageSweepJobsOfEarlierVersionsStillRun(t *testing.T) {
	bl := &memBlobs{m: map[string][]byte{}}
	st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}, blobs: bl}
	svc := New(Deps{Store: st, Blobs: bl})
	img, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890",
		ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.sweeps) != 0 {
		t.Fatalf("the upload queued %v", st.sweeps)
	}
	// Recorded: the sweep keeps it.
	if err := svc.SweepImageBlob(context.Background(), ImageSweepJob{Key: img.BlobKey}); err != nil || bl.m[img.BlobKey] == nil {
		t.Fatalf("sweep of a recorded blob: %v, blob kept %v", err, bl.m[img.BlobKey] != nil)
	}
	// An orphan (written, never recorded): the sweep deletes it, and a
	// second sweep of a blob already gone is fine.
	bl.m["images/1234567890/selfie/orphan.png"] = []byte("x")
	orphan := ImageSweepJob{Key: "images/1234567890/selfie/orphan.png"}
	if err := svc.SweepImageBlob(context.Background(), orphan); err != nil || bl.m[orphan.Key] != nil {
		t.Fatalf("sweep of an orphan: %v, left %v", err, bl.m[orphan.Key] != nil)
	}
	bl.deleteErr = fs.ErrNotExist
	if err := svc.SweepImageBlob(context.Background(), orphan); err != nil {
		t.Fatalf("sweep of a blob already gone: %v", err)
	}
}
