package lending

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

// defaultTerms are the embedded policy's terms.
func defaultTerms(t *testing.T) Terms {
	t.Helper()
	terms, err := ParseTerms(credit.DefaultPolicy())
	if err != nil {
		t.Fatalf("the embedded policy's lending terms: %v", err)
	}
	return terms
}

// termsWith are the embedded policy's terms with edits to the product and
// the lending section, going through ParseTerms as a policy file would.
func termsWith(t *testing.T, edit func(*credit.Product, *Rules)) Terms {
	t.Helper()
	terms, err := parseWith(edit)
	if err != nil {
		t.Fatalf("fixture policy: %v", err)
	}
	return terms
}

func parseWith(edit func(*credit.Product, *Rules)) (Terms, error) {
	p := credit.DefaultPolicy()
	var r Rules
	if err := json.Unmarshal(p.Lending, &r); err != nil {
		return Terms{}, err
	}
	edit(&p.Product, &r)
	b, err := json.Marshal(r)
	if err != nil {
		return Terms{}, err
	}
	p.Lending = b
	return ParseTerms(p)
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestDefaultTerms(t *testing.T) {
	terms := defaultTerms(t)
	if terms.Version != credit.DefaultPolicy().Version || terms.Product.MonthlyInterestBPS != 400 || terms.Product.ProvisionFeeBPS != 500 {
		t.Fatalf("terms %+v", terms)
	}
	r := terms.Rules
	if r.MinAmountThreshold != 300_000 || r.MaxOffers != 4 || r.OneMonthUpTo != 100_000 || r.MinFirstPeriodDays != 15 ||
		r.DefaultPayday != 28 || r.AdditionalMonths != 5 || r.TwoMonthMinDays != 61 {
		t.Fatalf("rules %+v", r)
	}
	if terms.LoanExpiry() != 24*time.Hour || terms.TotalCostCapBPS() != 10000 {
		t.Fatalf("expiry %v, total cost cap %d", terms.LoanExpiry(), terms.TotalCostCapBPS())
	}
	// The policy file re-encoded (as credit's own test does) keeps its
	// lending section.
	b, err := json.Marshal(credit.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	p, err := credit.ParsePolicy(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTerms(p); err != nil {
		t.Fatalf("re-encoded policy: %v", err)
	}
}

func TestParseTermsRefusesInvalid(t *testing.T) {
	p := credit.DefaultPolicy()
	p.Lending = nil
	if _, err := ParseTerms(p); err == nil || !strings.Contains(err.Error(), "no lending section") {
		t.Fatalf("no lending section: %v", err)
	}
	p.Lending = json.RawMessage(`{"min_amount_threshold": 300000, "max_ofers": 4}`)
	if _, err := ParseTerms(p); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("misspelt key: %v", err)
	}
	// A credit policy document with a misspelt key elsewhere is still
	// refused by credit itself.
	if _, err := credit.ParsePolicy([]byte(`{"version": "x", "lending": {}, "lendng": {}}`)); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("credit's strictness: %v", err)
	}
	for name, c := range map[string]struct {
		edit func(*credit.Product, *Rules)
		want string
	}{
		"no source":             {func(_ *credit.Product, r *Rules) { r.Source = "" }, "source"},
		"fee of 100%":           {func(p *credit.Product, _ *Rules) { p.ProvisionFeeBPS = 10000 }, "provision_fee_bps 10000"},
		"no offers":             {func(_ *credit.Product, r *Rules) { r.MaxOffers = 0 }, "max_offers 0"},
		"no first period":       {func(_ *credit.Product, r *Rules) { r.MinFirstPeriodDays = 0 }, "min_first_period_days 0"},
		"default payday 29":     {func(_ *credit.Product, r *Rules) { r.DefaultPayday = 29 }, "default_payday 29"},
		"no expiry":             {func(_ *credit.Product, r *Rules) { r.LoanExpiryHours = 0 }, "loan_expiry_hours 0"},
		"no total cost cap":     {func(_ *credit.Product, r *Rules) { r.TotalCostCapBPS = 0 }, "total_cost_cap_bps 0"},
		"no benefit caps":       {func(_ *credit.Product, r *Rules) { r.BenefitCaps = nil }, "benefit_caps: give at least one"},
		"no late fee caps":      {func(_ *credit.Product, r *Rules) { r.LateFeeCaps = nil }, "late_fee_caps: give at least one"},
		"no debt service caps":  {func(_ *credit.Product, r *Rules) { r.DebtServiceCaps = nil }, "debt_service_caps: give at least one"},
		"bad date":              {func(_ *credit.Product, r *Rules) { r.BenefitCaps[1].From = "2025-13-01" }, "benefit_caps[1].from"},
		"zero rate":             {func(_ *credit.Product, r *Rules) { r.BenefitCaps[0].DailyPPM = 0 }, "benefit_caps[0].daily_ppm 0"},
		"negative late fee":     {func(_ *credit.Product, r *Rules) { r.LateFeeCaps[2].DailyPPM = -1 }, "late_fee_caps[2].daily_ppm -1"},
		"share over 100%":       {func(_ *credit.Product, r *Rules) { r.DebtServiceCaps[0].MaxShareBPS = 10001 }, "max_share_bps 10001"},
		"row without source":    {func(_ *credit.Product, r *Rules) { r.LateFeeCaps[1].Source = " " }, "late_fee_caps[1].source"},
		"dates out of order":    {func(_ *credit.Product, r *Rules) { r.LateFeeCaps[1].From = "2023-06-01" }, "late_fee_caps[1].from 2023-06-01: rows in increasing dates"},
		"same date twice":       {func(_ *credit.Product, r *Rules) { r.DebtServiceCaps[2].From = "2025-01-01" }, "debt_service_caps[2].from 2025-01-01"},
		"benefit dates back":    {func(_ *credit.Product, r *Rules) { r.BenefitCaps[2].From = "2024-06-01" }, "benefit_caps[2].from 2024-06-01"},
		"no row for 0 months":   {func(_ *credit.Product, r *Rules) { r.BenefitCaps[1].MinTenorMonths = 1 }, "must be for min_tenor_months 0"},
		"tenors out of order":   {func(_ *credit.Product, r *Rules) { r.BenefitCaps[2].MinTenorMonths = 0 }, "benefit_caps[2].min_tenor_months 0"},
		"threshold of nothing":  {func(_ *credit.Product, r *Rules) { r.MinAmountThreshold = 0 }, "min_amount_threshold 0"},
		"negative one-month up": {func(_ *credit.Product, r *Rules) { r.OneMonthUpTo = -1 }, "one_month_up_to -1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseWith(c.edit)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestDayIsJakartasCalendarDay(t *testing.T) {
	for at, want := range map[string]string{
		"2026-01-13T16:59:59Z":      "2026-01-13", // 23:59:59 WIB
		"2026-01-13T17:00:00Z":      "2026-01-14", // 00:00 WIB
		"2026-01-14T06:00:00+07:00": "2026-01-14",
		"2025-12-31T17:00:00Z":      "2026-01-01",
	} {
		instant, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		if got := Day(instant); !got.Equal(date(want)) || got.Location() != time.UTC {
			t.Errorf("Day(%s) = %v, want %s (00:00 UTC)", at, got, want)
		}
	}
}

// Due dates fall on the cycle day (the payday; 29-31 the 28th; unknown the
// policy's default), the first at least 15 days after the creation day.
func TestDueDates(t *testing.T) {
	terms := defaultTerms(t)
	fives := termsWith(t, func(_ *credit.Product, r *Rules) { r.DefaultPayday = 5 })
	for _, c := range []struct {
		name    string
		terms   Terms
		created string
		payday  int
		want    []string
	}{
		{"payday 31 is the 28th", terms, "2026-01-10", 31, []string{"2026-01-28", "2026-02-28", "2026-03-28"}},
		{"payday 30 is the 28th", terms, "2026-01-10", 30, []string{"2026-01-28", "2026-02-28", "2026-03-28"}},
		{"payday 29 is the 28th", terms, "2026-01-10", 29, []string{"2026-01-28", "2026-02-28", "2026-03-28"}},
		{"unknown payday: default 28", terms, "2026-01-10", 0, []string{"2026-01-28", "2026-02-28", "2026-03-28"}},
		{"unknown payday: a policy's default 5", fives, "2026-01-10", 0, []string{"2026-02-05", "2026-03-05", "2026-04-05"}},
		{"exactly 15 days: this month", terms, "2026-01-13", 28, []string{"2026-01-28", "2026-02-28"}},
		{"14 days: next month", terms, "2026-01-14", 28, []string{"2026-02-28", "2026-03-28"}},
		{"payday today: next month (31 days)", terms, "2026-01-10", 10, []string{"2026-02-10", "2026-03-10"}},
		{"payday passed: next month", terms, "2026-01-20", 5, []string{"2026-02-05", "2026-03-05"}},
		{"payday passed, next month too close", terms, "2026-01-25", 5, []string{"2026-03-05", "2026-04-05"}},
		{"over the year end", terms, "2026-12-20", 15, []string{"2027-01-15", "2027-02-15"}},
	} {
		got := c.terms.DueDates(date(c.created), c.payday, len(c.want))
		for i, d := range got {
			if !d.Equal(date(c.want[i])) {
				t.Errorf("%s: due %d = %s, want %s", c.name, i+1, d.Format(time.DateOnly), c.want[i])
			}
		}
	}
	// The creation day is Jakarta's: 16:59 UTC on the 13th is still the
	// 13th there (15 days to the 28th), 17:00 is the 14th (14 days).
	if d := terms.DueDates(time.Date(2026, 1, 13, 16, 59, 0, 0, time.UTC), 28, 1)[0]; !d.Equal(date("2026-01-28")) {
		t.Errorf("23:59 WIB on the 13th: first due %s", d.Format(time.DateOnly))
	}
	if d := terms.DueDates(time.Date(2026, 1, 13, 17, 0, 0, 0, time.UTC), 28, 1)[0]; !d.Equal(date("2026-02-28")) {
		t.Errorf("00:00 WIB on the 14th: first due %s", d.Format(time.DateOnly))
	}
}

// Range: the available limit, less the provision for a third party (the
// largest request whose grossed-up loan fits); both 0 when the minimum is
// above it.
func TestRange(t *testing.T) {
	terms := defaultTerms(t)
	for _, c := range []struct {
		available  julo.Money
		thirdParty bool
		want       Range
	}{
		{9_000_000, false, Range{300_000, 300_000, 9_000_000}},
		// 9,000,000 x 0.95 = 8,550,000, grossed up: 8,550,000 / 0.95 = 9,000,000 exactly;
		// 8,550,001 / 0.95 = 9,000,001.05 -> 9,000,001, over the limit.
		{9_000_000, true, Range{300_000, 300_000, 8_550_000}},
		// 1,000,001 x 0.95 = 950,000.95 -> 950,000; 950,001 / 0.95 = 1,000,001.05 -> 1,000,001
		// fits; 950,002 / 0.95 = 1,000,002.1 -> 1,000,002 does not.
		{1_000_001, true, Range{300_000, 300_000, 950_001}},
		{300_000, false, Range{300_000, 300_000, 300_000}},
		// 300,000 less the provision is 285,000, below the minimum: nothing.
		{300_000, true, Range{300_000, 0, 0}},
		{299_999, false, Range{300_000, 0, 0}},
		{0, false, Range{300_000, 0, 0}},
		{-5, true, Range{300_000, 0, 0}},
	} {
		if got := terms.Range(c.available, c.thirdParty); got != c.want {
			t.Errorf("Range(%d, third party %v) = %+v, want %+v", c.available, c.thirdParty, got, c.want)
		}
	}
	// The product's minimum loan, when above the threshold, is the minimum.
	high := termsWith(t, func(p *credit.Product, _ *Rules) { p.MinLoan = 500_000 })
	if got := high.Range(1_000_000, false); got != (Range{300_000, 500_000, 1_000_000}) {
		t.Errorf("min loan 500,000: %+v", got)
	}
	// For every limit, Max is exactly the largest request whose gross-up
	// fits; at 5% that is production's available - round(available x 5%).
	// At 7% production's formula can be over: 1,000,000 - 70,000 = 930,000
	// is 930,000 / 0.93 = 1,000,000, fine, but 1,000,007 - 70,000 (70,000.49
	// rounded) = 930,007 grosses up to 1,000,007.5 -> 1,000,008, over; ours
	// is 930,006 (1,000,006.45 -> 1,000,006).
	seven := termsWith(t, func(p *credit.Product, _ *Rules) { p.ProvisionFeeBPS = 700 })
	if m := seven.Range(1_000_007, true).Max; m != 930_006 || grossUp(930_007, 700) != 1_000_008 {
		t.Errorf("7%% of 1,000,007: Max %d", m)
	}
	for _, c := range []struct {
		terms Terms
		fee   int64
	}{{terms, 500}, {seven, 700}} {
		for a := julo.Money(300_000); a < 300_000+5_000; a++ {
			m := c.terms.Range(a, true).Max
			if m != 0 && (grossUp(m, c.fee) > a || grossUp(m+1, c.fee) <= a) {
				t.Fatalf("fee %d, available %d: Max %d (gross %d; next %d)", c.fee, a, m, grossUp(m, c.fee), grossUp(m+1, c.fee))
			}
			if c.fee == 500 && m != 0 && m != a-provisionOf(a, 500) {
				t.Fatalf("available %d: Max %d, production's %d", a, m, a-provisionOf(a, 500))
			}
		}
	}
}

// The gross-up and the provision round half up (julo.Money.MulDiv).
func TestGrossUpAndProvisionRounding(t *testing.T) {
	for _, c := range []struct {
		request, loan, provision julo.Money
	}{
		{950_000, 1_000_000, 50_000},    // 950,000 / 0.95 = 1,000,000; x 0.05 = 50,000
		{1_000_000, 1_052_632, 52_632},  // 1,052,631.58 -> 1,052,632 (up); 52,631.6 -> 52,632 (up)
		{2_850_000, 3_000_000, 150_000}, // exact
		{300_001, 315_791, 15_790},      // 315,790.53 -> 315,791 (up); 15,789.55 -> 15,790 (up)
		{1, 1, 0},                       // 1.05 -> 1; 0.05 -> 0
		{9, 9, 0},                       // 9.47 -> 9; 0.45 -> 0 (below half)
		{10, 11, 1},                     // 10.53 -> 11; 11 x 0.05 = 0.55 -> 1
		{19, 20, 1},                     // 20 exactly; 1 exactly
	} {
		loan := grossUp(c.request, 500)
		if loan != c.loan || provisionOf(loan, 500) != c.provision {
			t.Errorf("request %d: loan %d provision %d, want %d and %d", c.request, loan, provisionOf(loan, 500), c.loan, c.provision)
		}
	}
	// The provision's half: 10 x 5% = 0.5 -> 1; 9 x 5% = 0.45 -> 0.
	if provisionOf(10, 500) != 1 || provisionOf(9, 500) != 0 {
		t.Errorf("provision at the half: %d, %d", provisionOf(10, 500), provisionOf(9, 500))
	}
}
