package onboarding

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// An application that makes no progress expires (issue 10, item 5): one at
// 100 FORM_CREATED with no successful step for Config.FormExpiry (14 days
// by default) moves to 106 FORM_EXPIRED through the status machine, which
// records its history row (reason ReasonNoProgress) and its event. Its
// customer's NIK and email are free again from then on (see claimOf).
//
// A successful step is one that only the customer, doing the onboarding,
// could have made succeed:
//   - the registration itself (the application's creation);
//   - an image accepted for the application (any type, superseded or not);
//   - a phone verified by OTP;
//   - a BPJS login that succeeded;
//   - a bank import that completed (load_success).
//
// Nothing else counts: asking for an OTP (anyone holding the xid can make
// the server send SMS), a wrong OTP, a BPJS login URL or task that did not
// succeed, a bank import started or failed, a status read, a pre-register
// check, or a refused complete-data request. The complete-data step itself
// moves the application to 105, after which it no longer expires here.

// ReasonNoProgress is the history reason of an expiry.
const ReasonNoProgress = "no_progress"

const (
	// DefaultFormExpiry is how long an application at 100 may go without a
	// successful step before it expires.
	DefaultFormExpiry = 14 * 24 * time.Hour
	// FormExpiryEvery is how often the expiry runs: an idle application
	// expires at most this long after its time.
	FormExpiryEvery = time.Hour
	// expiryBatch is how many applications the expiry reads at a time.
	expiryBatch = 200
)

// ExpiryStore finds and expires idle applications.
type ExpiryStore interface {
	// IdleApplications returns the ids, ascending and above afterID, of
	// at most limit applications at 100 whose last successful step (see
	// above) is at or before cutoff.
	IdleApplications(ctx context.Context, cutoff time.Time, afterID int64, limit int) ([]int64, error)
	// ExpireIdleApplication moves application id to 106 at `at` if it is
	// still idle since cutoff, holding its row, and reports whether it did.
	ExpireIdleApplication(ctx context.Context, id int64, cutoff, at time.Time) (bool, error)
}

// FormExpiryJob expires idle applications: see ExpireIdleApplications. It
// takes no arguments; River inserts it every FormExpiryEvery.
type FormExpiryJob struct{}

// Kind names the job.
func (FormExpiryJob) Kind() string { return "form_expiry" }

// formExpiry is the configured expiry, DefaultFormExpiry when unset.
func (s *Service) formExpiry() time.Duration {
	if s.cfg.FormExpiry > 0 {
		return s.cfg.FormExpiry
	}
	return DefaultFormExpiry
}

// ExpireIdleApplications runs a FormExpiryJob: every application at 100
// whose last successful step is FormExpiry or longer ago moves to 106, each
// in a transaction of its own. One application's failure does not stop the
// others; the errors are returned together, and the next run tries again.
func (s *Service) ExpireIdleApplications(ctx context.Context, _ FormExpiryJob) error {
	now := s.now()
	cutoff := now.Add(-s.formExpiry())
	var errs []error
	for after := int64(0); ; {
		ids, err := s.store.IdleApplications(ctx, cutoff, after, expiryBatch)
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("expiring idle applications: %w", err))...)
		}
		for _, id := range ids {
			if _, err := s.store.ExpireIdleApplication(ctx, id, cutoff, now); err != nil {
				errs = append(errs, fmt.Errorf("expiring application %d: %w", id, err))
			}
		}
		if len(ids) < expiryBatch {
			return errors.Join(errs...)
		}
		after = ids[len(ids)-1]
	}
}
