package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// SubmitApplication stores the customer data and moves the application to
// 105 through the status machine, in one transaction. A move the transition
// table forbids (a second submission) is refuse's error.
func (db *DB) SubmitApplication(ctx context.Context, applicationID int64, d onboarding.Details, at time.Time, refuse func(julo.AppStatus) error) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: applicationID, To: julo.AppFormSubmitted, At: at, Refuse: refuse}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO application_details (application_id,
			fullname, birth_place, dob, gender, mother_maiden_name,
			address_street_num, address_provinsi, address_kabupaten, address_kecamatan, address_kelurahan, address_kodepos,
			occupied_since, home_status, marital_status, dependent, mobile_phone_1, mobile_phone_2,
			spouse_name, spouse_dob, spouse_mobile_phone, close_kin_name, close_kin_mobile_phone,
			kin_relationship, kin_name, kin_dob, kin_mobile_phone,
			job_type, job_industry, job_description, company_name, company_phone_number, job_start, payday,
			last_education, monthly_income, monthly_expenses, monthly_housing_cost, total_current_debt,
			bank_name, bank_account_number, loan_purpose, loan_purpose_desc,
			is_verification_agreed, is_term_accepted, submitted_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40,
			$41, $42, $43, $44, $45, $46)`,
			applicationID,
			d.Fullname, d.BirthPlace, d.DOB, d.Gender, d.MotherMaidenName,
			d.AddressStreetNum, d.AddressProvinsi, d.AddressKabupaten, d.AddressKecamatan, d.AddressKelurahan, d.AddressKodepos,
			d.OccupiedSince, d.HomeStatus, d.MaritalStatus, d.Dependent, d.MobilePhone1, d.MobilePhone2,
			d.SpouseName, d.SpouseDOB, d.SpouseMobilePhone, d.CloseKinName, d.CloseKinMobilePhone,
			d.KinRelationship, d.KinName, d.KinDOB, d.KinMobilePhone,
			d.JobType, d.JobIndustry, d.JobDescription, d.CompanyName, d.CompanyPhoneNumber, d.JobStart, d.Payday,
			d.LastEducation, d.MonthlyIncome, d.MonthlyExpenses, d.MonthlyHousingCost, d.TotalCurrentDebt,
			d.BankName, d.BankAccountNumber, d.LoanPurpose, d.LoanPurposeDesc,
			d.IsVerificationAgreed, d.IsTermAccepted, ms(at)); err != nil {
			return db.conflict(err)
		}
		return nil
	})
}
