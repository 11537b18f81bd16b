-- Issue 10, item 8: per-partner budgets (SMS per day, registrations per hour,
-- pre-register checks per minute, requests per second), counted in the
-- database so that they hold across instances.

-- A partner's own limit for a budget, in place of the server's default. No
-- row: the default (julo partner set NAME --BUDGET default deletes the row).
-- budget: sms_per_day, registrations_per_hour, prereg_checks_per_minute or
-- requests_per_second; max_count is at least 1.
CREATE TABLE partner_budgets (
    partner_id  BIGINT  NOT NULL REFERENCES partners (id),
    budget      TEXT    NOT NULL,
    max_count   BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (partner_id, budget)
);

-- The units granted of a budget in one fixed window (window_start in unix
-- milliseconds, where the budget's window begins). One statement per spend
-- grants what is left up to what is asked and adds it to used, so used never
-- passes the limit, however many instances spend at once. granted is what
-- the latest spend got and max_count the limit it was decided on (both read
-- back by that spend). Windows that have ended are deleted by a periodic job.
CREATE TABLE budget_windows (
    partner_id   BIGINT  NOT NULL REFERENCES partners (id),
    budget       TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    used         BIGINT  NOT NULL,
    granted      BIGINT  NOT NULL,
    max_count    BIGINT  NOT NULL,
    PRIMARY KEY (partner_id, budget, window_start)
);
CREATE INDEX budget_windows_start ON budget_windows (window_start);
