package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// OpenBPJSTask returns the task a BPJS login of t.ApplicationID uses, in one
// transaction that holds the application row (logins of one application
// happen one after the other): the application's latest task when reuse
// accepts it, updated to t's AppType and RedirectURL (reused true); else t,
// recorded as a new pending task after the application's pending tasks are
// closed as expired (reused false). The partial unique index bpjs_tasks_pending
// keeps one pending task per application whatever the caller does (a
// duplicate of onboarding.UniquePendingBPJSTask).
func (db *DB) OpenBPJSTask(ctx context.Context, t onboarding.BPJSTask, at time.Time, reuse func(onboarding.BPJSTask) bool) (_ onboarding.BPJSTask, reused bool, _ error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM applications WHERE id = $1`+db.dialect.forUpdate, t.ApplicationID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("application")
		}
		if err != nil {
			return err
		}
		last, err := scanBPJSTask(tx.QueryRowContext(ctx, `SELECT `+bpjsTaskColumns+` FROM bpjs_tasks
			WHERE application_id = $1 ORDER BY id DESC LIMIT 1`, t.ApplicationID))
		switch {
		case err == nil && reuse(last):
			last.AppType, last.RedirectURL = t.AppType, t.RedirectURL
			_, err = tx.ExecContext(ctx, `UPDATE bpjs_tasks SET app_type = $2, redirect_url = $3, updated_at = $4 WHERE token = $1`,
				last.Token, last.AppType, nullString(last.RedirectURL), ms(at))
			t, reused = last, true
			return err
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bpjs_tasks SET status = $2, updated_at = $3 WHERE application_id = $1 AND status = $4`,
			t.ApplicationID, onboarding.BPJSExpired, ms(at), onboarding.BPJSPending); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO bpjs_tasks (application_id, token, app_type, status, redirect_url, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, t.ApplicationID, t.Token, t.AppType, onboarding.BPJSPending, nullString(t.RedirectURL), ms(at))
		t.Status, t.CreatedAt, t.SubmittedAt = onboarding.BPJSPending, fromMS(ms(at)), time.Time{}
		return err
	})
	if err != nil {
		return onboarding.BPJSTask{}, false, db.conflict(err)
	}
	return t, reused, nil
}

// nullString is s, or NULL when s is empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
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

const bpjsTaskColumns = `application_id, token, app_type, status, COALESCE(redirect_url, ''), created_at, COALESCE(submitted_at, 0)`

func scanBPJSTask(r scanner) (onboarding.BPJSTask, error) {
	var t onboarding.BPJSTask
	var created, submitted int64
	err := r.Scan(&t.ApplicationID, &t.Token, &t.AppType, &t.Status, &t.RedirectURL, &created, &submitted)
	t.CreatedAt = fromMS(created)
	if submitted != 0 {
		t.SubmittedAt = fromMS(submitted)
	}
	return t, err
}

// BPJSTask returns the task with token.
func (db *DB) BPJSTask(ctx context.Context, token string) (onboarding.BPJSTask, error) {
	t, err := scanBPJSTask(db.r.QueryRowContext(ctx, `SELECT `+bpjsTaskColumns+` FROM bpjs_tasks WHERE token = $1`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("bpjs task")
	}
	return t, err
}

// SubmitBPJSTask marks the task submitted (pending again after a failed
// login) when check allows it, with jobs, in one transaction.
func (db *DB) SubmitBPJSTask(ctx context.Context, token string, at time.Time, check func(onboarding.BPJSTask) (bool, error), jobs ...julo.Scheduled) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		t, err := scanBPJSTask(tx.QueryRowContext(ctx, `SELECT `+bpjsTaskColumns+` FROM bpjs_tasks WHERE token = $1`+db.dialect.forUpdate, token))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("bpjs task")
		}
		if err != nil {
			return err
		}
		submit, err := check(t)
		if err != nil || !submit {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bpjs_tasks SET status = $2, submitted_at = $3, updated_at = $3 WHERE token = $1`,
			token, onboarding.BPJSPending, ms(at)); err != nil {
			// Another task of the application is pending: a duplicate of
			// onboarding.UniquePendingBPJSTask.
			return db.conflict(err)
		}
		return db.enqueue(ctx, tx, jobs...)
	})
}

// BPJSSummary says whether any task succeeded and whether one submitted
// since pendingSince is pending.
func (db *DB) BPJSSummary(ctx context.Context, applicationID int64, pendingSince time.Time) (success, pending bool, err error) {
	// The statuses are literals, not parameters: see documentsQuery.
	err = db.r.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM bpjs_tasks WHERE application_id = $1 AND status = '`+onboarding.BPJSSuccess+`'),
		EXISTS (SELECT 1 FROM bpjs_tasks WHERE application_id = $1 AND status = '`+onboarding.BPJSPending+`' AND submitted_at >= $2)`,
		applicationID, ms(pendingSince)).Scan(&success, &pending)
	return success, pending, err
}

const importColumns = `id, public_id, application_id, bank, ref, status, COALESCE(message, ''), COALESCE(reason, ''), created_at, updated_at`

func scanImport(r scanner) (onboarding.BankImport, error) {
	var imp onboarding.BankImport
	var created, updated int64
	err := r.Scan(&imp.ID, &imp.PublicID, &imp.ApplicationID, &imp.Bank, &imp.Ref, &imp.Status, &imp.Message, &imp.Reason, &created, &updated)
	imp.CreatedAt, imp.UpdatedAt = fromMS(created), fromMS(updated)
	return imp, err
}

// CreateBankImport inserts an import with its jobs in one transaction; the
// unique index on unfinished imports makes a second concurrent import of
// one bank a duplicate of onboarding.UniqueActiveImport.
func (db *DB) CreateBankImport(ctx context.Context, imp onboarding.BankImport, jobs []julo.Scheduled) (onboarding.BankImport, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO bank_imports (public_id, application_id, bank, ref, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, imp.PublicID, imp.ApplicationID, imp.Bank, imp.Ref, imp.Status, ms(imp.CreatedAt)).Scan(&imp.ID); err != nil {
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

// AdvanceImport moves the import with ref to the step next returns.
func (db *DB) AdvanceImport(ctx context.Context, ref string, at time.Time, next func(onboarding.BankImport) (onboarding.ImportStep, error)) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		imp, err := scanImport(tx.QueryRowContext(ctx, `SELECT `+importColumns+` FROM bank_imports WHERE ref = $1`+db.dialect.forUpdate, ref))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("bank import")
		}
		if err != nil {
			return err
		}
		step, err := next(imp)
		if err != nil || step.Status == imp.Status {
			return err
		}
		return db.updateImport(ctx, tx, imp, step, at)
	})
}

// updateImport moves an import to step's status (with its message and
// reason), finishing it on a final state and recording the outcome as a
// verification event.
func (db *DB) updateImport(ctx context.Context, tx *sql.Tx, imp onboarding.BankImport, step onboarding.ImportStep, at time.Time) error {
	status := step.Status
	final := onboarding.ImportFinal(status)
	var finished any
	if final {
		finished = ms(at)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE bank_imports SET status = $2, message = $3, reason = $4, updated_at = $5, finished_at = $6 WHERE id = $1`,
		imp.ID, status, step.Message, nullString(step.Reason), ms(at), finished); err != nil {
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

// BankSummary returns, per bank, its newest import and its newest
// successful one (at most two rows per bank).
func (db *DB) BankSummary(ctx context.Context, applicationID int64) (map[string]onboarding.BankState, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+importColumns+` FROM bank_imports WHERE id IN (
		SELECT MAX(id) FROM bank_imports WHERE application_id = $1 GROUP BY bank
		UNION SELECT MAX(id) FROM bank_imports WHERE application_id = $1 AND status = $2 GROUP BY bank)
		ORDER BY id`, applicationID, onboarding.ImportLoadSuccess)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]onboarding.BankState{}
	for rows.Next() {
		imp, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		// In id order: the newest import of a bank comes last.
		st := out[imp.Bank]
		st.Latest = imp
		if imp.Status == onboarding.ImportLoadSuccess {
			st.Success = imp
		}
		out[imp.Bank] = st
	}
	return out, rows.Err()
}
