-- Completing an application: OTP codes and limits, verified phones, the
-- sandbox SMS outbox, images and the customer data of the complete step.

-- One row per code sent. Only an HMAC of the code is kept (key_id names the
-- server key). closed_at is set when the code is used, burned after too many
-- wrong tries, or superseded by a newer code.
CREATE TABLE otp_codes (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    phone          TEXT    NOT NULL,
    code_hash      TEXT    NOT NULL,
    key_id         TEXT    NOT NULL,
    sent_at        BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    attempts       INTEGER NOT NULL,
    closed_at      BIGINT,
    close_reason   TEXT
);
CREATE INDEX otp_codes_app ON otp_codes (application_id, sent_at);
CREATE INDEX otp_codes_phone ON otp_codes (phone, sent_at);

-- Consecutive failed validations of an application (not reset by a new code)
-- and the lock they lead to.
CREATE TABLE otp_state (
    application_id       BIGINT  PRIMARY KEY REFERENCES applications (id),
    consecutive_failures INTEGER NOT NULL,
    locked_until         BIGINT  NOT NULL
);

-- A row per phone that was ever sent a code: locked while counting the
-- phone's daily sends, so that instances racing cannot exceed the cap.
CREATE TABLE otp_phones (
    phone TEXT PRIMARY KEY
);

CREATE TABLE verified_phones (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    phone          TEXT   NOT NULL,
    verified_at    BIGINT NOT NULL,
    PRIMARY KEY (application_id, phone)
);

-- Sandbox only: the messages the log SMS provider "sent", readable by the
-- partner that owns the application.
CREATE TABLE sms_outbox (
    id             INTEGER PRIMARY KEY,
    partner_id     BIGINT  NOT NULL REFERENCES partners (id),
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    phone          TEXT    NOT NULL,
    message        TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL
);
CREATE INDEX sms_outbox_partner_phone ON sms_outbox (partner_id, phone, created_at);

-- Uploaded images. A new upload of a type supersedes the current one, which
-- is kept as history; at most one image per type is current.
CREATE TABLE images (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    image_type     TEXT    NOT NULL,
    blob_key       TEXT    NOT NULL,
    content_type   TEXT    NOT NULL,
    size_bytes     BIGINT  NOT NULL,
    sha256         TEXT    NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    created_at     BIGINT  NOT NULL,
    superseded_at  BIGINT
);
CREATE INDEX images_app ON images (application_id, image_type);
CREATE UNIQUE INDEX images_current ON images (application_id, image_type) WHERE superseded_at IS NULL;

-- The complete-data step. Texts as sent (trimmed), dropdown values in their
-- canonical spelling, phones in the 08 form, dates as YYYY-MM-DD, money in
-- whole rupiah.
CREATE TABLE application_details (
    application_id         BIGINT  PRIMARY KEY REFERENCES applications (id),
    fullname               TEXT    NOT NULL,
    birth_place            TEXT    NOT NULL,
    dob                    TEXT    NOT NULL,
    gender                 TEXT    NOT NULL,
    mother_maiden_name     TEXT    NOT NULL,
    address_street_num     TEXT    NOT NULL,
    address_provinsi       TEXT    NOT NULL,
    address_kabupaten      TEXT    NOT NULL,
    address_kecamatan      TEXT    NOT NULL,
    address_kelurahan      TEXT    NOT NULL,
    address_kodepos        TEXT    NOT NULL,
    occupied_since         TEXT,
    home_status            TEXT    NOT NULL,
    marital_status         TEXT    NOT NULL,
    dependent              INTEGER NOT NULL,
    mobile_phone_1         TEXT    NOT NULL,
    mobile_phone_2         TEXT,
    spouse_name            TEXT,
    spouse_dob             TEXT,
    spouse_mobile_phone    TEXT,
    close_kin_name         TEXT,
    close_kin_mobile_phone TEXT,
    kin_relationship       TEXT    NOT NULL,
    kin_name               TEXT    NOT NULL,
    kin_dob                TEXT,
    kin_mobile_phone       TEXT    NOT NULL,
    job_type               TEXT    NOT NULL,
    job_industry           TEXT,
    job_description        TEXT,
    company_name           TEXT,
    company_phone_number   TEXT,
    job_start              TEXT,
    payday                 INTEGER,
    last_education         TEXT    NOT NULL,
    monthly_income         BIGINT  NOT NULL,
    monthly_expenses       BIGINT  NOT NULL,
    monthly_housing_cost   BIGINT  NOT NULL,
    total_current_debt     BIGINT  NOT NULL,
    bank_name              TEXT    NOT NULL,
    bank_account_number    TEXT    NOT NULL,
    loan_purpose           TEXT    NOT NULL,
    loan_purpose_desc      TEXT    NOT NULL,
    is_verification_agreed BOOLEAN NOT NULL,
    is_term_accepted       BOOLEAN NOT NULL,
    submitted_at           BIGINT  NOT NULL
);
