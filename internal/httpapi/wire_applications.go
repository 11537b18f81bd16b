package httpapi

import (
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The wire forms of the application routes: complete customer data and the
// status (see wire_customers.go for how a request converts to its domain
// input).

// completeRequest is PATCH /applications/{xid} (and its errata 9 forms), the
// complete-customer-data request (domain §8). The postal code is
// address_kodepos, also read as kodepos or Kodepos (errata 10). Fields a
// partner must not set (status, xid, ktp, email) are not read.
type completeRequest struct {
	Problems             julo.Problems
	Fullname             *string `form:"fullname"`
	BirthPlace           *string `form:"birth_place"`
	DOB                  *string `form:"dob"`
	Gender               *string `form:"gender"`
	MotherMaidenName     *string `form:"mother_maiden_name"`
	AddressStreetNum     *string `form:"address_street_num"`
	AddressProvinsi      *string `form:"address_provinsi"`
	AddressKabupaten     *string `form:"address_kabupaten"`
	AddressKecamatan     *string `form:"address_kecamatan"`
	AddressKelurahan     *string `form:"address_kelurahan"`
	AddressKodepos       *string `form:"address_kodepos,kodepos,Kodepos"`
	OccupiedSince        *string `form:"occupied_since"`
	HomeStatus           *string `form:"home_status"`
	MaritalStatus        *string `form:"marital_status"`
	Dependent            *int64  `form:"dependent"`
	MobilePhone1         *string `form:"mobile_phone_1"`
	MobilePhone2         *string `form:"mobile_phone_2"`
	SpouseName           *string `form:"spouse_name"`
	SpouseDOB            *string `form:"spouse_dob"`
	SpouseMobilePhone    *string `form:"spouse_mobile_phone"`
	CloseKinName         *string `form:"close_kin_name"`
	CloseKinMobilePhone  *string `form:"close_kin_mobile_phone"`
	KinRelationship      *string `form:"kin_relationship"`
	KinName              *string `form:"kin_name"`
	KinDOB               *string `form:"kin_dob"`
	KinMobilePhone       *string `form:"kin_mobile_phone"`
	JobType              *string `form:"job_type"`
	JobIndustry          *string `form:"job_industry"`
	JobDescription       *string `form:"job_description"`
	CompanyName          *string `form:"company_name"`
	CompanyPhoneNumber   *string `form:"company_phone_number"`
	JobStart             *string `form:"job_start"`
	Payday               *int64  `form:"payday"`
	LastEducation        *string `form:"last_education"`
	MonthlyIncome        *int64  `form:"monthly_income"`
	MonthlyExpenses      *int64  `form:"monthly_expenses"`
	MonthlyHousingCost   *int64  `form:"monthly_housing_cost"`
	TotalCurrentDebt     *int64  `form:"total_current_debt"`
	BankName             *string `form:"bank_name"`
	BankAccountNumber    *string `form:"bank_account_number"`
	LoanPurpose          *string `form:"loan_purpose"`
	LoanPurposeDesc      *string `form:"loan_purpose_desc"`
	IsVerificationAgreed *bool   `form:"is_verification_agreed"`
	IsTermAccepted       *bool   `form:"is_term_accepted"`
}

func (r completeRequest) input() onboarding.CompleteInput { return onboarding.CompleteInput(r) }

// completedJSON is the documented answer of the complete-data step: every
// key of the documentation's example, in its order, null (or false) where
// nothing sets it yet (errata 13).
type completedJSON struct {
	ValidatedQRCode                bool     `json:"validated_qr_code"`
	LoanPurpose                    string   `json:"loan_purpose"`
	LoanPurposeDesc                string   `json:"loan_purpose_desc"`
	Payday                         *int64   `json:"payday"`
	Fullname                       string   `json:"fullname"`
	DOB                            string   `json:"dob"`
	BirthPlace                     string   `json:"birth_place"`
	Gender                         string   `json:"gender"`
	KTP                            string   `json:"ktp"`
	AddressStreetNum               string   `json:"address_street_num"`
	AddressProvinsi                string   `json:"address_provinsi"`
	AddressKabupaten               string   `json:"address_kabupaten"`
	AddressKecamatan               string   `json:"address_kecamatan"`
	AddressKelurahan               string   `json:"address_kelurahan"`
	AddressKodepos                 string   `json:"address_kodepos"`
	OccupiedSince                  *string  `json:"occupied_since"`
	HomeStatus                     string   `json:"home_status"`
	MobilePhone1                   string   `json:"mobile_phone_1"`
	NewMobilePhone                 *string  `json:"new_mobile_phone"`
	MobilePhone2                   *string  `json:"mobile_phone_2"`
	Email                          string   `json:"email"`
	MaritalStatus                  string   `json:"marital_status"`
	Dependent                      int64    `json:"dependent"`
	SpouseName                     *string  `json:"spouse_name"`
	SpouseDOB                      *string  `json:"spouse_dob"`
	SpouseMobilePhone              *string  `json:"spouse_mobile_phone"`
	KinName                        string   `json:"kin_name"`
	KinDOB                         *string  `json:"kin_dob"`
	KinGender                      *string  `json:"kin_gender"`
	KinMobilePhone                 string   `json:"kin_mobile_phone"`
	KinRelationship                string   `json:"kin_relationship"`
	CloseKinName                   *string  `json:"close_kin_name"`
	CloseKinMobilePhone            *string  `json:"close_kin_mobile_phone"`
	CloseKinRelationship           *string  `json:"close_kin_relationship"`
	JobType                        string   `json:"job_type"`
	JobIndustry                    *string  `json:"job_industry"`
	JobFunction                    *string  `json:"job_function"`
	JobDescription                 *string  `json:"job_description"`
	CompanyName                    *string  `json:"company_name"`
	CompanyPhoneNumber             *string  `json:"company_phone_number"`
	JobStart                       *string  `json:"job_start"`
	MonthlyIncome                  int64    `json:"monthly_income"`
	LastEducation                  string   `json:"last_education"`
	GPA                            *float64 `json:"gpa"`
	HasOtherIncome                 bool     `json:"has_other_income"`
	OtherIncomeAmount              *int64   `json:"other_income_amount"`
	OtherIncomeSource              *string  `json:"other_income_source"`
	MonthlyHousingCost             int64    `json:"monthly_housing_cost"`
	MonthlyExpenses                int64    `json:"monthly_expenses"`
	TotalCurrentDebt               int64    `json:"total_current_debt"`
	BankName                       string   `json:"bank_name"`
	BankAccountNumber              string   `json:"bank_account_number"`
	ApplicationXID                 int64    `json:"application_xid"`
	PositionEmployees              *string  `json:"position_employees"`
	EmploymentStatus               *string  `json:"employment_status"`
	Dialect                        *string  `json:"dialect"`
	AdditionalContact1Name         *string  `json:"additional_contact_1_name"`
	AdditionalContact1Number       *string  `json:"additional_contact_1_number"`
	AdditionalContact2Name         *string  `json:"additional_contact_2_name"`
	AdditionalContact2Number       *string  `json:"additional_contact_2_number"`
	LoanPurposeDescriptionExpanded *string  `json:"loan_purpose_description_expanded"`
}

// newCompletedJSON is the answer for what CompleteApplication stored.
func newCompletedJSON(out onboarding.CompletedApplication) completedJSON {
	app, d := out.Application, out.Details
	return completedJSON{
		LoanPurpose: d.LoanPurpose, LoanPurposeDesc: d.LoanPurposeDesc, Payday: d.Payday, Fullname: d.Fullname,
		DOB: d.DOB, BirthPlace: d.BirthPlace, Gender: d.Gender, KTP: app.NIK,
		AddressStreetNum: d.AddressStreetNum, AddressProvinsi: d.AddressProvinsi, AddressKabupaten: d.AddressKabupaten,
		AddressKecamatan: d.AddressKecamatan, AddressKelurahan: d.AddressKelurahan, AddressKodepos: d.AddressKodepos,
		OccupiedSince: d.OccupiedSince, HomeStatus: d.HomeStatus, MobilePhone1: d.MobilePhone1, MobilePhone2: d.MobilePhone2,
		Email: app.Email, MaritalStatus: d.MaritalStatus, Dependent: d.Dependent, SpouseName: d.SpouseName,
		SpouseDOB: d.SpouseDOB, SpouseMobilePhone: d.SpouseMobilePhone, KinName: d.KinName, KinDOB: d.KinDOB,
		KinMobilePhone: d.KinMobilePhone, KinRelationship: d.KinRelationship, CloseKinName: d.CloseKinName,
		CloseKinMobilePhone: d.CloseKinMobilePhone, JobType: d.JobType, JobIndustry: d.JobIndustry,
		JobDescription: d.JobDescription, CompanyName: d.CompanyName, CompanyPhoneNumber: d.CompanyPhoneNumber,
		JobStart: d.JobStart, MonthlyIncome: d.MonthlyIncome, LastEducation: d.LastEducation,
		MonthlyHousingCost: d.MonthlyHousingCost, MonthlyExpenses: d.MonthlyExpenses, TotalCurrentDebt: d.TotalCurrentDebt,
		BankName: d.BankName, BankAccountNumber: d.BankAccountNumber, ApplicationXID: app.XID,
	}
}

// applicationStatusJSON is the answer of GET /application/status/{xid}; the
// optional steps' keys (bank_status, bpjs_status) come last.
type applicationStatusJSON struct {
	XID            int64          `json:"application_xid"`
	Status         string         `json:"application_status"`
	StatusCode     julo.AppStatus `json:"application_status_code"`
	MissingSteps   []string       `json:"missing_steps"`
	Images         []string       `json:"images"`
	VerifiedPhones []string       `json:"verified_phones"`
	CreatedAt      time.Time      `json:"created_at"`
	externalStatusJSON
}

func newApplicationStatusJSON(st onboarding.ApplicationStatus) applicationStatusJSON {
	return applicationStatusJSON{XID: st.XID, Status: st.Status, StatusCode: st.StatusCode, MissingSteps: st.MissingSteps,
		Images: st.Images, VerifiedPhones: st.VerifiedPhones, CreatedAt: st.CreatedAt,
		externalStatusJSON: newExternalStatusJSON(st.ExternalStatus)}
}
