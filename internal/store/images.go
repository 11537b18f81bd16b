package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

const imageColumns = `id, public_id, application_id, image_type, blob_key, content_type, size_bytes, sha256, width, height, created_at`

// AddImage supersedes the current image of img's type and records img, in
// one transaction, if accept, called with the application's status and its
// number of images (current and superseded), returns nil; accept's error is
// returned as is. Reading the status FOR UPDATE holds the application row,
// so a concurrent status change (the complete-data step) or upload to the
// same application happens wholly before or after this, and a count limit
// cannot be passed by uploads racing each other.
func (db *DB) AddImage(ctx context.Context, img onboarding.Image, accept func(status julo.AppStatus, images int) error) (onboarding.Image, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var cur julo.AppStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = $1`+db.dialect.forUpdate,
			img.ApplicationID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("application")
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM images WHERE application_id = $1`,
			img.ApplicationID).Scan(&n); err != nil {
			return err
		}
		if err := accept(cur, n); err != nil {
			return err
		}
		return addImage(ctx, tx, &img)
	})
	return img, db.conflict(err)
}

func addImage(ctx context.Context, tx *sql.Tx, img *onboarding.Image) error {
	if _, err := tx.ExecContext(ctx, `UPDATE images SET superseded_at = $1
		WHERE application_id = $2 AND image_type = $3 AND superseded_at IS NULL`,
		ms(img.CreatedAt), img.ApplicationID, img.Type); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `INSERT INTO images
		(public_id, application_id, image_type, blob_key, content_type, size_bytes, sha256, width, height, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		img.PublicID, img.ApplicationID, img.Type, img.BlobKey, img.ContentType, img.Size, img.SHA256, img.Width, img.Height,
		ms(img.CreatedAt)).Scan(&img.ID)
}

// CurrentImages lists the current image of each type, oldest first.
func (db *DB) CurrentImages(ctx context.Context, applicationID int64) ([]onboarding.Image, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+imageColumns+` FROM images
		WHERE application_id = $1 AND superseded_at IS NULL ORDER BY created_at, id`, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []onboarding.Image{}
	for rows.Next() {
		img, err := scanImage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, rows.Err()
}

// Image returns the image of the application, current or superseded, with
// the public id; another application's image is not found.
func (db *DB) Image(ctx context.Context, applicationID, publicID int64) (onboarding.Image, error) {
	img, err := scanImage(db.r.QueryRowContext(ctx, `SELECT `+imageColumns+` FROM images
		WHERE application_id = $1 AND public_id = $2`, applicationID, publicID))
	if errors.Is(err, sql.ErrNoRows) {
		return img, notFound("image")
	}
	return img, err
}

type scanner interface{ Scan(...any) error }

func scanImage(r scanner) (onboarding.Image, error) {
	var img onboarding.Image
	var created int64
	err := r.Scan(&img.ID, &img.PublicID, &img.ApplicationID, &img.Type, &img.BlobKey, &img.ContentType, &img.Size, &img.SHA256,
		&img.Width, &img.Height, &created)
	img.CreatedAt = fromMS(created)
	return img, err
}

// BlobRecorded reports whether an image (current or superseded) holds key.
func (db *DB) BlobRecorded(ctx context.Context, key string) (bool, error) {
	var ok bool
	err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM images WHERE blob_key = $1)
		OR EXISTS (SELECT 1 FROM loan_images WHERE blob_key = $1)`, key).Scan(&ok)
	return ok, err
}
