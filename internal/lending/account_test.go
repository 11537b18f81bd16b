package lending

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// febTenth is a second loan beside threeMonths, with other due dates:
// 1,000,000 over 2 months, principal 500,000 and interest 60,000 a month,
// due on the 10th from 2026-02-10. edit changes the states before use.
func febTenth(edit func(s []InstallmentState)) []InstallmentState {
	s := make([]InstallmentState, 2)
	for k := range s {
		s[k] = InstallmentState{Number: k + 1, Due: date("2026-02-10").AddDate(0, k, 0), Principal: 500_000, Interest: 60_000}
	}
	if edit != nil {
		edit(s)
	}
	return s
}

func dues(id int64, inst []InstallmentState, today string) LoanDues {
	return LoanDues{LoanID: id, Installments: inst, Today: date(today)}
}

// cloneLoans is a deep copy of loans, to see that PlanAccount changes
// none of them.
func cloneLoans(loans []LoanDues) []LoanDues {
	out := slices.Clone(loans)
	for k := range out {
		out[k].Installments = slices.Clone(out[k].Installments)
	}
	return out
}

// wantLoan is what a payment should do to one loan: nil allocations when
// it pays nothing of it.
type wantLoan struct {
	allocations []Allocation
	waivers     []Waiver
	paidOff     bool
}

// checkAccountPlan holds what every accepted PlanAccount holds: a plan per
// loan in the order given; every rupiah in exactly one allocation; each
// After is Apply of its loan's plan on its day (so no part is paid beyond
// what it owes); WaivedInterest is the sum of the waivers; a loan is paid
// off exactly when nothing is left of it; the loans are not modified.
func checkAccountPlan(t *testing.T, loans, before []LoanDues, amount julo.Money, plans []LoanPlan) {
	t.Helper()
	if !reflect.DeepEqual(loans, before) {
		t.Fatalf("PlanAccount changed its input:\n%+v\nwas\n%+v", loans, before)
	}
	if len(plans) != len(loans) {
		t.Fatalf("%d plans for %d loans", len(plans), len(loans))
	}
	var allocated julo.Money
	for k, p := range plans {
		l := loans[k]
		if p.LoanID != l.LoanID {
			t.Fatalf("plan %d is of loan %d, want %d", k, p.LoanID, l.LoanID)
		}
		allocated += p.Plan.Allocated()
		for j, a := range p.Plan.Allocations {
			if a.Total() <= 0 || (j > 0 && a.Number <= p.Plan.Allocations[j-1].Number) {
				t.Fatalf("loan %d: allocations not one per installment paid, in order: %+v", l.LoanID, p.Plan.Allocations)
			}
		}
		var waived julo.Money
		for _, w := range p.Plan.Waivers {
			waived += w.Interest
		}
		if waived != p.Plan.WaivedInterest {
			t.Fatalf("loan %d: waivers %+v sum to %d, WaivedInterest %d", l.LoanID, p.Plan.Waivers, waived, p.Plan.WaivedInterest)
		}
		after, err := Apply(l.Installments, p.Plan, l.Today)
		if err != nil {
			t.Fatalf("loan %d: the merged plan does not apply: %v\n%+v", l.LoanID, err, p.Plan)
		}
		if !reflect.DeepEqual(after, p.After) {
			t.Fatalf("loan %d: After is not Apply of its plan:\n%+v\nwant\n%+v", l.LoanID, p.After, after)
		}
		if p.Plan.PaidOff != (total(p.After) == 0 && total(l.Installments) > 0) {
			t.Fatalf("loan %d: paid off %v with %d left", l.LoanID, p.Plan.PaidOff, total(p.After))
		}
		if total(p.After) != total(l.Installments)-p.Plan.Allocated()-p.Plan.WaivedInterest {
			t.Fatalf("loan %d: outstanding %d after %d, paying %d and waiving %d", l.LoanID, total(p.After), total(l.Installments), p.Plan.Allocated(), p.Plan.WaivedInterest)
		}
	}
	if allocated != amount {
		t.Fatalf("%d allocated of %d", allocated, amount)
	}
}

// runAccount is PlanAccount with the checks every plan holds, then the
// wanted effect on each loan.
func runAccount(t *testing.T, loans []LoanDues, amount julo.Money, want []wantLoan) []LoanPlan {
	t.Helper()
	before := cloneLoans(loans)
	plans, err := PlanAccount(loans, amount)
	if err != nil {
		t.Fatalf("paying %d: %v", amount, err)
	}
	checkAccountPlan(t, loans, before, amount, plans)
	for k, w := range want {
		p := plans[k].Plan
		if !reflect.DeepEqual(p.Allocations, w.allocations) || !reflect.DeepEqual(p.Waivers, w.waivers) || p.PaidOff != w.paidOff {
			t.Errorf("paying %d, loan %d: allocations %+v, waivers %+v, paid off %v\nwant %+v, %+v, %v",
				amount, plans[k].LoanID, p.Allocations, p.Waivers, p.PaidOff, w.allocations, w.waivers, w.paidOff)
		}
	}
	return plans
}

// Across loans the oldest due date is paid first, whatever the order of
// the loans: loan 2 (febTenth) is given first, but loan 1's installment of
// 2026-01-28 (with its late fee) comes before loan 2's of 02-10, which
// comes before loan 1's of 02-28. Then the rest goes loan by loan in the
// order given: loan 2 first.
func TestPlanAccountOldestDueDateFirst(t *testing.T) {
	a := threeMonths(func(s []InstallmentState) { s[0].LateFee = 3_000 })
	loans := []LoanDues{dues(2, febTenth(nil), "2026-03-01"), dues(1, a, "2026-03-01")}
	// A1 1,123,000 (due 01-28), B1 560,000 (02-10), A2 1,120,000 (02-28).
	const a1, b1, a2 = 1_123_000, 560_000, 1_120_000
	a1Full, a2Full := alloc(1, 3_000, 120_000, 1_000_000), alloc(2, 0, 120_000, 1_000_000)
	b1Full := alloc(1, 0, 60_000, 500_000)
	for _, c := range []struct {
		amount julo.Money
		b, a   wantLoan
	}{
		{1_000, wantLoan{}, wantLoan{allocations: []Allocation{alloc(1, 1_000, 0, 0)}}},
		{a1, wantLoan{}, wantLoan{allocations: []Allocation{a1Full}}},
		{a1 + 100_000, wantLoan{allocations: []Allocation{alloc(1, 0, 60_000, 40_000)}}, wantLoan{allocations: []Allocation{a1Full}}},
		{a1 + b1 + 200_000, wantLoan{allocations: []Allocation{b1Full}},
			wantLoan{allocations: []Allocation{a1Full, alloc(2, 0, 120_000, 80_000)}}},
		{a1 + b1 + a2, wantLoan{allocations: []Allocation{b1Full}}, wantLoan{allocations: []Allocation{a1Full, a2Full}}},
		// Everything due is paid: the rest to loan 2 first (its running
		// installment of 03-10), up to its payoff, then to loan 1.
		{a1 + b1 + a2 + 10_000, wantLoan{allocations: []Allocation{b1Full, alloc(2, 0, 10_000, 0)}},
			wantLoan{allocations: []Allocation{a1Full, a2Full}}},
		{a1 + b1 + a2 + 560_000, wantLoan{allocations: []Allocation{b1Full, alloc(2, 0, 60_000, 500_000)}, paidOff: true},
			wantLoan{allocations: []Allocation{a1Full, a2Full}}},
		{a1 + b1 + a2 + 560_000 + 1, wantLoan{allocations: []Allocation{b1Full, alloc(2, 0, 60_000, 500_000)}, paidOff: true},
			wantLoan{allocations: []Allocation{a1Full, a2Full, alloc(3, 0, 1, 0)}}},
		{4_483_000, wantLoan{allocations: []Allocation{b1Full, alloc(2, 0, 60_000, 500_000)}, paidOff: true},
			wantLoan{allocations: []Allocation{a1Full, a2Full, alloc(3, 0, 120_000, 1_000_000)}, paidOff: true}},
	} {
		runAccount(t, loans, c.amount, []wantLoan{c.b, c.a})
	}
	if got := AccountPayoff(loans); got != 4_483_000 {
		t.Errorf("account payoff %d, want 4,483,000", got)
	}
}

// Two loans due the same day: the first loan's installment is paid first,
// in the order the loans are given.
func TestPlanAccountSharedDueDatePaysTheFirstLoanFirst(t *testing.T) {
	for _, ids := range [][2]int64{{7, 8}, {8, 7}} {
		loans := []LoanDues{dues(ids[0], threeMonths(nil), "2026-02-05"), dues(ids[1], threeMonths(nil), "2026-02-05")}
		runAccount(t, loans, 100_000, []wantLoan{{allocations: []Allocation{alloc(1, 0, 100_000, 0)}}, {}})
		runAccount(t, loans, 1_500_000, []wantLoan{
			{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000)}},
			{allocations: []Allocation{alloc(1, 0, 120_000, 260_000)}},
		})
		// Both past due in full, then loan by loan: the first's running
		// installment.
		runAccount(t, loans, 2_240_000+5_000, []wantLoan{
			{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 5_000, 0)}},
			{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000)}},
		})
	}
}

// What is past due first, then the rest loan by loan, each up to its
// payoff (which pays it off, its later interest waived), then the next.
func TestPlanAccountPastDueThenLoanByLoan(t *testing.T) {
	// 2026-02-05: loan 1's first installment is past due; loan 2 has
	// nothing due (its first falls due 02-10). Loan 1's payoff after its
	// past due is 2,120,000 (the second running, the third's principal),
	// loan 2's is 1,060,000 (its first running, its second's principal).
	loans := []LoanDues{dues(1, threeMonths(nil), "2026-02-05"), dues(2, febTenth(nil), "2026-02-05")}
	a1 := alloc(1, 0, 120_000, 1_000_000)
	aPaidOff := wantLoan{allocations: []Allocation{a1, alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 0, 1_000_000)},
		waivers: []Waiver{{3, 120_000}}, paidOff: true}
	runAccount(t, loans, 1_120_000+500_000, []wantLoan{{allocations: []Allocation{a1, alloc(2, 0, 120_000, 380_000)}}, {}})
	// One rupiah below loan 1's payoff: the later principal, not the
	// interest, and not paid off; nothing to loan 2.
	runAccount(t, loans, 1_120_000+2_119_999, []wantLoan{
		{allocations: []Allocation{a1, alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 0, 999_999)}}, {}})
	runAccount(t, loans, 1_120_000+2_120_000, []wantLoan{aPaidOff, {}})
	runAccount(t, loans, 1_120_000+2_120_000+700_000, []wantLoan{aPaidOff,
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000), alloc(2, 0, 0, 140_000)}}})
	// The account payoff pays both off, each loan's later interest waived.
	if got := AccountPayoff(loans); got != 4_300_000 {
		t.Fatalf("account payoff %d, want 4,300,000", got)
	}
	plans := runAccount(t, loans, 4_300_000, []wantLoan{aPaidOff,
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000), alloc(2, 0, 0, 500_000)}, waivers: []Waiver{{2, 60_000}}, paidOff: true}})
	for _, p := range plans {
		for _, i := range p.After {
			if i.Outstanding() != 0 || !i.PaidOff.Equal(date("2026-02-05")) {
				t.Errorf("loan %d, installment %d after the payoff: %+v", p.LoanID, i.Number, i)
			}
		}
	}
	if plans[0].Plan.WaivedInterest != 120_000 || plans[1].Plan.WaivedInterest != 60_000 {
		t.Errorf("waived %d and %d", plans[0].Plan.WaivedInterest, plans[1].Plan.WaivedInterest)
	}
}

func TestPlanAccountRefusals(t *testing.T) {
	loans := []LoanDues{dues(1, threeMonths(nil), "2026-02-05"), dues(2, febTenth(nil), "2026-02-05")}
	before := cloneLoans(loans)
	for _, c := range []struct {
		amount julo.Money
		want   error
	}{
		{0, ErrNotPositive}, {-1, ErrNotPositive}, {-4_300_000, ErrNotPositive},
		{4_300_001, ErrOverpayment},
		// Everything outstanding is more than the payoff (the later
		// interest is not owed on a payoff).
		{3_360_000 + 1_120_000, ErrOverpayment},
	} {
		plans, err := PlanAccount(loans, c.amount)
		if !errors.Is(err, c.want) || plans != nil {
			t.Errorf("paying %d: %+v, %v; want %v", c.amount, plans, err, c.want)
		}
	}
	if !reflect.DeepEqual(loans, before) {
		t.Error("a refusal changed the loans")
	}
	// No loans, or every loan paid off: any payment is too much.
	paid := threeMonths(func(s []InstallmentState) {
		for k := range s {
			s[k].PaidInterest, s[k].PaidPrincipal = 120_000, 1_000_000
		}
	})
	for name, l := range map[string][]LoanDues{
		"no loans": nil,
		"all paid off": {dues(1, paid, "2026-02-05"), dues(2, febTenth(func(s []InstallmentState) {
			s[0].PaidPrincipal, s[0].PaidInterest, s[1].PaidPrincipal, s[1].WaivedInterest = 500_000, 60_000, 500_000, 60_000
		}), "2026-02-05")},
		"no installments": {dues(1, nil, "2026-02-05")},
	} {
		if got := AccountPayoff(l); got != 0 {
			t.Errorf("%s: account payoff %d", name, got)
		}
		if plans, err := PlanAccount(l, 1); !errors.Is(err, ErrOverpayment) || plans != nil {
			t.Errorf("%s: paying 1: %+v, %v", name, plans, err)
		}
		if _, err := PlanAccount(l, 0); !errors.Is(err, ErrNotPositive) {
			t.Errorf("%s: paying 0: %v", name, err)
		}
	}
	// A loan no loan can be (paid beyond its principal) is an error, not a
	// plan, and not one of the two refusals.
	bad := threeMonths(func(s []InstallmentState) { s[0].PaidPrincipal = 1_000_001 })
	if plans, err := PlanAccount([]LoanDues{dues(1, bad, "2026-02-05")}, 1_000); err == nil || plans != nil ||
		errors.Is(err, ErrOverpayment) || errors.Is(err, ErrNotPositive) {
		t.Errorf("installments no loan has: %+v, %v", plans, err)
	}
}

// A paid-off loan beside a loan with dues: it gets an empty plan and its
// installments unchanged; the payment goes to the other.
func TestPlanAccountSkipsAPaidOffLoan(t *testing.T) {
	paid := threeMonths(func(s []InstallmentState) {
		for k := range s {
			s[k].PaidInterest, s[k].PaidPrincipal, s[k].PaidOff = 120_000, 1_000_000, s[k].Due
		}
	})
	loans := []LoanDues{dues(1, paid, "2026-04-01"), dues(2, febTenth(nil), "2026-04-01")}
	if got := AccountPayoff(loans); got != 1_120_000 {
		t.Fatalf("account payoff %d", got)
	}
	plans := runAccount(t, loans, 1_120_000, []wantLoan{{},
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000), alloc(2, 0, 60_000, 500_000)}, paidOff: true}})
	if !reflect.DeepEqual(plans[0].After, paid) || !reflect.DeepEqual(plans[0].Plan, PaymentPlan{}) {
		t.Errorf("the paid-off loan: %+v", plans[0])
	}
}

// Each loan has its own day (a sandbox test clock moves one): what is
// due and the payoff of each are on its day, and a payoff marks each
// loan's installments paid off on its own day.
func TestPlanAccountEachLoanOnItsOwnDay(t *testing.T) {
	// Loan 1 on 2026-02-05: its first installment past due, the second
	// running, the third's interest waived on a payoff (3,240,000). Loan
	// 2's clock is moved to 2026-02-11: its first past due, the second
	// running (1,120,000).
	loans := []LoanDues{dues(1, threeMonths(nil), "2026-02-05"), dues(2, febTenth(nil), "2026-02-11")}
	if got := AccountPayoff(loans); got != 3_240_000+1_120_000 {
		t.Fatalf("account payoff %d, want 4,360,000", got)
	}
	// Both past dues first (01-28, then 02-10), then loan 1.
	runAccount(t, loans, 1_120_000+560_000, []wantLoan{
		{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000)}},
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000)}},
	})
	runAccount(t, loans, 1_120_000+560_000+10_000, []wantLoan{
		{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 10_000, 0)}},
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000)}},
	})
	plans := runAccount(t, loans, 4_360_000, []wantLoan{
		{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 0, 1_000_000)},
			waivers: []Waiver{{3, 120_000}}, paidOff: true},
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000), alloc(2, 0, 60_000, 500_000)}, paidOff: true},
	})
	for k, day := range []string{"2026-02-05", "2026-02-11"} {
		for _, i := range plans[k].After {
			if !i.PaidOff.Equal(date(day)) {
				t.Errorf("loan %d, installment %d paid off on %s, want %s", plans[k].LoanID, i.Number, i.PaidOff, day)
			}
		}
	}
	if _, err := PlanAccount(loans, 4_360_001); !errors.Is(err, ErrOverpayment) {
		t.Errorf("a rupiah over: %v", err)
	}
}

// What is due is what is due on each loan's own day: another loan's later
// day does not make this loan's installment due. Loan 2 (given first) is
// on 2026-02-05, its first installment due 02-10, not yet due; loan 1's
// clock is at 2026-03-01, its installments of 01-28 and 02-28 past due,
// its third running.
func TestPlanAccountDueIsOnEachLoansOwnDay(t *testing.T) {
	loans := []LoanDues{dues(2, febTenth(nil), "2026-02-05"), dues(1, threeMonths(nil), "2026-03-01")}
	// Exactly loan 1's past dues: nothing of it to loan 2.
	runAccount(t, loans, 2_240_000, []wantLoan{{},
		{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 120_000, 1_000_000)}}})
	// The account payoff: loan 2's 1,060,000 on its day (its second
	// month's interest waived) and loan 1's 3,360,000 on its day.
	if got := AccountPayoff(loans); got != 1_060_000+3_360_000 {
		t.Fatalf("account payoff %d, want 4,420,000", got)
	}
	runAccount(t, loans, 4_420_000, []wantLoan{
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000), alloc(2, 0, 0, 500_000)}, waivers: []Waiver{{2, 60_000}}, paidOff: true},
		{allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 120_000, 1_000_000)}, paidOff: true},
	})
	// Loan 1 with one installment, due 2026-03-15, past due on its day
	// 03-20: nothing of loan 2 is due on its day (02-05), so the payment
	// pays loan 1's due, then loan 2 up to its payoff of 1,060,000. No
	// payment within the account payoff of 2,100,000 is refused.
	loans = []LoanDues{dues(2, febTenth(nil), "2026-02-05"), dues(1, lateOne("2026-03-15", 1_000_000), "2026-03-20")}
	if got := AccountPayoff(loans); got != 2_100_000 {
		t.Fatalf("account payoff %d, want 2,100,000", got)
	}
	runAccount(t, loans, 1_200_000, []wantLoan{{allocations: []Allocation{alloc(1, 0, 60_000, 100_000)}},
		{allocations: []Allocation{alloc(1, 0, 40_000, 1_000_000)}, paidOff: true}})
	runAccount(t, loans, 2_100_000, []wantLoan{
		{allocations: []Allocation{alloc(1, 0, 60_000, 500_000), alloc(2, 0, 0, 500_000)}, waivers: []Waiver{{2, 60_000}}, paidOff: true},
		{allocations: []Allocation{alloc(1, 0, 40_000, 1_000_000)}, paidOff: true}})
}

// On a due date, the installment due that day is due; the account payoff
// still pays the loan off, as Plan's payoff does (TestPlan: "early payoff
// on a due date"), the later months' interest waived. And for one loan
// PlanAccount is Plan, for any amount.
func TestPlanAccountPayoffOnADueDate(t *testing.T) {
	loans := []LoanDues{dues(1, threeMonths(nil), "2026-01-28")}
	if got := AccountPayoff(loans); got != 3_120_000 {
		t.Fatalf("account payoff %d", got)
	}
	runAccount(t, loans, 3_120_000, []wantLoan{{
		allocations: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 0, 1_000_000), alloc(3, 0, 0, 1_000_000)},
		waivers:     []Waiver{{2, 120_000}, {3, 120_000}}, paidOff: true}})
	for _, amount := range []julo.Money{1, 120_000, 1_120_000, 1_120_001, 2_000_000, 3_119_999, 3_120_000} {
		plans, err := PlanAccount(loans, amount)
		want, werr := Plan(loans[0].Installments, amount, loans[0].Today)
		if err != nil || werr != nil {
			t.Fatalf("paying %d to one loan: %v, Plan: %v", amount, err, werr)
		}
		if !reflect.DeepEqual(plans[0].Plan, want) {
			t.Errorf("paying %d to one loan on its due date: %+v\nPlan: %+v", amount, plans[0].Plan, want)
		}
	}
}

// The payoff falls by exactly what is paid (on the same day), as Plan's
// doc promises: here a payment of the first installment before its due
// date.
func TestAccountPayoffFallsByThePayment(t *testing.T) {
	for _, c := range []struct {
		today  string
		amount julo.Money
	}{
		{"2026-01-10", 500_000},   // the first installment in part
		{"2026-01-10", 1_120_000}, // the first installment in full, before its day
		{"2026-01-28", 1_120_000}, // the first installment in full, on its day
		{"2026-01-10", 1_500_000}, // and the second's principal in part
		{"2026-02-05", 1_120_000}, // the past-due first in full
	} {
		loans := []LoanDues{dues(1, threeMonths(nil), c.today), dues(2, febTenth(nil), c.today)}
		before := AccountPayoff(loans)
		plans, err := PlanAccount(loans, c.amount)
		if err != nil {
			t.Fatal(err)
		}
		after := AccountPayoff([]LoanDues{{1, plans[0].After, date(c.today)}, {2, plans[1].After, date(c.today)}})
		if after != before-c.amount {
			t.Errorf("paying %d on %s: the account payoff went from %d to %d, want %d", c.amount, c.today, before, after, before-c.amount)
		}
	}
}

// accountViolations collects the counterexamples of each property of a
// property test: the first of each, and how often, so that one run says
// every property that does not hold.
type accountViolations struct {
	first map[string]string
	count map[string]int
}

func (v *accountViolations) add(property, format string, args ...any) {
	if v.first == nil {
		v.first, v.count = map[string]string{}, map[string]int{}
	}
	if v.count[property] == 0 {
		v.first[property] = fmt.Sprintf(format, args...)
	}
	v.count[property]++
}

func (v *accountViolations) report(t *testing.T) {
	t.Helper()
	names := make([]string, 0, len(v.count))
	for n := range v.count {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t.Errorf("%s: %d times; the first:\n%s", n, v.count[n], v.first[n])
	}
}

// randomLoans are 1 to 3 loans of 1 to 6 monthly installments each, from
// random first due dates in 2025-2026 (some loans sharing one), with
// random principal and interest, each loan on its own day: all on one day
// or, sometimes, one moved by a test clock.
func randomLoans(rng *rand.Rand) ([]LoanDues, []julo.Money) {
	n := 1 + rng.IntN(3)
	loans := make([]LoanDues, n)
	amounts := make([]julo.Money, n)
	base := date("2025-01-01").AddDate(0, 0, rng.IntN(700))
	for k := range loans {
		first := base.AddDate(0, 0, rng.IntN(90))
		if k > 0 && rng.IntN(4) == 0 {
			first = loans[k-1].Installments[0].Due // a shared due date
		}
		inst := make([]InstallmentState, 1+rng.IntN(6))
		for j := range inst {
			inst[j] = InstallmentState{Number: j + 1, Due: first.AddDate(0, j, 0),
				Principal: julo.Money(1 + rng.Int64N(2_000_000)), Interest: julo.Money(rng.Int64N(200_000))}
			amounts[k] += inst[j].Principal
		}
		loans[k] = LoanDues{LoanID: int64(k + 1), Installments: inst, Today: base.AddDate(0, 0, -rng.IntN(40))}
	}
	return loans, amounts
}

// nextDay moves the loans' days forward: all by one random step (to one
// of the loans' next due dates, the day customers pay most, or some days
// on), and sometimes one loan's by more (its test clock).
func nextDay(rng *rand.Rand, loans []LoanDues) []time.Time {
	days := make([]time.Time, len(loans))
	step := rng.IntN(40)
	if rng.IntN(3) == 0 {
		l := loans[rng.IntN(len(loans))]
		for _, i := range l.Installments {
			if i.Due.After(l.Today) {
				step = daysBetween(l.Today, i.Due)
				break
			}
		}
	}
	moved := -1
	if len(loans) > 1 && rng.IntN(5) == 0 {
		moved = rng.IntN(len(loans))
	}
	for k, l := range loans {
		days[k] = l.Today.AddDate(0, 0, step)
		if k == moved {
			days[k] = days[k].AddDate(0, 0, rng.IntN(60))
		}
	}
	return days
}

// TestPlanAccountProperties: over random accounts (1-3 loans of 1-6
// installments, on one day or on days moved apart by a test clock, late
// fees accruing as days pass) and random payment sequences (not
// positive, below, at and above the account payoff):
//   - money in = money allocated + money refused; a refusal plans nothing
//     and changes nothing;
//   - every accepted plan holds checkAccountPlan (every rupiah allocated
//     once, After is Apply of the plan, the input not modified);
//   - no part of an installment is ever paid (or waived) beyond what it
//     is, and the schedule never changes;
//   - for one loan, PlanAccount is Plan;
//   - nothing is paid of an installment not due on its loan's day while an
//     installment due on its loan's day is left unpaid;
//   - the account payoff after a payment below it is the account payoff
//     before less the payment (the same days);
//   - a payment of the account payoff pays every loan off;
//   - once every loan is paid off, any further payment is refused.
func TestPlanAccountProperties(t *testing.T) {
	terms := defaultTerms(t)
	rng := rand.New(rand.NewPCG(14, 2027))
	var v accountViolations
	var accounts, payments, payoffs, partials, spread, movedApart int
	for range 2000 {
		loans, lent := randomLoans(rng)
		accounts++
		var offered, allocated, refused julo.Money
		for step := 0; step < 30; step++ {
			days := nextDay(rng, loans)
			for k := range loans {
				inst, _, err := terms.Accrue(loans[k].Installments, lent[k], 0, loans[k].Today, days[k])
				if err != nil {
					t.Fatalf("account %d: accrue: %v", accounts, err)
				}
				loans[k].Installments, loans[k].Today = inst, days[k]
			}
			if len(loans) > 1 && !loans[0].Today.Equal(loans[1].Today) {
				movedApart++
			}
			payoff := AccountPayoff(loans)
			var amount julo.Money
			switch k := rng.IntN(20); {
			case k == 0:
				amount = -julo.Money(rng.Int64N(1_000)) // 0 or less
			case k <= 2:
				amount = payoff + 1 + julo.Money(rng.Int64N(1_000_000))
			case k <= 5:
				amount = payoff
			case payoff > 1:
				amount = 1 + julo.Money(rng.Int64N(int64(payoff-1))) // below the payoff
			default:
				amount = payoff
			}
			offered += amount
			before := cloneLoans(loans)
			plans, err := PlanAccount(loans, amount)
			switch {
			case amount <= 0 && !errors.Is(err, ErrNotPositive),
				amount > payoff && !errors.Is(err, ErrOverpayment):
				t.Fatalf("account %d: paying %d of the payoff %d: %v", accounts, amount, payoff, err)
			case amount <= 0 || amount > payoff:
				if plans != nil || !reflect.DeepEqual(loans, before) {
					t.Fatalf("account %d: a refusal planned %+v", accounts, plans)
				}
				refused += amount
				continue
			case err != nil:
				v.add("a payment within the account payoff is accepted", "paying %d of the payoff %d: %v\nloans %+v", amount, payoff, err, describe(loans))
				refused += amount
				continue
			}
			payments++
			checkAccountPlan(t, loans, before, amount, plans)
			allocated += amount
			paidTo := 0
			for _, p := range plans {
				if p.Plan.Allocated() > 0 {
					paidTo++
				}
			}
			if paidTo > 1 {
				spread++
			}
			if len(loans) == 1 {
				want, err := Plan(loans[0].Installments, amount, loans[0].Today)
				if err != nil || !reflect.DeepEqual(plans[0].Plan, want) {
					v.add("for one loan, PlanAccount is Plan", "paying %d on %s to %+v:\nPlanAccount %+v\nPlan %+v (%v)",
						amount, loans[0].Today.Format(time.DateOnly), loans[0].Installments, plans[0].Plan, want, err)
				}
			}
			checkDueFirst(&v, loans, plans, amount)
			afterLoans := make([]LoanDues, len(loans))
			for k := range loans {
				afterLoans[k] = LoanDues{LoanID: loans[k].LoanID, Installments: plans[k].After, Today: loans[k].Today}
			}
			after := AccountPayoff(afterLoans)
			if amount < payoff && after != payoff-amount {
				v.add("the account payoff falls by the payment", "paying %d of %d: the payoff after is %d, want %d\nloans %+v",
					amount, payoff, after, payoff-amount, describe(loans))
			}
			allOff := true
			for k, p := range plans {
				if total(p.After) != 0 {
					allOff = false
				}
				if total(loans[k].Installments) > 0 && amount == payoff && !p.Plan.PaidOff {
					v.add("the account payoff pays every loan off", "paying the payoff %d: loan %d not paid off, %d left\nloans %+v",
						amount, p.LoanID, total(p.After), describe(loans))
				}
			}
			loans = afterLoans
			checkAccountStates(t, loans, lent, allocated)
			if allOff {
				payoffs++
				if after != 0 {
					t.Fatalf("account %d: paid off with an account payoff of %d", accounts, after)
				}
				for _, x := range []julo.Money{1, 1 + julo.Money(rng.Int64N(1_000_000))} {
					if p, err := PlanAccount(loans, x); !errors.Is(err, ErrOverpayment) || p != nil {
						t.Fatalf("account %d: paying %d after every loan is paid off: %+v, %v", accounts, x, p, err)
					}
					offered += x
					refused += x
				}
				break
			}
			partials++
		}
		if offered != allocated+refused {
			t.Fatalf("account %d: %d in, %d allocated, %d refused", accounts, offered, allocated, refused)
		}
	}
	v.report(t)
	// The run reaches the cases it claims to check.
	if payments < 8_000 || payoffs < 1_000 || partials < 5_000 || spread < 500 || movedApart < 500 {
		t.Fatalf("too few cases: %d payments (%d below the payoff, %d spread over loans), %d accounts paid off, %d steps with days apart",
			payments, partials, spread, payoffs, movedApart)
	}
	t.Logf("%d accounts, %d payments (%d below the payoff, %d spread over loans), %d paid off, %d steps with days apart",
		accounts, payments, partials, spread, payoffs, movedApart)
}

// checkDueFirst: while an installment due on its loan's day is left
// unpaid after the payment, nothing of the payment went to an installment
// not due on its loan's day.
func checkDueFirst(v *accountViolations, loans []LoanDues, plans []LoanPlan, amount julo.Money) {
	dueLeft := false
	for k, p := range plans {
		for _, i := range p.After {
			if i.Outstanding() > 0 && !i.Due.After(loans[k].Today) {
				dueLeft = true
			}
		}
	}
	if !dueLeft {
		return
	}
	for k, p := range plans {
		for _, a := range p.Plan.Allocations {
			i := loans[k].Installments[slices.IndexFunc(loans[k].Installments, func(i InstallmentState) bool { return i.Number == a.Number })]
			if i.Due.After(loans[k].Today) {
				v.add("what is due on each loan's day first", "paying %d: loan %d's installment %d (due %s, its day %s) paid %+v while dues are left\nloans %+v",
					amount, p.LoanID, a.Number, i.Due.Format(time.DateOnly), loans[k].Today.Format(time.DateOnly), a, describe(loans))
			}
		}
	}
}

// checkAccountStates: no part of an installment paid or waived beyond
// what it is, nothing negative, the money paid in all the loans is the
// money allocated, a paid-off day only on an installment with nothing
// left.
func checkAccountStates(t *testing.T, loans []LoanDues, lent []julo.Money, allocated julo.Money) {
	t.Helper()
	var paid julo.Money
	for k, l := range loans {
		if err := checkInstallments(l.Installments); err != nil {
			t.Fatalf("loan %d: %v", l.LoanID, err)
		}
		var principal julo.Money
		for _, i := range l.Installments {
			if i.PaidPrincipal > i.Principal || i.PaidInterest+i.WaivedInterest > i.Interest || i.PaidLateFee > i.LateFee ||
				i.PaidPrincipal < 0 || i.PaidInterest < 0 || i.WaivedInterest < 0 || i.PaidLateFee < 0 {
				t.Fatalf("loan %d, installment %d: paid beyond what it is: %+v", l.LoanID, i.Number, i)
			}
			if !i.PaidOff.IsZero() && i.Outstanding() != 0 {
				t.Fatalf("loan %d, installment %d: paid off with %d left", l.LoanID, i.Number, i.Outstanding())
			}
			paid += i.PaidPrincipal + i.PaidInterest + i.PaidLateFee
			principal += i.Principal
		}
		if principal != lent[k] {
			t.Fatalf("loan %d: its schedule changed", l.LoanID)
		}
	}
	if paid != allocated {
		t.Fatalf("%d paid in the loans, %d allocated", paid, allocated)
	}
}

// describe is the loans in a line each, for a counterexample.
func describe(loans []LoanDues) string {
	var b strings.Builder
	for _, l := range loans {
		fmt.Fprintf(&b, "\n  loan %d on %s:", l.LoanID, l.Today.Format(time.DateOnly))
		for _, i := range l.Installments {
			fmt.Fprintf(&b, " [%d due %s P %d/%d I %d/%d(-%d) F %d/%d]", i.Number, i.Due.Format(time.DateOnly),
				i.PaidPrincipal, i.Principal, i.PaidInterest, i.Interest, i.WaivedInterest, i.PaidLateFee, i.LateFee)
		}
	}
	return b.String()
}

// Lateness day by day on the worked loan, first due 2026-01-28: 1 day
// past due on 01-29 (230), 5 on 02-02 (231), 30 on 02-27 (232), 60 on
// 03-29 (233); the fees are Accrue's over the same days.
func TestLatenessSteps(t *testing.T) {
	terms := defaultTerms(t)
	inst := threeMonths(nil)
	before := slices.Clone(inst)
	out, fees, steps, err := terms.Lateness(inst, 3_000_000, 150_000, julo.LoanCurrent, date("2026-01-28"), date("2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	want := []LatenessStep{
		{Day: date("2026-01-29"), DPD: 1, Status: julo.Loan1DPD},
		{Day: date("2026-02-02"), DPD: 5, Status: julo.Loan5DPD},
		{Day: date("2026-02-27"), DPD: 30, Status: julo.Loan30DPD},
	}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("steps %+v\nwant %+v", steps, want)
	}
	// 0.1% of 1,000,000 a day: the first from 01-29 to 03-01 (32 days),
	// the second on 03-01.
	if fees != 33_000 || out[0].LateFee != 32_000 || out[1].LateFee != 1_000 || out[2].LateFee != 0 {
		t.Errorf("fees %d, installments %+v", fees, out)
	}
	accrued, accruedFees, err := terms.Accrue(inst, 3_000_000, 150_000, date("2026-01-28"), date("2026-03-01"))
	if err != nil || accruedFees != fees || !reflect.DeepEqual(accrued, out) {
		t.Errorf("Accrue over the same days: %d, %+v, %v", accruedFees, accrued, err)
	}
	if !reflect.DeepEqual(inst, before) {
		t.Error("Lateness changed its input")
	}
	// Run a day at a time, each from the status the last gave: the same
	// steps, the same fees.
	status, s := julo.LoanCurrent, inst
	var daily []LatenessStep
	var sum julo.Money
	for d := date("2026-01-28"); d.Before(date("2026-03-01")); d = d.AddDate(0, 0, 1) {
		var fee julo.Money
		var st []LatenessStep
		if s, fee, st, err = terms.Lateness(s, 3_000_000, 150_000, status, d, d.AddDate(0, 0, 1)); err != nil {
			t.Fatal(err)
		}
		if len(st) > 1 {
			t.Fatalf("%d steps in one day", len(st))
		}
		for _, x := range st {
			status = x.Status
		}
		daily, sum = append(daily, st...), sum+fee
	}
	if !reflect.DeepEqual(daily, want) || sum != fees || !reflect.DeepEqual(s, out) {
		t.Errorf("a day at a time: steps %+v, fees %d", daily, sum)
	}
	// From 02-03, already 231: the next step is 232 on 02-27, then 233.
	_, _, steps, err = terms.Lateness(inst, 3_000_000, 150_000, julo.Loan5DPD, date("2026-02-03"), date("2026-03-29"))
	if want := []LatenessStep{{date("2026-02-27"), 30, julo.Loan30DPD}, {date("2026-03-29"), 60, julo.Loan60DPD}}; err != nil || !reflect.DeepEqual(steps, want) {
		t.Errorf("from 231: %+v, %v", steps, err)
	}
	// A status that is not the one the days give is corrected on the
	// first day: 220 given, 10 days past due on 02-07.
	_, _, steps, err = terms.Lateness(inst, 3_000_000, 150_000, julo.LoanCurrent, date("2026-02-06"), date("2026-02-08"))
	if want := []LatenessStep{{date("2026-02-07"), 10, julo.Loan5DPD}}; err != nil || !reflect.DeepEqual(steps, want) {
		t.Errorf("a stale status: %+v, %v", steps, err)
	}
	// Jakarta instants count as their days: 17:00 UTC on 01-28 is 01-29.
	_, _, steps, err = terms.Lateness(inst, 3_000_000, 150_000, julo.LoanCurrent, time.Date(2026, 1, 27, 17, 0, 0, 0, time.UTC), time.Date(2026, 1, 28, 17, 0, 0, 0, time.UTC))
	if want := []LatenessStep{{date("2026-01-29"), 1, julo.Loan1DPD}}; err != nil || !reflect.DeepEqual(steps, want) {
		t.Errorf("Jakarta days: %+v, %v", steps, err)
	}
}

// A loan whose due installment is paid is not late: no fees, no steps;
// the next installment's due date passing is.
func TestLatenessCaughtUp(t *testing.T) {
	terms := defaultTerms(t)
	onTime := threeMonths(func(s []InstallmentState) {
		s[0].PaidInterest, s[0].PaidPrincipal, s[0].PaidOff = 120_000, 1_000_000, date("2026-01-27")
	})
	out, fees, steps, err := terms.Lateness(onTime, 3_000_000, 150_000, julo.LoanCurrent, date("2026-01-27"), date("2026-02-28"))
	if err != nil || fees != 0 || steps != nil || !reflect.DeepEqual(out, onTime) {
		t.Errorf("paid on time: %d fees, steps %+v, %v", fees, steps, err)
	}
	_, fees, steps, err = terms.Lateness(onTime, 3_000_000, 150_000, julo.LoanCurrent, date("2026-01-27"), date("2026-03-03"))
	if want := []LatenessStep{{date("2026-03-01"), 1, julo.Loan1DPD}}; err != nil || fees != 3_000 || !reflect.DeepEqual(steps, want) {
		t.Errorf("the second past due: %d fees, steps %+v, %v", fees, steps, err)
	}
	// Late 10 days (231), then the late installment paid with its fees on
	// 02-07: caught up (220), and no step until 03-01.
	late, _, _, err := terms.Lateness(threeMonths(nil), 3_000_000, 150_000, julo.LoanCurrent, date("2026-01-28"), date("2026-02-07"))
	if err != nil {
		t.Fatal(err)
	}
	if st := CaughtUp(late, date("2026-02-07")); st != julo.Loan5DPD {
		t.Fatalf("10 days late: %v", st)
	}
	plan, err := Plan(late, 1_120_000+late[0].LateFee, date("2026-02-07"))
	if err != nil {
		t.Fatal(err)
	}
	paid, err := Apply(late, plan, date("2026-02-07"))
	if err != nil {
		t.Fatal(err)
	}
	if st := CaughtUp(paid, date("2026-02-07")); st != julo.LoanCurrent {
		t.Fatalf("caught up: %v", st)
	}
	_, fees, steps, err = terms.Lateness(paid, 3_000_000, 150_000, julo.LoanCurrent, date("2026-02-07"), date("2026-02-28"))
	if err != nil || fees != 0 || steps != nil {
		t.Errorf("after catching up: %d fees, steps %+v, %v", fees, steps, err)
	}
	// Only a late fee left of the past-due installment: still late (its
	// days count from its due date), though no new fee accrues on it.
	feeLeft := slices.Clone(paid)
	feeLeft[0].LateFee += 500
	_, fees, steps, err = terms.Lateness(feeLeft, 3_000_000, 150_000, julo.LoanCurrent, date("2026-02-07"), date("2026-02-08"))
	if want := []LatenessStep{{date("2026-02-08"), 11, julo.Loan5DPD}}; err != nil || fees != 0 || !reflect.DeepEqual(steps, want) {
		t.Errorf("a late fee left: %d fees, steps %+v, %v", fees, steps, err)
	}
}

// The fees of Lateness are Accrue's over the same days, across the caps'
// dates and up to the total cost cap.
func TestLatenessFeesAreAccrues(t *testing.T) {
	terms := defaultTerms(t)
	for _, c := range []struct {
		inst            []InstallmentState
		loan, provision julo.Money
		from, to        string
	}{
		{lateOne("2024-12-20", 1_000_000), 1_000_000, 50_000, "2024-12-20", "2025-01-10"}, // 0.3% then 0.2%
		{lateOne("2025-12-20", 1_234_567), 1_234_567, 0, "2025-12-01", "2026-02-01"},      // 0.2% then 0.1%, rounded down
		{lateOne("2026-01-28", 1_000_000), 1_000_000, 50_500, "2026-01-28", "2029-01-01"}, // up to the cost cap
		{threeMonths(nil), 3_000_000, 150_000, "2026-01-01", "2026-12-31"},
		{threeMonths(nil), 3_000_000, 150_000, "2026-03-01", "2026-02-01"}, // backwards: nothing
	} {
		out, fees, _, err := terms.Lateness(c.inst, c.loan, c.provision, julo.LoanCurrent, date(c.from), date(c.to))
		want, wantFees, werr := terms.Accrue(c.inst, c.loan, c.provision, date(c.from), date(c.to))
		if err != nil || werr != nil || fees != wantFees || !reflect.DeepEqual(out, want) {
			t.Errorf("%s to %s: Lateness %d (%v), Accrue %d (%v)", c.from, c.to, fees, err, wantFees, werr)
		}
	}
}

func TestLatenessRefusals(t *testing.T) {
	terms := defaultTerms(t)
	inst := threeMonths(nil)
	from := date("2026-01-01")
	// 20 years at once at most (20 × 366 days): one day more is refused.
	if out, fees, steps, err := terms.Lateness(inst, 3_000_000, 150_000, julo.LoanCurrent, from, from.AddDate(0, 0, maxAccrueDays+1)); err == nil || out != nil || fees != 0 || steps != nil {
		t.Errorf("more than 20 years: %d, %+v, %v", fees, steps, err)
	}
	if _, _, _, err := terms.Lateness(inst, 3_000_000, 150_000, julo.LoanCurrent, from, from.AddDate(25, 0, 0)); err == nil {
		t.Error("25 years: no error")
	}
	if _, fees, steps, err := terms.Lateness(inst, 3_000_000, 150_000, julo.LoanCurrent, from, from.AddDate(0, 0, maxAccrueDays)); err != nil || fees != 2_490_000 || len(steps) != 8 {
		t.Errorf("exactly the bound: %d fees (want the cost cap's 3,000,000 less 510,000 of interest and provision), %d steps, %v", fees, len(steps), err)
	}
	bad := slices.Clone(inst)
	bad[0].PaidPrincipal = 2_000_000
	for name, run := range map[string]func() error{
		"a day no cap covers": func() error {
			_, _, _, err := terms.Lateness(lateOne("2023-12-20", 1_000_000), 1_000_000, 0, julo.LoanCurrent, date("2023-12-25"), date("2024-01-02"))
			return err
		},
		"installments no loan has": func() error {
			_, _, _, err := terms.Lateness(bad, 3_000_000, 0, julo.LoanCurrent, date("2026-02-01"), date("2026-02-02"))
			return err
		},
		"no loan amount": func() error {
			_, _, _, err := terms.Lateness(inst, 0, 0, julo.LoanCurrent, date("2026-02-01"), date("2026-02-02"))
			return err
		},
	} {
		if err := run(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCaughtUp(t *testing.T) {
	paid := threeMonths(func(s []InstallmentState) {
		for k := range s {
			s[k].PaidInterest, s[k].PaidPrincipal = 120_000, 1_000_000
		}
	})
	waived := threeMonths(func(s []InstallmentState) {
		for k := range s {
			s[k].PaidPrincipal = 1_000_000
		}
		s[0].PaidInterest, s[1].PaidInterest, s[2].WaivedInterest = 120_000, 120_000, 120_000
	})
	firstPaid := threeMonths(func(s []InstallmentState) { s[0].PaidInterest, s[0].PaidPrincipal = 120_000, 1_000_000 })
	partly := threeMonths(func(s []InstallmentState) { s[0].PaidInterest, s[0].PaidPrincipal = 120_000, 999_999 })
	feeLeft := threeMonths(func(s []InstallmentState) {
		s[0].PaidInterest, s[0].PaidPrincipal, s[0].LateFee = 120_000, 1_000_000, 1_000
	})
	for _, c := range []struct {
		name  string
		inst  []InstallmentState
		today time.Time
		want  julo.LoanStatus
	}{
		{"all paid", paid, date("2026-02-01"), julo.LoanPaidOff},
		{"all paid, long after", paid, date("2027-06-01"), julo.LoanPaidOff},
		{"paid off, the last interest waived", waived, date("2026-02-10"), julo.LoanPaidOff},
		{"before the first due date", threeMonths(nil), date("2026-01-10"), julo.LoanCurrent},
		{"on the first due date", threeMonths(nil), date("2026-01-28"), julo.LoanCurrent},
		{"the first paid, the second not due", firstPaid, date("2026-02-28"), julo.LoanCurrent},
		{"1 day late", threeMonths(nil), date("2026-01-29"), julo.Loan1DPD},
		{"4 days late", threeMonths(nil), date("2026-02-01"), julo.Loan1DPD},
		{"5 days late", threeMonths(nil), date("2026-02-02"), julo.Loan5DPD},
		{"29 days late", threeMonths(nil), date("2026-02-26"), julo.Loan5DPD},
		{"30 days late", threeMonths(nil), date("2026-02-27"), julo.Loan30DPD},
		{"60 days late", threeMonths(nil), date("2026-03-29"), julo.Loan60DPD},
		{"180 days late", threeMonths(nil), date("2026-01-28").AddDate(0, 0, 180), julo.Loan180DPD},
		{"the first paid, the second 5 days late", firstPaid, date("2026-03-05"), julo.Loan5DPD},
		{"a rupiah of the first left", partly, date("2026-02-02"), julo.Loan5DPD},
		{"only a late fee left", feeLeft, date("2026-02-02"), julo.Loan5DPD},
		// 17:00 UTC on the due date is the next day in Jakarta.
		{"Jakarta's day after the due date", threeMonths(nil), time.Date(2026, 1, 28, 17, 0, 0, 0, time.UTC), julo.Loan1DPD},
		{"Jakarta's due date", threeMonths(nil), time.Date(2026, 1, 28, 16, 59, 59, 0, time.UTC), julo.LoanCurrent},
	} {
		if got := CaughtUp(c.inst, c.today); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
