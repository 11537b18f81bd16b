package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

// SealProgress is what one SealStored call did.
type SealProgress struct {
	// Next is the last key looked at: the next call starts after it.
	Next string
	// Done: no key after Next is left to look at.
	Done bool
	// Checked counts the blobs looked at; Sealed those that were stored
	// unsealed and are now sealed; Rewrapped those whose data key was
	// wrapped by an older key of the data set and now is by the current one.
	Checked, Sealed, Rewrapped int
	// Broken are the keys of sealed blobs that do not open (damaged, moved
	// from another key, or wrapped by a key the key file no longer holds):
	// left as they are, for an operator to look at.
	Broken []string
}

// SealStored brings the blobs after the key after (in key order; "" for
// the first) to the current form, at most limit of them and, when deadline
// is not zero, no longer than until deadline: a blob stored before sealing
// existed is sealed in place, and one whose data key is wrapped by an older
// key of the data set is wrapped again by the current one (its content is
// kept byte for byte). A blob already in the current form is only read up
// to its header. So a call is idempotent, and a sequence of calls, each
// starting after the last one's Next, is the whole migration, resumable
// wherever it stopped.
//
// A blob that vanishes while it is looked at (deleted or renamed by the
// pending-upload sweep) is skipped. The store is listed once per call.
func (s *Sealed) SealStored(ctx context.Context, after string, limit int, deadline time.Time) (SealProgress, error) {
	p := SealProgress{Next: after}
	keys, err := s.inner.List(ctx, "")
	if err != nil {
		return p, fmt.Errorf("sealing stored blobs: listing: %w", err)
	}
	i := sort.SearchStrings(keys, after)
	if i < len(keys) && keys[i] == after && after != "" {
		i++
	}
	for ; i < len(keys); i++ {
		if p.Checked >= max(limit, 1) || (!deadline.IsZero() && !time.Now().Before(deadline)) {
			return p, nil
		}
		if err := ctx.Err(); err != nil {
			return p, err
		}
		k := keys[i]
		did, err := s.rewrite(ctx, k, k, true)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case errors.Is(err, ErrSealBroken):
			if len(p.Broken) < 100 {
				p.Broken = append(p.Broken, k)
			}
		case err != nil:
			return p, fmt.Errorf("sealing stored blobs: %w", err)
		case did == "sealed":
			p.Sealed++
		case did == "rewrapped":
			p.Rewrapped++
		}
		p.Checked++
		p.Next = k
	}
	p.Done = true
	return p, nil
}
