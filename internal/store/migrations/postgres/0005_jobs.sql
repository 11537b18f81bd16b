-- Background work runs on River (its tables, river_*, are created by its
-- own migrations right after ours). The sandbox scraper's planned progress
-- is a River job per event, scheduled for its time, instead of rows that a
-- status read applied when it found them due.
DROP TABLE bank_import_events;
