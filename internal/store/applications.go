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
		bidx, err := db.blindIndexes(ctx, tx)
		if err != nil {
			return err
		}
		nikIdx, emailIdx := bidx(bidxNIK, r.NIK), bidx(bidxEmail, r.Email)
		var released sql.NullInt64
		var k *customerKey
		err = tx.QueryRowContext(ctx, `SELECT id, released_at FROM customers WHERE nik_bidx = $1`+db.dialect.forUpdate, nikIdx).
			Scan(&app.CustomerID, &released)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var raw []byte
			k, raw, err = db.newCustomerKey()
			if err != nil {
				return err
			}
			nik, err1 := k.seal(db.random(), colNIK, r.NIK)
			email, err2 := k.seal(db.random(), colEmail, r.Email)
			pos, err3 := k.seal(db.random(), colPosition, position(r.Latitude, r.Longitude))
			if err := errors.Join(err1, err2, err3); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO customers
				(partner_id, nik_bidx, email_bidx, nik_sealed, email_sealed, position_sealed, pin_hash, pin_key_id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
				r.PartnerID, nikIdx, emailIdx, nik, email, pos, r.PINHash, r.PINKeyID, ms(r.At)).Scan(&app.CustomerID); err != nil {
				return db.conflict(err)
			}
			if err := db.insertCustomerKey(ctx, tx, app.CustomerID, raw, ms(r.At)); err != nil {
				return err
			}
		case err != nil:
			return err
		case !released.Valid:
			return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonDuplicate, Unique: onboarding.UniqueNIK,
				Err: errors.New("the NIK's customer holds it")}
		default:
			// The customer comes back: the registration's email, PIN and
			// position are now its own, and it holds them again.
			k, err = db.keyOfCustomer(ctx, tx, app.CustomerID)
			if err != nil {
				return err
			}
			email, err1 := k.seal(db.random(), colEmail, r.Email)
			pos, err2 := k.seal(db.random(), colPosition, position(r.Latitude, r.Longitude))
			if err := errors.Join(err1, err2); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET partner_id = $2, email_bidx = $3, email_sealed = $4, pin_hash = $5,
				pin_key_id = $6, position_sealed = $7, released_at = NULL WHERE id = $1`,
				app.CustomerID, r.PartnerID, emailIdx, email, r.PINHash, r.PINKeyID, pos); err != nil {
				return db.conflict(err)
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO applications
			(xid, partner_id, customer_id, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			r.XID, r.PartnerID, app.CustomerID, julo.AppNone, ms(r.At)).Scan(&app.ID); err != nil {
			return db.conflict(err)
		}
		// Before the first status, whose event is delivered there.
		if err := db.insertCallback(ctx, tx, k, app.ID, r.CallbackURL, r.CallbackToken); err != nil {
			return err
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
	bidx, err := db.blindIndexes(ctx, db.w)
	if err != nil {
		return nil, nil, err
	}
	nikIdx, emailIdx := bidx(bidxNIK, nik), bidx(bidxEmail, email)
	rows, err := db.r.QueryContext(ctx, `SELECT customers.nik_bidx = $1, customers.email_bidx = $2, customers.id,
		COALESCE(a.partner_id, customers.partner_id), COALESCE(a.xid, 0), COALESCE(a.status, 0), COALESCE(a.updated_at, 0)
		FROM customers LEFT JOIN applications a ON a.id = (`+newestApplication+`)
		WHERE customers.released_at IS NULL AND (customers.nik_bidx = $1 OR customers.email_bidx = $2)`, nikIdx, emailIdx)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var isNIK, isEmail sql.NullBool
		var h onboarding.Holder
		var since int64
		if err := rows.Scan(&isNIK, &isEmail, &h.CustomerID, &h.PartnerID, &h.XID, &h.Status, &since); err != nil {
			return nil, nil, err
		}
		if since != 0 {
			h.Since = fromMS(since)
		}
		if isNIK.Bool {
			nikHolder = &h
		}
		if isEmail.Bool {
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

// ApplicationByXID returns an application with its customer's NIK and email,
// opened with the customer's key; ENOTFOUND for an erased customer's.
func (db *DB) ApplicationByXID(ctx context.Context, xid int64) (onboarding.Application, error) {
	var a onboarding.Application
	var created int64
	var kekID string
	var wrapped, nik, email sql.NullString
	err := db.r.QueryRowContext(ctx, `SELECT a.id, a.xid, a.partner_id, a.customer_id, a.status, a.created_at,
		c.nik_sealed, c.email_sealed, k.kek_id, k.wrapped
		FROM applications a JOIN customers c ON c.id = a.customer_id JOIN customer_keys k ON k.customer_id = c.id
		WHERE a.xid = $1`, xid).
		Scan(&a.ID, &a.XID, &a.PartnerID, &a.CustomerID, &a.Status, &created, &nik, &email, &kekID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("application")
	}
	if err != nil {
		return a, err
	}
	a.CreatedAt = fromMS(created)
	k, _, err := db.unwrapCustomerKey(a.CustomerID, kekID, wrapped)
	if err != nil {
		return onboarding.Application{}, err
	}
	if a.NIK, err = k.open(colNIK, nik.String); err != nil {
		return onboarding.Application{}, err
	}
	if a.Email, err = k.open(colEmail, email.String); err != nil {
		return onboarding.Application{}, err
	}
	return a, nil
}
