package onboarding

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"github.com/julo-partnership/julo/internal/julo"
)

// Images of a loan (issue 13: the signature) go through the same pipeline
// as the KYC images: the same checks of the file (format sniffed, size,
// dimensions), the same blob store with its sealing, the same pending name
// until the record commits. Only where the record goes differs: record
// stores it (the loan's table) and may refuse it.

// UploadLoanImage checks in's file and stores it as image type typ of loan
// loanXID of application app, recorded by record. A record refused
// changes nothing (the blob is discarded). The public id is drawn here;
// record returns a duplicate of dupKey for one already taken, which is
// tried again with another.
func (s *Service) UploadLoanImage(ctx context.Context, app Application, loanXID int64, typ string, in ImageUploadInput,
	dupKey julo.UniqueKey, record func(Image) (Image, error)) (_ Image, err error) {
	defer func() { s.observeUpload(err) }()
	ps := in.Problems
	img, _, err := checkImageFile(ctx, &ps, "upload", in.Upload)
	if err != nil {
		return Image{}, err
	}
	if err := ps.Err(); err != nil {
		return Image{}, err
	}
	key, err := s.loanImageKey(app.XID, loanXID, typ, img.format.ext)
	if err != nil {
		return Image{}, err
	}
	file := in.Upload
	rec := Image{
		ApplicationID: app.ID, Type: typ, BlobKey: key, ContentType: img.format.contentType,
		Size: file.Size, SHA256: hex.EncodeToString(file.SHA256[:]), Width: img.width, Height: img.height,
		CreatedAt: s.now(),
	}
	pending := pendingBlobKey(key, rec.CreatedAt)
	if err := s.blobs.Put(ctx, pending, file.reader(), rec.Size, rec.ContentType); err != nil {
		return Image{}, s.discardBlob(ctx, pending, err)
	}
	for try := 1; ; try++ {
		if rec.PublicID, err = s.newPublicID(); err != nil {
			return Image{}, s.discardBlob(ctx, pending, err)
		}
		out, err := record(rec)
		if julo.IsDuplicate(err, dupKey) && try < 3 {
			continue
		}
		if julo.IsDuplicate(err, dupKey) {
			err = &julo.Error{Code: julo.EINTERNAL, Err: fmt.Errorf("recording a loan image: %w", err)}
		}
		if err != nil {
			return Image{}, s.discardBlob(ctx, pending, err)
		}
		// Recorded: as UploadImage, a failed promotion is the sweep's.
		_ = s.promoteBlob(ctx, pending, key)
		return out, nil
	}
}

// OpenLoanImage opens a recorded loan image's bytes; the caller closes them.
func (s *Service) OpenLoanImage(ctx context.Context, img Image) (io.ReadCloser, error) {
	return s.openImageBlob(ctx, img)
}

// loanImageKey is images/<application xid>/loan-<loan xid>/<type>/<32
// random hex>.<ext>: under the application's folder, so that erasing the
// customer sweeps it with the KYC images.
func (s *Service) loanImageKey(appXID, loanXID int64, typ, ext string) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", err
	}
	return "images/" + strconv.FormatInt(appXID, 10) + "/loan-" + strconv.FormatInt(loanXID, 10) + "/" + typ + "/" +
		hex.EncodeToString(b) + "." + ext, nil
}
