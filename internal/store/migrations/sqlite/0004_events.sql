-- The status machine's records: every status change writes its history row
-- and an event in the same transaction (store/status.go is the only writer
-- of applications.status). Events are the outbox that partner callbacks and
-- the events feed deliver; event_id is random and unguessable, sequence
-- counts an application's events from 1 without gaps.

ALTER TABLE applications ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;

-- Why a status changed (a decision's reason code, an operator's action);
-- empty for the partner-driven steps.
ALTER TABLE application_status_history ADD COLUMN reason TEXT NOT NULL DEFAULT '';

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    event_id        TEXT    NOT NULL,
    partner_id      BIGINT  NOT NULL REFERENCES partners (id),
    application_id  BIGINT  NOT NULL REFERENCES applications (id),
    application_xid BIGINT  NOT NULL,
    sequence        BIGINT  NOT NULL,
    type            TEXT    NOT NULL,
    loan_xid        BIGINT,
    from_code       INTEGER,
    to_code         INTEGER,
    from_name       TEXT,
    to_name         TEXT,
    subject         TEXT,
    outcome         TEXT,
    occurred_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX events_event_id ON events (event_id);
CREATE UNIQUE INDEX events_app_sequence ON events (application_id, sequence);
CREATE INDEX events_partner ON events (partner_id, id);
