-- Issue 17 item 4: the same latency at a million applications as at a
-- thousand (bench/scale measures it; bench/README.md has the figures).
--
-- The holders lookup of every pre-register check and registration
-- (store.Holders: released_at IS NULL AND (nik_bidx = ? OR email_bidx = ?))
-- scanned the whole partial index customers_email_bidx, a row per customer
-- (245 ms at 100,000 customers): SQLite's planner took that scan, whose
-- condition the query implies, over the two-index OR, which it plans only
-- when email_bidx also has an index without a condition. With this one it
-- probes customers_nik_bidx and customers_email_bidx (MULTI-INDEX OR),
-- whatever the number of customers.
CREATE INDEX customers_email_bidx_any ON customers (email_bidx);

-- The console's list filtered by partner and status, newest first: the
-- rows in that order (SQLite appends the row id), so a page reads its 50
-- rows instead of the partner's newest rows until 50 have the status (a
-- rare status, 125 say, read thousands).
CREATE INDEX applications_partner_status ON applications (partner_id, status);
