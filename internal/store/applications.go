package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Register inserts the customer and its application, and moves the
// application to its first status through the status machine, in one
// transaction.
func (db *DB) Register(ctx context.Context, r onboarding.Registration) (onboarding.Application, error) {
	app := onboarding.Application{XID: r.XID, PartnerID: r.PartnerID, Status: r.Status, NIK: r.NIK, Email: r.Email, CreatedAt: r.At}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO customers
			(partner_id, nik, email, pin_hash, pin_key_id, latitude, longitude, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			r.PartnerID, r.NIK, r.Email, r.PINHash, r.PINKeyID, r.Latitude, r.Longitude, ms(r.At)).Scan(&app.CustomerID); err != nil {
			return db.conflict(err)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO applications
			(xid, partner_id, customer_id, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			r.XID, r.PartnerID, app.CustomerID, julo.AppNone, ms(r.At)).Scan(&app.ID); err != nil {
			return db.conflict(err)
		}
		_, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: app.ID, To: r.Status, At: r.At})
		return err
	})
	return app, err
}

// Registered reports whether a customer with this NIK or email exists.
func (db *DB) Registered(ctx context.Context, nik, email string) (nikTaken, emailTaken bool, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM customers WHERE nik = $1),
		EXISTS (SELECT 1 FROM customers WHERE email = $2)`, nik, email).Scan(&nikTaken, &emailTaken)
	return nikTaken, emailTaken, err
}

// Holders returns the customers holding nik and email, each with its
// partner and the xid of its newest application (0 if none).
func (db *DB) Holders(ctx context.Context, nik, email string) (nikHolder, emailHolder *onboarding.Holder, err error) {
	rows, err := db.r.QueryContext(ctx, `SELECT c.nik = $1, c.email = $2, c.partner_id,
		COALESCE((SELECT a.xid FROM applications a WHERE a.customer_id = c.id AND a.partner_id = c.partner_id
			ORDER BY a.created_at DESC, a.id DESC LIMIT 1), 0)
		FROM customers c WHERE c.nik = $1 OR c.email = $2`, nik, email)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var isNIK, isEmail bool
		var h onboarding.Holder
		if err := rows.Scan(&isNIK, &isEmail, &h.PartnerID, &h.XID); err != nil {
			return nil, nil, err
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
