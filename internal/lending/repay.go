package lending

import (
	"errors"
	"fmt"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Repayment (issue 14): how a payment applies to a loan's installments and
// what pays the loan off. Production JULO's order (its partial payment
// processing): the oldest installment first, and within one the late fee,
// then the interest, then the principal. Every function here is pure: the
// day is a parameter, nothing is read or written.

// InstallmentState is one installment of a loan with what has been paid and
// charged.
type InstallmentState struct {
	Number              int
	Due                 time.Time  // a Day
	Principal, Interest julo.Money // scheduled
	LateFee             julo.Money // charged so far
	// WaivedInterest is the part of Interest not charged because the loan
	// was paid off early (see Plan); it is never paid and never owed.
	WaivedInterest                           julo.Money
	PaidPrincipal, PaidInterest, PaidLateFee julo.Money
	PaidOff                                  time.Time // the day it was fully paid (zero: not)
}

// owed is what is left to pay of each part, never below 0.
func (i InstallmentState) owed() (lateFee, interest, principal julo.Money) {
	return max(i.LateFee-i.PaidLateFee, 0),
		max(i.Interest-i.WaivedInterest-i.PaidInterest, 0),
		max(i.Principal-i.PaidPrincipal, 0)
}

// Outstanding is all not yet paid of the installment: its late fee, its
// interest (less any waived) and its principal.
func (i InstallmentState) Outstanding() julo.Money {
	l, in, p := i.owed()
	return l + in + p
}

// Charged is the interest the installment carries (its scheduled interest
// less any waived) plus its late fees: what counts towards the total cost
// cap.
func (i InstallmentState) Charged() julo.Money { return i.Interest - i.WaivedInterest + i.LateFee }

// Allocation is what one payment pays of one installment.
type Allocation struct {
	Number                       int
	LateFee, Interest, Principal julo.Money
}

// Total is the allocation's rupiah.
func (a Allocation) Total() julo.Money { return a.LateFee + a.Interest + a.Principal }

// Waiver is the interest of one installment an early payoff does not
// charge.
type Waiver struct {
	Number   int
	Interest julo.Money
}

// PaymentPlan is how a payment applies to a loan.
type PaymentPlan struct {
	// Allocations in installment order, one per installment the payment
	// pays anything of.
	Allocations []Allocation
	// WaivedInterest is the future interest not charged on an early payoff:
	// the sum of Waivers.
	WaivedInterest julo.Money
	Waivers        []Waiver
	// PaidOff: the loan's last rupiah is paid.
	PaidOff bool
}

// Allocated is the sum of the plan's allocations: the payment's amount.
func (p PaymentPlan) Allocated() julo.Money {
	var s julo.Money
	for _, a := range p.Allocations {
		s += a.Total()
	}
	return s
}

// The refusals of Plan; the integrator maps them to coded errors. A refused
// payment applies nothing.
var (
	// ErrNotPositive: a payment of 0 rupiah or less.
	ErrNotPositive = errors.New("lending: the payment amount is not positive")
	// ErrOverpayment: a payment above the loan's PayoffAmount (any payment
	// to a loan that is paid off).
	ErrOverpayment = errors.New("lending: the payment is more than the loan's payoff amount")
)

// checkInstallments refuses a state no loan can be in: numbers not
// increasing, due dates not increasing or not Days, negative amounts,
// amounts beyond maxAmount, or a part paid (or waived) beyond what it is.
func checkInstallments(inst []InstallmentState) error {
	for k, i := range inst {
		if k > 0 && (i.Number <= inst[k-1].Number || !i.Due.After(inst[k-1].Due)) {
			return fmt.Errorf("lending: installment %d after %d: numbers and due dates must increase", i.Number, inst[k-1].Number)
		}
		if !i.Due.Equal(Day(i.Due)) {
			return fmt.Errorf("lending: installment %d: the due date %s is not a Day (00:00 UTC of the Jakarta date)", i.Number, i.Due)
		}
		for _, m := range []julo.Money{i.Principal, i.Interest, i.LateFee, i.WaivedInterest, i.PaidPrincipal, i.PaidInterest, i.PaidLateFee} {
			if m < 0 || m > maxAmount {
				return fmt.Errorf("lending: installment %d: an amount outside 0 to %d", i.Number, maxAmount)
			}
		}
		if i.PaidPrincipal > i.Principal || i.PaidInterest+i.WaivedInterest > i.Interest || i.PaidLateFee > i.LateFee {
			return fmt.Errorf("lending: installment %d: paid more than it is", i.Number)
		}
	}
	return nil
}

// running is the index of the installment now running on Day today: the
// first whose due date is on or after today, paid or not (so paying the
// running installment in full never makes the next one running and its
// interest owed: the payoff after a payment is the payoff before it less
// the payment); -1 when every due date is past.
func running(inst []InstallmentState, today time.Time) int {
	for k, i := range inst {
		if !i.Due.Before(today) {
			return k
		}
	}
	return -1
}

// payoffParts is, per installment, what the early payoff on Day today
// pays (late fee, interest, principal) and the interest it waives: every
// late fee and principal left; the interest of the installments past due
// and of the one running; none of the later ones' interest.
func payoffParts(inst []InstallmentState, today time.Time) (pay []Allocation, waive []Waiver) {
	run := running(inst, today)
	for k, i := range inst {
		l, in, p := i.owed()
		if run >= 0 && k > run {
			if in > 0 {
				waive = append(waive, Waiver{Number: i.Number, Interest: in})
			}
			in = 0
		}
		pay = append(pay, Allocation{Number: i.Number, LateFee: l, Interest: in, Principal: p})
	}
	return pay, waive
}

// PayoffAmount is the early payoff amount on day today (0 when paid off):
// the remaining principal, the late fees charged so far, the interest left
// of the installments past due and the interest left of the installment
// now running (the first one due on or after today); the
// later installments' interest is not charged. It does not check the
// installments (Plan does): each part counts as what is left of it, never
// below 0.
func PayoffAmount(inst []InstallmentState, today time.Time) julo.Money {
	pay, _ := payoffParts(inst, Day(today))
	var s julo.Money
	for _, a := range pay {
		s += a.Total()
	}
	return s
}

// Plan applies amount to the installments on day today.
//
// An amount equal to PayoffAmount pays the loan off: every late fee and
// principal left, the interest of the installments past due and of the one
// now running; the later installments' interest is waived (Waivers,
// WaivedInterest) and PaidOff is set.
//
// A smaller amount pays the installments in order, the oldest first, and
// within each the late fee, then the interest, then the principal, until
// the amount is spent. The installments past due and the one now running
// are paid in full that way; what is left pays the later installments'
// principal in order, not their interest: that interest is charged when
// its month comes, or waived by a payoff. So paying ahead never costs more
// than paying off: an amount one rupiah below the payoff leaves one rupiah
// of principal, and the payoff after any payment is the payoff before it
// less the payment (on the same day). Such an amount never pays the loan
// off.
//
// Every rupiah of amount is in exactly one allocation. It returns
// ErrNotPositive for an amount of 0 or less, ErrOverpayment for one above
// PayoffAmount (so any amount to a paid-off loan), and an error for
// installments no loan can have (checkInstallments); a refusal plans
// nothing.
func Plan(inst []InstallmentState, amount julo.Money, today time.Time) (PaymentPlan, error) {
	if err := checkInstallments(inst); err != nil {
		return PaymentPlan{}, err
	}
	if amount <= 0 {
		return PaymentPlan{}, ErrNotPositive
	}
	today = Day(today)
	pay, waive := payoffParts(inst, today)
	var payoff julo.Money
	for _, a := range pay {
		payoff += a.Total()
	}
	if amount > payoff {
		return PaymentPlan{}, ErrOverpayment
	}
	if amount == payoff {
		plan := PaymentPlan{PaidOff: true, Waivers: waive}
		for _, a := range pay {
			if a.Total() > 0 {
				plan.Allocations = append(plan.Allocations, a)
			}
		}
		for _, w := range waive {
			plan.WaivedInterest += w.Interest
		}
		return plan, nil
	}
	var plan PaymentPlan
	left := amount
	// take is min(left, owed), taken from left.
	take := func(owed julo.Money) julo.Money {
		n := min(left, owed)
		left -= n
		return n
	}
	run := running(inst, today)
	for k, i := range inst {
		if left == 0 {
			break
		}
		l, in, p := i.owed()
		if run >= 0 && k > run {
			// A later installment: its principal only. Its interest is
			// charged when its month comes (or waived by a payoff), so
			// paying ahead never costs more than the payoff would.
			in = 0
		}
		a := Allocation{Number: i.Number}
		a.LateFee = take(l)
		a.Interest = take(in)
		a.Principal = take(p)
		if a.Total() > 0 {
			plan.Allocations = append(plan.Allocations, a)
		}
	}
	if left != 0 { // amount < payoff, which is what the loop can take: it spends it all
		return PaymentPlan{}, fmt.Errorf("lending: %d rupiah of the payment left unallocated", left)
	}
	return plan, nil
}

// Apply is the installments after plan (from Plan on the same installments
// and day today): each allocation added to what is paid, each waiver to
// what is waived, and PaidOff set to today on each installment that has
// nothing left to pay now and had before. An allocation or waiver beyond
// what is owed, or of an installment that is not there, is an error, and
// inst is never modified.
func Apply(inst []InstallmentState, plan PaymentPlan, today time.Time) ([]InstallmentState, error) {
	if err := checkInstallments(inst); err != nil {
		return nil, err
	}
	today = Day(today)
	out := append([]InstallmentState(nil), inst...)
	index := make(map[int]int, len(out))
	for k, i := range out {
		index[i.Number] = k
	}
	for _, w := range plan.Waivers {
		k, ok := index[w.Number]
		if !ok {
			return nil, fmt.Errorf("lending: a waiver of installment %d, which the loan does not have", w.Number)
		}
		if _, in, _ := out[k].owed(); w.Interest < 0 || w.Interest > in {
			return nil, fmt.Errorf("lending: a waiver of installment %d beyond its interest", w.Number)
		}
		out[k].WaivedInterest += w.Interest
	}
	for _, a := range plan.Allocations {
		k, ok := index[a.Number]
		if !ok {
			return nil, fmt.Errorf("lending: an allocation to installment %d, which the loan does not have", a.Number)
		}
		l, in, p := out[k].owed()
		if a.LateFee < 0 || a.Interest < 0 || a.Principal < 0 || a.LateFee > l || a.Interest > in || a.Principal > p {
			return nil, fmt.Errorf("lending: an allocation to installment %d beyond what it owes", a.Number)
		}
		out[k].PaidLateFee += a.LateFee
		out[k].PaidInterest += a.Interest
		out[k].PaidPrincipal += a.Principal
	}
	for k := range out {
		if out[k].PaidOff.IsZero() && out[k].Outstanding() == 0 && inst[k].Outstanding() > 0 {
			out[k].PaidOff = today
		}
	}
	return out, nil
}
