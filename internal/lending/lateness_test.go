package lending

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

func TestDPDStatusBoundaries(t *testing.T) {
	for dpd, want := range map[int]julo.LoanStatus{
		-30: julo.LoanCurrent, -1: julo.LoanCurrent, 0: julo.LoanCurrent,
		1: julo.Loan1DPD, 4: julo.Loan1DPD,
		5: julo.Loan5DPD, 29: julo.Loan5DPD,
		30: julo.Loan30DPD, 59: julo.Loan30DPD,
		60: julo.Loan60DPD, 89: julo.Loan60DPD,
		90: julo.Loan90DPD, 119: julo.Loan90DPD,
		120: julo.Loan120DPD, 149: julo.Loan120DPD,
		150: julo.Loan150DPD, 179: julo.Loan150DPD,
		180: julo.Loan180DPD, 181: julo.Loan180DPD, 10_000: julo.Loan180DPD,
	} {
		got := DPDStatus(dpd)
		if got != want || !slices.Contains(julo.DPDStatuses(), got) {
			t.Errorf("DPDStatus(%d) = %v, want %v", dpd, got, want)
		}
	}
}

// Days past due count from the oldest installment with anything left,
// its late fee included, to the day; at each status boundary.
func TestDaysPastDue(t *testing.T) {
	inst := threeMonths(nil)
	due := inst[0].Due
	for _, d := range []int{0, 1, 4, 5, 29, 30, 59, 60, 89, 90, 119, 120, 149, 150, 179, 180, 400} {
		today := due.AddDate(0, 0, d)
		if got := DaysPastDue(inst, today); got != d {
			t.Errorf("%s: %d days past due, want %d", today.Format(time.DateOnly), got, d)
		}
	}
	if got := DaysPastDue(inst, due.AddDate(0, 0, -10)); got != 0 {
		t.Errorf("before the first due date: %d", got)
	}
	firstPaid := threeMonths(func(s []InstallmentState) { s[0].PaidInterest, s[0].PaidPrincipal = 120_000, 1_000_000 })
	if got := DaysPastDue(firstPaid, date("2026-03-05")); got != 5 {
		t.Errorf("the first paid: %d days past due from the second, want 5", got)
	}
	if got := DaysPastDue(firstPaid, date("2026-02-20")); got != 0 {
		t.Errorf("the first paid, the second not yet due: %d", got)
	}
	// Only a late fee left of the first: it is still the oldest unpaid.
	feeLeft := threeMonths(func(s []InstallmentState) {
		s[0].PaidInterest, s[0].PaidPrincipal, s[0].LateFee = 120_000, 1_000_000, 1_000
	})
	if got := DaysPastDue(feeLeft, date("2026-02-02")); got != 5 {
		t.Errorf("a late fee left: %d days past due, want 5", got)
	}
	// Jakarta's day: 17:00 UTC on the due date is the next day there.
	if got := DaysPastDue(inst, time.Date(2026, 1, 28, 17, 0, 0, 0, time.UTC)); got != 1 {
		t.Errorf("Jakarta's day after the due date: %d", got)
	}
}

func lateOne(due string, principal julo.Money) []InstallmentState {
	return []InstallmentState{{Number: 1, Due: date(due), Principal: principal, Interest: 40_000}}
}

// The late fee of each day at the cap in force that day, on the principal
// past due only, rounded down per installment and day.
func TestAccrueAtEachDatedCap(t *testing.T) {
	terms := defaultTerms(t)
	two := threeMonths(nil)
	for _, c := range []struct {
		name     string
		inst     []InstallmentState
		from, to string
		want     []julo.Money // each installment's LateFee after
	}{
		// 0.3% of 1,000,000 a day in 2024; not on the due date itself.
		{"2024: 0.3%", lateOne("2024-06-01", 1_000_000), "2024-05-31", "2024-06-03", []julo.Money{6_000}},
		// 2025-12-30 and -31 at 0.2%, 2026-01-01 and -02 at 0.1%.
		{"across 2026-01-01: 0.2% then 0.1%", lateOne("2025-12-29", 1_000_000), "2025-12-28", "2026-01-02", []julo.Money{6_000}},
		{"2024-12-31 to 2025-01-01: 0.3% then 0.2%", lateOne("2024-12-30", 1_000_000), "2024-12-30", "2025-01-01", []julo.Money{5_000}},
		// 0.1% of 1,234,567 = 1,234.567: 1,234, down.
		{"rounded down", lateOne("2026-01-28", 1_234_567), "2026-01-28", "2026-01-29", []julo.Money{1_234}},
		{"below a rupiah", lateOne("2026-01-28", 999), "2026-01-28", "2026-02-28", []julo.Money{0}},
		{"only the principal not paid", func() []InstallmentState {
			s := lateOne("2026-01-28", 1_234_567)
			s[0].PaidPrincipal = 234_567
			return s
		}(), "2026-01-28", "2026-01-30", []julo.Money{2_000}},
		{"principal paid, interest left: no fee", func() []InstallmentState {
			s := lateOne("2026-01-28", 1_000_000)
			s[0].PaidPrincipal = 1_000_000
			return s
		}(), "2026-01-28", "2026-03-30", []julo.Money{0}},
		// 02-28: the first only (the second falls due that day); 03-01: both.
		{"each installment once it is past due", two, "2026-02-27", "2026-03-01", []julo.Money{2_000, 1_000, 0}},
		{"nothing before a due date", two, "2025-12-01", "2026-01-28", []julo.Money{0, 0, 0}},
		{"an empty span", two, "2026-03-01", "2026-03-01", []julo.Money{0, 0, 0}},
		{"a span backwards", two, "2026-03-05", "2026-03-01", []julo.Money{0, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := slices.Clone(c.inst)
			out, total, err := terms.Accrue(c.inst, 3_000_000, 150_000, date(c.from), date(c.to))
			if err != nil {
				t.Fatal(err)
			}
			var sum julo.Money
			for k, i := range out {
				if i.LateFee != c.want[k] {
					t.Errorf("installment %d: late fee %d, want %d", i.Number, i.LateFee, c.want[k])
				}
				sum += c.want[k]
				i.LateFee = before[k].LateFee
				if i != before[k] {
					t.Errorf("installment %d: more than its late fee changed: %+v", i.Number, i)
				}
			}
			if total != sum || !reflect.DeepEqual(before, c.inst) {
				t.Errorf("total %d, want %d (or the input changed)", total, sum)
			}
		})
	}
}

// Interest + provision + late fees reach the total cost cap (100% of the
// loan by default) to the rupiah, and hold there.
func TestAccrueStopsAtTheTotalCostCap(t *testing.T) {
	terms := defaultTerms(t)
	// 1,000,000 lent, 40,000 interest, 50,500 provision: 909,500 is left
	// for late fees, 1,000 a day in 2026: 909 days and 500 rupiah.
	inst := lateOne("2026-01-28", 1_000_000)
	due := inst[0].Due
	const loan, provision = 1_000_000, 50_500
	step := func(s []InstallmentState, from, to int) ([]InstallmentState, julo.Money) {
		t.Helper()
		out, total, err := terms.Accrue(s, loan, provision, due.AddDate(0, 0, from), due.AddDate(0, 0, to))
		if err != nil {
			t.Fatal(err)
		}
		return out, total
	}
	s, total := step(inst, 0, 909)
	if total != 909_000 {
		t.Fatalf("909 days: %d", total)
	}
	s, total = step(s, 909, 910)
	if total != 500 || s[0].LateFee != 909_500 {
		t.Fatalf("the day the cap is reached: %d (late fee %d)", total, s[0].LateFee)
	}
	s, total = step(s, 910, 1000)
	if total != 0 || s[0].LateFee != 909_500 || s[0].Interest+provision+s[0].LateFee != loan {
		t.Fatalf("after the cap: %d more (late fee %d)", total, s[0].LateFee)
	}
	if s, total = step(inst, 0, 1000); total != 909_500 || s[0].LateFee != 909_500 {
		t.Fatalf("in one run: %d", total)
	}
	// Late fees charged before count towards the cap.
	prior := lateOne("2026-01-28", 1_000_000)
	prior[0].LateFee = 900_000
	if _, total = step(prior, 0, 30); total != 9_500 {
		t.Fatalf("with 900,000 charged before: %d", total)
	}
	// A tighter cap (15%): 150,000 - 90,500 = 59,500.
	tight := termsWith(t, func(_ *credit.Product, r *Rules) { r.TotalCostCapBPS = 1500 })
	if _, total, err := tight.Accrue(inst, loan, provision, due, due.AddDate(0, 0, 365)); err != nil || total != 59_500 {
		t.Fatalf("15%% cap: %d, %v", total, err)
	}
	// Two installments past due share the room: the first in order takes
	// what is left on the day the cap is reached.
	both := []InstallmentState{
		{Number: 1, Due: date("2026-01-28"), Principal: 500_000, Interest: 20_000},
		{Number: 2, Due: date("2026-02-28"), Principal: 500_000, Interest: 20_000},
	}
	out, total, err := tight.Accrue(both, loan, provision, date("2026-02-28"), date("2026-04-29"))
	// 150,000 - 40,000 - 50,500 = 59,500 at 500 a day each: 59 days of
	// 1,000 and a last day of 500, all to the first.
	if err != nil || total != 59_500 || out[0].LateFee != 30_000 || out[1].LateFee != 29_500 {
		t.Fatalf("two sharing the cap: %d, %+v, %v", total, out, err)
	}
}

func TestAccrueRefusals(t *testing.T) {
	terms := defaultTerms(t)
	inst := lateOne("2023-12-20", 1_000_000)
	for name, run := range map[string]func() error{
		"a day no cap covers": func() error {
			_, _, err := terms.Accrue(inst, 1_000_000, 0, date("2023-12-30"), date("2024-01-02"))
			return err
		},
		"no loan amount": func() error {
			_, _, err := terms.Accrue(inst, 0, 0, date("2024-01-01"), date("2024-01-02"))
			return err
		},
		"a provision above the loan": func() error {
			_, _, err := terms.Accrue(inst, 1_000, 1_001, date("2024-01-01"), date("2024-01-02"))
			return err
		},
		"more than 20 years": func() error {
			_, _, err := terms.Accrue(inst, 1_000_000, 0, date("2024-01-01"), date("2045-01-01"))
			return err
		},
		"installments no loan has": func() error {
			bad := slices.Clone(inst)
			bad[0].PaidPrincipal = 2_000_000
			_, _, err := terms.Accrue(bad, 1_000_000, 0, date("2024-01-01"), date("2024-01-02"))
			return err
		},
		"terms not parsed": func() error {
			_, _, err := Terms{Rules: Rules{TotalCostCapBPS: 10_000}}.Accrue(inst, 1_000_000, 0, date("2024-01-01"), date("2024-01-02"))
			return err
		},
	} {
		if err := run(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// From the table's first day on, the same loan accrues.
	if _, total, err := terms.Accrue(inst, 1_000_000, 0, date("2023-12-31"), date("2024-01-01")); err != nil || total != 3_000 {
		t.Errorf("2024-01-01: %d, %v", total, err)
	}
}

func TestAccountPaymentStatus(t *testing.T) {
	due := date("2026-01-28")
	at := func(s string) time.Time { return date(s) }
	for _, c := range []struct {
		outstanding    julo.Money
		paidOff, today time.Time
		want           string
	}{
		{100, time.Time{}, at("2026-01-27"), "Belum jatuh tempo"},
		{100, time.Time{}, at("2026-01-28"), "Jatuh tempo hari ini"},
		{100, time.Time{}, at("2026-01-29"), "TERLAMBAT"},
		// 17:00 UTC on 01-27 is the due date in Jakarta.
		{100, time.Time{}, time.Date(2026, 1, 27, 17, 0, 0, 0, time.UTC), "Jatuh tempo hari ini"},
		{100, time.Time{}, time.Date(2026, 1, 27, 16, 59, 59, 0, time.UTC), "Belum jatuh tempo"},
		{0, at("2026-01-10"), at("2026-01-20"), "Terbayar tepat waktu"},
		{0, at("2026-01-28"), at("2026-03-01"), "Terbayar tepat waktu"},
		{0, at("2026-01-29"), at("2026-03-01"), "Terbayar terlambat"},
		{0, time.Date(2026, 1, 28, 16, 59, 59, 0, time.UTC), at("2026-03-01"), "Terbayar tepat waktu"},
		{0, time.Date(2026, 1, 28, 17, 0, 0, 0, time.UTC), at("2026-03-01"), "Terbayar terlambat"},
		{0, time.Time{}, at("2026-03-01"), "Terbayar tepat waktu"},
	} {
		if got := AccountPaymentStatus(due, c.outstanding, c.paidOff, c.today); got != c.want {
			t.Errorf("outstanding %d, paid off %s, today %s: %q, want %q", c.outstanding, c.paidOff, c.today, got, c.want)
		}
	}
}
