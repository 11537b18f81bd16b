package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// Repayment (issue 14) through the whole server: the partner's view of the
// dues and virtual accounts, payments from the sandbox and from the signed
// gateway callback (once per payment_id, also from two instances at once),
// lateness by the daily job and by the sandbox test clock, early payoff,
// and 250 giving the amount back to the limit.

const paymentSecret = "payment-gateway-callback-secret-0123456789"

// disbursedLoan is a loan of amount over its shortest offered tenor, signed
// and disbursed by the sandbox provider (220).
func (s *testServer) disbursedLoan(t *testing.T, xid string, amount int64) int64 {
	t.Helper()
	s.inputPIN(xid, readyPIN).expect(t, 200)
	o := s.offers(t, xid, amount, true)[0]
	var c createdLoan
	s.createLoan(xid, amount, o.Duration, true).expect(t, http.StatusCreated).decodeData(t, &c)
	s.uploadSignature(t, c.XID).expect(t, http.StatusCreated)
	s.agreementAction(c.XID, "sign").expect(t, 200)
	s.settle(t)
	s.Clock.Add(2 * time.Second)
	s.settle(t)
	if st := s.loanStatus(t, c.XID); st.Loan.Code != 220 {
		t.Fatalf("not disbursed: %+v", st.Loan)
	}
	return c.XID
}

type installmentOut struct {
	LoanXID       int64   `json:"loan_xid"`
	Number        int     `json:"payment_number"`
	Due           string  `json:"due_date"`
	DueAmount     int64   `json:"due_amount"`
	Principal     int64   `json:"principal_amount"`
	Interest      int64   `json:"principal_interest"`
	LateFee       int64   `json:"late_fee_amount"`
	Paid          int64   `json:"paid_amount"`
	PaidPrincipal int64   `json:"paid_principal"`
	PaidInterest  int64   `json:"paid_interest"`
	PaidLateFee   int64   `json:"paid_late_fee"`
	PaidDate      *string `json:"paid_date"`
	Status        string  `json:"status"`
	DPD           int     `json:"installment_dpd"`
	Overdue       int64   `json:"overdue_amount"`
}

type accountPaymentOut struct {
	Due       string           `json:"due_date"`
	DueAmount int64            `json:"due_amount"`
	Principal int64            `json:"principal_amount"`
	Interest  int64            `json:"principal_interest"`
	LateFee   int64            `json:"late_fee_amount"`
	Paid      int64            `json:"paid_amount"`
	PaidDate  *string          `json:"paid_date"`
	Status    string           `json:"status"`
	Payment   []installmentOut `json:"payment"`
}

type accountPaymentsOut struct {
	Success  bool    `json:"success"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Data     struct {
		AccountPayments []accountPaymentOut `json:"account_payments"`
		VirtualAccounts []struct {
			BankCode string `json:"bank_code"`
			Number   string `json:"virtual_account"`
			Name     string `json:"payment_method_name"`
			Primary  bool   `json:"is_primary"`
			Shown    bool   `json:"is_shown"`
		} `json:"virtual_accounts"`
	} `json:"data"`
}

func (s *testServer) accountPayments(t *testing.T, xid, query string) accountPaymentsOut {
	t.Helper()
	var out accountPaymentsOut
	r := s.do(req{Method: "GET", Path: v1 + "/account-payment/" + xid + query}).expect(t, 200)
	if err := json.Unmarshal([]byte(r.Raw), &out); err != nil || !out.Success {
		t.Fatalf("account-payment: %v: %s", err, r.Raw)
	}
	return out
}

// repayStatus is GET loan/status with the repayment's fields.
type repayStatus struct {
	Loan struct {
		Code    int    `json:"status_code"`
		Payoff  *int64 `json:"payoff_amount"`
		Overdue *int64 `json:"overdue_amount"`
		DPD     *int   `json:"dpd"`
		Offset  int    `json:"test_clock_offset_days"`
	} `json:"loan"`
	Payments []installmentOut `json:"payments"`
	Limit    struct {
		Available int64 `json:"available_limit"`
		Used      int64 `json:"used_limit"`
	} `json:"limit"`
}

func (s *testServer) repayStatus(t *testing.T, loanXID int64) repayStatus {
	t.Helper()
	var out repayStatus
	s.do(req{Method: "GET", Path: fmt.Sprintf("%s/loan/status/%d/", v1, loanXID)}).expect(t, 200).decodeData(t, &out)
	return out
}

type paymentOut struct {
	PaymentID   string          `json:"payment_id"`
	Amount      int64           `json:"amount"`
	Status      string          `json:"status"`
	Duplicate   bool            `json:"duplicate"`
	BankCode    string          `json:"bank_code"`
	PaidAt      time.Time       `json:"paid_at"`
	Allocations []allocationOut `json:"allocations"`
}

// allocationOut is one installment's part of a payment.
type allocationOut struct {
	LoanXID   int64 `json:"loan_xid"`
	Number    int   `json:"payment_number"`
	LateFee   int64 `json:"paid_late_fee"`
	Interest  int64 `json:"paid_interest"`
	Principal int64 `json:"paid_principal"`
	Waived    int64 `json:"waived_interest"`
}

func (s *testServer) sandboxPay(va string, amount int64) response {
	return s.do(req{Method: "POST", Path: v1 + "/sandbox/payments", Body: map[string]any{"virtual_account": va, "amount": amount}})
}

func (s *testServer) advanceClock(loanXID int64, days int) response {
	return s.do(req{Method: "POST", Path: fmt.Sprintf("%s/sandbox/test-clock/%d", v1, loanXID), Body: map[string]any{"advance_days": days}})
}

// moneyAddsUp checks the payments' books: every applied payment's amount
// is allocated exactly, a refused one allocates nothing, no installment
// part is paid beyond what it is, and the account's available limit is
// the set limit less the loans still drawing on it.
func (s *testServer) moneyAddsUp(t *testing.T, xid string) {
	t.Helper()
	var in, allocated, refusedAllocated int64
	s.query(t, `SELECT COALESCE(SUM(amount), 0) FROM payments WHERE status = 'applied'`, nil, &in)
	s.query(t, `SELECT COALESCE(SUM(pa.late_fee + pa.interest + pa.principal), 0) FROM payment_allocations pa
		JOIN payments p ON p.id = pa.payment_id WHERE p.status = 'applied'`, nil, &allocated)
	s.query(t, `SELECT COUNT(*) FROM payment_allocations pa JOIN payments p ON p.id = pa.payment_id WHERE p.status = 'refused'`, nil,
		&refusedAllocated)
	if in != allocated || refusedAllocated != 0 {
		t.Fatalf("payments %d, allocated %d, allocations of refused payments %d", in, allocated, refusedAllocated)
	}
	var over int64
	s.query(t, `SELECT COUNT(*) FROM loan_installments WHERE paid_principal > principal OR paid_interest + waived_interest > interest
		OR paid_late_fee > late_fee`, nil, &over)
	var paidVsAlloc int64
	s.query(t, `SELECT COUNT(*) FROM loan_installments i WHERE i.paid_principal + i.paid_interest + i.paid_late_fee <>
		COALESCE((SELECT SUM(pa.late_fee + pa.interest + pa.principal) FROM payment_allocations pa WHERE pa.loan_id = i.loan_id
		AND pa.number = i.number), 0)`, nil, &paidVsAlloc)
	if over != 0 || paidVsAlloc != 0 {
		t.Fatalf("%d installments paid beyond what they are, %d whose paid parts are not their allocations", over, paidVsAlloc)
	}
	var drawing int64
	s.query(t, `SELECT COALESCE(SUM(l.loan_amount), 0) FROM loans l JOIN applications a ON a.id = l.application_id
		WHERE a.xid = $1 AND l.status IN (210, 211, 212, 220, 230, 231, 232, 233, 234, 235, 236, 237)`, []any{mustAtoi(xid)}, &drawing)
	if set, avail, used := s.account(t, xid); used != drawing || avail != set-drawing {
		t.Fatalf("account %d %d %d with %d drawn", set, avail, used, drawing)
	}
}

// A loan paid installment by installment on each due date: each payment
// pays exactly that installment, account-payment shows it paid on time,
// the last one moves the loan to 250 and gives the amount back.
func TestRepaymentOnTimeToPaidOff(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", nil)
	loan := s.disbursedLoan(t, xid, 3_000_000)

	ap := s.accountPayments(t, xid, "")
	vas := ap.Data.VirtualAccounts
	if len(vas) != 4 || vas[0].BankCode != "BCA" || !vas[0].Primary || vas[1].Primary || !strings.HasPrefix(vas[0].Number, "10994") ||
		len(vas[0].Number) != 15 || vas[0].Number[5:] != vas[1].Number[5:] || !vas[0].Shown {
		t.Fatalf("virtual accounts %+v", vas)
	}
	if again := s.accountPayments(t, xid, ""); again.Data.VirtualAccounts[0].Number != vas[0].Number {
		t.Fatal("the virtual account number changed between reads")
	}
	st := s.repayStatus(t, loan)
	dues := ap.Data.AccountPayments
	if len(dues) != len(st.Payments) || ap.Next != nil || ap.Previous != nil || st.Loan.Payoff == nil || *st.Loan.DPD != 0 {
		t.Fatalf("account payments %+v, status %+v", ap, st)
	}
	for k, d := range dues {
		if d.Status != lending.StatusNotDue || d.DueAmount != d.Principal+d.Interest || d.Paid != 0 || d.PaidDate != nil ||
			len(d.Payment) != 1 || d.Payment[0].LoanXID != loan || d.Payment[0].Number != k+1 {
			t.Fatalf("due %d: %+v", k, d)
		}
	}
	for k, d := range dues {
		due, _ := time.Parse("2006-01-02", d.Due)
		// 10:00 in Jakarta on the due date.
		s.Clock.Set(due.Add(3 * time.Hour))
		if got := s.accountPayments(t, xid, "").Data.AccountPayments[k].Status; got != lending.StatusDueToday {
			t.Fatalf("on its due date: %s", got)
		}
		var p paymentOut
		s.sandboxPay(vas[k%len(vas)].Number, d.DueAmount).expect(t, http.StatusCreated).decodeData(t, &p)
		if p.Status != "applied" || p.Duplicate || len(p.Allocations) != 1 || p.Allocations[0].Number != k+1 ||
			p.Allocations[0].Principal != d.Principal || p.Allocations[0].Interest != d.Interest || p.BankCode != vas[k%len(vas)].BankCode {
			t.Fatalf("payment %d: %+v", k, p)
		}
		paid := s.accountPayments(t, xid, "").Data.AccountPayments[k]
		if paid.Status != lending.StatusPaidOnTime || paid.DueAmount != 0 || paid.Paid != d.Principal+d.Interest || paid.PaidDate == nil ||
			*paid.PaidDate != d.Due {
			t.Fatalf("paid %d: %+v", k, paid)
		}
		s.moneyAddsUp(t, xid)
	}
	st = s.repayStatus(t, loan)
	if st.Loan.Code != 250 || *st.Loan.Payoff != 0 || st.Limit.Used != 0 || st.Limit.Available != 9_000_000 {
		t.Fatalf("after the last payment %+v", st)
	}
	if ev := s.loanEvents(t, loan); ev != "0>210,210>211,211>212,212>220,220>250" {
		t.Fatalf("events %s", ev)
	}
	// Paid off: nothing more is taken, nothing is recorded.
	s.unchanged(t, func() {
		r := s.sandboxPay(vas[0].Number, 1).expect(t, 409)
		if errorCodes(t, r)[0] != "payment_overpayment" {
			t.Fatal(r.Raw)
		}
	})
	if paidOff := s.accountPayments(t, xid, "?is_paid_off=true"); len(paidOff.Data.AccountPayments) != len(dues) {
		t.Fatalf("paid-off filter %+v", paidOff)
	}
	if open := s.accountPayments(t, xid, "?is_paid_off=false"); len(open.Data.AccountPayments) != 0 {
		t.Fatalf("unpaid filter %+v", open)
	}
}

// The sandbox test clock: a loan advanced to 35 days past its first due
// date is 232 with the moves 220>230>231>232 as events, late fees at the
// dated cap (0.1% a day in 2026) of each overdue principal, the test clock
// recorded; an overpayment is refused and changes nothing; the payoff
// amount pays it off with the later interest waived, back to 250.
func TestRepaymentTestClockLatenessAndPayoff(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", nil)
	loan := s.disbursedLoan(t, xid, 3_000_000)
	st := s.repayStatus(t, loan)
	due1, _ := time.Parse("2006-01-02", st.Payments[0].Due)
	today := lending.Day(s.Clock.Now())
	days := int(due1.Sub(today)/(24*time.Hour)) + 35

	// Refusals first: nothing changes.
	other := s.as("other", s.createPartner("other"))
	s.unchanged(t, func() {
		for _, c := range []struct {
			days   any
			status int
			code   string
		}{{0, 400, "clock_advance_range"}, {1001, 400, "clock_advance_range"}, {nil, 400, "required"}} {
			r := s.do(req{Method: "POST", Path: fmt.Sprintf("%s/sandbox/test-clock/%d", v1, loan), Body: map[string]any{"advance_days": c.days}}).
				expect(t, c.status)
			if errorCodes(t, r)[0] != c.code {
				t.Fatalf("%v: %s", c.days, r.Raw)
			}
		}
		s.advanceClock(1_000_000_001, 3).expect(t, 404)
		other.advanceClock(loan, 3).expect(t, 404)
	})

	var after repayStatus
	s.advanceClock(loan, days).expect(t, 200).decodeData(t, &after)
	if after.Loan.Code != 232 || *after.Loan.DPD != 35 || after.Loan.Offset != days {
		t.Fatalf("after %d days: %+v", days, after.Loan)
	}
	if ev := s.loanEvents(t, loan); ev != "0>210,210>211,211>212,212>220,220>230,230>231,231>232" {
		t.Fatalf("events %s", ev)
	}
	var recorded int
	s.query(t, `SELECT COALESCE(SUM(days), 0) FROM loan_clock_advances c JOIN loans l ON l.id = c.loan_id WHERE l.xid = $1`,
		[]any{loan}, &recorded)
	if recorded != days {
		t.Fatalf("the clock advances recorded: %d days", recorded)
	}
	loanDay := today.AddDate(0, 0, days)
	var overdue int64
	for _, p := range after.Payments {
		d, _ := time.Parse("2006-01-02", p.Due)
		late := max(0, int(loanDay.Sub(d)/(24*time.Hour)))
		// 0.1% a day (the 2026-01-01 row), rounded down per day.
		if want := int64(late) * (p.Principal / 1000); p.LateFee != want || p.DPD != late {
			t.Fatalf("installment %d, %d days late: late fee %d, want %d (%+v)", p.Number, late, p.LateFee, want, p)
		}
		if late > 0 {
			overdue += p.DueAmount
			if p.Status != lending.StatusLate || p.Overdue != p.DueAmount {
				t.Fatalf("late installment %+v", p)
			}
		}
	}
	if *after.Loan.Overdue != overdue {
		t.Fatalf("overdue %d, want %d", *after.Loan.Overdue, overdue)
	}
	// All costs within 100% of the loan.
	var charged int64
	s.query(t, `SELECT SUM(i.interest + i.late_fee) + MAX(l.provision_amount) FROM loan_installments i JOIN loans l ON l.id = i.loan_id
		WHERE l.xid = $1`, []any{loan}, &charged)
	if charged > 3_000_000 {
		t.Fatalf("charged %d on a 3,000,000 loan", charged)
	}

	va := s.accountPayments(t, xid, "").Data.VirtualAccounts[0].Number
	payoff := *after.Loan.Payoff
	s.unchanged(t, func() {
		r := s.sandboxPay(va, payoff+1).expect(t, 409)
		if errorCodes(t, r)[0] != "payment_overpayment" {
			t.Fatal(r.Raw)
		}
	})
	var p paymentOut
	s.sandboxPay(va, payoff).expect(t, 201).decodeData(t, &p)
	var waived int64
	for _, a := range p.Allocations {
		waived += a.Waived
	}
	// Waived: the interest of the installments after the one running (the
	// first due on or after the loan's day).
	var wantWaived int64
	running := false
	for _, p := range after.Payments {
		d, _ := time.Parse("2006-01-02", p.Due)
		if running {
			wantWaived += p.Interest
		}
		running = running || !d.Before(loanDay)
	}
	if waived != wantWaived {
		t.Fatalf("waived %d, want %d (payments %+v)", waived, wantWaived, after.Payments)
	}
	final := s.repayStatus(t, loan)
	if final.Loan.Code != 250 || final.Limit.Available != 9_000_000 || final.Limit.Used != 0 {
		t.Fatalf("after the payoff %+v", final)
	}
	if ev := s.loanEvents(t, loan); !strings.HasSuffix(ev, "231>232,232>250") {
		t.Fatalf("events %s", ev)
	}
	for _, d := range s.accountPayments(t, xid, "").Data.AccountPayments {
		if d.DueAmount != 0 || d.Status != lending.StatusPaidOnTime && d.Status != lending.StatusPaidLate {
			t.Fatalf("after the payoff %+v", d)
		}
	}
	s.moneyAddsUp(t, xid)
	// A paid-off loan's clock does not move.
	s.unchanged(t, func() { s.advanceClock(loan, 1).expect(t, 409) })
}

// The daily lateness job: run the day after a due date, the loan is 230
// with a day's late fee; paid, it is 220 again.
func TestRepaymentDailyLatenessJob(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", nil)
	loan := s.disbursedLoan(t, xid, 2_000_000)
	st := s.repayStatus(t, loan)
	due1, _ := time.Parse("2006-01-02", st.Payments[0].Due)
	// 00:05 in Jakarta on the day after the first due date.
	s.Clock.Set(due1.AddDate(0, 0, 1).Add(-7*time.Hour + 5*time.Minute))
	runLateness(t, s)
	st = s.repayStatus(t, loan)
	if st.Loan.Code != 230 || *st.Loan.DPD != 1 || st.Payments[0].LateFee != st.Payments[0].Principal/1000 {
		t.Fatalf("a day late: %+v", st)
	}
	// Running again the same day charges nothing more.
	runLateness(t, s)
	if again := s.repayStatus(t, loan); again.Payments[0].LateFee != st.Payments[0].LateFee {
		t.Fatalf("charged twice on one day: %+v", again.Payments[0])
	}
	va := s.accountPayments(t, xid, "").Data.VirtualAccounts[0].Number
	s.sandboxPay(va, st.Payments[0].DueAmount).expect(t, 201)
	st = s.repayStatus(t, loan)
	if st.Loan.Code != 220 || st.Payments[0].Status != lending.StatusPaidLate || *st.Loan.DPD != 0 {
		t.Fatalf("caught up: %+v", st)
	}
	if ev := s.loanEvents(t, loan); !strings.HasSuffix(ev, "212>220,220>230,230>220") {
		t.Fatalf("events %s", ev)
	}
	s.moneyAddsUp(t, xid)
}

// runLateness runs the daily lateness as its 00:05 schedule would.
func runLateness(t *testing.T, s *testServer) {
	t.Helper()
	if err := storeOf(t, s).Enqueue(context.Background(), julo.Scheduled{Job: lending.LatenessJob{}, At: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
}

// The payment gateway's signed callback: a wrong signature, an unknown
// virtual account and malformed bodies change nothing; a payment applies
// once however often it is delivered (also concurrently), and both
// answers say so; a payment above the debt is recorded as refused, the
// same answer each time.
func TestRepaymentGatewayCallbackAppliesOnce(t *testing.T) {
	s := startServer(t, nil, withEnv("JULO_PAYMENT_CALLBACK_SECRET", paymentSecret))
	xid := s.ready(t, "0001", nil)
	loan := s.disbursedLoan(t, xid, 3_000_000)
	va := s.accountPayments(t, xid, "").Data.VirtualAccounts[1].Number
	path := "/vendor/v1/payments/callback"
	body := func(id string, amount int64) string {
		return fmt.Sprintf(`{"payment_id": %q, "virtual_account": %q, "amount": %d, "paid_at": "2026-12-10T10:00:00+07:00"}`, id, va, amount)
	}
	s.unchanged(t, func() {
		b := body("pg-1", 500_000)
		s.callback(path, sign("another-secret", s.Clock.Now(), b), b).expect(t, 401)
		unknown := strings.Replace(b, va, "10994"+"0000000001", 1)
		if r := s.callback(path, sign(paymentSecret, s.Clock.Now(), unknown), unknown).expect(t, 404); errorCodes(t, r)[0] != "payment_va_unknown" {
			t.Fatal(r.Raw)
		}
		for _, bad := range []string{body("", 500_000), body("pg-1", 0), strings.Replace(b, "2026-12-10T10:00:00+07:00", "10 Dec", 1)} {
			s.callbackMarked(path, sign(paymentSecret, s.Clock.Now(), bad), bad, true).expect(t, 400)
		}
	})
	// The same payment from eight deliveries at once: one applies.
	b := body("pg-1", 500_000)
	var wg sync.WaitGroup
	answers := make([]paymentOut, 8)
	for k := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.callback(path, sign(paymentSecret, s.Clock.Now(), b), b).expect(t, 200).decodeData(t, &answers[k])
		}()
	}
	wg.Wait()
	dups := 0
	for _, a := range answers {
		if a.Status != "applied" || a.PaymentID != "pg-1" || len(a.Allocations) != 1 || a.Allocations[0].Interest+a.Allocations[0].Principal != 500_000 {
			t.Fatalf("answer %+v", a)
		}
		if a.Duplicate {
			dups++
		}
	}
	if dups != 7 {
		t.Fatalf("%d of 8 answers say duplicate", dups)
	}
	var n int
	s.query(t, `SELECT COUNT(*) FROM payments WHERE payment_id = 'pg-1'`, nil, &n)
	if st := s.repayStatus(t, loan); n != 1 || st.Payments[0].Paid != 500_000 {
		t.Fatalf("%d payments recorded, paid %+v", n, st.Payments[0])
	}
	// More than the customer owes: recorded as refused, 409 each time.
	over := body("pg-2", 100_000_000)
	if r := s.callback(path, sign(paymentSecret, s.Clock.Now(), over), over).expect(t, 409); errorCodes(t, r)[0] != "payment_overpayment" {
		t.Fatal(r.Raw)
	}
	if r := s.callback(path, sign(paymentSecret, s.Clock.Now(), over), over).expect(t, 409); errorCodes(t, r)[0] != "payment_refused_before" {
		t.Fatal(r.Raw)
	}
	var status string
	s.query(t, `SELECT status FROM payments WHERE payment_id = 'pg-2'`, nil, &status)
	if status != "refused" {
		t.Fatalf("the refused payment is %q", status)
	}
	s.moneyAddsUp(t, xid)
}

// Two instances on PostgreSQL take the same payment at once: it applies
// once and both answers say so.
func TestRepaymentSamePaymentOnTwoInstances(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	s := startServer(t, nil, withEnv("JULO_PAYMENT_CALLBACK_SECRET", paymentSecret))
	if s.dbURL == "" {
		t.Skip("the test server is on SQLite")
	}
	xid := s.ready(t, "0001", nil)
	s.disbursedLoan(t, xid, 3_000_000)
	va := s.accountPayments(t, xid, "").Data.VirtualAccounts[0].Number
	// The second instance: the same database and keys (the in-process
	// server's environment), its own process.
	var env []string
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	other := startProcessEnv(t, env, "--data", s.Data, "--database-url", s.dbURL)
	b := fmt.Sprintf(`{"payment_id": "pg-two", "virtual_account": %q, "amount": 200000}`, va)
	var wg sync.WaitGroup
	answers := make([]paymentOut, 6)
	for k := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each instance checks the signature's time by its own clock.
			target, at := &testServer{t: t, URL: s.URL}, s.Clock.Now()
			if k%2 == 1 {
				target.URL, at = other, time.Now()
			}
			target.callback("/vendor/v1/payments/callback", sign(paymentSecret, at, b), b).expect(t, 200).decodeData(t, &answers[k])
		}()
	}
	wg.Wait()
	dups := 0
	for _, a := range answers {
		if a.Status != "applied" {
			t.Fatalf("answer %+v", a)
		}
		if a.Duplicate {
			dups++
		}
	}
	var n, paid int64
	s.query(t, `SELECT COUNT(*) FROM payments WHERE payment_id = 'pg-two'`, nil, &n)
	s.query(t, `SELECT SUM(paid_principal + paid_interest) FROM loan_installments`, nil, &paid)
	if dups != 5 || n != 1 || paid != 200_000 {
		t.Fatalf("%d duplicates, %d recorded, %d paid", dups, n, paid)
	}
}

// account-payment's paging and refusals: production's envelope with next
// and previous, "Page tidak valid" for a page that is not there, another
// partner's application a 404; sandbox payments to another partner's
// customer are not found.
func TestRepaymentAccountPaymentPagingAndRefusals(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", nil)
	s.disbursedLoan(t, xid, 6_000_000)
	all := s.accountPayments(t, xid, "").Data.AccountPayments
	if len(all) < 2 {
		t.Fatalf("%d dues", len(all))
	}
	first := s.accountPayments(t, xid, "?limit=1")
	if len(first.Data.AccountPayments) != 1 || first.Previous != nil || first.Next == nil ||
		!strings.Contains(*first.Next, "page=2") || first.Data.AccountPayments[0].Due != all[0].Due {
		t.Fatalf("first page %+v", first)
	}
	second := s.accountPayments(t, xid, "?limit=1&page=2")
	if second.Previous == nil || second.Data.AccountPayments[0].Due != all[1].Due {
		t.Fatalf("second page %+v", second)
	}
	for _, c := range []struct {
		q string
		// outside the document's query schema (page is an integer of 1 or more)
		invalid bool
	}{{"?page=0", true}, {fmt.Sprintf("?page=%d&limit=1", len(all)+1), false}, {"?page=abc", true}} {
		r := s.do(req{Method: "GET", Path: v1 + "/account-payment/" + xid + c.q, Invalid: c.invalid}).expect(t, 400)
		if !strings.Contains(r.Raw, "Page tidak valid") {
			t.Fatalf("%s: %s", c.q, r.Raw)
		}
	}
	s.do(req{Method: "GET", Path: v1 + "/account-payment/" + xid + "?limit=101", Invalid: true}).expect(t, 400)
	va := s.accountPayments(t, xid, "").Data.VirtualAccounts[0].Number
	other := s.as("other", s.createPartner("other"))
	s.unchanged(t, func() {
		other.do(req{Method: "GET", Path: v1 + "/account-payment/" + xid}).expect(t, 404)
		other.sandboxPay(va, 1000).expect(t, 404)
		s.sandboxPay(va, 0).expect(t, 400)
		s.sandboxPay("", 1000).expect(t, 400)
	})
}

// Random payments on random days (a seeded sequence, bounded): after each
// step the books add up (every rupiah in is allocated or refused, no part
// paid beyond what it is, the limit is the set limit less the loans still
// drawing), until two loans are paid off and the whole limit is back.
func TestRepaymentRandomPaymentsKeepTheBooks(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", nil)
	loans := []int64{s.disbursedLoan(t, xid, 2_000_000), s.disbursedLoan(t, xid, 1_500_000)}
	va := s.accountPayments(t, xid, "").Data.VirtualAccounts[0].Number
	rng := rand.New(rand.NewPCG(14, 2026))
	for step := 0; step < 40; step++ {
		var owed int64
		for _, l := range loans {
			if st := s.repayStatus(t, l); st.Loan.Payoff != nil {
				owed += *st.Loan.Payoff
			}
		}
		if owed == 0 {
			break
		}
		switch rng.IntN(4) {
		case 0:
			s.Clock.Add(time.Duration(1+rng.IntN(20)) * 24 * time.Hour)
			runLateness(t, s)
		case 1:
			s.sandboxPay(va, owed).expect(t, 201)
		default:
			amount := 1 + rng.Int64N(owed+owed/4)
			if amount > owed {
				s.sandboxPay(va, amount).expect(t, 409)
			} else {
				s.sandboxPay(va, amount).expect(t, 201)
			}
		}
		s.moneyAddsUp(t, xid)
	}
	for _, l := range loans {
		if st := s.repayStatus(t, l); st.Loan.Code != 250 {
			t.Fatalf("loan %d at %d after the sequence", l, st.Loan.Code)
		}
	}
	if set, avail, used := s.account(t, xid); avail != set || used != 0 {
		t.Fatalf("account %d %d %d", set, avail, used)
	}
}

// Production refuses to start with a payment gateway and no callback
// secret: its callbacks apply payments.
func TestRepaymentProductionNeedsTheGatewaySecret(t *testing.T) {
	keys, _ := (&testServer{}).keysJSON()
	env := map[string]string{"JULO_SMS_PROVIDER": "log", "JULO_KEYS": keys, "JULO_PAYMENT_GATEWAY": "xendit"}
	args := []string{"serve", "--env", "production", "--addr", "127.0.0.1:0", "--data", t.TempDir()}
	err := run(context.Background(), args, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "JULO_PAYMENT_CALLBACK_SECRET") {
		t.Fatalf("got %v, want a refusal naming JULO_PAYMENT_CALLBACK_SECRET", err)
	}
}

// Set moves the test clock to t.
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// The lateness schedule: 00:05 in Jakarta, the next one after any instant.
func TestDailyAtSchedule(t *testing.T) {
	d := dailyAt{hour: 0, minute: 5, loc: lending.Jakarta()}
	for _, c := range []struct{ at, want string }{
		{"2026-12-01T16:00:00Z", "2026-12-01T17:05:00Z"}, // 23:00 WIB: 00:05 the next day
		{"2026-12-01T17:05:00Z", "2026-12-02T17:05:00Z"}, // exactly then: the next day's
		{"2026-12-01T17:04:59Z", "2026-12-01T17:05:00Z"},
		{"2026-12-31T20:00:00Z", "2027-01-01T17:05:00Z"}, // across the year
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		if got := d.Next(at).UTC().Format(time.RFC3339); got != c.want {
			t.Errorf("after %s: %s, want %s", c.at, got, c.want)
		}
	}
}
