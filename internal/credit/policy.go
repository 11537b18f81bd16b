// Package credit decides submitted applications: the versioned credit
// policy, the identity and bureau ports, the assessment that applies the
// policy to an application's evidence, and the append-only decision records
// that explain each outcome step by step. The rules are pure functions of
// their inputs (table-tested); the service runs them on the store's evidence
// and the vendors' answers. It knows no HTTP, no SQL and no River.
package credit

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/julo-partnership/julo/internal/julo"
)

// Amounts in the policy are julo.Money (whole rupiah); every factor and
// rate is an integer number of basis points (10000 = 1.0, 400 = 4%), so
// that no computation on money ever uses a float.
const bpsOne = 10000

// Policy is the credit policy: a versioned JSON document, embedded by
// default (policy_default.json) and replaceable with --credit-policy FILE.
// Every decision records the version it was taken under.
type Policy struct {
	Version string `json:"version"`
	// Source says where the numbers come from, with dates.
	Source        string        `json:"source"`
	Product       Product       `json:"product"`
	Age           AgeRule       `json:"age"`
	Bureau        BureauRule    `json:"bureau"`
	Affordability Affordability `json:"affordability"`
	Scorecard     Scorecard     `json:"scorecard"`
	Limit         LimitRule     `json:"limit"`
	// ManualReviewAbove: a set limit above this goes to manual review.
	ManualReviewAbove julo.Money     `json:"manual_review_above"`
	Assessment        AssessmentRule `json:"assessment"`
	// OfferValidDays: an offer not accepted within this many days expires
	// (read by the activation part).
	OfferValidDays int `json:"offer_valid_days"`
	// ReviewRequestDays: for this many days (of 24 hours) after an
	// automatic rejection the customer may object to it (UU PDP; read by
	// the activation part). A policy document without the key gets
	// DefaultReviewRequestDays, so that documents written before it was a
	// setting stay valid.
	ReviewRequestDays int `json:"review_request_days"`
	// Lending is the loan rules' section (offers, tenor choice, due dates
	// and the regulator's dated caps), kept raw here and decoded strictly,
	// with its own validation, by lending.ParseTerms (package lending reads
	// credit, not the other way round). A document without it still parses
	// as a credit policy, but ParseTerms refuses it; the embedded default
	// has one.
	Lending json.RawMessage `json:"lending"`
}

// DefaultReviewRequestDays is the review window of a policy document that
// does not set review_request_days: 14 days (issue 12 item 8).
const DefaultReviewRequestDays = 14

// Product is the credit product the limit is offered for.
type Product struct {
	MonthlyInterestBPS int64      `json:"monthly_interest_bps"`
	ProvisionFeeBPS    int64      `json:"provision_fee_bps"`
	MinLoan            julo.Money `json:"min_loan"`
	MaxLimit           julo.Money `json:"max_limit"`
	MinTenorMonths     int64      `json:"min_tenor_months"`
	MaxTenorMonths     int64      `json:"max_tenor_months"`
}

// AgeRule: the customer's age in full years on the decision day (from the
// NIK's birth date) must be within [MinYears, MaxYears].
type AgeRule struct {
	MinYears int `json:"min_years"`
	MaxYears int `json:"max_years"`
}

// BureauRule: a worst days-past-due in the last 12 months of at least
// DelinquentDPDDays, or active loans at more than MaxOtherLenders other
// lenders, reject.
type BureauRule struct {
	DelinquentDPDDays int `json:"delinquent_dpd_days"`
	MaxOtherLenders   int `json:"max_other_lenders"`
}

// TenureFactor applies to a job held at most UpToMonths months.
type TenureFactor struct {
	UpToMonths int   `json:"up_to_months"`
	FactorBPS  int64 `json:"factor_bps"`
}

// Affordability is the monthly amount the customer can afford to repay.
type Affordability struct {
	// TenureFactors in increasing UpToMonths; a job held longer than the
	// last (or with no start date: the first) gets LongerTenureFactorBPS.
	TenureFactors         []TenureFactor   `json:"tenure_factors"`
	LongerTenureFactorBPS int64            `json:"longer_tenure_factor_bps"`
	JobFactorsBPS         map[string]int64 `json:"job_factors_bps"`
	OtherJobFactorBPS     int64            `json:"other_job_factor_bps"`
	CostPerPerson         julo.Money       `json:"cost_per_person"`
	MaxShareBPS           int64            `json:"max_share_bps"`
	Minimum               julo.Money       `json:"minimum"`
}

// Scorecard is a list of named lines, each worth up to its weight; the
// weights sum to 100.
type Scorecard struct {
	Lines     []ScoreLine `json:"lines"`
	GradeAMin int64       `json:"grade_a_min"`
	GradeBMin int64       `json:"grade_b_min"`
}

// ScoreLine is one line of the scorecard. A categorical line (Values) gives
// the share of its weight by the input's value, OtherBPS for a value not
// listed; a numeric line (Bands, in increasing UpTo) gives the share of the
// first band whose UpTo the value does not exceed, OtherBPS above the last.
// MissingBPS is the share when the input is absent (no job start date).
type ScoreLine struct {
	Name       string           `json:"name"`
	Weight     int64            `json:"weight"`
	Values     map[string]int64 `json:"values,omitempty"`
	Bands      []ScoreBand      `json:"bands,omitempty"`
	OtherBPS   int64            `json:"other_bps"`
	MissingBPS int64            `json:"missing_bps"`
}

// ScoreBand is one band of a numeric line.
type ScoreBand struct {
	UpTo     int64 `json:"up_to"`
	ShareBPS int64 `json:"share_bps"`
}

// LimitRule turns the simple limit into the offer.
type LimitRule struct {
	GradeFactorsBPS map[string]int64 `json:"grade_factors_bps"`
	Step            julo.Money       `json:"step"`
	LargeStep       julo.Money       `json:"large_step"`
	LargeAbove      julo.Money       `json:"large_above"`
}

// AssessmentRule: a vendor (identity, bureau) that is unavailable is tried
// VendorAttempts times, VendorRetrySeconds apart, before the application
// goes to manual review.
type AssessmentRule struct {
	VendorAttempts     int `json:"vendor_attempts"`
	VendorRetrySeconds int `json:"vendor_retry_seconds"`
}

// The scorecard's inputs; a line names one of them.
const (
	FeatureBPJSVerified    = "bpjs_verified"
	FeatureBankVerified    = "bank_verified"
	FeatureJobType         = "job_type"
	FeatureJobTenure       = "job_tenure_months"
	FeatureResidenceTenure = "residence_tenure_months"
	FeatureEducation       = "education"
	FeatureDependents      = "dependents"
	FeatureDebtToIncomeBPS = "debt_to_income_bps"
	gradeA, gradeB, gradeC = "A", "B", "C"
	maxPolicyAmount        = julo.Money(1_000_000_000_000) // 1 trillion rupiah: far above any limit
	maxScore               = 100
	maxTenorMonthsAllowed  = 120
	maxVendorAttempts      = 20
	maxVendorRetrySeconds  = 86400
	maxOfferValidDays      = 365
	maxReviewRequestDays   = 365
	maxPolicyVersionLength = 100
)

var categorical = map[string]bool{FeatureBPJSVerified: true, FeatureBankVerified: true, FeatureJobType: true, FeatureEducation: true}

var numeric = map[string]bool{FeatureJobTenure: true, FeatureResidenceTenure: true, FeatureDependents: true, FeatureDebtToIncomeBPS: true}

//go:embed policy_default.json
var defaultPolicy []byte

// DefaultPolicy returns the embedded policy (TestDefaultPolicyIsValid holds
// that it parses).
func DefaultPolicy() Policy {
	p, err := ParsePolicy(defaultPolicy)
	if err != nil {
		panic("credit: the embedded policy is invalid: " + err.Error())
	}
	return p
}

// LoadPolicy reads a policy file; "" is the embedded default.
func LoadPolicy(path string) (Policy, error) {
	if path == "" {
		return DefaultPolicy(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, fmt.Errorf("credit policy: %w", err)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return Policy{}, fmt.Errorf("credit policy %s: %w", path, err)
	}
	return p, nil
}

// ParsePolicy decodes a policy strictly (an unknown key is an error, so a
// misspelt setting never silently keeps its zero) and checks it.
func ParsePolicy(b []byte) (Policy, error) {
	p := Policy{ReviewRequestDays: DefaultReviewRequestDays} // a key left out keeps it
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("not a valid policy document: %w", err)
	}
	if dec.More() {
		return Policy{}, errors.New("not a valid policy document: data after the object")
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Validate checks every number of the policy against what the computation
// needs; it names every problem found.
func (p Policy) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	amount := func(name string, m julo.Money, min julo.Money) {
		if m < min || m > maxPolicyAmount {
			bad("%s %d: use %d to %d", name, m, min, maxPolicyAmount)
		}
	}
	share := func(name string, v int64) {
		if v < 0 || v > bpsOne {
			bad("%s %d: use 0 to %d basis points", name, v, bpsOne)
		}
	}
	if strings.TrimSpace(p.Version) == "" || len(p.Version) > maxPolicyVersionLength {
		bad("version: give 1 to %d characters", maxPolicyVersionLength)
	}
	pr := p.Product
	if pr.MonthlyInterestBPS < 0 || pr.MonthlyInterestBPS > bpsOne {
		bad("product.monthly_interest_bps %d: use 0 to %d", pr.MonthlyInterestBPS, bpsOne)
	}
	share("product.provision_fee_bps", pr.ProvisionFeeBPS)
	amount("product.min_loan", pr.MinLoan, 1)
	amount("product.max_limit", pr.MaxLimit, pr.MinLoan)
	if pr.MinTenorMonths < 1 || pr.MaxTenorMonths < pr.MinTenorMonths || pr.MaxTenorMonths > maxTenorMonthsAllowed {
		bad("product tenors %d-%d months: use 1 <= min <= max <= %d", pr.MinTenorMonths, pr.MaxTenorMonths, maxTenorMonthsAllowed)
	}
	if p.Age.MinYears < 17 || p.Age.MaxYears < p.Age.MinYears || p.Age.MaxYears > 99 {
		bad("age %d-%d: use 17 <= min_years <= max_years <= 99", p.Age.MinYears, p.Age.MaxYears)
	}
	if p.Bureau.DelinquentDPDDays < 1 || p.Bureau.MaxOtherLenders < 0 {
		bad("bureau: delinquent_dpd_days must be at least 1 and max_other_lenders at least 0")
	}
	a := p.Affordability
	if len(a.TenureFactors) == 0 {
		bad("affordability.tenure_factors: give at least one")
	}
	for i, f := range a.TenureFactors {
		share(fmt.Sprintf("affordability.tenure_factors[%d].factor_bps", i), f.FactorBPS)
		if f.UpToMonths < 0 || i > 0 && f.UpToMonths <= a.TenureFactors[i-1].UpToMonths {
			bad("affordability.tenure_factors[%d].up_to_months %d: increasing, from 0", i, f.UpToMonths)
		}
	}
	share("affordability.longer_tenure_factor_bps", a.LongerTenureFactorBPS)
	for job, f := range a.JobFactorsBPS {
		share("affordability.job_factors_bps["+job+"]", f)
	}
	share("affordability.other_job_factor_bps", a.OtherJobFactorBPS)
	amount("affordability.cost_per_person", a.CostPerPerson, 0)
	share("affordability.max_share_bps", a.MaxShareBPS)
	amount("affordability.minimum", a.Minimum, 1)
	p.validateScorecard(bad, share)
	l := p.Limit
	for _, g := range []string{gradeA, gradeB} {
		f, ok := l.GradeFactorsBPS[g]
		if !ok {
			bad("limit.grade_factors_bps: grade %s has no factor", g)
		}
		share("limit.grade_factors_bps["+g+"]", f)
	}
	for g := range l.GradeFactorsBPS {
		if g != gradeA && g != gradeB {
			bad("limit.grade_factors_bps: %q is not a grade that gets a limit (A, B)", g)
		}
	}
	amount("limit.step", l.Step, 1)
	amount("limit.large_step", l.LargeStep, 1)
	amount("limit.large_above", l.LargeAbove, 0)
	amount("manual_review_above", p.ManualReviewAbove, 0)
	if n := p.Assessment.VendorAttempts; n < 1 || n > maxVendorAttempts {
		bad("assessment.vendor_attempts %d: use 1 to %d", n, maxVendorAttempts)
	}
	if s := p.Assessment.VendorRetrySeconds; s < 1 || s > maxVendorRetrySeconds {
		bad("assessment.vendor_retry_seconds %d: use 1 to %d", s, maxVendorRetrySeconds)
	}
	if d := p.OfferValidDays; d < 1 || d > maxOfferValidDays {
		bad("offer_valid_days %d: use 1 to %d", d, maxOfferValidDays)
	}
	if d := p.ReviewRequestDays; d < 1 || d > maxReviewRequestDays {
		bad("review_request_days %d: use 1 to %d", d, maxReviewRequestDays)
	}
	return errors.Join(errs...)
}

func (p Policy) validateScorecard(bad func(string, ...any), share func(string, int64)) {
	s := p.Scorecard
	var total int64
	seen := map[string]bool{}
	for i, l := range s.Lines {
		at := fmt.Sprintf("scorecard.lines[%d] (%s)", i, l.Name)
		switch {
		case seen[l.Name]:
			bad("%s: a second line of the same name", at)
		case !categorical[l.Name] && !numeric[l.Name]:
			bad("%s: unknown input; use one of %s", at, strings.Join(features(), ", "))
		case categorical[l.Name] && (len(l.Values) == 0 || len(l.Bands) > 0):
			bad("%s: a categorical line takes values, not bands", at)
		case numeric[l.Name] && (len(l.Bands) == 0 || len(l.Values) > 0):
			bad("%s: a numeric line takes bands, not values", at)
		}
		seen[l.Name] = true
		if l.Weight < 0 || l.Weight > maxScore {
			bad("%s: weight %d, use 0 to %d", at, l.Weight, maxScore)
		}
		total += l.Weight
		for v, b := range l.Values {
			share(at+".values["+v+"]", b)
		}
		for j, b := range l.Bands {
			share(fmt.Sprintf("%s.bands[%d].share_bps", at, j), b.ShareBPS)
			if j > 0 && b.UpTo <= l.Bands[j-1].UpTo {
				bad("%s.bands: up_to must increase", at)
			}
		}
		share(at+".other_bps", l.OtherBPS)
		share(at+".missing_bps", l.MissingBPS)
	}
	if total != maxScore {
		bad("scorecard: the weights sum to %d, not %d", total, maxScore)
	}
	if s.GradeBMin < 0 || s.GradeAMin <= s.GradeBMin || s.GradeAMin > maxScore {
		bad("scorecard: use 0 <= grade_b_min < grade_a_min <= %d", maxScore)
	}
}

func features() []string {
	var out []string
	for f := range categorical {
		out = append(out, f)
	}
	for f := range numeric {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}
