package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// sealExistingRows is migration 0011's Go step: it seals the personal data
// of every existing row into the new columns (0012 then drops the plaintext
// ones), in the migration's transaction, a batch of rows at a time (read a
// batch, then write it: PostgreSQL's protocol runs one statement at a time
// on a connection). A database with personal data and no keys is refused:
// run the migration with the server's keys (julo migrate loads them as
// julo serve does).
func sealExistingRows(ctx context.Context, db *DB, tx *sql.Tx) error {
	var customers int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&customers); err != nil {
		return err
	}
	if customers == 0 {
		return nil
	}
	if db.pii == nil {
		return fmt.Errorf("the database holds %d customers whose personal data this migration encrypts, and the store has no keys: %w", customers, ErrNoKeys)
	}
	bidx, err := db.blindIndexes(ctx, tx)
	if err != nil {
		return err
	}
	keys := map[int64]*customerKey{}
	const batch = 500

	type customer struct {
		id, created int64
		nik, email  string
		lat, lon    float64
	}
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, nik, email, latitude, longitude, created_at FROM customers
			WHERE nik_sealed IS NULL ORDER BY id LIMIT $1`, batch)
		if err != nil {
			return err
		}
		var cs []customer
		for rows.Next() {
			var c customer
			if err := rows.Scan(&c.id, &c.nik, &c.email, &c.lat, &c.lon, &c.created); err != nil {
				rows.Close()
				return err
			}
			cs = append(cs, c)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(cs) == 0 {
			break
		}
		for _, c := range cs {
			k, raw, err := db.newCustomerKey()
			if err != nil {
				return err
			}
			keys[c.id] = k
			nik, err1 := k.seal(db.random(), colNIK, c.nik)
			email, err2 := k.seal(db.random(), colEmail, c.email)
			pos, err3 := k.seal(db.random(), colPosition, position(c.lat, c.lon))
			if err := errors.Join(err1, err2, err3); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET nik_bidx = $2, email_bidx = $3, nik_sealed = $4, email_sealed = $5,
				position_sealed = $6 WHERE id = $1`, c.id, bidx(bidxNIK, c.nik), bidx(bidxEmail, c.email), nik, email, pos); err != nil {
				return err
			}
			if err := db.insertCustomerKey(ctx, tx, c.id, raw, c.created); err != nil {
				return err
			}
		}
	}
	keyOf := func(customerID int64) (*customerKey, error) {
		if k := keys[customerID]; k != nil {
			return k, nil
		}
		return nil, fmt.Errorf("customer %d has no key after sealing", customerID)
	}

	// OTP codes: the phone as a blind index (the daily cap counts by it)
	// and sealed.
	type phoneRow struct {
		id, customerID int64
		phone          string
	}
	for {
		rows, err := tx.QueryContext(ctx, `SELECT o.id, a.customer_id, o.phone FROM otp_codes o
			JOIN applications a ON a.id = o.application_id WHERE o.phone_sealed IS NULL ORDER BY o.id LIMIT $1`, batch)
		if err != nil {
			return err
		}
		var ps []phoneRow
		for rows.Next() {
			var p phoneRow
			if err := rows.Scan(&p.id, &p.customerID, &p.phone); err != nil {
				rows.Close()
				return err
			}
			ps = append(ps, p)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(ps) == 0 {
			break
		}
		for _, p := range ps {
			k, err := keyOf(p.customerID)
			if err != nil {
				return err
			}
			sealed, err := k.seal(db.random(), colOTPPhone, p.phone)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE otp_codes SET phone_bidx = $2, phone_sealed = $3 WHERE id = $1`,
				p.id, bidx(bidxPhone, p.phone), sealed); err != nil {
				return err
			}
		}
	}

	// Verified phones move to phone_verifications (0012 renames it).
	type verified struct {
		applicationID, customerID, at int64
		phone                         string
	}
	rows, err := tx.QueryContext(ctx, `SELECT v.application_id, a.customer_id, v.phone, v.verified_at FROM verified_phones v
		JOIN applications a ON a.id = v.application_id ORDER BY v.application_id, v.phone`)
	if err != nil {
		return err
	}
	var vs []verified
	for rows.Next() {
		var v verified
		if err := rows.Scan(&v.applicationID, &v.customerID, &v.phone, &v.at); err != nil {
			rows.Close()
			return err
		}
		vs = append(vs, v)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, v := range vs {
		k, err := keyOf(v.customerID)
		if err != nil {
			return err
		}
		sealed, err := k.seal(db.random(), colVerifiedPhone, v.phone)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO phone_verifications (application_id, phone_bidx, phone_sealed, verified_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (application_id, phone_bidx) DO NOTHING`,
			v.applicationID, bidx(bidxPhone, v.phone), sealed, v.at); err != nil {
			return err
		}
	}

	// The sandbox outbox.
	type sms struct {
		id, customerID int64
		phone, message string
		otp            sql.NullString
	}
	for {
		rows, err := tx.QueryContext(ctx, `SELECT o.id, a.customer_id, o.phone, o.message, o.otp FROM sms_outbox o
			JOIN applications a ON a.id = o.application_id WHERE o.phone_sealed IS NULL ORDER BY o.id LIMIT $1`, batch)
		if err != nil {
			return err
		}
		var ms []sms
		for rows.Next() {
			var m sms
			if err := rows.Scan(&m.id, &m.customerID, &m.phone, &m.message, &m.otp); err != nil {
				rows.Close()
				return err
			}
			ms = append(ms, m)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(ms) == 0 {
			break
		}
		for _, m := range ms {
			k, err := keyOf(m.customerID)
			if err != nil {
				return err
			}
			phone, err1 := k.seal(db.random(), colSMSPhone, m.phone)
			msg, err2 := k.seal(db.random(), colSMSMessage, m.message)
			var otp *string
			if m.otp.Valid {
				otp = &m.otp.String
			}
			otpSealed, err3 := k.sealNull(db.random(), colSMSOTP, otp)
			if err := errors.Join(err1, err2, err3); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE sms_outbox SET phone_bidx = $2, phone_sealed = $3, message_sealed = $4, otp_sealed = $5
				WHERE id = $1`, m.id, bidx(bidxPhone, m.phone), phone, msg, otpSealed); err != nil {
				return err
			}
		}
	}

	// The complete step's personal data. Consent was given at submission;
	// which terms were shown then was not recorded (terms_version '').
	type details struct {
		applicationID, customerID int64
		p                         detailsPII
	}
	for {
		rows, err := tx.QueryContext(ctx, `SELECT d.application_id, a.customer_id,
			d.fullname, d.birth_place, d.dob, d.mother_maiden_name,
			d.address_street_num, d.address_provinsi, d.address_kabupaten, d.address_kecamatan, d.address_kelurahan, d.address_kodepos,
			d.mobile_phone_1, d.mobile_phone_2, d.spouse_name, d.spouse_dob, d.spouse_mobile_phone, d.close_kin_name, d.close_kin_mobile_phone,
			d.kin_name, d.kin_dob, d.kin_mobile_phone, d.job_description, d.company_name, d.company_phone_number,
			d.bank_account_number, d.loan_purpose_desc
			FROM application_details d JOIN applications a ON a.id = d.application_id
			WHERE d.pii_sealed IS NULL ORDER BY d.application_id LIMIT $1`, batch)
		if err != nil {
			return err
		}
		var ds []details
		for rows.Next() {
			var d details
			var mp2, sn, sd, sm, ckn, ckm, kd, jd, cn, cp sql.NullString
			p := &d.p
			if err := rows.Scan(&d.applicationID, &d.customerID, &p.Fullname, &p.BirthPlace, &p.DOB, &p.MotherMaidenName,
				&p.AddressStreetNum, &p.AddressProvinsi, &p.AddressKabupaten, &p.AddressKecamatan, &p.AddressKelurahan, &p.AddressKodepos,
				&p.MobilePhone1, &mp2, &sn, &sd, &sm, &ckn, &ckm, &p.KinName, &kd, &p.KinMobilePhone, &jd, &cn, &cp,
				&p.BankAccountNumber, &p.LoanPurposeDesc); err != nil {
				rows.Close()
				return err
			}
			p.MobilePhone2, p.SpouseName, p.SpouseDOB, p.SpouseMobilePhone = nullPtr(mp2), nullPtr(sn), nullPtr(sd), nullPtr(sm)
			p.CloseKinName, p.CloseKinMobilePhone, p.KinDOB = nullPtr(ckn), nullPtr(ckm), nullPtr(kd)
			p.JobDescription, p.CompanyName, p.CompanyPhoneNumber = nullPtr(jd), nullPtr(cn), nullPtr(cp)
			ds = append(ds, d)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(ds) == 0 {
			break
		}
		for _, d := range ds {
			k, err := keyOf(d.customerID)
			if err != nil {
				return err
			}
			sealed, err := d.p.seal(db, k)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE application_details SET pii_sealed = $2, bank_account_bidx = $3,
				consented_at = submitted_at WHERE application_id = $1`,
				d.applicationID, sealed, bidx(bidxBankAccount, d.p.BankAccountNumber)); err != nil {
				return err
			}
		}
	}
	return nil
}

func nullPtr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}
