// Package lending holds the pure rules of loans drawn on a credit limit:
// the range a partner may ask for, the offers (tenors chosen as production
// JULO chooses them), the repayment schedule to the rupiah, the due dates,
// and the regulator's dated caps (economic benefit, debt service, late
// fees). Every number comes from the credit policy (its "product" and
// "lending" sections); every rounding rule is written where it is applied.
// It knows no HTTP, no SQL and no River.
package lending

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

// wib is Asia/Jakarta: UTC+7 all year (Indonesia has no daylight saving
// time), so a fixed zone needs no tzdata.
var wib = time.FixedZone("WIB", 7*3600)

// Day is the Jakarta calendar day of instant t, represented as 00:00 UTC
// of that date (so that days compare, subtract and print without a zone).
func Day(t time.Time) time.Time {
	y, m, d := t.In(wib).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween is the number of calendar days from Day a to Day b.
func daysBetween(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }

// Rules is the policy's "lending" section, decoded strictly.
type Rules struct {
	// Source says where the numbers come from, with dates.
	Source string `json:"source"`
	// MinAmountThreshold: no loan below it (production's
	// MIN_LOAN_AMOUNT_THRESHOLD, 300,000).
	MinAmountThreshold julo.Money `json:"min_amount_threshold"`
	// MaxOffers: at most this many consecutive tenors are offered
	// (production's NUMBER_TENURE, 4).
	MaxOffers int `json:"max_offers"`
	// AdditionalMonths: the longest tenor offered is at most the shortest
	// plus this (production's loan tenure additional month, 5 by default).
	AdditionalMonths int `json:"additional_months"`
	// OneMonthUpTo: a request of at most this gets the one tenor of 1
	// month (production: 100,000).
	OneMonthUpTo julo.Money `json:"one_month_up_to"`
	// TwoMonthMinDays: a 2-month tenor is offered only when its second due
	// date is at least this many days after the offer (production's
	// CASH_MIN_DURATION_DAYS, 61, from Google Play's rule for cash loans);
	// 0 turns the rule off.
	TwoMonthMinDays int `json:"two_month_min_days"`
	// MinFirstPeriodDays: the first due date is at least this many days
	// after the loan's creation day (production: 15).
	MinFirstPeriodDays int `json:"min_first_period_days"`
	// DefaultPayday: the cycle day of a customer whose payday is unknown.
	DefaultPayday int `json:"default_payday"`
	// LoanExpiryHours: a loan still waiting for its signature this long
	// after creation expires.
	LoanExpiryHours int `json:"loan_expiry_hours"`
	// The regulator's caps, each a table of dated rows with their sources.
	BenefitCaps     []BenefitCapRow `json:"benefit_caps"`
	DebtServiceCaps []ShareCapRow   `json:"debt_service_caps"`
	LateFeeCaps     []RateCapRow    `json:"late_fee_caps"`
	// TotalCostCapBPS: interest, fees and late fees of a loan together at
	// most this share of its amount (10000 = 100%).
	TotalCostCapBPS    int64  `json:"total_cost_cap_bps"`
	TotalCostCapSource string `json:"total_cost_cap_source"`
	// VirtualAccountBanks are the banks customers repay through, the first
	// primary: each bank's virtual account numbers are its prefix and the
	// application's 10-digit payment code (the lender's payment gateway
	// gives the prefixes).
	VirtualAccountBanks []VirtualAccountBank `json:"virtual_account_banks"`
}

// BenefitCapRow is a row of benefit_caps as the policy writes it.
type BenefitCapRow struct {
	From           string `json:"from"`
	MinTenorMonths int    `json:"min_tenor_months"`
	DailyPPM       int64  `json:"daily_ppm"`
	Source         string `json:"source"`
}

// ShareCapRow is a row of debt_service_caps as the policy writes it.
type ShareCapRow struct {
	From        string `json:"from"`
	MaxShareBPS int64  `json:"max_share_bps"`
	Source      string `json:"source"`
}

// RateCapRow is a row of late_fee_caps as the policy writes it.
type RateCapRow struct {
	From     string `json:"from"`
	DailyPPM int64  `json:"daily_ppm"`
	Source   string `json:"source"`
}

// Terms are the lending rules of one credit policy version: the product
// (interest, provision, tenors, minimum loan) and the lending section.
type Terms struct {
	// Version is the credit policy's version, recorded with each loan.
	Version string
	Product credit.Product
	Rules   Rules

	benefitCaps     []BenefitCap
	debtServiceCaps []ShareCap
	lateFeeCaps     []RateCap
}

const (
	bpsOne = 10000     // basis points in 1
	ppmOne = 1_000_000 // parts per million in 1
	// daysInMonth is production's month of interest: a monthly rate is for
	// 30 days, and the first month's interest is prorated by days / 30.
	daysInMonth = 30
	// lastCycleDay: paydays 29-31 fall due on the 28th, the last day every
	// month has (a calendar fact, not a policy number).
	lastCycleDay = 28
	// maxAmount bounds every amount these rules take (1 trillion rupiah,
	// as the credit policy's amounts), so that no product overflows.
	maxAmount = julo.Money(1_000_000_000_000)
	// production's LeadGen answer lists at most 4 tenors, and the
	// document (openapi.yaml, maxItems) says so to partners
	maxOffersLimit = 4
	maxExpiryHours = 24 * 30
)

// ParseTerms reads the lending terms of policy p: its product and its
// "lending" section, decoded strictly (an unknown key is an error) and
// checked; every problem is named.
func ParseTerms(p credit.Policy) (Terms, error) {
	raw := bytes.TrimSpace(p.Lending)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return Terms{}, fmt.Errorf("credit policy %q has no lending section", p.Version)
	}
	var r Rules
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Terms{}, fmt.Errorf("credit policy %q: not a valid lending section: %w", p.Version, err)
	}
	if dec.More() {
		return Terms{}, fmt.Errorf("credit policy %q: lending section: data after the object", p.Version)
	}
	t := Terms{Version: p.Version, Product: p.Product, Rules: r}
	if err := t.parse(); err != nil {
		return Terms{}, fmt.Errorf("credit policy %q: lending: %w", p.Version, err)
	}
	return t, nil
}

func (t *Terms) parse() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	r, pr := t.Rules, t.Product
	if strings.TrimSpace(r.Source) == "" {
		bad("source: say where the numbers come from")
	}
	// The gross-up divides by (1 - fee): a fee of 100% has no gross-up.
	if pr.ProvisionFeeBPS < 0 || pr.ProvisionFeeBPS >= bpsOne {
		bad("product.provision_fee_bps %d: lending needs 0 to %d", pr.ProvisionFeeBPS, bpsOne-1)
	}
	if pr.MonthlyInterestBPS < 0 || pr.MonthlyInterestBPS > bpsOne {
		bad("product.monthly_interest_bps %d: use 0 to %d", pr.MonthlyInterestBPS, bpsOne)
	}
	if pr.MinTenorMonths < 1 || pr.MaxTenorMonths < pr.MinTenorMonths || pr.MaxTenorMonths > 120 {
		bad("product tenors %d-%d months: use 1 <= min <= max <= 120", pr.MinTenorMonths, pr.MaxTenorMonths)
	}
	if pr.MinLoan < 1 || pr.MinLoan > maxAmount {
		bad("product.min_loan %d: use 1 to %d", pr.MinLoan, maxAmount)
	}
	if r.MinAmountThreshold < 1 || r.MinAmountThreshold > maxAmount {
		bad("min_amount_threshold %d: use 1 to %d", r.MinAmountThreshold, maxAmount)
	}
	if r.MaxOffers < 1 || r.MaxOffers > maxOffersLimit {
		bad("max_offers %d: use 1 to %d", r.MaxOffers, maxOffersLimit)
	}
	if r.AdditionalMonths < 0 || r.AdditionalMonths > 120 {
		bad("additional_months %d: use 0 to 120", r.AdditionalMonths)
	}
	if r.OneMonthUpTo < 0 || r.OneMonthUpTo > maxAmount {
		bad("one_month_up_to %d: use 0 to %d", r.OneMonthUpTo, maxAmount)
	}
	if r.TwoMonthMinDays < 0 || r.TwoMonthMinDays > 366 {
		bad("two_month_min_days %d: use 0 (off) to 366", r.TwoMonthMinDays)
	}
	if r.MinFirstPeriodDays < 1 || r.MinFirstPeriodDays > 60 {
		bad("min_first_period_days %d: use 1 to 60", r.MinFirstPeriodDays)
	}
	if r.DefaultPayday < 1 || r.DefaultPayday > lastCycleDay {
		bad("default_payday %d: use 1 to %d", r.DefaultPayday, lastCycleDay)
	}
	if r.LoanExpiryHours < 1 || r.LoanExpiryHours > maxExpiryHours {
		bad("loan_expiry_hours %d: use 1 to %d", r.LoanExpiryHours, maxExpiryHours)
	}
	if r.TotalCostCapBPS < 1 || r.TotalCostCapBPS > 10*bpsOne {
		bad("total_cost_cap_bps %d: use 1 to %d", r.TotalCostCapBPS, 10*bpsOne)
	}
	if strings.TrimSpace(r.TotalCostCapSource) == "" {
		bad("total_cost_cap_source: give the rule's source")
	}
	checkVirtualAccountBanks(r.VirtualAccountBanks, bad)
	t.benefitCaps = parseBenefitCaps(r.BenefitCaps, bad)
	t.debtServiceCaps = parseShareCaps(r.DebtServiceCaps, bad)
	t.lateFeeCaps = parseRateCaps(r.LateFeeCaps, bad)
	return errors.Join(errs...)
}

// LoanExpiry is how long a created loan waits for its signature before it
// expires (the policy's loan_expiry_hours, 24 by default).
func (t Terms) LoanExpiry() time.Duration {
	return time.Duration(t.Rules.LoanExpiryHours) * time.Hour
}

// TotalCostCapBPS is the cap of interest, fees and late fees of a loan
// together, as a share of its amount (10000 = 100% of the loan).
func (t Terms) TotalCostCapBPS() int64 { return t.Rules.TotalCostCapBPS }

// Range is GET range-loan-amount's answer.
type Range struct{ MinThreshold, Min, Max julo.Money }

// Range is the amounts a customer with the available limit may ask for.
// Max is the available limit, or, when the money goes to a third party,
// the largest request whose grossed-up loan (request / (1 - fee), see
// grossUp) fits the available limit. (Production writes this as available
// - round(available x fee). At its 5% the two agree for every limit; at
// other fees production's can be a rupiah or so above, a request whose
// grossed-up loan is over the limit, which its loan-duration then refuses
// as "Jumlah pinjaman tidak boleh lebih besar dari limit tersedia"; ours
// never offers a request the limit cannot hold.) Min is the
// larger of the policy's threshold and the product's minimum loan; when Min
// exceeds Max, both are 0 (production's answer: nothing can be asked for).
func (t Terms) Range(available julo.Money, thirdParty bool) Range {
	r := Range{MinThreshold: t.Rules.MinAmountThreshold, Min: max(t.Rules.MinAmountThreshold, t.Product.MinLoan)}
	available = min(max(available, 0), maxAmount)
	r.Max = available
	if thirdParty {
		r.Max = t.largestGrossedUpWithin(available, t.Product.ProvisionFeeBPS)
	}
	if r.Min > r.Max {
		r.Min, r.Max = 0, 0
	}
	return r
}

// largestGrossedUpWithin is the largest request whose grossed-up loan at
// fee is at most limit: it starts at floor(limit x (1 - fee)) and steps by
// the rupiah over the gross-up's half-up rounding.
func (t Terms) largestGrossedUpWithin(limit julo.Money, fee int64) julo.Money {
	r := julo.Money(mulDivFloor(int64(limit), bpsOne-fee, bpsOne))
	for r > 0 && grossUp(r, fee) > limit {
		r--
	}
	for grossUp(r+1, fee) <= limit {
		r++
	}
	return r
}

// grossUp is the loan whose disbursement after a provision of fee is the
// request: round(request / (1 - fee)), rounded half up (julo.Money.MulDiv),
// as production's int(py2round(request / (1 - fee))).
func grossUp(request julo.Money, fee int64) julo.Money {
	m, err := request.MulDiv(bpsOne, bpsOne-fee)
	if err != nil { // request and fee are bounded (maxAmount, fee < 100%)
		panic("lending: gross-up out of range: " + err.Error())
	}
	return m
}

// provisionOf is loan x fee rounded half up (julo.Money.MulDiv), as
// production's int(py2round(loan x fee)).
func provisionOf(loan julo.Money, fee int64) julo.Money {
	m, err := loan.MulDiv(fee, bpsOne)
	if err != nil {
		panic("lending: provision out of range: " + err.Error())
	}
	return m
}

// mulDivFloor is floor(a x b / c) for a, b >= 0 and c > 0, exact (128-bit
// intermediate); the result must fit (callers bound their inputs).
func mulDivFloor(a, b, c int64) int64 {
	var x big.Int
	x.Mul(big.NewInt(a), big.NewInt(b))
	x.Quo(&x, big.NewInt(c))
	return x.Int64()
}

// product is the exact product of its factors.
func product(fs ...int64) *big.Int {
	x := big.NewInt(1)
	for _, f := range fs {
		x.Mul(x, big.NewInt(f))
	}
	return x
}

// CycleDay is the day of the month installments fall due for a customer
// whose payday is payday: paydays 29-31 become the 28th, and an unknown
// payday (0, or outside 1-31) the policy's default_payday.
func (t Terms) CycleDay(payday int) int {
	switch {
	case payday < 1 || payday > 31:
		return t.Rules.DefaultPayday
	case payday > lastCycleDay:
		return lastCycleDay
	}
	return payday
}

// DueDates are the n due dates (Days) of a loan created on Day created for
// a customer with payday: the first is the earliest cycle day at least
// min_first_period_days after creation (production's first due date:
// this month's cycle day or a later one until 15 days have passed), then
// monthly on the same cycle day (at most the 28th, so every month has it).
func (t Terms) DueDates(created time.Time, payday, n int) []time.Time {
	created = Day(created)
	cycle := t.CycleDay(payday)
	earliest := created.AddDate(0, 0, t.Rules.MinFirstPeriodDays)
	first := time.Date(created.Year(), created.Month(), cycle, 0, 0, 0, 0, time.UTC)
	for first.Before(earliest) {
		first = first.AddDate(0, 1, 0) // the cycle day is at most 28: no overflow into the next month
	}
	out := make([]time.Time, n)
	for i := range out {
		out[i] = first.AddDate(0, i, 0)
	}
	return out
}

// checkVirtualAccountBanks refuses a bank list no number can be read back
// from: none, a code or name missing or repeated, a prefix not of 1 to 8
// digits, or one prefix starting another (a number would have two banks).
func checkVirtualAccountBanks(banks []VirtualAccountBank, bad func(string, ...any)) {
	if len(banks) == 0 {
		bad("virtual_account_banks: give at least one bank")
	}
	for k, b := range banks {
		if b.BankCode == "" || b.Name == "" {
			bad("virtual_account_banks[%d]: give bank_code and payment_method_name", k)
		}
		if len(b.Prefix) < 1 || len(b.Prefix) > 8 || strings.Trim(b.Prefix, "0123456789") != "" {
			bad("virtual_account_banks[%d] %s: prefix %q must be 1 to 8 digits", k, b.BankCode, b.Prefix)
		}
		for _, o := range banks[:k] {
			if o.BankCode == b.BankCode {
				bad("virtual_account_banks: bank_code %s twice", b.BankCode)
			}
			if strings.HasPrefix(o.Prefix, b.Prefix) || strings.HasPrefix(b.Prefix, o.Prefix) {
				bad("virtual_account_banks: the prefixes of %s and %s start one another", o.BankCode, b.BankCode)
			}
		}
	}
}

// Jakarta is Asia/Jakarta (WIB, UTC+7): the zone of due dates and of the
// daily lateness.
func Jakarta() *time.Location { return wib }
