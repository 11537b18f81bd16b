package credit

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Activation (issue 12 items 6-8): the customer accepts or declines the
// offer with their PIN, an offer not accepted in time expires, and a
// customer may object to an automatic rejection.
//
//   - POST input-pin checks the customer's PIN (the argon2id hash from the
//     registration) and opens a "PIN verified" window of PINWindow for the
//     application (production's name and meaning). A wrong PIN says how
//     many tries remain; PINMaxWrong consecutive wrong PINs lock PIN use for
//     the customer (all their applications) for PINLock. The tries are
//     counted in the database before the PIN is checked, so that neither
//     concurrent requests nor several instances get more guesses than that.
//   - POST limit-activation inside an open window at 130 accepts (130 ->
//     141 -> 190, and the credit account opens with the offer's set limit,
//     all of it available) or declines (130 -> 142), in one transaction.
//   - An offer not accepted within the policy's offer_valid_days of the
//     application reaching 130 expires (130 -> 139) by a periodic job.
//   - Within the policy's review_request_days of an automatic rejection (the engine's decision at
//     135) the customer may ask for a person to review it (UU PDP); the
//     application joins the manual-review queue at 135, and an operator
//     may overturn the rejection (135 -> 130, a decision recorded as an
//     overturn) or uphold it.

// ActivationRules are the activation's numbers.
type ActivationRules struct {
	// PINWindow is how long a verified PIN lets the customer act (5
	// minutes, production's).
	PINWindow time.Duration
	// PINMaxWrong consecutive wrong PINs lock PIN use for PINLock.
	PINMaxWrong int
	PINLock     time.Duration
	// How long an offer stands and how long a rejection may be objected
	// to are the policy's (offer_valid_days, review_request_days).
}

// DefaultActivationRules are the numbers.
func DefaultActivationRules() ActivationRules {
	return ActivationRules{PINWindow: 5 * time.Minute, PINMaxWrong: 5, PINLock: time.Hour}
}

// Reason codes of the activation's status moves (the history's reasons)
// and of its decisions.
const (
	ReasonLimitAccepted   = "limit_accepted"
	ReasonAccountOpened   = "credit_account_opened"
	ReasonLimitDeclined   = "limit_declined"
	ReasonOfferExpired    = "offer_expired"
	ReasonReviewOverturn  = "review_overturned"
	ReasonReviewUpheld    = "review_upheld"
	ReviewOutcomeOverturn = "overturned"
	ReviewOutcomeUpheld   = "upheld"
	// ReviewOutcomeErased closes the open review request of a customer
	// who is erased: there is no one left to review it for.
	ReviewOutcomeErased = "erased"
)

// PINVerifier checks a PIN against a customer's stored hash
// (onboarding.Service).
type PINVerifier interface {
	VerifyPIN(ctx context.Context, pin, hash, keyID string) (bool, error)
}

// PINAttempt is one counted PIN try of a customer, as the store reserved it.
type PINAttempt struct {
	CustomerID  int64
	Hash, KeyID string // the customer's PIN hash and its pepper's key id
	// LockedUntil, when after the try's time, is a lock in force: the try
	// was not counted and the PIN must not be checked.
	LockedUntil time.Time
	// Wrong is the customer's consecutive wrong tries with this one
	// counted as wrong (a right PIN resets them).
	Wrong int
}

// Account is a customer's credit account, opened at 190.
type Account struct {
	ApplicationID  int64
	SetLimit       julo.Money
	AvailableLimit julo.Money
	UsedLimit      julo.Money
	OpenedAt       time.Time
}

// ActivationFacts is what the store reads, holding the application's row,
// before an activation: its status, its PIN window and its offer.
type ActivationFacts struct {
	Status         julo.AppStatus
	PINVerifiedTo  time.Time // zero: no window was ever opened
	Offer          *Offer    // the newest approved decision's; nil: none
	PolicyVersion  string
	OfferDecidedAt time.Time
}

// ReviewRequest is a customer's objection to an automatic rejection.
type ReviewRequest struct {
	ID             int64
	ApplicationID  int64
	ApplicationXID int64
	Reason         string // the customer's words: personal data, sealed at rest
	RequestedAt    time.Time
	// Resolution is "" while pending, then ReviewOutcome*.
	Resolution string
	ResolvedAt time.Time
	Operator   string
}

// ReviewFacts is what the store reads, holding the application's row,
// before a review request or an operator's review decision.
type ReviewFacts struct {
	Status  julo.AppStatus
	Last    *Decision      // the newest decision; nil: none
	Pending *ReviewRequest // the open review request; nil: none
	Round   int            // the latest assessment round
}

// ActivationStore is the storage the activation needs; each method is one
// transaction.
type ActivationStore interface {
	ApplicationByXID(ctx context.Context, xid int64) (onboarding.Application, error)
	// BeginPINAttempt reserves a PIN try of the application's customer at
	// now: unless a lock is in force it counts the try as wrong, and the
	// maxWrong-th consecutive one locks PIN use until now+lock. A lock
	// that has ended is lifted and the count starts again.
	BeginPINAttempt(ctx context.Context, applicationID int64, now time.Time, maxWrong int, lock time.Duration) (PINAttempt, error)
	// PINVerified records a right PIN: the customer's wrong tries and any
	// lock are cleared, and the application's PIN window runs from at
	// until until.
	PINVerified(ctx context.Context, applicationID, customerID int64, at, until time.Time) error
	// ActivateLimit holds the application's row, reads its facts and, if
	// check accepts them, accepts (130 -> 141 -> 190 and the credit account
	// with the offer's set limit) or declines (130 -> 142) at `at`.
	ActivateLimit(ctx context.Context, applicationID int64, accept bool, at time.Time,
		check func(ActivationFacts) error) (Account, error)
	// StaleOffers lists, ascending after afterID, at most limit
	// applications at 130 that reached it at or before cutoff.
	StaleOffers(ctx context.Context, cutoff time.Time, afterID int64, limit int) ([]int64, error)
	// ExpireOffer moves application id 130 -> 139 at `at` if it is still
	// at 130 since cutoff or before, holding its row; it reports whether it
	// did.
	ExpireOffer(ctx context.Context, id int64, cutoff, at time.Time) (bool, error)
	// RequestReview holds the application's row and, if check accepts its
	// facts, stores the review request (the reason sealed).
	RequestReview(ctx context.Context, applicationID int64, reason string, at time.Time,
		check func(ReviewFacts) error) (ReviewRequest, error)
	// DecideReview holds the application's row and, if build accepts its
	// facts, appends the decision build returns, resolves the open review
	// request (outcome, the decision's operator) and moves the application
	// to d.ToStatus when it differs from d.FromStatus; it returns the
	// decision.
	DecideReview(ctx context.Context, applicationID int64, outcome string,
		build func(ReviewFacts) (Decision, error)) (Decision, error)
	// ReviewRequests lists the pending review requests (the manual-review
	// queue of objections), oldest first.
	ReviewRequests(ctx context.Context) ([]ReviewRequest, error)
}

// ActivationDeps are the activation's collaborators.
type ActivationDeps struct {
	Store  ActivationStore
	PINs   PINVerifier
	Policy Policy // offer_valid_days and the product's limits
	Rules  ActivationRules
	Now    func() time.Time
}

// Activation runs the activation's operations.
type Activation struct {
	store  ActivationStore
	pins   PINVerifier
	policy Policy
	rules  ActivationRules
	now    julo.Clock
}

// NewActivation returns an Activation; zero rules are the defaults.
func NewActivation(d ActivationDeps) *Activation {
	if d.Rules == (ActivationRules{}) {
		d.Rules = DefaultActivationRules()
	}
	return &Activation{store: d.Store, pins: d.PINs, policy: d.Policy, rules: d.Rules, now: d.Now}
}

// Rules are the activation's numbers in force.
func (a *Activation) Rules() ActivationRules { return a.rules }

// InputPINInput is the input-pin request; Problems are the decoder's.
type InputPINInput struct {
	Problems       julo.Problems
	ApplicationXID *string
	PIN            *string
}

// InputPIN checks the customer's PIN and opens the application's PIN
// window; it returns the window's end.
func (a *Activation) InputPIN(ctx context.Context, p julo.Partner, in InputPINInput) (time.Time, error) {
	ps := in.Problems
	xid := requiredText(&ps, "application_xid", in.ApplicationXID)
	pin := requiredText(&ps, "pin", in.PIN)
	if pin != "" && (len(pin) != 6 || strings.Trim(pin, "0123456789") != "") {
		ps.Add("pin", i18n.PINFormat)
	}
	if err := ps.Err(); err != nil {
		return time.Time{}, err
	}
	app, err := partnerApplication(ctx, a.store, p, xid)
	if err != nil {
		return time.Time{}, err
	}
	now := a.now.Now()
	r := a.rules
	at, err := a.store.BeginPINAttempt(ctx, app.ID, now, r.PINMaxWrong, r.PINLock)
	if err != nil {
		return time.Time{}, err
	}
	if now.Before(at.LockedUntil) {
		return time.Time{}, pinLocked(at.LockedUntil, now)
	}
	ok, err := a.pins.VerifyPIN(ctx, pin, at.Hash, at.KeyID)
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		if left := r.PINMaxWrong - at.Wrong; left > 0 {
			return time.Time{}, julo.Errorf(julo.EINVALID, "pin", i18n.PINWrong, left)
		}
		return time.Time{}, pinLocked(now.Add(r.PINLock), now)
	}
	until := now.Add(r.PINWindow)
	if err := a.store.PINVerified(ctx, app.ID, at.CustomerID, now, until); err != nil {
		return time.Time{}, err
	}
	return until, nil
}

// pinLocked is the 423 of a lock that ends at until.
func pinLocked(until, now time.Time) error {
	wait := until.Sub(now)
	secs := int((wait + time.Second - 1) / time.Second)
	return &julo.Error{Code: julo.ELOCKED, RetryAfter: wait,
		Problems: []julo.Problem{{Field: "pin", Msg: i18n.PINLocked, Args: []any{secs, until.UTC().Format(time.RFC3339)}}}}
}

// ActivationResult is what a limit activation answers.
type ActivationResult struct {
	Status  julo.AppStatus
	Offer   Offer
	Account *Account // nil after a decline
}

// ActivateLimitInput is the limit-activation request.
type ActivateLimitInput struct {
	Problems julo.Problems
	Accept   *bool
}

// ActivateLimit accepts or declines the application's offer inside an open
// PIN window.
func (a *Activation) ActivateLimit(ctx context.Context, p julo.Partner, xid string, in ActivateLimitInput) (ActivationResult, error) {
	ps := in.Problems
	if in.Accept == nil && !ps.Has("accept") {
		ps.Add("accept", i18n.Required)
	}
	if err := ps.Err(); err != nil {
		return ActivationResult{}, err
	}
	app, err := partnerApplication(ctx, a.store, p, xid)
	if err != nil {
		return ActivationResult{}, err
	}
	now := a.now.Now()
	var offer Offer
	acc, err := a.store.ActivateLimit(ctx, app.ID, *in.Accept, now, func(f ActivationFacts) error {
		if err := CheckActivation(f, now); err != nil {
			return err
		}
		offer = *f.Offer
		return nil
	})
	if err != nil {
		return ActivationResult{}, err
	}
	if !*in.Accept {
		return ActivationResult{Status: julo.AppActivationRejected, Offer: offer}, nil
	}
	return ActivationResult{Status: julo.AppLimitReady, Offer: offer, Account: &acc}, nil
}

// CheckActivation is the activation's rule on the facts the store holds:
// the application at 130 with an offer, and a PIN window open at now.
func CheckActivation(f ActivationFacts, now time.Time) error {
	if f.Status != julo.AppLimitGenerated {
		return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
			Problems: []julo.Problem{{Msg: i18n.LimitNotOffered, Args: []any{int(f.Status), f.Status.Name()}}}}
	}
	if !now.Before(f.PINVerifiedTo) {
		return &julo.Error{Code: julo.EFORBIDDEN, Problems: []julo.Problem{{Msg: i18n.PINNotVerified}}}
	}
	if f.Offer == nil || f.Offer.SetLimit <= 0 {
		// 130 is reached by a decision with an offer only.
		return &julo.Error{Code: julo.EINTERNAL, Err: errNoOffer}
	}
	return nil
}

type activationError string

func (e activationError) Error() string { return string(e) }

const errNoOffer = activationError("credit: an application at 130 has no approved decision with an offer")

// OfferExpiryJob expires offers not accepted in time (ExpireOffers); River
// inserts it every OfferExpiryEvery.
type OfferExpiryJob struct{}

// Kind implements julo.Job.
func (OfferExpiryJob) Kind() string { return "credit_offer_expiry" }

// OfferExpiryEvery is how often the offer expiry runs: an offer expires at
// most this long after its time.
const OfferExpiryEvery = time.Hour

const offerExpiryBatch = 200

// OfferValidity is how long an offer stands: the policy's offer_valid_days.
func (a *Activation) OfferValidity() time.Duration {
	return time.Duration(a.policy.OfferValidDays) * 24 * time.Hour
}

// ExpireOffers runs an OfferExpiryJob: every application at 130 for the
// policy's offer_valid_days or longer moves to 139, each in a transaction
// of its own; one's failure does not stop the others (the next run tries
// again).
func (a *Activation) ExpireOffers(ctx context.Context, _ OfferExpiryJob) error {
	now := a.now.Now()
	cutoff := now.Add(-a.OfferValidity())
	var errs []error
	for after := int64(0); ; {
		ids, err := a.store.StaleOffers(ctx, cutoff, after, offerExpiryBatch)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, id := range ids {
			if _, err := a.store.ExpireOffer(ctx, id, cutoff, now); err != nil {
				errs = append(errs, err)
			}
		}
		if len(ids) < offerExpiryBatch {
			return errors.Join(errs...)
		}
		after = ids[len(ids)-1]
	}
}

// requiredText is a required text field, trimmed ("" when missing: the
// problem is added).
func requiredText(ps *julo.Problems, field string, v *string) string {
	if ps.Has(field) {
		return ""
	}
	if v == nil || strings.TrimSpace(*v) == "" {
		ps.Add(field, i18n.Required)
		return ""
	}
	return strings.TrimSpace(*v)
}

// partnerApplication is p's application xid, or ENOTFOUND, as the
// service's own application lookup answers.
func partnerApplication(ctx context.Context, st onboarding.XIDReader, p julo.Partner, xid string) (onboarding.Application, error) {
	return onboarding.PartnerApplication(ctx, st, p, xid)
}
