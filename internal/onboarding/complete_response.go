package onboarding

// CompletedApplication is the documented response of the complete-data step:
// every key of the documentation's example, in its order, null (or false)
// where nothing sets it yet (errata 13).
type CompletedApplication struct {
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

func completed(app Application, d Details) CompletedApplication {
	return CompletedApplication{
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
