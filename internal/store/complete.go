package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The sealed columns, each value's authenticated data (see pii.go).
const (
	colNIK           = "customers.nik"
	colEmail         = "customers.email"
	colPosition      = "customers.position"
	colOTPPhone      = "otp_codes.phone"
	colVerifiedPhone = "verified_phones.phone"
	colSMSPhone      = "sms_outbox.phone"
	colSMSMessage    = "sms_outbox.message"
	colSMSOTP        = "sms_outbox.otp"
	colDetails       = "application_details.pii"
)

// detailsPII is the personal part of the complete step, sealed as one JSON
// document in application_details.pii_sealed.
type detailsPII struct {
	Fullname            string  `json:"fullname"`
	BirthPlace          string  `json:"birth_place"`
	DOB                 string  `json:"dob"`
	MotherMaidenName    string  `json:"mother_maiden_name"`
	AddressStreetNum    string  `json:"address_street_num"`
	AddressProvinsi     string  `json:"address_provinsi"`
	AddressKabupaten    string  `json:"address_kabupaten"`
	AddressKecamatan    string  `json:"address_kecamatan"`
	AddressKelurahan    string  `json:"address_kelurahan"`
	AddressKodepos      string  `json:"address_kodepos"`
	MobilePhone1        string  `json:"mobile_phone_1"`
	MobilePhone2        *string `json:"mobile_phone_2"`
	SpouseName          *string `json:"spouse_name"`
	SpouseDOB           *string `json:"spouse_dob"`
	SpouseMobilePhone   *string `json:"spouse_mobile_phone"`
	CloseKinName        *string `json:"close_kin_name"`
	CloseKinMobilePhone *string `json:"close_kin_mobile_phone"`
	KinName             string  `json:"kin_name"`
	KinDOB              *string `json:"kin_dob"`
	KinMobilePhone      string  `json:"kin_mobile_phone"`
	JobDescription      *string `json:"job_description"`
	CompanyName         *string `json:"company_name"`
	CompanyPhoneNumber  *string `json:"company_phone_number"`
	BankAccountNumber   string  `json:"bank_account_number"`
	LoanPurposeDesc     string  `json:"loan_purpose_desc"`
}

func piiOf(d onboarding.Details) detailsPII {
	return detailsPII{
		Fullname: d.Fullname, BirthPlace: d.BirthPlace, DOB: d.DOB, MotherMaidenName: d.MotherMaidenName,
		AddressStreetNum: d.AddressStreetNum, AddressProvinsi: d.AddressProvinsi, AddressKabupaten: d.AddressKabupaten,
		AddressKecamatan: d.AddressKecamatan, AddressKelurahan: d.AddressKelurahan, AddressKodepos: d.AddressKodepos,
		MobilePhone1: d.MobilePhone1, MobilePhone2: d.MobilePhone2, SpouseName: d.SpouseName, SpouseDOB: d.SpouseDOB,
		SpouseMobilePhone: d.SpouseMobilePhone, CloseKinName: d.CloseKinName, CloseKinMobilePhone: d.CloseKinMobilePhone,
		KinName: d.KinName, KinDOB: d.KinDOB, KinMobilePhone: d.KinMobilePhone, JobDescription: d.JobDescription,
		CompanyName: d.CompanyName, CompanyPhoneNumber: d.CompanyPhoneNumber, BankAccountNumber: d.BankAccountNumber,
		LoanPurposeDesc: d.LoanPurposeDesc,
	}
}

// into copies the personal part into d.
func (p detailsPII) into(d *onboarding.Details) {
	d.Fullname, d.BirthPlace, d.DOB, d.MotherMaidenName = p.Fullname, p.BirthPlace, p.DOB, p.MotherMaidenName
	d.AddressStreetNum, d.AddressProvinsi, d.AddressKabupaten = p.AddressStreetNum, p.AddressProvinsi, p.AddressKabupaten
	d.AddressKecamatan, d.AddressKelurahan, d.AddressKodepos = p.AddressKecamatan, p.AddressKelurahan, p.AddressKodepos
	d.MobilePhone1, d.MobilePhone2, d.SpouseName, d.SpouseDOB = p.MobilePhone1, p.MobilePhone2, p.SpouseName, p.SpouseDOB
	d.SpouseMobilePhone, d.CloseKinName, d.CloseKinMobilePhone = p.SpouseMobilePhone, p.CloseKinName, p.CloseKinMobilePhone
	d.KinName, d.KinDOB, d.KinMobilePhone, d.JobDescription = p.KinName, p.KinDOB, p.KinMobilePhone, p.JobDescription
	d.CompanyName, d.CompanyPhoneNumber, d.BankAccountNumber = p.CompanyName, p.CompanyPhoneNumber, p.BankAccountNumber
	d.LoanPurposeDesc = p.LoanPurposeDesc
}

func (p detailsPII) seal(db *DB, k *customerKey) (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	return k.seal(db.random(), colDetails, string(b))
}

// SubmitApplication stores the customer data and moves the application to
// 105 through the status machine, in one transaction. A move the transition
// table forbids (a second submission) is refuse's error. The personal part
// is sealed under the customer's key; consent is recorded with its time
// (at) and d.TermsVersion. The credit assessment's first round and its job
// are inserted in the same transaction.
func (db *DB) SubmitApplication(ctx context.Context, applicationID int64, d onboarding.Details, at time.Time, refuse func(julo.AppStatus) error) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: applicationID, To: julo.AppFormSubmitted, At: at, Refuse: refuse}); err != nil {
			return err
		}
		k, err := db.keyOfApplication(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		bidx, err := db.blindIndexes(ctx, tx)
		if err != nil {
			return err
		}
		sealed, err := piiOf(d).seal(db, k)
		if err != nil {
			return err
		}
		var consented sql.NullInt64
		if d.IsVerificationAgreed && d.IsTermAccepted {
			consented = sql.NullInt64{Int64: ms(at), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO application_details (application_id,
			gender, occupied_since, home_status, marital_status, dependent, kin_relationship,
			job_type, job_industry, job_start, payday,
			last_education, monthly_income, monthly_expenses, monthly_housing_cost, total_current_debt,
			bank_name, loan_purpose, is_verification_agreed, is_term_accepted, submitted_at,
			pii_sealed, bank_account_bidx, consented_at, terms_version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25)`,
			applicationID,
			d.Gender, d.OccupiedSince, d.HomeStatus, d.MaritalStatus, d.Dependent, d.KinRelationship,
			d.JobType, d.JobIndustry, d.JobStart, d.Payday,
			d.LastEducation, d.MonthlyIncome, d.MonthlyExpenses, d.MonthlyHousingCost, d.TotalCurrentDebt,
			d.BankName, d.LoanPurpose, d.IsVerificationAgreed, d.IsTermAccepted, ms(at),
			sealed, bidx(bidxBankAccount, d.BankAccountNumber), consented, d.TermsVersion); err != nil {
			return db.conflict(err)
		}
		// The credit assessment of the submitted application (issue 12):
		// round 1 and its job, committed with the move to 105.
		return db.startAssessment(ctx, tx, applicationID, 1, at)
	})
}

// SubmittedDetails is what the complete step stored: the details (opened)
// and the consent's record.
type SubmittedDetails struct {
	Details     onboarding.Details
	SubmittedAt time.Time
	ConsentedAt time.Time // zero: no consent recorded
}

// ApplicationDetails returns the complete step's data of an application,
// opened with its customer's key; ENOTFOUND when the application has none,
// or when its customer was erased.
func (db *DB) ApplicationDetails(ctx context.Context, applicationID int64) (SubmittedDetails, error) {
	return db.applicationDetails(ctx, db.r, applicationID, nil)
}

func (db *DB) applicationDetails(ctx context.Context, q querier, applicationID int64, k *customerKey) (SubmittedDetails, error) {
	var s SubmittedDetails
	d := &s.Details
	var sealed string
	var submitted int64
	var consented sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT gender, occupied_since, home_status, marital_status, dependent, kin_relationship,
		job_type, job_industry, job_start, payday,
		last_education, monthly_income, monthly_expenses, monthly_housing_cost, total_current_debt,
		bank_name, loan_purpose, is_verification_agreed, is_term_accepted, submitted_at,
		pii_sealed, consented_at, terms_version
		FROM application_details WHERE application_id = $1`, applicationID).Scan(
		&d.Gender, &d.OccupiedSince, &d.HomeStatus, &d.MaritalStatus, &d.Dependent, &d.KinRelationship,
		&d.JobType, &d.JobIndustry, &d.JobStart, &d.Payday,
		&d.LastEducation, &d.MonthlyIncome, &d.MonthlyExpenses, &d.MonthlyHousingCost, &d.TotalCurrentDebt,
		&d.BankName, &d.LoanPurpose, &d.IsVerificationAgreed, &d.IsTermAccepted, &submitted,
		&sealed, &consented, &d.TermsVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("application details")
	}
	if err != nil {
		return s, err
	}
	s.SubmittedAt = fromMS(submitted)
	if consented.Valid {
		s.ConsentedAt = fromMS(consented.Int64)
	}
	if k == nil {
		if k, err = db.keyOfApplication(ctx, q, applicationID); err != nil {
			return s, err
		}
	}
	js, err := k.open(colDetails, sealed)
	if err != nil {
		return s, err
	}
	var p detailsPII
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		return s, fmt.Errorf("store: application %d's sealed details: %w", applicationID, err)
	}
	p.into(d)
	return s, nil
}
