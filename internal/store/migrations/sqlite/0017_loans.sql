-- Issue 13 (loans drawing on the credit limit).
--
-- loans: one draw on a credit account. Integer rupiah throughout; the
-- product terms (interest, provision) after any cap cut, and the dated
-- caps that applied (benefit per day, debt service), are stored with the
-- loan, so the agreement and the schedule are always the loan's own, whatever
-- the policy says later. status is written only by the status machine
-- (store/loans.go moveLoan), with a history row and an event.
-- dest_account_sealed: the customer's own account number (personal data,
-- sealed with the customer's key) for a self-account loan; a third-party
-- loan goes to the partner's settlement account (dest_account_plain, not
-- personal data).
CREATE TABLE loans (
    id                   INTEGER PRIMARY KEY,
    xid                  BIGINT  NOT NULL,
    application_id       BIGINT  NOT NULL REFERENCES applications (id),
    partner_id           BIGINT  NOT NULL REFERENCES partners (id),
    customer_id          BIGINT  NOT NULL REFERENCES customers (id),
    status               INTEGER NOT NULL,
    requested_amount     BIGINT  NOT NULL CHECK (requested_amount > 0),
    loan_amount          BIGINT  NOT NULL CHECK (loan_amount > 0),
    provision_amount     BIGINT  NOT NULL CHECK (provision_amount >= 0),
    disbursement_amount  BIGINT  NOT NULL CHECK (disbursement_amount > 0),
    cashback_amount      BIGINT  NOT NULL DEFAULT 0 CHECK (cashback_amount >= 0),
    duration_months      INTEGER NOT NULL CHECK (duration_months > 0),
    installment_amount   BIGINT  NOT NULL CHECK (installment_amount > 0),
    first_installment    BIGINT  NOT NULL CHECK (first_installment > 0),
    total_interest       BIGINT  NOT NULL CHECK (total_interest >= 0),
    interest_bps         BIGINT  NOT NULL CHECK (interest_bps >= 0),
    provision_bps        BIGINT  NOT NULL CHECK (provision_bps >= 0),
    benefit_days         INTEGER NOT NULL,
    daily_cost_ppm       BIGINT  NOT NULL,
    cap_from             TEXT    NOT NULL,
    cap_daily_ppm        BIGINT  NOT NULL,
    cap_source           TEXT    NOT NULL,
    dsr_cap_from         TEXT    NOT NULL,
    dsr_cap_bps          BIGINT  NOT NULL,
    dsr_cap_source       TEXT    NOT NULL,
    policy_version       TEXT    NOT NULL,
    transaction_type     INTEGER NOT NULL,
    self_bank_account    BOOLEAN NOT NULL,
    loan_purpose         TEXT,
    dest_bank_code       TEXT    NOT NULL,
    dest_account_sealed  TEXT,
    dest_account_plain   TEXT,
    created_at           BIGINT  NOT NULL,
    expires_at           BIGINT  NOT NULL,
    signed_at            BIGINT,
    approved_at          BIGINT,
    disbursement_ref     TEXT,
    disbursement_at      BIGINT,
    fund_transfer_at     BIGINT,
    failure_reason       TEXT,
    updated_at           BIGINT  NOT NULL,
    CHECK (disbursement_amount = loan_amount - provision_amount)
);
CREATE UNIQUE INDEX loans_xid ON loans (xid);
CREATE INDEX loans_application ON loans (application_id);
CREATE UNIQUE INDEX loans_disbursement_ref ON loans (disbursement_ref);
-- The expiry sweep reads loans still at 210 by creation.
CREATE INDEX loans_unsigned ON loans (expires_at) WHERE status = 210;

-- The schedule: the sum of principals equals the loan (checked by the
-- domain and by the store before insert). due_date is the calendar day in
-- Asia/Jakarta, YYYY-MM-DD.
CREATE TABLE loan_installments (
    loan_id    BIGINT  NOT NULL REFERENCES loans (id),
    number     INTEGER NOT NULL CHECK (number > 0),
    due_date   TEXT    NOT NULL,
    principal  BIGINT  NOT NULL CHECK (principal >= 0),
    interest   BIGINT  NOT NULL CHECK (interest >= 0),
    total      BIGINT  NOT NULL,
    PRIMARY KEY (loan_id, number),
    CHECK (total = principal + interest)
);

CREATE TABLE loan_status_history (
    id          INTEGER PRIMARY KEY,
    loan_id     BIGINT  NOT NULL REFERENCES loans (id),
    from_status INTEGER,
    to_status   INTEGER NOT NULL,
    changed_at  BIGINT  NOT NULL,
    reason      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX loan_status_history_loan ON loan_status_history (loan_id);

-- A loan's signature image (the KYC image rules; its blob sealed like the
-- KYC images). The newest is current.
CREATE TABLE loan_images (
    id           INTEGER PRIMARY KEY,
    public_id    BIGINT  NOT NULL,
    loan_id      BIGINT  NOT NULL REFERENCES loans (id),
    image_type   TEXT    NOT NULL,
    blob_key     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX loan_images_public ON loan_images (public_id);
CREATE INDEX loan_images_loan ON loan_images (loan_id);
CREATE UNIQUE INDEX loan_images_blob ON loan_images (blob_key);

-- A partner's loan settings (`julo partner set`): whether signing needs a
-- signature image (default yes, as production), whether its loans wait
-- for an operator's approval at 211 (default no: approved automatically),
-- and the settlement account third-party loans are paid to (the partner's
-- own, not personal data).
CREATE TABLE partner_loan_settings (
    partner_id          BIGINT  PRIMARY KEY REFERENCES partners (id),
    signature_required  BOOLEAN NOT NULL DEFAULT 1,
    hold_for_operator   BOOLEAN NOT NULL DEFAULT 0,
    settlement_bank     TEXT,
    settlement_account  TEXT,
    updated_at          BIGINT  NOT NULL
);
