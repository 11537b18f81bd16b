package credit

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// IdentityQuery is what the identity check sends to the population
// registry. Personal data: it is never logged nor recorded.
type IdentityQuery struct {
	NIK      string
	Fullname string
	DOB      string // YYYY-MM-DD
}

// Identity checks a NIK, name and birth date against the population
// registry (as Dukcapil offers lenders). Any error counts as the vendor
// being unavailable: the assessment tries again, then sends the
// application to manual review.
type Identity interface {
	CheckIdentity(ctx context.Context, q IdentityQuery) (IdentityMatch, error)
}

// Bureau reports the customer's loans at other lenders (as the FDC offers).
// Any error counts as the vendor being unavailable.
type Bureau interface {
	CheckBureau(ctx context.Context, nik string) (BureauReport, error)
}

// AssessJob assesses one round of an application. The store inserts it in
// the transaction that moves the application to 105 (round 1) or to 120
// (documents submitted, the next round).
type AssessJob struct {
	ApplicationID int64 `json:"application_id"`
	Round         int   `json:"round"`
}

// Kind implements julo.Job.
func (AssessJob) Kind() string { return "credit_assessment" }

// Evidence is what the store holds of an application for an assessment.
type Evidence struct {
	Application onboarding.Application // with the NIK
	Round       int                    // the round asked for, or the latest
	Decided     bool                   // the round has a decision already
	// VendorFailures counts the round's runs that found a vendor unavailable.
	VendorFailures int
	// Fullname and DOB are the complete step's (personal data: sent to the
	// identity check only).
	Fullname, DOB string
	Declared      Declared
	PhoneVerified bool
	BPJSVerified  bool
	BankVerified  bool
	// Documents are the documents in (Doc*): paystub and bank_statement
	// images, a verified bank import, a verified BPJS login.
	Documents []string
}

// Store is the storage the credit domain needs; each method is one
// transaction.
type Store interface {
	ApplicationByXID(ctx context.Context, xid int64) (onboarding.Application, error)
	// Evidence returns the application's evidence for the round (0: the
	// latest round); ENOTFOUND when the round does not exist.
	Evidence(ctx context.Context, applicationID int64, round int) (Evidence, error)
	// VendorFailed counts a run of the round that found a vendor
	// unavailable and returns the count.
	VendorFailed(ctx context.Context, applicationID int64, round int) (int, error)
	// RecordDecision appends d and marks its round (d.Round; 0: the latest)
	// decided, and moves the application from d.FromStatus to d.ToStatus
	// through the status machine (reason: d.ReasonCodes) when they differ,
	// in one transaction. ErrDecided when the application is no longer at
	// d.FromStatus, or, for the engine's decision, the round was decided
	// already; nothing is written then.
	RecordDecision(ctx context.Context, applicationID int64, d Decision) error
	// Decisions returns the application's decision records, oldest first.
	Decisions(ctx context.Context, applicationID int64) ([]Decision, error)
	// SubmitDocuments moves the application from 105 to 120 (reason
	// documents_submitted), opens the next round and inserts its AssessJob,
	// in one transaction, if check accepts the status, the latest decision
	// (nil: none) and the documents in.
	SubmitDocuments(ctx context.Context, applicationID int64, at time.Time,
		check func(status julo.AppStatus, last *Decision, documents []string) error) error
	// CreditStatusFacts reads what the status's credit part shows.
	CreditStatusFacts(ctx context.Context, applicationID int64) (StatusFacts, error)
}

// ErrDecided is the store's answer to a decision for a round decided
// already (by another run, or an operator), or for an application that has
// moved on.
var ErrDecided = &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
	Problems: []julo.Problem{{Msg: i18n.CreditAlreadyDecided}}}

// Deps are the service's collaborators.
type Deps struct {
	Store    Store
	Identity Identity
	Bureau   Bureau
	Policy   Policy
	Now      func() time.Time
}

// Service runs assessments, reads decisions and takes operator decisions.
type Service struct {
	store    Store
	identity Identity
	bureau   Bureau
	policy   Policy
	now      julo.Clock
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{store: d.Store, identity: d.Identity, bureau: d.Bureau, policy: d.Policy, now: d.Now}
}

// Policy is the policy in force.
func (s *Service) Policy() Policy { return s.policy }

// Assess runs one assessment round: it gathers the evidence, asks the
// identity registry and the bureau, applies the policy and records the
// decision. A round decided already (another run, an operator) is left
// alone. A vendor that is unavailable is asked again VendorRetrySeconds
// later (RunLater), VendorAttempts times in all; then the application goes
// to manual review with reason identity_unavailable or bureau_unavailable.
// The personal data sent to the identity check is never logged or recorded.
func (s *Service) Assess(ctx context.Context, j AssessJob) error {
	ev, err := s.store.Evidence(ctx, j.ApplicationID, j.Round)
	if err != nil {
		return err
	}
	at := ev.Application.Status
	if ev.Decided || at != julo.AppFormSubmitted && at != julo.AppDocumentsSubmitted {
		return nil
	}
	now := s.now.Now()
	f := Facts{Declared: ev.Declared, PhoneVerified: ev.PhoneVerified, BPJSVerified: ev.BPJSVerified, BankVerified: ev.BankVerified,
		Documents: ev.Documents, AtDocumentsSubmitted: at == julo.AppDocumentsSubmitted, Day: now}
	if nik, p := onboarding.ParseNIK(ev.Application.NIK, now, nil); p == nil {
		f.AgeYears = AgeOn(nik.BirthDate, now)
	} else if dob, err := time.Parse(time.DateOnly, ev.DOB); err == nil {
		f.AgeYears = AgeOn(dob, now)
	}
	var d Decision
	match, err := s.identity.CheckIdentity(ctx, IdentityQuery{NIK: ev.Application.NIK, Fullname: ev.Fullname, DOB: ev.DOB})
	switch {
	case err != nil:
		if d, err = s.unavailable(ctx, ev, f, "identity", ReasonIdentityUnavailable); err != nil {
			return err
		}
	case match != IdentityMatched:
		f.Identity = match
		d = s.policy.Assess(f, at)
	default:
		f.Identity = match
		report, err := s.bureau.CheckBureau(ctx, ev.Application.NIK)
		if err != nil {
			if d, err = s.unavailable(ctx, ev, f, "bureau", ReasonBureauUnavailable); err != nil {
				return err
			}
			break
		}
		f.Bureau = report
		d = s.policy.Assess(f, at)
	}
	d.Round, d.DecidedAt = ev.Round, now
	err = s.store.RecordDecision(ctx, ev.Application.ID, d)
	if errors.Is(err, ErrDecided) {
		return nil
	}
	return err
}

// unavailable counts a vendor's failure: a RunLater while attempts remain,
// else the manual-review decision.
func (s *Service) unavailable(ctx context.Context, ev Evidence, f Facts, vendor, reason string) (Decision, error) {
	n, err := s.store.VendorFailed(ctx, ev.Application.ID, ev.Round)
	if err != nil {
		return Decision{}, err
	}
	a := s.policy.Assessment
	if n < a.VendorAttempts {
		return Decision{}, &julo.RunLater{After: time.Duration(a.VendorRetrySeconds) * time.Second}
	}
	at := ev.Application.Status
	in := f.inputs()
	in = append(in, Input{vendor + "_attempts", strconv.Itoa(n), "engine"})
	for i := range in {
		if in[i].Name == "identity" && vendor == "identity" {
			in[i].Value = "unavailable"
		}
	}
	if vendor == "bureau" {
		in = append(in, Input{"bureau", "unavailable", SourceBureau})
	}
	return Decision{PolicyVersion: s.policy.Version, Outcome: OutcomeManualReview, FromStatus: at, ToStatus: OutcomeManualReview.Status(at),
		ReasonCodes: []string{reason}, Inputs: in, Knockouts: []Check{{Name: vendor, Value: "unavailable",
			Rule: "the " + vendor + " vendor answers within " + strconv.Itoa(a.VendorAttempts) + " attempts", Passed: false}},
		DecidedBy: DecidedByEngine}, nil
}

// errFlagNotReady is production's answer to submit-document-flag before
// documents are requested.
var errFlagNotReady = &julo.Error{Code: julo.EINVALID, Reason: julo.ReasonStatus,
	Problems: []julo.Problem{{Msg: i18n.DocumentFlagNotReady}}}

// DocumentsRequested reports whether the latest decision asked for
// documents and the application still waits for them: at 105 (the
// engine's request) or at 131 (an operator's, RequestDocuments).
func DocumentsRequested(status julo.AppStatus, last *Decision) bool {
	return (status == julo.AppFormSubmitted || status == julo.AppResubmission) && last != nil && last.Outcome == OutcomeDocuments
}

// SubmitDocumentFlag is POST submit-document-flag: once documents were
// requested and at least one is in, the application moves 105 (or 131) -> 120 and a
// new assessment counts the new evidence.
func (s *Service) SubmitDocumentFlag(ctx context.Context, p julo.Partner, xid string) error {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return err
	}
	return s.store.SubmitDocuments(ctx, app.ID, s.now.Now(), func(status julo.AppStatus, last *Decision, docs []string) error {
		if !DocumentsRequested(status, last) {
			return errFlagNotReady
		}
		if len(docs) == 0 {
			return &julo.Error{Code: julo.EINVALID, Reason: julo.ReasonStatus, Problems: []julo.Problem{{Msg: i18n.DocumentsMissing}}}
		}
		return nil
	})
}

// application is p's application xid, or ENOTFOUND (as onboarding's).
func (s *Service) application(ctx context.Context, p julo.Partner, xid string) (onboarding.Application, error) {
	return onboarding.PartnerApplication(ctx, s.store, p, xid)
}

// OperatorDecision is an operator's decision on an application in manual
// review (125) or with documents submitted (120).
type OperatorDecision struct {
	Approve bool
	// Limit is the approved set limit; 0: the engine's last offer.
	Limit      julo.Money
	ReasonCode string // a rejection's reason code (snake_case)
	Reason     string
	Operator   string
}

var reasonCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,49}$`)

// Decide records an operator's decision and moves the application to 130
// (approve) or 135 (reject).
func (s *Service) Decide(ctx context.Context, xid int64, od OperatorDecision) (Decision, error) {
	od.Operator, od.Reason = strings.TrimSpace(od.Operator), strings.TrimSpace(od.Reason)
	if od.Operator == "" || od.Reason == "" || len(od.Operator) > 100 || len(od.Reason) > 1000 {
		return Decision{}, errors.New("an operator decision needs --operator NAME (at most 100 characters) and --reason TEXT (at most 1000)")
	}
	app, err := s.store.ApplicationByXID(ctx, xid)
	if err != nil {
		return Decision{}, err
	}
	if app.Status != julo.AppManualReview && app.Status != julo.AppDocumentsSubmitted {
		return Decision{}, errors.New("application " + strconv.FormatInt(xid, 10) + " is at " + app.Status.String() +
			": an operator decides applications at 125 MANUAL_REVIEW or 120 DOCUMENTS_SUBMITTED")
	}
	decisions, err := s.store.Decisions(ctx, app.ID)
	if err != nil {
		return Decision{}, err
	}
	var offer *Offer
	for i := len(decisions) - 1; i >= 0 && offer == nil; i-- {
		offer = decisions[i].Offer
	}
	pr := s.policy.Product
	d := Decision{PolicyVersion: s.policy.Version, FromStatus: app.Status, Knockouts: []Check{}, DecidedBy: "operator:" + od.Operator,
		Operator: &OperatorReason{Name: od.Operator, Reason: od.Reason}, DecidedAt: s.now.Now()}
	if od.Approve {
		limit := od.Limit
		if limit == 0 && offer != nil {
			limit = offer.SetLimit
		}
		switch {
		case limit == 0:
			return Decision{}, errors.New("no limit was computed for this application: give --limit N")
		case limit > pr.MaxLimit:
			return Decision{}, errors.New("--limit " + money(limit) + " is above the product maximum " + money(pr.MaxLimit))
		case limit < pr.MinLoan:
			return Decision{}, errors.New("--limit " + money(limit) + " is below the minimum loan " + money(pr.MinLoan))
		}
		maxLimit := limit
		if offer != nil && offer.MaxLimit > maxLimit {
			maxLimit = offer.MaxLimit
		}
		d.Outcome, d.ReasonCodes, d.Offer = OutcomeApproved, []string{ReasonOperatorApproved}, &Offer{MaxLimit: maxLimit, SetLimit: limit}
		d.Inputs = []Input{{"set_limit", money(limit), SourceOperator}}
	} else {
		if !reasonCode.MatchString(od.ReasonCode) {
			return Decision{}, errors.New("--reason-code: give a snake_case code of 2 to 50 characters (like low_score or fraud_suspected)")
		}
		d.Outcome, d.ReasonCodes, d.Inputs = OutcomeRejected, []string{od.ReasonCode}, []Input{}
	}
	d.ToStatus = d.Outcome.Status(app.Status)
	if err := s.store.RecordDecision(ctx, app.ID, d); err != nil {
		if errors.Is(err, ErrDecided) {
			return Decision{}, errors.New("the application was decided meanwhile: show it again")
		}
		return Decision{}, err
	}
	return d, nil
}

// Review is what `julo application show` prints: the application, its
// evidence and its decision records.
type Review struct {
	Application onboarding.Application
	Evidence    Evidence
	Decisions   []Decision
}

// Show returns the application's review: evidence (without personal data
// beyond what the operator needs) and decisions.
func (s *Service) Show(ctx context.Context, xid int64) (Review, error) {
	app, err := s.store.ApplicationByXID(ctx, xid)
	if err != nil {
		return Review{}, err
	}
	r := Review{Application: app}
	if r.Decisions, err = s.store.Decisions(ctx, app.ID); err != nil {
		return Review{}, err
	}
	ev, err := s.store.Evidence(ctx, app.ID, 0)
	switch {
	case julo.ErrorCode(err) == julo.ENOTFOUND: // not submitted yet
	case err != nil:
		return Review{}, err
	default:
		r.Evidence = ev
	}
	return r, nil
}

// StatusFacts is what the store holds for the status read's credit part.
type StatusFacts struct {
	// Status is the application's status read with the rest, in one
	// snapshot: a decision and the move it makes commit together, so the
	// two agree, where the application read before them may be older.
	Status julo.AppStatus
	// Fullname and MobilePhone1 are the complete step's ("" before it).
	Fullname, MobilePhone1 string
	Documents              []string   // the documents in (Doc*)
	Decisions              []Decision // oldest first
	// Account is the credit account opened at 190 (nil: none).
	Account *Account
}

// DocumentStatus is one document the customer may provide.
type DocumentStatus struct {
	Kind string // IMAGE, BANK_SCRAPE or BPJS (production's DOCUMENT_TYPE)
	Name string // Doc*
	In   bool
}

// StatusView is the status read's credit part (issue 12 item 9).
type StatusView struct {
	Application            onboarding.Application
	Fullname, MobilePhone1 string
	// Offer is set from 130 LIMIT_GENERATED on (and while the limit is
	// being activated or in use); AvailableLimit and UsedLimit stay 0 until
	// the credit account is opened at 190. Once it is, the account's
	// numbers are shown: its set limit, what is available and what is
	// used (the offer keeps the max_limit).
	Offer                     *Offer
	AvailableLimit, UsedLimit julo.Money
	IsCreditScoreGenerated    bool
	CanContinue               bool
	// DocumentsRequested: the latest decision asks for documents and the
	// application waits at 105; Documents then lists what may be provided.
	DocumentsRequested bool
	Documents          []DocumentStatus
	IsAnyDocumentIn    bool
	Decision           *Decision // the latest, nil before the first
}

// offerStatuses are the statuses at which an offer stands.
var offerStatuses = map[julo.AppStatus]bool{julo.AppLimitGenerated: true, julo.AppLimitActivation: true,
	julo.AppActivationSuccess: true, julo.AppLimitReady: true}

// CreditStatus returns the credit part of p's application's status.
func (s *Service) CreditStatus(ctx context.Context, p julo.Partner, xid string) (StatusView, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return StatusView{}, err
	}
	f, err := s.store.CreditStatusFacts(ctx, app.ID)
	if err != nil {
		return StatusView{}, err
	}
	app.Status = f.Status
	v := StatusView{Application: app, Fullname: f.Fullname, MobilePhone1: f.MobilePhone1, Documents: []DocumentStatus{}}
	for i := range f.Decisions {
		d := &f.Decisions[i]
		v.Decision = d
		if d.Scorecard != nil {
			v.IsCreditScoreGenerated = true
		}
	}
	if offerStatuses[app.Status] {
		for i := len(f.Decisions) - 1; i >= 0 && v.Offer == nil; i-- {
			v.Offer = f.Decisions[i].Offer
		}
	}
	if a := f.Account; a != nil {
		o := Offer{MaxLimit: a.SetLimit, SetLimit: a.SetLimit}
		if v.Offer != nil {
			o.MaxLimit = max(v.Offer.MaxLimit, a.SetLimit)
		}
		v.Offer, v.AvailableLimit, v.UsedLimit = &o, a.AvailableLimit, a.UsedLimit
	}
	v.DocumentsRequested = DocumentsRequested(app.Status, v.Decision)
	in := map[string]bool{}
	for _, d := range f.Documents {
		in[d] = true
	}
	if v.DocumentsRequested {
		for _, k := range DocumentKinds {
			v.Documents = append(v.Documents, DocumentStatus{Kind: k.Kind, Name: k.Name, In: in[k.Name]})
		}
	}
	v.IsAnyDocumentIn = len(f.Documents) > 0
	v.CanContinue = v.DocumentsRequested || app.Status == julo.AppLimitGenerated
	return v, nil
}
