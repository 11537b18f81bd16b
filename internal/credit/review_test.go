package credit

import (
	"context"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// reviewStore is an ActivationStore for RequestReview: one application
// rejected by the engine at t0.
type reviewStore struct {
	ActivationStore
	app onboarding.Application
}

func (s *reviewStore) ApplicationByXID(context.Context, int64) (onboarding.Application, error) {
	return s.app, nil
}

func (s *reviewStore) RequestReview(_ context.Context, id int64, reason string, at time.Time,
	check func(ReviewFacts) error) (ReviewRequest, error) {
	f := ReviewFacts{Status: julo.AppRejected, Last: &Decision{Outcome: OutcomeRejected, DecidedBy: DecidedByEngine, DecidedAt: t0}}
	if err := check(f); err != nil {
		return ReviewRequest{}, err
	}
	return ReviewRequest{ApplicationID: id, Reason: reason, RequestedAt: at}, nil
}

// The review window is the policy's review_request_days, to the
// millisecond of the rejection.
func TestRequestReviewWindowIsThePolicys(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		days int
		at   time.Duration // after the rejection
		ok   bool
	}{
		{14, 14*day - time.Millisecond, true},
		{14, 14 * day, false},
		{3, 3*day - time.Millisecond, true},
		{3, 3 * day, false},
		{30, 29 * day, true},
	} {
		p := DefaultPolicy()
		p.ReviewRequestDays = c.days
		now := t0.Add(c.at)
		a := NewActivation(ActivationDeps{Store: &reviewStore{app: onboarding.Application{ID: 1, XID: 1_234_567_890, PartnerID: 7}},
			Policy: p, Now: func() time.Time { return now }})
		reason := "Penghasilan saya naik"
		_, err := a.RequestReview(context.Background(), julo.Partner{ID: 7}, "1234567890", ReviewRequestInput{Reason: &reason})
		if c.ok != (err == nil) {
			t.Errorf("%d days, %s after the rejection: %v", c.days, c.at, err)
		}
		if !c.ok && julo.ErrorCode(err) != julo.ECONFLICT {
			t.Errorf("%d days, %s: %v, want a 409 review_window_closed", c.days, c.at, err)
		}
	}
}
