package credit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func TestCheckActivation(t *testing.T) {
	offer := &Offer{MaxLimit: 5_000_000, SetLimit: 4_500_000}
	for _, c := range []struct {
		name string
		f    ActivationFacts
		code julo.Code // "" accepted
		msg  string
	}{
		{"open window at 130", ActivationFacts{Status: 130, PINVerifiedTo: t0.Add(time.Second), Offer: offer}, "", ""},
		{"window ends now", ActivationFacts{Status: 130, PINVerifiedTo: t0, Offer: offer}, julo.EFORBIDDEN, "pin_not_verified"},
		{"no window", ActivationFacts{Status: 130, Offer: offer}, julo.EFORBIDDEN, "pin_not_verified"},
		{"at 105", ActivationFacts{Status: 105, PINVerifiedTo: t0.Add(time.Minute)}, julo.ECONFLICT, "limit_not_offered"},
		{"at 190 already", ActivationFacts{Status: 190, PINVerifiedTo: t0.Add(time.Minute), Offer: offer}, julo.ECONFLICT, "limit_not_offered"},
		{"expired offer", ActivationFacts{Status: 139, PINVerifiedTo: t0.Add(time.Minute), Offer: offer}, julo.ECONFLICT, "limit_not_offered"},
		{"status before window", ActivationFacts{Status: 135}, julo.ECONFLICT, "limit_not_offered"},
		{"130 without offer", ActivationFacts{Status: 130, PINVerifiedTo: t0.Add(time.Minute)}, julo.EINTERNAL, ""},
	} {
		err := CheckActivation(c.f, t0)
		if julo.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
			continue
		}
		var e *julo.Error
		if c.msg != "" && (!errors.As(err, &e) || e.Problems[0].Msg != c.msg) {
			t.Errorf("%s: %v, want %s", c.name, err, c.msg)
		}
	}
}

func TestCheckReviewRequest(t *testing.T) {
	rejected := &Decision{Outcome: OutcomeRejected, DecidedBy: DecidedByEngine, DecidedAt: t0}
	byOperator := &Decision{Outcome: OutcomeRejected, DecidedBy: "operator:ani", DecidedAt: t0}
	fraud := &Decision{Outcome: OutcomeFraud, DecidedBy: DecidedByEngine, DecidedAt: t0}
	day := 24 * time.Hour
	for _, c := range []struct {
		name string
		f    ReviewFacts
		now  time.Time
		msg  string // "" accepted
	}{
		{"right after", ReviewFacts{Status: 135, Last: rejected}, t0, ""},
		{"last millisecond of day 14", ReviewFacts{Status: 135, Last: rejected}, t0.Add(14*day - time.Millisecond), ""},
		{"14 days to the millisecond", ReviewFacts{Status: 135, Last: rejected}, t0.Add(14 * day), "review_window_closed"},
		{"a month later", ReviewFacts{Status: 135, Last: rejected}, t0.Add(30 * day), "review_window_closed"},
		{"an operator's rejection", ReviewFacts{Status: 135, Last: byOperator}, t0, "review_not_available"},
		{"fraud (133)", ReviewFacts{Status: 133, Last: fraud}, t0, "review_not_available"},
		{"at 130", ReviewFacts{Status: 130, Last: &Decision{Outcome: OutcomeApproved, DecidedBy: DecidedByEngine}}, t0, "review_not_available"},
		{"135 without a decision", ReviewFacts{Status: 135}, t0, "review_not_available"},
		{"one open already", ReviewFacts{Status: 135, Last: rejected, Pending: &ReviewRequest{RequestedAt: t0}}, t0, "review_already_requested"},
	} {
		err := CheckReviewRequest(c.f, c.now, 14)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var e *julo.Error
		if !errors.As(err, &e) || e.Code != julo.ECONFLICT || e.Problems[0].Msg != c.msg {
			t.Errorf("%s: %v, want %s", c.name, err, c.msg)
		}
	}
}

// pinStore is an ActivationStore for InputPIN: the guard in memory, with
// the store's rules.
type pinStore struct {
	ActivationStore
	app         onboarding.Application
	wrong       int
	lockedUntil time.Time
	windowUntil time.Time
}

func (s *pinStore) ApplicationByXID(_ context.Context, xid int64) (onboarding.Application, error) {
	if xid != s.app.XID {
		return onboarding.Application{}, &julo.Error{Code: julo.ENOTFOUND}
	}
	return s.app, nil
}

func (s *pinStore) BeginPINAttempt(_ context.Context, _ int64, now time.Time, maxWrong int, lock time.Duration) (PINAttempt, error) {
	at := PINAttempt{CustomerID: s.app.CustomerID, Hash: "h", KeyID: "k"}
	if now.Before(s.lockedUntil) {
		at.LockedUntil = s.lockedUntil
		return at, nil
	}
	if !s.lockedUntil.IsZero() {
		s.wrong, s.lockedUntil = 0, time.Time{}
	}
	s.wrong++
	if s.wrong >= maxWrong {
		s.lockedUntil = now.Add(lock)
	}
	at.Wrong = s.wrong
	return at, nil
}

func (s *pinStore) PINVerified(_ context.Context, _, _ int64, _, until time.Time) error {
	s.wrong, s.lockedUntil, s.windowUntil = 0, time.Time{}, until
	return nil
}

type pinChecker string

func (p pinChecker) VerifyPIN(_ context.Context, pin, hash, keyID string) (bool, error) {
	return pin == string(p) && hash == "h" && keyID == "k", nil
}

func TestInputPIN(t *testing.T) {
	now := t0
	st := &pinStore{app: onboarding.Application{ID: 7, XID: 1234567890, PartnerID: 1, CustomerID: 3}}
	a := NewActivation(ActivationDeps{Store: st, PINs: pinChecker("482915"), Policy: Policy{OfferValidDays: 30}, Now: func() time.Time { return now }})
	p := julo.Partner{ID: 1}
	str := func(s string) *string { return &s }
	try := func(pin string) (time.Time, error) {
		return a.InputPIN(context.Background(), p, InputPINInput{ApplicationXID: str("1234567890"), PIN: str(pin)})
	}
	problem := func(err error) (julo.Code, string, []any, time.Duration) {
		var e *julo.Error
		if !errors.As(err, &e) {
			return "", "", nil, 0
		}
		return e.Code, e.Problems[0].Msg, e.Problems[0].Args, e.RetryAfter
	}
	// Form: required fields and 6 digits; another partner's application is not found.
	if _, err := a.InputPIN(context.Background(), p, InputPINInput{}); julo.ErrorCode(err) != julo.EINVALID {
		t.Fatal(err)
	}
	if _, err := try("48291"); julo.ErrorCode(err) != julo.EINVALID || st.wrong != 0 {
		t.Fatalf("short PIN: %v (counted %d)", err, st.wrong)
	}
	if _, err := a.InputPIN(context.Background(), julo.Partner{ID: 2}, InputPINInput{ApplicationXID: str("1234567890"), PIN: str("482915")}); julo.ErrorCode(err) != julo.ENOTFOUND {
		t.Fatal(err)
	}
	// Right: the window is 5 minutes.
	until, err := try("482915")
	if err != nil || !until.Equal(now.Add(5*time.Minute)) || !st.windowUntil.Equal(until) {
		t.Fatalf("right PIN: %v %v", until, err)
	}
	// Wrong: 4, 3, 2, 1 tries left; the fifth locks for an hour (423, Retry-After).
	for left := 4; left >= 1; left-- {
		_, err := try("000001")
		if code, msg, args, _ := problem(err); code != julo.EINVALID || msg != "pin_wrong" || args[0] != left {
			t.Fatalf("wrong PIN with %d left: %v", left, err)
		}
	}
	_, err = try("000001")
	if code, msg, _, retry := problem(err); code != julo.ELOCKED || msg != "pin_locked" || retry != time.Hour {
		t.Fatalf("fifth wrong PIN: %v", err)
	}
	// While locked even the right PIN is refused, with the time left.
	now = now.Add(20 * time.Minute)
	_, err = try("482915")
	if code, _, _, retry := problem(err); code != julo.ELOCKED || retry != 40*time.Minute {
		t.Fatalf("right PIN while locked: %v", err)
	}
	// After the hour the right PIN opens a window and clears the count.
	now = now.Add(40 * time.Minute)
	if _, err := try("482915"); err != nil || st.wrong != 0 {
		t.Fatalf("after the lock: %v, %d wrong", err, st.wrong)
	}
	// A right PIN between wrong ones starts the count again (consecutive).
	try("000001")
	try("000001")
	try("482915")
	if _, err := try("000001"); err == nil {
		t.Fatal("wrong PIN accepted")
	} else if _, _, args, _ := problem(err); args[0] != 4 {
		t.Fatalf("count after a right PIN: %v", err)
	}
}

func TestActivationRulesDefaults(t *testing.T) {
	r := NewActivation(ActivationDeps{}).Rules()
	if r.PINWindow != 5*time.Minute || r.PINMaxWrong != 5 || r.PINLock != time.Hour {
		t.Fatalf("%+v", r)
	}
	if p := DefaultPolicy(); p.OfferValidDays != 30 || p.ReviewRequestDays != 14 {
		t.Fatalf("the policy's offer lasts %d days, its review window %d", p.OfferValidDays, p.ReviewRequestDays)
	}
}
