package onboarding

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/webp"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Pixel bounds of an uploaded image (domain §7), checked from the image's
// header before anything decodes it: a few-kilobyte PNG can claim 100000x100000
// pixels and would take 40 GB to decode (a decompression bomb).
const (
	MaxImageSide   = 20_000
	MaxImagePixels = 50_000_000
)

// DefaultMaxImagesPerApplication bounds the images one application keeps,
// current and superseded together, when Config.MaxImagesPerApplication is
// not set: every upload is kept as history, so without a bound one partner
// could fill the disk at MaxUploadBytes per request. Thirteen types, each
// replaced a few times, stay well under it.
const DefaultMaxImagesPerApplication = 50

// ImageFile is an upload file the caller holds (the HTTP layer spools it to
// a temporary file): random access to its content, its size and the SHA-256
// of its content, which the caller computed while receiving it. Nothing
// reads more than its header into memory.
type ImageFile struct {
	Content io.ReaderAt
	Size    int64
	SHA256  [sha256.Size]byte
}

// NewImageFile is an ImageFile of b, held in memory.
func NewImageFile(b []byte) *ImageFile {
	return &ImageFile{Content: bytes.NewReader(b), Size: int64(len(b)), SHA256: sha256.Sum256(b)}
}

// reader reads the file from its start.
func (f *ImageFile) reader() *io.SectionReader { return io.NewSectionReader(f.Content, 0, f.Size) }

// ImageUploadInput is one image upload. Problems holds what the caller
// already found wrong with the request's shape (upload sent as text, two
// files), so that one answer lists every problem.
type ImageUploadInput struct {
	Problems julo.Problems
	// Type is image_type as sent; nil when absent.
	Type *string
	// Upload is the upload file part; nil when no file part was sent. Its
	// size is bounded by the caller.
	Upload *ImageFile
}

// imageFormat is what sniffing the bytes found.
type imageFormat struct {
	name        string // "JPEG", "PNG", "WebP" (for messages)
	contentType string
	ext         string
	config      func(io.Reader) (image.Config, error)
}

var imageFormats = []struct {
	magic  func([]byte) bool
	format imageFormat
}{
	{func(b []byte) bool { return bytes.HasPrefix(b, []byte("\xff\xd8\xff")) },
		imageFormat{"JPEG", "image/jpeg", "jpg", jpeg.DecodeConfig}},
	{func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) },
		imageFormat{"PNG", "image/png", "png", png.DecodeConfig}},
	{func(b []byte) bool {
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
	}, imageFormat{"WebP", "image/webp", "webp", webp.DecodeConfig}},
}

// sniffLen is how many leading bytes sniffImage needs.
const sniffLen = 12

// sniffImage returns the format of b judged from its first bytes only (the
// file name and the declared Content-Type are not trusted).
func sniffImage(b []byte) (imageFormat, bool) {
	for _, f := range imageFormats {
		if f.magic(b) {
			return f.format, true
		}
	}
	return imageFormat{}, false
}

// checkedImage is an upload that passed the content rules.
type checkedImage struct {
	format        imageFormat
	width, height int
}

// checkImageFile applies the content rules to a required file: it is a JPEG,
// PNG or WebP by its bytes, its header is readable, its dimensions are
// within MaxImageSide and MaxImagePixels, and then the whole image decodes,
// to its end and no further (checkDecodes). The bounds are read from the
// header before anything is decoded, so a decompression bomb costs nothing.
// err is a failure to read the file itself or ctx's end (not the caller's
// fault).
func checkImageFile(ctx context.Context, ps *julo.Problems, field string, file *ImageFile) (_ checkedImage, ok bool, err error) {
	if ps.Has(field) {
		return checkedImage{}, false, nil
	}
	if file == nil {
		ps.Add(field, i18n.ImageFileRequired)
		return checkedImage{}, false, nil
	}
	if file.Size == 0 {
		ps.Add(field, i18n.ImageFileEmpty)
		return checkedImage{}, false, nil
	}
	head := make([]byte, min(file.Size, sniffLen))
	if _, err := file.Content.ReadAt(head, 0); err != nil && err != io.EOF {
		return checkedImage{}, false, fmt.Errorf("reading the upload: %w", err)
	}
	f, ok := sniffImage(head)
	if !ok {
		ps.Add(field, i18n.ImageFileNotImage)
		return checkedImage{}, false, nil
	}
	// Buffered, as the decoders read the header in small pieces; a read
	// error of the file is told apart from a damaged image.
	r := &ReadErr{R: file.reader()}
	cfg, err := f.config(bufio.NewReaderSize(r, 4<<10))
	if r.Err != nil {
		return checkedImage{}, false, fmt.Errorf("reading the upload: %w", r.Err)
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		ps.Add(field, i18n.ImageFileCorrupt, f.name)
		return checkedImage{}, false, nil
	}
	if cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		ps.Add(field, i18n.ImageFileTooManyPix, cfg.Width, cfg.Height, MaxImageSide, MaxImagePixels/1_000_000)
		return checkedImage{}, false, nil
	}
	if ok, err := checkDecodes(ctx, ps, field, file, f, cfg); !ok || err != nil {
		return checkedImage{}, false, err
	}
	return checkedImage{format: f, width: cfg.Width, height: cfg.Height}, true, nil
}

// ReadErr reads R and remembers its first error other than io.EOF in Err,
// to tell a failed read of an upload from a failure of what consumes it: an
// image decoder's verdict here, the write of the spool file in the HTTP
// layer.
type ReadErr struct {
	R   io.Reader
	Err error
}

func (e *ReadErr) Read(p []byte) (int, error) {
	n, err := e.R.Read(p)
	if err != nil && err != io.EOF && e.Err == nil {
		e.Err = err
	}
	return n, err
}

// checkImageType validates a required image_type: one of ImageTypes, matched
// regardless of case and surrounding spaces, returned in canonical spelling.
func checkImageType(ps *julo.Problems, field string, v *string) (string, bool) {
	if ps.Has(field) {
		return "", false
	}
	allowed := strings.Join(ImageTypes, ", ")
	if v == nil || strings.TrimSpace(*v) == "" {
		ps.Add(field, i18n.ImageTypeRequired, allowed)
		return "", false
	}
	t := strings.ToLower(strings.TrimSpace(*v))
	for _, known := range ImageTypes {
		if t == known {
			return known, true
		}
	}
	shown := *v
	if r := []rune(shown); len(r) > 50 {
		shown = string(r[:50]) + "…"
	}
	ps.Add(field, i18n.ImageTypeUnknown, shown, allowed)
	return "", false
}

// errImageMissing is the one answer for an image id that does not exist, is
// malformed, or belongs to another application.
var errImageMissing = &julo.Error{Code: julo.ENOTFOUND, Problems: []julo.Problem{{Msg: i18n.ImageMissing}}}

// maxImages is the configured bound on an application's images.
func (s *Service) maxImages() int {
	if n := s.cfg.MaxImagesPerApplication; n > 0 {
		return n
	}
	return DefaultMaxImagesPerApplication
}

// documentImageTypes are the images a customer may provide at 105 when
// the credit assessment asks for documents.
var documentImageTypes = map[string]bool{"paystub": true, "bank_statement": true}

func imagesClosedErr(status julo.AppStatus) error {
	return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus, Problems: []julo.Problem{{Msg: i18n.ImagesClosed, Args: []any{status, status.Name()}}}}
}

// UploadImage stores an image of application xid of partner p as the current
// image of its type; the previous one of that type is kept as history. Uploads
// are accepted while the application is at 100 (intakeOpen) and holds fewer
// than maxImages images (current and superseded).
//
// It returns ENOTFOUND for an xid that is not p's, ECONFLICT once the
// application has moved past 100 or holds maxImages images,
// and EINVALID listing every problem of the type and the file (see
// checkImageType and checkImageFile).
// The upload is stored and recorded, or neither: the file goes to Blobs under
// the pending name of a random key first, and is deleted again if recording
// it fails; once recorded it is promoted to its key. A process that stops
// between the two steps leaves a pending blob, which SweepPendingBlobs
// deletes or promotes (see images_pending.go).
func (s *Service) UploadImage(ctx context.Context, p julo.Partner, xid string, in ImageUploadInput) (_ Image, err error) {
	defer func() { s.observeUpload(err) }()
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return Image{}, err
	}
	ps := in.Problems
	file := in.Upload
	typ, _ := checkImageType(&ps, "image_type", in.Type)
	documents := false
	if intakeOpen(app.Status) != nil {
		if (app.Status == julo.AppFormSubmitted || app.Status == julo.AppResubmission) && documentImageTypes[typ] {
			if documents, err = s.store.DocumentsRequested(ctx, app.ID); err != nil {
				return Image{}, err
			}
		}
		if !documents {
			return Image{}, imagesClosedErr(app.Status)
		}
	}
	img, _, err := checkImageFile(ctx, &ps, "upload", file)
	if err != nil {
		return Image{}, err
	}
	if err := ps.Err(); err != nil {
		return Image{}, err
	}
	key, err := s.imageKey(app.XID, typ, img.format.ext)
	if err != nil {
		return Image{}, err
	}
	rec := Image{
		ApplicationID: app.ID, Type: typ, BlobKey: key, ContentType: img.format.contentType,
		Size: file.Size, SHA256: hex.EncodeToString(file.SHA256[:]), Width: img.width, Height: img.height,
		CreatedAt: s.now(),
	}
	pending := pendingBlobKey(key, rec.CreatedAt)
	// Streamed from the caller's file: a SectionReader is seekable, so a
	// store that hashes or retries its body can read it again.
	if err := s.blobs.Put(ctx, pending, file.reader(), rec.Size, rec.ContentType); err != nil {
		// A Put that failed half-way may have left something behind in a
		// store without atomic writes; Delete of nothing is harmless.
		return Image{}, s.discardBlob(ctx, pending, err)
	}
	rec, err = s.recordImage(ctx, rec, documents)
	if err != nil {
		return Image{}, s.discardBlob(ctx, pending, err)
	}
	// Recorded: the upload succeeded whatever happens next. A promotion
	// that fails is the sweep's to finish; the image reads at its pending
	// name meanwhile (openImageBlob).
	_ = s.promoteBlob(ctx, pending, key)
	return rec, nil
}

// recordImage records rec while the application still accepts images (see
// acceptImage). The rule is decided in the recording transaction, so an
// upload racing the complete-data step cannot land after it, and racing
// uploads cannot pass the limit. A concurrent upload of the same type can
// win the "one current image per type" index; then this one, the later, is
// recorded over it.
func (s *Service) recordImage(ctx context.Context, rec Image, documents bool) (Image, error) {
	limit := s.maxImages()
	accept := func(status julo.AppStatus, images int) error {
		// Documents requested at 105 (or 131) were checked before the upload; a
		// submit-document-flag that won the race moved the application to
		// 120, which closes images again.
		if documents && (status == julo.AppFormSubmitted || status == julo.AppResubmission) {
			return imageLimit(images, limit)
		}
		return acceptImage(status, images, limit)
	}
	// Each try draws a fresh random public id, so one that the unique index
	// finds taken (odds of volume/2^52) is simply tried again too.
	for try := 1; ; try++ {
		id, err := s.newPublicID()
		if err != nil {
			return Image{}, err
		}
		rec.PublicID = id
		out, err := s.store.AddImage(ctx, rec, accept)
		if (julo.IsDuplicate(err, UniqueImageType) || julo.IsDuplicate(err, UniqueImageID)) && try < 3 {
			continue
		}
		if julo.IsDuplicate(err, UniqueImageType) || julo.IsDuplicate(err, UniqueImageID) {
			// A conflict the caller cannot act on: internal, logged with its cause.
			return Image{}, &julo.Error{Code: julo.EINTERNAL, Err: fmt.Errorf("recording image: %w", err)}
		}
		return out, err
	}
}

// acceptImage is the rule for one more image: the application takes intake
// (it is at 100) and holds fewer than limit images, current and replaced.
func acceptImage(status julo.AppStatus, images, limit int) error {
	if err := intakeOpen(status); err != nil {
		return imagesClosedErr(status)
	}
	return imageLimit(images, limit)
}

// imageLimit refuses an upload to an application holding limit images.
func imageLimit(images, limit int) error {
	if images >= limit {
		return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonLimit,
			Problems: []julo.Problem{{Msg: i18n.ImageLimitReached, Args: []any{limit}}}}
	}
	return nil
}

// ImageSweepJob deletes an upload's blob unless an image row holds it:
// the backstop, queued before each upload by earlier versions, for a
// process that died between writing a file and recording it. Uploads no
// longer queue it (pending names and PendingBlobSweepJob took its place);
// its worker stays for the jobs already queued.
type ImageSweepJob struct {
	Key string `json:"key"`
}

// Kind names the job.
func (ImageSweepJob) Kind() string { return "image_blob_sweep" }

// SweepImageBlob runs an ImageSweepJob. A blob already gone is fine.
func (s *Service) SweepImageBlob(ctx context.Context, j ImageSweepJob) error {
	recorded, err := s.store.BlobRecorded(ctx, j.Key)
	if err != nil || recorded {
		return err
	}
	if err := s.blobs.Delete(ctx, j.Key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// discardBlob deletes the blob of a failed upload, even when the request was
// cancelled, and returns cause (with a failed deletion attached for the log).
func (s *Service) discardBlob(ctx context.Context, key string, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	derr := s.blobs.Delete(ctx, key)
	if derr == nil {
		return cause
	}
	derr = errors.Join(errors.New("deleting the blob of a failed upload"), derr)
	var e *julo.Error
	if errors.As(cause, &e) && e.Code != julo.EINTERNAL {
		// Keep the caller's answer (a 409 stays a 409); the orphan is logged.
		c := *e
		c.Err = errors.Join(e.Err, derr)
		return &c
	}
	return errors.Join(cause, derr)
}

// imageKey is images/<xid>/<type>/<32 random hex>.<ext>: no personal data
// (not the customer's name, NIK or the uploaded file name) and not guessable.
func (s *Service) imageKey(xid int64, typ, ext string) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", err
	}
	return "images/" + strconv.FormatInt(xid, 10) + "/" + typ + "/" + hex.EncodeToString(b) + "." + ext, nil
}

// ApplicationImages is the current image of each type of one application.
type ApplicationImages struct {
	XID    int64
	Images []Image // oldest first
}

// ListImages returns the current images of application xid of partner p, or
// ENOTFOUND when the xid is not p's.
func (s *Service) ListImages(ctx context.Context, p julo.Partner, xid string) (ApplicationImages, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return ApplicationImages{}, err
	}
	imgs, err := s.store.CurrentImages(ctx, app.ID)
	if err != nil {
		return ApplicationImages{}, err
	}
	return ApplicationImages{XID: app.XID, Images: imgs}, nil
}

// OpenImage returns image imageID of application xid of partner p with its
// content; the caller closes it. Superseded images stay readable: they are the
// application's history. It returns ENOTFOUND (the application's message) when
// the xid is not p's, and ENOTFOUND (the image's message) when the image id is
// not one of that application's.
func (s *Service) OpenImage(ctx context.Context, p julo.Partner, xid, imageID string) (Image, io.ReadCloser, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return Image{}, nil, err
	}
	id, ok := parsePublicID(imageID)
	if !ok {
		return Image{}, nil, errImageMissing
	}
	img, err := s.store.Image(ctx, app.ID, id)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return Image{}, nil, errImageMissing
	}
	if err != nil {
		return Image{}, nil, err
	}
	// A recorded image whose blob is gone is our fault (an internal error),
	// not the caller's.
	rc, err := s.openImageBlob(ctx, img)
	if err != nil {
		return Image{}, nil, err
	}
	return img, rc, nil
}
