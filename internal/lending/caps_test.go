package lending

import (
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// The default tables at their boundary days (a Day, or an instant read in
// Jakarta).
func TestCapsByDateAndTenor(t *testing.T) {
	terms := defaultTerms(t)
	for _, c := range []struct {
		day    string
		months int
		ppm    int64
		from   string
		min    int
	}{
		{"2024-01-01", 12, 3000, "2024-01-01", 0},
		{"2024-12-31", 12, 3000, "2024-01-01", 0},
		{"2025-01-01", 1, 3000, "2025-01-01", 0},
		{"2025-01-01", 5, 3000, "2025-01-01", 0},
		{"2025-01-01", 6, 2000, "2025-01-01", 6},
		{"2026-12-02", 12, 2000, "2025-01-01", 6},
		{"2026-12-02", 5, 3000, "2025-01-01", 0},
	} {
		got, err := terms.BenefitCapFor(date(c.day), c.months)
		if err != nil || got.DailyPPM != c.ppm || !got.From.Equal(date(c.from)) || got.MinTenorMonths != c.min || got.Source == "" {
			t.Errorf("benefit cap on %s for %d months: %+v, %v", c.day, c.months, got, err)
		}
	}
	if _, err := terms.BenefitCapFor(date("2023-12-31"), 3); err == nil {
		t.Error("benefit cap before the table: no error")
	}
	// 17:00 UTC on 2024-12-31 is 2025-01-01 in Jakarta.
	if c, _ := terms.BenefitCapFor(time.Date(2024, 12, 31, 17, 0, 0, 0, time.UTC), 6); c.DailyPPM != 2000 {
		t.Errorf("Jakarta's 2025-01-01: %+v", c)
	}
	if c, _ := terms.BenefitCapFor(time.Date(2024, 12, 31, 16, 59, 59, 0, time.UTC), 6); c.DailyPPM != 3000 {
		t.Errorf("Jakarta's 2024-12-31: %+v", c)
	}

	for day, want := range map[string]int64{"2024-01-01": 5000, "2024-12-31": 5000, "2025-01-01": 4000, "2025-12-31": 4000, "2026-01-01": 3000, "2030-01-01": 3000} {
		if c, err := terms.DebtServiceCap(date(day)); err != nil || c.MaxShareBPS != want || c.Source == "" {
			t.Errorf("debt service on %s: %+v, %v", day, c, err)
		}
	}
	if _, err := terms.DebtServiceCap(date("2023-12-31")); err == nil {
		t.Error("debt service before the table: no error")
	}
	for day, want := range map[string]int64{"2024-01-01": 3000, "2024-12-31": 3000, "2025-01-01": 2000, "2025-12-31": 2000, "2026-01-01": 1000} {
		if c, err := terms.LateFeeCap(date(day)); err != nil || c.DailyPPM != want || c.Source == "" {
			t.Errorf("late fee on %s: %+v, %v", day, c, err)
		}
	}
	if _, err := terms.LateFeeCap(date("2023-12-31")); err == nil {
		t.Error("late fee before the table: no error")
	}
}

// A table whose later date has rows for long tenors only beyond 0: a short
// tenor takes that date's 0-month row, never an earlier date's.
func TestBenefitCapLatestDateWins(t *testing.T) {
	terms := termsWith(t, func(_ *credit.Product, r *Rules) {
		r.BenefitCaps = []BenefitCapRow{
			{From: "2024-01-01", MinTenorMonths: 0, DailyPPM: 3000, Source: "a"},
			{From: "2024-01-01", MinTenorMonths: 3, DailyPPM: 2500, Source: "b"},
			{From: "2024-01-01", MinTenorMonths: 9, DailyPPM: 1500, Source: "c"},
			{From: "2025-01-01", MinTenorMonths: 0, DailyPPM: 2800, Source: "d"},
			{From: "2025-01-01", MinTenorMonths: 6, DailyPPM: 1800, Source: "e"},
		}
	})
	for _, c := range []struct {
		day    string
		months int
		source string
	}{
		{"2024-06-01", 2, "a"}, {"2024-06-01", 3, "b"}, {"2024-06-01", 8, "b"}, {"2024-06-01", 9, "c"}, {"2024-06-01", 12, "c"},
		{"2025-06-01", 2, "d"}, {"2025-06-01", 5, "d"}, {"2025-06-01", 6, "e"}, {"2025-06-01", 12, "e"},
	} {
		if got, err := terms.BenefitCapFor(date(c.day), c.months); err != nil || got.Source != c.source {
			t.Errorf("%s, %d months: %+v, %v; want row %s", c.day, c.months, got, err, c.source)
		}
	}
}

// Debt service at its boundary: 30% from 2026-01-01.
func TestCheckDebtService(t *testing.T) {
	terms := defaultTerms(t)
	day := date("2026-06-01")
	// 2,000,000 + 1,000,000 = 3,000,000 of 10,000,000: exactly 30%.
	c, err := terms.CheckDebtService(day, 10_000_000, 2_000_000, 1_000_000)
	if err != nil || c.MaxShareBPS != 3000 || !c.From.Equal(date("2026-01-01")) {
		t.Fatalf("exactly at the cap: %+v, %v", c, err)
	}
	// One rupiah more: 30.00001%, shown rounded up as 30,01%.
	_, err = terms.CheckDebtService(day, 10_000_000, 2_000_000, 1_000_001)
	e := wantProblem(t, err, "loan_amount_request", i18n.DebtServiceExceeded)
	if !slices.Equal(e.Problems[0].Args, []any{"30,01%", "30%", "2026-01-01"}) {
		t.Fatalf("args %v", e.Problems[0].Args)
	}
	// The same loan in 2025 is within 40%.
	if c, err := terms.CheckDebtService(date("2025-06-01"), 10_000_000, 2_000_000, 1_000_001); err != nil || c.MaxShareBPS != 4000 {
		t.Fatalf("2025: %+v, %v", c, err)
	}
	// 4,125,000 of 10,000,000 in 2025: 41,25% over 40%.
	_, err = terms.CheckDebtService(date("2025-06-01"), 10_000_000, 4_000_000, 125_000)
	e = wantProblem(t, err, "loan_amount_request", i18n.DebtServiceExceeded)
	if !slices.Equal(e.Problems[0].Args, []any{"41,25%", "40%", "2025-01-01"}) {
		t.Fatalf("args %v", e.Problems[0].Args)
	}
	// No income: refused, whatever the installments.
	for _, income := range []julo.Money{0, -1} {
		_, err = terms.CheckDebtService(day, income, 0, 1)
		wantProblem(t, err, "loan_amount_request", i18n.DebtServiceNoIncome)
	}
	// Before the table: an error that is not the customer's.
	if _, err := terms.CheckDebtService(date("2023-01-01"), 10_000_000, 0, 1); err == nil || julo.ErrorCode(err) != julo.EINTERNAL {
		t.Fatalf("before the table: %v", err)
	}
}

func TestPercent(t *testing.T) {
	for bps, want := range map[int64]string{3000: "30%", 4125: "41,25%", 4120: "41,2%", 3001: "30,01%", 5: "0,05%", 0: "0%"} {
		if got := percent(big.NewInt(bps)); got != want {
			t.Errorf("percent(%d) = %q, want %q", bps, got, want)
		}
	}
}

// The late fee: the dated daily rate on the overdue principal, rounded
// down, stopping at the total cost cap (100% of the loan).
func TestLateFee(t *testing.T) {
	terms := defaultTerms(t)
	for _, c := range []struct {
		day                    string
		overdue, loan, charged julo.Money
		want                   julo.Money
		ppm                    int64
	}{
		// 2024: 0.3% of 1,000,000 = 3,000.
		{"2024-06-01", 1_000_000, 3_000_000, 0, 3_000, 3000},
		// 2025: 0.2% of 1,234,567 = 2,469.134 -> 2,469 (down).
		{"2025-06-01", 1_234_567, 3_000_000, 0, 2_469, 2000},
		// 2026: 0.1% of 1,234,567 = 1,234.567 -> 1,234 (down, not up).
		{"2026-06-01", 1_234_567, 3_000_000, 0, 1_234, 1000},
		{"2026-01-01", 999, 3_000_000, 0, 0, 1000}, // 0.999 -> 0
		// 100% of 3,000,000 is 3,000,000; 2,999,500 charged leaves 500.
		{"2026-06-01", 1_234_567, 3_000_000, 2_999_500, 500, 1000},
		// Exactly at the cap: nothing more, and nothing negative above it.
		{"2026-06-01", 1_234_567, 3_000_000, 3_000_000, 0, 1000},
		{"2026-06-01", 1_234_567, 3_000_000, 3_000_001, 0, 1000},
	} {
		fee, cap, err := terms.LateFee(date(c.day), c.overdue, c.loan, c.charged)
		if err != nil || fee != c.want || cap.DailyPPM != c.ppm {
			t.Errorf("%s, overdue %d, charged %d: fee %d (cap %+v), %v; want %d", c.day, c.overdue, c.charged, fee, cap, err, c.want)
		}
	}
	if _, _, err := terms.LateFee(date("2023-12-31"), 1, 1, 0); err == nil {
		t.Error("late fee before the table: no error")
	}
	if _, err := (Terms{}).LateFeeCap(date("2026-01-01")); err == nil || !strings.Contains(err.Error(), "use ParseTerms") {
		t.Errorf("zero Terms: %v", err)
	}
	if _, err := (Terms{}).BenefitCapFor(date("2026-01-01"), 3); err == nil {
		t.Error("zero Terms: no benefit cap error")
	}
	if _, err := (Terms{}).DebtServiceCap(date("2026-01-01")); err == nil {
		t.Error("zero Terms: no debt service error")
	}
	if _, _, err := terms.LateFee(date("2026-01-01"), -1, 1, 0); err == nil {
		t.Error("a negative overdue amount: no error")
	}
}
