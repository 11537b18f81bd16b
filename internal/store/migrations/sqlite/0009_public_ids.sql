-- Issue 10, item 13: the ids a partner sees of images and bank imports are
-- random, not the sequential primary keys, so that no partner can count
-- another partner's uploads and imports. public_id is a uniformly random
-- integer in [2^52, 2^53): sixteen digits, safe in JavaScript. New rows get
-- theirs from the service (crypto/rand, retried on a collision); existing
-- rows are given one here, from SQLite's random() (seeded by the operating
-- system), before the unique index is built. The old sequential ids in URLs
-- handed out before this migration stop answering (404): partners list
-- an application's images again for their new URLs.
-- SQLite adds a NOT NULL column only with a default: 0, which no row keeps
-- (every insert sets a public id; the unique index would refuse a second 0).
ALTER TABLE images ADD COLUMN public_id BIGINT NOT NULL DEFAULT 0;
UPDATE images SET public_id = (random() & 4503599627370495) + 4503599627370496;
CREATE UNIQUE INDEX images_public_id ON images (public_id);

ALTER TABLE bank_imports ADD COLUMN public_id BIGINT NOT NULL DEFAULT 0;
UPDATE bank_imports SET public_id = (random() & 4503599627370495) + 4503599627370496;
CREATE UNIQUE INDEX bank_imports_public_id ON bank_imports (public_id);
