-- Issue 10, item 1, second step: every row was sealed by the program right
-- after 0011 (store/pii_migrate.go); the plaintext columns go, and the
-- unique indexes move to the blind indexes. (Dropping a column on PostgreSQL
-- marks the values dead; VACUUM (autovacuum) reclaims their space. On
-- SQLite it rewrites the table.)

DROP INDEX customers_nik;
DROP INDEX customers_email;
ALTER TABLE customers DROP COLUMN nik;
ALTER TABLE customers DROP COLUMN email;
ALTER TABLE customers DROP COLUMN latitude;
ALTER TABLE customers DROP COLUMN longitude;
-- One customer per NIK (the NIK is the person); an email is unique among the
-- customers that hold theirs. An erased customer has neither.
CREATE UNIQUE INDEX customers_nik_bidx ON customers (nik_bidx);
CREATE UNIQUE INDEX customers_email_bidx ON customers (email_bidx) WHERE released_at IS NULL;

DROP INDEX otp_codes_phone;
ALTER TABLE otp_codes DROP COLUMN phone;
CREATE INDEX otp_codes_phone_bidx ON otp_codes (phone_bidx, sent_at);
DROP TABLE otp_phones;

DROP TABLE verified_phones;
ALTER TABLE phone_verifications RENAME TO verified_phones;

DROP INDEX sms_outbox_partner_phone;
ALTER TABLE sms_outbox DROP COLUMN phone;
ALTER TABLE sms_outbox DROP COLUMN message;
ALTER TABLE sms_outbox DROP COLUMN otp;
CREATE INDEX sms_outbox_partner_phone ON sms_outbox (partner_id, phone_bidx, created_at);

ALTER TABLE application_details DROP COLUMN fullname;
ALTER TABLE application_details DROP COLUMN birth_place;
ALTER TABLE application_details DROP COLUMN dob;
ALTER TABLE application_details DROP COLUMN mother_maiden_name;
ALTER TABLE application_details DROP COLUMN address_street_num;
ALTER TABLE application_details DROP COLUMN address_provinsi;
ALTER TABLE application_details DROP COLUMN address_kabupaten;
ALTER TABLE application_details DROP COLUMN address_kecamatan;
ALTER TABLE application_details DROP COLUMN address_kelurahan;
ALTER TABLE application_details DROP COLUMN address_kodepos;
ALTER TABLE application_details DROP COLUMN mobile_phone_1;
ALTER TABLE application_details DROP COLUMN mobile_phone_2;
ALTER TABLE application_details DROP COLUMN spouse_name;
ALTER TABLE application_details DROP COLUMN spouse_dob;
ALTER TABLE application_details DROP COLUMN spouse_mobile_phone;
ALTER TABLE application_details DROP COLUMN close_kin_name;
ALTER TABLE application_details DROP COLUMN close_kin_mobile_phone;
ALTER TABLE application_details DROP COLUMN kin_name;
ALTER TABLE application_details DROP COLUMN kin_dob;
ALTER TABLE application_details DROP COLUMN kin_mobile_phone;
ALTER TABLE application_details DROP COLUMN job_description;
ALTER TABLE application_details DROP COLUMN company_name;
ALTER TABLE application_details DROP COLUMN company_phone_number;
ALTER TABLE application_details DROP COLUMN bank_account_number;
ALTER TABLE application_details DROP COLUMN loan_purpose_desc;
CREATE INDEX application_details_bank_account ON application_details (bank_account_bidx);
