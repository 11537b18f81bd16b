-- Partners, their secrets, customers, applications and the pre-register guard.
-- Times are unix milliseconds (BIGINT) in every dialect, so comparisons in SQL
-- are exact and the store code is the same for SQLite and PostgreSQL.

CREATE TABLE partners (
    id          INTEGER PRIMARY KEY,
    username    TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL,
    disabled_at BIGINT
);

-- Only a keyed hash of each secret is kept; key_id names the server key.
CREATE TABLE partner_secrets (
    id          INTEGER PRIMARY KEY,
    partner_id  BIGINT  NOT NULL REFERENCES partners (id),
    key_id      TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX partner_secrets_partner ON partner_secrets (partner_id);

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    partner_id  BIGINT  NOT NULL REFERENCES partners (id),
    nik         TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    pin_hash    TEXT    NOT NULL,
    pin_key_id  TEXT    NOT NULL,
    latitude    DOUBLE PRECISION NOT NULL,
    longitude   DOUBLE PRECISION NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX customers_nik ON customers (nik);
CREATE UNIQUE INDEX customers_email ON customers (email);

CREATE TABLE applications (
    id          INTEGER PRIMARY KEY,
    xid         BIGINT  NOT NULL,
    partner_id  BIGINT  NOT NULL REFERENCES partners (id),
    customer_id BIGINT  NOT NULL REFERENCES customers (id),
    status      INTEGER NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX applications_xid ON applications (xid);
CREATE INDEX applications_partner ON applications (partner_id);

CREATE TABLE application_status_history (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    from_status    INTEGER,
    to_status      INTEGER NOT NULL,
    changed_at     BIGINT  NOT NULL
);
CREATE INDEX application_status_history_app ON application_status_history (application_id);

-- email_key is an HMAC of the email: the guard holds no address.
CREATE TABLE prereg_guard (
    email_key    TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT  NOT NULL,
    locked_until BIGINT  NOT NULL
);
