package lending

import (
	"fmt"
	"slices"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// A customer's payment across their loans (issue 14): a transfer to the
// customer's virtual account pays their dues, not one loan's. Pure like
// Plan: the loans and their days are parameters.

// LoanDues is one repayable loan as a payment sees it: its installments
// and its own day (the Jakarta day, moved by a sandbox test clock).
type LoanDues struct {
	LoanID       int64
	Installments []InstallmentState
	Today        time.Time // a Day
}

// LoanPlan is what a payment does to one loan: its allocations (and
// waivers, on a payoff) and the installments after them.
type LoanPlan struct {
	LoanID int64
	Plan   PaymentPlan
	After  []InstallmentState
}

// dueThrough is what is left to pay of the installments due on or before
// day.
func dueThrough(inst []InstallmentState, day time.Time) julo.Money {
	var s julo.Money
	for _, i := range inst {
		if !i.Due.After(day) {
			s += i.Outstanding()
		}
	}
	return s
}

// AccountPayoff is what pays every loan off: the sum of their
// PayoffAmounts, each on its own day.
func AccountPayoff(loans []LoanDues) julo.Money {
	var s julo.Money
	for _, l := range loans {
		s += PayoffAmount(l.Installments, l.Today)
	}
	return s
}

// PlanAccount applies amount to the customer's loans (in the order given:
// the store gives them oldest first).
//
//  1. What is due: the installments due on or before each loan's day, the
//     oldest due date first across the loans (a date shared by two loans:
//     the first loan's first), each as Plan pays it (late fee, interest,
//     principal).
//  2. What is left goes loan by loan, each up to its payoff amount, as Plan
//     pays it: the running installment, then later principal; a loan paid
//     its whole payoff is paid off (the later interest waived).
//
// An amount above AccountPayoff is ErrOverpayment, one of 0 or less
// ErrNotPositive; a refusal plans nothing. Every rupiah of amount is in
// exactly one allocation of one loan.
func PlanAccount(loans []LoanDues, amount julo.Money) ([]LoanPlan, error) {
	if amount <= 0 {
		return nil, ErrNotPositive
	}
	if amount > AccountPayoff(loans) {
		return nil, ErrOverpayment
	}
	var dates []time.Time
	for _, l := range loans {
		for _, i := range l.Installments {
			if i.Outstanding() > 0 && !i.Due.After(l.Today) && !slices.ContainsFunc(dates, i.Due.Equal) {
				dates = append(dates, i.Due)
			}
		}
	}
	slices.SortFunc(dates, time.Time.Compare)
	// How much goes to each loan; then one Plan per loan, which pays its
	// dues first (oldest first) and the rest up to its payoff.
	share := make([]julo.Money, len(loans))
	left := amount
	give := func(k int, upTo julo.Money) {
		x := min(left, upTo-share[k])
		if x > 0 {
			share[k] += x
			left -= x
		}
	}
	for _, d := range dates {
		for k, l := range loans {
			if !d.After(l.Today) {
				give(k, dueThrough(l.Installments, d))
			}
		}
	}
	for k, l := range loans {
		give(k, PayoffAmount(l.Installments, l.Today))
	}
	if left != 0 {
		return nil, fmt.Errorf("lending: %d rupiah of the payment left unallocated", left)
	}
	out := make([]LoanPlan, len(loans))
	for k, l := range loans {
		out[k] = LoanPlan{LoanID: l.LoanID, After: slices.Clone(l.Installments)}
		if share[k] == 0 {
			continue
		}
		p, err := Plan(l.Installments, share[k], l.Today)
		if err != nil {
			return nil, err
		}
		after, err := Apply(l.Installments, p, l.Today)
		if err != nil {
			return nil, err
		}
		out[k].Plan, out[k].After = p, after
	}
	return out, nil
}

// LatenessStep is a loan status the daily lateness moves a loan to, and
// the day it does.
type LatenessStep struct {
	Day    time.Time
	DPD    int
	Status julo.LoanStatus
}

// Lateness runs the daily lateness of one loan over the days (from, to],
// each as the 00:05 job of that day would: the late fees of the day
// (Accrue), then the days past due and the status they give (DPDStatus).
// status is the loan's status before; a step is returned for each day the
// status changes. It returns the installments after the fees, the fees
// charged, and the steps.
func (t Terms) Lateness(inst []InstallmentState, loanAmount, provision julo.Money, status julo.LoanStatus, from, to time.Time) ([]InstallmentState, julo.Money, []LatenessStep, error) {
	from, to = Day(from), Day(to)
	if daysBetween(from, to) > maxAccrueDays {
		return nil, 0, nil, fmt.Errorf("lending: lateness over %d days (at most %d at once)", daysBetween(from, to), maxAccrueDays)
	}
	out := slices.Clone(inst)
	var total julo.Money
	var steps []LatenessStep
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		after, fee, err := t.Accrue(out, loanAmount, provision, d.AddDate(0, 0, -1), d)
		if err != nil {
			return nil, 0, nil, err
		}
		out, total = after, total+fee
		dpd := DaysPastDue(out, d)
		if s := DPDStatus(dpd); s != status {
			steps = append(steps, LatenessStep{Day: d, DPD: dpd, Status: s})
			status = s
		}
	}
	return out, total, steps, nil
}

// CaughtUp is the status of a loan after a payment on day today: 250 when
// nothing is left, else the DPD status its days past due give (220 when
// none is late).
func CaughtUp(inst []InstallmentState, today time.Time) julo.LoanStatus {
	var left julo.Money
	for _, i := range inst {
		left += i.Outstanding()
	}
	if left == 0 {
		return julo.LoanPaidOff
	}
	return DPDStatus(DaysPastDue(inst, today))
}
