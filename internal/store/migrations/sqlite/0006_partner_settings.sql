-- Issue 16's schema, in one migration so that its items can land in any
-- order: return-URL prefixes per partner, key-check values, and columns the
-- production-shaped external-data status and the sandbox outbox need.

-- Where a partner may send its customers back after an external step (the
-- BPJS login): a redirect_url must start with one of these prefixes.
CREATE TABLE partner_return_urls (
    id          INTEGER PRIMARY KEY,
    partner_id  BIGINT  NOT NULL REFERENCES partners (id),
    prefix      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX partner_return_urls_prefix ON partner_return_urls (partner_id, prefix);

-- One row per server key (key_set: pin_pepper, partner, lookup, otp; key_id
-- as in the key file) first used with this database: an HMAC of a fixed
-- label under that key, so that an instance started with other keys is
-- refused instead of silently failing every check.
CREATE TABLE key_checks (
    key_set     TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    check_value TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (key_set, key_id)
);

-- Why an import ended as it did (wrong_credentials, bank_unavailable,
-- scrape_failed, load_failed; NULL while running or verified).
ALTER TABLE bank_imports ADD COLUMN reason TEXT;

-- When the customer submitted the BPJS login (the task is then ongoing),
-- and where to send the customer afterwards.
ALTER TABLE bpjs_tasks ADD COLUMN submitted_at BIGINT;
ALTER TABLE bpjs_tasks ADD COLUMN redirect_url TEXT;

-- Sandbox only: the OTP code of an outbox message, as its own field.
ALTER TABLE sms_outbox ADD COLUMN otp TEXT;
