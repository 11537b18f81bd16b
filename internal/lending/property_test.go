package lending

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

// TestQuotesProperties: over random limits, requests, paydays, creation
// instants (2024-2027) and both payout kinds, under the default policy and
// under tight caps, every offer holds the rules: principals sum to the
// loan, each total is principal + interest, nothing is negative, the cap
// holds exactly, a cut rate is the largest that fits, due dates are monthly
// on the cycle day, the first at least 15 days after the creation day.
func TestQuotesProperties(t *testing.T) {
	tight := termsWith(t, func(_ *credit.Product, r *Rules) {
		r.BenefitCaps = []BenefitCapRow{
			{From: "2024-01-01", DailyPPM: 900, Source: "test: cuts interest often"},
			{From: "2025-01-01", DailyPPM: 400, Source: "test: cuts provision often"},
			{From: "2025-01-01", MinTenorMonths: 6, DailyPPM: 1200, Source: "test"},
		}
	})
	small := termsWith(t, func(p *credit.Product, r *Rules) {
		r.MinAmountThreshold, p.MinLoan = 20_000, 20_000 // reach the 1-month rule
	})
	policies := []Terms{defaultTerms(t), tight, small}
	rng := rand.New(rand.NewPCG(13, 2026))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - start
	offers := 0
	for i := range 3000 {
		terms := policies[i%len(policies)]
		available := julo.Money(rng.Int64N(15_000_000) + 1)
		in := QuoteInput{
			Available:  available,
			SetLimit:   available + julo.Money(rng.Int64N(5_000_000)),
			ThirdParty: rng.IntN(2) == 0,
			Payday:     rng.IntN(32),
			Now:        time.Unix(start+rng.Int64N(span), 0).UTC(),
		}
		r := terms.Range(in.Available, in.ThirdParty)
		if r.Max == 0 {
			continue
		}
		in.Requested = r.Min + julo.Money(rng.Int64N(int64(r.Max-r.Min)+1))
		qs, err := terms.Quotes(in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		if len(qs) == 0 || len(qs) > terms.Rules.MaxOffers {
			t.Fatalf("%+v: %d offers", in, len(qs))
		}
		created := Day(in.Now)
		for k, q := range qs {
			offers++
			if k > 0 && q.Duration != qs[k-1].Duration+1 {
				t.Fatalf("%+v: tenors not consecutive: %d after %d", in, q.Duration, qs[k-1].Duration)
			}
			checkQuote(t, terms, in, created, q)
		}
	}
	if offers < 3000 {
		t.Fatalf("only %d offers checked", offers)
	}
}

func checkQuote(t *testing.T, terms Terms, in QuoteInput, created time.Time, q Quote) {
	t.Helper()
	fail := func(what string) { t.Fatalf("%s\ninput %+v\nquote %+v", what, in, q) }
	if len(q.Schedule) != q.Duration {
		fail("schedule length")
	}
	if q.LoanAmount > in.Available || q.LoanAmount < in.Requested {
		fail("loan outside [request, available]")
	}
	if !in.ThirdParty && q.LoanAmount != in.Requested {
		fail("own account: loan is not the request")
	}
	if q.Provision < 0 || q.Disbursement != q.LoanAmount-q.Provision || q.Cashback != 0 {
		fail("provision or disbursement")
	}
	if in.ThirdParty && (q.Disbursement < in.Requested-1 || q.Disbursement > in.Requested+1) {
		fail("third party's disbursement is not the request (to the rupiah of rounding)")
	}
	var principals, interest julo.Money
	cycle := terms.CycleDay(in.Payday)
	for i, s := range q.Schedule {
		if s.Number != i+1 || s.Principal < 0 || s.Interest < 0 || s.Total != s.Principal+s.Interest {
			fail("installment amounts")
		}
		if s.Due.Day() != cycle || (i > 0 && !s.Due.Equal(q.Schedule[0].Due.AddDate(0, i, 0))) {
			fail("due dates")
		}
		principals += s.Principal
		interest += s.Interest
	}
	first := daysBetween(created, q.Schedule[0].Due)
	if first < terms.Rules.MinFirstPeriodDays || first > terms.Rules.MinFirstPeriodDays+31 {
		fail("first period")
	}
	if principals != q.LoanAmount || interest != q.TotalInterest || q.FirstInstallment != q.Schedule[0].Total {
		fail("sums")
	}
	if q.Days != (q.Duration-1)*daysInMonth+first {
		fail("days")
	}
	c, err := terms.BenefitCapFor(created, q.Duration)
	if err != nil || c != q.Cap {
		fail("cap row")
	}
	if !q.withinCap() || q.DailyCostPPM > q.Cap.DailyPPM || !terms.fits(q) ||
		(q.TotalInterest+q.Provision)*bpsOne > q.LoanAmount*julo.Money(terms.TotalCostCapBPS()) {
		fail("over the cap")
	}
	// The cost, exactly: DailyCostPPM is the ceiling of the daily share.
	cost := product(int64(q.TotalInterest+q.Provision), ppmOne)
	if product(q.DailyCostPPM, int64(q.LoanAmount), int64(q.Days)).Cmp(cost) < 0 ||
		q.DailyCostPPM > 0 && product(q.DailyCostPPM-1, int64(q.LoanAmount), int64(q.Days)).Cmp(cost) >= 0 {
		fail("daily cost is not the ceiling")
	}
	// A cut is the largest that fits: one basis point more is over.
	dues := terms.DueDates(created, in.Payday, q.Duration)
	rebuild := func(r, f int64) Quote { return terms.build(in, q.Duration, r, f, dues, first, q.Days, q.Cap) }
	switch {
	case q.ProvisionBPS < terms.Product.ProvisionFeeBPS:
		if q.InterestBPS != 0 || terms.fits(rebuild(0, q.ProvisionBPS+1)) {
			fail("provision cut not the largest")
		}
	case q.InterestBPS < terms.Product.MonthlyInterestBPS:
		if terms.fits(rebuild(q.InterestBPS+1, q.ProvisionBPS)) {
			fail("interest cut not the largest")
		}
	case q.InterestBPS != terms.Product.MonthlyInterestBPS:
		fail("rate above the product's")
	}
	// For a regular month (neither first nor last) the total is the
	// quote's installment.
	for i := 1; i < q.Duration-1; i++ {
		if q.Schedule[i].Total != q.Installment {
			fail("regular installment")
		}
	}
}
