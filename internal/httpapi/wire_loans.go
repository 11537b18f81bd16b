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
	Loan     loanJSON          `json:"loan"`
	Payments []installmentJSON `json:"payments"`
	Limit    limitJSON         `json:"limit"`
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
	// Once disbursed (null before): what pays the loan off today, what is
	// past due, the days past due of its oldest late installment.
	Payoff  *julo.Money `json:"payoff_amount"`
	Overdue *julo.Money `json:"overdue_amount"`
	DPD     *int        `json:"dpd"`
	// ClockOffsetDays: the sandbox test clock's advance of the loan's day
	// (sandbox only; absent when never advanced).
	ClockOffsetDays int `json:"test_clock_offset_days,omitempty"`
}

// bankJSON is where the money goes; a customer's own account number is
// shown masked (the partner sent it; the answer need not repeat it).
type bankJSON struct {
	BankName      string `json:"bank_name"`
	AccountNumber string `json:"account_number"`
	Destination   string `json:"destination"`
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
		Payments: make([]installmentJSON, 0, len(q.Schedule)), Limit: limitJSON{Available: v.Available, Used: v.Used}}
	if !l.FundTransferAt.IsZero() {
		t := l.FundTransferAt.UTC()
		out.Loan.FundTransfer = &t
	}
	if rp := v.Repayment; rp.Disbursed {
		dpd := 0
		for _, i := range rp.Installments {
			out.Payments = append(out.Payments, newInstallmentJSON(i))
			dpd = max(dpd, i.DPD)
		}
		out.Loan.Payoff, out.Loan.Overdue, out.Loan.DPD, out.Loan.ClockOffsetDays = &rp.Payoff, &rp.Overdue, &dpd, rp.ClockOffset
		return out
	}
	for _, in := range q.Schedule {
		out.Payments = append(out.Payments, installmentJSON{LoanXID: l.XID, Number: in.Number, DueDate: day(in.Due),
			DueAmount: in.Total, Principal: in.Principal, Interest: in.Interest, Status: lending.StatusNotDue})
	}
	return out
}

// existingLoanJSON is one of the status read's existing_loans.
type existingLoanJSON struct {
	XID    int64  `json:"loan_xid"`
	Status string `json:"loan_status"`
}

// The wire forms of repayment (issue 14): production's account payment
// keys.

// installmentJSON is one installment with what is charged and paid of it.
type installmentJSON struct {
	LoanXID       int64      `json:"loan_xid"`
	Number        int        `json:"payment_number"`
	DueDate       string     `json:"due_date"`
	DueAmount     julo.Money `json:"due_amount"`
	Principal     julo.Money `json:"principal_amount"`
	Interest      julo.Money `json:"principal_interest"`
	LateFee       julo.Money `json:"late_fee_amount"`
	PaidAmount    julo.Money `json:"paid_amount"`
	PaidPrincipal julo.Money `json:"paid_principal"`
	PaidInterest  julo.Money `json:"paid_interest"`
	PaidLateFee   julo.Money `json:"paid_late_fee"`
	PaidDate      *string    `json:"paid_date"`
	Status        string     `json:"status"`
	DPD           int        `json:"installment_dpd"`
	Overdue       julo.Money `json:"overdue_amount"`
}

func newInstallmentJSON(v lending.InstallmentView) installmentJSON {
	i := v.InstallmentState
	out := installmentJSON{LoanXID: v.LoanXID, Number: i.Number, DueDate: day(i.Due), DueAmount: i.Outstanding(),
		Principal: i.Principal, Interest: i.Interest - i.WaivedInterest, LateFee: i.LateFee,
		PaidAmount: i.PaidPrincipal + i.PaidInterest + i.PaidLateFee, PaidPrincipal: i.PaidPrincipal, PaidInterest: i.PaidInterest,
		PaidLateFee: i.PaidLateFee, PaidDate: dayOrNull(i.PaidOff), Status: v.Status, DPD: v.DPD}
	if v.DPD > 0 {
		out.Overdue = i.Outstanding()
	}
	return out
}

func dayOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	d := day(t)
	return &d
}

type accountPaymentJSON struct {
	DueDate       string            `json:"due_date"`
	DueAmount     julo.Money        `json:"due_amount"`
	Principal     julo.Money        `json:"principal_amount"`
	Interest      julo.Money        `json:"principal_interest"`
	PaidDate      *string           `json:"paid_date"`
	LateFee       julo.Money        `json:"late_fee_amount"`
	PaidAmount    julo.Money        `json:"paid_amount"`
	PaidPrincipal julo.Money        `json:"paid_principal"`
	PaidInterest  julo.Money        `json:"paid_interest"`
	PaidLateFee   julo.Money        `json:"paid_late_fee"`
	Status        string            `json:"status"`
	Payment       []installmentJSON `json:"payment"`
}

type virtualAccountJSON struct {
	BankCode string `json:"bank_code"`
	Number   string `json:"virtual_account"`
	Name     string `json:"payment_method_name"`
	Primary  bool   `json:"is_primary"`
	Shown    bool   `json:"is_shown"`
}

type accountPaymentsJSON struct {
	AccountPayments []accountPaymentJSON `json:"account_payments"`
	VirtualAccounts []virtualAccountJSON `json:"virtual_accounts"`
}

func newAccountPaymentsJSON(a lending.AccountPayments) accountPaymentsJSON {
	out := accountPaymentsJSON{AccountPayments: make([]accountPaymentJSON, 0, len(a.Dues)),
		VirtualAccounts: make([]virtualAccountJSON, 0, len(a.VirtualAccounts))}
	for _, d := range a.Dues {
		j := accountPaymentJSON{DueDate: day(d.Due), DueAmount: d.Outstanding, Principal: d.Principal, Interest: d.Interest,
			PaidDate: dayOrNull(d.PaidOn), LateFee: d.LateFee, PaidAmount: d.Paid(), PaidPrincipal: d.PaidPrincipal,
			PaidInterest: d.PaidInterest, PaidLateFee: d.PaidLateFee, Status: d.Status,
			Payment: make([]installmentJSON, 0, len(d.Installments))}
		for _, v := range d.Installments {
			j.Payment = append(j.Payment, newInstallmentJSON(v))
		}
		out.AccountPayments = append(out.AccountPayments, j)
	}
	for _, v := range a.VirtualAccounts {
		out.VirtualAccounts = append(out.VirtualAccounts, virtualAccountJSON{BankCode: v.Bank.BankCode, Number: v.Number,
			Name: v.Bank.Name, Primary: v.Primary, Shown: true})
	}
	return out
}

// paymentJSONOut is a recorded payment as the gateway and the sandbox see
// it.
type paymentOutJSON struct {
	PaymentID      string           `json:"payment_id"`
	VirtualAccount string           `json:"virtual_account"`
	BankCode       string           `json:"bank_code"`
	Amount         julo.Money       `json:"amount"`
	Status         string           `json:"status"`
	Duplicate      bool             `json:"duplicate"`
	PaidAt         time.Time        `json:"paid_at"`
	Allocations    []allocationJSON `json:"allocations"`
}

type allocationJSON struct {
	LoanXID        int64      `json:"loan_xid"`
	Number         int        `json:"payment_number"`
	LateFee        julo.Money `json:"paid_late_fee"`
	Interest       julo.Money `json:"paid_interest"`
	Principal      julo.Money `json:"paid_principal"`
	WaivedInterest julo.Money `json:"waived_interest"`
}

func newPaymentJSON(p lending.Payment) paymentOutJSON {
	out := paymentOutJSON{PaymentID: p.PaymentID, VirtualAccount: p.VirtualAccount, BankCode: p.BankCode, Amount: p.Amount,
		Status: p.Status, Duplicate: p.Duplicate, PaidAt: p.PaidAt.UTC(), Allocations: make([]allocationJSON, 0, len(p.Allocations))}
	for _, a := range p.Allocations {
		out.Allocations = append(out.Allocations, allocationJSON{LoanXID: a.LoanXID, Number: a.Number, LateFee: a.LateFee,
			Interest: a.Interest, Principal: a.Principal, WaivedInterest: a.WaivedInterest})
	}
	return out
}
