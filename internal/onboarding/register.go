package onboarding

import (
	"context"
	"crypto/rand"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// RegisterInput is the initial registration request. Pointer fields are nil
// when the request did not send them. Problems holds what the caller already
// found wrong with the request (a value of the wrong type, say); they come
// first in the answer, so that one answer lists every problem.
type RegisterInput struct {
	Problems  julo.Problems
	NIK       *string
	PIN       *string
	Email     *string
	Latitude  *float64
	Longitude *float64
}

// Registered is the result of Register: the new application's xid and the
// customer's email and NIK (KTP) as stored.
type Registered struct {
	XID   int64
	Email string
	KTP   string
}

// Register creates a customer and an application at status 100. It returns
// EINVALID with every broken rule, or ECONFLICT when the NIK or email is
// already registered (also when another request wins a race for it): an
// *ExistingApplicationError when what is taken is held by one application
// of the same partner.
func (s *Service) Register(ctx context.Context, p julo.Partner, in RegisterInput) (Registered, error) {
	ps := in.Problems
	now := s.now()
	nik, nikOK := s.checkNIK(&ps, "username", in.NIK, now)
	pin := s.checkPIN(&ps, "pin", in.PIN, nik, nikOK)
	email := s.checkEmail(&ps, "email", in.Email)
	checkCoordinate(&ps, "latitude", in.Latitude, 90, i18n.LatitudeRange)
	checkCoordinate(&ps, "longitude", in.Longitude, 180, i18n.LongRange)
	if err := ps.Err(); err != nil {
		return Registered{}, err
	}
	// Refuse duplicates before spending a PIN hash on them; the unique indexes
	// still decide races below.
	nikHolder, emailHolder, err := s.store.Holders(ctx, nik.Number, email)
	if err != nil {
		return Registered{}, err
	}
	if err := registrationConflict(p, nikHolder, emailHolder); err != nil {
		return Registered{}, err
	}
	hash, keyID, err := s.hashPIN(ctx, pin)
	if err != nil {
		return Registered{}, err
	}
	r := Registration{
		PartnerID: p.ID, NIK: nik.Number, Email: email, PINHash: hash, PINKeyID: keyID,
		Latitude: *in.Latitude, Longitude: *in.Longitude, Status: julo.AppFormCreated, At: now,
	}
	// A fresh random xid collides with an existing one with odds of volume/9e9;
	// a few tries make a failure practically impossible.
	for try := 0; try < 5; try++ {
		if r.XID, err = s.newXID(); err != nil {
			return Registered{}, err
		}
		app, err := s.store.Register(ctx, r)
		switch {
		case julo.IsDuplicate(err, UniqueXID):
			continue
		case julo.IsDuplicate(err, UniqueNIK), julo.IsDuplicate(err, UniqueEmail):
			// Another request won the race: answer as if it had come first.
			return Registered{}, s.lostRace(ctx, p, nik.Number, email, julo.IsDuplicate(err, UniqueNIK))
		case err != nil:
			return Registered{}, err
		}
		return Registered{XID: app.XID, Email: app.Email, KTP: app.NIK}, nil
	}
	return Registered{}, &julo.Error{Code: julo.EUNAVAILABLE, Problems: []julo.Problem{{Msg: i18n.RegisterRaceFailed}}}
}

// Holder is the customer who holds a NIK or an email: its partner and the
// xid of its newest application (0 if it has none).
type Holder struct {
	PartnerID int64
	XID       int64
}

// RegistrationStore finds who holds a NIK or an email.
type RegistrationStore interface {
	// Holders returns the holder of nik and the holder of email, nil for
	// one that nobody holds.
	Holders(ctx context.Context, nik, email string) (nikHolder, emailHolder *Holder, err error)
}

// ExistingApplicationError is the conflict of a registration whose NIK and
// email, as far as they are taken, are held by one application of the same
// partner: most likely the partner's own earlier request, whose answer it
// lost. XID names that application so that the partner can continue it.
// It is never made for another partner's application: that conflict stays
// the plain *julo.Error, indistinguishable from any other.
type ExistingApplicationError struct {
	Err *julo.Error
	XID int64
}

func (e *ExistingApplicationError) Error() string { return e.Err.Error() }
func (e *ExistingApplicationError) Unwrap() error { return e.Err }

// registrationConflict is the 409 for the holders of a registration's NIK
// and email, nil when neither is held.
func registrationConflict(p julo.Partner, nikHolder, emailHolder *Holder) error {
	err := registeredErr(nikHolder != nil, emailHolder != nil, "username")
	if err == nil {
		return nil
	}
	var xid int64
	for _, h := range []*Holder{nikHolder, emailHolder} {
		switch {
		case h == nil:
		case h.PartnerID != p.ID || h.XID == 0 || (xid != 0 && h.XID != xid):
			return err // someone else's, or two applications: nothing to name
		default:
			xid = h.XID
		}
	}
	return &ExistingApplicationError{Err: err.(*julo.Error), XID: xid}
}

// lostRace is the conflict of a registration whose insert broke the NIK
// (nikDup) or the email uniqueness rule: the holders as they are now, the
// broken rule's field held in any case.
func (s *Service) lostRace(ctx context.Context, p julo.Partner, nik, email string, nikDup bool) error {
	nikHolder, emailHolder, err := s.store.Holders(ctx, nik, email)
	if err != nil {
		return err
	}
	// The holder of the broken rule committed before the insert failed; if
	// it is gone again, still report the clash, naming no application.
	if nikDup && nikHolder == nil {
		nikHolder = &Holder{}
	}
	if !nikDup && emailHolder == nil {
		emailHolder = &Holder{}
	}
	return registrationConflict(p, nikHolder, emailHolder)
}

func registeredErr(nikTaken, emailTaken bool, nikField string) error {
	var ps []julo.Problem
	if nikTaken {
		ps = append(ps, julo.Problem{Field: nikField, Msg: i18n.NIKRegistered})
	}
	if emailTaken {
		ps = append(ps, julo.Problem{Field: "email", Msg: i18n.EmailRegistered})
	}
	if ps == nil {
		return nil
	}
	return &julo.Error{Code: julo.ECONFLICT, Problems: ps}
}

// newXID draws a uniformly random 10-digit application xid.
func (s *Service) newXID() (int64, error) {
	n, err := rand.Int(s.rand, big.NewInt(9_000_000_000))
	if err != nil {
		return 0, err
	}
	return n.Int64() + 1_000_000_000, nil
}

// PreregisterInput is the pre-register check request; Problems as in
// RegisterInput.
type PreregisterInput struct {
	Problems julo.Problems
	NIK      *string
	Email    *string
}

// PreregisterCheck succeeds when neither the NIK nor the email is registered.
// A registered one answers EINVALID (HTTP 400) with a title and message. The
// PreregFailures-th such failure within PreregWindow for one email, or for
// one NIK, locks that email or NIK for PreregLock (ELOCKED): probing who is
// a customer takes a fresh NIK and email every few tries, which bounds
// enumeration by either one. (Registration itself still answers 409 for a
// registered NIK; it is not a cheap probe, since success creates a customer.)
func (s *Service) PreregisterCheck(ctx context.Context, in PreregisterInput) error {
	ps := in.Problems
	now := s.now()
	nik, _ := s.checkNIK(&ps, "nik", in.NIK, now)
	email := s.checkEmail(&ps, "email", in.Email)
	if err := ps.Err(); err != nil {
		return err
	}
	// The guards are keyed by HMACs: the table holds no email and no NIK.
	guards := []struct{ field, key string }{{field: "email"}, {field: "nik"}}
	guards[0].key, _ = macHex(s.keys.Lookup, "prereg-email", email)
	guards[1].key, _ = macHex(s.keys.Lookup, "prereg-nik", nik.Number)
	for _, gd := range guards {
		g, err := s.store.PreregGuard(ctx, gd.key)
		if err != nil {
			return err
		}
		if now.Before(g.LockedUntil) {
			return lockedErr(gd.field, g.LockedUntil, now)
		}
	}
	nikTaken, emailTaken, err := s.store.Registered(ctx, nik.Number, email)
	if err != nil || (!nikTaken && !emailTaken) {
		return err
	}
	var locked error
	for _, gd := range guards {
		var g PreregGuard
		err := s.store.UpdatePreregGuard(ctx, gd.key, func(gp *PreregGuard) error {
			if now.Sub(gp.WindowStart) >= s.cfg.PreregWindow || now.Before(gp.WindowStart) {
				gp.Failures, gp.WindowStart = 0, now
			}
			gp.Failures++
			if gp.Failures >= s.cfg.PreregFailures {
				gp.Failures, gp.LockedUntil = 0, now.Add(s.cfg.PreregLock)
			}
			g = *gp
			return nil
		})
		if err != nil {
			return err
		}
		if locked == nil && now.Before(g.LockedUntil) {
			locked = lockedErr(gd.field, g.LockedUntil, now)
		}
	}
	if locked != nil {
		return locked
	}
	e := registeredErr(nikTaken, emailTaken, "nik").(*julo.Error)
	e.Code = julo.EINVALID // the contract answers a registered NIK/email here with 400
	e.Title = &julo.Problem{Msg: i18n.PreregTitle}
	msg := e.Problems[0]
	if len(e.Problems) == 2 {
		// Both: say so in one sentence-sized message.
		msg = julo.Problem{Msg: i18n.NIKRegistered}
	}
	e.Message = &msg
	return e
}

func lockedErr(field string, until, now time.Time) error {
	msg := i18n.PreregLocked
	if field == "nik" {
		msg = i18n.PreregLockedNIK
	}
	return &julo.Error{
		Code:       julo.ELOCKED,
		Problems:   []julo.Problem{{Field: field, Msg: msg, Args: []any{until.UTC().Format(time.RFC3339)}}},
		RetryAfter: until.Sub(now),
	}
}

// PINCheckInput is the check-strong-pin request; Problems as in
// RegisterInput.
type PINCheckInput struct {
	Problems julo.Problems
	NIK      *string
	PIN      *string
}

// CheckStrongPIN returns EINVALID listing every weakness rule the PIN breaks
// (domain §5), or nil when the PIN is strong.
func (s *Service) CheckStrongPIN(ctx context.Context, in PINCheckInput) error {
	ps := in.Problems
	nik, ok := s.checkNIK(&ps, "nik", in.NIK, s.now())
	s.checkPIN(&ps, "pin", in.PIN, nik, ok)
	return ps.Err()
}

// checkNIK validates a required NIK field.
func (s *Service) checkNIK(ps *julo.Problems, field string, v *string, now time.Time) (NIK, bool) {
	raw, ok := required(ps, field, v)
	if !ok {
		return NIK{}, false
	}
	nik, p := ParseNIK(raw, now, s.area.ProvinceCode)
	if p != nil {
		p.Field = field
		*ps = append(*ps, *p)
		return NIK{}, false
	}
	return nik, true
}

// checkPIN validates a required PIN against every weakness rule; the NIK rules
// apply only when the NIK itself is valid.
func (s *Service) checkPIN(ps *julo.Problems, field string, v *string, nik NIK, nikOK bool) string {
	pin, ok := required(ps, field, v)
	if !ok {
		return ""
	}
	if !nikOK {
		nik = NIK{}
	}
	for _, m := range PINWeaknesses(pin, nik) {
		ps.Add(field, m)
	}
	return pin
}

// checkEmail validates a required email and the blocked-domain rule.
func (s *Service) checkEmail(ps *julo.Problems, field string, v *string) string {
	raw, ok := required(ps, field, v)
	if !ok {
		return ""
	}
	email, ok := NormalizeEmail(raw)
	if !ok {
		ps.Add(field, i18n.EmailInvalid)
		return ""
	}
	if domain, blocked := BlockedEmailDomain(email, s.cfg.BlockedEmailDomains); blocked {
		ps.Add(field, i18n.EmailDomainBlocked, domain)
		return ""
	}
	return email
}

func checkCoordinate(ps *julo.Problems, field string, v *float64, limit float64, msg i18n.Msg) {
	if ps.Has(field) {
		return
	}
	if v == nil {
		ps.Add(field, i18n.Required)
		return
	}
	if math.IsNaN(*v) || *v < -limit || *v > limit {
		ps.Add(field, msg)
	}
}

// required returns the trimmed value of a required string field, recording a
// problem when it is absent or blank (unless the decoder already reported one).
func required(ps *julo.Problems, field string, v *string) (string, bool) {
	if ps.Has(field) {
		return "", false
	}
	if v == nil || strings.TrimSpace(*v) == "" {
		ps.Add(field, i18n.Required)
		return "", false
	}
	return strings.TrimSpace(*v), true
}
