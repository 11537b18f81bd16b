package lending

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// april1 is 09:00 in Jakarta on 2026-04-01: with payday 1 the first due
// date is 2026-05-01, a first period of exactly 30 days.
var april1 = time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)

func wantProblem(t *testing.T, err error, field string, msg i18n.Msg) *julo.Error {
	t.Helper()
	var e *julo.Error
	if !errors.As(err, &e) || e.Code != julo.EINVALID || len(e.Problems) != 1 || e.Problems[0].Field != field || e.Problems[0].Msg != msg {
		t.Fatalf("error %v, want EINVALID %s on %s", err, msg, field)
	}
	return e
}

// Tenors as production's get_loan_duration chooses them (default product:
// 2-12 months, 5 additional months, 4 offers).
func TestDurations(t *testing.T) {
	terms := defaultTerms(t)
	mid := date("2026-03-10")
	for _, c := range []struct {
		name              string
		request, setLimit julo.Money
		created           time.Time
		payday            int
		want              []int
	}{
		// 3,000,000 / 9,000,000 x 10 = 3.33 -> 3: shortest 5; longest
		// min(12, 5 + 5) = 10, cut to 4 offers: 5-8.
		{"a third of the limit", 3_000_000, 9_000_000, mid, 20, []int{5, 6, 7, 8}},
		// 1,500,000 / 10,000,000 x 10 = 1.5 -> 2 (half up): shortest 4.
		{"half up", 1_500_000, 10_000_000, mid, 20, []int{4, 5, 6, 7}},
		// 1,499,999 / 10,000,000 x 10 = 1.499999 -> 1: shortest 3.
		{"just below half", 1_499_999, 10_000_000, mid, 20, []int{3, 4, 5, 6}},
		// The whole limit: 10 -> 12; only 12.
		{"the whole limit", 9_000_000, 9_000_000, mid, 20, []int{12}},
		// 9,000,000 / 10,000,000 x 10 = 9 -> 11: 11, 12.
		{"near the top", 9_000_000, 10_000_000, mid, 20, []int{11, 12}},
		// 300,000 / 9,000,000 x 10 = 0.33 -> 0: shortest 2. Created
		// 2026-03-10, payday 20: first due 2026-04-20 (41 days), second
		// 2026-05-20, 71 days: 2 months stays.
		{"2 months, second due 71 days away", 300_000, 9_000_000, mid, 20, []int{2, 3, 4, 5}},
		// Payday 25: first 2026-03-25 (15 days), second 2026-04-25, 46
		// days < 61: 2 months goes.
		{"2 months, second due 46 days away", 300_000, 9_000_000, mid, 25, []int{3, 4, 5}},
		// Payday 5: first 2026-04-05, second 2026-05-05, 56 days: goes.
		{"2 months, second due 56 days away", 300_000, 9_000_000, mid, 5, []int{3, 4, 5}},
		// Payday 9: first 2026-04-09 (30 days), second 2026-05-09, 60 days
		// (one short of 61): goes; payday 10: 2026-05-10, 61 days: stays.
		{"2 months at 60 days", 300_000, 9_000_000, mid, 9, []int{3, 4, 5}},
		{"2 months at 61 days", 300_000, 9_000_000, mid, 10, []int{2, 3, 4, 5}},
		// At most one_month_up_to (100,000): 1 month.
		{"100,000: one month", 100_000, 9_000_000, mid, 20, []int{1}},
		{"100,001: production's rule", 100_001, 9_000_000, mid, 20, []int{2, 3, 4, 5}},
		{"no set limit", 300_000, 0, mid, 20, nil},
	} {
		if got := terms.Durations(c.request, c.setLimit, c.created, c.payday); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Only 2 months, and it goes: 3 months instead (production), when the
	// product has 3 months.
	one := termsWith(t, func(_ *credit.Product, r *Rules) { r.MaxOffers = 1 })
	if got := one.Durations(300_000, 9_000_000, mid, 25); !slices.Equal(got, []int{3}) {
		t.Errorf("one offer of 2 months, too short: %v, want [3]", got)
	}
	// The rule off: 2 months stays.
	off := termsWith(t, func(_ *credit.Product, r *Rules) { r.TwoMonthMinDays = 0 })
	if got := off.Durations(300_000, 9_000_000, mid, 25); !slices.Equal(got, []int{2, 3, 4, 5}) {
		t.Errorf("two_month_min_days 0: %v", got)
	}
	// Fewer additional months: shortest 5, longest 5 + 2 = 7.
	two := termsWith(t, func(_ *credit.Product, r *Rules) { r.AdditionalMonths = 2 })
	if got := two.Durations(3_000_000, 9_000_000, mid, 20); !slices.Equal(got, []int{5, 6, 7}) {
		t.Errorf("additional_months 2: %v", got)
	}
}

func TestQuotesRefusals(t *testing.T) {
	terms := defaultTerms(t)
	in := QuoteInput{Available: 1_000_000, Payday: 1, Now: april1}
	for _, c := range []struct {
		request    julo.Money
		thirdParty bool
		msg        i18n.Msg
	}{
		{299_999, false, i18n.LoanAmountBelowThreshold},
		{0, false, i18n.LoanAmountBelowThreshold},
		{-1, true, i18n.LoanAmountBelowThreshold},
		{1_000_001, false, i18n.LoanAmountOutOfRange},
		// A third party's request is at most 950,000 of 1,000,000.
		{950_001, true, i18n.LoanAmountOutOfRange},
	} {
		in.Requested, in.ThirdParty = c.request, c.thirdParty
		_, err := terms.Quotes(in)
		wantProblem(t, err, "loan_amount_request", c.msg)
	}
	// At the edges the offers exist.
	for _, c := range []struct {
		request    julo.Money
		thirdParty bool
	}{{300_000, false}, {1_000_000, false}, {950_000, true}} {
		in.Requested, in.ThirdParty = c.request, c.thirdParty
		if qs, err := terms.Quotes(in); err != nil || len(qs) == 0 {
			t.Errorf("request %d (third party %v): %v", c.request, c.thirdParty, err)
		}
	}
	// Whatever is asked for when the range is empty is out of it.
	in.Available, in.Requested, in.ThirdParty = 300_000, 300_000, true
	_, err := terms.Quotes(in)
	wantProblem(t, err, "loan_amount_request", i18n.LoanAmountOutOfRange)

	// A product of 2 months only whose second due date is too close: no
	// tenor (production's "Gagal mendapatkan durasi pinjaman").
	twoOnly := termsWith(t, func(p *credit.Product, _ *Rules) { p.MinTenorMonths, p.MaxTenorMonths = 2, 2 })
	_, err = twoOnly.Quotes(QuoteInput{Requested: 300_000, Available: 9_000_000, Payday: 25, Now: time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)})
	wantProblem(t, err, "loan_amount_request", i18n.LoanDurationUnavailable)

	// A tenor not offered.
	in = QuoteInput{Requested: 3_000_000, Available: 3_000_000, SetLimit: 30_000_000, Payday: 1, Now: april1}
	_, err = terms.Quote(in, 2)
	wantProblem(t, err, "loan_duration", i18n.LoanDurationNotOffered)
	if q, err := terms.Quote(in, 6); err != nil || q.Duration != 6 {
		t.Fatalf("6 months: %+v, %v", q, err)
	}
}

// TestQuoteWorkedExample: 3,000,000 to the customer's own account, 3
// months, created 2026-04-01 with payday 1 (first due 2026-05-01: 30 days).
//
//	tenors: 3,000,000 / 30,000,000 x 10 = 1 -> 3; 3-6 months
//	loan 3,000,000 (own account: the request); provision 3,000,000 x 5% = 150,000
//	disbursement 3,000,000 - 150,000 = 2,850,000
//	schedule 1,120,000 x 3 (the example), interest 360,000
//	days (3 - 1) x 30 + 30 = 90; cap 3,000,000 x 0.3% x 90 = 810,000 >= 510,000: no cut
//	daily cost 510,000 / 3,000,000 / 90 = 0.18889% -> 1,889 ppm (rounded up)
func TestQuoteWorkedExample(t *testing.T) {
	terms := defaultTerms(t)
	in := QuoteInput{Requested: 3_000_000, Available: 3_000_000, SetLimit: 30_000_000, Payday: 1, Now: april1}
	qs, err := terms.Quotes(in)
	if err != nil {
		t.Fatal(err)
	}
	var ds []int
	for _, q := range qs {
		ds = append(ds, q.Duration)
	}
	if !slices.Equal(ds, []int{3, 4, 5, 6}) {
		t.Fatalf("tenors %v", ds)
	}
	q := qs[0]
	if q.Requested != 3_000_000 || q.LoanAmount != 3_000_000 || q.Provision != 150_000 || q.Disbursement != 2_850_000 ||
		q.Installment != 1_120_000 || q.FirstInstallment != 1_120_000 || q.TotalInterest != 360_000 || q.Cashback != 0 ||
		q.InterestBPS != 400 || q.ProvisionBPS != 500 || q.Days != 90 || q.DailyCostPPM != 1889 {
		t.Fatalf("quote %+v", q)
	}
	// 2026-04-01 is in the 2025-01-01 table; 3 months is under 6: 0.3%.
	if q.Cap.DailyPPM != 3000 || !q.Cap.From.Equal(date("2025-01-01")) || q.Cap.MinTenorMonths != 0 || q.Cap.Source == "" {
		t.Fatalf("cap %+v", q.Cap)
	}
	if q.LargestInstallment() != 1_120_000 {
		t.Errorf("largest installment %d", q.LargestInstallment())
	}
	for i, want := range []string{"2026-05-01", "2026-06-01", "2026-07-01"} {
		if in := q.Schedule[i]; !in.Due.Equal(date(want)) || in.Total != 1_120_000 || in.Principal != 1_000_000 {
			t.Errorf("installment %d: %+v", i+1, in)
		}
	}
	// 6 months: the 0.2% row (6 months or more): 3,000,000 x 0.2% x 180 =
	// 1,080,000 >= interest 720,000 + provision 150,000: no cut.
	if q6 := qs[3]; q6.Cap.DailyPPM != 2000 || q6.Cap.MinTenorMonths != 6 || q6.InterestBPS != 400 || q6.Days != 180 {
		t.Fatalf("6 months: %+v", q6)
	}
	// A third party: 2,850,000 grossed up to 3,000,000, disbursed whole.
	tp, err := terms.Quote(QuoteInput{Requested: 2_850_000, ThirdParty: true, Available: 3_000_000, SetLimit: 30_000_000, Payday: 1, Now: april1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if tp.LoanAmount != 3_000_000 || tp.Provision != 150_000 || tp.Disbursement != 2_850_000 || tp.Installment != 1_120_000 {
		t.Fatalf("third party: %+v", tp)
	}
}

// The cap cuts interest first, to the largest rate that fits, then the
// provision; fixtures with tight caps.
func TestQuoteCapCutsInterestThenProvision(t *testing.T) {
	capAt := func(ppm int64) Terms {
		return termsWith(t, func(_ *credit.Product, r *Rules) {
			r.BenefitCaps = []BenefitCapRow{{From: "2024-01-01", DailyPPM: ppm, Source: "a tight cap for the test"}}
		})
	}
	own := QuoteInput{Requested: 3_000_000, Available: 3_000_000, SetLimit: 30_000_000, Payday: 1, Now: april1}

	// 0.15% a day: cap 3,000,000 x 0.15% x 90 = 405,000; provision 150,000
	// leaves 255,000 of interest, 85,000 a month. At r bps the monthly
	// interest is 300r, the installment 1,000,000 + 300r rounded down to
	// 1,000: r = 286 gives 85,800 -> 85,000 (3 x 85,000 = 255,000: fits
	// exactly); r = 287 gives 86,100 -> 86,000 (258,000: over).
	q, err := capAt(1500).Quote(own, 3)
	if err != nil {
		t.Fatal(err)
	}
	if q.InterestBPS != 286 || q.TotalInterest != 255_000 || q.ProvisionBPS != 500 || q.Provision != 150_000 ||
		q.Installment != 1_085_000 || q.Cap.DailyPPM != 1500 || q.DailyCostPPM != 1500 {
		t.Fatalf("interest cut: %+v", q)
	}

	// 0.05% a day: cap 3,000,000 x 0.05% x 90 = 135,000, below the
	// provision alone: interest 0, provision 300p <= 135,000: p = 450
	// (4.5%), 135,000; the disbursement 2,865,000; installments the bare
	// principal, 1,000,000 x 3.
	q, err = capAt(500).Quote(own, 3)
	if err != nil {
		t.Fatal(err)
	}
	if q.InterestBPS != 0 || q.TotalInterest != 0 || q.ProvisionBPS != 450 || q.Provision != 135_000 || q.Disbursement != 2_865_000 ||
		q.Installment != 1_000_000 || q.FirstInstallment != 1_000_000 {
		t.Fatalf("provision cut: %+v", q)
	}

	// A third party at 0.05%: 2,850,000 is grossed up again for each lower
	// fee. At 4.5%: loan 2,850,000 / 0.955 = 2,984,293.19 -> 2,984,293,
	// provision 134,293.19 -> 134,293 <= cap 2,984,293 x 0.045 =
	// 134,293.19: fits. At 4.51%: loan 2,984,605.72 -> 2,984,606, provision
	// 134,605.73 -> 134,606 > 134,307.27: over.
	tp := own
	tp.Requested, tp.ThirdParty = 2_850_000, true
	q, err = capAt(500).Quote(tp, 3)
	if err != nil {
		t.Fatal(err)
	}
	if q.InterestBPS != 0 || q.ProvisionBPS != 450 || q.LoanAmount != 2_984_293 || q.Provision != 134_293 || q.Disbursement != 2_850_000 {
		t.Fatalf("third party provision cut: %+v", q)
	}
	var principals julo.Money
	for _, in := range q.Schedule {
		principals += in.Principal
	}
	if principals != q.LoanAmount {
		t.Fatalf("principals %d, loan %d", principals, q.LoanAmount)
	}
}

// A request of at most one_month_up_to gets 1 month; with the default cap a
// short first month is over the cap, so the cut shows there too.
func TestOneMonthLoan(t *testing.T) {
	terms := termsWith(t, func(p *credit.Product, r *Rules) { r.MinAmountThreshold, p.MinLoan = 50_000, 50_000 })
	// Created 2026-04-10, payday 25: first (and only) due 2026-04-25, 15
	// days. Cap 100,000 x 0.3% x 15 = 4,500; provision 5,000 alone is over:
	// interest 0; provision 100,000 x p / 10000 <= 4,500: p = 450.
	now := time.Date(2026, 4, 10, 3, 0, 0, 0, time.UTC)
	qs, err := terms.Quotes(QuoteInput{Requested: 100_000, Available: 1_000_000, Payday: 25, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1 {
		t.Fatalf("offers %+v", qs)
	}
	q := qs[0]
	if q.Duration != 1 || q.Days != 15 || q.InterestBPS != 0 || q.ProvisionBPS != 450 || q.Provision != 4_500 ||
		q.Installment != 100_000 || q.FirstInstallment != 100_000 || len(q.Schedule) != 1 || !q.Schedule[0].Due.Equal(date("2026-04-25")) {
		t.Fatalf("one month: %+v", q)
	}
	// A long first month is the largest installment: created 2026-04-14,
	// payday 28: 2026-04-28 is 14 days away, so the first due date is
	// 2026-05-28, 44 days. 1,000,000 over 3 months: first interest
	// 1,000,000 x 4% x 44/30 = 58,666.67 -> 58,666; 333,333 + 58,666 =
	// 391,999 -> 391,000; the regular 373,000.
	long, err := defaultTerms(t).Quote(QuoteInput{Requested: 1_000_000, Available: 1_000_000, SetLimit: 30_000_000, Payday: 28,
		Now: time.Date(2026, 4, 14, 3, 0, 0, 0, time.UTC)}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if long.Days != 104 || long.FirstInstallment != 391_000 || long.Installment != 373_000 || long.LargestInstallment() != 391_000 {
		t.Fatalf("a 44-day first month: %+v", long)
	}
	// 100,001 is not a 1-month loan.
	qs, err = terms.Quotes(QuoteInput{Requested: 100_001, Available: 1_000_000, Payday: 25, Now: now})
	if err != nil || qs[0].Duration == 1 {
		t.Fatalf("100,001: %+v, %v", qs, err)
	}
}

// The benefit cap row is the creation day's (in Jakarta).
func TestQuoteCapByCreationDay(t *testing.T) {
	terms := defaultTerms(t)
	in := QuoteInput{Requested: 3_000_000, Available: 3_000_000, SetLimit: 3_000_000, Payday: 28}
	// 3,000,000 of a 3,000,000 limit: 12 months only.
	in.Now = time.Date(2024, 12, 31, 16, 59, 0, 0, time.UTC) // 23:59 WIB, 2024-12-31
	q, err := terms.Quote(in, 12)
	if err != nil {
		t.Fatal(err)
	}
	if q.Cap.DailyPPM != 3000 || !q.Cap.From.Equal(date("2024-01-01")) {
		t.Fatalf("2024-12-31: %+v", q.Cap)
	}
	in.Now = time.Date(2024, 12, 31, 17, 0, 0, 0, time.UTC) // 00:00 WIB, 2025-01-01
	if q, err = terms.Quote(in, 12); err != nil || q.Cap.DailyPPM != 2000 || q.Cap.MinTenorMonths != 6 {
		t.Fatalf("2025-01-01: %+v, %v", q.Cap, err)
	}
	// Before the table: an error, not a default.
	in.Now = time.Date(2023, 12, 31, 3, 0, 0, 0, time.UTC)
	if _, err := terms.Quotes(in); err == nil || julo.ErrorCode(err) != julo.EINTERNAL {
		t.Fatalf("2023-12-31: %v", err)
	}
}

// The total cost cap holds whatever the daily cap: a generous daily cap
// (5% a day) and a total cap of 10% of the loan. 3,000,000 over 3 months
// (90 days): interest + provision at most 300,000; the provision is 150,000,
// so interest at most 150,000, 50,000 a month: at r bps the installment is
// 1,000,000 + 300r rounded down to 1,000, r = 169 gives 50,700 -> 50,000;
// r = 170 gives 51,000 (153,000 in all: over).
func TestQuoteTotalCostCap(t *testing.T) {
	terms := termsWith(t, func(_ *credit.Product, r *Rules) {
		r.BenefitCaps = []BenefitCapRow{{From: "2024-01-01", DailyPPM: 50_000, Source: "test"}}
		r.TotalCostCapBPS = 1000
	})
	q, err := terms.Quote(QuoteInput{Requested: 3_000_000, Available: 3_000_000, SetLimit: 30_000_000, Payday: 1, Now: april1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if q.InterestBPS != 169 || q.TotalInterest != 150_000 || q.Provision != 150_000 || q.Installment != 1_050_000 {
		t.Fatalf("total cost cap: %+v", q)
	}
}
