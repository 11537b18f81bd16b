package lending

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// threeMonths is the worked loan of issue 13: 3,000,000 over 3 months at
// 4%: principal 1,000,000 and interest 120,000 a month, due on the 28th
// from 2026-01-28. edit changes the states (paid, late fees) before use.
func threeMonths(edit func(s []InstallmentState)) []InstallmentState {
	s := make([]InstallmentState, 3)
	for k := range s {
		s[k] = InstallmentState{Number: k + 1, Due: date("2026-01-28").AddDate(0, k, 0), Principal: 1_000_000, Interest: 120_000}
	}
	if edit != nil {
		edit(s)
	}
	return s
}

func alloc(n int, late, interest, principal julo.Money) Allocation {
	return Allocation{Number: n, LateFee: late, Interest: interest, Principal: principal}
}

func TestPlan(t *testing.T) {
	for _, c := range []struct {
		name    string
		inst    []InstallmentState
		amount  julo.Money
		today   string
		want    []Allocation
		waivers []Waiver
		paidOff bool
	}{
		{name: "partial: interest first", inst: threeMonths(nil), amount: 50_000, today: "2026-01-10",
			want: []Allocation{alloc(1, 0, 50_000, 0)}},
		{name: "partial: interest, then principal", inst: threeMonths(nil), amount: 130_000, today: "2026-01-10",
			want: []Allocation{alloc(1, 0, 120_000, 10_000)}},
		{name: "exactly the installment", inst: threeMonths(nil), amount: 1_120_000, today: "2026-01-28",
			want: []Allocation{alloc(1, 0, 120_000, 1_000_000)}},
		{name: "late fee before interest", amount: 5_000, today: "2026-02-05",
			inst: threeMonths(func(s []InstallmentState) { s[0].LateFee = 3_000 }),
			want: []Allocation{alloc(1, 3_000, 2_000, 0)}},
		{name: "the oldest first, then the next one's late fee", amount: 1_200_000, today: "2026-03-05",
			inst: threeMonths(func(s []InstallmentState) { s[0].LateFee, s[1].LateFee = 10_000, 2_000 }),
			want: []Allocation{alloc(1, 10_000, 120_000, 1_000_000), alloc(2, 2_000, 68_000, 0)}},
		{name: "what is left of a partly paid installment", amount: 1_000_000, today: "2026-01-20",
			inst: threeMonths(func(s []InstallmentState) { s[0].PaidInterest, s[0].PaidPrincipal = 120_000, 400_000 }),
			want: []Allocation{alloc(1, 0, 0, 600_000), alloc(2, 0, 120_000, 280_000)}},
		{name: "more than is due today pays the future in order, its interest included", inst: threeMonths(nil), amount: 1_500_000, today: "2026-01-10",
			want: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 120_000, 260_000)}},
		{name: "one rupiah below the payoff pays in order and does not pay off", inst: threeMonths(nil), amount: 3_119_999, today: "2026-01-10",
			want: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 120_000, 759_999)}},
		{name: "early payoff before the first due date: the later months' interest waived", inst: threeMonths(nil), amount: 3_120_000, today: "2026-01-10",
			want:    []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 0, 1_000_000), alloc(3, 0, 0, 1_000_000)},
			waivers: []Waiver{{2, 120_000}, {3, 120_000}}, paidOff: true},
		{name: "early payoff on a due date: that installment is the one running", inst: threeMonths(nil), amount: 3_120_000, today: "2026-01-28",
			want:    []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 0, 1_000_000), alloc(3, 0, 0, 1_000_000)},
			waivers: []Waiver{{2, 120_000}, {3, 120_000}}, paidOff: true},
		{name: "early payoff the day after an unpaid due date: the late one in full, the next running", amount: 3_243_000, today: "2026-01-29",
			inst:    threeMonths(func(s []InstallmentState) { s[0].LateFee = 3_000 }),
			want:    []Allocation{alloc(1, 3_000, 120_000, 1_000_000), alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 0, 1_000_000)},
			waivers: []Waiver{{3, 120_000}}, paidOff: true},
		{name: "early payoff after the first installment was paid", amount: 2_120_000, today: "2026-02-10",
			inst: threeMonths(func(s []InstallmentState) {
				s[0].PaidInterest, s[0].PaidPrincipal, s[0].PaidOff = 120_000, 1_000_000, date("2026-01-27")
			}),
			want:    []Allocation{alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 0, 1_000_000)},
			waivers: []Waiver{{3, 120_000}}, paidOff: true},
		{name: "early payoff with future interest partly prepaid: only what is left of it waived", amount: 2_000_000, today: "2026-02-10",
			inst: threeMonths(func(s []InstallmentState) {
				s[0].PaidInterest, s[0].PaidPrincipal, s[0].PaidOff = 120_000, 1_000_000, date("2026-01-27")
				s[1].PaidInterest = 120_000
				s[1].PaidPrincipal = 0
				s[2].PaidInterest = 50_000
			}),
			want:    []Allocation{alloc(2, 0, 0, 1_000_000), alloc(3, 0, 0, 1_000_000)},
			waivers: []Waiver{{3, 70_000}}, paidOff: true},
		{name: "payoff after the last due date: everything, nothing waived", amount: 3_360_000 + 6_000, today: "2026-04-01",
			inst: threeMonths(func(s []InstallmentState) { s[0].LateFee, s[1].LateFee, s[2].LateFee = 3_000, 2_000, 1_000 }),
			want: []Allocation{alloc(1, 3_000, 120_000, 1_000_000), alloc(2, 2_000, 120_000, 1_000_000), alloc(3, 1_000, 120_000, 1_000_000)}, paidOff: true},
		{name: "the last installment's last rupiah", amount: 1, today: "2026-03-28",
			inst: threeMonths(func(s []InstallmentState) {
				for k := range s {
					s[k].PaidInterest, s[k].PaidPrincipal = 120_000, 1_000_000
				}
				s[2].PaidPrincipal = 999_999
			}),
			want: []Allocation{alloc(3, 0, 0, 1)}, paidOff: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := slices.Clone(c.inst)
			plan, err := Plan(c.inst, c.amount, date(c.today))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(plan.Allocations, c.want) || !reflect.DeepEqual(plan.Waivers, c.waivers) || plan.PaidOff != c.paidOff {
				t.Fatalf("plan %+v\nwant allocations %+v, waivers %+v, paid off %v", plan, c.want, c.waivers, c.paidOff)
			}
			var waived julo.Money
			for _, w := range c.waivers {
				waived += w.Interest
			}
			if plan.WaivedInterest != waived || plan.Allocated() != c.amount {
				t.Fatalf("waived %d (want %d), allocated %d of %d", plan.WaivedInterest, waived, plan.Allocated(), c.amount)
			}
			if !reflect.DeepEqual(before, c.inst) {
				t.Fatal("Plan changed its input")
			}
			if got := PayoffAmount(c.inst, date(c.today)); c.paidOff != (got == c.amount) {
				t.Fatalf("payoff amount %d, paying %d, paid off %v", got, c.amount, c.paidOff)
			}
			after, err := Apply(c.inst, plan, date(c.today))
			if err != nil {
				t.Fatal(err)
			}
			var left julo.Money
			for _, i := range after {
				left += i.Outstanding()
			}
			if c.paidOff != (left == 0) {
				t.Fatalf("paid off %v with %d left", c.paidOff, left)
			}
			if c.paidOff && PayoffAmount(after, date(c.today)) != 0 {
				t.Fatal("a paid-off loan has a payoff amount")
			}
		})
	}
}

func TestPlanRefusals(t *testing.T) {
	inst := threeMonths(nil)
	for _, c := range []struct {
		amount julo.Money
		want   error
	}{
		{0, ErrNotPositive}, {-1, ErrNotPositive},
		// The payoff on 2026-01-10 is 3,120,000: a rupiah more is refused,
		// and so is the whole outstanding of 3,360,000.
		{3_120_001, ErrOverpayment}, {3_360_000, ErrOverpayment},
	} {
		plan, err := Plan(inst, c.amount, date("2026-01-10"))
		if !errors.Is(err, c.want) || !reflect.DeepEqual(plan, PaymentPlan{}) {
			t.Errorf("paying %d: %+v, %v; want %v", c.amount, plan, err, c.want)
		}
	}
	paid := threeMonths(func(s []InstallmentState) {
		for k := range s {
			s[k].PaidInterest, s[k].PaidPrincipal = 120_000, 1_000_000
		}
	})
	if _, err := Plan(paid, 1, date("2026-02-01")); !errors.Is(err, ErrOverpayment) {
		t.Errorf("a payment to a paid-off loan: %v", err)
	}
	if _, err := Plan(nil, 1, date("2026-02-01")); !errors.Is(err, ErrOverpayment) {
		t.Errorf("a payment to no installments: %v", err)
	}
	for name, edit := range map[string]func(s []InstallmentState){
		"principal overpaid":   func(s []InstallmentState) { s[0].PaidPrincipal = 1_000_001 },
		"interest overwaived":  func(s []InstallmentState) { s[1].PaidInterest, s[1].WaivedInterest = 100_000, 20_001 },
		"late fee overpaid":    func(s []InstallmentState) { s[0].PaidLateFee = 1 },
		"negative":             func(s []InstallmentState) { s[2].LateFee = -1 },
		"numbers not in order": func(s []InstallmentState) { s[1].Number = 1 },
		"dues not in order":    func(s []InstallmentState) { s[2].Due = s[1].Due },
		"a due that is no Day": func(s []InstallmentState) { s[0].Due = s[0].Due.Add(time.Hour) },
		"beyond the bound":     func(s []InstallmentState) { s[0].Principal = maxAmount + 1 },
	} {
		if _, err := Plan(threeMonths(edit), 1, date("2026-01-10")); err == nil || errors.Is(err, ErrOverpayment) || errors.Is(err, ErrNotPositive) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The payoff amount by day: the interest of the installment now running is
// charged, the later ones' not; late fees are included.
func TestPayoffAmount(t *testing.T) {
	late := threeMonths(func(s []InstallmentState) { s[0].LateFee = 4_000 })
	firstPaid := threeMonths(func(s []InstallmentState) { s[0].PaidInterest, s[0].PaidPrincipal = 120_000, 1_000_000 })
	for _, c := range []struct {
		inst  []InstallmentState
		today string
		want  julo.Money
	}{
		{threeMonths(nil), "2025-12-20", 3_120_000},
		{threeMonths(nil), "2026-01-28", 3_120_000},
		{late, "2026-01-29", 3_244_000}, // the first past due in full, the second running
		{late, "2026-02-28", 3_244_000},
		{late, "2026-03-01", 3_364_000}, // two past due, the third running
		{late, "2026-03-29", 3_364_000}, // all past due: all of it
		{firstPaid, "2026-01-20", 2_120_000},
		{firstPaid, "2026-02-28", 2_120_000},
		{firstPaid, "2026-03-01", 2_240_000},
		{nil, "2026-03-01", 0},
	} {
		if got := PayoffAmount(c.inst, date(c.today)); got != c.want {
			t.Errorf("payoff on %s: %d, want %d", c.today, got, c.want)
		}
	}
	// A Jakarta instant counts as its Jakarta day: 17:00 UTC on 2026-01-28
	// is 2026-01-29 in Jakarta, the day after the first due date.
	if got := PayoffAmount(late, time.Date(2026, 1, 28, 17, 0, 0, 0, time.UTC)); got != 3_244_000 {
		t.Errorf("payoff at Jakarta's 2026-01-29: %d", got)
	}
	if got := PayoffAmount(late, time.Date(2026, 1, 28, 16, 59, 59, 0, time.UTC)); got != 3_124_000 {
		t.Errorf("payoff at Jakarta's 2026-01-28: %d", got)
	}
}

func TestApply(t *testing.T) {
	inst := threeMonths(nil)
	plan, err := Plan(inst, 1_500_000, date("2026-01-20"))
	if err != nil {
		t.Fatal(err)
	}
	after, err := Apply(inst, plan, date("2026-01-20"))
	if err != nil {
		t.Fatal(err)
	}
	want := threeMonths(func(s []InstallmentState) {
		s[0].PaidInterest, s[0].PaidPrincipal, s[0].PaidOff = 120_000, 1_000_000, date("2026-01-20")
		s[1].PaidInterest, s[1].PaidPrincipal = 120_000, 260_000
	})
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("after %+v\nwant %+v", after, want)
	}
	if !reflect.DeepEqual(inst, threeMonths(nil)) {
		t.Fatal("Apply changed its input")
	}
	// The payoff on 2026-02-10: the second's principal left, its interest
	// paid already, the third's interest waived; both paid off that day,
	// the first keeps its day.
	plan, err = Plan(after, 1_740_000, date("2026-02-10"))
	if err != nil || !plan.PaidOff || plan.WaivedInterest != 120_000 {
		t.Fatalf("payoff %+v, %v", plan, err)
	}
	done, err := Apply(after, plan, date("2026-02-10"))
	if err != nil {
		t.Fatal(err)
	}
	for k, d := range []string{"2026-01-20", "2026-02-10", "2026-02-10"} {
		if done[k].Outstanding() != 0 || !done[k].PaidOff.Equal(date(d)) {
			t.Errorf("installment %d: %+v", k+1, done[k])
		}
	}
	if done[2].WaivedInterest != 120_000 || done[2].PaidInterest != 0 || done[2].Charged() != 0 {
		t.Errorf("the waived installment: %+v", done[2])
	}
	for name, p := range map[string]PaymentPlan{
		"beyond the interest":  {Allocations: []Allocation{alloc(1, 0, 120_001, 0)}},
		"a late fee not owed":  {Allocations: []Allocation{alloc(1, 1, 0, 0)}},
		"an unknown number":    {Allocations: []Allocation{alloc(4, 0, 1, 0)}},
		"negative":             {Allocations: []Allocation{alloc(1, 0, -1, 0)}},
		"a waiver beyond":      {Waivers: []Waiver{{2, 120_001}}},
		"a waiver of no one":   {Waivers: []Waiver{{9, 1}}},
		"twice beyond in sum":  {Allocations: []Allocation{alloc(1, 0, 100_000, 0), alloc(1, 0, 20_001, 0)}},
		"waived, then paid in": {Waivers: []Waiver{{1, 120_000}}, Allocations: []Allocation{alloc(1, 0, 1, 0)}},
	} {
		if _, err := Apply(inst, p, date("2026-01-20")); err == nil {
			t.Errorf("%s: applied", name)
		}
	}
}

// A loan paid installment by installment on each due date: each payment
// is exactly one installment, the last one pays the loan off, and every
// due date reads as paid on time.
func TestPaidOnTimeInstallmentByInstallment(t *testing.T) {
	inst := threeMonths(nil)
	for k := range inst {
		day := inst[k].Due
		if st := AccountPaymentStatus(day, inst[k].Outstanding(), inst[k].PaidOff, day); st != StatusDueToday {
			t.Fatalf("installment %d on its day: %q", k+1, st)
		}
		plan, err := Plan(inst, 1_120_000, day)
		if err != nil || !reflect.DeepEqual(plan.Allocations, []Allocation{alloc(k+1, 0, 120_000, 1_000_000)}) || plan.PaidOff != (k == 2) {
			t.Fatalf("installment %d: %+v, %v", k+1, plan, err)
		}
		if inst, err = Apply(inst, plan, day); err != nil {
			t.Fatal(err)
		}
		if DaysPastDue(inst, day.AddDate(0, 0, 1)) != 0 {
			t.Fatalf("late after paying installment %d", k+1)
		}
	}
	for _, i := range inst {
		if st := AccountPaymentStatus(i.Due, i.Outstanding(), i.PaidOff, date("2026-06-01")); st != StatusPaidOnTime {
			t.Errorf("installment %d: %q", i.Number, st)
		}
	}
}
