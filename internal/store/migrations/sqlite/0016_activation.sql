-- Issue 12 (activation: PIN window, credit accounts, review requests).
--
-- pin_guards counts a customer's consecutive wrong PINs at input-pin (the
-- lock belongs to the customer, not to one application): a try is counted
-- before the PIN is checked and cleared by a right one; the max-th wrong
-- one sets locked_until. Nothing personal: a count and a time.
CREATE TABLE pin_guards (
    customer_id  BIGINT  PRIMARY KEY REFERENCES customers (id),
    wrong        INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    updated_at   BIGINT  NOT NULL
);

-- pin_windows: until when an application's customer verified their PIN
-- (production's "PIN verified" window), which a limit activation needs.
CREATE TABLE pin_windows (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    verified_until BIGINT NOT NULL,
    verified_at    BIGINT NOT NULL
);

-- credit_accounts: the customer's credit line, opened when the offer is
-- accepted (190). Integer rupiah; what is available and what is used
-- always add up to the set limit.
CREATE TABLE credit_accounts (
    application_id  BIGINT PRIMARY KEY REFERENCES applications (id),
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    set_limit       BIGINT NOT NULL CHECK (set_limit > 0),
    available_limit BIGINT NOT NULL CHECK (available_limit >= 0),
    used_limit      BIGINT NOT NULL CHECK (used_limit >= 0),
    policy_version  TEXT   NOT NULL,
    opened_at       BIGINT NOT NULL,
    CHECK (available_limit + used_limit = set_limit)
);

-- review_requests: a customer's objection to an automatic rejection (UU
-- PDP), the manual-review queue's entries while resolution is NULL. The
-- customer's reason is personal data, sealed with the customer's key
-- (reason_sealed). decision_id is the rejection objected to: one request
-- per decision.
CREATE TABLE review_requests (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    decision_id    BIGINT  NOT NULL UNIQUE REFERENCES credit_decisions (id),
    reason_sealed  TEXT    NOT NULL,
    requested_at   BIGINT  NOT NULL,
    resolution     TEXT,
    resolved_at    BIGINT,
    operator       TEXT
);
CREATE INDEX review_requests_open ON review_requests (requested_at) WHERE resolution IS NULL;
CREATE INDEX review_requests_application ON review_requests (application_id);
