-- Issue 10, item 5: a registration no longer claims a NIK and an email for
-- ever. A customer holds them while its newest application may still go on;
-- once that application has ended (expired at 106 after 14 days without a
-- successful step, cancelled, an offer expired, or refused and its cooling-off
-- over) a new registration with the NIK takes the customer back with a new
-- application, and one with the email alone may go to another customer.
--
-- released_at is set, in the transaction of that new registration, on the
-- customer that held a NIK or email it takes over; it is NULL again when the
-- customer is taken back. One customer per NIK stays (the NIK is the person);
-- the email is unique among the customers that hold theirs.
ALTER TABLE customers ADD COLUMN released_at BIGINT;

DROP INDEX customers_email;
CREATE UNIQUE INDEX customers_email ON customers (email) WHERE released_at IS NULL;

-- A customer's newest application, and the periodic expiry's scan of the
-- applications still at 100.
CREATE INDEX applications_customer ON applications (customer_id, created_at);
CREATE INDEX applications_status ON applications (status, created_at);
