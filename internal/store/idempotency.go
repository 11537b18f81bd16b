package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Idempotency keys (issue 11 item 5; migration 0014): the claims of the
// partners' keys and the answers kept for replays, for the HTTP layer's
// middleware. A key is claimed by inserting its row before the request
// runs, so that of any number of requests with one key, on any number of
// instances, one runs; the others find the row. Keys and fingerprints are
// stored only as keyed hashes (blind indexes), answers only sealed with the
// data key.

// Blind-index kinds of the idempotency rows.
const (
	bidxIdemKey     = "idempotency_key"
	bidxIdemRequest = "idempotency_request"
)

// idemHashes returns the row's key_hash (of the partner and its key) and
// request_hash (of the request's fingerprint).
func (db *DB) idemHashes(ctx context.Context, partnerID int64, key, fingerprint string) (keyHash, requestHash string, err error) {
	bidx, err := db.blindIndexes(ctx, db.w)
	if err != nil {
		return "", "", err
	}
	keyHash = bidx(bidxIdemKey, strconv.FormatInt(partnerID, 10)+"\x00"+key)
	if fingerprint != "" {
		requestHash = bidx(bidxIdemRequest, fingerprint)
	}
	return keyHash, requestHash, nil
}

// idemAD is the authenticated data a row's answer is sealed with: the
// answer opens only in the row it was saved in.
func idemAD(partnerID int64, keyHash string) string {
	return "idempotency_keys.response/" + strconv.FormatInt(partnerID, 10) + "/" + keyHash
}

// ClaimIdempotencyKey claims the partner's key for a request of the given
// fingerprint at time at. The claim is the caller's (IdemClaimed, with its
// token) when the key has no row, when its row's answer is older than keep,
// or when its row is a claim whose lease has run out (an instance died
// mid-request, or its renewals stopped): it holds until at+lease unless
// renewed. Otherwise the row says what the key is: another request's
// (IdemMismatch, whatever its state), the same request's answer
// (IdemReplay) or the same request still running (IdemRunning).
//
// Races are settled by the database: the insert of a new row, and the
// takeover of a lapsed one, succeed for one caller only (PostgreSQL
// re-checks the UPDATE's condition on the row it waited for; SQLite has
// one writer).
func (db *DB) ClaimIdempotencyKey(ctx context.Context, partnerID int64, key, fingerprint string, at time.Time, lease, keep time.Duration) (julo.IdempotencyClaim, error) {
	keyHash, reqHash, err := db.idemHashes(ctx, partnerID, key, fingerprint)
	if err != nil {
		return julo.IdempotencyClaim{}, err
	}
	// A row that disappears between the writes and the read (released,
	// or pruned) is claimed on the next round.
	for range 3 {
		token, err := db.idemToken()
		if err != nil {
			return julo.IdempotencyClaim{}, err
		}
		claimed := julo.IdempotencyClaim{Outcome: julo.IdemClaimed, Token: token}
		res, err := db.w.ExecContext(ctx, `INSERT INTO idempotency_keys
			(partner_id, key_hash, request_hash, claim_token, lease_until, response, created_at, answered_at)
			VALUES ($1, $2, $3, $4, $5, NULL, $6, NULL)
			ON CONFLICT (partner_id, key_hash) DO NOTHING`,
			partnerID, keyHash, reqHash, token, ms(at.Add(lease)), ms(at))
		if err != nil {
			return julo.IdempotencyClaim{}, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return claimed, err
		}
		res, err = db.w.ExecContext(ctx, `UPDATE idempotency_keys
			SET request_hash = $3, claim_token = $4, lease_until = $5, response = NULL, created_at = $6, answered_at = NULL
			WHERE partner_id = $1 AND key_hash = $2
				AND (response IS NULL AND lease_until <= $6 OR response IS NOT NULL AND created_at <= $7)`,
			partnerID, keyHash, reqHash, token, ms(at.Add(lease)), ms(at), ms(at.Add(-keep)))
		if err != nil {
			return julo.IdempotencyClaim{}, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return claimed, err
		}
		var stored string
		var sealed sql.NullString
		err = db.w.QueryRowContext(ctx, `SELECT request_hash, response FROM idempotency_keys WHERE partner_id = $1 AND key_hash = $2`,
			partnerID, keyHash).Scan(&stored, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return julo.IdempotencyClaim{}, err
		}
		switch {
		case stored != reqHash:
			return julo.IdempotencyClaim{Outcome: julo.IdemMismatch}, nil
		case !sealed.Valid:
			return julo.IdempotencyClaim{Outcome: julo.IdemRunning}, nil
		}
		answer, err := db.openWithDataKey(idemAD(partnerID, keyHash), sealed.String)
		if err != nil {
			return julo.IdempotencyClaim{}, err
		}
		return julo.IdempotencyClaim{Outcome: julo.IdemReplay, Answer: answer}, nil
	}
	return julo.IdempotencyClaim{}, fmt.Errorf("store: idempotency key of partner %d: its row kept disappearing", partnerID)
}

func (db *DB) idemToken() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(db.random(), b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// RenewIdempotencyKey moves the lease of the claim named by token to
// until; false when the claim is no longer the token's (its lease ran out
// and another request took the key over, or it was saved or released).
func (db *DB) RenewIdempotencyKey(ctx context.Context, partnerID int64, key, token string, until time.Time) (bool, error) {
	keyHash, _, err := db.idemHashes(ctx, partnerID, key, "")
	if err != nil {
		return false, err
	}
	res, err := db.w.ExecContext(ctx, `UPDATE idempotency_keys SET lease_until = $4
		WHERE partner_id = $1 AND key_hash = $2 AND claim_token = $3 AND response IS NULL`,
		partnerID, keyHash, token, ms(until))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SaveIdempotentAnswer keeps answer for the key's replays, sealed, ending
// the claim named by token; false (and nothing saved) when the claim is no
// longer the token's.
func (db *DB) SaveIdempotentAnswer(ctx context.Context, partnerID int64, key, token string, answer []byte, at time.Time) (bool, error) {
	keyHash, _, err := db.idemHashes(ctx, partnerID, key, "")
	if err != nil {
		return false, err
	}
	sealed, err := db.sealWithDataKey(idemAD(partnerID, keyHash), answer)
	if err != nil {
		return false, err
	}
	res, err := db.w.ExecContext(ctx, `UPDATE idempotency_keys SET response = $4, claim_token = NULL, answered_at = $5
		WHERE partner_id = $1 AND key_hash = $2 AND claim_token = $3 AND response IS NULL`,
		partnerID, keyHash, token, sealed, ms(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseIdempotencyKey gives up the claim named by token, so that the
// next request with the key runs (an answer that is not kept: a 5xx, a
// 429, a validation 400). A claim that is no longer the token's is left
// alone.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, partnerID int64, key, token string) error {
	keyHash, _, err := db.idemHashes(ctx, partnerID, key, "")
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `DELETE FROM idempotency_keys
		WHERE partner_id = $1 AND key_hash = $2 AND claim_token = $3 AND response IS NULL`, partnerID, keyHash, token)
	return err
}

// DeleteIdempotencyKeys deletes the keys first claimed before before:
// answered ones, and claims whose lease had run out by at (a claim still
// running keeps its row).
func (db *DB) DeleteIdempotencyKeys(ctx context.Context, before, at time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM idempotency_keys
		WHERE created_at < $1 AND (response IS NOT NULL OR lease_until <= $2)`, ms(before), ms(at))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// IdempotentAnswersByDataKey counts the kept answers sealed by each
// data-set key (their "d1.<key id>." prefix): an old data key must stay in
// the key file until none is left (they are deleted with their keys,
// within the idempotency window).
func (db *DB) IdempotentAnswersByDataKey(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := scanAll(ctx, db.r, `SELECT response FROM idempotency_keys WHERE response IS NOT NULL`, nil,
		func(rs *sql.Rows) error {
			var s string
			if err := rs.Scan(&s); err != nil {
				return err
			}
			out[sealedDataKeyID(s)]++
			return nil
		})
	return out, err
}

// sealedDataKeyID is the id of the data-set key that sealed s (see
// sealWithDataKey), or "" when s is not such a value.
func sealedDataKeyID(s string) string {
	rest, ok := strings.CutPrefix(s, "d1.")
	id, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return ""
	}
	return id
}
