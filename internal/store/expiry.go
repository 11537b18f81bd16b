package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// idleAt is the condition "application a is at 100 and had no successful
// step after $1 (unix ms)": registered at or before $1, and no image
// uploaded, no phone verified by OTP, no BPJS login succeeded and no bank
// import completed after $1 (onboarding's ExpireIdleApplications says why
// these and nothing else). $2 is 100, $3 BPJS's success and $4 a completed
// import's status.
const idleAt = `a.status = $2 AND a.created_at <= $1
	AND NOT EXISTS (SELECT 1 FROM images i WHERE i.application_id = a.id AND i.created_at > $1)
	AND NOT EXISTS (SELECT 1 FROM verified_phones v WHERE v.application_id = a.id AND v.verified_at > $1)
	AND NOT EXISTS (SELECT 1 FROM bpjs_tasks b WHERE b.application_id = a.id AND b.status = $3 AND b.updated_at > $1)
	AND NOT EXISTS (SELECT 1 FROM bank_imports m WHERE m.application_id = a.id AND m.status = $4 AND m.finished_at > $1)`

func idleArgs(cutoff time.Time) []any {
	return []any{ms(cutoff), julo.AppFormCreated, onboarding.BPJSSuccess, onboarding.ImportLoadSuccess}
}

// IdleApplications returns the ids, in order and after afterID, of at most
// limit applications at 100 with no successful step after cutoff.
func (db *DB) IdleApplications(ctx context.Context, cutoff time.Time, afterID int64, limit int) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT a.id FROM applications a WHERE `+idleAt+` AND a.id > $5 ORDER BY a.id LIMIT $6`,
		append(idleArgs(cutoff), afterID, limit)...)
}

// ExpireIdleApplication moves application id from 100 to 106 FORM_EXPIRED
// through the status machine (history and event with it) if it is still
// idle since cutoff once its row is held, so that a step committing at the
// same moment either comes first and keeps it, or finds it expired. It
// reports whether it moved the application.
func (db *DB) ExpireIdleApplication(ctx context.Context, id int64, cutoff, at time.Time) (bool, error) {
	moved := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var status julo.AppStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = $1`+db.dialect.forUpdate, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		var idle bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM applications a WHERE `+idleAt+` AND a.id = $5)`,
			append(idleArgs(cutoff), id)...).Scan(&idle); err != nil || !idle {
			return err
		}
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: id, To: julo.AppFormExpired, At: at,
			Reason: onboarding.ReasonNoProgress}); err != nil {
			return err
		}
		moved = true
		return nil
	})
	return moved, err
}

// MoveApplication moves an application through the status machine in a
// transaction of its own: the entry for moves that are no partner's step
// (an operator's, a credit decision's).
func (db *DB) MoveApplication(ctx context.Context, m AppMove) (julo.Event, error) {
	var e julo.Event
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = db.moveApplication(ctx, tx, m)
		return err
	})
	return e, err
}
