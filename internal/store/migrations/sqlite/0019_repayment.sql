-- Issue 14 (repayment).
--
-- Each installment carries what is charged and paid of it: late_fee (the
-- daily fees charged so far), waived_interest (the later interest an early
-- payoff does not charge), the paid parts, and paid_off_on (the Jakarta
-- day its last rupiah was paid). Written only by the repayment's store
-- operations (store/payments.go), in the transaction of the payment or of
-- the day's lateness, with the loan's row held.
ALTER TABLE loan_installments ADD COLUMN late_fee BIGINT NOT NULL DEFAULT 0 CHECK (late_fee >= 0);
ALTER TABLE loan_installments ADD COLUMN waived_interest BIGINT NOT NULL DEFAULT 0 CHECK (waived_interest >= 0);
ALTER TABLE loan_installments ADD COLUMN paid_principal BIGINT NOT NULL DEFAULT 0 CHECK (paid_principal >= 0 AND paid_principal <= principal);
ALTER TABLE loan_installments ADD COLUMN paid_interest BIGINT NOT NULL DEFAULT 0 CHECK (paid_interest >= 0 AND paid_interest + waived_interest <= interest);
ALTER TABLE loan_installments ADD COLUMN paid_late_fee BIGINT NOT NULL DEFAULT 0 CHECK (paid_late_fee >= 0 AND paid_late_fee <= late_fee);
ALTER TABLE loan_installments ADD COLUMN paid_off_on TEXT;

-- lateness_through: the last Jakarta day whose late fees and DPD status
-- are applied (the disbursement day at first). clock_offset_days: the
-- sandbox test clock's advance of this loan's own day (0 in production;
-- every advance is a loan_clock_advances row). paid_off_at: when it
-- reached 250.
ALTER TABLE loans ADD COLUMN lateness_through TEXT;
ALTER TABLE loans ADD COLUMN clock_offset_days INTEGER NOT NULL DEFAULT 0 CHECK (clock_offset_days >= 0);
ALTER TABLE loans ADD COLUMN paid_off_at BIGINT;
-- The daily lateness reads the loans being repaid.
CREATE INDEX loans_repaying ON loans (id) WHERE status >= 220 AND status < 250;

CREATE TABLE loan_clock_advances (
    id          INTEGER PRIMARY KEY,
    loan_id     BIGINT  NOT NULL REFERENCES loans (id),
    days        INTEGER NOT NULL CHECK (days > 0),
    offset_days INTEGER NOT NULL,
    advanced_at BIGINT  NOT NULL
);
CREATE INDEX loan_clock_advances_loan ON loan_clock_advances (loan_id);

-- An application's payment code: the part of each of the customer's
-- virtual account numbers after the bank's prefix (random, so not personal
-- data; stable: made once, when first shown). By application, as the
-- credit limit is: a customer's loans with one partner are paid through
-- that partner's numbers only.
CREATE TABLE payment_codes (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    code        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX payment_codes_code ON payment_codes (code);

-- payments: every transfer to a virtual account, once per (source,
-- payment_id): the gateway's id is unique, so a repeat delivery (or two
-- instances taking the same one) finds the row and applies nothing.
-- status applied, or refused (more than the customer owes: nothing
-- allocated, the amount to be returned; refusal names why). The amount is
-- always allocated in whole (payment_allocations) or refused in whole.
CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    source          TEXT    NOT NULL CHECK (source IN ('gateway', 'sandbox')),
    payment_id      TEXT    NOT NULL,
    application_id  BIGINT  NOT NULL REFERENCES applications (id),
    partner_id      BIGINT  NOT NULL REFERENCES partners (id),
    bank_code       TEXT    NOT NULL,
    virtual_account TEXT    NOT NULL,
    amount          BIGINT  NOT NULL CHECK (amount > 0),
    status          TEXT    NOT NULL CHECK (status IN ('applied', 'refused')),
    refusal         TEXT,
    paid_at         BIGINT  NOT NULL,
    received_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX payments_payment_id ON payments (source, payment_id);
CREATE INDEX payments_application ON payments (application_id);

CREATE TABLE payment_allocations (
    payment_id      BIGINT  NOT NULL REFERENCES payments (id),
    loan_id         BIGINT  NOT NULL REFERENCES loans (id),
    number          INTEGER NOT NULL,
    late_fee        BIGINT  NOT NULL CHECK (late_fee >= 0),
    interest        BIGINT  NOT NULL CHECK (interest >= 0),
    principal       BIGINT  NOT NULL CHECK (principal >= 0),
    waived_interest BIGINT  NOT NULL DEFAULT 0 CHECK (waived_interest >= 0),
    PRIMARY KEY (payment_id, loan_id, number)
);
CREATE INDEX payment_allocations_loan ON payment_allocations (loan_id);
