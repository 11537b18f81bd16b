package credit

import (
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Outcome is what a decision decided.
type Outcome string

// The outcomes and the status each moves the application to.
const (
	OutcomeApproved     Outcome = "approved"            // 130 LIMIT_GENERATED
	OutcomeRejected     Outcome = "rejected"            // 135 APPLICATION_REJECTED
	OutcomeFraud        Outcome = "fraud"               // 133 APPLICATION_FRAUD
	OutcomeManualReview Outcome = "manual_review"       // 125 MANUAL_REVIEW
	OutcomeDocuments    Outcome = "documents_requested" // stays at 105
)

// Reason codes of decisions (also the status history's reasons).
const (
	ReasonIdentityMismatch     = "identity_mismatch"
	ReasonBureauDelinquent     = "bureau_delinquent"
	ReasonTooManyLenders       = "too_many_lenders"
	ReasonManualReview         = "manual_review_required"
	ReasonDocumentsRequired    = "documents_required"
	ReasonBureauUnavailable    = "bureau_unavailable"
	ReasonIdentityUnavailable  = "identity_unavailable"
	ReasonAge                  = "age"
	ReasonAffordability        = "affordability"
	ReasonLowScore             = "low_score"
	ReasonAboveReviewThreshold = "limit_above_review_threshold"
	ReasonDocumentsReview      = "documents_review"
	ReasonLimitGenerated       = "limit_generated"
	ReasonOperatorApproved     = "operator_approved"
)

// Status is the application status the outcome moves to (at is the status
// the application is at, which a documents request keeps).
func (o Outcome) Status(at julo.AppStatus) julo.AppStatus {
	switch o {
	case OutcomeApproved:
		return julo.AppLimitGenerated
	case OutcomeRejected:
		return julo.AppRejected
	case OutcomeFraud:
		return julo.AppFraud
	case OutcomeManualReview:
		return julo.AppManualReview
	}
	return at
}

// IdentityMatch is the population registry's answer on NIK, name and birth
// date.
type IdentityMatch string

// The identity answers.
const (
	IdentityMatched  IdentityMatch = "matched"  // all three match
	IdentityMismatch IdentityMatch = "mismatch" // the NIK exists with another name or birth date, or not at all
	IdentityPartial  IdentityMatch = "partial"  // a near match (a spelling of the name): a person should look
)

// BureauReport is the credit bureau's view of the customer at other
// lenders.
type BureauReport struct {
	// NoRecord: the bureau knows no credit history of the NIK.
	NoRecord bool `json:"no_record"`
	// ActiveLenders is how many other lenders the customer has active
	// loans at; WorstDPD12M the worst days past due in the last 12 months.
	ActiveLenders int `json:"active_lenders"`
	WorstDPD12M   int `json:"worst_dpd_12m"`
}

// Documents the customer may provide when documents are requested.
const (
	DocPaystub       = "paystub"        // an image of type paystub
	DocBankStatement = "bank_statement" // an image of type bank_statement
	DocBank          = "bank"           // a verified bank-data import
	DocBPJS          = "bpjs"           // a verified BPJS login
)

// DocumentKinds lists the documents in the order the status shows them,
// each with production's DOCUMENT_TYPE.
var DocumentKinds = []struct{ Name, Kind string }{
	{DocPaystub, "IMAGE"}, {DocBankStatement, "IMAGE"}, {DocBank, "BANK_SCRAPE"}, {DocBPJS, "BPJS"},
}

// Facts are an assessment's inputs: the declared data and what was
// verified, and the vendors' answers. None of it is personal data (the NIK,
// name and birth date go to the identity check only; the age is kept).
type Facts struct {
	Declared      Declared
	AgeYears      int // on the decision day, from the NIK's birth date
	PhoneVerified bool
	BPJSVerified  bool
	BankVerified  bool
	// Documents are the documents in (Doc*), images and verifications alike.
	Documents []string
	Identity  IdentityMatch
	Bureau    BureauReport
	// AtDocumentsSubmitted: the application is at 120 (documents are in
	// after a request), so documents can no longer be requested.
	AtDocumentsSubmitted bool
	Day                  time.Time
}

// Input is one recorded input of a decision and where it came from.
type Input struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Sources of inputs.
const (
	SourceDeclared  = "declared"
	SourceBPJS      = "verified_bpjs"
	SourceBank      = "verified_bank_data"
	SourceOTP       = "verified_otp"
	SourceImages    = "images"
	SourceIdentity  = "identity"
	SourceBureau    = "bureau"
	SourceNIK       = "nik"
	SourceOperator  = "operator"
	DecidedByEngine = "engine"
)

// Check is one knock-out rule and its result.
type Check struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Rule   string `json:"rule"`
	Passed bool   `json:"passed"`
}

// ScoreLineResult is one line of the scorecard as applied.
type ScoreLineResult struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Weight   int64  `json:"weight"`
	ShareBPS int64  `json:"share_bps"`
	Points   int64  `json:"points"`
}

// ScoreResult is the scorecard as applied: its lines, the total and the
// grade.
type ScoreResult struct {
	Lines     []ScoreLineResult `json:"lines"`
	Total     int64             `json:"total"`
	GradeAMin int64             `json:"grade_a_min"`
	GradeBMin int64             `json:"grade_b_min"`
	Grade     string            `json:"grade"`
}

// Decision is one decision record: append-only, it explains the outcome
// by every input, check and step.
type Decision struct {
	PolicyVersion string          `json:"policy_version"`
	Round         int             `json:"round"`
	Outcome       Outcome         `json:"outcome"`
	FromStatus    julo.AppStatus  `json:"from_status"`
	ToStatus      julo.AppStatus  `json:"to_status"`
	ReasonCodes   []string        `json:"reason_codes"`
	Inputs        []Input         `json:"inputs"`
	Knockouts     []Check         `json:"knockouts"`
	Scorecard     *ScoreResult    `json:"scorecard,omitempty"`
	Limit         *LimitSteps     `json:"limit,omitempty"`
	Offer         *Offer          `json:"offer,omitempty"`
	DecidedBy     string          `json:"decided_by"` // DecidedByEngine or "operator:NAME"
	Operator      *OperatorReason `json:"operator,omitempty"`
	DecidedAt     time.Time       `json:"decided_at"`
}

// Offer is the limit a decision offers (approved decisions only).
type Offer struct {
	MaxLimit julo.Money `json:"max_limit"`
	SetLimit julo.Money `json:"set_limit"`
}

// OperatorReason is an operator's decision's who and why.
type OperatorReason struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func yesNo(b bool) string { return strconv.FormatBool(b) }

func money(m julo.Money) string { return strconv.FormatInt(int64(m), 10) }

// inputs lists the facts as the record shows them.
func (f Facts) inputs() []Input {
	d := f.Declared
	docs := ""
	for i, doc := range f.Documents {
		if i > 0 {
			docs += ","
		}
		docs += doc
	}
	in := []Input{
		{"monthly_income", money(d.MonthlyIncome), SourceDeclared},
		{"monthly_expenses", money(d.MonthlyExpenses), SourceDeclared},
		{"monthly_housing_cost", money(d.MonthlyHousingCost), SourceDeclared},
		{"total_current_debt", money(d.TotalCurrentDebt), SourceDeclared},
		{"dependents", strconv.FormatInt(d.Dependents, 10), SourceDeclared},
		{"job_type", d.JobType, SourceDeclared},
		{"job_start", d.JobStart, SourceDeclared},
		{"occupied_since", d.OccupiedSince, SourceDeclared},
		{"last_education", d.LastEducation, SourceDeclared},
		{"age_years", strconv.Itoa(f.AgeYears), SourceNIK},
		{"phone_verified", yesNo(f.PhoneVerified), SourceOTP},
		{"bpjs_verified", yesNo(f.BPJSVerified), SourceBPJS},
		{"bank_verified", yesNo(f.BankVerified), SourceBank},
		{"documents", docs, SourceImages},
		{"identity", string(f.Identity), SourceIdentity},
	}
	if f.Identity == IdentityMatched {
		in = append(in,
			Input{"bureau_no_record", yesNo(f.Bureau.NoRecord), SourceBureau},
			Input{"bureau_active_lenders", strconv.Itoa(f.Bureau.ActiveLenders), SourceBureau},
			Input{"bureau_worst_dpd_12m", strconv.Itoa(f.Bureau.WorstDPD12M), SourceBureau})
	}
	return append(in, Input{"decision_day", f.Day.UTC().Format(time.DateOnly), DecidedByEngine})
}

// Assess applies the policy to the facts: the knock-outs in order
// (identity, age, bureau), affordability, the scorecard, the limit and the
// review threshold. It never fails: an amount out of the computation's range
// goes to manual review. The caller sets Round, FromStatus and DecidedAt.
func (p Policy) Assess(f Facts, at julo.AppStatus) Decision {
	d := Decision{PolicyVersion: p.Version, Inputs: f.inputs(), Knockouts: []Check{}, DecidedBy: DecidedByEngine, FromStatus: at}
	end := func(o Outcome, reasons ...string) Decision {
		d.Outcome, d.ReasonCodes, d.ToStatus = o, reasons, o.Status(at)
		return d
	}
	check := func(name, value, rule string, passed bool) bool {
		d.Knockouts = append(d.Knockouts, Check{name, value, rule, passed})
		return passed
	}
	switch f.Identity {
	case IdentityMismatch:
		check("identity", string(f.Identity), "NIK, name and birth date match the population registry", false)
		return end(OutcomeFraud, ReasonIdentityMismatch)
	case IdentityPartial:
		check("identity", string(f.Identity), "NIK, name and birth date match the population registry", false)
		return end(OutcomeManualReview, ReasonManualReview)
	}
	check("identity", string(f.Identity), "NIK, name and birth date match the population registry", true)
	if !check("age", strconv.Itoa(f.AgeYears), "age in full years "+strconv.Itoa(p.Age.MinYears)+"-"+strconv.Itoa(p.Age.MaxYears),
		f.AgeYears >= p.Age.MinYears && f.AgeYears <= p.Age.MaxYears) {
		return end(OutcomeRejected, ReasonAge)
	}
	b := f.Bureau
	if !check("bureau_dpd", strconv.Itoa(b.WorstDPD12M), "worst days past due in 12 months below "+strconv.Itoa(p.Bureau.DelinquentDPDDays),
		b.WorstDPD12M < p.Bureau.DelinquentDPDDays) {
		return end(OutcomeRejected, ReasonBureauDelinquent)
	}
	if !check("bureau_lenders", strconv.Itoa(b.ActiveLenders), "active loans at no more than "+strconv.Itoa(p.Bureau.MaxOtherLenders)+" other lenders",
		b.ActiveLenders <= p.Bureau.MaxOtherLenders) {
		return end(OutcomeRejected, ReasonTooManyLenders)
	}
	if b.NoRecord && len(f.Documents) == 0 {
		check("bureau_record", "none", "a credit history, or a document", false)
		if f.AtDocumentsSubmitted {
			return end(OutcomeManualReview, ReasonDocumentsReview)
		}
		return end(OutcomeDocuments, ReasonDocumentsRequired)
	}
	steps, err := p.affordability(f.Declared, f.Day)
	d.Limit = &steps
	if err != nil {
		check("amounts", "out of range", "declared amounts within the computation's range", false)
		return end(OutcomeManualReview, ReasonManualReview)
	}
	if !check("affordability", money(steps.Affordability), "affordability at least "+money(steps.MinAffordability),
		steps.Affordability >= steps.MinAffordability) {
		return end(OutcomeRejected, ReasonAffordability)
	}
	score := p.Scorecard.apply(f)
	d.Scorecard = &score
	verified := f.BPJSVerified || f.BankVerified
	switch {
	case score.Grade == gradeC:
		return end(OutcomeRejected, ReasonLowScore)
	case score.Grade == gradeB && !verified && len(f.Documents) == 0:
		if f.AtDocumentsSubmitted {
			return end(OutcomeManualReview, ReasonDocumentsReview)
		}
		return end(OutcomeDocuments, ReasonDocumentsRequired)
	}
	if err := p.limits(&steps, score.Grade); err != nil {
		check("amounts", "out of range", "declared amounts within the computation's range", false)
		return end(OutcomeManualReview, ReasonManualReview)
	}
	if !check("minimum_limit", money(steps.SetLimit), "set limit at least the minimum loan "+money(p.Product.MinLoan),
		steps.SetLimit >= p.Product.MinLoan) {
		return end(OutcomeRejected, ReasonAffordability)
	}
	d.Offer = &Offer{MaxLimit: steps.MaxLimit, SetLimit: steps.SetLimit}
	if steps.SetLimit > p.ManualReviewAbove {
		check("review_threshold", money(steps.SetLimit), "set limit at most "+money(p.ManualReviewAbove)+" without review", false)
		return end(OutcomeManualReview, ReasonAboveReviewThreshold)
	}
	return end(OutcomeApproved, ReasonLimitGenerated)
}

// apply scores the facts. A line's points are floor(weight x share / 10000):
// a point is earned whole or not at all.
func (s Scorecard) apply(f Facts) ScoreResult {
	r := ScoreResult{Lines: []ScoreLineResult{}, GradeAMin: s.GradeAMin, GradeBMin: s.GradeBMin}
	for _, l := range s.Lines {
		value, share := l.share(f)
		pts := l.Weight * share / bpsOne
		r.Lines = append(r.Lines, ScoreLineResult{Name: l.Name, Value: value, Weight: l.Weight, ShareBPS: share, Points: pts})
		r.Total += pts
	}
	switch {
	case r.Total >= s.GradeAMin:
		r.Grade = gradeA
	case r.Total >= s.GradeBMin:
		r.Grade = gradeB
	default:
		r.Grade = gradeC
	}
	return r
}

// share is the line's input value and its share of the weight.
func (l ScoreLine) share(f Facts) (string, int64) {
	d := f.Declared
	switch l.Name {
	case FeatureBPJSVerified:
		return l.value(yesNo(f.BPJSVerified))
	case FeatureBankVerified:
		return l.value(yesNo(f.BankVerified))
	case FeatureJobType:
		return l.value(d.JobType)
	case FeatureEducation:
		return l.value(d.LastEducation)
	case FeatureJobTenure:
		return l.tenure(d.JobStart, f.Day)
	case FeatureResidenceTenure:
		return l.tenure(d.OccupiedSince, f.Day)
	case FeatureDependents:
		return l.band(d.Dependents)
	case FeatureDebtToIncomeBPS:
		if d.MonthlyIncome <= 0 {
			return "", l.MissingBPS
		}
		dti, err := mulDivFloor(int64(d.TotalCurrentDebt), bpsOne, int64(d.MonthlyIncome))
		if err != nil {
			return "out of range", l.OtherBPS
		}
		return l.band(dti)
	}
	return "", 0
}

func (l ScoreLine) value(v string) (string, int64) {
	if s, ok := l.Values[v]; ok {
		return v, s
	}
	return v, l.OtherBPS
}

// band: the first band whose up_to the value does not exceed.
func (l ScoreLine) band(v int64) (string, int64) {
	for _, b := range l.Bands {
		if v <= b.UpTo {
			return strconv.FormatInt(v, 10), b.ShareBPS
		}
	}
	return strconv.FormatInt(v, 10), l.OtherBPS
}

// tenure: the first band whose up_to months the tenure does not exceed
// (heldAtMost); the value shown is the since date.
func (l ScoreLine) tenure(since string, day time.Time) (string, int64) {
	if since == "" {
		return "", l.MissingBPS
	}
	for _, b := range l.Bands {
		if heldAtMost(since, day, b.UpTo) {
			return since, b.ShareBPS
		}
	}
	return since, l.OtherBPS
}

// AgeOn is the age in full years on day of someone born on birth.
func AgeOn(birth, day time.Time) int {
	y := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		y--
	}
	return y
}
