package lending

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Transaction types (production's transaction_type_code).
const (
	// TransactionSelf: the money goes to a bank account (production's "tarik
	// dana"); with self_bank_account the customer's own.
	TransactionSelf = 1
	// TransactionThirdParty: the money goes to a third party (the partner,
	// for a purchase).
	TransactionThirdParty = 2
)

// Destination is where a loan's money goes: the customer's own account
// from the complete-data step (Kind "self") or the partner's settlement
// account (Kind "partner"). Account is personal data for "self": the store
// seals it with the customer's key.
type Destination struct {
	Kind     string // DestinationSelf or DestinationPartner
	BankName string
	Account  string
}

// Masked is the account number as answers and operators see it: a
// customer's own account but for its last four digits; the partner's
// settlement account (the partner's, not personal data) whole.
func (d Destination) Masked() string {
	a := []rune(d.Account)
	if d.Kind == DestinationPartner || len(a) <= 4 {
		return d.Account
	}
	return strings.Repeat("*", len(a)-4) + string(a[len(a)-4:])
}

// Destination kinds.
const (
	DestinationSelf    = "self"
	DestinationPartner = "partner"
)

// Loan is one draw on a credit account, with its terms and schedule as
// they were quoted and accepted (Quote); every amount is the stored one.
type Loan struct {
	ID             int64 // the store's key, never shown
	XID            int64 // loan_xid: random, 10 digits
	ApplicationID  int64
	ApplicationXID int64
	PartnerID      int64
	CustomerID     int64
	Status         julo.LoanStatus
	Quote          Quote
	DebtCap        ShareCap
	PolicyVersion  string
	// TransactionType is TransactionSelf or TransactionThirdParty;
	// SelfBankAccount as the partner sent it.
	TransactionType int
	SelfBankAccount bool
	Purpose         string
	Destination     Destination
	CreatedAt       time.Time
	// ExpiresAt: a loan not signed by then expires (217).
	ExpiresAt time.Time
	// Zero until they happen.
	SignedAt, ApprovedAt, DisbursementAt, FundTransferAt time.Time
	// DisbursementRef is the reference the disbursement provider knows the
	// transfer by (set at 212; the provider deduplicates by it).
	DisbursementRef string
	FailureReason   string
}

// ThirdParty reports whether the money goes to a third party (grossed up
// for the provision): whenever it does not go to the customer's own
// account.
func ThirdParty(selfBankAccount bool) bool { return !selfBankAccount }

// Facts are what the store holds about an application when a loan is
// quoted or created. Inside CreateLoan they are read in the transaction
// that holds the credit account.
type Facts struct {
	Application onboarding.Application
	Account     credit.Account
	HasAccount  bool
	// PINVerifiedTo: until when the customer's PIN window is open.
	PINVerifiedTo time.Time
	// Payday 1-31 (0: unknown), MonthlyIncome: from the complete step.
	Payday        int
	MonthlyIncome julo.Money
	// OwnAccount is the customer's own bank account (complete step).
	OwnAccount Destination
	// ExistingMonthly: the sum of the regular installments of the
	// customer's loans that still draw on the limit (210-237).
	ExistingMonthly julo.Money
	Settings        PartnerSettings
}

// PartnerSettings are a partner's loan settings (`julo partner set`).
type PartnerSettings struct {
	// SignatureRequired: signing needs a signature image (default true).
	SignatureRequired bool
	// HoldForOperator: signed loans wait at 211 for an operator.
	HoldForOperator bool
	// Settlement: where third-party loans are paid (empty: none set).
	SettlementBank, SettlementAccount string
}

// DefaultPartnerSettings are a partner's settings before any is set.
func DefaultPartnerSettings() PartnerSettings { return PartnerSettings{SignatureRequired: true} }

// LoanMove is one loan status change, made by the store's status machine
// with its history row and event in one transaction. The limit is given
// back in the same transaction when To restores it (julo.LoanStatus
// RestoresLimit).
type LoanMove struct {
	LoanID int64
	To     julo.LoanStatus
	At     time.Time
	Reason string
	// Check, when set, runs inside the transaction with the loan as it is
	// (its row held); an error refuses the move and changes nothing.
	Check func(Loan) error
	// Set records what comes with the move (signed_at, the disbursement
	// reference, ...); the fields it may set are the Loan's zero-until-they-
	// happen fields.
	Set func(*Loan)
}

// Image is a loan's image (the signature).
type Image = onboarding.Image

// Store is the storage of loans. Each method is one transaction.
type Store interface {
	ApplicationByXID(ctx context.Context, xid int64) (onboarding.Application, error)
	// LoanFacts reads the application's facts (outside a transaction: for
	// quotes).
	LoanFacts(ctx context.Context, applicationID int64) (Facts, error)
	// CreditAccount reads the application's credit account alone (ok false:
	// none), for reads that need no more of the facts.
	CreditAccount(ctx context.Context, applicationID int64) (credit.Account, bool, error)
	// LoanSettings reads a partner's loan settings (the defaults when none
	// is set).
	LoanSettings(ctx context.Context, partnerID int64) (PartnerSettings, error)
	// CreateLoan holds the application's credit account, reads the facts
	// again under that hold, calls build with them and, if build returns a
	// loan, stores it and its schedule at 210 through the status machine and
	// moves its amount from available to used, in one transaction. A build
	// error, or an amount over the available limit, changes nothing.
	CreateLoan(ctx context.Context, applicationID int64, build func(Facts) (Loan, error)) (Loan, error)
	// LoanByXID returns the loan, or ENOTFOUND.
	LoanByXID(ctx context.Context, xid int64) (Loan, error)
	// LoanByID returns the loan, or ENOTFOUND.
	LoanByID(ctx context.Context, id int64) (Loan, error)
	// LoanByDisbursementRef returns the loan with the reference, or ENOTFOUND.
	LoanByDisbursementRef(ctx context.Context, ref string) (Loan, error)
	// ApplicationLoans lists the application's loans, oldest first.
	ApplicationLoans(ctx context.Context, applicationID int64) ([]Loan, error)
	// MoveLoan applies m and returns the loan after it; jobs are inserted
	// in the same transaction.
	MoveLoan(ctx context.Context, m LoanMove, jobs ...julo.Scheduled) (Loan, error)
	// UnsignedLoans lists the ids of loans at 210 whose expiry is at or
	// before cutoff, after id afterID, at most limit.
	UnsignedLoans(ctx context.Context, cutoff time.Time, afterID int64, limit int) ([]int64, error)
	// Signature returns the loan's current signature image (ok false: none).
	Signature(ctx context.Context, loanID int64) (Image, bool, error)
	// LoanImages lists the loan's images, oldest first.
	LoanImages(ctx context.Context, loanID int64) ([]Image, error)
	// LoanImage returns the loan's image with the public id, or ENOTFOUND.
	LoanImage(ctx context.Context, loanID, publicID int64) (Image, error)
	// Borrower reads the application's customer as the agreement names them.
	Borrower(ctx context.Context, applicationID int64) (Borrower, error)
	RepaymentStore
}

// Images stores a loan's images with the KYC image rules (onboarding's
// checks, blob store and sealing).
type Images interface {
	UploadLoanImage(ctx context.Context, app onboarding.Application, loanID, loanXID int64, typ string, in onboarding.ImageUploadInput) (Image, error)
	OpenLoanImage(ctx context.Context, img Image) (io.ReadCloser, error)
}

// Transfer is what a disbursement provider is asked to pay.
type Transfer struct {
	Reference string // unique per loan; the provider deduplicates by it
	LoanXID   int64
	Amount    julo.Money
	BankName  string
	Account   string // personal data for a self-account loan: never logged
}

// TransferState is a transfer's state at the provider.
type TransferState string

// Transfer states.
const (
	TransferPending   TransferState = "pending"
	TransferSucceeded TransferState = "succeeded"
	TransferFailed    TransferState = "failed"
)

// TransferResult is what the provider says of a transfer.
type TransferResult struct {
	State  TransferState
	Reason string // why it failed (a code, not personal data)
	// CheckAfter: when pending, ask again (Status) after this long.
	CheckAfter time.Duration
}

// Disburser pays loans out (the disbursement provider). Both calls are
// idempotent by reference; any error counts as the provider being
// unavailable (the job tries again).
type Disburser interface {
	Disburse(ctx context.Context, t Transfer) (TransferResult, error)
	Status(ctx context.Context, t Transfer) (TransferResult, error)
}

// DisburseJob pays out an approved loan (211 -> 212, then the provider).
type DisburseJob struct {
	LoanID int64 `json:"loan_id"`
}

// Kind implements julo.Job.
func (DisburseJob) Kind() string { return "loan_disburse" }

// DisbursementCheckJob asks the provider about a pending transfer.
type DisbursementCheckJob struct {
	LoanID int64 `json:"loan_id"`
}

// Kind implements julo.Job.
func (DisbursementCheckJob) Kind() string { return "loan_disbursement_check" }

// ExpiryJob expires loans not signed in time (210 -> 217).
type ExpiryJob struct{}

// Kind implements julo.Job.
func (ExpiryJob) Kind() string { return "loan_expiry" }

// ExpiryEvery is how often the expiry runs.
const ExpiryEvery = 10 * time.Minute

// Reasons recorded in the loans' status history.
const (
	ReasonCreated          = "loan_created"
	ReasonSigned           = "signed"
	ReasonCancelled        = "cancelled_by_customer"
	ReasonAutoApproved     = "approved_automatically"
	ReasonOperatorApproved = "approved_by_operator"
	ReasonOperatorRejected = "rejected_by_operator"
	ReasonDisbursed        = "disbursed"
	ReasonDisbursalFailed  = "disbursal_failed"
	ReasonExpired          = "not_signed_in_time"
	ReasonOperatorFailed   = "disbursal_failed_by_operator"
)

// Lender is the lender's identity as the agreement names it
// (configuration: `julo serve --lender-*`).
type Lender struct {
	Name, Address, License, Complaints string
}

// Borrower is the customer as the agreement names them (personal data:
// shown to the customer's own partner in the agreement, never logged).
type Borrower struct {
	Fullname, NIK, Address, Phone string
}

// Agreement is what the loan agreement (SPHP) shows: every number from the
// stored loan, the late-fee cap in force on its creation day, the total
// cost cap.
type Agreement struct {
	Loan            Loan
	Borrower        Borrower
	Lender          Lender
	LateFee         RateCap
	TotalCostCapBPS int64
}
