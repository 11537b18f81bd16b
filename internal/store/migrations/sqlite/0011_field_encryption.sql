-- Issue 10, item 1: personal data is stored sealed under a data key of the
-- customer's own (customer_keys, wrapped by the keyring's data set), and
-- looked up through blind indexes (keyed HMACs) with the unique indexes on
-- them. This migration adds the new columns and tables; the program then
-- seals every existing row in the same transaction (store/pii_migrate.go,
-- which needs the keys), and 0012 drops the plaintext columns.

-- A customer's data key, wrapped (AES-256-GCM) by the data-set key kek_id.
-- wrapped is NULL once the customer is erased (crypto-shredded): its rows
-- stay for accounting and none of them opens again.
CREATE TABLE customer_keys (
    customer_id BIGINT PRIMARY KEY REFERENCES customers (id),
    kek_id      TEXT   NOT NULL,
    wrapped     TEXT,
    created_at  BIGINT NOT NULL,
    rewrapped_at BIGINT,
    shredded_at BIGINT
);
CREATE INDEX customer_keys_kek ON customer_keys (kek_id);

-- Settings of the store itself: blind_index_key, the lookup key id every
-- blind index of this database is made with (pinned on first use).
CREATE TABLE store_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

ALTER TABLE customers ADD COLUMN nik_bidx TEXT;
ALTER TABLE customers ADD COLUMN email_bidx TEXT;
ALTER TABLE customers ADD COLUMN nik_sealed TEXT;
ALTER TABLE customers ADD COLUMN email_sealed TEXT;
ALTER TABLE customers ADD COLUMN position_sealed TEXT;

ALTER TABLE otp_codes ADD COLUMN phone_bidx TEXT;
ALTER TABLE otp_codes ADD COLUMN phone_sealed TEXT;

-- Replaces otp_phones: the row a send locks while counting the phone's
-- daily sends, keyed by the phone's blind index.
CREATE TABLE otp_phone_locks (
    phone_bidx TEXT PRIMARY KEY
);

-- Replaces verified_phones (0012 renames it): the phone as a blind index
-- (the key) and sealed.
CREATE TABLE phone_verifications (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    phone_bidx     TEXT   NOT NULL,
    phone_sealed   TEXT   NOT NULL,
    verified_at    BIGINT NOT NULL,
    PRIMARY KEY (application_id, phone_bidx)
);

ALTER TABLE sms_outbox ADD COLUMN phone_bidx TEXT;
ALTER TABLE sms_outbox ADD COLUMN phone_sealed TEXT;
ALTER TABLE sms_outbox ADD COLUMN message_sealed TEXT;
ALTER TABLE sms_outbox ADD COLUMN otp_sealed TEXT;

-- The complete step's personal data, sealed as one JSON document (names,
-- dates and places of birth, the address, phones, the company, the bank
-- account number and the free texts); the rest stays in its columns for
-- the credit decision to read. Consent is kept with its time and the
-- version of the terms the customer accepted (issue 10, item 4).
ALTER TABLE application_details ADD COLUMN pii_sealed TEXT;
ALTER TABLE application_details ADD COLUMN bank_account_bidx TEXT;
ALTER TABLE application_details ADD COLUMN consented_at BIGINT;
ALTER TABLE application_details ADD COLUMN terms_version TEXT NOT NULL DEFAULT '';

-- The audit row of an erased customer (julo customer erase, or the purge of
-- customers whose applications never reached 105): no personal data, only
-- the customer's row id, when, why and what was done.
CREATE TABLE customer_erasures (
    id           INTEGER PRIMARY KEY,
    customer_id  BIGINT  NOT NULL REFERENCES customers (id),
    erased_at    BIGINT  NOT NULL,
    reason       TEXT    NOT NULL,
    applications INTEGER NOT NULL,
    cancelled    INTEGER NOT NULL,
    images       INTEGER NOT NULL
);
CREATE UNIQUE INDEX customer_erasures_customer ON customer_erasures (customer_id);
