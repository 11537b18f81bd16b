package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// lockApplication holds the application's row for the rest of the
// transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
// writers), so that OTP checks of one application run one at a time.
func (db *DB) lockApplication(ctx context.Context, tx *sql.Tx, id int64) error {
	var x int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM applications WHERE id = $1`+db.dialect.forUpdate, id).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("application")
	}
	return err
}

func nullableMS(v sql.NullInt64) time.Time {
	if !v.Valid || v.Int64 == 0 {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// CreateOTP checks the send limits and records a new code, in one
// transaction holding the application and the phone.
func (db *DB) CreateOTP(ctx context.Context, c onboarding.OTPCode, appSince, phoneSince time.Time,
	check func(onboarding.OTPCounters) error) (int64, error) {
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockApplication(ctx, tx, c.ApplicationID); err != nil {
			return err
		}
		bidx, err := db.blindIndexes(ctx, tx)
		if err != nil {
			return err
		}
		phoneIdx := bidx(bidxPhone, c.Phone)
		if _, err := tx.ExecContext(ctx, `INSERT INTO otp_phone_locks (phone_bidx) VALUES ($1) ON CONFLICT (phone_bidx) DO NOTHING`, phoneIdx); err != nil {
			return err
		}
		var locked0 string
		if err := tx.QueryRowContext(ctx, `SELECT phone_bidx FROM otp_phone_locks WHERE phone_bidx = $1`+db.dialect.forUpdate, phoneIdx).Scan(&locked0); err != nil {
			return err
		}
		key, err := db.keyOfApplication(ctx, tx, c.ApplicationID)
		if err != nil {
			return err
		}
		phoneSealed, err := key.seal(db.random(), colOTPPhone, c.Phone)
		if err != nil {
			return err
		}
		var k onboarding.OTPCounters
		var locked, last, oldestApp, oldestPhone, oldestPartnerPhone sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT locked_until FROM otp_state WHERE application_id = $1`, c.ApplicationID).Scan(&locked)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT MAX(sent_at) FROM otp_codes WHERE application_id = $1`, c.ApplicationID).Scan(&last); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(sent_at) FROM otp_codes WHERE application_id = $1 AND sent_at > $2`,
			c.ApplicationID, ms(appSince)).Scan(&k.AppSends, &oldestApp); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(sent_at) FROM otp_codes WHERE phone_bidx = $1 AND sent_at > $2`,
			phoneIdx, ms(phoneSince)).Scan(&k.PhoneSends, &oldestPhone); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(o.sent_at) FROM otp_codes o JOIN applications a ON a.id = o.application_id
			WHERE o.phone_bidx = $1 AND o.sent_at > $2 AND a.partner_id = (SELECT partner_id FROM applications WHERE id = $3)`,
			phoneIdx, ms(phoneSince), c.ApplicationID).Scan(&k.PartnerPhoneSends, &oldestPartnerPhone); err != nil {
			return err
		}
		k.LockedUntil, k.LastAppSend = nullableMS(locked), nullableMS(last)
		k.OldestAppSend, k.OldestPhoneSend = nullableMS(oldestApp), nullableMS(oldestPhone)
		k.OldestPartnerPhoneSend = nullableMS(oldestPartnerPhone)
		if err := check(k); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO otp_codes
			(application_id, phone_bidx, phone_sealed, code_hash, key_id, sent_at, expires_at, attempts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0) RETURNING id`,
			c.ApplicationID, phoneIdx, phoneSealed, c.Hash, c.KeyID, ms(c.SentAt), ms(c.ExpiresAt)).Scan(&id)
	})
	return id, err
}

// CloseOtherOTPs marks the application's other open codes superseded.
func (db *DB) CloseOtherOTPs(ctx context.Context, applicationID, keep int64, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE otp_codes SET closed_at = $1, close_reason = 'superseded'
		WHERE application_id = $2 AND id <> $3 AND closed_at IS NULL`, ms(at), applicationID, keep)
	return err
}

// DeleteOTP removes a code that was never delivered.
func (db *DB) DeleteOTP(ctx context.Context, id int64) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM otp_codes WHERE id = $1`, id)
	return err
}

// CheckOTP runs check on the application's OTP state and newest open code
// and stores the outcome, in one transaction holding the application.
func (db *DB) CheckOTP(ctx context.Context, applicationID int64, at time.Time, check func(*onboarding.OTPState, *onboarding.OTPCode)) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockApplication(ctx, tx, applicationID); err != nil {
			return err
		}
		var st onboarding.OTPState
		var locked int64
		err := tx.QueryRowContext(ctx, `SELECT consecutive_failures, locked_until FROM otp_state WHERE application_id = $1`,
			applicationID).Scan(&st.ConsecutiveFailures, &locked)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		st.LockedUntil = nullableMS(sql.NullInt64{Int64: locked, Valid: true})
		var c onboarding.OTPCode
		var sent, expires int64
		var phoneSealed string
		err = tx.QueryRowContext(ctx, `SELECT id, application_id, phone_sealed, code_hash, key_id, sent_at, expires_at, attempts
			FROM otp_codes WHERE application_id = $1 AND closed_at IS NULL ORDER BY sent_at DESC, id DESC LIMIT 1`, applicationID).
			Scan(&c.ID, &c.ApplicationID, &phoneSealed, &c.Hash, &c.KeyID, &sent, &expires, &c.Attempts)
		code := &c
		var key *customerKey
		if errors.Is(err, sql.ErrNoRows) {
			code = nil
		} else if err != nil {
			return err
		} else {
			if key, err = db.keyOfApplication(ctx, tx, applicationID); err != nil {
				return err
			}
			if c.Phone, err = key.open(colOTPPhone, phoneSealed); err != nil {
				return err
			}
		}
		c.SentAt, c.ExpiresAt = fromMS(sent), fromMS(expires)
		check(&st, code)
		if _, err := tx.ExecContext(ctx, `INSERT INTO otp_state (application_id, consecutive_failures, locked_until)
			VALUES ($1, $2, $3) ON CONFLICT (application_id) DO UPDATE SET
			consecutive_failures = excluded.consecutive_failures, locked_until = excluded.locked_until`,
			applicationID, st.ConsecutiveFailures, msOrZero(st.LockedUntil)); err != nil {
			return err
		}
		if code != nil {
			if code.CloseReason == "" {
				_, err = tx.ExecContext(ctx, `UPDATE otp_codes SET attempts = $2 WHERE id = $1`, c.ID, c.Attempts)
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE otp_codes SET attempts = $2, closed_at = $3, close_reason = $4 WHERE id = $1`,
					c.ID, c.Attempts, ms(at), c.CloseReason)
			}
			if err != nil {
				return err
			}
		}
		if st.VerifiedPhone != "" {
			if key == nil {
				return errors.New("store: a phone was verified without a code")
			}
			bidx, err := db.blindIndexes(ctx, tx)
			if err != nil {
				return err
			}
			sealed, err := key.seal(db.random(), colVerifiedPhone, st.VerifiedPhone)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO verified_phones (application_id, phone_bidx, phone_sealed, verified_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (application_id, phone_bidx) DO NOTHING`,
				applicationID, bidx(bidxPhone, st.VerifiedPhone), sealed, ms(at)); err != nil {
				return err
			}
		}
		return nil
	})
}

func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// VerifiedPhones lists the application's verified phones, oldest first.
func (db *DB) VerifiedPhones(ctx context.Context, applicationID int64) ([]string, error) {
	sealed, err := queryStrings(ctx, db.r, `SELECT phone_sealed FROM verified_phones WHERE application_id = $1
		ORDER BY verified_at, phone_bidx`, applicationID)
	if err != nil || len(sealed) == 0 {
		return sealed, err
	}
	key, err := db.keyOfApplication(ctx, db.r, applicationID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(sealed))
	for i, s := range sealed {
		if out[i], err = key.open(colVerifiedPhone, s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func queryStrings(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// queryIDs runs a query of one integer column and returns its values.
func queryIDs(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PutSMS keeps a sandbox message, with its secret (the OTP code) as a
// field of its own, sealed under the customer's key like the phone.
func (db *DB) PutSMS(ctx context.Context, m onboarding.SMS, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		key, err := db.keyOfApplication(ctx, tx, m.ApplicationID)
		if err != nil {
			return err
		}
		bidx, err := db.blindIndexes(ctx, tx)
		if err != nil {
			return err
		}
		var secret *string
		if m.Secret != "" {
			secret = &m.Secret
		}
		phone, err1 := key.seal(db.random(), colSMSPhone, m.To)
		text, err2 := key.seal(db.random(), colSMSMessage, m.Text)
		otp, err3 := key.sealNull(db.random(), colSMSOTP, secret)
		if err := errors.Join(err1, err2, err3); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sms_outbox (partner_id, application_id, phone_bidx, phone_sealed, message_sealed, otp_sealed, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.PartnerID, m.ApplicationID, bidx(bidxPhone, m.To), phone, text, otp, ms(at))
		return err
	})
}

// ListSMS returns the partner's newest sandbox messages to phone (those of
// erased customers are gone).
func (db *DB) ListSMS(ctx context.Context, partnerID int64, phone string, limit int) ([]onboarding.OutboxMessage, error) {
	bidx, err := db.blindIndexes(ctx, db.w)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT a.xid, a.customer_id, k.kek_id, k.wrapped, o.phone_sealed, o.message_sealed, o.otp_sealed, o.created_at
		FROM sms_outbox o JOIN applications a ON a.id = o.application_id JOIN customer_keys k ON k.customer_id = a.customer_id
		WHERE o.partner_id = $1 AND a.partner_id = $1 AND o.phone_bidx = $2 AND k.wrapped IS NOT NULL
		ORDER BY o.created_at DESC, o.id DESC LIMIT $3`, partnerID, bidx(bidxPhone, phone), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []onboarding.OutboxMessage{}
	keys := map[int64]*customerKey{}
	for rows.Next() {
		var m onboarding.OutboxMessage
		var at, customerID int64
		var kekID, phoneSealed, textSealed string
		var wrapped, otpSealed sql.NullString
		if err := rows.Scan(&m.XID, &customerID, &kekID, &wrapped, &phoneSealed, &textSealed, &otpSealed, &at); err != nil {
			return nil, err
		}
		key := keys[customerID]
		if key == nil {
			if key, _, err = db.unwrapCustomerKey(customerID, kekID, wrapped); err != nil {
				return nil, err
			}
			keys[customerID] = key
		}
		otp, err3 := key.openNull(colSMSOTP, otpSealed)
		var err1, err2 error
		m.Phone, err1 = key.open(colSMSPhone, phoneSealed)
		m.Message, err2 = key.open(colSMSMessage, textSealed)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		if otp != nil {
			m.OTP = *otp
		}
		m.CreatedAt = fromMS(at)
		out = append(out, m)
	}
	return out, rows.Err()
}
