package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// Per-partner budgets (onboarding's budget.go): the partners' own limits in
// partner_budgets, the counts in budget_windows, one row per partner,
// budget and window.

// spendBudgetSQL grants $4 units of budget $2 to partner $1 in the window
// starting at $3, or as many as are left, under the partner's own limit
// (else $5), in one statement: a new window is inserted with what is
// granted, an existing one is updated in place, both under the row's lock
// (PostgreSQL's ON CONFLICT DO UPDATE re-reads the row it locks; SQLite has
// one writer), so that concurrent spends never grant past the limit
// together. The SET expressions all read the row as it was, so granted is
// what this spend got. A limit lowered below what a window used grants 0.
// RETURNING gives the window after the spend: used, granted, the limit.
// SQLite needs the WHERE of INSERT ... SELECT before ON CONFLICT (its
// parser would otherwise read ON as a join's).
const spendBudgetSQL = `INSERT INTO budget_windows (partner_id, budget, window_start, used, granted, max_count)
	SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS BIGINT), v.grant_now, v.grant_now, v.lim FROM (
		SELECT l.lim, CASE WHEN l.lim < CAST($4 AS BIGINT) THEN l.lim ELSE CAST($4 AS BIGINT) END AS grant_now
		FROM (SELECT COALESCE((SELECT max_count FROM partner_budgets WHERE partner_id = $1 AND budget = $2), CAST($5 AS BIGINT)) AS lim) l
	) v WHERE true
	ON CONFLICT (partner_id, budget, window_start) DO UPDATE SET
		granted = CASE
			WHEN budget_windows.used >= excluded.max_count THEN 0
			WHEN excluded.max_count - budget_windows.used < CAST($4 AS BIGINT) THEN excluded.max_count - budget_windows.used
			ELSE CAST($4 AS BIGINT) END,
		used = budget_windows.used + CASE
			WHEN budget_windows.used >= excluded.max_count THEN 0
			WHEN excluded.max_count - budget_windows.used < CAST($4 AS BIGINT) THEN excluded.max_count - budget_windows.used
			ELSE CAST($4 AS BIGINT) END,
		max_count = excluded.max_count
	RETURNING used, granted, max_count`

// SpendBudget grants up to n (at least 1) units of budget b in the window
// starting at window; see spendBudgetSQL.
func (db *DB) SpendBudget(ctx context.Context, partnerID int64, b onboarding.Budget, window time.Time, n, def int64) (onboarding.BudgetGrant, error) {
	var g onboarding.BudgetGrant
	err := db.w.QueryRowContext(ctx, spendBudgetSQL, partnerID, string(b), ms(window), max(n, 1), def).Scan(&g.Used, &g.Granted, &g.Limit)
	return g, err
}

// RefundBudget gives n units back to the window (used never goes below 0;
// a window already deleted has nothing to give back to).
func (db *DB) RefundBudget(ctx context.Context, partnerID int64, b onboarding.Budget, window time.Time, n int64) error {
	_, err := db.w.ExecContext(ctx, `UPDATE budget_windows
		SET used = CASE WHEN used < CAST($4 AS BIGINT) THEN 0 ELSE used - CAST($4 AS BIGINT) END
		WHERE partner_id = $1 AND budget = $2 AND window_start = $3`, partnerID, string(b), ms(window), n)
	return err
}

// PartnerBudgets returns the own limits of the partner named username;
// ENOTFOUND for an unknown partner.
func (db *DB) PartnerBudgets(ctx context.Context, username string) (map[onboarding.Budget]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT b.budget, b.max_count FROM partners p
		LEFT JOIN partner_budgets b ON b.partner_id = p.id WHERE p.username = $1`, username)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[onboarding.Budget]int64{}
	found := false
	for rows.Next() {
		var b sql.NullString
		var n sql.NullInt64
		if err := rows.Scan(&b, &n); err != nil {
			return nil, err
		}
		found = true
		if b.Valid {
			out[onboarding.Budget(b.String)] = n.Int64
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("partner")
	}
	return out, nil
}

// SetPartnerBudgets sets (or, for 0, removes) the partner's own limits in
// one transaction; ENOTFOUND for an unknown partner.
func (db *DB) SetPartnerBudgets(ctx context.Context, username string, limits map[onboarding.Budget]int64, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		id, err := partnerID(ctx, tx, username)
		if err != nil {
			return err
		}
		for b, n := range limits {
			if n == 0 {
				_, err = tx.ExecContext(ctx, `DELETE FROM partner_budgets WHERE partner_id = $1 AND budget = $2`, id, string(b))
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO partner_budgets (partner_id, budget, max_count, updated_at) VALUES ($1, $2, $3, $4)
					ON CONFLICT (partner_id, budget) DO UPDATE SET max_count = excluded.max_count, updated_at = excluded.updated_at`,
					id, string(b), n, ms(at))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteBudgetWindows deletes the windows of b starting before before.
func (db *DB) DeleteBudgetWindows(ctx context.Context, b onboarding.Budget, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM budget_windows WHERE budget = $1 AND window_start < $2`, string(b), ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
