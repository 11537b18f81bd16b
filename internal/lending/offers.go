package lending

import (
	"fmt"
	"slices"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Quote is one offer: a tenor with its money and its schedule.
type Quote struct {
	Requested        julo.Money // loan_amount_request
	LoanAmount       julo.Money // the principal: Requested, or grossed up for a third party
	Duration         int        // months
	Installment      julo.Money // monthly_installment: the regular (not first, not last) one; a 1-month loan's only one
	FirstInstallment julo.Money
	Provision        julo.Money
	Disbursement     julo.Money // LoanAmount - Provision
	Cashback         julo.Money // 0 (production's field; no cashback product)
	InterestBPS      int64      // monthly, after a cap cut
	ProvisionBPS     int64      // after a cap cut
	TotalInterest    julo.Money
	Days             int   // (n-1)*30 + days to the first due date
	DailyCostPPM     int64 // (interest + provision) / LoanAmount / Days in parts per million, rounded UP
	Cap              BenefitCap
	Schedule         []Installment
}

// QuoteInput is what the offers depend on.
type QuoteInput struct {
	Requested  julo.Money
	ThirdParty bool       // transaction_type_code 2: the money goes to a third party
	Available  julo.Money // the account's available limit
	// SetLimit is the account's set limit, which production's tenor choice
	// divides the request by; 0 takes Available.
	SetLimit julo.Money
	Payday   int       // the customer's payday 1-31, 0 unknown
	Now      time.Time // the instant of the request
}

// Quotes is POST loan-duration: the offers for in, one per tenor, at most
// max_offers consecutive tenors chosen as production does (Durations). A
// request below the threshold, or outside the Range, is an EINVALID
// *julo.Error on loan_amount_request with production's message.
func (t Terms) Quotes(in QuoteInput) ([]Quote, error) {
	r := t.Range(in.Available, in.ThirdParty)
	// Production's order: the threshold first, then the range.
	if in.Requested < r.MinThreshold {
		return nil, julo.Errorf(julo.EINVALID, "loan_amount_request", i18n.LoanAmountBelowThreshold)
	}
	if in.Requested < r.Min || in.Requested > r.Max {
		return nil, julo.Errorf(julo.EINVALID, "loan_amount_request", i18n.LoanAmountOutOfRange)
	}
	setLimit := in.SetLimit
	if setLimit <= 0 {
		setLimit = in.Available
	}
	created := Day(in.Now)
	durations := t.Durations(in.Requested, setLimit, created, in.Payday)
	if len(durations) == 0 {
		return nil, julo.Errorf(julo.EINVALID, "loan_amount_request", i18n.LoanDurationUnavailable)
	}
	out := make([]Quote, 0, len(durations))
	for _, n := range durations {
		q, err := t.quote(in, n, created)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// Quote is the offer of tenor duration among Quotes(in); a duration that
// is not one of them is an EINVALID *julo.Error on loan_duration with
// production's message.
func (t Terms) Quote(in QuoteInput, duration int) (Quote, error) {
	qs, err := t.Quotes(in)
	if err != nil {
		return Quote{}, err
	}
	for _, q := range qs {
		if q.Duration == duration {
			return q, nil
		}
	}
	return Quote{}, julo.Errorf(julo.EINVALID, "loan_duration", i18n.LoanDurationNotOffered)
}

// Durations are the tenors offered for a request, as production's
// get_loan_duration and get_loan_duration_partnership choose them:
//
//   - the shortest is min + round(request / setLimit x (max - min)) (half
//     up, as py2round), at most max: the larger the request relative to
//     the limit, the longer the shortest tenor;
//   - the longest is the shortest + additional_months, at most max, and at
//     most max_offers tenors in all;
//   - a request of at most one_month_up_to gets the one tenor of 1 month;
//   - a 2-month tenor whose second due date is less than two_month_min_days
//     after the creation day is left out (production's rule for cash
//     loans), replaced by 3 months when it was the only one (and 3 is a
//     tenor of the product).
//
// setLimit must be positive (none: no tenor).
func (t Terms) Durations(request, setLimit julo.Money, created time.Time, payday int) []int {
	if request <= t.Rules.OneMonthUpTo && request > 0 {
		return []int{1}
	}
	if setLimit <= 0 || request <= 0 {
		return nil
	}
	lo, hi := int(t.Product.MinTenorMonths), int(t.Product.MaxTenorMonths)
	// round(request x (max - min) / setLimit), half up: an exact
	// integer division with the remainder compared to half the divisor.
	span := product(int64(request), int64(hi-lo))
	q, rem := span.QuoRem(span, product(int64(setLimit)), product(0))
	if rem.Mul(rem, product(2)).Cmp(product(int64(setLimit))) >= 0 {
		q.Add(q, product(1))
	}
	shortest := hi
	if q.IsInt64() && q.Int64() < int64(hi-lo) {
		shortest = lo + int(q.Int64())
	}
	longest := min(hi, shortest+t.Rules.AdditionalMonths)
	if longest-shortest >= t.Rules.MaxOffers {
		longest = shortest + t.Rules.MaxOffers - 1
	}
	var out []int
	for n := shortest; n <= longest; n++ {
		out = append(out, n)
	}
	if i := slices.Index(out, 2); i >= 0 && t.Rules.TwoMonthMinDays > 0 {
		dues := t.DueDates(created, payday, 2)
		if daysBetween(Day(created), dues[1]) < t.Rules.TwoMonthMinDays {
			out = slices.Delete(out, i, i+1)
			if len(out) == 0 && hi >= 3 {
				out = []int{3}
			}
		}
	}
	return out
}

// quote is the offer of n months for in, created on Day created, within
// the benefit cap in force on that day for n months.
//
// The cap: interest plus provision at most LoanAmount x daily_ppm x Days /
// 1,000,000 (compared exactly, without rounding). An offer over it has its
// monthly interest rate cut first, to the largest whole basis point that
// fits (possibly 0); if it is still over at 0 interest, its provision rate
// is cut the same way (and for a third party the loan is grossed up again
// for the lower fee, as production re-derives the loan amount), as
// production's validate_max_fee_rule cuts interest, then provision. The
// same cut keeps interest and provision within the total cost cap (fits).
func (t Terms) quote(in QuoteInput, n int, created time.Time) (Quote, error) {
	c, err := t.BenefitCapFor(created, n)
	if err != nil {
		return Quote{}, err
	}
	dues := t.DueDates(created, in.Payday, n)
	firstDays := daysBetween(created, dues[0])
	days := (n-1)*daysInMonth + firstDays
	build := func(interestBPS, provisionBPS int64) Quote {
		return t.build(in, n, interestBPS, provisionBPS, dues, firstDays, days, c)
	}
	rate, fee := t.Product.MonthlyInterestBPS, t.Product.ProvisionFeeBPS
	q := build(rate, fee)
	for r := rate - 1; !t.fits(q) && r >= 0; r-- {
		q = build(r, fee)
	}
	for f := fee - 1; !t.fits(q) && f >= 0; f-- {
		q = build(0, f)
	}
	if !t.fits(q) { // 0 interest and 0 provision cost nothing
		return Quote{}, fmt.Errorf("lending: an offer of %d months over its cap at no cost", n)
	}
	return q, nil
}

// build is the offer of n months at the given rates.
func (t Terms) build(in QuoteInput, n int, interestBPS, provisionBPS int64, dues []time.Time, firstDays, days int, c BenefitCap) Quote {
	q := Quote{Requested: in.Requested, LoanAmount: in.Requested, Duration: n, InterestBPS: interestBPS,
		ProvisionBPS: provisionBPS, Days: days, Cap: c}
	if in.ThirdParty {
		// The money goes to a third party, who must get the whole request:
		// the loan is grossed up for the provision (grossUp: half up).
		q.LoanAmount = grossUp(in.Requested, provisionBPS)
	}
	// provision = loan x fee, half up. For the customer's own account the
	// loan is the request and the provision is deducted from what is paid
	// out, as production does (disbursement = loan - provision).
	q.Provision = provisionOf(q.LoanAmount, provisionBPS)
	q.Disbursement = q.LoanAmount - q.Provision
	q.Schedule, q.Installment = schedule(q.LoanAmount, interestBPS, firstDays, dues)
	q.FirstInstallment = q.Schedule[0].Total
	for _, i := range q.Schedule {
		q.TotalInterest += i.Interest
	}
	// The daily cost in parts per million of the loan, rounded up (so that
	// it never reads as lower than it is): ceil((interest + provision) x
	// 1,000,000 / (loan x days)).
	cost := product(int64(q.TotalInterest+q.Provision), ppmOne)
	den := product(int64(q.LoanAmount), int64(days))
	cost.Add(cost, den).Sub(cost, product(1))
	q.DailyCostPPM = cost.Quo(cost, den).Int64()
	return q
}

// fits: the offer is within its benefit cap and, whatever the daily cap,
// its interest and provision are within the total cost cap (at most
// total_cost_cap_bps of the loan: late fees, issue 14, come on top of
// them and stop at the same cap).
func (t Terms) fits(q Quote) bool {
	if !q.withinCap() {
		return false
	}
	lhs := product(int64(q.TotalInterest+q.Provision), bpsOne)
	return lhs.Cmp(product(int64(q.LoanAmount), t.Rules.TotalCostCapBPS)) <= 0
}

// withinCap: interest + provision <= LoanAmount x daily_ppm x Days / 1e6,
// exactly.
func (q Quote) withinCap() bool {
	lhs := product(int64(q.TotalInterest+q.Provision), ppmOne)
	return lhs.Cmp(product(int64(q.LoanAmount), q.Cap.DailyPPM, int64(q.Days))) <= 0
}

// LargestInstallment is the largest monthly total of the schedule (the
// first month may be longer or shorter than the others, and the last may
// grow by the principal's remainder): the installment the debt-service
// rule (CheckDebtService's newMonthly) should count, as production's DBR
// check compares the first and the regular installment each with the cap.
func (q Quote) LargestInstallment() julo.Money {
	var m julo.Money
	for _, in := range q.Schedule {
		m = max(m, in.Total)
	}
	return m
}
