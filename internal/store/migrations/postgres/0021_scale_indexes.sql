-- Issue 17 item 4: the same latency at a million applications as at a
-- thousand (bench/scale measures it; bench/README.md has the figures).
--
-- PostgreSQL does not need these two: it plans the holders lookup as a
-- BitmapOr of customers_nik_bidx and customers_email_bidx already, and the
-- console's list filtered by partner and status scans the primary key
-- backwards. They are here because both dialects keep the same indexes
-- (the store's schema test holds them equal), and they cost one more index
-- write per customer and per status change. See the SQLite migration for
-- why SQLite needs them.
CREATE INDEX customers_email_bidx_any ON customers (email_bidx);
CREATE INDEX applications_partner_status ON applications (partner_id, status);
