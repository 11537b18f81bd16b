package lending

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/webhook"
)

// Deps are the service's collaborators.
type Deps struct {
	Store     Store
	Images    Images
	Disburser Disburser
	Terms     Terms
	Lender    Lender
	// CallbackSecret verifies the disbursement provider's callbacks.
	CallbackSecret []byte
	// PaymentSecret verifies the payment gateway's callbacks (none: every
	// one is refused).
	PaymentSecret []byte
	// Enqueue inserts jobs on their own (a pending transfer's check).
	Enqueue func(ctx context.Context, jobs ...julo.Scheduled) error
	Now     func() time.Time
	Rand    io.Reader // crypto/rand when nil
}

// Service quotes, creates, signs, cancels and pays out loans.
type Service struct {
	store          Store
	repay          RepaymentStore
	paymentSecret  []byte
	images         Images
	disburser      Disburser
	terms          Terms
	lender         Lender
	callbackSecret []byte
	enqueue        func(ctx context.Context, jobs ...julo.Scheduled) error
	now            julo.Clock
	rand           io.Reader
}

// New returns a Service.
func New(d Deps) *Service {
	r := d.Rand
	if r == nil {
		r = rand.Reader
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &Service{store: d.Store, repay: d.Store, paymentSecret: d.PaymentSecret, images: d.Images, disburser: d.Disburser, terms: d.Terms, lender: d.Lender, callbackSecret: d.CallbackSecret, enqueue: d.Enqueue,
		now: now, rand: r}
}

// Terms are the lending terms in force.
func (s *Service) Terms() Terms { return s.terms }

// TransferInput is how a partner says where a loan's money goes: both
// fields optional (transaction_type_code 1 by default; self_bank_account
// by default true for type 1, false for type 2).
type TransferInput struct {
	SelfBankAccount *bool
	TransactionType *int64
}

// resolve reads the input into a transaction type and self flag, adding
// problems to ps.
func (in TransferInput) resolve(ps *julo.Problems) (typ int, self bool) {
	typ = TransactionSelf
	if in.TransactionType != nil {
		switch *in.TransactionType {
		case TransactionSelf, TransactionThirdParty:
			typ = int(*in.TransactionType)
		default:
			ps.Add("transaction_type_code", i18n.LoanTransactionTypeInvalid)
			return 0, false
		}
	}
	// The type says where the money goes (1: the customer's own account,
	// 2: a third party); self_bank_account, when sent, must agree.
	// Production refuses 2 with true; 1 with false would pay a cash loan
	// to someone else's account, which no route here knows: refused too.
	self = typ == TransactionSelf
	if in.SelfBankAccount != nil && *in.SelfBankAccount != self {
		ps.Add("self_bank_account", i18n.LoanTransactionTypeMismatch)
	}
	return typ, self
}

// RangeInput is GET range-loan-amount.
type RangeInput struct {
	Problems julo.Problems
	TransferInput
}

// Range answers GET range-loan-amount: the amounts a loan may have now.
func (s *Service) Range(ctx context.Context, p julo.Partner, xid string, in RangeInput) (Range, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return Range{}, err
	}
	ps := in.Problems
	_, self := in.resolve(&ps)
	if err := ps.Err(); err != nil {
		return Range{}, err
	}
	f, err := s.store.LoanFacts(ctx, app.ID)
	if err != nil {
		return Range{}, err
	}
	if err := accountReady(f); err != nil {
		return Range{}, err
	}
	return s.terms.Range(f.Account.AvailableLimit, ThirdParty(self)), nil
}

// OffersInput is POST loan-duration and GET loan-offer.
type OffersInput struct {
	Problems julo.Problems
	TransferInput
	Amount *int64 // loan_amount_request
}

// Offers is the answer of loan-duration and loan-offer: the range and the
// offers of the requested amount.
type Offers struct {
	Range     Range
	Requested julo.Money
	Available julo.Money
	Quotes    []Quote
}

// Offers answers POST loan-duration and GET loan-offer.
func (s *Service) Offers(ctx context.Context, p julo.Partner, xid string, in OffersInput) (Offers, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return Offers{}, err
	}
	ps := in.Problems
	_, self := in.resolve(&ps)
	amount := requiredAmount(&ps, "loan_amount_request", in.Amount)
	if err := ps.Err(); err != nil {
		return Offers{}, err
	}
	f, err := s.store.LoanFacts(ctx, app.ID)
	if err != nil {
		return Offers{}, err
	}
	if err := accountReady(f); err != nil {
		return Offers{}, err
	}
	qs, err := s.terms.Quotes(s.quoteInput(f, amount, self))
	if err != nil {
		return Offers{}, err
	}
	return Offers{Range: s.terms.Range(f.Account.AvailableLimit, ThirdParty(self)), Requested: amount,
		Available: f.Account.AvailableLimit, Quotes: qs}, nil
}

func (s *Service) quoteInput(f Facts, amount julo.Money, self bool) QuoteInput {
	return QuoteInput{Requested: amount, ThirdParty: ThirdParty(self), Available: f.Account.AvailableLimit, SetLimit: f.Account.SetLimit,
		Payday: f.Payday, Now: s.now()}
}

// CreateInput is POST loan/{application_xid}.
type CreateInput struct {
	Problems julo.Problems
	TransferInput
	Amount   *int64 // loan_amount_request
	Duration *int64 // loan_duration
	Purpose  *string
}

// CreateLoan answers POST loan/{application_xid}: a loan at 210 whose
// amount moved from the available limit to the used one. The amount and
// tenor must be one of the offers computed now, inside the transaction
// that holds the account (so concurrent requests are checked one after
// another against what is left), and the customer's installments must stay
// within the dated debt-service share of income.
func (s *Service) CreateLoan(ctx context.Context, p julo.Partner, xid string, in CreateInput) (Loan, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return Loan{}, err
	}
	ps := in.Problems
	typ, self := in.resolve(&ps)
	amount := requiredAmount(&ps, "loan_amount_request", in.Amount)
	duration := 0
	switch {
	case ps.Has("loan_duration"):
	case in.Duration == nil:
		ps.Add("loan_duration", i18n.Required)
	case *in.Duration < 1 || *in.Duration > 60:
		ps.Add("loan_duration", i18n.LoanTenorInvalid)
	default:
		duration = int(*in.Duration)
	}
	purpose := ""
	if in.Purpose != nil {
		purpose = *in.Purpose
		if len([]rune(purpose)) > 100 {
			ps.Add("loan_purpose", i18n.TooLong, 100)
		}
	}
	if err := ps.Err(); err != nil {
		return Loan{}, err
	}
	for range 3 { // a new xid for the rare collision of random ones
		loanXID, err := s.newXID()
		if err != nil {
			return Loan{}, err
		}
		l, err := s.store.CreateLoan(ctx, app.ID, func(f Facts) (Loan, error) {
			now := s.now()
			if err := accountReady(f); err != nil {
				return Loan{}, err
			}
			if !now.Before(f.PINVerifiedTo) {
				return Loan{}, &julo.Error{Code: julo.EFORBIDDEN, Problems: []julo.Problem{{Msg: i18n.PINNotVerified}}}
			}
			q, err := s.terms.Quote(s.quoteInput(f, amount, self), duration)
			if err != nil {
				return Loan{}, err
			}
			if q.LoanAmount > f.Account.AvailableLimit {
				return Loan{}, julo.Errorf(julo.EINVALID, "loan_amount_request", i18n.LoanLimitExceeded,
					q.LoanAmount.String(), f.Account.AvailableLimit.String())
			}
			debt, err := s.terms.CheckDebtService(Day(now), f.MonthlyIncome, f.ExistingMonthly, q.LargestInstallment())
			if err != nil {
				return Loan{}, err
			}
			dest, err := destination(f, self)
			if err != nil {
				return Loan{}, err
			}
			return Loan{XID: loanXID, ApplicationID: app.ID, ApplicationXID: app.XID, PartnerID: app.PartnerID,
				CustomerID: app.CustomerID, Status: julo.LoanCreated, Quote: q, DebtCap: debt,
				PolicyVersion: s.terms.Version, TransactionType: typ, SelfBankAccount: self, Purpose: purpose,
				Destination: dest, CreatedAt: now, ExpiresAt: now.Add(s.terms.LoanExpiry())}, nil
		})
		if julo.IsDuplicate(err, UniqueLoanXID) {
			continue
		}
		return l, err
	}
	return Loan{}, errors.New("lending: three loan xid collisions in a row")
}

// UniqueLoanXID names the unique index of loan xids (the store reports a
// collision as a duplicate of it).
const (
	UniqueLoanXID     julo.UniqueKey = "loan_xid"
	UniqueLoanImageID julo.UniqueKey = "loan_image_public_id"
)

// destination is where the loan's money goes: the customer's own account
// from the complete step, or the partner's settlement account.
func destination(f Facts, self bool) (Destination, error) {
	if self {
		if f.OwnAccount.Account == "" {
			return Destination{}, julo.Errorf(julo.EINVALID, "self_bank_account", i18n.LoanNoOwnAccount)
		}
		d := f.OwnAccount
		d.Kind = DestinationSelf
		return d, nil
	}
	if f.Settings.SettlementAccount == "" || f.Settings.SettlementBank == "" {
		return Destination{}, julo.Errorf(julo.EINVALID, "transaction_type_code", i18n.LoanNoSettlementAccount)
	}
	return Destination{Kind: DestinationPartner, BankName: f.Settings.SettlementBank, Account: f.Settings.SettlementAccount}, nil
}

// accountReady refuses unless the application is at 190 with its account
// open, as production: "akun belum dapat mengajukan loan".
func accountReady(f Facts) error {
	if f.Application.Status != julo.AppLimitReady || !f.HasAccount {
		return julo.Errorf(julo.EINVALID, "", i18n.LoanAccountNotReady, int(f.Application.Status), f.Application.Status.Name())
	}
	return nil
}

func requiredAmount(ps *julo.Problems, field string, v *int64) julo.Money {
	switch {
	case ps.Has(field):
	case v == nil:
		ps.Add(field, i18n.Required)
	case *v <= 0:
		ps.Add(field, i18n.LoanAmountNotPositive)
	default:
		return julo.Money(*v)
	}
	return 0
}

// newXID draws a uniformly random 10-digit loan xid, as application xids.
func (s *Service) newXID() (int64, error) {
	n, err := rand.Int(s.rand, big.NewInt(9_000_000_000))
	if err != nil {
		return 0, err
	}
	return n.Int64() + 1_000_000_000, nil
}

func (s *Service) application(ctx context.Context, p julo.Partner, xid string) (onboarding.Application, error) {
	return onboarding.PartnerApplication(ctx, s.store, p, xid)
}

var (
	errLoanMissing = &julo.Error{Code: julo.ENOTFOUND, Problems: []julo.Problem{{Msg: i18n.LoanMissing}}}
)

// Loan returns partner p's loan xid (the raw path segment), or ENOTFOUND:
// another partner's loan is not found either.
func (s *Service) Loan(ctx context.Context, p julo.Partner, xid string) (Loan, error) {
	n, err := strconv.ParseInt(xid, 10, 64)
	if err != nil || n < 1_000_000_000 || n > 9_999_999_999 {
		return Loan{}, errLoanMissing
	}
	l, err := s.store.LoanByXID(ctx, n)
	if julo.ErrorCode(err) == julo.ENOTFOUND || err == nil && l.PartnerID != p.ID {
		return Loan{}, errLoanMissing
	}
	return l, err
}

// LoanView is a loan with what its status read shows beside it.
type LoanView struct {
	Loan      Loan
	Signature bool
	// The credit account as it is now.
	Available, Used julo.Money
	// Repayment, once disbursed (Repayment.Disbursed).
	Repayment Repayment
}

// LoanStatus answers GET loan/status/{loan_xid}.
func (s *Service) LoanStatus(ctx context.Context, p julo.Partner, xid string) (LoanView, error) {
	l, err := s.Loan(ctx, p, xid)
	if err != nil {
		return LoanView{}, err
	}
	_, signed, err := s.store.Signature(ctx, l.ID)
	if err != nil {
		return LoanView{}, err
	}
	acc, _, err := s.store.CreditAccount(ctx, l.ApplicationID)
	if err != nil {
		return LoanView{}, err
	}
	rep, err := s.repayment(ctx, l)
	if err != nil {
		return LoanView{}, err
	}
	return LoanView{Loan: l, Signature: signed, Available: acc.AvailableLimit, Used: acc.UsedLimit, Repayment: rep}, nil
}

// ApplicationLoans lists an application's loans (the status read's
// existing_loans).
func (s *Service) ApplicationLoans(ctx context.Context, applicationID int64) ([]Loan, error) {
	return s.store.ApplicationLoans(ctx, applicationID)
}

// SignatureType is the one image type of a loan.
const SignatureType = "signature"

// UploadImage answers POST loan/{loan_xid}/images: the signature, while
// the loan waits to be signed (210).
func (s *Service) UploadImage(ctx context.Context, p julo.Partner, xid string, in onboarding.ImageUploadInput) (Image, error) {
	l, err := s.Loan(ctx, p, xid)
	if err != nil {
		return Image{}, err
	}
	ps := in.Problems
	switch {
	case ps.Has("image_type"):
	case in.Type == nil || *in.Type == "":
		ps.Add("image_type", i18n.Required)
	case *in.Type != SignatureType:
		ps.Add("image_type", i18n.LoanImageType)
	}
	if err := ps.Err(); err != nil {
		return Image{}, err
	}
	if l.Status != julo.LoanCreated {
		return Image{}, &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
			Problems: []julo.Problem{{Msg: i18n.LoanImagesClosed, Args: []any{int(l.Status), l.Status.Name()}}}}
	}
	app := onboarding.Application{ID: l.ApplicationID, XID: l.ApplicationXID, PartnerID: l.PartnerID, CustomerID: l.CustomerID}
	in.Problems = ps
	return s.images.UploadLoanImage(ctx, app, l.ID, l.XID, SignatureType, in)
}

// OpenLoanImage answers GET loan/{loan_xid}/images/{image_id}: the image's
// bytes; the caller closes them.
func (s *Service) OpenLoanImage(ctx context.Context, p julo.Partner, xid, imageID string) (Image, io.ReadCloser, error) {
	l, err := s.Loan(ctx, p, xid)
	if err != nil {
		return Image{}, nil, err
	}
	id, err := strconv.ParseInt(imageID, 10, 64)
	if err != nil || id <= 0 {
		return Image{}, nil, errImageMissing
	}
	img, err := s.store.LoanImage(ctx, l.ID, id)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return Image{}, nil, errImageMissing
	}
	if err != nil {
		return Image{}, nil, err
	}
	rc, err := s.images.OpenLoanImage(ctx, img)
	return img, rc, err
}

var errImageMissing = &julo.Error{Code: julo.ENOTFOUND, Problems: []julo.Problem{{Msg: i18n.ImageMissing}}}

// Agreement answers GET agreement/content/{loan_xid}/.
func (s *Service) Agreement(ctx context.Context, p julo.Partner, xid string) (Agreement, error) {
	l, err := s.Loan(ctx, p, xid)
	if err != nil {
		return Agreement{}, err
	}
	b, err := s.store.Borrower(ctx, l.ApplicationID)
	if err != nil {
		return Agreement{}, err
	}
	late, err := s.terms.LateFeeCap(Day(l.CreatedAt))
	if err != nil {
		return Agreement{}, err
	}
	return Agreement{Loan: l, Borrower: b, Lender: s.lender, LateFee: late, TotalCostCapBPS: s.terms.TotalCostCapBPS()}, nil
}

// ExistingLoans lists the loans of partner p's application xid (the status
// read's existing_loans).
func (s *Service) ExistingLoans(ctx context.Context, p julo.Partner, xid string) ([]Loan, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return nil, err
	}
	return s.store.ApplicationLoans(ctx, app.ID)
}

// Images answers GET loan/{loan_xid}/images.
func (s *Service) Images(ctx context.Context, p julo.Partner, xid string) (Loan, []Image, error) {
	l, err := s.Loan(ctx, p, xid)
	if err != nil {
		return Loan{}, nil, err
	}
	imgs, err := s.store.LoanImages(ctx, l.ID)
	return l, imgs, err
}

// Agreement actions (POST agreement/loan/status/{loan_xid}/).
const (
	ActionSign   = "sign"
	ActionCancel = "cancel"
)

// SetAgreementStatus answers POST agreement/loan/status/{loan_xid}/:
// "sign" moves 210 -> 211 (with a signature image unless the partner's
// setting waives it) and, unless the partner's loans wait for an operator,
// queues the disbursement; "cancel" before the disbursement (210 or 211)
// moves to 216 and gives the amount back to the limit.
func (s *Service) SetAgreementStatus(ctx context.Context, p julo.Partner, xid string, status *string) (Loan, error) {
	l, err := s.Loan(ctx, p, xid)
	if err != nil {
		return Loan{}, err
	}
	action := ""
	if status != nil {
		action = *status
	}
	now := s.now()
	switch action {
	case ActionSign:
		signable := func(cur Loan) error {
			if cur.Status != julo.LoanCreated {
				return statusRefusal(i18n.LoanNotSignable, cur.Status)
			}
			if !now.Before(cur.ExpiresAt) {
				return julo.Errorf(julo.ECONFLICT, "", i18n.LoanAgreementExpired, cur.ExpiresAt.UTC().Format(time.RFC3339))
			}
			return nil
		}
		// The status first (a loan past 210 is refused for that, signature
		// or not), then again inside the move's transaction.
		if err := signable(l); err != nil {
			return Loan{}, err
		}
		settings, err := s.store.LoanSettings(ctx, l.PartnerID)
		if err != nil {
			return Loan{}, err
		}
		if settings.SignatureRequired {
			if _, ok, err := s.store.Signature(ctx, l.ID); err != nil {
				return Loan{}, err
			} else if !ok {
				return Loan{}, julo.Errorf(julo.EINVALID, "", i18n.LoanSignatureMissing)
			}
		}
		var jobs []julo.Scheduled
		if !settings.HoldForOperator {
			jobs = append(jobs, julo.Scheduled{Job: DisburseJob{LoanID: l.ID}})
		}
		return s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanWaitingApproval, At: now, Reason: ReasonSigned,
			Check: signable, Set: func(cur *Loan) { cur.SignedAt = now }}, jobs...)
	case ActionCancel:
		return s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanCancelledByUser, At: now, Reason: ReasonCancelled,
			Check: func(cur Loan) error {
				if cur.Status != julo.LoanCreated && cur.Status != julo.LoanWaitingApproval {
					return statusRefusal(i18n.LoanNotCancellable, cur.Status)
				}
				return nil
			}})
	}
	return Loan{}, julo.Errorf(julo.EINVALID, "status", i18n.LoanAgreementAction)
}

func statusRefusal(msg i18n.Msg, st julo.LoanStatus) error {
	return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
		Problems: []julo.Problem{{Msg: msg, Args: []any{int(st), st.Name()}}}}
}

// Decide is an operator's decision on a loan held at 211 for approval:
// approve queues the disbursement, reject moves it to 219 and gives the
// amount back.
func (s *Service) Decide(ctx context.Context, loanXID int64, approve bool) (Loan, error) {
	l, err := s.store.LoanByXID(ctx, loanXID)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	check := func(cur Loan) error {
		if cur.Status != julo.LoanWaitingApproval {
			return statusRefusal(i18n.LoanNotWaiting, cur.Status)
		}
		return nil
	}
	if approve {
		// The move to 212 is the disbursement job's: here the approval
		// is recorded and the job queued, in one transaction.
		return s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanDisbursing, At: now, Reason: ReasonOperatorApproved,
			Check: check, Set: func(cur *Loan) {
				cur.ApprovedAt = now
				cur.DisbursementAt = now
				cur.DisbursementRef = s.disbursementRef(cur.XID)
			}}, julo.Scheduled{Job: DisburseJob{LoanID: l.ID}})
	}
	return s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanLenderRejected, At: now, Reason: ReasonOperatorRejected, Check: check})
}

// RetryDisbursement is an operator's `julo loan retry`: a loan stuck at
// 212 (its disbursement job gave up: the provider was down for all its
// attempts) gets a new job, under the same reference (the provider
// deduplicates).
func (s *Service) RetryDisbursement(ctx context.Context, loanXID int64) (Loan, error) {
	l, err := s.store.LoanByXID(ctx, loanXID)
	if err != nil {
		return Loan{}, err
	}
	if l.Status != julo.LoanDisbursing {
		return Loan{}, statusRefusal(i18n.LoanNotDisbursing, l.Status)
	}
	return l, s.enqueue(ctx, julo.Scheduled{Job: DisburseJob{LoanID: l.ID}})
}

// FailDisbursement is an operator's `julo loan fail`: a loan at 212 whose
// transfer the provider confirms did not happen moves to 218, the amount
// back to the limit (the operator's reason recorded).
func (s *Service) FailDisbursement(ctx context.Context, loanXID int64, reason string) (Loan, error) {
	l, err := s.store.LoanByXID(ctx, loanXID)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	code := reasonCode(reason)
	if code == "" {
		code = "failed_by_operator"
	}
	return s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanDisbursalFailed, At: now, Reason: ReasonOperatorFailed,
		Check: func(cur Loan) error {
			if cur.Status != julo.LoanDisbursing {
				return statusRefusal(i18n.LoanNotDisbursing, cur.Status)
			}
			return nil
		}, Set: func(cur *Loan) { cur.FailureReason = code }})
}

// disbursementRef is the transfer's reference: the loan xid and random
// hex, so that it is unique and says which loan it pays.
func (s *Service) disbursementRef(loanXID int64) string {
	b := make([]byte, 8)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		// crypto/rand does not fail; an injected reader that does makes
		// the reference the xid's alone, still unique per loan.
		return fmt.Sprintf("loan-%d", loanXID)
	}
	return fmt.Sprintf("loan-%d-%s", loanXID, hex.EncodeToString(b))
}

// Disburse runs a DisburseJob: an approved loan at 211 moves to 212 with
// its transfer reference (automatic approval), then the provider is asked
// to pay it. A loan at 212 already (an earlier attempt, or an operator's
// approval) is asked again under the same reference: the provider
// deduplicates. Any other status means the loan moved on (cancelled): done.
func (s *Service) Disburse(ctx context.Context, j DisburseJob) error {
	l, err := s.store.LoanByID(ctx, j.LoanID)
	if err != nil {
		return err
	}
	now := s.now()
	switch l.Status {
	case julo.LoanWaitingApproval:
		l, err = s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanDisbursing, At: now, Reason: ReasonAutoApproved,
			Check: func(cur Loan) error {
				if cur.Status != julo.LoanWaitingApproval {
					return errMovedOn
				}
				return nil
			},
			Set: func(cur *Loan) {
				cur.ApprovedAt = now
				cur.DisbursementAt = now
				cur.DisbursementRef = s.disbursementRef(cur.XID)
			}})
		if errors.Is(err, errMovedOn) {
			return nil
		}
		if err != nil {
			return err
		}
	case julo.LoanDisbursing:
	default:
		return nil
	}
	res, err := s.disburser.Disburse(ctx, transfer(l))
	if err != nil {
		return fmt.Errorf("disbursing loan %d: %w", l.XID, err)
	}
	return s.apply(ctx, l, res)
}

var errMovedOn = errors.New("lending: the loan moved on")

// CheckDisbursement runs a DisbursementCheckJob: the provider is asked
// about a pending transfer; still pending, the job runs again later.
func (s *Service) CheckDisbursement(ctx context.Context, j DisbursementCheckJob) error {
	l, err := s.store.LoanByID(ctx, j.LoanID)
	if err != nil {
		return err
	}
	if l.Status != julo.LoanDisbursing {
		return nil
	}
	res, err := s.disburser.Status(ctx, transfer(l))
	if err != nil {
		return fmt.Errorf("checking the disbursement of loan %d: %w", l.XID, err)
	}
	if res.State == TransferPending {
		return &julo.RunLater{After: checkAfter(res)}
	}
	return s.apply(ctx, l, res)
}

// ConfirmDisbursement applies a provider's word about a transfer (its
// signed callback): idempotent, a loan no longer at 212 is left alone.
func (s *Service) ConfirmDisbursement(ctx context.Context, ref string, res TransferResult) error {
	l, err := s.store.LoanByDisbursementRef(ctx, ref)
	if err != nil {
		return err
	}
	if l.Status != julo.LoanDisbursing || res.State == TransferPending {
		return nil
	}
	return s.apply(ctx, l, res)
}

func checkAfter(res TransferResult) time.Duration {
	if res.CheckAfter > 0 {
		return res.CheckAfter
	}
	return time.Minute
}

// apply moves a loan at 212 by the provider's result: 220 paid, 218 failed
// (the limit given back), or a check queued while pending.
func (s *Service) apply(ctx context.Context, l Loan, res TransferResult) error {
	now := s.now()
	at212 := func(cur Loan) error {
		if cur.Status != julo.LoanDisbursing {
			return errMovedOn
		}
		return nil
	}
	var err error
	switch res.State {
	case TransferSucceeded:
		_, err = s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanCurrent, At: now, Reason: ReasonDisbursed, Check: at212,
			Set: func(cur *Loan) { cur.FundTransferAt = now }})
	case TransferFailed:
		reason := reasonCode(res.Reason)
		if reason == "" {
			reason = "transfer_failed"
		}
		_, err = s.store.MoveLoan(ctx, LoanMove{LoanID: l.ID, To: julo.LoanDisbursalFailed, At: now, Reason: ReasonDisbursalFailed,
			Check: at212, Set: func(cur *Loan) { cur.FailureReason = reason }})
	case TransferPending:
		return s.enqueue(ctx, julo.Scheduled{Job: DisbursementCheckJob{LoanID: l.ID}, At: now.Add(checkAfter(res))})
	default:
		return fmt.Errorf("disbursement of loan %d: unknown transfer state %q", l.XID, res.State)
	}
	if errors.Is(err, errMovedOn) {
		return nil
	}
	return err
}

func transfer(l Loan) Transfer {
	return Transfer{Reference: l.DisbursementRef, LoanXID: l.XID, Amount: l.Quote.Disbursement,
		BankName: l.Destination.BankName, Account: l.Destination.Account}
}

// ExpireLoans runs the ExpiryJob: every loan still at 210 past its expiry
// moves to 217 and gives its amount back, each in its own transaction.
func (s *Service) ExpireLoans(ctx context.Context, _ ExpiryJob) error {
	now := s.now()
	var after int64
	for {
		ids, err := s.store.UnsignedLoans(ctx, now, after, 100)
		if err != nil {
			return err
		}
		for _, id := range ids {
			_, err := s.store.MoveLoan(ctx, LoanMove{LoanID: id, To: julo.LoanExpired, At: now, Reason: ReasonExpired,
				Check: func(cur Loan) error {
					if cur.Status != julo.LoanCreated || now.Before(cur.ExpiresAt) {
						return errMovedOn
					}
					return nil
				}})
			if err != nil && !errors.Is(err, errMovedOn) {
				return err
			}
		}
		if len(ids) < 100 {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// OpenImage opens a loan image's bytes (the console, tests).
func (s *Service) OpenImage(ctx context.Context, img Image) (io.ReadCloser, error) {
	return s.images.OpenLoanImage(ctx, img)
}

// Statuses at which a loan still draws on the limit.
func Drawing(st julo.LoanStatus) bool {
	return st == julo.LoanCreated || st == julo.LoanWaitingApproval || st == julo.LoanDisbursing ||
		slices.Contains(julo.DPDStatuses(), st)
}

// disbursementCallback is the provider's signed report of a transfer.
type disbursementCallback struct {
	Reference string        `json:"reference"`
	State     TransferState `json:"state"`
	Reason    string        `json:"reason"`
}

// DisbursementCallback takes the provider's signed report of a transfer
// (POST /vendor/v1/disbursements/callback): the signature over the raw
// body (package webhook, the vendors' scheme), then the reference's loan
// moves by the reported state, once (a repeat, or a report for a loan no
// longer at 212, changes nothing). Every signature failure is the same
// EUNAUTHORIZED.
func (s *Service) DisbursementCallback(ctx context.Context, signature string, body []byte) error {
	if len(s.callbackSecret) == 0 || webhook.Verify(s.callbackSecret, signature, body, s.now(), callbackSkew) != nil {
		return &julo.Error{Code: julo.EUNAUTHORIZED, Problems: []julo.Problem{{Msg: i18n.CallbackUnauthorized}}}
	}
	var c disbursementCallback
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.Reference == "" {
		return julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, "a JSON object with reference and state")
	}
	switch c.State {
	case TransferPending, TransferSucceeded, TransferFailed:
	default:
		return julo.Errorf(julo.EINVALID, "state", i18n.CallbackMalformed, "state pending, succeeded or failed")
	}
	err := s.ConfirmDisbursement(ctx, c.Reference, TransferResult{State: c.State, Reason: reasonCode(c.Reason)})
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return errLoanMissing
	}
	return err
}

// callbackSkew is how old (or new) a callback's timestamp may be.
const callbackSkew = 5 * time.Minute

// reasonCode keeps a provider's failure reason as a short code: letters,
// digits and _ only, at most 64.
func reasonCode(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if len(out) >= 64 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			out = append(out, r)
		}
	}
	return string(out)
}
