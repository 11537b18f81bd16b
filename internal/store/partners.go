package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// CreatePartner inserts a partner with its first secret.
func (db *DB) CreatePartner(ctx context.Context, username string, s onboarding.PartnerSecret, at time.Time) (julo.Partner, error) {
	p := julo.Partner{Username: username}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO partners (username, created_at) VALUES ($1, $2) RETURNING id`,
			username, ms(at)).Scan(&p.ID); err != nil {
			return db.conflict(err)
		}
		return insertSecret(ctx, tx, p.ID, s, at)
	})
	return p, err
}

func insertSecret(ctx context.Context, tx *sql.Tx, partnerID int64, s onboarding.PartnerSecret, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO partner_secrets (partner_id, key_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)`,
		partnerID, s.KeyID, s.Hash, ms(at))
	return err
}

// PartnerCredentials returns a partner and its active secrets, in one
// query (it runs on every request whose credentials are not cached; the
// readers keep it prepared: readPool).
func (db *DB) PartnerCredentials(ctx context.Context, username string) (julo.Partner, []onboarding.PartnerSecret, error) {
	var p julo.Partner
	rows, err := db.r.QueryContext(ctx, `SELECT p.id, p.username, p.disabled_at, s.key_id, s.secret_hash
		FROM partners p LEFT JOIN partner_secrets s ON s.partner_id = p.id AND s.revoked_at IS NULL
		WHERE p.username = $1 ORDER BY s.id DESC`, username)
	if err != nil {
		return p, nil, err
	}
	defer rows.Close()
	var out []onboarding.PartnerSecret
	found := false
	for rows.Next() {
		var disabled sql.NullInt64
		var keyID, hash sql.NullString
		if err := rows.Scan(&p.ID, &p.Username, &disabled, &keyID, &hash); err != nil {
			return p, nil, err
		}
		found, p.Disabled = true, disabled.Valid
		if hash.Valid {
			out = append(out, onboarding.PartnerSecret{KeyID: keyID.String, Hash: hash.String})
		}
	}
	if err := rows.Err(); err != nil {
		return p, nil, err
	}
	if !found {
		return p, nil, notFound("partner")
	}
	return p, out, nil
}

// ListPartners lists every partner with its number of active secrets.
func (db *DB) ListPartners(ctx context.Context) ([]onboarding.PartnerSummary, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT p.username, p.created_at, p.disabled_at,
		(SELECT COUNT(*) FROM partner_secrets s WHERE s.partner_id = p.id AND s.revoked_at IS NULL)
		FROM partners p ORDER BY p.username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []onboarding.PartnerSummary{}
	for rows.Next() {
		var s onboarding.PartnerSummary
		var created int64
		var disabled sql.NullInt64
		if err := rows.Scan(&s.Username, &created, &disabled, &s.ActiveSecrets); err != nil {
			return nil, err
		}
		s.CreatedAt = fromMS(created)
		if disabled.Valid {
			t := fromMS(disabled.Int64)
			s.Disabled, s.DisabledAt = true, &t
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetPartnerDisabled disables (keeping the first disabling time) or enables a partner.
func (db *DB) SetPartnerDisabled(ctx context.Context, username string, disabled bool, at time.Time) error {
	q := `UPDATE partners SET disabled_at = NULL WHERE username = $1`
	args := []any{username}
	if disabled {
		q = `UPDATE partners SET disabled_at = COALESCE(disabled_at, $2) WHERE username = $1`
		args = append(args, ms(at))
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("partner")
		}
		return bumpCredentials(ctx, tx)
	})
}

// AddPartnerSecret stores a new secret, keeping the newest keepOld active ones.
func (db *DB) AddPartnerSecret(ctx context.Context, username string, s onboarding.PartnerSecret, keepOld int, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		id, err := partnerID(ctx, tx, username)
		if err != nil {
			return err
		}
		if err := revokeAllBut(ctx, tx, id, keepOld, at); err != nil {
			return err
		}
		if err := insertSecret(ctx, tx, id, s, at); err != nil {
			return err
		}
		return bumpCredentials(ctx, tx)
	})
}

// RevokePartnerSecrets revokes every active secret but the newest.
func (db *DB) RevokePartnerSecrets(ctx context.Context, username string, at time.Time) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sql.Tx) error {
		id, err := partnerID(ctx, tx, username)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM partner_secrets WHERE partner_id = $1 AND revoked_at IS NULL`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			n--
		}
		if err := revokeAllBut(ctx, tx, id, 1, at); err != nil {
			return err
		}
		return bumpCredentials(ctx, tx)
	})
	return n, err
}

func partnerID(ctx context.Context, tx *sql.Tx, username string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM partners WHERE username = $1`, username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("partner")
	}
	return id, err
}

func revokeAllBut(ctx context.Context, tx *sql.Tx, partnerID int64, keep int, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE partner_secrets SET revoked_at = $1
		WHERE partner_id = $2 AND revoked_at IS NULL AND id NOT IN (
			SELECT id FROM partner_secrets WHERE partner_id = $2 AND revoked_at IS NULL ORDER BY id DESC LIMIT $3)`,
		ms(at), partnerID, keep)
	return err
}

// bumpCredentials moves the credentials version (migration 0020) in tx,
// the transaction of a change that can make a credential stop working:
// every instance's cache of verified credentials is then forgotten at its
// next check (onboarding's credential cache).
func bumpCredentials(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE credentials_version SET version = version + 1 WHERE id = 1`)
	return err
}

// CredentialsVersion returns the credentials version: it moves whenever a
// partner is disabled or enabled or a secret added or revoked.
func (db *DB) CredentialsVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.r.QueryRowContext(ctx, `SELECT version FROM credentials_version WHERE id = 1`).Scan(&v)
	return v, err
}
