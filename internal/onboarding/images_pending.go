package onboarding

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// An upload leaves nothing behind however it ends (issue 10, item 12): its
// file is written under a pending name, its row committed, and only then is
// the file promoted (renamed) to the key the row names. A process killed
// before the commit leaves a pending blob no row names; one killed between
// the commit and the promotion leaves a pending blob that its row names.
// PendingBlobSweepJob, run periodically, deletes the first kind and promotes
// the second once they are older than PendingBlobMaxAge, and OpenImage reads
// a recorded image at its pending name until then.
//
// This replaces queueing an ImageSweepJob per upload (a job row written
// before every upload, in its own transaction): one periodic listing of the
// pending names finds every orphan, also those of uploads whose queueing
// failed. ImageSweepJob still runs the sweeps queued by earlier versions.

// BlobMover is what a blob store offers beyond Blobs for pending names:
// Rename (a missing from wraps fs.ErrNotExist) and List (sorted keys that
// start with a prefix). blob.Dir and blob.S3 have both; with a store that
// has not, a blob is promoted by copying, and pending blobs are not swept.
type BlobMover interface {
	Rename(ctx context.Context, from, to string) error
	List(ctx context.Context, prefix string) ([]string, error)
}

const (
	// pendingBlobPrefix is where uploads write before their row commits.
	pendingBlobPrefix = "pending/"
	// PendingBlobMaxAge is how old a pending blob must be before the sweep
	// takes it for an orphan: far longer than any upload takes to commit
	// (the server reads a request for at most 2 minutes, and a blob store
	// call is bounded by its own timeout).
	PendingBlobMaxAge = time.Hour
	// PendingBlobSweepEvery is how often the sweep runs: an orphan is gone
	// at most PendingBlobMaxAge + PendingBlobSweepEvery after its upload.
	PendingBlobSweepEvery = 15 * time.Minute
)

// pendingBlobKey is the pending name of the blob whose final key is key,
// for an upload at at: pending/<unix ms>-<key, path-escaped>, one flat
// folder (no directories to tidy after a rename) whose names say their age
// by the service's clock, not by the store's timestamps.
func pendingBlobKey(key string, at time.Time) string {
	return pendingBlobPrefix + strconv.FormatInt(at.UnixMilli(), 10) + "-" + url.PathEscape(key)
}

// parsePendingBlobKey is the inverse of pendingBlobKey; ok is false for a
// name it did not make.
func parsePendingBlobKey(p string) (key string, at time.Time, ok bool) {
	rest, ok := strings.CutPrefix(p, pendingBlobPrefix)
	if !ok {
		return "", time.Time{}, false
	}
	ms, escaped, ok := strings.Cut(rest, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || n < 0 {
		return "", time.Time{}, false
	}
	key, err = url.PathUnescape(escaped)
	if err != nil || key == "" || pendingBlobKey(key, time.UnixMilli(n)) != p {
		return "", time.Time{}, false
	}
	return key, time.UnixMilli(n).UTC(), true
}

// PendingBlobFinalKey is the key the upload at pending name p is promoted
// to, or p itself for any other name. It is what a blob's seal is bound to
// (blob.Sealed.Bind), so that a promotion stays the store's own rename and
// an upload read at its pending name opens: both names hold the same image
// of the same application, so binding them lets no object be swapped for
// another's.
func PendingBlobFinalKey(p string) string {
	key, _, ok := parsePendingBlobKey(p)
	if !ok || strings.HasPrefix(key, pendingBlobPrefix) {
		return p
	}
	return key
}

// promoteBlob moves the blob at from to to, even when the request was
// cancelled (its row is committed): by Rename where the store has it, else
// by copying.
func (s *Service) promoteBlob(ctx context.Context, from, to string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if m, ok := s.blobs.(BlobMover); ok {
		return m.Rename(ctx, from, to)
	}
	r, err := s.blobs.Get(ctx, from)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return err
	}
	if err := s.blobs.Put(ctx, to, bytes.NewReader(b), int64(len(b)), ""); err != nil {
		return err
	}
	return s.blobs.Delete(ctx, from)
}

// openImageBlob opens a recorded image's blob: at its key, or at its
// pending name when the upload's process stopped before promoting it.
func (s *Service) openImageBlob(ctx context.Context, img Image) (io.ReadCloser, error) {
	rc, err := s.blobs.Get(ctx, img.BlobKey)
	if !errors.Is(err, fs.ErrNotExist) {
		return rc, err
	}
	if rc, perr := s.blobs.Get(ctx, pendingBlobKey(img.BlobKey, img.CreatedAt)); perr == nil {
		return rc, nil
	}
	return nil, err
}

// PendingBlobSweepJob removes what killed uploads left: see SweepPendingBlobs.
// It takes no arguments; River inserts it every PendingBlobSweepEvery.
type PendingBlobSweepJob struct{}

// Kind names the job.
func (PendingBlobSweepJob) Kind() string { return "pending_blob_sweep" }

// SweepPendingBlobs runs a PendingBlobSweepJob: every pending blob older
// than PendingBlobMaxAge is promoted to its key if an image row names that
// key (the upload committed and stopped before promoting), and deleted
// otherwise (it stopped before committing). Younger ones may belong to
// uploads under way and are left. Names it did not make are left alone.
// One blob's failure does not stop the others; the errors are returned
// together, and the next run tries again.
func (s *Service) SweepPendingBlobs(ctx context.Context, _ PendingBlobSweepJob) error {
	m, ok := s.blobs.(BlobMover)
	if !ok {
		return fmt.Errorf("sweeping pending blobs: the blob store (%T) cannot list them", s.blobs)
	}
	names, err := m.List(ctx, pendingBlobPrefix)
	if err != nil {
		return fmt.Errorf("sweeping pending blobs: %w", err)
	}
	cutoff := s.now().Add(-PendingBlobMaxAge)
	var errs []error
	for _, p := range names {
		key, at, ok := parsePendingBlobKey(p)
		if !ok || at.After(cutoff) {
			continue
		}
		recorded, err := s.store.BlobRecorded(ctx, key)
		switch {
		case err != nil:
		case recorded:
			if err = m.Rename(ctx, p, key); errors.Is(err, fs.ErrNotExist) {
				err = nil // promoted meanwhile
			}
		default:
			err = s.blobs.Delete(ctx, p)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("pending blob %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}
