-- Background work runs on River (its tables, river_*, are created by its
-- own migrations right after ours). The sandbox scraper's planned progress
-- is one River job per import, applying each step when it is due, instead of
-- rows that a status read applied when it found them due.

-- A sandbox import still playing out its old plan would wait for ever: end
-- it as failed at its current step, so that the partner can start another.
UPDATE bank_imports SET
    status = CASE status WHEN 'initiated' THEN 'auth_failed' WHEN 'auth_success' THEN 'scrape_failed' ELSE 'load_failed' END,
    message = 'sandbox import ended by an upgrade; start a new one',
    updated_at = CAST(extract(epoch FROM now()) * 1000 AS BIGINT),
    finished_at = CAST(extract(epoch FROM now()) * 1000 AS BIGINT)
WHERE finished_at IS NULL
  AND id IN (SELECT import_id FROM bank_import_events WHERE applied_at IS NULL);
DROP TABLE bank_import_events;

-- The sweep of an upload's blob (a job queued before the blob is written)
-- looks its key up: does an image row hold it?
CREATE INDEX images_blob_key ON images (blob_key);
