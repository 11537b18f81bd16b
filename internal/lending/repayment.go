package lending

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/webhook"
)

// The repayment service (issue 14): virtual accounts, payments that apply
// once, the daily lateness, the sandbox test clock, and the partner's view
// of the dues. The rules are pure (repay.go, account.go, lateness.go);
// this file reads and writes through the store's repayment operations,
// each one transaction with the loans' rows held.

// LoanState is a disbursed loan as the repayment rules need it.
type LoanState struct {
	Loan         Loan
	Installments []InstallmentState
	// LatenessThrough is the last Day whose late fees and DPD status are
	// applied (the disbursement day at first).
	LatenessThrough time.Time
	// ClockOffsetDays is the sandbox test clock's advance of the loan's own
	// day (0 unless advanced).
	ClockOffsetDays int
	PaidOffAt       time.Time
}

// Today is the loan's own Jakarta day at now.
func (l LoanState) Today(now time.Time) time.Time { return Day(now).AddDate(0, 0, l.ClockOffsetDays) }

// StatusStep is one status move a repayment operation makes.
type StatusStep struct {
	To     julo.LoanStatus
	Reason string
}

// LoanChange is what one repayment operation writes of one loan: the
// installments after it, how far lateness is applied, any test clock
// advance, the payment's allocations, and the status moves (through the
// status machine, in order, in the same transaction).
type LoanChange struct {
	LoanID          int64
	Installments    []InstallmentState
	LatenessThrough time.Time
	AdvanceDays     int
	Plan            *PaymentPlan
	Steps           []StatusStep
}

// Payment sources.
const (
	SourceGateway = "gateway"
	SourceSandbox = "sandbox"
)

// Payment statuses.
const (
	PaymentApplied = "applied"
	PaymentRefused = "refused"
)

// PaymentIn is a transfer to a virtual account.
type PaymentIn struct {
	Source, PaymentID  string
	ApplicationID      int64
	PartnerID          int64
	BankCode           string
	VirtualAccount     string
	Amount             julo.Money
	PaidAt, ReceivedAt time.Time
	// KeepRefused records a refused payment (the gateway's: the money
	// arrived and must be returned); otherwise a refusal writes nothing.
	KeepRefused bool
}

// PaymentAllocation is what a payment paid of one installment.
type PaymentAllocation struct {
	LoanXID                      int64
	Number                       int
	LateFee, Interest, Principal julo.Money
	WaivedInterest               julo.Money
}

// Payment is a recorded payment.
type Payment struct {
	PaymentIn
	Status, Refusal string
	// Duplicate: this payment_id was recorded before; nothing was applied
	// now.
	Duplicate   bool
	Allocations []PaymentAllocation
}

// RepaymentStore is the storage of repayment; each method is one
// transaction.
type RepaymentStore interface {
	// PaymentCode returns the application's payment code, made with gen
	// the first time (gen is called again on a collision).
	PaymentCode(ctx context.Context, applicationID int64, at time.Time, gen func() (string, error)) (string, error)
	// ApplicationByPaymentCode returns the application whose code it is
	// (ENOTFOUND: none).
	ApplicationByPaymentCode(ctx context.Context, code string) (applicationID, partnerID int64, err error)
	// LoanStates reads the application's disbursed loans (220-237 and
	// 250), oldest first, without holding them.
	LoanStates(ctx context.Context, applicationID int64) ([]LoanState, error)
	// LoanState reads one loan's state (ENOTFOUND: not disbursed).
	LoanState(ctx context.Context, loanID int64) (LoanState, error)
	// RepayingLoans lists the ids of loans at 220-237 after afterID, at
	// most limit.
	RepayingLoans(ctx context.Context, afterID int64, limit int) ([]int64, error)
	// ChangeLoan holds the loan (220-237), calls change with its state and
	// writes what it returns.
	ChangeLoan(ctx context.Context, loanID int64, at time.Time, change func(LoanState) (LoanChange, error)) (LoanState, error)
	// Pay records in, once per (Source, PaymentID): a repeat returns the
	// recorded payment with Duplicate set and applies nothing. Otherwise it
	// holds the application's loans at 220-237, oldest first, calls plan
	// with their states and writes its changes and allocations. A plan
	// error that is a *julo.Error refuses the payment: recorded as refused
	// (in.KeepRefused) or not at all, and returned; any other error writes
	// nothing.
	Pay(ctx context.Context, in PaymentIn, plan func([]LoanState) ([]LoanChange, error)) (Payment, error)
}

// Reasons of the repayment's status moves.
const (
	ReasonDaysPastDue = "days_past_due"
	ReasonTestClock   = "days_past_due_test_clock"
	ReasonCaughtUp    = "caught_up_by_payment"
	ReasonPaidOff     = "paid_off"
)

// VirtualAccountBank is a bank customers pay through: its code, the
// payment method's name as partners show it, and the prefix of its
// virtual account numbers (the lender's agreement with its payment
// gateway).
type VirtualAccountBank struct {
	BankCode string `json:"bank_code"`
	Name     string `json:"payment_method_name"`
	Prefix   string `json:"prefix"`
}

// VirtualAccount is one of a customer's numbers.
type VirtualAccount struct {
	Bank    VirtualAccountBank
	Number  string
	Primary bool
}

// paymentCodeDigits is the length of a payment code: 10 random digits, so
// codes are not guessable from one another and never derived from
// personal data (production's numbers end in the phone number).
const paymentCodeDigits = 10

func (s *Service) newPaymentCode() (string, error) {
	n, err := rand.Int(s.rand, big.NewInt(9_000_000_000))
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n.Int64()+1_000_000_000, 10), nil
}

// VirtualAccounts returns the application's virtual account numbers, one
// per configured bank, the first bank's primary.
func (s *Service) VirtualAccounts(ctx context.Context, applicationID int64) ([]VirtualAccount, error) {
	code, err := s.repay.PaymentCode(ctx, applicationID, s.now(), s.newPaymentCode)
	if err != nil {
		return nil, err
	}
	out := make([]VirtualAccount, 0, len(s.terms.Rules.VirtualAccountBanks))
	for k, b := range s.terms.Rules.VirtualAccountBanks {
		out = append(out, VirtualAccount{Bank: b, Number: b.Prefix + code, Primary: k == 0})
	}
	return out, nil
}

// findVirtualAccount reads a virtual account number into its bank and
// application (ENOTFOUND: no such number).
func (s *Service) findVirtualAccount(ctx context.Context, number string) (VirtualAccountBank, int64, int64, error) {
	for _, b := range s.terms.Rules.VirtualAccountBanks {
		code, ok := strings.CutPrefix(number, b.Prefix)
		if !ok || len(code) != paymentCodeDigits {
			continue
		}
		app, partner, err := s.repay.ApplicationByPaymentCode(ctx, code)
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			break
		}
		return b, app, partner, err
	}
	return VirtualAccountBank{}, 0, 0, julo.Errorf(julo.ENOTFOUND, "virtual_account", i18n.PaymentVAUnknown)
}

// catchUp applies the daily lateness of st up to its day today: the late
// fees and the DPD statuses of every day not yet applied.
func (s *Service) catchUp(st LoanState, today time.Time, reason string) (LoanChange, error) {
	ch := LoanChange{LoanID: st.Loan.ID, Installments: st.Installments, LatenessThrough: st.LatenessThrough}
	if !today.After(st.LatenessThrough) {
		return ch, nil
	}
	after, _, steps, err := s.terms.Lateness(st.Installments, st.Loan.Quote.LoanAmount, st.Loan.Quote.Provision, st.Loan.Status,
		st.LatenessThrough, today)
	if err != nil {
		return ch, err
	}
	ch.Installments, ch.LatenessThrough = after, today
	for _, step := range steps {
		ch.Steps = append(ch.Steps, StatusStep{To: step.Status, Reason: reason})
	}
	return ch, nil
}

// status is the loan's status after ch's steps.
func (ch LoanChange) status(before julo.LoanStatus) julo.LoanStatus {
	if n := len(ch.Steps); n > 0 {
		return ch.Steps[n-1].To
	}
	return before
}

// LatenessJob runs the daily lateness of every loan being repaid (00:05
// Asia/Jakarta, and on demand).
type LatenessJob struct{}

// Kind implements julo.Job.
func (LatenessJob) Kind() string { return "loan_lateness" }

// RunLateness runs a LatenessJob: each loan at 220-237 has its late fees
// and DPD status brought to its day, each in its own transaction.
func (s *Service) RunLateness(ctx context.Context, _ LatenessJob) error {
	now := s.now()
	var after int64
	for {
		ids, err := s.repay.RepayingLoans(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, id := range ids {
			_, err := s.repay.ChangeLoan(ctx, id, now, func(st LoanState) (LoanChange, error) {
				return s.catchUp(st, st.Today(now), ReasonDaysPastDue)
			})
			if err != nil && julo.ErrorCode(err) != julo.ENOTFOUND {
				return err
			}
		}
		if len(ids) < 200 {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// maxAdvanceDays bounds one test clock advance.
const maxAdvanceDays = 1000

// AdvanceClock moves the sandbox test clock of partner p's loan xid
// forward by days: the loan's own day moves, and the daily lateness runs
// for each day skipped, with its fees, status moves and events.
func (s *Service) AdvanceClock(ctx context.Context, p julo.Partner, xid string, days *int64) (LoanState, error) {
	switch {
	case days == nil:
		return LoanState{}, julo.Errorf(julo.EINVALID, "advance_days", i18n.Required)
	case *days < 1 || *days > maxAdvanceDays:
		return LoanState{}, julo.Errorf(julo.EINVALID, "advance_days", i18n.ClockAdvanceRange, maxAdvanceDays)
	}
	l, err := s.Loan(ctx, p, xid)
	if err != nil {
		return LoanState{}, err
	}
	now := s.now()
	st, err := s.repay.ChangeLoan(ctx, l.ID, now, func(st LoanState) (LoanChange, error) {
		st.ClockOffsetDays += int(*days)
		ch, err := s.catchUp(st, st.Today(now), ReasonTestClock)
		ch.AdvanceDays = int(*days)
		return ch, err
	})
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return LoanState{}, julo.Errorf(julo.ECONFLICT, "", i18n.ClockNotRepaying, int(l.Status), l.Status.Name())
	}
	return st, err
}

// Pay applies a payment: the lateness of each loan brought to its day,
// then PlanAccount over the application's loans, then each loan's status
// caught up (220 when nothing is late, 250 when nothing is left: its
// amount back to the limit in the same transaction).
func (s *Service) pay(ctx context.Context, in PaymentIn) (Payment, error) {
	now := s.now()
	return s.repay.Pay(ctx, in, func(states []LoanState) ([]LoanChange, error) {
		changes := make([]LoanChange, len(states))
		dues := make([]LoanDues, len(states))
		for k, st := range states {
			today := st.Today(now)
			ch, err := s.catchUp(st, today, ReasonDaysPastDue)
			if err != nil {
				return nil, err
			}
			changes[k] = ch
			dues[k] = LoanDues{LoanID: st.Loan.ID, Installments: ch.Installments, Today: today}
		}
		plans, err := PlanAccount(dues, in.Amount)
		switch {
		case errors.Is(err, ErrOverpayment):
			return nil, julo.Errorf(julo.ECONFLICT, "amount", i18n.PaymentOverpayment, in.Amount.String(), AccountPayoff(dues).String())
		case errors.Is(err, ErrNotPositive):
			return nil, julo.Errorf(julo.EINVALID, "amount", i18n.PaymentAmountInvalid)
		case err != nil:
			return nil, err
		}
		for k, p := range plans {
			ch := &changes[k]
			ch.Installments = p.After
			plan := p.Plan
			ch.Plan = &plan
			before := ch.status(states[k].Loan.Status)
			if to := CaughtUp(p.After, dues[k].Today); to != before {
				reason := ReasonCaughtUp
				if to == julo.LoanPaidOff {
					reason = ReasonPaidOff
				}
				ch.Steps = append(ch.Steps, StatusStep{To: to, Reason: reason})
			}
		}
		return changes, nil
	})
}

// maxPaymentIDLen bounds a gateway's payment id.
const maxPaymentIDLen = 64

// paymentCallback is the payment gateway's signed report of a transfer.
type paymentCallback struct {
	PaymentID      string  `json:"payment_id"`
	VirtualAccount string  `json:"virtual_account"`
	Amount         *int64  `json:"amount"`
	PaidAt         *string `json:"paid_at"`
}

// PaymentCallback takes the payment gateway's signed report of a transfer
// (POST /vendor/v1/payments/callback): the signature over the raw body
// (package webhook's scheme), then the payment applies once: the same
// payment_id again (or from two instances at once) answers the recorded
// payment with Duplicate set. A payment above what the customer owes is
// recorded as refused (the amount to be returned) and answered as a
// conflict, the same each time it is delivered.
func (s *Service) PaymentCallback(ctx context.Context, signature string, body []byte) (Payment, error) {
	if len(s.paymentSecret) == 0 || webhook.Verify(s.paymentSecret, signature, body, s.now(), callbackSkew) != nil {
		return Payment{}, &julo.Error{Code: julo.EUNAUTHORIZED, Problems: []julo.Problem{{Msg: i18n.CallbackUnauthorized}}}
	}
	var c paymentCallback
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Payment{}, julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, "a JSON object with payment_id, virtual_account, amount and paid_at")
	}
	var ps julo.Problems
	if c.PaymentID == "" || len(c.PaymentID) > maxPaymentIDLen {
		ps.Add("payment_id", i18n.PaymentIDInvalid, maxPaymentIDLen)
	}
	paidAt := s.now()
	if c.PaidAt != nil {
		t, err := time.Parse(time.RFC3339, *c.PaidAt)
		if err != nil {
			ps.Add("paid_at", i18n.PaymentPaidAtInvalid)
		}
		paidAt = t
	}
	amount := paymentAmount(&ps, c.Amount)
	if err := ps.Err(); err != nil {
		return Payment{}, err
	}
	return s.payTo(ctx, nil, PaymentIn{Source: SourceGateway, PaymentID: c.PaymentID, VirtualAccount: c.VirtualAccount,
		Amount: amount, PaidAt: paidAt, KeepRefused: true})
}

// maxPayment bounds one payment (a bank transfer of more is not real).
const maxPayment = julo.Money(10_000_000_000)

func paymentAmount(ps *julo.Problems, v *int64) julo.Money {
	switch {
	case v == nil:
		ps.Add("amount", i18n.Required)
	case *v < 1 || julo.Money(*v) > maxPayment:
		ps.Add("amount", i18n.PaymentAmountInvalid)
	default:
		return julo.Money(*v)
	}
	return 0
}

// SandboxPayment simulates a bank transfer to partner p's customer's
// virtual account (POST sandbox/payments) through the gateway's path; a
// refusal records nothing.
func (s *Service) SandboxPayment(ctx context.Context, p julo.Partner, va *string, amount *int64) (Payment, error) {
	var ps julo.Problems
	if va == nil || *va == "" {
		ps.Add("virtual_account", i18n.Required)
	}
	a := paymentAmount(&ps, amount)
	if err := ps.Err(); err != nil {
		return Payment{}, err
	}
	id, err := s.newPaymentCode()
	if err != nil {
		return Payment{}, err
	}
	now := s.now()
	return s.payTo(ctx, &p, PaymentIn{Source: SourceSandbox, PaymentID: fmt.Sprintf("sbx_%d_%s", now.UnixMilli(), id),
		VirtualAccount: *va, Amount: a, PaidAt: now})
}

// payTo finds the virtual account's application (only partner p's, when
// p is given) and pays it.
func (s *Service) payTo(ctx context.Context, p *julo.Partner, in PaymentIn) (Payment, error) {
	bank, app, partner, err := s.findVirtualAccount(ctx, in.VirtualAccount)
	if err == nil && p != nil && partner != p.ID {
		err = julo.Errorf(julo.ENOTFOUND, "virtual_account", i18n.PaymentVAUnknown)
	}
	if err != nil {
		return Payment{}, err
	}
	in.BankCode, in.ApplicationID, in.PartnerID, in.ReceivedAt = bank.BankCode, app, partner, s.now()
	pay, err := s.pay(ctx, in)
	if err == nil && pay.Duplicate && pay.Status == PaymentRefused {
		// A refused payment delivered again: refused again, nothing applied.
		return Payment{}, julo.Errorf(julo.ECONFLICT, "payment_id", i18n.PaymentRefusedBefore, pay.Amount.String())
	}
	return pay, err
}

// InstallmentView is one installment as partners see it on a day.
type InstallmentView struct {
	LoanXID int64
	InstallmentState
	Status string // AccountPaymentStatus
	DPD    int    // days past due of this installment (0: not late)
}

// AccountPaymentView is the dues of one date across the application's
// loans.
type AccountPaymentView struct {
	Due                                       time.Time
	Principal, Interest, LateFee, Outstanding julo.Money
	PaidPrincipal, PaidInterest, PaidLateFee  julo.Money
	PaidOn                                    time.Time // the day the last of them was paid (zero: not all paid)
	Status                                    string
	Installments                              []InstallmentView
}

// Paid is what is paid of the dues.
func (a AccountPaymentView) Paid() julo.Money {
	return a.PaidPrincipal + a.PaidInterest + a.PaidLateFee
}

// AccountPayments is GET account-payment's data: a page of the dues by
// date, oldest first, and the virtual accounts.
type AccountPayments struct {
	Page, Pages, Limit int
	Dues               []AccountPaymentView
	VirtualAccounts    []VirtualAccount
}

// AccountPaymentsInput is GET account-payment's query.
type AccountPaymentsInput struct {
	Problems    julo.Problems
	PaidOff     *bool
	Page, Limit *int64
}

// maxPageLimit bounds account-payment's page size.
const maxPageLimit = 100

// viewInstallment is an installment of st as partners see it at now.
func viewInstallment(st LoanState, i InstallmentState, now time.Time) InstallmentView {
	today := st.Today(now)
	v := InstallmentView{LoanXID: st.Loan.XID, InstallmentState: i,
		Status: AccountPaymentStatus(i.Due, i.Outstanding(), i.PaidOff, today)}
	if i.Outstanding() > 0 && i.Due.Before(today) {
		v.DPD = daysBetween(i.Due, today)
	}
	return v
}

// AccountPayments answers GET account-payment/{application_xid}.
func (s *Service) AccountPayments(ctx context.Context, p julo.Partner, xid string, in AccountPaymentsInput) (AccountPayments, error) {
	ps := in.Problems
	page, limit := 1, 50
	if in.Page != nil {
		page = int(*in.Page)
	}
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxPageLimit {
			ps.Add("limit", i18n.PageLimitInvalid, maxPageLimit)
		}
		limit = int(*in.Limit)
	}
	if ps.Has("page") || page < 1 {
		return AccountPayments{}, julo.Errorf(julo.EINVALID, "page", i18n.PageInvalid)
	}
	if err := ps.Err(); err != nil {
		return AccountPayments{}, err
	}
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return AccountPayments{}, err
	}
	states, err := s.repay.LoanStates(ctx, app.ID)
	if err != nil {
		return AccountPayments{}, err
	}
	now := s.now()
	byDate := map[time.Time]*AccountPaymentView{}
	var dates []time.Time
	for _, st := range states {
		for _, i := range st.Installments {
			a := byDate[i.Due]
			if a == nil {
				a = &AccountPaymentView{Due: i.Due}
				byDate[i.Due] = a
				dates = append(dates, i.Due)
			}
			a.Installments = append(a.Installments, viewInstallment(st, i, now))
		}
	}
	slices.SortFunc(dates, time.Time.Compare)
	today := Day(now) // the dues' day: the latest of the loans' (a test clock moves one)
	for _, st := range states {
		today = maxTime(today, st.Today(now))
	}
	var all []AccountPaymentView
	for _, d := range dates {
		a := byDate[d]
		for _, v := range a.Installments {
			a.Principal += v.InstallmentState.Principal
			a.Interest += v.InstallmentState.Interest - v.WaivedInterest
			a.LateFee += v.InstallmentState.LateFee
			a.Outstanding += v.Outstanding()
			a.PaidPrincipal += v.InstallmentState.PaidPrincipal
			a.PaidInterest += v.InstallmentState.PaidInterest
			a.PaidLateFee += v.InstallmentState.PaidLateFee
			if v.PaidOff.After(a.PaidOn) {
				a.PaidOn = v.PaidOff
			}
		}
		if a.Outstanding > 0 {
			a.PaidOn = time.Time{}
		}
		a.Status = AccountPaymentStatus(a.Due, a.Outstanding, a.PaidOn, today)
		if in.PaidOff != nil && *in.PaidOff != (a.Outstanding == 0) {
			continue
		}
		all = append(all, *a)
	}
	out := AccountPayments{Page: page, Limit: limit, Pages: max(1, (len(all)+limit-1)/limit)}
	if page > out.Pages {
		return AccountPayments{}, julo.Errorf(julo.EINVALID, "page", i18n.PageInvalid)
	}
	out.Dues = all[min((page-1)*limit, len(all)):min(page*limit, len(all))]
	if out.VirtualAccounts, err = s.VirtualAccounts(ctx, app.ID); err != nil {
		return AccountPayments{}, err
	}
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Repayment is what a loan's status read shows of its repayment: each
// installment as partners see it today and the early payoff amount.
type Repayment struct {
	Installments []InstallmentView
	Payoff       julo.Money
	Overdue      julo.Money // what is past due (late fees included)
	ClockOffset  int
	Disbursed    bool
}

// repayment reads loan l's repayment (Disbursed false before 220).
func (s *Service) repayment(ctx context.Context, l Loan) (Repayment, error) {
	st, err := s.repay.LoanState(ctx, l.ID)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return Repayment{}, nil
	}
	if err != nil {
		return Repayment{}, err
	}
	now := s.now()
	today := st.Today(now)
	r := Repayment{Disbursed: true, ClockOffset: st.ClockOffsetDays, Payoff: PayoffAmount(st.Installments, today)}
	for _, i := range st.Installments {
		v := viewInstallment(st, i, now)
		if v.DPD > 0 {
			r.Overdue += i.Outstanding()
		}
		r.Installments = append(r.Installments, v)
	}
	return r, nil
}
