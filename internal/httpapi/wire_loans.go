package httpapi

import (
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// The wire forms of the loan routes (issue 13): production's LeadGen keys.

// transferRequest is where the money goes, on every loan route.
type transferRequest struct {
	Problems        julo.Problems
	SelfBankAccount *bool  `form:"self_bank_account"`
	TransactionType *int64 `form:"transaction_type_code"`
}

func (r transferRequest) input() lending.TransferInput {
	return lending.TransferInput{SelfBankAccount: r.SelfBankAccount, TransactionType: r.TransactionType}
}

// offersRequest is POST loan-duration/{application_xid}.
type offersRequest struct {
	transferRequest
	Amount *int64 `form:"loan_amount_request"`
}

func (r offersRequest) input() lending.OffersInput {
	return lending.OffersInput{Problems: r.Problems, TransferInput: r.transferRequest.input(), Amount: r.Amount}
}

// loanOfferRequest is GET loan-offer: the application in the query.
type loanOfferRequest struct {
	offersRequest
	ApplicationXID *string `form:"application_xid"`
}

// createLoanRequest is POST loan/{application_xid}.
type createLoanRequest struct {
	offersRequest
	Duration *int64  `form:"loan_duration"`
	Purpose  *string `form:"loan_purpose"`
}

func (r createLoanRequest) input() lending.CreateInput {
	return lending.CreateInput{Problems: r.Problems, TransferInput: r.transferRequest.input(), Amount: r.Amount,
		Duration: r.Duration, Purpose: r.Purpose}
}

// agreementStatusRequest is POST agreement/loan/status/{loan_xid}/.
type agreementStatusRequest struct {
	Problems julo.Problems
	Status   *string `form:"status"`
}

type rangeJSON struct {
	Threshold julo.Money `json:"min_amount_threshold"`
	Min       julo.Money `json:"min_amount"`
	Max       julo.Money `json:"max_amount"`
}

// offerJSON is one offer of loan-duration.
type offerJSON struct {
	LoanAmount     julo.Money `json:"loan_amount"`
	Duration       int        `json:"duration"`
	Installment    julo.Money `json:"monthly_installment"`
	Provision      julo.Money `json:"provision_amount"`
	Disbursement   julo.Money `json:"disbursement_amount"`
	Cashback       julo.Money `json:"cashback"`
	Available      julo.Money `json:"available_limit"`
	AvailableAfter julo.Money `json:"available_limit_after_transaction"`
}

func newOffersJSON(o lending.Offers) []offerJSON {
	out := make([]offerJSON, 0, len(o.Quotes))
	for _, q := range o.Quotes {
		out = append(out, offerJSON{LoanAmount: q.LoanAmount, Duration: q.Duration, Installment: q.Installment,
			Provision: q.Provision, Disbursement: q.Disbursement, Cashback: q.Cashback, Available: o.Available,
			AvailableAfter: o.Available - q.LoanAmount})
	}
	return out
}

type loanOfferJSON struct {
	Min       julo.Money  `json:"min_amount"`
	Max       julo.Money  `json:"max_amount"`
	Selected  julo.Money  `json:"selected_amount"`
	Durations []offerJSON `json:"loan_duration"`
}

type loanCreatedJSON struct {
	Status          string      `json:"loan_status"`
	Amount          julo.Money  `json:"loan_amount"`
	Disbursement    julo.Money  `json:"disbursement_amount"`
	Duration        int         `json:"loan_duration"`
	Installment     julo.Money  `json:"installment_amount"`
	MonthlyInterest decimalJSON `json:"monthly_interest"`
	XID             int64       `json:"loan_xid"`
}

type agreementStatusJSON struct {
	Status string `json:"status"`
	XID    int64  `json:"loan_xid"`
}

type loanImageJSON struct {
	ImageType string `json:"image_type"`
	CreatedAt string `json:"created_at"`
	URL       string `json:"url"`
}

func newLoanImageJSON(loanXID int64, img lending.Image) loanImageJSON {
	return loanImageJSON{ImageType: img.Type, CreatedAt: img.CreatedAt.UTC().Format(time.RFC3339),
		URL: "/api/partnership/v1/loan/" + strconv.FormatInt(loanXID, 10) + "/images/" + strconv.FormatInt(img.PublicID, 10)}
}

// loanStatusJSON is GET loan/status: production's loan object, the
// schedule and the limit after the loan.
type loanStatusJSON struct {
	Loan     loanJSON      `json:"loan"`
	Payments []paymentJSON `json:"payments"`
	Limit    limitJSON     `json:"limit"`
}

type loanJSON struct {
	XID              int64       `json:"loan_xid"`
	Status           string      `json:"status"`
	StatusCode       int         `json:"status_code"`
	Amount           julo.Money  `json:"loan_amount"`
	Duration         int         `json:"loan_duration"`
	InterestMonthly  decimalJSON `json:"interest_rate_monthly"`
	FirstInstallment julo.Money  `json:"first_installment_amount"`
	Installment      julo.Money  `json:"installment_amount"`
	Disbursement     julo.Money  `json:"loan_disbursement_amount"`
	Provision        julo.Money  `json:"provision_amount"`
	SPHPExpires      time.Time   `json:"sphp_exp_date"`
	FundTransfer     *time.Time  `json:"fund_transfer_ts"`
	SignatureStatus  bool        `json:"signature_status"`
	Bank             bankJSON    `json:"bank"`
}

// bankJSON is where the money goes; a customer's own account number is
// shown masked (the partner sent it; the answer need not repeat it).
type bankJSON struct {
	BankName      string `json:"bank_name"`
	AccountNumber string `json:"account_number"`
	Destination   string `json:"destination"`
}

type paymentJSON struct {
	Number    int        `json:"payment_number"`
	DueDate   string     `json:"due_date"`
	DueAmount julo.Money `json:"due_amount"`
	Principal julo.Money `json:"principal_amount"`
	Interest  julo.Money `json:"principal_interest"`
}

type limitJSON struct {
	Available julo.Money `json:"available_limit"`
	Used      julo.Money `json:"used_limit"`
}

func newLoanStatusJSON(v lending.LoanView) loanStatusJSON {
	l, q := v.Loan, v.Loan.Quote
	out := loanStatusJSON{Loan: loanJSON{XID: l.XID, Status: l.Status.Name(), StatusCode: int(l.Status), Amount: q.LoanAmount,
		Duration: q.Duration, InterestMonthly: bpsRate(q.InterestBPS), FirstInstallment: q.FirstInstallment,
		Installment: q.Installment, Disbursement: q.Disbursement, Provision: q.Provision, SPHPExpires: l.ExpiresAt.UTC(),
		SignatureStatus: v.Signature,
		Bank:            bankJSON{BankName: l.Destination.BankName, AccountNumber: l.Destination.Masked(), Destination: l.Destination.Kind}},
		Payments: make([]paymentJSON, 0, len(q.Schedule)), Limit: limitJSON{Available: v.Available, Used: v.Used}}
	if !l.FundTransferAt.IsZero() {
		t := l.FundTransferAt.UTC()
		out.Loan.FundTransfer = &t
	}
	for _, in := range q.Schedule {
		out.Payments = append(out.Payments, paymentJSON{Number: in.Number, DueDate: day(in.Due), DueAmount: in.Total,
			Principal: in.Principal, Interest: in.Interest})
	}
	return out
}

// existingLoanJSON is one of the status read's existing_loans.
type existingLoanJSON struct {
	XID    int64  `json:"loan_xid"`
	Status string `json:"loan_status"`
}
