package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

// The activation's storage (migration 0016): the customers' PIN guards,
// the applications' PIN windows, the credit accounts and the review
// requests. Every status change goes through moveApplication.

const colReviewReason = "review_requests.reason_sealed"

// BeginPINAttempt implements credit.ActivationStore. The guard row is held
// until the count is written, so that concurrent tries of one customer
// (on any instance) are counted one after another.
func (db *DB) BeginPINAttempt(ctx context.Context, applicationID int64, now time.Time, maxWrong int, lock time.Duration) (credit.PINAttempt, error) {
	var at credit.PINAttempt
	err := db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT c.id, c.pin_hash, c.pin_key_id FROM applications a
			JOIN customers c ON c.id = a.customer_id WHERE a.id = $1`, applicationID).Scan(&at.CustomerID, &at.Hash, &at.KeyID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("application")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pin_guards (customer_id, wrong, updated_at) VALUES ($1, 0, $2)
			ON CONFLICT (customer_id) DO NOTHING`, at.CustomerID, ms(now)); err != nil {
			return err
		}
		var locked sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT wrong, locked_until FROM pin_guards WHERE customer_id = $1`+db.dialect.forUpdate,
			at.CustomerID).Scan(&at.Wrong, &locked); err != nil {
			return err
		}
		if locked.Valid {
			if until := fromMS(locked.Int64); now.Before(until) {
				at.LockedUntil = until
				return nil
			}
			at.Wrong = 0 // the lock has ended: the count starts again
		}
		at.Wrong++
		var lockCol any
		if at.Wrong >= maxWrong {
			lockCol = ms(now.Add(lock))
		}
		_, err = tx.ExecContext(ctx, `UPDATE pin_guards SET wrong = $2, locked_until = $3, updated_at = $4 WHERE customer_id = $1`,
			at.CustomerID, at.Wrong, lockCol, ms(now))
		return err
	})
	return at, err
}

// PINVerified implements credit.ActivationStore.
func (db *DB) PINVerified(ctx context.Context, applicationID, customerID int64, at, until time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		now := ms(at)
		if _, err := tx.ExecContext(ctx, `UPDATE pin_guards SET wrong = 0, locked_until = NULL, updated_at = $2 WHERE customer_id = $1`,
			customerID, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO pin_windows (application_id, verified_until, verified_at) VALUES ($1, $2, $3)
			ON CONFLICT (application_id) DO UPDATE SET verified_until = excluded.verified_until, verified_at = excluded.verified_at`,
			applicationID, ms(until), now)
		return err
	})
}

// holdApplication holds application id's row and returns its status and
// customer.
func (db *DB) holdApplication(ctx context.Context, tx *sql.Tx, id int64) (julo.AppStatus, int64, error) {
	var status julo.AppStatus
	var customerID int64
	err := tx.QueryRowContext(ctx, `SELECT status, customer_id FROM applications WHERE id = $1`+db.dialect.forUpdate, id).
		Scan(&status, &customerID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, notFound("application")
	}
	return status, customerID, err
}

// ActivateLimit implements credit.ActivationStore.
func (db *DB) ActivateLimit(ctx context.Context, applicationID int64, accept bool, at time.Time,
	check func(credit.ActivationFacts) error) (credit.Account, error) {
	var acc credit.Account
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var f credit.ActivationFacts
		var customerID int64
		var err error
		if f.Status, customerID, err = db.holdApplication(ctx, tx, applicationID); err != nil {
			return err
		}
		var until int64
		switch err := tx.QueryRowContext(ctx, `SELECT verified_until FROM pin_windows WHERE application_id = $1`, applicationID).
			Scan(&until); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			f.PINVerifiedTo = fromMS(until)
		}
		var maxLimit, setLimit sql.NullInt64
		var decided int64
		switch err := tx.QueryRowContext(ctx, `SELECT max_limit, set_limit, decided_at, policy_version FROM credit_decisions
			WHERE application_id = $1 AND outcome = $2 ORDER BY id DESC LIMIT 1`, applicationID, string(credit.OutcomeApproved)).
			Scan(&maxLimit, &setLimit, &decided, &f.PolicyVersion); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if setLimit.Valid {
				f.Offer = &credit.Offer{MaxLimit: julo.Money(maxLimit.Int64), SetLimit: julo.Money(setLimit.Int64)}
			}
			f.OfferDecidedAt = fromMS(decided)
		}
		if err := check(f); err != nil {
			return err
		}
		if !accept {
			_, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: applicationID, To: julo.AppActivationRejected, At: at,
				Reason: credit.ReasonLimitDeclined})
			return err
		}
		for _, m := range []AppMove{
			{ApplicationID: applicationID, To: julo.AppLimitActivation, At: at, Reason: credit.ReasonLimitAccepted},
			{ApplicationID: applicationID, To: julo.AppLimitReady, At: at, Reason: credit.ReasonAccountOpened},
		} {
			if _, err := db.moveApplication(ctx, tx, m); err != nil {
				return err
			}
		}
		// The account: the offer's set limit, all of it available.
		acc = credit.Account{ApplicationID: applicationID, SetLimit: f.Offer.SetLimit, AvailableLimit: f.Offer.SetLimit, OpenedAt: at}
		_, err = tx.ExecContext(ctx, `INSERT INTO credit_accounts (application_id, customer_id, set_limit, available_limit, used_limit,
			policy_version, opened_at) VALUES ($1, $2, $3, $4, 0, $5, $6)`,
			applicationID, customerID, int64(acc.SetLimit), int64(acc.AvailableLimit), f.PolicyVersion, ms(at))
		return err
	})
	return acc, err
}

// CreditAccount returns the application's credit account (ok false: none
// is open).
func (db *DB) CreditAccount(ctx context.Context, applicationID int64) (credit.Account, bool, error) {
	return creditAccount(ctx, db.r, applicationID)
}

func creditAccount(ctx context.Context, q querier, applicationID int64) (credit.Account, bool, error) {
	a := credit.Account{ApplicationID: applicationID}
	var opened int64
	err := q.QueryRowContext(ctx, `SELECT set_limit, available_limit, used_limit, opened_at FROM credit_accounts
		WHERE application_id = $1`, applicationID).Scan(&a.SetLimit, &a.AvailableLimit, &a.UsedLimit, &opened)
	if errors.Is(err, sql.ErrNoRows) {
		return credit.Account{}, false, nil
	}
	a.OpenedAt = fromMS(opened)
	return a, err == nil, err
}

// offerSince is the condition "application a is at 130 and reached it at
// or before $1": its newest move to 130 in the history. $2 is 130.
const offerSince = `a.status = $2 AND (SELECT MAX(h.changed_at) FROM application_status_history h
	WHERE h.application_id = a.id AND h.to_status = $2) <= $1`

// StaleOffers implements credit.ActivationStore.
func (db *DB) StaleOffers(ctx context.Context, cutoff time.Time, afterID int64, limit int) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT a.id FROM applications a WHERE `+offerSince+` AND a.id > $3 ORDER BY a.id LIMIT $4`,
		ms(cutoff), julo.AppLimitGenerated, afterID, limit)
}

// ExpireOffer implements credit.ActivationStore: the row is held before
// the offer is judged stale, so that an activation committing at the same
// moment either comes first (and the offer no longer stands at 130) or
// finds it expired.
func (db *DB) ExpireOffer(ctx context.Context, id int64, cutoff, at time.Time) (bool, error) {
	moved := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, _, err := db.holdApplication(ctx, tx, id); err != nil {
			if julo.ErrorCode(err) == julo.ENOTFOUND {
				return nil
			}
			return err
		}
		var stale bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM applications a WHERE `+offerSince+` AND a.id = $3)`,
			ms(cutoff), julo.AppLimitGenerated, id).Scan(&stale); err != nil || !stale {
			return err
		}
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: id, To: julo.AppOfferExpired, At: at,
			Reason: credit.ReasonOfferExpired}); err != nil {
			return err
		}
		moved = true
		return nil
	})
	return moved, err
}

// reviewFacts reads, in tx, what a review request or decision is judged
// on; the application's row must be held.
func (db *DB) reviewFacts(ctx context.Context, tx *sql.Tx, applicationID int64, status julo.AppStatus) (credit.ReviewFacts, int64, error) {
	f := credit.ReviewFacts{Status: status}
	var decisionID int64
	var record string
	switch err := tx.QueryRowContext(ctx, `SELECT id, record FROM credit_decisions WHERE application_id = $1 ORDER BY id DESC LIMIT 1`,
		applicationID).Scan(&decisionID, &record); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return f, 0, err
	default:
		var d credit.Decision
		if err := json.Unmarshal([]byte(record), &d); err != nil {
			return f, 0, err
		}
		f.Last = &d
	}
	var r credit.ReviewRequest
	var requested int64
	switch err := tx.QueryRowContext(ctx, `SELECT id, requested_at FROM review_requests WHERE application_id = $1 AND resolution IS NULL
		ORDER BY id DESC LIMIT 1`, applicationID).Scan(&r.ID, &requested); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return f, 0, err
	default:
		r.ApplicationID, r.RequestedAt = applicationID, fromMS(requested)
		f.Pending = &r
	}
	switch err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(round), 0) FROM credit_assessments WHERE application_id = $1`,
		applicationID).Scan(&f.Round); {
	case err != nil:
		return f, 0, err
	}
	return f, decisionID, nil
}

// RequestReview implements credit.ActivationStore.
func (db *DB) RequestReview(ctx context.Context, applicationID int64, reason string, at time.Time,
	check func(credit.ReviewFacts) error) (credit.ReviewRequest, error) {
	r := credit.ReviewRequest{ApplicationID: applicationID, Reason: reason, RequestedAt: at}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		status, _, err := db.holdApplication(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		f, decisionID, err := db.reviewFacts(ctx, tx, applicationID, status)
		if err != nil {
			return err
		}
		if err := check(f); err != nil {
			return err
		}
		k, err := db.keyOfApplication(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		sealed, err := k.seal(db.random(), colReviewReason, reason)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO review_requests (application_id, decision_id, reason_sealed, requested_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, applicationID, decisionID, sealed, ms(at)).Scan(&r.ID)
	})
	if err != nil {
		return credit.ReviewRequest{}, err
	}
	return r, nil
}

// DecideReview implements credit.ActivationStore.
func (db *DB) DecideReview(ctx context.Context, applicationID int64, outcome string,
	build func(credit.ReviewFacts) (credit.Decision, error)) (credit.Decision, error) {
	var d credit.Decision
	err := db.tx(ctx, func(tx *sql.Tx) error {
		status, _, err := db.holdApplication(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		f, _, err := db.reviewFacts(ctx, tx, applicationID, status)
		if err != nil {
			return err
		}
		if d, err = build(f); err != nil {
			return err
		}
		if d.ToStatus != d.FromStatus {
			if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: applicationID, To: d.ToStatus, At: d.DecidedAt,
				Reason: strings.Join(d.ReasonCodes, ",")}); err != nil {
				return err
			}
		}
		if err := db.insertDecision(ctx, tx, applicationID, d); err != nil {
			return err
		}
		operator := ""
		if d.Operator != nil {
			operator = d.Operator.Name
		}
		_, err = tx.ExecContext(ctx, `UPDATE review_requests SET resolution = $2, resolved_at = $3, operator = $4 WHERE id = $1`,
			f.Pending.ID, outcome, ms(d.DecidedAt), operator)
		return err
	})
	return d, err
}

// ReviewRequests implements credit.ActivationStore: the open requests,
// oldest first, with their reasons opened (an erased customer's reason
// cannot be opened: it reads "").
func (db *DB) ReviewRequests(ctx context.Context) ([]credit.ReviewRequest, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT r.id, r.application_id, a.xid, r.reason_sealed, r.requested_at
		FROM review_requests r JOIN applications a ON a.id = r.application_id WHERE r.resolution IS NULL ORDER BY r.requested_at, r.id`)
	if err != nil {
		return nil, err
	}
	var out []credit.ReviewRequest
	var sealed []string
	for rows.Next() {
		var r credit.ReviewRequest
		var s string
		var at int64
		if err := rows.Scan(&r.ID, &r.ApplicationID, &r.ApplicationXID, &s, &at); err != nil {
			rows.Close()
			return nil, err
		}
		r.RequestedAt = fromMS(at)
		out, sealed = append(out, r), append(sealed, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		k, err := db.keyOfApplication(ctx, db.r, out[i].ApplicationID)
		if errors.Is(err, errShredded) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if out[i].Reason, err = k.open(colReviewReason, sealed[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var _ credit.ActivationStore = (*DB)(nil)
