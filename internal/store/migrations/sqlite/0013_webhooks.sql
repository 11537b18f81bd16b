-- Issue 11, items 1-4: callbacks to partners and the events feed.

-- Where a partner's callbacks go (julo partner webhook). The token is sealed
-- with the data set's current key (bound to the partner's id); disabled_at
-- is set by --disable (reason 'operator') or by a 410 (reason 'gone').
CREATE TABLE webhook_endpoints (
    partner_id      BIGINT PRIMARY KEY REFERENCES partners (id),
    url             TEXT   NOT NULL,
    token_sealed    TEXT,
    disabled_at     BIGINT,
    disabled_reason TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- A partner's signing secrets, sealed with the data set's current key
-- (bound to secret_id): the current one has no expires_at; after a
-- rotation the previous one signs too until its expires_at.
CREATE TABLE webhook_secrets (
    secret_id     TEXT   PRIMARY KEY,
    partner_id    BIGINT NOT NULL REFERENCES partners (id),
    secret_sealed TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT
);
CREATE INDEX webhook_secrets_partner ON webhook_secrets (partner_id, created_at);

-- A registration's own callback_url and callback_token, sealed with its
-- customer's key (an erased customer's do not open again); url_sealed is
-- NULL when only a token was given. disabled_at: the URL answered 410, so
-- the application's events go to the partner's URL.
CREATE TABLE application_callbacks (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    url_sealed     TEXT,
    token_sealed   TEXT,
    disabled_at    BIGINT
);

-- The events feed's order: a number per partner, taken from partner_feeds
-- in the event's transaction, so that the feed lists a partner's events in
-- the order they committed (an id drawn before a slower transaction's
-- commit could otherwise be skipped by a reader paging with after).
ALTER TABLE events ADD COLUMN feed_seq BIGINT;
UPDATE events SET feed_seq = id;
CREATE UNIQUE INDEX events_partner_feed ON events (partner_id, feed_seq);
CREATE INDEX events_occurred ON events (occurred_at);
CREATE TABLE partner_feeds (
    partner_id BIGINT PRIMARY KEY REFERENCES partners (id),
    last_seq   BIGINT NOT NULL
);
INSERT INTO partner_feeds (partner_id, last_seq) SELECT partner_id, MAX(feed_seq) FROM events GROUP BY partner_id;

-- One event on its way to one URL: inserted with the event (or by a
-- redelivery), with its River job; state pending, delivered, failed or
-- cancelled.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    event_id        BIGINT  NOT NULL REFERENCES events (id),
    partner_id      BIGINT  NOT NULL REFERENCES partners (id),
    target          TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    created_at      BIGINT  NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- Every attempt of a delivery: when, how long, and the status it got or
-- why there was none.
CREATE TABLE webhook_attempts (
    delivery_id  BIGINT  NOT NULL REFERENCES webhook_deliveries (id),
    attempt      INTEGER NOT NULL,
    attempted_at BIGINT  NOT NULL,
    duration_ms  BIGINT  NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
