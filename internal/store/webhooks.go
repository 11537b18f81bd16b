package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/notify"
)

// Callbacks to partners (issue 11, items 1-4): a partner's endpoint and
// signing secrets, an application's own callback target, and the
// deliveries of events with their attempts. Every event the status
// machine records gets a delivery, and the delivery its River job, in the
// event's own transaction, when the partner's callbacks are configured and
// enabled (queueDelivery); the job's worker calls notify.Service.Deliver.
//
// Signing secrets must be usable to sign, so they are sealed (not hashed)
// with the data set's current key, bound to their row; so is an endpoint's
// token. An application's callback_url and callback_token are sealed with
// its customer's key: erasing the customer shreds them too.

// Column bindings of the sealed values (the row's identity is added).
const (
	adEndpointToken = "webhook_endpoints.token"
	adSecret        = "webhook_secrets.secret"
	colCallbackURL  = "application_callbacks.url"
	colCallbackTok  = "application_callbacks.token"
)

func endpointTokenAD(partnerID int64) string {
	return adEndpointToken + "\x00" + strconv.FormatInt(partnerID, 10)
}

func secretAD(partnerID int64, secretID string) string {
	return adSecret + "\x00" + strconv.FormatInt(partnerID, 10) + "\x00" + secretID
}

func callbackCol(col string, applicationID int64) string {
	return col + "\x00" + strconv.FormatInt(applicationID, 10)
}

// SetWebhookEndpoint changes the endpoint of the partner named username as
// c says, in one transaction: see notify.Store.
func (db *DB) SetWebhookEndpoint(ctx context.Context, username string, c notify.EndpointChange, at time.Time) (notify.Endpoint, bool, error) {
	var e notify.Endpoint
	stored := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		stored = false
		var partnerID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM partners WHERE username = $1`+db.dialect.forUpdate, username).Scan(&partnerID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("partner")
		}
		if err != nil {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_endpoints WHERE partner_id = $1`, partnerID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			if c.URL == nil {
				return notify.ErrNoEndpoint
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (partner_id, url, created_at, updated_at) VALUES ($1, $2, $3, $3)`,
				partnerID, *c.URL, ms(at)); err != nil {
				return err
			}
		}
		if c.URL != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET url = $2 WHERE partner_id = $1`, partnerID, *c.URL); err != nil {
				return err
			}
		}
		if c.Token != nil {
			var sealed any
			if *c.Token != "" {
				s, err := db.sealWithDataKey(endpointTokenAD(partnerID), []byte(*c.Token))
				if err != nil {
					return err
				}
				sealed = s
			}
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET token_sealed = $2 WHERE partner_id = $1`, partnerID, sealed); err != nil {
				return err
			}
		}
		switch {
		case c.Disable:
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3
				WHERE partner_id = $1 AND disabled_at IS NULL`, partnerID, ms(at), notify.DisabledByOperator); err != nil {
				return err
			}
		case c.Enable:
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE partner_id = $1`,
				partnerID); err != nil {
				return err
			}
		}
		if (exists == 0 || c.Rotate) && c.Secret != nil {
			if c.Rotate {
				// The current secrets sign until RetireAt; those expired
				// already are of no use any more.
				if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_secrets WHERE partner_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2`,
					partnerID, ms(at)); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE webhook_secrets SET expires_at = $2 WHERE partner_id = $1 AND expires_at IS NULL`,
					partnerID, ms(c.RetireAt)); err != nil {
					return err
				}
			}
			sealed, err := db.sealWithDataKey(secretAD(partnerID, c.Secret.ID), c.Secret.Key)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_secrets (secret_id, partner_id, secret_sealed, created_at) VALUES ($1, $2, $3, $4)`,
				c.Secret.ID, partnerID, sealed, ms(at)); err != nil {
				return err
			}
			stored = true
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET updated_at = $2 WHERE partner_id = $1`, partnerID, ms(at)); err != nil {
			return err
		}
		e, err = db.endpoint(ctx, tx, partnerID)
		return err
	})
	return e, stored, err
}

// endpoint reads the partner's endpoint, its token opened.
func (db *DB) endpoint(ctx context.Context, q querier, partnerID int64) (notify.Endpoint, error) {
	e := notify.Endpoint{PartnerID: partnerID}
	var token, reason sql.NullString
	var disabled sql.NullInt64
	var created, updated int64
	err := q.QueryRowContext(ctx, `SELECT url, token_sealed, disabled_at, disabled_reason, created_at, updated_at
		FROM webhook_endpoints WHERE partner_id = $1`, partnerID).Scan(&e.URL, &token, &disabled, &reason, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound("webhook endpoint")
	}
	if err != nil {
		return e, err
	}
	e.Disabled, e.DisabledReason = disabled.Valid, reason.String
	e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
	if token.Valid {
		b, err := db.openWithDataKey(endpointTokenAD(partnerID), token.String)
		if err != nil {
			return e, err
		}
		e.Token = string(b)
	}
	return e, nil
}

// signingKeys are the partner's secrets valid at at, opened, newest first.
func (db *DB) signingKeys(ctx context.Context, q querier, partnerID int64, at time.Time) ([][]byte, error) {
	var keys [][]byte
	err := scanAll(ctx, q, `SELECT secret_id, secret_sealed FROM webhook_secrets
		WHERE partner_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at DESC, secret_id`,
		[]any{partnerID, ms(at)}, func(rs *sql.Rows) error {
			var id, sealed string
			if err := rs.Scan(&id, &sealed); err != nil {
				return err
			}
			k, err := db.openWithDataKey(secretAD(partnerID, id), sealed)
			if err != nil {
				return err
			}
			keys = append(keys, k)
			return nil
		})
	return keys, err
}

// WebhookEndpoint returns the partner's endpoint and its signing keys valid
// at at; ENOTFOUND when it has none.
func (db *DB) WebhookEndpoint(ctx context.Context, partnerID int64, at time.Time) (notify.Endpoint, [][]byte, error) {
	var e notify.Endpoint
	var keys [][]byte
	err := db.readTx(ctx, func(q querier) error {
		var err error
		if e, err = db.endpoint(ctx, q, partnerID); err != nil {
			return err
		}
		keys, err = db.signingKeys(ctx, q, partnerID, at)
		return err
	})
	return e, keys, err
}

// insertCallback stores a registration's own callback URL and token (""
// none) for application id, sealed with its customer's key k.
func (db *DB) insertCallback(ctx context.Context, tx *sql.Tx, k *customerKey, applicationID int64, url, token string) error {
	if url == "" && token == "" {
		return nil
	}
	var u, t sql.NullString
	var err1, err2 error
	if url != "" {
		u.String, err1 = k.seal(db.random(), callbackCol(colCallbackURL, applicationID), url)
		u.Valid = true
	}
	if token != "" {
		t.String, err2 = k.seal(db.random(), callbackCol(colCallbackTok, applicationID), token)
		t.Valid = true
	}
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO application_callbacks (application_id, url_sealed, token_sealed) VALUES ($1, $2, $3)`,
		applicationID, u, t)
	return err
}

// queueDelivery inserts a delivery of the event stored as row eventRow,
// and its job, in tx, when the partner's callbacks are configured and
// enabled; it reports whether it did. The target is the application's own
// callback_url while it has one that did not answer 410, else the
// partner's URL.
func (db *DB) queueDelivery(ctx context.Context, tx *sql.Tx, eventRow, partnerID, applicationID int64, at time.Time) (int64, notify.Target, bool, error) {
	var endpoints, ownURL int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM webhook_endpoints WHERE partner_id = $1 AND disabled_at IS NULL),
		(SELECT COUNT(*) FROM application_callbacks WHERE application_id = $2 AND url_sealed IS NOT NULL AND disabled_at IS NULL)`,
		partnerID, applicationID).Scan(&endpoints, &ownURL); err != nil {
		return 0, "", false, err
	}
	if endpoints == 0 {
		return 0, "", false, nil
	}
	target := notify.TargetPartner
	if ownURL > 0 {
		target = notify.TargetApplication
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (event_id, partner_id, target, state, attempts, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id`, eventRow, partnerID, string(target), notify.StatePending, ms(at)).Scan(&id); err != nil {
		return 0, "", false, err
	}
	if err := db.enqueue(ctx, tx, julo.Scheduled{Job: notify.DeliveryJob{DeliveryID: id}}); err != nil {
		return 0, "", false, err
	}
	return id, target, true, nil
}

// eventColumns are an event's columns as scanEvent reads them (e is the
// events table's alias).
const eventColumns = `e.event_id, e.type, e.partner_id, e.application_id, e.application_xid, e.sequence,
	COALESCE(e.loan_xid, 0), COALESCE(e.from_code, 0), COALESCE(e.to_code, 0), COALESCE(e.from_name, ''), COALESCE(e.to_name, ''),
	COALESCE(e.subject, ''), COALESCE(e.outcome, ''), e.occurred_at`

func scanEvent(r scanner, extra ...any) (julo.Event, error) {
	var e julo.Event
	var typ string
	var at int64
	err := r.Scan(append([]any{&e.ID, &typ, &e.PartnerID, &e.ApplicationID, &e.ApplicationXID, &e.Sequence, &e.LoanXID,
		&e.From, &e.To, &e.FromName, &e.ToName, &e.Subject, &e.Outcome, &at}, extra...)...)
	e.Type, e.OccurredAt = julo.EventType(typ), fromMS(at)
	return e, err
}

// Delivery returns a delivery with its event and what sending it at at
// needs: the target's URL and token, the partner's signing keys valid
// then, and whether the partner's callbacks are disabled. ENOTFOUND for a
// delivery that does not exist (its event pruned).
func (db *DB) Delivery(ctx context.Context, id int64, at time.Time) (notify.Delivery, error) {
	var d notify.Delivery
	err := db.readTx(ctx, func(q querier) error {
		var target string
		var next sql.NullInt64
		var created int64
		var ownURL, ownToken sql.NullString
		var ownDisabled sql.NullInt64
		e, err := scanEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+`, d.id, d.state, d.attempts, d.next_attempt_at, d.created_at, d.target,
			a.status, c.url_sealed, c.token_sealed, c.disabled_at
			FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN applications a ON a.id = e.application_id
			LEFT JOIN application_callbacks c ON c.application_id = e.application_id
			WHERE d.id = $1`, id), &d.ID, &d.State, &d.Attempts, &next, &created, &target, &d.AppStatus, &ownURL, &ownToken, &ownDisabled)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("delivery")
		}
		if err != nil {
			return err
		}
		d.Event, d.CreatedAt, d.Target = e, fromMS(created), notify.Target(target)
		if next.Valid {
			d.NextAt = fromMS(next.Int64)
		}
		ep, err := db.endpoint(ctx, q, e.PartnerID)
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			d.Disabled = true
			return nil
		}
		if err != nil {
			return err
		}
		d.Disabled, d.URL, d.Token, d.Target = ep.Disabled, ep.URL, ep.Token, notify.TargetPartner
		if ownURL.Valid || ownToken.Valid {
			u, tok, err := db.openCallback(ctx, q, e.ApplicationID, ownURL, ownToken)
			switch {
			case errors.Is(err, errShredded):
				// An erased customer's own target is gone: the partner's
				// URL gets its events.
			case err != nil:
				return err
			default:
				if tok != "" {
					d.Token = tok
				}
				if u != "" && !ownDisabled.Valid {
					d.URL, d.Target = u, notify.TargetApplication
				}
			}
		}
		d.Keys, err = db.signingKeys(ctx, q, e.PartnerID, at)
		return err
	})
	return d, err
}

// openCallback opens an application's own callback URL and token.
func (db *DB) openCallback(ctx context.Context, q querier, applicationID int64, url, token sql.NullString) (string, string, error) {
	k, err := db.keyOfApplication(ctx, q, applicationID)
	if err != nil {
		return "", "", err
	}
	var u, t string
	if url.Valid {
		if u, err = k.open(callbackCol(colCallbackURL, applicationID), url.String); err != nil {
			return "", "", err
		}
	}
	if token.Valid {
		if t, err = k.open(callbackCol(colCallbackTok, applicationID), token.String); err != nil {
			return "", "", err
		}
	}
	return u, t, nil
}

// RecordAttempt stores attempt a of a delivery (nil: none was made) and
// moves the delivery to o, in one transaction, if it is still pending
// after the attempts before a (a record that lost a race changes
// nothing); o.Disable disables the partner's endpoint or the
// application's own URL.
func (db *DB) RecordAttempt(ctx context.Context, deliveryID int64, a *notify.Attempt, o notify.Outcome, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var partnerID, applicationID int64
		var attempts int
		var state string
		err := tx.QueryRowContext(ctx, `SELECT d.partner_id, e.application_id, d.attempts, d.state FROM webhook_deliveries d
			JOIN events e ON e.id = d.event_id WHERE d.id = $1`+db.dialect.forUpdate, deliveryID).Scan(&partnerID, &applicationID, &attempts, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("delivery")
		}
		if err != nil {
			return err
		}
		if state != notify.StatePending || a != nil && a.N != attempts+1 {
			return nil
		}
		var next, finished any
		if o.State == notify.StatePending {
			next = ms(o.NextAt)
		} else {
			finished = ms(at)
		}
		if a != nil {
			attempts = a.N
			var status any
			if a.StatusCode != 0 {
				status = a.StatusCode
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, duration_ms, status_code, error)
				VALUES ($1, $2, $3, $4, $5, $6)`, deliveryID, a.N, ms(a.At), a.Duration.Milliseconds(), status, nullStr(a.Error)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = $2, attempts = $3, next_attempt_at = $4, finished_at = $5
			WHERE id = $1`, deliveryID, o.State, attempts, next, finished); err != nil {
			return err
		}
		switch o.Disable {
		case notify.TargetPartner:
			_, err = tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3, updated_at = $2
				WHERE partner_id = $1 AND disabled_at IS NULL`, partnerID, ms(at), notify.DisabledGone)
		case notify.TargetApplication:
			_, err = tx.ExecContext(ctx, `UPDATE application_callbacks SET disabled_at = $2 WHERE application_id = $1 AND disabled_at IS NULL`,
				applicationID, ms(at))
		}
		return err
	})
}

// feedPosition is the feed_seq of the partner's event eventID that
// occurred since since; ENOTFOUND when there is none.
func (db *DB) feedPosition(ctx context.Context, q querier, partnerID int64, eventID string, since time.Time) (row, seq int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, feed_seq FROM events WHERE partner_id = $1 AND event_id = $2 AND occurred_at >= $3`,
		partnerID, eventID, ms(since)).Scan(&row, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, notFound("event")
	}
	return row, seq, err
}

// PartnerEvents lists the partner's events that occurred since since, in
// the order they committed, after the event after ("": from the first),
// at most limit; ENOTFOUND when after is not one of them.
func (db *DB) PartnerEvents(ctx context.Context, partnerID int64, after string, since time.Time, limit int) ([]julo.Event, error) {
	var out []julo.Event
	err := db.readTx(ctx, func(q querier) error {
		var from int64
		if after != "" {
			var err error
			if _, from, err = db.feedPosition(ctx, q, partnerID, after, since); err != nil {
				return err
			}
		}
		return scanAll(ctx, q, `SELECT `+eventColumns+` FROM events e
			WHERE e.partner_id = $1 AND e.feed_seq > $2 AND e.occurred_at >= $3 ORDER BY e.feed_seq LIMIT $4`,
			[]any{partnerID, from, ms(since), limit}, func(rs *sql.Rows) error {
				e, err := scanEvent(rs)
				out = append(out, e)
				return err
			})
	})
	return out, err
}

// PartnerEvent returns the partner's event eventID (occurred since since)
// with its deliveries, oldest first, each with its attempts.
func (db *DB) PartnerEvent(ctx context.Context, partnerID int64, eventID string, since time.Time) (julo.Event, []notify.Delivery, error) {
	var e julo.Event
	var ds []notify.Delivery
	err := db.readTx(ctx, func(q querier) error {
		var row int64
		var err error
		e, err = scanEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+`, e.id FROM events e
			WHERE e.partner_id = $1 AND e.event_id = $2 AND e.occurred_at >= $3`, partnerID, eventID, ms(since)), &row)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("event")
		}
		if err != nil {
			return err
		}
		byID := map[int64]int{}
		err = scanAll(ctx, q, `SELECT id, target, state, attempts, next_attempt_at, created_at FROM webhook_deliveries
			WHERE event_id = $1 ORDER BY id`, []any{row}, func(rs *sql.Rows) error {
			var d notify.Delivery
			var target string
			var next sql.NullInt64
			var created int64
			if err := rs.Scan(&d.ID, &target, &d.State, &d.Attempts, &next, &created); err != nil {
				return err
			}
			d.Target, d.CreatedAt, d.Event, d.Tried = notify.Target(target), fromMS(created), e, []notify.Attempt{}
			if next.Valid && d.State == notify.StatePending {
				d.NextAt = fromMS(next.Int64)
			}
			byID[d.ID] = len(ds)
			ds = append(ds, d)
			return nil
		})
		if err != nil {
			return err
		}
		return scanAll(ctx, q, `SELECT t.delivery_id, t.attempt, t.attempted_at, t.duration_ms, COALESCE(t.status_code, 0), COALESCE(t.error, '')
			FROM webhook_attempts t JOIN webhook_deliveries d ON d.id = t.delivery_id WHERE d.event_id = $1 ORDER BY t.delivery_id, t.attempt`,
			[]any{row}, func(rs *sql.Rows) error {
				var id, at, dur int64
				var a notify.Attempt
				if err := rs.Scan(&id, &a.N, &at, &dur, &a.StatusCode, &a.Error); err != nil {
					return err
				}
				a.At, a.Duration = fromMS(at), time.Duration(dur)*time.Millisecond
				i := byID[id]
				ds[i].Tried = append(ds[i].Tried, a)
				return nil
			})
	})
	return e, ds, err
}

// Redeliver queues a new delivery of the partner's event eventID
// (occurred since since) at at, with its job: ENOTFOUND for no such event,
// ECONFLICT when the partner's callbacks are not configured or disabled.
func (db *DB) Redeliver(ctx context.Context, partnerID int64, eventID string, since, at time.Time) (notify.Delivery, error) {
	var d notify.Delivery
	err := db.tx(ctx, func(tx *sql.Tx) error {
		e, err := scanEvent(tx.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events e
			WHERE e.partner_id = $1 AND e.event_id = $2 AND e.occurred_at >= $3`, partnerID, eventID, ms(since)))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("event")
		}
		if err != nil {
			return err
		}
		row, _, err := db.feedPosition(ctx, tx, partnerID, eventID, since)
		if err != nil {
			return err
		}
		id, target, ok, err := db.queueDelivery(ctx, tx, row, partnerID, e.ApplicationID, at)
		if err != nil {
			return err
		}
		if !ok {
			return &julo.Error{Code: julo.ECONFLICT, Err: errors.New("the partner's callbacks are not configured or disabled")}
		}
		d = notify.Delivery{ID: id, Event: e, State: notify.StatePending, Target: target, NextAt: at, CreatedAt: at, Tried: []notify.Attempt{}}
		return nil
	})
	return d, err
}

// PruneEvents deletes at most limit events that occurred before before,
// oldest first, with their deliveries and attempts, in one transaction; it
// returns how many it deleted.
func (db *DB) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sql.Tx) error {
		const old = `SELECT id FROM events WHERE occurred_at < $1 ORDER BY id LIMIT $2`
		args := []any{ms(before), limit}
		for _, q := range []string{
			`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id IN (` + old + `))`,
			`DELETE FROM webhook_deliveries WHERE event_id IN (` + old + `)`,
		} {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE id IN (`+old+`)`, args...)
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("pruning events: %w", err)
	}
	return n, nil
}

var _ notify.Store = (*DB)(nil)

// rewrapWebhookSeals seals again with the data set's current key, in tx,
// the endpoints' tokens and the signing secrets sealed by an older one
// (they live as long as the partner's configuration, unlike an
// idempotent answer): a batch of julo keys rotate-data does it, so that
// once the customer keys are moved the old data key opens nothing here
// either. They are a few rows per partner, all done at once.
func (db *DB) rewrapWebhookSeals(ctx context.Context, tx *sql.Tx) error {
	cur := "d1." + db.pii.kekCurrent + "."
	type sealed struct {
		ad, value string
		update    string
		args      []any
	}
	var old []sealed
	err := scanAll(ctx, tx, `SELECT partner_id, token_sealed FROM webhook_endpoints WHERE token_sealed IS NOT NULL`, nil, func(rs *sql.Rows) error {
		var id int64
		var v string
		if err := rs.Scan(&id, &v); err != nil {
			return err
		}
		if !strings.HasPrefix(v, cur) {
			old = append(old, sealed{endpointTokenAD(id), v, `UPDATE webhook_endpoints SET token_sealed = $2 WHERE partner_id = $1`, []any{id}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, `SELECT secret_id, partner_id, secret_sealed FROM webhook_secrets`, nil, func(rs *sql.Rows) error {
		var id, v string
		var partnerID int64
		if err := rs.Scan(&id, &partnerID, &v); err != nil {
			return err
		}
		if !strings.HasPrefix(v, cur) {
			old = append(old, sealed{secretAD(partnerID, id), v, `UPDATE webhook_secrets SET secret_sealed = $2 WHERE secret_id = $1`, []any{id}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range old {
		plain, err := db.openWithDataKey(s.ad, s.value)
		if err != nil {
			return err
		}
		v, err := db.sealWithDataKey(s.ad, plain)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.update, append(s.args, v)...); err != nil {
			return err
		}
	}
	return nil
}
