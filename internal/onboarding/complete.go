package onboarding

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/refdata"
)

// CompleteInput is the complete-customer-data request (domain §8): each
// field is nil when the request did not send it. Problems holds what the
// caller already found wrong with the request (a value of the wrong type);
// they come first in the answer, with every rule's problem after them.
type CompleteInput struct {
	Problems             julo.Problems
	Fullname             *string
	BirthPlace           *string
	DOB                  *string
	Gender               *string
	MotherMaidenName     *string
	AddressStreetNum     *string
	AddressProvinsi      *string
	AddressKabupaten     *string
	AddressKecamatan     *string
	AddressKelurahan     *string
	AddressKodepos       *string
	OccupiedSince        *string
	HomeStatus           *string
	MaritalStatus        *string
	Dependent            *int64
	MobilePhone1         *string
	MobilePhone2         *string
	SpouseName           *string
	SpouseDOB            *string
	SpouseMobilePhone    *string
	CloseKinName         *string
	CloseKinMobilePhone  *string
	KinRelationship      *string
	KinName              *string
	KinDOB               *string
	KinMobilePhone       *string
	JobType              *string
	JobIndustry          *string
	JobDescription       *string
	CompanyName          *string
	CompanyPhoneNumber   *string
	JobStart             *string
	Payday               *int64
	LastEducation        *string
	MonthlyIncome        *int64
	MonthlyExpenses      *int64
	MonthlyHousingCost   *int64
	TotalCurrentDebt     *int64
	BankName             *string
	BankAccountNumber    *string
	LoanPurpose          *string
	LoanPurposeDesc      *string
	IsVerificationAgreed *bool
	IsTermAccepted       *bool
}

// Details is the validated customer data as stored: texts trimmed, dropdown
// values and area names canonical, phones in the 08 form, dates YYYY-MM-DD.
// Optional values are nil when not given.
type Details struct {
	Fullname, BirthPlace, DOB, Gender, MotherMaidenName                                     string
	AddressStreetNum, AddressProvinsi, AddressKabupaten, AddressKecamatan, AddressKelurahan string
	AddressKodepos                                                                          string
	OccupiedSince                                                                           *string
	HomeStatus, MaritalStatus                                                               string
	Dependent                                                                               int64
	MobilePhone1                                                                            string
	MobilePhone2, SpouseName, SpouseDOB, SpouseMobilePhone, CloseKinName                    *string
	CloseKinMobilePhone                                                                     *string
	KinRelationship, KinName                                                                string
	KinDOB                                                                                  *string
	KinMobilePhone, JobType                                                                 string
	JobIndustry, JobDescription, CompanyName, CompanyPhoneNumber, JobStart                  *string
	Payday                                                                                  *int64
	LastEducation                                                                           string
	MonthlyIncome, MonthlyExpenses, MonthlyHousingCost, TotalCurrentDebt                    int64
	BankName, BankAccountNumber, LoanPurpose, LoanPurposeDesc                               string
	IsVerificationAgreed, IsTermAccepted                                                    bool
	// TermsVersion is the version of the terms the customer accepted
	// (Config.TermsVersion when the data was submitted), stored with the
	// consent and its time.
	TermsVersion string
}

// CompletedApplication is what CompleteApplication stored: the application,
// now at 105, with its customer's NIK and email, and the validated details.
type CompletedApplication struct {
	Application Application
	Details     Details
}

// CompleteStore stores the complete-data step.
type CompleteStore interface {
	// SubmitApplication stores d and moves the application from status 100 to
	// 105 in one transaction. A move the transition table forbids (the application is no longer at
	// 100) records nothing and returns refuse's error for the current status.
	SubmitApplication(ctx context.Context, applicationID int64, d Details, at time.Time, refuse func(julo.AppStatus) error) error
}

// CompleteApplication validates the customer data against every rule of
// domain §8 and the prerequisites (errata 14: KTP and selfie images, a phone
// verified by OTP), returning every problem together (EINVALID), and on
// success stores it and moves the application to 105 atomically.
func (s *Service) CompleteApplication(ctx context.Context, p julo.Partner, xid string, in CompleteInput) (CompletedApplication, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return CompletedApplication{}, err
	}
	if err := intakeOpen(app.Status); err != nil {
		return CompletedApplication{}, err
	}
	images, err := s.store.CurrentImages(ctx, app.ID)
	if err != nil {
		return CompletedApplication{}, err
	}
	verified, err := s.store.VerifiedPhones(ctx, app.ID)
	if err != nil {
		return CompletedApplication{}, err
	}
	now := s.now()
	v := &detailsCheck{ps: in.Problems, today: now.UTC().Truncate(24 * time.Hour)}
	ps := &v.ps
	for _, p := range missingPrerequisites(images, verified) {
		*ps = append(*ps, p.problem)
	}
	d := v.details(s, app, in, verified)
	d.TermsVersion = s.cfg.TermsVersion
	if d.TermsVersion == "" {
		d.TermsVersion = DefaultTermsVersion
	}
	if err := ps.Err(); err != nil {
		return CompletedApplication{}, err
	}
	if err := s.store.SubmitApplication(ctx, app.ID, d, now, intakeOpen); err != nil {
		return CompletedApplication{}, err
	}
	app.Status = julo.AppFormSubmitted
	return CompletedApplication{Application: app, Details: d}, nil
}

// prerequisite is one step of errata 14 that must be done before the
// customer data can be submitted: its name in the status's missing_steps,
// and the problem complete-data reports while it is missing.
type prerequisite struct {
	step    string
	problem julo.Problem
}

// missingPrerequisites lists the steps of errata 14 not done yet, in the
// order a partner takes them: the KTP and selfie images, a phone verified by
// OTP. It is the one statement of the rule, for complete-data's problems
// and the status's missing steps alike.
func missingPrerequisites(images []Image, verifiedPhones []string) []prerequisite {
	have := map[string]bool{}
	for _, img := range images {
		have[img.Type] = true
	}
	var out []prerequisite
	for _, p := range []struct{ imageType, step string }{{"ktp_self", StepKTPImage}, {"selfie", StepSelfieImage}} {
		if !have[p.imageType] {
			out = append(out, prerequisite{p.step, julo.Problem{Msg: i18n.PrereqImage, Args: []any{p.imageType}}})
		}
	}
	if len(verifiedPhones) == 0 {
		out = append(out, prerequisite{StepPhoneOTP, julo.Problem{Msg: i18n.PrereqOTP}})
	}
	return out
}

// detailsCheck validates the fields one by one, collecting problems.
type detailsCheck struct {
	ps    julo.Problems
	today time.Time
}

func (v *detailsCheck) details(s *Service, app Application, in CompleteInput, verified []string) Details {
	var d Details
	d.Fullname = v.name("fullname", in.Fullname, true)
	d.BirthPlace = v.text("birth_place", in.BirthPlace, true, 100)
	d.DOB = v.date("dob", in.DOB, true)
	d.Gender = v.text("gender", in.Gender, true, 10)
	if d.Gender != "" && d.Gender != GenderMale && d.Gender != GenderFemale {
		if strings.EqualFold(d.Gender, GenderMale) {
			d.Gender = GenderMale
		} else if strings.EqualFold(d.Gender, GenderFemale) {
			d.Gender = GenderFemale
		} else {
			v.ps.Add("gender", i18n.GenderValue)
			d.Gender = ""
		}
	}
	// The century of the NIK's birth date as it was at registration: a
	// "today" that moved on could put it in another century.
	if nik, p := ParseNIK(app.NIK, app.CreatedAt, nil); p == nil {
		if d.DOB != "" && d.DOB != nik.BirthDate.Format(time.DateOnly) {
			v.ps.Add("dob", i18n.DOBMismatchNIK, nik.BirthDate.Format(time.DateOnly))
		}
		if d.Gender != "" && d.Gender != nik.Gender {
			v.ps.Add("gender", i18n.GenderMismatchNIK, nik.Gender)
		}
	}
	d.MotherMaidenName = v.name("mother_maiden_name", in.MotherMaidenName, true)
	d.AddressStreetNum = v.text("address_street_num", in.AddressStreetNum, true, 255)
	v.address(s.area, &d, in)
	d.OccupiedSince = opt(v.date("occupied_since", in.OccupiedSince, false))
	d.HomeStatus = v.choice("home_status", in.HomeStatus, refdata.HomeStatuses, "home_statuses")
	d.MaritalStatus = v.choice("marital_status", in.MaritalStatus, refdata.MaritalStatuses, "marital_statuses")
	d.Dependent = v.integer("dependent", in.Dependent, true, 0, 9)

	d.MobilePhone1 = v.mobile("mobile_phone_1", in.MobilePhone1, true)
	d.MobilePhone2 = opt(v.mobile("mobile_phone_2", in.MobilePhone2, false))
	needSpouse, needCloseKin := d.MaritalStatus == "Menikah", d.MaritalStatus == "Lajang"
	d.SpouseName = opt(v.conditionalName("spouse_name", in.SpouseName, needSpouse, d.MaritalStatus))
	d.SpouseDOB = opt(v.date("spouse_dob", in.SpouseDOB, false))
	d.SpouseMobilePhone = opt(v.conditionalMobile("spouse_mobile_phone", in.SpouseMobilePhone, needSpouse, d.MaritalStatus))
	d.CloseKinName = opt(v.conditionalName("close_kin_name", in.CloseKinName, needCloseKin, d.MaritalStatus))
	d.CloseKinMobilePhone = opt(v.conditionalMobile("close_kin_mobile_phone", in.CloseKinMobilePhone, needCloseKin, d.MaritalStatus))
	d.KinRelationship = v.choice("kin_relationship", in.KinRelationship, refdata.KinRelationships, "kin_relationships")
	d.KinName = v.name("kin_name", in.KinName, true)
	d.KinDOB = opt(v.date("kin_dob", in.KinDOB, false))
	d.KinMobilePhone = v.mobile("kin_mobile_phone", in.KinMobilePhone, true)
	v.distinctPhones(map[string]string{
		"mobile_phone_1": d.MobilePhone1, "mobile_phone_2": deref(d.MobilePhone2), "kin_mobile_phone": d.KinMobilePhone,
		"spouse_mobile_phone": deref(d.SpouseMobilePhone), "close_kin_mobile_phone": deref(d.CloseKinMobilePhone),
	})
	if d.MobilePhone1 != "" && len(verified) > 0 && !contains(verified, d.MobilePhone1) {
		v.ps.Add("mobile_phone_1", i18n.PhoneNotVerified, d.MobilePhone1, strings.Join(verified, ", "))
	}

	d.JobType = v.choice("job_type", in.JobType, refdata.JobTypes, "job_types")
	v.job(&d, in)
	d.LastEducation = v.choice("last_education", in.LastEducation, refdata.LastEducations, "last_educations")
	d.MonthlyIncome = v.money("monthly_income", in.MonthlyIncome)
	if in.MonthlyIncome != nil && *in.MonthlyIncome == 0 && !v.ps.Has("monthly_income") {
		v.ps.Add("monthly_income", i18n.IncomePositive)
	}
	d.MonthlyExpenses = v.money("monthly_expenses", in.MonthlyExpenses)
	d.MonthlyHousingCost = v.money("monthly_housing_cost", in.MonthlyHousingCost)
	d.TotalCurrentDebt = v.money("total_current_debt", in.TotalCurrentDebt)
	v.bank(&d, in)
	d.LoanPurpose = v.choice("loan_purpose", in.LoanPurpose, refdata.LoanPurposes, "loan_purposes")
	d.LoanPurposeDesc = v.text("loan_purpose_desc", in.LoanPurposeDesc, true, 500)
	d.IsVerificationAgreed = v.consent("is_verification_agreed", in.IsVerificationAgreed)
	d.IsTermAccepted = v.consent("is_term_accepted", in.IsTermAccepted)
	return d
}

// text is a trimmed string of at most max runes; "" when absent or wrong.
func (v *detailsCheck) text(field string, p *string, need bool, max int) string {
	if v.ps.Has(field) {
		return ""
	}
	if p == nil || strings.TrimSpace(*p) == "" {
		if need {
			v.ps.Add(field, i18n.Required)
		}
		return ""
	}
	s := strings.TrimSpace(*p)
	if utf8.RuneCountInString(s) > max || !utf8.ValidString(s) {
		v.ps.Add(field, i18n.TooLong, max)
		return ""
	}
	return s
}

// name: at least 3 characters; letters of any script, spaces, '.', '\” and
// '-'; no digits, no double spaces.
func (v *detailsCheck) name(field string, p *string, need bool) string {
	s := v.text(field, p, need, 100)
	if s == "" {
		return ""
	}
	ok := utf8.RuneCountInString(s) >= 3 && !strings.Contains(s, "  ")
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters++
		case r == ' ' || r == '.' || r == '\'' || r == '-':
		default:
			ok = false
		}
	}
	if !ok || letters == 0 {
		v.ps.Add(field, i18n.NameFormat)
		return ""
	}
	return s
}

func (v *detailsCheck) conditionalName(field string, p *string, need bool, marital string) string {
	if need && (p == nil || strings.TrimSpace(*p) == "") && !v.ps.Has(field) {
		v.ps.Add(field, i18n.RequiredForMarital, marital)
		return ""
	}
	return v.name(field, p, false)
}

func (v *detailsCheck) conditionalMobile(field string, p *string, need bool, marital string) string {
	if need && (p == nil || strings.TrimSpace(*p) == "") && !v.ps.Has(field) {
		v.ps.Add(field, i18n.RequiredForMarital, marital)
		return ""
	}
	return v.mobile(field, p, false)
}

// date is YYYY-MM-DD, a real date, not in the future.
func (v *detailsCheck) date(field string, p *string, need bool) string {
	s := v.text(field, p, need, 10)
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != 10 {
		v.ps.Add(field, i18n.DateFormat)
		return ""
	}
	if t.After(v.today) {
		v.ps.Add(field, i18n.DateFuture)
		return ""
	}
	return s
}

func (v *detailsCheck) choice(field string, p *string, l *refdata.StringList, listName string) string {
	s := v.text(field, p, true, 200)
	if s == "" {
		return ""
	}
	c, ok := l.Canonical(s)
	if !ok {
		v.ps.Add(field, i18n.NotInList, s, listName)
		return ""
	}
	return c
}

func (v *detailsCheck) mobile(field string, p *string, need bool) string {
	s := v.text(field, p, need, 30)
	if s == "" {
		return ""
	}
	m, bad := CheckMobile(s)
	if bad != nil {
		v.ps.Add(field, bad.Msg, bad.Args...)
		return ""
	}
	return m
}

func (v *detailsCheck) integer(field string, p *int64, need bool, min, max int64) int64 {
	if v.ps.Has(field) {
		return 0
	}
	if p == nil {
		if need {
			v.ps.Add(field, i18n.Required)
		}
		return 0
	}
	if *p < min || *p > max {
		v.ps.Add(field, i18n.IntRange, min, max)
		return 0
	}
	return *p
}

func (v *detailsCheck) money(field string, p *int64) int64 {
	if v.ps.Has(field) {
		return 0
	}
	if p == nil {
		v.ps.Add(field, i18n.Required)
		return 0
	}
	if *p < 0 || *p > 99_999_999 {
		v.ps.Add(field, i18n.MoneyRange)
		return 0
	}
	return *p
}

func (v *detailsCheck) consent(field string, p *bool) bool {
	if v.ps.Has(field) {
		return false
	}
	if p == nil {
		v.ps.Add(field, i18n.Required)
		return false
	}
	if !*p {
		v.ps.Add(field, i18n.MustBeTrue)
	}
	return *p
}

// address checks the four levels as a hierarchy and stores canonical names.
func (v *detailsCheck) address(area *refdata.Area, d *Details, in CompleteInput) {
	fields := []string{"address_provinsi", "address_kabupaten", "address_kecamatan", "address_kelurahan"}
	vals := make([]string, 4)
	for i, p := range []*string{in.AddressProvinsi, in.AddressKabupaten, in.AddressKecamatan, in.AddressKelurahan} {
		vals[i] = v.text(fields[i], p, true, 100)
	}
	if code := v.text("address_kodepos", in.AddressKodepos, true, 10); code != "" {
		if len(code) != 5 || !allDigits(code) {
			v.ps.Add("address_kodepos", i18n.KodeposFormat)
		} else {
			d.AddressKodepos = code
		}
	}
	if vals[0] == "" || vals[1] == "" || vals[2] == "" || vals[3] == "" {
		return
	}
	a, miss := area.ResolveAddress(vals[0], vals[1], vals[2], vals[3])
	if miss != nil {
		switch miss.Level {
		case "province":
			v.ps.Add(fields[0], i18n.AddressNoProvince, vals[0])
		case "city":
			v.ps.Add(fields[1], i18n.AddressNoCity, vals[1])
		case "district":
			v.ps.Add(fields[2], i18n.AddressNoDistrict, vals[2])
		default:
			v.ps.Add(fields[3], i18n.AddressNoSubDist, vals[3])
		}
		return
	}
	d.AddressProvinsi, d.AddressKabupaten, d.AddressKecamatan, d.AddressKelurahan = a.Province, a.City, a.District, a.SubDistrict
}

// job checks the job fields, required unless the job type is a non-working one.
func (v *detailsCheck) job(d *Details, in CompleteInput) {
	need := d.JobType != "" && !refdata.NonWorkingJobTypes.Contains(d.JobType)
	req := func(field string, present bool) bool {
		if need && !present && !v.ps.Has(field) {
			v.ps.Add(field, i18n.RequiredForJob, d.JobType)
			return false
		}
		return present
	}
	present := func(p *string) bool { return p != nil && strings.TrimSpace(*p) != "" }
	ind := ""
	if req("job_industry", present(in.JobIndustry)) {
		ind = v.choice("job_industry", in.JobIndustry, refdata.JobIndustries, "job_industries")
		d.JobIndustry = opt(ind)
	}
	// The description is checked against its industry; without a valid
	// industry (already reported) there is nothing to check it against.
	if req("job_description", present(in.JobDescription)) && ind != "" {
		jobs, _ := refdata.Jobs(ind)
		desc := v.text("job_description", in.JobDescription, true, 200)
		if c, ok := jobs.Canonical(desc); ok {
			d.JobDescription = &c
		} else if desc != "" {
			v.ps.Add("job_description", i18n.JobNotInIndustry, desc, ind)
		}
	}
	if req("company_name", present(in.CompanyName)) {
		d.CompanyName = opt(v.text("company_name", in.CompanyName, false, 100))
	}
	if req("company_phone_number", present(in.CompanyPhoneNumber)) {
		if s := v.text("company_phone_number", in.CompanyPhoneNumber, false, 30); s != "" {
			if l, p := CheckOfficePhone(s); p == nil {
				d.CompanyPhoneNumber = &l
			} else {
				v.ps.Add("company_phone_number", p.Msg, p.Args...)
			}
		}
	}
	if req("job_start", present(in.JobStart)) {
		d.JobStart = opt(v.date("job_start", in.JobStart, false))
	}
	if req("payday", in.Payday != nil) {
		pd := v.integer("payday", in.Payday, false, 1, 31)
		if pd != 0 {
			d.Payday = &pd
		}
	}
}

func (v *detailsCheck) bank(d *Details, in CompleteInput) {
	name := v.text("bank_name", in.BankName, true, 200)
	bank, ok := refdata.Bank{}, false
	if name != "" {
		if bank, ok = refdata.BankByName(name); ok {
			d.BankName = bank.Name
		} else {
			v.ps.Add("bank_name", i18n.NotInList, name, "banks")
		}
	}
	acct := v.text("bank_account_number", in.BankAccountNumber, true, 30)
	if acct == "" {
		return
	}
	if !allDigits(acct) || len(acct) < 5 || len(acct) > 20 {
		v.ps.Add("bank_account_number", i18n.BankAccountDigits)
		return
	}
	if ok && !bank.AccountNumberLengthOK(len(acct)) {
		v.ps.Add("bank_account_number", i18n.BankAccountLength, bank.MinAccountDigits, bank.MaxAccountDigits, bank.Name)
		return
	}
	d.BankAccountNumber = acct
}

// distinctPhones: the application's mobile numbers must all differ
// (production rule); the later field of a pair is reported.
func (v *detailsCheck) distinctPhones(phones map[string]string) {
	order := []string{"mobile_phone_1", "mobile_phone_2", "kin_mobile_phone", "spouse_mobile_phone", "close_kin_mobile_phone"}
	for i, a := range order {
		for _, b := range order[i+1:] {
			if phones[a] != "" && phones[a] == phones[b] && !v.ps.Has(b) {
				v.ps.Add(b, i18n.PhoneRepeated, a)
			}
		}
	}
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
