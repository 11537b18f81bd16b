package client

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"time"
)

// The request and answer types, with the JSON names the server uses.

// PreregisterCheckRequest asks whether a NIK and an email are still free.
type PreregisterCheckRequest struct {
	NIK   string `json:"nik"`
	Email string `json:"email"`
}

// CheckStrongPINRequest asks whether PIN is strong enough for NIK's owner.
type CheckStrongPINRequest struct {
	NIK string `json:"nik"`
	PIN string `json:"pin"`
}

// RegisterRequest registers a customer (POST /customer). The NIK is sent
// as "username", as the API names it.
type RegisterRequest struct {
	NIK       string  `json:"username"`
	PIN       string  `json:"pin"`
	Email     string  `json:"email"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// Registration is the answer of Register: keep ApplicationXID, every
// later call names the application by it.
type Registration struct {
	ApplicationXID int64  `json:"application_xid"`
	Email          string `json:"email"`
	KTP            string `json:"ktp"`
}

// Reference lists Dropdown serves (DropdownRequest.List).
const (
	ListBanks            = "banks"
	ListJobs             = "jobs" // needs DropdownRequest.JobIndustry
	ListJobIndustries    = "job_industries"
	ListJobTypes         = "job_types"
	ListVehicleTypes     = "vehicle_types"
	ListVehicleOwnership = "vehicle_ownerships"
	ListLoanPurposes     = "loan_purposes"
	ListHomeStatuses     = "home_statuses"
	ListKinRelationships = "kin_relationships"
	ListLastEducations   = "last_educations"
	ListMaritalStatuses  = "marital_statuses"
	ListBirthPlaces      = "birth_places"
)

// DropdownRequest names a reference list (data_selected) and, for
// ListJobs, the job industry whose jobs to list.
type DropdownRequest struct {
	List        string
	JobIndustry string
}

// DropdownList is a reference list: Banks for ListBanks, else Values.
type DropdownList struct {
	Values []string
	Banks  []Bank
}

// Bank is one entry of the banks list; Name is what CompleteApplication's
// BankName takes.
type Bank struct {
	Name string `json:"bank_name"`
	Code string `json:"bank_code"`
}

// UnmarshalJSON reads a list of strings or of bank objects.
func (l *DropdownList) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	*l = DropdownList{}
	if len(items) > 0 && len(items[0]) > 0 && items[0][0] == '{' {
		return json.Unmarshal(b, &l.Banks)
	}
	l.Values = make([]string, 0, len(items))
	return json.Unmarshal(b, &l.Values)
}

// Address levels (AddressRequest.Level).
const (
	LevelProvince    = "province"
	LevelCity        = "city"         // needs Province
	LevelDistrict    = "district"     // needs Province and City
	LevelSubDistrict = "sub_district" // needs Province, City and District
)

// AddressRequest asks for one level of the area hierarchy (get_address)
// with the parents it needs.
type AddressRequest struct {
	Level    string
	Province string
	City     string
	District string
}

// AddressList is one level of the area hierarchy: SubDistricts (with
// their postal codes) for LevelSubDistrict, else Names.
type AddressList struct {
	Names        []string
	SubDistricts []SubDistrict
}

// SubDistrict is a village (kelurahan) with its postal code ("" when
// unknown).
type SubDistrict struct {
	Name    string `json:"subDistrict"`
	Zipcode string `json:"zipcode"`
}

// UnmarshalJSON reads a list of names or of sub-district objects.
func (l *AddressList) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	*l = AddressList{}
	if len(items) > 0 && len(items[0]) > 0 && items[0][0] == '{' {
		return json.Unmarshal(b, &l.SubDistricts)
	}
	l.Names = make([]string, 0, len(items))
	return json.Unmarshal(b, &l.Names)
}

// Image types UploadImage takes; the complete-data step needs ImageKTPSelf
// and ImageSelfie.
const (
	ImageKTPSelf = "ktp_self"
	ImageSelfie  = "selfie"
)

// Image is one of an application's current images (ListImages).
type Image struct {
	ImageType string    `json:"image_type"`
	CreatedAt time.Time `json:"created_at"`
	// URL is the image's path on the server (no host); GetImage(xid, ID)
	// reads it.
	URL string `json:"url"`
	// ID is the image's id, the last segment of URL.
	ID int64 `json:"-"`
}

// UnmarshalJSON reads the image and its ID from its URL.
func (img *Image) UnmarshalJSON(b []byte) error {
	type plain Image
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*img = Image(p)
	if p.URL != "" {
		id, err := strconv.ParseInt(path.Base(p.URL), 10, 64)
		if err != nil {
			return fmt.Errorf("image url %q: no id at its end", p.URL)
		}
		img.ID = id
	}
	return nil
}

// ImageFile is an image's content (GetImage).
type ImageFile struct {
	ContentType string // image/jpeg, image/png or image/webp
	Filename    string // what the image is, e.g. ktp_self.jpg (never whose)
	Data        []byte
}

// SandboxMessage is an SMS the sandbox's log provider "sent" (SandboxSMS).
type SandboxMessage struct {
	ApplicationXID int64     `json:"application_xid"`
	Phone          string    `json:"phone"` // E.164, e.g. +6285330838909
	Message        string    `json:"message"`
	OTP            string    `json:"otp"` // the code in Message
	CreatedAt      time.Time `json:"created_at"`
}

// CompleteApplicationRequest is the customer data (PATCH
// /applications/{xid}). A string left "" and a nil pointer are not sent;
// every problem of the data is answered together in one 400, each naming
// its field. Which fields are needed depends on others (spouse fields for
// "Menikah", close kin for "Lajang", job fields unless the job type is a
// non-working one): see the partner documentation.
type CompleteApplicationRequest struct {
	Fullname             string `json:"fullname,omitempty"`
	BirthPlace           string `json:"birth_place,omitempty"`
	DOB                  string `json:"dob,omitempty"` // YYYY-MM-DD, as the NIK says
	Gender               string `json:"gender,omitempty"`
	MotherMaidenName     string `json:"mother_maiden_name,omitempty"`
	AddressStreetNum     string `json:"address_street_num,omitempty"`
	AddressProvinsi      string `json:"address_provinsi,omitempty"`
	AddressKabupaten     string `json:"address_kabupaten,omitempty"`
	AddressKecamatan     string `json:"address_kecamatan,omitempty"`
	AddressKelurahan     string `json:"address_kelurahan,omitempty"`
	AddressKodepos       string `json:"address_kodepos,omitempty"`
	OccupiedSince        string `json:"occupied_since,omitempty"`
	HomeStatus           string `json:"home_status,omitempty"`
	MaritalStatus        string `json:"marital_status,omitempty"`
	Dependent            *int64 `json:"dependent,omitempty"`
	MobilePhone1         string `json:"mobile_phone_1,omitempty"` // verified by OTP first
	MobilePhone2         string `json:"mobile_phone_2,omitempty"`
	SpouseName           string `json:"spouse_name,omitempty"`
	SpouseDOB            string `json:"spouse_dob,omitempty"`
	SpouseMobilePhone    string `json:"spouse_mobile_phone,omitempty"`
	CloseKinName         string `json:"close_kin_name,omitempty"`
	CloseKinMobilePhone  string `json:"close_kin_mobile_phone,omitempty"`
	KinRelationship      string `json:"kin_relationship,omitempty"`
	KinName              string `json:"kin_name,omitempty"`
	KinDOB               string `json:"kin_dob,omitempty"`
	KinMobilePhone       string `json:"kin_mobile_phone,omitempty"`
	JobType              string `json:"job_type,omitempty"`
	JobIndustry          string `json:"job_industry,omitempty"`
	JobDescription       string `json:"job_description,omitempty"`
	CompanyName          string `json:"company_name,omitempty"`
	CompanyPhoneNumber   string `json:"company_phone_number,omitempty"`
	JobStart             string `json:"job_start,omitempty"`
	Payday               *int64 `json:"payday,omitempty"`
	LastEducation        string `json:"last_education,omitempty"`
	MonthlyIncome        *int64 `json:"monthly_income,omitempty"`
	MonthlyExpenses      *int64 `json:"monthly_expenses,omitempty"`
	MonthlyHousingCost   *int64 `json:"monthly_housing_cost,omitempty"`
	TotalCurrentDebt     *int64 `json:"total_current_debt,omitempty"`
	BankName             string `json:"bank_name,omitempty"`
	BankAccountNumber    string `json:"bank_account_number,omitempty"`
	LoanPurpose          string `json:"loan_purpose,omitempty"`
	LoanPurposeDesc      string `json:"loan_purpose_desc,omitempty"`
	IsVerificationAgreed bool   `json:"is_verification_agreed"`
	IsTermAccepted       bool   `json:"is_term_accepted"`
}

// Int64 is a pointer to v, for CompleteApplicationRequest's numbers (where
// 0 is a value, not "not sent").
func Int64(v int64) *int64 { return &v }

// CompletedApplication is the answer of CompleteApplication: the stored
// data, in the documentation's keys; a pointer is nil where the answer has
// null.
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

// Application status codes (ApplicationStatus.StatusCode).
const (
	StatusFormCreated        = 100 // registered; see MissingSteps
	StatusFormSubmitted      = 105 // the customer data is complete; the credit assessment runs
	StatusDocumentsSubmitted = 120 // SubmitDocumentFlag: assessed again with the documents
	StatusManualReview       = 125 // an operator decides
	StatusLimitGenerated     = 130 // a limit is offered: InputPIN, then ActivateLimit
	StatusFraud              = 133 // the identity check failed
	StatusRejected           = 135 // rejected; RequestReview within the policy's days
	StatusOfferExpired       = 139 // the offer was not accepted in time
	StatusActivationRejected = 142 // the customer declined the offer
	StatusLimitReadyToUse    = 190 // the credit account is open
)

// Decision outcomes (Decision.Outcome).
const (
	OutcomeApproved           = "approved"
	OutcomeRejected           = "rejected"
	OutcomeFraud              = "fraud"
	OutcomeManualReview       = "manual_review"
	OutcomeDocumentsRequested = "documents_requested"
)

// ApplicationStatus is where an application stands (GET
// /application/status/{xid}), with the optional steps' state at the end.
type ApplicationStatus struct {
	ApplicationXID int64  `json:"application_xid"`
	Status         string `json:"application_status"`      // e.g. FORM_CREATED
	StatusCode     int    `json:"application_status_code"` // e.g. 100
	// MissingSteps are what the complete-data step still waits for
	// (upload_ktp_self_image, upload_selfie_image, validate_phone_otp,
	// complete_customer_data); empty once it is submitted.
	MissingSteps   []string  `json:"missing_steps"`
	Images         []string  `json:"images"`          // image types uploaded
	VerifiedPhones []string  `json:"verified_phones"` // verified by OTP
	CreatedAt      time.Time `json:"created_at"`
	ExternalStatus

	// The credit decision's part (production's keys, and ours: Decision).

	// Application is production's summary of the application; Fullname
	// and MobilePhone1 are nil before CompleteApplication.
	Application StatusApplication `json:"application"`
	// CreditInfo is empty (all nil) until a limit is offered at 130; then
	// the offer with nothing available, and from 190 the credit account.
	CreditInfo             CreditInfo `json:"credit_info"`
	IsCreditScoreGenerated bool       `json:"is_credit_score_generated"`
	// CanContinue: the partner has a step to take (provide the requested
	// documents, or accept the offer).
	CanContinue bool `json:"can_continue"`
	// DocumentsToBeUploaded lists, while documents are requested, each
	// document that may be provided and whether it is in.
	DocumentsToBeUploaded []DocumentToUpload `json:"documents_to_be_uploaded"`
	IsAnyDocumentUpload   bool               `json:"is_any_document_upload"`
	// IsSubmitDocumentFlagReady: documents are requested; once one is in,
	// call SubmitDocumentFlag.
	IsSubmitDocumentFlagReady bool           `json:"is_submit_document_flag_ready"`
	ExistingLoans             []ExistingLoan `json:"existing_loans"` // the application's loans, oldest first
	// Decision is the latest credit decision; nil before the first.
	Decision *Decision `json:"decision"`
}

// StatusApplication is the status read's application object.
type StatusApplication struct {
	ApplicationXID int64   `json:"application_xid"`
	Email          string  `json:"email"`
	KTP            string  `json:"ktp"`
	Status         string  `json:"application_status"`
	Fullname       *string `json:"fullname"`
	MobilePhone1   *string `json:"mobile_phone_1"`
}

// CreditInfo is a limit in whole rupiah; every field is nil before an
// offer stands.
type CreditInfo struct {
	AvailableLimit *int64 `json:"available_limit"`
	MaxLimit       *int64 `json:"max_limit"`
	SetLimit       *int64 `json:"set_limit"`
	UsedLimit      *int64 `json:"used_limit"`
}

// DocumentToUpload is one document the customer may provide.
type DocumentToUpload struct {
	Kind     string `json:"DOCUMENT_TYPE"`          // IMAGE, BANK_SCRAPE or BPJS
	Type     string `json:"document_type"`          // paystub, bank_statement, bank, bpjs
	Uploaded bool   `json:"document_upload_status"` // the document is in
}

// Decision is a credit decision's summary (the README lists the outcomes
// and reason codes).
type Decision struct {
	Outcome     string    `json:"outcome"` // one of the Outcome constants
	ReasonCodes []string  `json:"reason_codes"`
	DecidedAt   time.Time `json:"decided_at"`
}

// PINWindow is InputPIN's answer: the customer may act on the offer until
// Until.
type PINWindow struct {
	Until time.Time `json:"pin_verified_until"`
}

// LimitActivation is ActivateLimit's answer: 190 with the account's
// limits after an acceptance, 142 with the offer declined (nothing
// available) after a decline.
type LimitActivation struct {
	ApplicationXID int64      `json:"application_xid"`
	Status         string     `json:"application_status"`
	StatusCode     int        `json:"application_status_code"`
	CreditInfo     CreditInfo `json:"credit_info"`
}

// ReviewRequested is RequestReview's answer: the application waits for an
// operator at 135.
type ReviewRequested struct {
	ApplicationXID int64     `json:"application_xid"`
	Status         string    `json:"application_status"` // APPLICATION_REJECTED
	RequestedAt    time.Time `json:"review_requested_at"`
}

// ExternalStatus is the state of the optional steps (ScrapingStatus, and
// the end of ApplicationStatus).
type ExternalStatus struct {
	// BankStatus has one entry per bank, always in the same order (bca,
	// bni, bri, mandiri).
	BankStatus []BankStatus `json:"bank_status"`
	// BPJSStatus is "not verified", "ongoing" or "verified".
	BPJSStatus string `json:"bpjs_status"`
}

// BankStatus is one bank's state.
type BankStatus struct {
	BankName string `json:"bank_name"` // bca, bni, bri, mandiri
	Status   string `json:"status"`    // not verified, ongoing, verified
	// Reason is why the bank's last import failed (wrong_credentials,
	// bank_unavailable, scrape_failed, load_failed); nil otherwise.
	Reason *string `json:"reason"`
	// UpdatedAt is when the server learnt of this state; nil for a bank
	// never tried.
	UpdatedAt *time.Time `json:"updated_at"`
}

// BPJS login page kinds (BPJSLoginRequest.AppType).
const (
	AppTypeWeb     = "web"
	AppTypeAndroid = "android"
)

// BPJSLoginRequest asks for a BPJS login URL for the customer's browser.
type BPJSLoginRequest struct {
	AppType string // AppTypeWeb or AppTypeAndroid
	// RedirectURL is where the login page sends the customer afterwards
	// (with bpjs_status=success or failed added); it must start with one
	// of the return-URL prefixes JULO registered for the partner. "" for
	// none.
	RedirectURL string
}

// BPJSLogin is the URL to open in the customer's browser.
type BPJSLogin struct {
	URL string `json:"url"`
}

// BankImportRequest starts a bank-data import (POST
// /external-data-imports/{xid}). The credentials are handed to the
// provider and never stored.
type BankImportRequest struct {
	DataType    string          `json:"data_type"` // bca, bni, bri, mandiri
	Credentials BankCredentials `json:"credentials"`
}

// BankCredentials are the customer's internet-banking login.
type BankCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// BankImport is a started import; follow it with ScrapingStatus.
type BankImport struct {
	Status         string `json:"status"` // initiated
	ApplicationXID int64  `json:"application_xid"`
	DataType       string `json:"data_type"`
	ID             int64  `json:"id"`
}
