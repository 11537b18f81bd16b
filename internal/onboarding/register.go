package onboarding

import (
	"context"
	"crypto/rand"
	"errors"
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
	// CallbackURL and CallbackToken are the application's own callback
	// target (production's per-customer callback), checked by the
	// Callbacks port.
	CallbackURL   *string
	CallbackToken *string
}

// Registered is the result of Register: the new application's xid and the
// customer's email and NIK (KTP) as stored.
type Registered struct {
	XID   int64
	Email string
	KTP   string
}

// Register creates a customer and an application at status 100, or, when
// the NIK's customer no longer holds it (see claimOf), a new application for
// that customer. It returns EINVALID with every broken rule, ELOCKED for a
// NIK or email locked by failed checks, or ECONFLICT when the NIK or email
// is held (also when another request wins a race for it): an
// *ExistingApplicationError when what is named is held by one application
// of the same partner (see registrationRefusal for what is named, and what
// counts as a failed check). A valid registration spends a unit of the
// partner's registrations_per_hour budget first (ETOOMANY when none is
// left, before anything else is looked at or counted), which a refused one
// gives back: the budget counts customers registered.
func (s *Service) Register(ctx context.Context, p julo.Partner, in RegisterInput) (Registered, error) {
	ps := in.Problems
	now := s.now()
	nik, nikOK := s.checkNIK(&ps, "username", in.NIK, now)
	pin := s.checkPIN(&ps, "pin", in.PIN, nik, nikOK)
	email := s.checkEmail(&ps, "email", in.Email)
	checkCoordinate(&ps, "latitude", in.Latitude, 90, i18n.LatitudeRange)
	checkCoordinate(&ps, "longitude", in.Longitude, 180, i18n.LongRange)
	cb, err := s.checkCallback(ctx, &ps, p, in)
	if err != nil {
		return Registered{}, err
	}
	if err := ps.Err(); err != nil {
		return Registered{}, err
	}
	unit, err := s.spend(ctx, p, BudgetRegistrations)
	if err != nil {
		return Registered{}, err
	}
	out, err := s.register(ctx, p, in, nik, pin, email, cb, now)
	if err != nil {
		return Registered{}, s.refund(ctx, unit, err)
	}
	return out, nil
}

// register is Register once the request is valid and its unit spent.
func (s *Service) register(ctx context.Context, p julo.Partner, in RegisterInput, nik NIK, pin, email string, cb callbackTarget, now time.Time) (Registered, error) {
	var r Registration
	// A try that loses a race (another registration took the NIK or email,
	// or changed a claim this one takes over, or drew the same xid) looks
	// again: the unique indexes decide, the answer is as if the winner had
	// come first. A fresh random xid collides with odds of volume/9e9.
	for try := 0; try < 5; try++ {
		c, err := s.claims(ctx, nik.Number, email, now)
		if err != nil {
			return Registered{}, err
		}
		// Refuse before spending a PIN hash.
		if err := s.registrationRefusal(ctx, p, nik.Number, email, c, now); err != nil {
			return Registered{}, err
		}
		if r.PINHash == "" {
			hash, keyID, err := s.hashPIN(ctx, pin)
			if err != nil {
				return Registered{}, err
			}
			r = Registration{
				PartnerID: p.ID, NIK: nik.Number, Email: email, PINHash: hash, PINKeyID: keyID,
				Latitude: *in.Latitude, Longitude: *in.Longitude, Status: julo.AppFormCreated, At: now,
				CallbackURL: cb.url, CallbackToken: cb.token,
			}
		}
		r.Release = c.release
		if r.XID, err = s.newXID(); err != nil {
			return Registered{}, err
		}
		app, err := s.store.Register(ctx, r)
		switch {
		case julo.IsDuplicate(err, UniqueXID), julo.IsDuplicate(err, UniqueNIK), julo.IsDuplicate(err, UniqueEmail),
			errors.Is(err, ErrClaimChanged):
			continue
		case err != nil:
			return Registered{}, err
		}
		return Registered{XID: app.XID, Email: app.Email, KTP: app.NIK}, nil
	}
	return Registered{}, &julo.Error{Code: julo.EUNAVAILABLE, Problems: []julo.Problem{{Msg: i18n.RegisterRaceFailed}}}
}

// Holder is the customer who holds a NIK or an email, with its newest
// application: that application's partner, xid (0 if it has none), status
// and the time it reached that status.
type Holder struct {
	CustomerID int64
	PartnerID  int64
	XID        int64
	Status     julo.AppStatus
	Since      time.Time
}

// ErrClaimChanged is the store's answer to a registration one of whose
// Release claims changed before it committed (the customer was taken back,
// or its application moved on): nothing was written.
var ErrClaimChanged = errors.New("a claim the registration takes over changed meanwhile")

// RegistrationStore finds who holds a NIK or an email, and expires idle
// applications (which frees them).
type RegistrationStore interface {
	// Holders returns the customer holding nik and the one holding email
	// (a released claim holds nothing), nil for one that nobody holds.
	Holders(ctx context.Context, nik, email string) (nikHolder, emailHolder *Holder, err error)
	ExpiryStore
}

// ExistingApplicationError is the conflict of a registration whose NIK and
// email, as far as the answer names them, are held by one application of
// the same partner: most likely the partner's own earlier request, whose
// answer it lost. XID names that application so that the partner can
// continue it. It is never made for another partner's application: that
// conflict stays the plain *julo.Error, indistinguishable from any other.
type ExistingApplicationError struct {
	Err *julo.Error
	XID int64
}

func (e *ExistingApplicationError) Error() string { return e.Err.Error() }
func (e *ExistingApplicationError) Unwrap() error { return e.Err }

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

// PreregisterCheck succeeds when neither the NIK nor the email is held (by
// the rule registration applies: a NIK or email whose claim has lapsed is
// free). A held one answers EINVALID (HTTP 400) with a title and message.
// Such a failure counts against the guard of each value that matched (the
// held NIK, the held email), never against the other value sent with it, so
// that nobody can lock a stranger's email by sending it with a NIK known to
// be registered. The PreregFailures-th failure within PreregWindow of one
// value, here or at registration (see registrationRefusal), locks it for
// PreregLock (ELOCKED): probing who is a customer takes a fresh value every
// few tries, which bounds enumeration by either one. Each valid check
// spends a unit of the partner's prereg_checks_per_minute budget, whatever
// its answer; with none left it is ETOOMANY before any guard is read or
// counted.
func (s *Service) PreregisterCheck(ctx context.Context, p julo.Partner, in PreregisterInput) error {
	ps := in.Problems
	now := s.now()
	nik, _ := s.checkNIK(&ps, "nik", in.NIK, now)
	email := s.checkEmail(&ps, "email", in.Email)
	if err := ps.Err(); err != nil {
		return err
	}
	if _, err := s.spend(ctx, p, BudgetPreregChecks); err != nil {
		return err
	}
	gs := s.guards(nik.Number, email, "nik")
	if err := s.checkLocks(ctx, gs, now); err != nil {
		return err
	}
	c, err := s.claims(ctx, nik.Number, email, now)
	if err != nil {
		return err
	}
	nikTaken, emailTaken := c.nik != nil, c.email != nil
	if !nikTaken && !emailTaken {
		return nil
	}
	var locked error
	for _, g := range gs {
		if g.nik && !nikTaken || !g.nik && !emailTaken {
			continue
		}
		l, err := s.countFailure(ctx, g, now)
		if err != nil {
			return err
		}
		if locked == nil {
			locked = l
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

// Callbacks checks a registration's own callback target against the
// partner's callback configuration (notify.Service): it returns the URL
// and token to store ("" for none) and the problems, by field.
type Callbacks interface {
	CheckCallback(ctx context.Context, p julo.Partner, url, token *string) (string, string, julo.Problems, error)
}

type callbackTarget struct{ url, token string }

// checkCallback checks callback_url and callback_token, adding their
// problems to ps. Without a Callbacks port they are ignored, as unknown
// fields are (errata 5).
func (s *Service) checkCallback(ctx context.Context, ps *julo.Problems, p julo.Partner, in RegisterInput) (callbackTarget, error) {
	if s.callbacks == nil || in.CallbackURL == nil && in.CallbackToken == nil {
		return callbackTarget{}, nil
	}
	url, token := in.CallbackURL, in.CallbackToken
	if ps.Has("callback_url") {
		url = nil
	}
	if ps.Has("callback_token") {
		token = nil
	}
	u, t, problems, err := s.callbacks.CheckCallback(ctx, p, url, token)
	if err != nil {
		return callbackTarget{}, err
	}
	*ps = append(*ps, problems...)
	return callbackTarget{url: u, token: t}, nil
}
