-- Issue 11, item 5: idempotency keys. A partner's POST or PATCH with an
-- Idempotency-Key claims the key here before it runs, so that the claim
-- holds across every instance; its answer is kept for replays.
--
-- key_hash is an HMAC (the pinned blind-index key) of the partner's id and
-- the key, request_hash one of the request's fingerprint (method, path,
-- canonical body): partners may derive keys from customer data, so neither
-- is stored readable. While the first request runs, claim_token names its
-- claim and lease_until (unix ms) is when the claim lapses unless renewed:
-- a crashed instance's claim blocks its key only until then. response is
-- the answer (status, headers, body), sealed with the data key and bound
-- to partner_id and key_hash; NULL while running. Rows are kept for the
-- idempotency window from created_at (24 h by default) and then deleted by
-- a periodic job.
CREATE TABLE idempotency_keys (
    partner_id   BIGINT  NOT NULL REFERENCES partners (id),
    key_hash     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    claim_token  TEXT,
    lease_until  BIGINT  NOT NULL,
    response     TEXT,
    created_at   BIGINT  NOT NULL,
    answered_at  BIGINT,
    PRIMARY KEY (partner_id, key_hash)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
