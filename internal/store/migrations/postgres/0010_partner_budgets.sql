-- Issue 10, item 8: per-partner budgets (SMS per day, registrations per hour,
-- pre-register checks per minute, requests per second), counted in the
-- database so that they hold across instances.

-- A partner's own limit for a budget, overriding the server's default. No row
-- means the default; the CLI deletes the row when asked for "default".
-- budget: sms_per_day, registrations_per_hour, prereg_checks_per_minute,
-- requests_per_second. max_count > 0.
CREATE TABLE partner_budgets (
    partner_id  BIGINT  NOT NULL REFERENCES partners (id),
    budget      TEXT    NOT NULL,
    max_count   BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (partner_id, budget)
);

-- The units used of a budget in one fixed window (window_start in unix
-- milliseconds, a multiple of the budget's window). A consumer adds to used in
-- one atomic statement that never takes it past the limit. Old windows are
-- deleted by the periodic budget cleaner (by window_start).
CREATE TABLE budget_windows (
    partner_id   BIGINT  NOT NULL REFERENCES partners (id),
    budget       TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    used         BIGINT  NOT NULL,
    PRIMARY KEY (partner_id, budget, window_start)
);
CREATE INDEX budget_windows_start ON budget_windows (window_start);
