-- Issue 12 (the credit decision): assessments and decision records.
--
-- An assessment round is one request to decide an application: round 1 when
-- it reaches 105, the next when documents come in (105 -> 120). Its job
-- assesses it once: a decision marks the round decided, and a second run
-- (another instance, a rescued job) finds it so. vendor_failures counts the
-- runs an identity or bureau vendor was unavailable, so that the retries
-- end in manual review across restarts and instances.
CREATE TABLE credit_assessments (
    application_id  BIGINT  NOT NULL REFERENCES applications (id),
    round           INTEGER NOT NULL,
    requested_at    BIGINT  NOT NULL,
    vendor_failures INTEGER NOT NULL DEFAULT 0,
    decided_at      BIGINT,
    PRIMARY KEY (application_id, round)
);

-- Decision records, append-only (the triggers refuse an update or a
-- delete): the policy version, every input with its source, each check and
-- scorecard line, the limit step by step, the outcome and reasons, who
-- decided and when, as one JSON document (record); the columns beside it
-- are what queries read. No personal data: amounts, categories, flags and
-- the age, never a NIK, name or birth date.
CREATE TABLE credit_decisions (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    round          INTEGER NOT NULL,
    outcome        TEXT    NOT NULL,
    from_status    INTEGER NOT NULL,
    to_status      INTEGER NOT NULL,
    reason_codes   TEXT    NOT NULL,
    policy_version TEXT    NOT NULL,
    decided_by     TEXT    NOT NULL,
    max_limit      BIGINT,
    set_limit      BIGINT,
    decided_at     BIGINT  NOT NULL,
    record         TEXT    NOT NULL
);
CREATE INDEX credit_decisions_application ON credit_decisions (application_id, id);

CREATE TRIGGER credit_decisions_no_update BEFORE UPDATE ON credit_decisions
BEGIN SELECT RAISE(ABORT, 'credit_decisions is append-only'); END;
CREATE TRIGGER credit_decisions_no_delete BEFORE DELETE ON credit_decisions
BEGIN SELECT RAISE(ABORT, 'credit_decisions is append-only'); END;
