package lending

import (
	"errors"
	"math/rand/v2"
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
			want: []Allocation{alloc(1, 0, 0, 600_000), alloc(2, 0, 0, 400_000)}},
		{name: "more than is due today pays the future principal in order, not its interest", inst: threeMonths(nil), amount: 1_500_000, today: "2026-01-10",
			want: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 0, 380_000)}},
		{name: "one rupiah below the payoff leaves one rupiah of principal and does not pay off", inst: threeMonths(nil), amount: 3_119_999, today: "2026-01-10",
			want: []Allocation{alloc(1, 0, 120_000, 1_000_000), alloc(2, 0, 0, 1_000_000), alloc(3, 0, 0, 999_999)}},
		{name: "past due in full, the running one in full, then later principal", amount: 2_500_000, today: "2026-02-05",
			inst: threeMonths(func(s []InstallmentState) { s[0].LateFee = 8_000 }),
			want: []Allocation{alloc(1, 8_000, 120_000, 1_000_000), alloc(2, 0, 120_000, 1_000_000), alloc(3, 0, 0, 252_000)}},
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
		{late, "2026-03-01", 3_364_000},      // two past due, the third running
		{late, "2026-03-29", 3_364_000},      // all past due: all of it
		{firstPaid, "2026-01-20", 2_000_000}, // the running one paid ahead: the later interest waived
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
		s[1].PaidPrincipal = 380_000 // ahead: principal only
	})
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("after %+v\nwant %+v", after, want)
	}
	if !reflect.DeepEqual(inst, threeMonths(nil)) {
		t.Fatal("Apply changed its input")
	}
	// The payoff on 2026-02-10: the second is running (its interest and
	// the principal left), the third's principal, its interest waived; both paid off that day,
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

// TestRepaymentProperties: over random loans quoted by the default policy
// (amounts, payout kinds, paydays, days 2024-2027) and random sequences of
// days passing (late fees accruing) and payments (below, at and above the
// payoff, and not positive): money in = money allocated + money refused;
// no part of an installment is paid beyond what it is; nothing is
// negative; the late fees stay within the total cost cap; the outstanding
// falls by exactly what is paid and waived; the loan is paid off exactly
// when its last rupiah is in, and then takes nothing more.
func TestRepaymentProperties(t *testing.T) {
	terms := defaultTerms(t)
	rng := rand.New(rand.NewPCG(14, 2026))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - start
	loans, payments, paidOff, payoffs, capped := 0, 0, 0, 0, 0
	for range 600 {
		available := julo.Money(rng.Int64N(20_000_000) + 300_000)
		in := QuoteInput{Available: available, SetLimit: available, ThirdParty: rng.IntN(2) == 0,
			Payday: rng.IntN(32), Now: time.Unix(start+rng.Int64N(span), 0).UTC()}
		r := terms.Range(in.Available, in.ThirdParty)
		if r.Max == 0 {
			continue
		}
		in.Requested = r.Min + julo.Money(rng.Int64N(int64(r.Max-r.Min)+1))
		qs, err := terms.Quotes(in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		q := qs[rng.IntN(len(qs))]
		inst := make([]InstallmentState, len(q.Schedule))
		for k, s := range q.Schedule {
			inst[k] = InstallmentState{Number: s.Number, Due: s.Due, Principal: s.Principal, Interest: s.Interest}
		}
		loans++
		day := Day(in.Now)
		var offered, allocated, refused julo.Money
		done := false
		for step := 0; step < 40 && !done; step++ {
			// Days pass: late fees accrue (sometimes a long way).
			next := day.AddDate(0, 0, rng.IntN(45))
			if rng.IntN(40) == 0 {
				next = next.AddDate(0, 0, rng.IntN(900))
			}
			var fee julo.Money
			inst, fee, err = terms.Accrue(inst, q.LoanAmount, q.Provision, day, next)
			if err != nil {
				t.Fatal(err)
			}
			day = next
			charged := q.Provision
			for _, i := range inst {
				charged += i.Charged()
			}
			if fee < 0 || charged*bpsOne > q.LoanAmount*julo.Money(terms.TotalCostCapBPS()) {
				t.Fatalf("loan %d: late fees %d take the cost to %d of %d", loans, fee, charged, q.LoanAmount)
			}
			if charged*bpsOne == q.LoanAmount*julo.Money(terms.TotalCostCapBPS()) {
				capped++
			}
			payoff := PayoffAmount(inst, day)
			checkPayoff(t, inst, day, payoff)
			var amount julo.Money
			switch k := rng.IntN(20); {
			case k == 0:
				amount = -julo.Money(rng.Int64N(1000)) // 0 or less
			case k <= 3:
				amount = payoff + 1 + julo.Money(rng.Int64N(1_000_000))
			case k <= 6:
				amount = payoff
			case payoff > 0:
				amount = 1 + julo.Money(rng.Int64N(int64(min(payoff, q.Installment*2))))
			}
			offered += amount
			before := total(inst)
			plan, err := Plan(inst, amount, day)
			switch {
			case amount <= 0:
				if !errors.Is(err, ErrNotPositive) {
					t.Fatalf("loan %d: paying %d: %v", loans, amount, err)
				}
				refused += amount
				continue
			case amount > payoff:
				if !errors.Is(err, ErrOverpayment) {
					t.Fatalf("loan %d: paying %d above the payoff %d: %v", loans, amount, payoff, err)
				}
				refused += amount
				continue
			case err != nil:
				t.Fatalf("loan %d: paying %d of %d: %v", loans, amount, payoff, err)
			}
			payments++
			if plan.Allocated() != amount {
				t.Fatalf("loan %d: %d allocated of %d", loans, plan.Allocated(), amount)
			}
			after, err := Apply(inst, plan, day)
			if err != nil {
				t.Fatalf("loan %d: %v", loans, err)
			}
			allocated += amount
			if total(after) != before-amount-plan.WaivedInterest {
				t.Fatalf("loan %d: outstanding %d after %d, paying %d, waiving %d", loans, total(after), before, amount, plan.WaivedInterest)
			}
			if plan.PaidOff != (total(after) == 0) || plan.PaidOff != (amount == payoff) {
				t.Fatalf("loan %d: paid off %v with %d left, paying %d of the payoff %d", loans, plan.PaidOff, total(after), amount, payoff)
			}
			inst = after
			checkStates(t, inst, q, allocated)
			if plan.PaidOff {
				done = true
				paidOff++
				if plan.WaivedInterest > 0 {
					payoffs++
				}
				for _, i := range inst {
					if i.PaidOff.IsZero() || i.PaidOff.After(day) {
						t.Fatalf("loan %d: installment %d paid off on %s", loans, i.Number, i.PaidOff)
					}
				}
				if PayoffAmount(inst, day) != 0 || DaysPastDue(inst, day.AddDate(0, 0, 400)) != 0 {
					t.Fatalf("loan %d: still owes after its payoff", loans)
				}
				if _, err := Plan(inst, 1, day); !errors.Is(err, ErrOverpayment) {
					t.Fatalf("loan %d: a payment after the payoff: %v", loans, err)
				}
				if _, fee, err := terms.Accrue(inst, q.LoanAmount, q.Provision, day, day.AddDate(0, 0, 100)); err != nil || fee != 0 {
					t.Fatalf("loan %d: late fees after the payoff: %d, %v", loans, fee, err)
				}
			}
		}
		if offered != allocated+refused {
			t.Fatalf("loan %d: %d in, %d allocated, %d refused", loans, offered, allocated, refused)
		}
	}
	// The run reaches every case it claims to check.
	if loans < 500 || payments < 3000 || paidOff < 200 || payoffs < 50 || capped < 10 {
		t.Fatalf("too few cases: %d loans, %d payments, %d paid off (%d waiving interest), %d at the cost cap", loans, payments, paidOff, payoffs, capped)
	}
	t.Logf("%d loans, %d payments, %d paid off (%d waiving interest), %d at the cost cap", loans, payments, paidOff, payoffs, capped)
}

func total(inst []InstallmentState) julo.Money {
	var s julo.Money
	for _, i := range inst {
		s += i.Outstanding()
	}
	return s
}

// checkPayoff computes the payoff another way: everything outstanding
// less the interest left of the installments due after the first unpaid
// one that is due on or after today.
func checkPayoff(t *testing.T, inst []InstallmentState, today time.Time, payoff julo.Money) {
	t.Helper()
	want := total(inst)
	var run time.Time
	for _, i := range inst {
		if !i.Due.Before(today) {
			run = i.Due
			break
		}
	}
	for _, i := range inst {
		if !run.IsZero() && i.Due.After(run) {
			want -= i.Interest - i.WaivedInterest - i.PaidInterest
		}
	}
	if payoff != want || payoff < 0 {
		t.Fatalf("payoff on %s: %d, want %d", today.Format(time.DateOnly), payoff, want)
	}
}

// checkStates: no part paid beyond what it is, nothing negative, the
// paid parts add up to the money allocated, a paid-off day only on an
// installment with nothing left.
func checkStates(t *testing.T, inst []InstallmentState, q Quote, allocated julo.Money) {
	t.Helper()
	var paid, principal julo.Money
	for k, i := range inst {
		s := q.Schedule[k]
		if i.Principal != s.Principal || i.Interest != s.Interest || i.Number != s.Number || !i.Due.Equal(s.Due) {
			t.Fatalf("installment %d: its schedule changed: %+v", i.Number, i)
		}
		if i.PaidPrincipal < 0 || i.PaidInterest < 0 || i.PaidLateFee < 0 || i.WaivedInterest < 0 || i.LateFee < 0 ||
			i.PaidPrincipal > i.Principal || i.PaidInterest+i.WaivedInterest > i.Interest || i.PaidLateFee > i.LateFee {
			t.Fatalf("installment %d: %+v", i.Number, i)
		}
		if !i.PaidOff.IsZero() && i.Outstanding() != 0 {
			t.Fatalf("installment %d: paid off with %d left", i.Number, i.Outstanding())
		}
		paid += i.PaidPrincipal + i.PaidInterest + i.PaidLateFee
		principal += i.PaidPrincipal
	}
	if paid != allocated || principal > q.LoanAmount {
		t.Fatalf("paid %d (principal %d of %d), allocated %d", paid, principal, q.LoanAmount, allocated)
	}
}

// FuzzPlan: any amount on any day to the worked loan in any state of
// payment is either refused with nothing planned or allocated to the
// rupiah within what each part owes, and pays off exactly at the payoff.
func FuzzPlan(f *testing.F) {
	f.Add(int64(1_120_000), 0, int64(0), int64(0), int64(0))
	f.Add(int64(3_120_000), -20, int64(0), int64(0), int64(0))
	f.Add(int64(1), 60, int64(1_000_000), int64(120_000), int64(5_000))
	f.Fuzz(func(t *testing.T, amount int64, days int, paidPrincipal, paidInterest, lateFee int64) {
		inst := threeMonths(func(s []InstallmentState) {
			s[0].PaidPrincipal, s[0].PaidInterest, s[0].LateFee = julo.Money(paidPrincipal), julo.Money(paidInterest), julo.Money(lateFee)
		})
		today := date("2026-01-28").AddDate(0, 0, days%2000)
		plan, err := Plan(inst, julo.Money(amount), today)
		if err != nil {
			if !reflect.DeepEqual(plan, PaymentPlan{}) {
				t.Fatalf("refused (%v) with a plan %+v", err, plan)
			}
			return
		}
		after, err := Apply(inst, plan, today)
		if err != nil {
			t.Fatal(err)
		}
		payoff := PayoffAmount(inst, today)
		if plan.Allocated() != julo.Money(amount) || amount > int64(payoff) || plan.PaidOff != (amount == int64(payoff)) ||
			plan.PaidOff != (total(after) == 0) || total(after) != total(inst)-julo.Money(amount)-plan.WaivedInterest {
			t.Fatalf("paying %d of the payoff %d on %s: %+v", amount, payoff, today.Format(time.DateOnly), plan)
		}
	})
}
