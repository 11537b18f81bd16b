package credit

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

var decisionDay = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// workedExample is the example: income 4,000,000, expenses
// 1,500,000, housing 500,000, no debt, no dependents, Pegawai swasta for
// two years, with a matched identity and a clean bureau.
func workedExample() Facts {
	return Facts{
		Declared: Declared{MonthlyIncome: 4_000_000, MonthlyExpenses: 1_500_000, MonthlyHousingCost: 500_000, TotalCurrentDebt: 0,
			Dependents: 0, JobType: "Pegawai swasta", JobStart: "2024-11-24", OccupiedSince: "2015-01-01", LastEducation: "S1"},
		AgeYears: 36, PhoneVerified: true, Identity: IdentityMatched, Bureau: BureauReport{ActiveLenders: 1}, Day: decisionDay,
	}
}

func TestDefaultPolicyIsValid(t *testing.T) {
	p := DefaultPolicy()
	if p.Version == "" || p.Product.MaxLimit != 15_000_000 || p.Product.MonthlyInterestBPS != 400 || p.ManualReviewAbove != 10_000_000 {
		t.Fatalf("default policy: %+v", p)
	}
}

// TestWorkedExample follows the example step by step:
//
//	adjusted income   = 4,000,000 x 1.0 (2 years: longer than 12 months) x 1.0 (Pegawai swasta) = 4,000,000
//	adjusted expenses = 1,500,000 + 500,000 + 0 + 150,000 x (0 + 1)                            = 2,150,000
//	affordability     = min(4,000,000 - 2,150,000, 30% x 4,000,000) = min(1,850,000, 1,200,000) = 1,200,000
//	simple            = 1,200,000 x 12 / (1 + 12 x 0.04) = 14,400,000 / 1.48 = 9,729,729.7...    -> 9,729,729
//	max_limit         = 9,729,729 down to a multiple of 1,000,000 (above 5,000,000)              = 9,000,000
//	score             = 0 + 0 + 15 + 12 (24 months: the <=24 band) + 10 + 10 + 10 + 10 = 67    -> A (>= 60)
//	set_limit         = 9,729,729 x 1.0 = 9,729,729 -> 9,000,000; at most 10,000,000: approved without review
func TestWorkedExample(t *testing.T) {
	d := DefaultPolicy().Assess(workedExample(), julo.AppFormSubmitted)
	s := d.Limit
	if s == nil {
		t.Fatalf("no limit steps: %+v", d)
	}
	for _, c := range []struct {
		name      string
		got, want julo.Money
	}{
		{"tenure factor", julo.Money(s.TenureFactorBPS), 10000}, {"job factor", julo.Money(s.JobFactorBPS), 10000},
		{"adjusted income", s.AdjustedIncome, 4_000_000}, {"adjusted expenses", s.AdjustedExpenses, 2_150_000},
		{"disposable", s.Disposable, 1_850_000}, {"share limit", s.ShareLimit, 1_200_000},
		{"affordability", s.Affordability, 1_200_000}, {"simple", s.Simple, 9_729_729},
		{"factored", s.Factored, 9_729_729}, {"max_limit", s.MaxLimit, 9_000_000}, {"set_limit", s.SetLimit, 9_000_000},
		{"score", julo.Money(d.Scorecard.Total), 67},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if d.Outcome != OutcomeApproved || d.ToStatus != julo.AppLimitGenerated || d.Scorecard.Grade != "A" ||
		!slices.Equal(d.ReasonCodes, []string{ReasonLimitGenerated}) || *d.Offer != (Offer{9_000_000, 9_000_000}) {
		t.Fatalf("decision: %+v", d)
	}
}

// TestGradeBFactor: the same customer, graded B by the policy's
// thresholds, with verified bank data: 9,729,729 x 0.9 = 8,756,756.1 ->
// 8,756,756 -> 8,000,000; max_limit stays 9,000,000.
func TestGradeBFactor(t *testing.T) {
	p := DefaultPolicy()
	p.Scorecard.GradeAMin = 90
	f := workedExample()
	f.BankVerified = true
	d := p.Assess(f, julo.AppFormSubmitted)
	if d.Outcome != OutcomeApproved || d.Scorecard.Grade != "B" || d.Limit.Factored != 8_756_756 || *d.Offer != (Offer{9_000_000, 8_000_000}) {
		t.Fatalf("decision: %+v, limit %+v", d, d.Limit)
	}
}

func TestRoundDownBoundaries(t *testing.T) {
	l := DefaultPolicy().Limit
	for _, c := range []struct{ in, want, step julo.Money }{
		{0, 0, 500_000},
		{499_999, 0, 500_000},
		{500_000, 500_000, 500_000},
		{999_999, 500_000, 500_000},
		{4_999_999, 4_500_000, 500_000},
		{5_000_000, 5_000_000, 500_000}, // not above 5,000,000: the small step
		{5_000_001, 5_000_000, 1_000_000},
		{5_999_999, 5_000_000, 1_000_000},
		{6_000_000, 6_000_000, 1_000_000},
		{9_729_729, 9_000_000, 1_000_000},
		{15_999_999, 15_000_000, 1_000_000},
	} {
		if got, step := l.roundDown(c.in); got != c.want || step != c.step {
			t.Errorf("roundDown(%d) = %d step %d, want %d step %d", c.in, got, step, c.want, c.step)
		}
	}
}

// TestFloorRules: every division rounds down, at the rupiah.
func TestFloorRules(t *testing.T) {
	for _, c := range []struct {
		a, b, c, want int64
	}{
		{1_200_000, 120000, 14800, 9_729_729}, // simple: x.73 down
		{1_000_000, 3, 10, 300_000},           // exact
		{1_000_001, 3000, 10000, 300_000},     // 300,000.3 down
		{3_333_333, 3000, 10000, 999_999},     // 999,999.9 down, never half up
		{1, 9999, 10000, 0},                   // 0.9999 down
	} {
		if got, err := mulDivFloor(c.a, c.b, c.c); err != nil || got != c.want {
			t.Errorf("floor(%d x %d / %d) = %d, %v; want %d", c.a, c.b, c.c, got, err, c.want)
		}
	}
	if _, err := mulDivFloor(1<<62, 1<<62, 1); err == nil {
		t.Error("an overflowing product was accepted")
	}
	// Adjusted income: 3,333,333 x 0.9 x 0.9 = 2,699,999.73 -> 2,699,999.
	p := DefaultPolicy()
	p.Affordability.JobFactorsBPS = map[string]int64{"Pengusaha": 9000}
	f := workedExample().Declared
	f.MonthlyIncome, f.JobType, f.JobStart = 3_333_333, "Pengusaha", "2026-01-24"
	s, err := p.affordability(f, decisionDay)
	if err != nil || s.TenureFactorBPS != 9000 || s.AdjustedIncome != 2_699_999 || s.ShareLimit != 809_999 {
		t.Fatalf("steps %+v, %v", s, err)
	}
}

// TestTenureFactorBoundaries: held at most 6 months (day <= start + 6
// months) 0.8, at most 12 months 0.9, longer 1.0; no start date 0.8.
func TestTenureFactorBoundaries(t *testing.T) {
	a := DefaultPolicy().Affordability
	for _, c := range []struct {
		start string
		want  int64
	}{
		{"2026-11-24", 8000}, {"2026-05-24", 8000}, {"2026-05-23", 9000},
		{"2025-11-24", 9000}, {"2025-11-23", 10000}, {"2010-07-01", 10000}, {"", 8000},
	} {
		if got := a.tenureFactor(c.start, decisionDay); got != c.want {
			t.Errorf("job since %q: factor %d, want %d", c.start, got, c.want)
		}
	}
	for job, want := range map[string]int64{"Pegawai negeri": 10000, "Pegawai swasta": 10000, "Pengusaha": 9000, "Freelance": 8000, "Mahasiswa": 8000} {
		if got := a.jobFactor(job); got != want {
			t.Errorf("job %s: factor %d, want %d", job, got, want)
		}
	}
}

func TestAgeOn(t *testing.T) {
	birth := time.Date(2005, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		day  time.Time
		want int
	}{
		{time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC), 20},
		{time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), 21},
	} {
		if got := AgeOn(birth, c.day); got != c.want {
			t.Errorf("age on %s: %d, want %d", c.day, got, c.want)
		}
	}
	leap := time.Date(2004, 2, 29, 0, 0, 0, 0, time.UTC)
	if AgeOn(leap, time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)) != 20 || AgeOn(leap, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) != 21 {
		t.Error("a leap-day birthday turns a year older on 1 March")
	}
}

// TestKnockouts: every knock-out, at its boundary, with its outcome and
// reason; the first failing rule decides.
func TestKnockouts(t *testing.T) {
	for _, c := range []struct {
		name    string
		change  func(*Facts)
		outcome Outcome
		reason  string
		status  julo.AppStatus
	}{
		{"identity mismatch", func(f *Facts) { f.Identity = IdentityMismatch }, OutcomeFraud, ReasonIdentityMismatch, julo.AppFraud},
		{"identity partial", func(f *Facts) { f.Identity = IdentityPartial }, OutcomeManualReview, ReasonManualReview, julo.AppManualReview},
		{"age 20", func(f *Facts) { f.AgeYears = 20 }, OutcomeRejected, ReasonAge, julo.AppRejected},
		{"age 21", func(f *Facts) { f.AgeYears = 21 }, OutcomeApproved, ReasonLimitGenerated, julo.AppLimitGenerated},
		{"age 60", func(f *Facts) { f.AgeYears = 60 }, OutcomeApproved, ReasonLimitGenerated, julo.AppLimitGenerated},
		{"age 61", func(f *Facts) { f.AgeYears = 61 }, OutcomeRejected, ReasonAge, julo.AppRejected},
		{"89 days past due", func(f *Facts) { f.Bureau.WorstDPD12M = 89 }, OutcomeApproved, ReasonLimitGenerated, julo.AppLimitGenerated},
		{"90 days past due", func(f *Facts) { f.Bureau.WorstDPD12M = 90 }, OutcomeRejected, ReasonBureauDelinquent, julo.AppRejected},
		{"2 other lenders", func(f *Facts) { f.Bureau.ActiveLenders = 2 }, OutcomeApproved, ReasonLimitGenerated, julo.AppLimitGenerated},
		{"3 other lenders", func(f *Facts) { f.Bureau.ActiveLenders = 3 }, OutcomeRejected, ReasonTooManyLenders, julo.AppRejected},
		{"no bureau record", func(f *Facts) { f.Bureau = BureauReport{NoRecord: true} }, OutcomeDocuments, ReasonDocumentsRequired, julo.AppFormSubmitted},
		{"no bureau record, a paystub", func(f *Facts) { f.Bureau = BureauReport{NoRecord: true}; f.Documents = []string{DocPaystub} },
			OutcomeApproved, ReasonLimitGenerated, julo.AppLimitGenerated},
		{"no bureau record at 120, nothing in", func(f *Facts) { f.Bureau = BureauReport{NoRecord: true}; f.AtDocumentsSubmitted = true },
			OutcomeManualReview, ReasonDocumentsReview, julo.AppManualReview},
		// Affordability exactly 300,000: income 1,000,000 x 0.3; disposable
		// 1,000,000 - 150,000 - 550,000 = 300,000 too.
		{"affordability 300,000", func(f *Facts) {
			f.Declared.MonthlyIncome, f.Declared.MonthlyExpenses, f.Declared.MonthlyHousingCost = 1_000_000, 550_000, 0
		},
			OutcomeApproved, ReasonLimitGenerated, julo.AppLimitGenerated},
		{"affordability 299,999", func(f *Facts) {
			f.Declared.MonthlyIncome, f.Declared.MonthlyExpenses, f.Declared.MonthlyHousingCost = 1_000_000, 550_001, 0
		}, OutcomeRejected, ReasonAffordability, julo.AppRejected},
		{"expenses above income", func(f *Facts) { f.Declared.MonthlyExpenses = 9_000_000 }, OutcomeRejected, ReasonAffordability, julo.AppRejected},
		{"grade C", func(f *Facts) {
			// 4 (other job) + 0 + 0 (no dates) + 3 (SD) + 10 + 10 = 27; affordability
			// 4,000,000 x 0.8 x 0.8 - 2,150,000 = 410,000 still passes.
			f.Declared.JobType, f.Declared.JobStart, f.Declared.OccupiedSince, f.Declared.LastEducation = "Tidak bekerja", "", "", "SD"
		}, OutcomeRejected, ReasonLowScore, julo.AppRejected},
		{"grade B unverified", func(f *Facts) { f.Declared.JobStart, f.Declared.LastEducation = "2026-10-01", "SD" }, OutcomeDocuments, ReasonDocumentsRequired, julo.AppFormSubmitted},
		{"grade B with BPJS", func(f *Facts) {
			f.Declared.JobStart, f.Declared.LastEducation, f.BPJSVerified = "2026-10-01", "SD", true
		},
			OutcomeApproved, ReasonLimitGenerated, julo.AppLimitGenerated},
		{"above the review threshold", func(f *Facts) { f.Declared.MonthlyIncome = 10_000_000 }, OutcomeManualReview, ReasonAboveReviewThreshold, julo.AppManualReview},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := workedExample()
			c.change(&f)
			d := DefaultPolicy().Assess(f, julo.AppFormSubmitted)
			if d.Outcome != c.outcome || !slices.Equal(d.ReasonCodes, []string{c.reason}) || d.ToStatus != c.status {
				t.Fatalf("outcome %s %v -> %d, want %s %s -> %d; knockouts %+v score %+v", d.Outcome, d.ReasonCodes, d.ToStatus,
					c.outcome, c.reason, c.status, d.Knockouts, d.Scorecard)
			}
			if c.outcome == OutcomeApproved && (d.Offer == nil || d.Offer.SetLimit < 300_000) {
				t.Fatalf("approved without an offer: %+v", d)
			}
		})
	}
}

// TestScorePointsRoundDown: a line's points are floor(weight x share).
func TestScorePointsRoundDown(t *testing.T) {
	s := Scorecard{Lines: []ScoreLine{{Name: FeatureEducation, Weight: 15, Values: map[string]int64{"SLTA": 6666}}}, GradeAMin: 9, GradeBMin: 8}
	f := workedExample()
	f.Declared.LastEducation = "SLTA"
	r := s.apply(f)
	if r.Lines[0].Points != 9 || r.Grade != "A" { // 15 x 0.6666 = 9.999
		t.Fatalf("score %+v", r)
	}
	s.Lines[0].Values["SLTA"] = 6000 // exactly 9
	if r := s.apply(f); r.Lines[0].Points != 9 {
		t.Fatalf("score %+v", r)
	}
	s.Lines[0].Values["SLTA"] = 5999 // 8.9985
	if r := s.apply(f); r.Lines[0].Points != 8 || r.Grade != "B" {
		t.Fatalf("score %+v", r)
	}
}

func TestParsePolicyRefusesInvalid(t *testing.T) {
	good, err := json.Marshal(DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePolicy(good); err != nil {
		t.Fatalf("the default policy, re-encoded: %v", err)
	}
	for name, c := range map[string]struct {
		edit func(*Policy)
		raw  string
		want string
	}{
		"unknown key":        {raw: `{"version": "x", "max_limt": 1}`, want: "unknown field"},
		"not json":           {raw: `{`, want: "not a valid policy"},
		"two documents":      {raw: string(good) + `{}`, want: "data after"},
		"no version":         {edit: func(p *Policy) { p.Version = " " }, want: "version"},
		"weights not 100":    {edit: func(p *Policy) { p.Scorecard.Lines[0].Weight = 16 }, want: "sum to 101"},
		"unknown feature":    {edit: func(p *Policy) { p.Scorecard.Lines[0].Name = "shoe_size" }, want: "unknown input"},
		"factor above 1":     {edit: func(p *Policy) { p.Limit.GradeFactorsBPS["A"] = 10001 }, want: "grade_factors_bps[A]"},
		"grade C factor":     {edit: func(p *Policy) { p.Limit.GradeFactorsBPS["C"] = 5000 }, want: `"C" is not a grade`},
		"no tenors":          {edit: func(p *Policy) { p.Product.MaxTenorMonths = 1 }, want: "tenors"},
		"grades reversed":    {edit: func(p *Policy) { p.Scorecard.GradeBMin = 70 }, want: "grade_b_min"},
		"zero step":          {edit: func(p *Policy) { p.Limit.Step = 0 }, want: "limit.step"},
		"bands decreasing":   {edit: func(p *Policy) { p.Scorecard.Lines[3].Bands[1].UpTo = 1 }, want: "up_to must increase"},
		"no retries":         {edit: func(p *Policy) { p.Assessment.VendorAttempts = 0 }, want: "vendor_attempts"},
		"max below min":      {edit: func(p *Policy) { p.Product.MaxLimit = 1 }, want: "product.max_limit"},
		"no review window":   {edit: func(p *Policy) { p.ReviewRequestDays = 0 }, want: "review_request_days 0"},
		"review over a year": {edit: func(p *Policy) { p.ReviewRequestDays = 366 }, want: "review_request_days 366"},
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte(c.raw)
			if c.edit != nil {
				p := DefaultPolicy()
				c.edit(&p)
				raw, _ = json.Marshal(p)
			}
			_, err := ParsePolicy(raw)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// review_request_days is a setting of the policy; a document written
// before it was one (without the key) keeps the 14 days.
func TestPolicyReviewRequestDays(t *testing.T) {
	if p := DefaultPolicy(); p.ReviewRequestDays != 14 {
		t.Fatalf("the embedded policy's review window: %d days", p.ReviewRequestDays)
	}
	raw := strings.Replace(string(defaultPolicy), `"review_request_days": 14`, `"review_request_days": 7`, 1)
	if p, err := ParsePolicy([]byte(raw)); err != nil || p.ReviewRequestDays != 7 {
		t.Fatalf("review_request_days 7: %d, %v", p.ReviewRequestDays, err)
	}
	var m map[string]any
	if err := json.Unmarshal(defaultPolicy, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "review_request_days")
	older, _ := json.Marshal(m)
	if p, err := ParsePolicy(older); err != nil || p.ReviewRequestDays != DefaultReviewRequestDays {
		t.Fatalf("a policy without review_request_days: %d, %v", p.ReviewRequestDays, err)
	}
}
