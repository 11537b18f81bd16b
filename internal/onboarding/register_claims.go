package onboarding

import (
	"context"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// A registration's NIK and email are claimed by their customer while its
// newest application may still go on (issue 10, item 5), not for ever:
//   - an application that ended without a refusal (106 FORM_EXPIRED, 137
//     APPLICATION_CANCELLED_BY_CUSTOMER, 139 LIMIT_OFFER_EXPIRED) claims
//     nothing: the NIK and email are free at once;
//   - a refused one (135 APPLICATION_REJECTED, 142 LIMIT_ACTIVATION_REJECTED)
//     claims them for Config.RefusalCoolingOff (30 days by default) after the
//     refusal; then they are free;
//   - 133 APPLICATION_FRAUD claims them for ever, and so does every status
//     still under way (100 to 130, 141, 150, 190).
//
// A registration with a free NIK creates a new application for the same
// customer (the NIK is the person), which takes the registration's email,
// PIN and position; one with a free email and another NIK creates a new
// customer. The customer that held what the registration takes over is
// released in the registration's transaction (Registration.Release).

// DefaultRefusalCoolingOff is how long a refused customer waits before it
// may register again.
const DefaultRefusalCoolingOff = 30 * 24 * time.Hour

// refusalCoolingOff is the configured cooling-off, the default when unset.
func (s *Service) refusalCoolingOff() time.Duration {
	if s.cfg.RefusalCoolingOff > 0 {
		return s.cfg.RefusalCoolingOff
	}
	return DefaultRefusalCoolingOff
}

// claimOf reports whether h still holds its NIK and email at now and, for a
// refusal's cooling-off, until when (zero: no end).
func (s *Service) claimOf(h Holder, now time.Time) (held bool, until time.Time) {
	switch h.Status {
	case julo.AppFormExpired, julo.AppCancelledByCustomer, julo.AppOfferExpired:
		return false, time.Time{}
	case julo.AppRejected, julo.AppActivationRejected:
		until = h.Since.Add(s.refusalCoolingOff())
		return now.Before(until), until
	}
	return true, time.Time{}
}

// claims is who holds a registration's NIK and email at a moment.
type claims struct {
	// nik and email are the holders that still hold them, nil for a free
	// one; nikUntil and emailUntil end their cooling-off (zero: none).
	nik, email           *Holder
	nikUntil, emailUntil time.Time
	// release are the customers whose claim on the NIK or email has
	// lapsed: a registration releases them.
	release []Holder
}

// claims reads the holders of nik and email and sorts them by claimOf.
func (s *Service) claims(ctx context.Context, nik, email string, now time.Time) (claims, error) {
	nh, eh, err := s.store.Holders(ctx, nik, email)
	if err != nil {
		return claims{}, err
	}
	var c claims
	classify := func(h *Holder) (*Holder, time.Time) {
		if h == nil {
			return nil, time.Time{}
		}
		held, until := s.claimOf(*h, now)
		if held {
			return h, until
		}
		if len(c.release) == 0 || c.release[0].CustomerID != h.CustomerID {
			c.release = append(c.release, *h)
		}
		return nil, time.Time{}
	}
	c.nik, c.nikUntil = classify(nh)
	c.email, c.emailUntil = classify(eh)
	return c, nil
}

// registrationRefusal decides whether a registration with claims c goes on
// (nil) or how it is refused (issue 10, item 6).
//
// What the partner's own applications hold is always named, as 409: a
// retry whose 201 was lost learns the application_xid when what is named
// is one application (and the date a refused one's cooling-off ends); it
// counts as no failed check, and no lock applies, since the partner learns
// nothing about anyone else. What another partner's customer holds is named
// only when nothing of the partner's own is: one field, the NIK if it is
// held, else the email (the registration fails on either; the other's
// state is nobody's business), as the plain 409, and that refusal counts
// as a failed check against the named value's guard, the same guard as the
// pre-register check's. Unless the partner's own applications hold them,
// a NIK or email locked by failed checks answers 423 (ELOCKED), whether it
// is held or not.
func (s *Service) registrationRefusal(ctx context.Context, p julo.Partner, nik, email string, c claims, now time.Time) error {
	if err := ownConflict(p, c); err != nil {
		return err
	}
	gs := s.guards(nik, email, "username")
	if err := s.checkLocks(ctx, gs, now); err != nil {
		return err
	}
	var g guard
	switch {
	case c.nik != nil:
		g = gs[1]
	case c.email != nil:
		g = gs[0]
	default:
		return nil
	}
	locked, err := s.countFailure(ctx, g, now)
	if err != nil || locked != nil {
		return firstErr(err, locked)
	}
	return registeredErr(g.nik, !g.nik, "username")
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ownConflict is the 409 naming what applications of partner p hold of c,
// nil when they hold nothing: an *ExistingApplicationError when that is
// one application.
func ownConflict(p julo.Partner, c claims) error {
	var ps []julo.Problem
	var xid int64
	one := true
	for _, f := range []struct {
		field      string
		h          *Holder
		until      time.Time
		held, cool i18n.Msg
	}{
		{"username", c.nik, c.nikUntil, i18n.NIKRegistered, i18n.NIKCoolingOff},
		{"email", c.email, c.emailUntil, i18n.EmailRegistered, i18n.EmailCoolingOff},
	} {
		if f.h == nil || f.h.PartnerID != p.ID {
			continue
		}
		pr := julo.Problem{Field: f.field, Msg: f.held}
		if !f.until.IsZero() {
			pr = julo.Problem{Field: f.field, Msg: f.cool, Args: []any{f.until.UTC().Format(time.RFC3339)}}
		}
		ps = append(ps, pr)
		switch {
		case f.h.XID == 0 || xid != 0 && f.h.XID != xid:
			one = false // no application, or two: nothing to name
		default:
			xid = f.h.XID
		}
	}
	if ps == nil {
		return nil
	}
	e := &julo.Error{Code: julo.ECONFLICT, Problems: ps}
	if !one {
		return e
	}
	return &ExistingApplicationError{Err: e, XID: xid}
}

// guard is the failed-check guard of one value of a request: field is the
// request's field, nik whether the value is the NIK, key the guard's key.
type guard struct {
	field string
	nik   bool
	key   string
}

// guards are the guards of email and nik, in that order; nikField is the
// NIK's request field. The guards are keyed by HMACs: their table holds no
// email and no NIK.
func (s *Service) guards(nik, email, nikField string) []guard {
	ek, _ := macHex(s.keys.Lookup, "prereg-email", email)
	nk, _ := macHex(s.keys.Lookup, "prereg-nik", nik)
	return []guard{{field: "email", key: ek}, {field: nikField, nik: true, key: nk}}
}

// checkLocks is the ELOCKED of the first guard locked at now, else nil.
func (s *Service) checkLocks(ctx context.Context, gs []guard, now time.Time) error {
	for _, g := range gs {
		st, err := s.store.PreregGuard(ctx, g.key)
		if err != nil {
			return err
		}
		if now.Before(st.LockedUntil) {
			return lockedErr(g, st.LockedUntil, now)
		}
	}
	return nil
}

// countFailure counts a failed check against g: the PreregFailures-th
// within PreregWindow locks its value for PreregLock, and then locked is
// that ELOCKED.
func (s *Service) countFailure(ctx context.Context, g guard, now time.Time) (locked error, err error) {
	var st PreregGuard
	err = s.store.UpdatePreregGuard(ctx, g.key, func(gp *PreregGuard) error {
		if now.Sub(gp.WindowStart) >= s.cfg.PreregWindow || now.Before(gp.WindowStart) {
			gp.Failures, gp.WindowStart = 0, now
		}
		gp.Failures++
		if gp.Failures >= s.cfg.PreregFailures {
			gp.Failures, gp.LockedUntil = 0, now.Add(s.cfg.PreregLock)
		}
		st = *gp
		return nil
	})
	if err != nil {
		return nil, err
	}
	if now.Before(st.LockedUntil) {
		return lockedErr(g, st.LockedUntil, now), nil
	}
	return nil, nil
}

func lockedErr(g guard, until, now time.Time) error {
	msg := i18n.PreregLocked
	if g.nik {
		msg = i18n.PreregLockedNIK
	}
	return &julo.Error{
		Code:       julo.ELOCKED,
		Problems:   []julo.Problem{{Field: g.field, Msg: msg, Args: []any{until.UTC().Format(time.RFC3339)}}},
		RetryAfter: until.Sub(now),
	}
}
