package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// CreateBPJSTask records a pending BPJS login task.
func (db *DB) CreateBPJSTask(ctx context.Context, applicationID int64, token, appType string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO bpjs_tasks (application_id, token, app_type, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)`, applicationID, token, appType, onboarding.BPJSPending, ms(at))
	return db.conflict(err)
}

// FinishBPJSTask ends a pending task; repeating its final status is accepted.
func (db *DB) FinishBPJSTask(ctx context.Context, token, status, message string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var current string
		err := tx.QueryRowContext(ctx, `SELECT status FROM bpjs_tasks WHERE token = $1`+db.dialect.forUpdate, token).Scan(&current)
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
			return &onboarding.Error{Code: onboarding.ECONFLICT}
		}
		_, err = tx.ExecContext(ctx, `UPDATE bpjs_tasks SET status = $2, message = $3, updated_at = $4 WHERE token = $1`,
			token, status, message, ms(at))
		return err
	})
}

// LatestBPJSStatus is the status of the application's newest task.
func (db *DB) LatestBPJSStatus(ctx context.Context, applicationID int64) (string, error) {
	var st string
	err := db.r.QueryRowContext(ctx, `SELECT status FROM bpjs_tasks WHERE application_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 1`, applicationID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return st, err
}

const importColumns = `id, application_id, bank, ref, status, COALESCE(message, ''), created_at`

func scanImport(r scanner) (onboarding.BankImport, error) {
	var imp onboarding.BankImport
	var created int64
	err := r.Scan(&imp.ID, &imp.ApplicationID, &imp.Bank, &imp.Ref, &imp.Status, &imp.Message, &created)
	imp.CreatedAt = fromMS(created)
	return imp, err
}

// CreateBankImport inserts an import; the unique index on unfinished imports
// makes a second concurrent import of one bank an ECONFLICT.
func (db *DB) CreateBankImport(ctx context.Context, imp onboarding.BankImport) (onboarding.BankImport, error) {
	err := db.w.QueryRowContext(ctx, `INSERT INTO bank_imports (application_id, bank, ref, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, imp.ApplicationID, imp.Bank, imp.Ref, imp.Status, ms(imp.CreatedAt)).Scan(&imp.ID)
	return imp, db.conflict(err)
}

// DeleteBankImport removes an import that never started, with its plan.
func (db *DB) DeleteBankImport(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM bank_import_events WHERE import_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM bank_imports WHERE id = $1`, id)
		return err
	})
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

// PlanImportEvents stores the sandbox scraper's planned progress.
func (db *DB) PlanImportEvents(ctx context.Context, importID int64, events []onboarding.PlannedEvent, start time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range events {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bank_import_events (import_id, status, message, due_at)
				VALUES ($1, $2, $3, $4)`, importID, e.Status, e.Message, ms(start.Add(e.After))); err != nil {
				return err
			}
		}
		return nil
	})
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
		var finished any
		if onboarding.ImportFinal(status) {
			finished = ms(at)
		}
		_, err = tx.ExecContext(ctx, `UPDATE bank_imports SET status = $2, message = $3, updated_at = $4, finished_at = $5 WHERE id = $1`,
			imp.ID, status, message, ms(at), finished)
		return err
	})
}

// DueImportEvents marks the application's due planned events applied and
// returns them, oldest first.
func (db *DB) DueImportEvents(ctx context.Context, applicationID int64, at time.Time) ([]onboarding.DueEvent, error) {
	var out []onboarding.DueEvent
	err := db.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT e.id, i.ref, e.status, COALESCE(e.message, '')
			FROM bank_import_events e JOIN bank_imports i ON i.id = e.import_id
			WHERE i.application_id = $1 AND e.applied_at IS NULL AND e.due_at <= $2
			ORDER BY e.due_at, e.id`+db.dialect.forUpdate, applicationID, ms(at))
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var e onboarding.DueEvent
			if err := rows.Scan(&id, &e.Ref, &e.Status, &e.Message); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE bank_import_events SET applied_at = $2 WHERE id = $1`, id, ms(at)); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// LatestBankImports returns the newest import of each bank of the application.
func (db *DB) LatestBankImports(ctx context.Context, applicationID int64) ([]onboarding.BankImport, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+importColumns+` FROM bank_imports i
		WHERE application_id = $1 AND id = (SELECT MAX(id) FROM bank_imports j WHERE j.application_id = i.application_id AND j.bank = i.bank)
		ORDER BY bank`, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []onboarding.BankImport
	for rows.Next() {
		imp, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, imp)
	}
	return out, rows.Err()
}
