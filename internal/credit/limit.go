package credit

import (
	"errors"
	"math/big"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// The rounding rules of the computation, each tested at its boundaries
// (limit_test.go). Every division rounds DOWN (toward zero on the
// non-negative amounts it is applied to): the customer is never offered a
// rupiah more than the formula supports.
//
//  1. adjusted income = floor(income x tenure factor x job factor)
//  2. adjusted expenses = expenses + housing + current debt
//     + cost per person x (dependents + 1)             (exact)
//  3. affordability = min(adjusted income - adjusted expenses,
//     floor(adjusted income x max share))
//  4. simple = floor(affordability x N / (1 + N x r)), N the longest tenor,
//     r the monthly interest: floor(aff x N x 10000 / (10000 + N x r_bps))
//  5. factored = floor(simple x grade factor)
//  6. a limit is rounded down to a multiple of the step (of the large step
//     when the amount is above large_above; production rounds half up),
//     then capped at the product's maximum. max_limit comes from simple,
//     set_limit from factored.

// errAmount is an amount out of the range the computation supports (a
// declared income of trillions): the assessment refuses it instead of
// overflowing.
var errAmount = errors.New("credit: amount out of range")

// mulDivFloor returns floor(a x b / c) for a, b >= 0 and c > 0, exactly.
func mulDivFloor(a, b, c int64) (int64, error) {
	if a < 0 || b < 0 || c <= 0 {
		return 0, errAmount
	}
	r := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	r.Quo(r, big.NewInt(c))
	if !r.IsInt64() || r.Int64() > int64(maxPolicyAmount)*1000 {
		return 0, errAmount
	}
	return r.Int64(), nil
}

// roundDown is rule 6 without the cap.
func (l LimitRule) roundDown(m julo.Money) (julo.Money, julo.Money) {
	if m <= 0 {
		return 0, l.Step
	}
	step := l.Step
	if m > l.LargeAbove {
		step = l.LargeStep
	}
	return m - m%step, step
}

// LimitSteps is the computation of a limit, every input and intermediate
// value written out, so that a decision record explains its limit alone.
type LimitSteps struct {
	MonthlyIncome      julo.Money `json:"monthly_income"`
	TenureFactorBPS    int64      `json:"tenure_factor_bps"`
	JobFactorBPS       int64      `json:"job_factor_bps"`
	AdjustedIncome     julo.Money `json:"adjusted_income"`
	MonthlyExpenses    julo.Money `json:"monthly_expenses"`
	MonthlyHousingCost julo.Money `json:"monthly_housing_cost"`
	TotalCurrentDebt   julo.Money `json:"total_current_debt"`
	Dependents         int64      `json:"dependents"`
	CostPerPerson      julo.Money `json:"cost_per_person"`
	AdjustedExpenses   julo.Money `json:"adjusted_expenses"`
	MaxShareBPS        int64      `json:"max_share_bps"`
	Disposable         julo.Money `json:"disposable"`  // adjusted income - adjusted expenses
	ShareLimit         julo.Money `json:"share_limit"` // floor(adjusted income x max share)
	Affordability      julo.Money `json:"affordability"`
	MinAffordability   julo.Money `json:"min_affordability"`
	// The rest is set once affordability passes.
	TenorMonths        int64      `json:"tenor_months,omitempty"`
	MonthlyInterestBPS int64      `json:"monthly_interest_bps,omitempty"`
	Simple             julo.Money `json:"simple,omitempty"`
	Grade              string     `json:"grade,omitempty"`
	GradeFactorBPS     int64      `json:"grade_factor_bps,omitempty"`
	Factored           julo.Money `json:"factored,omitempty"`
	MaxStep            julo.Money `json:"max_step,omitempty"`
	SetStep            julo.Money `json:"set_step,omitempty"`
	ProductMaxLimit    julo.Money `json:"product_max_limit,omitempty"`
	MaxLimit           julo.Money `json:"max_limit"`
	SetLimit           julo.Money `json:"set_limit"`
}

// Declared is what the customer declared in the complete-data step that
// the policy reads (none of it personal data: amounts, categories, dates
// of a job and a residence).
type Declared struct {
	MonthlyIncome      julo.Money
	MonthlyExpenses    julo.Money
	MonthlyHousingCost julo.Money
	TotalCurrentDebt   julo.Money
	Dependents         int64
	JobType            string
	JobStart           string // YYYY-MM-DD; "" when none was given (not working)
	OccupiedSince      string // YYYY-MM-DD; "" when none was given
	LastEducation      string
}

// heldAtMost reports whether something started on since (YYYY-MM-DD) has
// lasted at most months months on day: day <= since + months (calendar
// months, Go's AddDate: 31 August + 6 months is 3 March; dates in UTC). A date that does
// not parse counts as not held at all (true).
func heldAtMost(since string, day time.Time, months int64) bool {
	t, err := time.Parse(time.DateOnly, since)
	if err != nil {
		return true
	}
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC) // the date, not the hour
	return !day.After(t.AddDate(0, int(months), 0))
}

// tenureFactor is the affordability's factor for the job's tenure: the
// first band the job is held at most; no start date: the first band.
func (a Affordability) tenureFactor(jobStart string, day time.Time) int64 {
	for _, f := range a.TenureFactors {
		if jobStart == "" || heldAtMost(jobStart, day, int64(f.UpToMonths)) {
			return f.FactorBPS
		}
	}
	return a.LongerTenureFactorBPS
}

func (a Affordability) jobFactor(jobType string) int64 {
	if f, ok := a.JobFactorsBPS[jobType]; ok {
		return f
	}
	return a.OtherJobFactorBPS
}

// affordability computes rules 1-3 into s.
func (p Policy) affordability(d Declared, day time.Time) (LimitSteps, error) {
	a := p.Affordability
	s := LimitSteps{MonthlyIncome: d.MonthlyIncome, TenureFactorBPS: a.tenureFactor(d.JobStart, day), JobFactorBPS: a.jobFactor(d.JobType),
		MonthlyExpenses: d.MonthlyExpenses, MonthlyHousingCost: d.MonthlyHousingCost, TotalCurrentDebt: d.TotalCurrentDebt,
		Dependents: d.Dependents, CostPerPerson: a.CostPerPerson, MaxShareBPS: a.MaxShareBPS, MinAffordability: a.Minimum}
	adj, err := mulDivFloor(int64(d.MonthlyIncome), s.TenureFactorBPS*s.JobFactorBPS, bpsOne*bpsOne)
	if err != nil {
		return s, err
	}
	s.AdjustedIncome = julo.Money(adj)
	people, err := mulDivFloor(int64(a.CostPerPerson), d.Dependents+1, 1)
	if err != nil {
		return s, err
	}
	exp := julo.Money(people)
	for _, m := range []julo.Money{d.MonthlyExpenses, d.MonthlyHousingCost, d.TotalCurrentDebt} {
		if m < 0 {
			return s, errAmount
		}
		if exp, err = exp.Add(m); err != nil {
			return s, errAmount
		}
	}
	s.AdjustedExpenses = exp
	s.Disposable = s.AdjustedIncome - s.AdjustedExpenses
	share, err := mulDivFloor(int64(s.AdjustedIncome), a.MaxShareBPS, bpsOne)
	if err != nil {
		return s, err
	}
	s.ShareLimit = julo.Money(share)
	s.Affordability = min(s.Disposable, s.ShareLimit)
	return s, nil
}

// limits computes rules 4-6 into s for the grade.
func (p Policy) limits(s *LimitSteps, grade string) error {
	pr := p.Product
	s.TenorMonths, s.MonthlyInterestBPS, s.ProductMaxLimit = pr.MaxTenorMonths, pr.MonthlyInterestBPS, pr.MaxLimit
	simple, err := mulDivFloor(int64(s.Affordability), s.TenorMonths*bpsOne, bpsOne+s.TenorMonths*s.MonthlyInterestBPS)
	if err != nil {
		return err
	}
	s.Simple = julo.Money(simple)
	s.Grade, s.GradeFactorBPS = grade, p.Limit.GradeFactorsBPS[grade]
	factored, err := mulDivFloor(simple, s.GradeFactorBPS, bpsOne)
	if err != nil {
		return err
	}
	s.Factored = julo.Money(factored)
	var m julo.Money
	m, s.MaxStep = p.Limit.roundDown(s.Simple)
	s.MaxLimit = min(m, pr.MaxLimit)
	m, s.SetStep = p.Limit.roundDown(s.Factored)
	s.SetLimit = min(m, pr.MaxLimit)
	return nil
}
