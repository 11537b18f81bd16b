package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Register records a registration in one transaction: it releases the
// claims r.Release names (the domain found them lapsed; a claim that changed
// since fails the whole registration with onboarding.ErrClaimChanged), takes
// back the customer of r.NIK if its claim is released (a new application
// for the same customer, with the registration's email, PIN and position)
// or inserts a new customer, inserts the application and moves it to its
// first status through the status machine. A NIK whose customer still holds
// it, or an email another holding customer has, is the uniqueness conflict
// of UniqueNIK or UniqueEmail.
func (db *DB) Register(ctx context.Context, r onboarding.Registration) (onboarding.Application, error) {
	app := onboarding.Application{XID: r.XID, PartnerID: r.PartnerID, Status: r.Status, NIK: r.NIK, Email: r.Email, CreatedAt: r.At}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, h := range r.Release {
			if err := releaseClaim(ctx, tx, h, r.At); err != nil {
				return err
			}
		}
		var released sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, released_at FROM customers WHERE nik = $1`+db.dialect.forUpdate, r.NIK).
			Scan(&app.CustomerID, &released)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, `INSERT INTO customers
				(partner_id, nik, email, pin_hash, pin_key_id, latitude, longitude, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				r.PartnerID, r.NIK, r.Email, r.PINHash, r.PINKeyID, r.Latitude, r.Longitude, ms(r.At)).Scan(&app.CustomerID); err != nil {
				return db.conflict(err)
			}
		case err != nil:
			return err
		case !released.Valid:
			return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonDuplicate, Unique: onboarding.UniqueNIK,
				Err: errors.New("the NIK's customer holds it")}
		default:
			// The customer comes back: the registration's email, PIN and
			// position are now its own, and it holds them again.
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET partner_id = $2, email = $3, pin_hash = $4, pin_key_id = $5,
				latitude = $6, longitude = $7, released_at = NULL WHERE id = $1`,
				app.CustomerID, r.PartnerID, r.Email, r.PINHash, r.PINKeyID, r.Latitude, r.Longitude); err != nil {
				return db.conflict(err)
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO applications
			(xid, partner_id, customer_id, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			r.XID, r.PartnerID, app.CustomerID, julo.AppNone, ms(r.At)).Scan(&app.ID); err != nil {
			return db.conflict(err)
		}
		_, err = db.moveApplication(ctx, tx, AppMove{ApplicationID: app.ID, To: r.Status, At: r.At})
		return err
	})
	return app, err
}

// releaseClaim releases the claim of h's customer on its NIK and email, if
// the customer still holds it and its newest application is still h's at
// h's status; else onboarding.ErrClaimChanged.
func releaseClaim(ctx context.Context, tx *sql.Tx, h onboarding.Holder, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE customers SET released_at = $2
		WHERE id = $1 AND released_at IS NULL
		AND EXISTS (SELECT 1 FROM applications a WHERE a.id = (`+newestApplication+`) AND a.xid = $3 AND a.status = $4)`,
		h.CustomerID, ms(at), h.XID, h.Status)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(onboarding.ErrClaimChanged, err)
	}
	return nil
}

// newestApplication is the id of the newest application of the customer
// customers.id (a subquery of a statement on customers).
const newestApplication = `SELECT n.id FROM applications n WHERE n.customer_id = customers.id ORDER BY n.created_at DESC, n.id DESC LIMIT 1`

// Holders returns the customers holding nik and email (their claim not
// released), each with its newest application: partner, xid, status and
// when it reached that status (updated_at: only the status machine sets it).
func (db *DB) Holders(ctx context.Context, nik, email string) (nikHolder, emailHolder *onboarding.Holder, err error) {
	rows, err := db.r.QueryContext(ctx, `SELECT customers.nik = $1, customers.email = $2, customers.id,
		COALESCE(a.partner_id, customers.partner_id), COALESCE(a.xid, 0), COALESCE(a.status, 0), COALESCE(a.updated_at, 0)
		FROM customers LEFT JOIN applications a ON a.id = (`+newestApplication+`)
		WHERE customers.released_at IS NULL AND (customers.nik = $1 OR customers.email = $2)`, nik, email)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var isNIK, isEmail bool
		var h onboarding.Holder
		var since int64
		if err := rows.Scan(&isNIK, &isEmail, &h.CustomerID, &h.PartnerID, &h.XID, &h.Status, &since); err != nil {
			return nil, nil, err
		}
		if since != 0 {
			h.Since = fromMS(since)
		}
		if isNIK {
			nikHolder = &h
		}
		if isEmail {
			emailHolder = &h
		}
	}
	return nikHolder, emailHolder, rows.Err()
}

// PreregGuard returns the guard of key, zero if there is none.
func (db *DB) PreregGuard(ctx context.Context, key string) (onboarding.PreregGuard, error) {
	return scanGuard(db.r.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM prereg_guard WHERE email_key = $1`, key))
}

// UpdatePreregGuard runs fn on the guard of key and stores the result in one
// transaction that holds the row against concurrent updates.
func (db *DB) UpdatePreregGuard(ctx context.Context, key string, fn func(*onboarding.PreregGuard) error) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO prereg_guard (email_key, failures, window_start, locked_until)
			VALUES ($1, 0, 0, 0) ON CONFLICT (email_key) DO NOTHING`, key); err != nil {
			return err
		}
		g, err := scanGuard(tx.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM prereg_guard
			WHERE email_key = $1`+db.dialect.forUpdate, key))
		if err != nil {
			return err
		}
		if err := fn(&g); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE prereg_guard SET failures = $2, window_start = $3, locked_until = $4 WHERE email_key = $1`,
			key, g.Failures, ms(g.WindowStart), ms(g.LockedUntil))
		return err
	})
}

func scanGuard(row *sql.Row) (onboarding.PreregGuard, error) {
	var g onboarding.PreregGuard
	var start, until int64
	err := row.Scan(&g.Failures, &start, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return g, nil
	}
	if err != nil {
		return g, err
	}
	if start != 0 {
		g.WindowStart = fromMS(start)
	}
	if until != 0 {
		g.LockedUntil = fromMS(until)
	}
	return g, nil
}

// ApplicationByXID returns an application with its customer's NIK and email.
func (db *DB) ApplicationByXID(ctx context.Context, xid int64) (onboarding.Application, error) {
	var a onboarding.Application
	var created int64
	err := db.r.QueryRowContext(ctx, `SELECT a.id, a.xid, a.partner_id, a.customer_id, a.status, a.created_at, c.nik, c.email
		FROM applications a JOIN customers c ON c.id = a.customer_id WHERE a.xid = $1`, xid).
		Scan(&a.ID, &a.XID, &a.PartnerID, &a.CustomerID, &a.Status, &created, &a.NIK, &a.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("application")
	}
	a.CreatedAt = fromMS(created)
	return a, err
}
