package onboarding

import (
	"context"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// ImageTypes are the thirteen image types of the partner documentation.
var ImageTypes = []string{
	"ktp_self", "crop_selfie", "selfie", "bank_statement", "paystub", "ktp_privy",
	"drivers_license_privy", "just_selfie_privy", "foto_kartu_keluraga_privy",
	"e_ktp_privy", "selfie_privy", "passport_privy", "passport_selfie_privy",
}

// Image is one uploaded image of an application.
type Image struct {
	ID            int64 // the store's own key, never shown
	PublicID      int64 // the id a partner sees: random (see newPublicID)
	ApplicationID int64
	Type          string
	BlobKey       string
	ContentType   string
	Size          int64
	SHA256        string
	Width, Height int
	CreatedAt     time.Time
}

// ImageStore is the storage of images.
type ImageStore interface {
	// AddImage records img as the current image of its type, superseding
	// the previous one (kept as history), in one transaction that holds the
	// application row, if accept, called inside it with the application's
	// status and its number of images (current and superseded), returns nil.
	// Otherwise it records nothing and returns accept's error. A concurrent
	// upload of the same type is a duplicate of UniqueImageType; an
	// img.PublicID already taken, of UniqueImageID.
	AddImage(ctx context.Context, img Image, accept func(status julo.AppStatus, images int) error) (Image, error)
	// BlobRecorded reports whether an image (current or superseded) holds
	// the blob key.
	BlobRecorded(ctx context.Context, key string) (bool, error)
	// CurrentImages lists the current image of each type, oldest first.
	CurrentImages(ctx context.Context, applicationID int64) ([]Image, error)
	// DocumentsRequested reports whether the credit assessment asked for
	// documents and the application waits for them at 105: paystub and
	// bank_statement images are accepted then (issue 12 item 4).
	DocumentsRequested(ctx context.Context, applicationID int64) (bool, error)
	// Image returns the image (current or superseded) of the application
	// with the public id, or ENOTFOUND: another application's image is not
	// found either.
	Image(ctx context.Context, applicationID, publicID int64) (Image, error)
}
