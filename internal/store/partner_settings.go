package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Partner settings an operator sets with `julo partner set`: today the
// return-URL prefixes a BPJS login's redirect_url must start with.

// ReturnURLPrefixes returns the partner's return-URL prefixes, oldest first.
func (db *DB) ReturnURLPrefixes(ctx context.Context, partnerID int64) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT prefix FROM partner_return_urls WHERE partner_id = $1 ORDER BY id`, partnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetReturnURLPrefixes replaces the prefixes of the partner named username
// with prefixes (distinct), in one transaction; ENOTFOUND for an unknown
// partner. Prefixes kept keep their row (and creation time).
func (db *DB) SetReturnURLPrefixes(ctx context.Context, username string, prefixes []string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var partnerID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM partners WHERE username = $1`+db.dialect.forUpdate, username).Scan(&partnerID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("partner")
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT prefix FROM partner_return_urls WHERE partner_id = $1`, partnerID)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			have[p] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		want := map[string]bool{}
		for _, p := range prefixes {
			want[p] = true
			if !have[p] {
				if _, err := tx.ExecContext(ctx, `INSERT INTO partner_return_urls (partner_id, prefix, created_at) VALUES ($1, $2, $3)`,
					partnerID, p, ms(at)); err != nil {
					return db.conflict(err)
				}
			}
		}
		for p := range have {
			if !want[p] {
				if _, err := tx.ExecContext(ctx, `DELETE FROM partner_return_urls WHERE partner_id = $1 AND prefix = $2`, partnerID, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
