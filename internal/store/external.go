package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// CreateBPJSTask records a pending BPJS login task.
func (db *DB) CreateBPJSTask(ctx context.Context, applicationID int64, token, appType string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO bpjs_tasks (application_id, token, app_type, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)`, applicationID, token, appType, onboarding.BPJSPending, ms(at))
	return db.conflict(err)
}

// FinishBPJSTask ends a pending task, recording the outcome as a
// verification event; repeating its final status is accepted.
func (db *DB) FinishBPJSTask(ctx context.Context, token, status, message string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var current string
		var applicationID int64
		err := tx.QueryRowContext(ctx, `SELECT status, application_id FROM bpjs_tasks WHERE token = $1`+db.dialect.forUpdate, token).Scan(&current, &applicationID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("bpjs task")
		}
		if err != nil {
			return err
		}
		if current == status {
			return nil
		}
		if current != onboarding.BPJSPending {
			return &julo.Error{Code: julo.ECONFLICT}
		}
		if _, err = tx.ExecContext(ctx, `UPDATE bpjs_tasks SET status = $2, message = $3, updated_at = $4 WHERE token = $1`,
			token, status, message, ms(at)); err != nil {
			return err
		}
		outcome := julo.VerificationFailed
		if status == onboarding.BPJSSuccess {
			outcome = julo.VerificationVerified
		}
		return db.recordVerification(ctx, tx, applicationID, "bpjs", outcome, at)
	})
}

// BPJSTask returns the task with token.
func (db *DB) BPJSTask(ctx context.Context, token string) (onboarding.BPJSTask, error) {
	t := onboarding.BPJSTask{Token: token}
	err := db.r.QueryRowContext(ctx, `SELECT application_id, status FROM bpjs_tasks WHERE token = $1`, token).Scan(&t.ApplicationID, &t.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("bpjs task")
	}
	return t, err
}

// BPJSSummary says whether any task succeeded and whether one created since
// pendingSince is pending.
func (db *DB) BPJSSummary(ctx context.Context, applicationID int64, pendingSince time.Time) (success, pending bool, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM bpjs_tasks WHERE application_id = $1 AND status = $2),
		EXISTS (SELECT 1 FROM bpjs_tasks WHERE application_id = $1 AND status = $3 AND created_at >= $4)`,
		applicationID, onboarding.BPJSSuccess, onboarding.BPJSPending, ms(pendingSince)).Scan(&success, &pending)
	return success, pending, err
}

const importColumns = `id, application_id, bank, ref, status, COALESCE(message, ''), created_at`

func scanImport(r scanner) (onboarding.BankImport, error) {
	var imp onboarding.BankImport
	var created int64
	err := r.Scan(&imp.ID, &imp.ApplicationID, &imp.Bank, &imp.Ref, &imp.Status, &imp.Message, &created)
	imp.CreatedAt = fromMS(created)
	return imp, err
}

// CreateBankImport inserts an import with its jobs in one transaction; the
// unique index on unfinished imports makes a second concurrent import of
// one bank a duplicate of onboarding.UniqueActiveImport.
func (db *DB) CreateBankImport(ctx context.Context, imp onboarding.BankImport, jobs []julo.Scheduled) (onboarding.BankImport, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO bank_imports (application_id, bank, ref, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, imp.ApplicationID, imp.Bank, imp.Ref, imp.Status, ms(imp.CreatedAt)).Scan(&imp.ID); err != nil {
			return db.conflict(err)
		}
		return db.enqueue(ctx, tx, jobs...)
	})
	return imp, err
}

// DeleteBankImport removes an import that never started.
func (db *DB) DeleteBankImport(ctx context.Context, id int64) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM bank_imports WHERE id = $1`, id)
	return err
}

// ActiveBankImport returns the unfinished import of a bank.
func (db *DB) ActiveBankImport(ctx context.Context, applicationID int64, bank string) (onboarding.BankImport, error) {
	imp, err := scanImport(db.r.QueryRowContext(ctx, `SELECT `+importColumns+` FROM bank_imports
		WHERE application_id = $1 AND bank = $2 AND finished_at IS NULL`, applicationID, bank))
	if errors.Is(err, sql.ErrNoRows) {
		return imp, notFound("bank import")
	}
	return imp, err
}

// AdvanceImport moves the import with ref to the state next returns.
func (db *DB) AdvanceImport(ctx context.Context, ref string, at time.Time, next func(onboarding.BankImport) (string, string, error)) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		imp, err := scanImport(tx.QueryRowContext(ctx, `SELECT `+importColumns+` FROM bank_imports WHERE ref = $1`+db.dialect.forUpdate, ref))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("bank import")
		}
		if err != nil {
			return err
		}
		status, message, err := next(imp)
		if err != nil || status == imp.Status {
			return err
		}
		return db.updateImport(ctx, tx, imp, status, message, at)
	})
}

// updateImport moves an import to status, finishing it on a final state
// and recording the outcome as a verification event.
func (db *DB) updateImport(ctx context.Context, tx *sql.Tx, imp onboarding.BankImport, status, message string, at time.Time) error {
	final := onboarding.ImportFinal(status)
	var finished any
	if final {
		finished = ms(at)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE bank_imports SET status = $2, message = $3, updated_at = $4, finished_at = $5 WHERE id = $1`,
		imp.ID, status, message, ms(at), finished); err != nil {
		return err
	}
	if !final {
		return nil
	}
	outcome := julo.VerificationFailed
	if status == onboarding.ImportLoadSuccess {
		outcome = julo.VerificationVerified
	}
	return db.recordVerification(ctx, tx, imp.ApplicationID, "bank:"+imp.Bank, outcome, at)
}

// BankSummary says, per bank, whether an import succeeded and whether one
// is unfinished.
func (db *DB) BankSummary(ctx context.Context, applicationID int64) (map[string]onboarding.BankState, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT bank,
		MAX(CASE WHEN status = $2 THEN 1 ELSE 0 END), MAX(CASE WHEN finished_at IS NULL THEN 1 ELSE 0 END)
		FROM bank_imports WHERE application_id = $1 GROUP BY bank`, applicationID, onboarding.ImportLoadSuccess)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]onboarding.BankState{}
	for rows.Next() {
		var bank string
		var verified, ongoing int
		if err := rows.Scan(&bank, &verified, &ongoing); err != nil {
			return nil, err
		}
		out[bank] = onboarding.BankState{Verified: verified == 1, Ongoing: ongoing == 1}
	}
	return out, rows.Err()
}
