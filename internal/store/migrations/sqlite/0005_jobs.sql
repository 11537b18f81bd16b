-- Background work runs on River (its tables, river_*, are created by its
-- own migrations right after ours). The sandbox scraper's planned progress
-- is a River job per event, scheduled for its time, instead of rows that a
-- status read applied when it found them due.
DROP TABLE bank_import_events;

-- The sweep of an upload's blob (a job queued before the blob is written)
-- looks its key up: does an image row hold it?
CREATE INDEX images_blob_key ON images (blob_key);
