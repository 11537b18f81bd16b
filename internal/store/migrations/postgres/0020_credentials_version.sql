-- Issue 17 (performance): instances keep verified partner credentials in
-- memory for a short time. Every change that can make a credential stop
-- working (a partner disabled or enabled, a secret rotated or revoked)
-- bumps this one counter in its own transaction; each instance reads it at
-- most once per check interval and forgets its cached credentials when it
-- moved (onboarding/credcache.go).
CREATE TABLE credentials_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO credentials_version (id, version) VALUES (1, 0);
