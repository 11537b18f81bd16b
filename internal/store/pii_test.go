package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// migrateTo applies the migrations up to version v (the test's way to make
// a database as an older program left it).
func migrateTo(t *testing.T, db *DB, v int) {
	t.Helper()
	all, err := loadMigrations(db.dialect.name)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all[:v] {
		if _, err := db.w.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("%04d: %v", m.version, err)
		}
		if _, err := db.w.ExecContext(ctx, `INSERT INTO schema_migrations VALUES ($1, $2, 0)`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
}

// Migration 0011 seals the rows an older program stored in plain text, and
// 0012 drops the plain columns: afterwards every value opens again through
// the store, and none is left readable.
func TestMigrationSealsExistingPersonalData(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.open(t)
		migrateTo(t, db, 10)
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.w.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO partners (id, username, created_at) VALUES (1, 'acme', 0)`)
		exec(`INSERT INTO customers (id, partner_id, nik, email, pin_hash, pin_key_id, latitude, longitude, created_at)
			VALUES (7, 1, '3173050101920001', 'old.plain@example.com', 'h', 'k1', -6.1815657, 106.7229445, 0)`)
		exec(`INSERT INTO applications (id, xid, partner_id, customer_id, status, created_at, updated_at) VALUES (9, 1234567890, 1, 7, 105, 0, 0)`)
		exec(`INSERT INTO otp_codes (application_id, phone, code_hash, key_id, sent_at, expires_at, attempts) VALUES (9, '085712345678', 'c', 'k', 1, 2, 0)`)
		exec(`INSERT INTO otp_phones (phone) VALUES ('085712345678')`)
		exec(`INSERT INTO verified_phones (application_id, phone, verified_at) VALUES (9, '085712345678', 3)`)
		exec(`INSERT INTO sms_outbox (partner_id, application_id, phone, message, otp, created_at) VALUES (1, 9, '085712345678', 'kode 123456', '123456', 4)`)
		exec(`INSERT INTO application_details (application_id, fullname, birth_place, dob, gender, mother_maiden_name,
			address_street_num, address_provinsi, address_kabupaten, address_kecamatan, address_kelurahan, address_kodepos,
			home_status, marital_status, dependent, mobile_phone_1, kin_relationship, kin_name, kin_mobile_phone,
			job_type, last_education, monthly_income, monthly_expenses, monthly_housing_cost, total_current_debt,
			bank_name, bank_account_number, loan_purpose, loan_purpose_desc, is_verification_agreed, is_term_accepted, submitted_at)
			VALUES (9, 'Wibisono Hadiprojo', 'Jakarta', '1992-01-01', 'Pria', 'Sumarsih Pertiwi',
			'Jalan Kenanga 17', 'DKI Jakarta', 'Jakarta Barat', 'Cengkareng', 'Cengkareng Barat', '11730',
			'Milik sendiri, lunas', 'Lajang', 0, '085712345678', 'Saudara kandung', 'Bramantyo Kusumo', '087778231801',
			'Pegawai swasta', 'Diploma', 10000000, 500000, 0, 0, 'BCA', '0698812345', 'Membeli kendaraan', 'motor', true, true, 5)`)

		// Without keys the migration refuses: it would leave plain text.
		bare, err := Open(ctx, d.url, d.dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bare.Migrate(ctx); err == nil {
			t.Fatal("migrated personal data without keys")
		}
		bare.Close()

		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		c, err := db.CustomerByNIK(ctx, "3173050101920001")
		if err != nil {
			t.Fatal(err)
		}
		a := c.Applications[0]
		if c.Email != "old.plain@example.com" || c.Latitude != -6.1815657 || c.Longitude != 106.7229445 ||
			a.Details.Fullname != "Wibisono Hadiprojo" || a.Details.BankAccountNumber != "0698812345" ||
			a.Details.MotherMaidenName != "Sumarsih Pertiwi" || len(a.VerifiedPhones) != 1 || a.VerifiedPhones[0].Phone != "085712345678" ||
			len(a.OTPSends) != 1 || a.OTPSends[0].Phone != "085712345678" || len(a.SandboxSMS) != 1 || a.SandboxSMS[0].Message != "kode 123456" {
			t.Fatalf("after the migration: %+v %+v", c, a)
		}
		if a.Details.ConsentedAt == nil || a.Details.TermsVersion != "" {
			t.Fatalf("consent of a migrated row: %v %q", a.Details.ConsentedAt, a.Details.TermsVersion)
		}
		// Lookups go through the blind indexes.
		nik, email, err := db.Holders(ctx, "3173050101920001", "old.plain@example.com")
		if err != nil || nik == nil || email == nil || nik.CustomerID != 7 {
			t.Fatalf("holders %+v %+v %v", nik, email, err)
		}
		sms, err := db.ListSMS(ctx, 1, "085712345678", 10)
		if err != nil || len(sms) != 1 || sms[0].OTP != "123456" {
			t.Fatalf("outbox %+v %v", sms, err)
		}
		if d.url == "" {
			db.Close()
			files, _ := filepath.Glob(filepath.Join(d.dir, "julo.db*"))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				for _, v := range []string{"3173050101920001", "old.plain@example.com", "085712345678", "Wibisono", "0698812345", "Sumarsih"} {
					if bytes.Contains(b, []byte(v)) {
						t.Errorf("%q is still readable in %s after the migration", v, filepath.Base(f))
					}
				}
			}
		}
	})
}

// Rotation: a new current data key wraps new customers; RewrapCustomerKeys
// moves the old ones in batches, and afterwards the old key can go.
func TestRewrapCustomerKeysMovesEveryKeyToTheCurrentDataKey(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		p, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
		niks := []string{"3173050101920001", "3173050101920002", "3173050101920003"}
		for i, nik := range niks {
			if _, err := db.Register(ctx, registration(p.ID, nik, nik+"@test.com", int64(1234567890+i))); err != nil {
				t.Fatal(err)
			}
		}
		rotated := testKeys
		rotated.Data = onboarding.KeySet{Current: "d2", Keys: map[string][]byte{
			"d1": testKeys.Data.Keys["d1"], "d2": []byte("fedcba9876543210fedcba9876543210")}}
		db2 := d.open(t)
		if err := db2.SetKeys(rotated); err != nil {
			t.Fatal(err)
		}
		// Old customers still open; a new one is wrapped by d2.
		if _, err := db2.CustomerByNIK(ctx, niks[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := db2.Register(ctx, registration(p.ID, "3173050101920004", "new@test.com", 1234567899)); err != nil {
			t.Fatal(err)
		}
		counts, _ := db2.CustomerKeysByDataKey(ctx)
		if counts["d1"] != 3 || counts["d2"] != 1 {
			t.Fatalf("before: %v", counts)
		}
		n, left, err := db2.RewrapCustomerKeys(ctx, 2, at.Add(time.Hour))
		if err != nil || n != 2 || left != 1 {
			t.Fatalf("first batch: %d rewrapped, %d left, %v", n, left, err)
		}
		n, left, err = db2.RewrapCustomerKeys(ctx, 2, at.Add(time.Hour))
		if err != nil || n != 1 || left != 0 {
			t.Fatalf("second batch: %d rewrapped, %d left, %v", n, left, err)
		}
		// Without d1 every customer still opens.
		onlyNew := rotated
		onlyNew.Data = onboarding.KeySet{Current: "d2", Keys: map[string][]byte{"d2": rotated.Data.Keys["d2"]}}
		db3 := d.open(t)
		if err := db3.SetKeys(onlyNew); err != nil {
			t.Fatal(err)
		}
		for _, nik := range append(niks, "3173050101920004") {
			c, err := db3.CustomerByNIK(ctx, nik)
			if err != nil || c.NIK != nik {
				t.Fatalf("%s after the rotation: %+v %v", nik, c, err)
			}
		}
		// A value moved to another column does not open.
		if _, err := db3.w.ExecContext(ctx, `UPDATE customers SET email_sealed = nik_sealed`); err != nil {
			t.Fatal(err)
		}
		if _, err := db3.CustomerByNIK(ctx, niks[0]); err == nil || julo.ErrorCode(err) == julo.ENOTFOUND {
			t.Fatalf("a NIK moved into the email column opened: %v", err)
		}
	})
}

// A value sealed with the data key opens with its authenticated data only.
func TestSealWithDataKeyIsBoundToItsContext(t *testing.T) {
	db := testDB{dir: t.TempDir()}.open(t)
	s, err := db.sealWithDataKey("t.a/1", []byte("secret answer"))
	if err != nil || bytes.Contains([]byte(s), []byte("secret")) {
		t.Fatalf("%q %v", s, err)
	}
	if b, err := db.openWithDataKey("t.a/1", s); err != nil || string(b) != "secret answer" {
		t.Fatalf("%q %v", b, err)
	}
	if _, err := db.openWithDataKey("t.a/2", s); err == nil {
		t.Fatal("opened under another context")
	}
}
