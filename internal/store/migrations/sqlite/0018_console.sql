-- Issue 15 (the lender's operator console).
--
-- The console's applications list filters by status newest first (keyset
-- paging on the id): an index that gives those rows in that order, so a
-- page does not sort every application of the status.
CREATE INDEX applications_status_id ON applications (status, id);

-- operators: the lender's staff who log in to the console. The email is
-- the login (the operator's own, not a customer's); the password is an
-- argon2id hash (its parameters and salt in the text); must_change is set
-- by `julo operator create` (a one-time password) until the first change.
-- The TOTP secret is sealed with the data key bound to the operator's row
-- (totp_sealed); totp_enabled once the operator confirmed a code;
-- totp_last_step is the last time step accepted, so a code is never
-- accepted twice. failed counts consecutive failed logins; the 5th sets
-- locked_until. An operator is never deleted (the audit log names it):
-- disabled_at ends every way in.
CREATE TABLE operators (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    password_hash  TEXT    NOT NULL,
    must_change    BOOLEAN NOT NULL,
    totp_sealed    TEXT,
    totp_enabled   BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step BIGINT  NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    locked_until   BIGINT,
    disabled_at    BIGINT,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX operators_email ON operators (email);

-- operator_sessions: server-side sessions (every instance on the database
-- sees them). The cookie's id is stored only as a keyed hash (id_hash, a
-- blind index under the pinned lookup key): a copy of the table opens no
-- session. stage is what the session may do: 'password' (the password was
-- right; the second factor, its enrolment or a password change is still
-- due) or 'full'. last_seen moves with each request (30 minutes idle);
-- expires_at is the absolute end (12 hours). csrf is the token every form
-- of the session carries: useless without the cookie.
CREATE TABLE operator_sessions (
    id_hash     TEXT    PRIMARY KEY,
    operator_id BIGINT  NOT NULL REFERENCES operators (id),
    stage       TEXT    NOT NULL CHECK (stage IN ('password', 'full')),
    csrf        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);

-- console_requests: maker-checker. A decision that needs a second operator
-- (a limit above the computed one, an overturned rejection) is recorded
-- here by its maker and changes nothing until an admin who is not the
-- maker approves it (then it is carried out) or refuses it. params is the
-- decision as JSON (outcome, limit, reason code and the operator's text:
-- no customer data).
CREATE TABLE console_requests (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    application_xid BIGINT  NOT NULL,
    params          TEXT    NOT NULL,
    maker_id        BIGINT  NOT NULL REFERENCES operators (id),
    created_at      BIGINT  NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused', 'failed')),
    checker_id      BIGINT  REFERENCES operators (id),
    decided_at      BIGINT,
    outcome         TEXT,
    CHECK (checker_id IS NULL OR checker_id <> maker_id)
);
CREATE INDEX console_requests_pending ON console_requests (created_at) WHERE state = 'pending';

-- console_audit: every operator action and every unmasked view of personal
-- data: who (operator id), when, what (an action code and its target, such
-- as application:XID), from which address. Ids and codes only: no personal
-- data. Append-only.
CREATE TABLE console_audit (
    id          INTEGER PRIMARY KEY,
    at          BIGINT  NOT NULL,
    operator_id BIGINT  REFERENCES operators (id),
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    remote_addr TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX console_audit_at ON console_audit (at);
CREATE INDEX console_audit_operator ON console_audit (operator_id, at);

CREATE TRIGGER console_audit_no_update BEFORE UPDATE ON console_audit
BEGIN SELECT RAISE(ABORT, 'console_audit is append-only'); END;
CREATE TRIGGER console_audit_no_delete BEFORE DELETE ON console_audit
BEGIN SELECT RAISE(ABORT, 'console_audit is append-only'); END;
