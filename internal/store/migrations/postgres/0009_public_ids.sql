-- Issue 10, item 13: the ids a partner sees of images and bank imports are
-- random, not the sequential primary keys, so that no partner can count
-- another partner's uploads and imports. public_id is a uniformly random
-- integer in [2^52, 2^53): sixteen digits, safe in JavaScript. New rows get
-- theirs from the service (crypto/rand, retried on a collision); existing
-- rows are given one here, 52 bits of a hash of gen_random_uuid() (the
-- server's strong random source), before the unique index is built. The old
-- sequential ids in URLs handed out before this migration stop answering
-- (404): partners list an application's images again.
ALTER TABLE images ADD COLUMN public_id BIGINT;
UPDATE images SET public_id = ('x' || substr(md5(gen_random_uuid()::text), 1, 13))::bit(52)::bigint + 4503599627370496;
ALTER TABLE images ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX images_public_id ON images (public_id);

ALTER TABLE bank_imports ADD COLUMN public_id BIGINT;
UPDATE bank_imports SET public_id = ('x' || substr(md5(gen_random_uuid()::text), 1, 13))::bit(52)::bigint + 4503599627370496;
ALTER TABLE bank_imports ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX bank_imports_public_id ON bank_imports (public_id);
