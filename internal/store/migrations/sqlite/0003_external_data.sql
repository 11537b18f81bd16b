-- External data: BPJS login tasks and bank-data imports. No credential is
-- ever stored: they are handed to the provider and forgotten.

-- A BPJS login the customer was sent to. token is the opaque, random
-- pass-back value that identifies the task to the vendor (no personal data).
CREATE TABLE bpjs_tasks (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    token          TEXT    NOT NULL,
    app_type       TEXT    NOT NULL,
    status         TEXT    NOT NULL, -- pending, success, failed
    message        TEXT,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX bpjs_tasks_token ON bpjs_tasks (token);
CREATE INDEX bpjs_tasks_app ON bpjs_tasks (application_id, created_at);

-- A bank-data import. ref is the opaque, random id the scraper service
-- reports progress with. finished_at is set on a final state; at most one
-- unfinished import per bank and application (the database decides races).
CREATE TABLE bank_imports (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    bank           TEXT    NOT NULL,
    ref            TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    message        TEXT,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    finished_at    BIGINT
);
CREATE UNIQUE INDEX bank_imports_ref ON bank_imports (ref);
CREATE UNIQUE INDEX bank_imports_active ON bank_imports (application_id, bank) WHERE finished_at IS NULL;
CREATE INDEX bank_imports_app ON bank_imports (application_id, created_at);

-- The sandbox scraper's planned progress of an import: each state is applied
-- when its time comes (read lazily, so it survives restarts and works with
-- several instances).
CREATE TABLE bank_import_events (
    id         INTEGER PRIMARY KEY,
    import_id  BIGINT  NOT NULL REFERENCES bank_imports (id),
    status     TEXT    NOT NULL,
    message    TEXT,
    due_at     BIGINT  NOT NULL,
    applied_at BIGINT
);
CREATE INDEX bank_import_events_due ON bank_import_events (import_id, due_at);
