package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
)

// The operator console's tables (issue 15, migration 0018): operators,
// their sessions, maker-checker requests and the audit log.

// uniqueOperatorEmail: one operator per email.
const uniqueOperatorEmail julo.UniqueKey = "operator_email"

// bidxSession is the blind-index kind of a session id: sessions are found
// by a keyed hash of their id, never by the id.
const bidxSession = "operator_session"

// totpAD binds an operator's sealed TOTP secret to its row.
func totpAD(id int64) string { return "operators.totp_sealed/" + strconv.FormatInt(id, 10) }

const operatorColumns = `id, email, role, password_hash, must_change, totp_sealed, totp_enabled, totp_last_step, failed,
	locked_until, disabled_at, created_at`

func (db *DB) scanOperator(row interface{ Scan(...any) error }) (backoffice.Operator, error) {
	var op backoffice.Operator
	var role string
	var totp sql.NullString
	var locked, disabled sql.NullInt64
	var created int64
	if err := row.Scan(&op.ID, &op.Email, &role, &op.PasswordHash, &op.MustChange, &totp, &op.TOTPEnabled, &op.TOTPLastStep,
		&op.Failed, &locked, &disabled, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return op, notFound("operator")
		}
		return op, err
	}
	op.Role, op.CreatedAt, op.Disabled = backoffice.Role(role), fromMS(created), disabled.Valid
	if locked.Valid {
		op.LockedUntil = fromMS(locked.Int64)
	}
	if totp.Valid {
		secret, err := db.openWithDataKey(totpAD(op.ID), totp.String)
		if err != nil {
			return op, err
		}
		op.TOTPSecret = secret
	}
	return op, nil
}

// CreateOperator adds an operator that must change its password.
func (db *DB) CreateOperator(ctx context.Context, email string, role backoffice.Role, hash string, at time.Time) (backoffice.Operator, error) {
	var id int64
	err := db.w.QueryRowContext(ctx, `INSERT INTO operators (email, role, password_hash, must_change, created_at, updated_at)
		VALUES ($1, $2, $3, TRUE, $4, $4) RETURNING id`, email, string(role), hash, ms(at)).Scan(&id)
	if err != nil {
		return backoffice.Operator{}, db.conflict(err)
	}
	return db.OperatorByID(ctx, id)
}

// OperatorByEmail returns the operator of a (normalised) email.
func (db *DB) OperatorByEmail(ctx context.Context, email string) (backoffice.Operator, error) {
	return db.scanOperator(db.w.QueryRowContext(ctx, `SELECT `+operatorColumns+` FROM operators WHERE email = $1`, email))
}

// OperatorByID returns one operator.
func (db *DB) OperatorByID(ctx context.Context, id int64) (backoffice.Operator, error) {
	return db.scanOperator(db.w.QueryRowContext(ctx, `SELECT `+operatorColumns+` FROM operators WHERE id = $1`, id))
}

// Operators lists every operator by email.
func (db *DB) Operators(ctx context.Context) ([]backoffice.Operator, error) {
	var out []backoffice.Operator
	err := scanAll(ctx, db.r, `SELECT `+operatorColumns+` FROM operators ORDER BY email`, nil, func(rs *sql.Rows) error {
		op, err := db.scanOperator(rs)
		out = append(out, op)
		return err
	})
	return out, err
}

func (db *DB) updateOperator(ctx context.Context, q string, args ...any) error {
	res, err := db.w.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = notFound("operator")
		}
		return err
	}
	return nil
}

// SetOperatorDisabled disables or enables an operator.
func (db *DB) SetOperatorDisabled(ctx context.Context, id int64, disabled bool, at time.Time) error {
	var v sql.NullInt64
	if disabled {
		v = sql.NullInt64{Int64: ms(at), Valid: true}
	}
	return db.updateOperator(ctx, `UPDATE operators SET disabled_at = $2, updated_at = $3 WHERE id = $1`, id, v, ms(at))
}

// RecordLoginFailure counts a failed login in one statement (concurrent
// failures all count); the max-th sets locked_until and starts again.
func (db *DB) RecordLoginFailure(ctx context.Context, id int64, at time.Time, max int, lock time.Duration) (bool, error) {
	var locked sql.NullInt64
	err := db.w.QueryRowContext(ctx, `UPDATE operators SET
			failed       = CASE WHEN failed + 1 >= $3 THEN 0 ELSE failed + 1 END,
			locked_until = CASE WHEN failed + 1 >= $3 THEN $4 ELSE locked_until END,
			updated_at   = $2
		WHERE id = $1 RETURNING locked_until`, id, ms(at), max, ms(at.Add(lock))).Scan(&locked)
	if errors.Is(err, sql.ErrNoRows) {
		return false, notFound("operator")
	}
	return err == nil && locked.Valid && locked.Int64 > ms(at), err
}

// RecordLoginSuccess clears the failure count and the lock.
func (db *DB) RecordLoginSuccess(ctx context.Context, id int64, at time.Time) error {
	return db.updateOperator(ctx, `UPDATE operators SET failed = 0, locked_until = NULL, updated_at = $2 WHERE id = $1`, id, ms(at))
}

// SetOperatorPassword sets the password hash.
func (db *DB) SetOperatorPassword(ctx context.Context, id int64, hash string, mustChange bool, at time.Time) error {
	return db.updateOperator(ctx, `UPDATE operators SET password_hash = $2, must_change = $3, updated_at = $4 WHERE id = $1`,
		id, hash, mustChange, ms(at))
}

// SetOperatorTOTP seals and stores the second factor's secret (nil
// removes it).
func (db *DB) SetOperatorTOTP(ctx context.Context, id int64, secret []byte, enabled bool, at time.Time) error {
	var v sql.NullString
	if secret != nil {
		s, err := db.sealWithDataKey(totpAD(id), secret)
		if err != nil {
			return err
		}
		v = sql.NullString{String: s, Valid: true}
	}
	return db.updateOperator(ctx, `UPDATE operators SET totp_sealed = $2, totp_enabled = $3, updated_at = $4 WHERE id = $1`,
		id, v, enabled && secret != nil, ms(at))
}

// AcceptTOTPStep records step as the last accepted one if it is later.
func (db *DB) AcceptTOTPStep(ctx context.Context, id int64, step int64) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE operators SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, id, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (db *DB) sessionHash(ctx context.Context, id string) (string, error) {
	bidx, err := db.blindIndexes(ctx, db.w)
	if err != nil {
		return "", err
	}
	return bidx(bidxSession, id), nil
}

// CreateSession stores a session under the keyed hash of its id.
func (db *DB) CreateSession(ctx context.Context, id string, s backoffice.Session) error {
	h, err := db.sessionHash(ctx, id)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO operator_sessions (id_hash, operator_id, stage, csrf, created_at, last_seen, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, h, s.OperatorID, string(s.Stage), s.CSRF, ms(s.CreatedAt), ms(s.LastSeen), ms(s.ExpiresAt))
	return err
}

// SessionByID returns the session of a cookie's id.
func (db *DB) SessionByID(ctx context.Context, id string) (backoffice.Session, error) {
	h, err := db.sessionHash(ctx, id)
	if err != nil {
		return backoffice.Session{}, err
	}
	var s backoffice.Session
	var stage string
	var created, seen, expires int64
	err = db.w.QueryRowContext(ctx, `SELECT operator_id, stage, csrf, created_at, last_seen, expires_at FROM operator_sessions WHERE id_hash = $1`, h).
		Scan(&s.OperatorID, &stage, &s.CSRF, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("session")
	}
	s.Stage, s.CreatedAt, s.LastSeen, s.ExpiresAt = backoffice.Stage(stage), fromMS(created), fromMS(seen), fromMS(expires)
	return s, err
}

func (db *DB) sessionExec(ctx context.Context, id, q string, args ...any) error {
	h, err := db.sessionHash(ctx, id)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, q, append([]any{h}, args...)...)
	return err
}

// TouchSession moves a session's idle clock.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	return db.sessionExec(ctx, id, `UPDATE operator_sessions SET last_seen = $2 WHERE id_hash = $1 AND last_seen < $2`, ms(at))
}

// SetSessionStage moves a session to stage.
func (db *DB) SetSessionStage(ctx context.Context, id string, stage backoffice.Stage) error {
	return db.sessionExec(ctx, id, `UPDATE operator_sessions SET stage = $2 WHERE id_hash = $1`, string(stage))
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.sessionExec(ctx, id, `DELETE FROM operator_sessions WHERE id_hash = $1`)
}

// DeleteOperatorSessions ends every session of an operator.
func (db *DB) DeleteOperatorSessions(ctx context.Context, operatorID int64) (int, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM operator_sessions WHERE operator_id = $1`, operatorID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// AppendAudit appends a line to the audit log.
func (db *DB) AppendAudit(ctx context.Context, e backoffice.AuditEntry) error {
	var op sql.NullInt64
	if e.OperatorID != 0 {
		op = sql.NullInt64{Int64: e.OperatorID, Valid: true}
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO console_audit (at, operator_id, action, target, detail, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6)`, ms(e.At), op, e.Action, e.Target, e.Detail, e.RemoteAddr)
	return err
}

// Audit reads the audit log, newest first.
func (db *DB) Audit(ctx context.Context, f backoffice.AuditFilter) ([]backoffice.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.OperatorID != 0 {
		add("operator_id = ?", f.OperatorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", ms(f.To))
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	q := `SELECT id, at, operator_id, action, target, detail, remote_addr FROM console_audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += " ORDER BY id DESC LIMIT $" + strconv.Itoa(len(args))
	var out []backoffice.AuditEntry
	err := scanAll(ctx, db.r, q, args, func(rs *sql.Rows) error {
		var e backoffice.AuditEntry
		var at int64
		var op sql.NullInt64
		if err := rs.Scan(&e.ID, &at, &op, &e.Action, &e.Target, &e.Detail, &e.RemoteAddr); err != nil {
			return err
		}
		e.At, e.OperatorID = fromMS(at), op.Int64
		out = append(out, e)
		return nil
	})
	return out, err
}

const requestColumns = `id, kind, application_xid, params, maker_id, created_at, state, checker_id, decided_at, outcome`

func scanRequest(row interface{ Scan(...any) error }) (backoffice.Request, error) {
	var r backoffice.Request
	var created int64
	var checker, decided sql.NullInt64
	var outcome sql.NullString
	err := row.Scan(&r.ID, &r.Kind, &r.ApplicationXID, &r.Params, &r.MakerID, &created, &r.State, &checker, &decided, &outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("request")
	}
	r.CreatedAt, r.CheckerID, r.Outcome = fromMS(created), checker.Int64, outcome.String
	if decided.Valid {
		r.DecidedAt = fromMS(decided.Int64)
	}
	return r, err
}

// CreateRequest records a pending maker-checker request.
func (db *DB) CreateRequest(ctx context.Context, r backoffice.Request) (backoffice.Request, error) {
	var id int64
	err := db.w.QueryRowContext(ctx, `INSERT INTO console_requests (kind, application_xid, params, maker_id, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, r.Kind, r.ApplicationXID, r.Params, r.MakerID, ms(r.CreatedAt)).Scan(&id)
	if err != nil {
		return r, err
	}
	return db.RequestByID(ctx, id)
}

// RequestByID returns one request.
func (db *DB) RequestByID(ctx context.Context, id int64) (backoffice.Request, error) {
	return scanRequest(db.w.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM console_requests WHERE id = $1`, id))
}

// PendingRequests lists the pending requests, oldest first.
func (db *DB) PendingRequests(ctx context.Context) ([]backoffice.Request, error) {
	var out []backoffice.Request
	err := scanAll(ctx, db.r, `SELECT `+requestColumns+` FROM console_requests WHERE state = 'pending' ORDER BY created_at, id`, nil,
		func(rs *sql.Rows) error {
			r, err := scanRequest(rs)
			out = append(out, r)
			return err
		})
	return out, err
}

// DecideRequest moves a pending request of another maker to state.
func (db *DB) DecideRequest(ctx context.Context, id, checkerID int64, state, outcome string, at time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE console_requests SET state = $3, checker_id = $2, decided_at = $4, outcome = $5
		WHERE id = $1 AND state = 'pending' AND maker_id <> $2`, id, checkerID, state, ms(at), outcome)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishRequest records the outcome of carrying out an approved request.
func (db *DB) FinishRequest(ctx context.Context, id int64, state, outcome string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE console_requests SET state = $2, outcome = $3 WHERE id = $1 AND state = 'approved'`,
		id, state, outcome)
	return err
}

// rewrapOperatorSeals reseals the operators' TOTP secrets with the current
// data key (keys rotate-data): they live as long as the operator.
func (db *DB) rewrapOperatorSeals(ctx context.Context, tx *sql.Tx) error {
	cur := "d1." + db.pii.kekCurrent + "."
	type old struct {
		id int64
		v  string
	}
	var olds []old
	err := scanAll(ctx, tx, `SELECT id, totp_sealed FROM operators WHERE totp_sealed IS NOT NULL`, nil, func(rs *sql.Rows) error {
		var o old
		if err := rs.Scan(&o.id, &o.v); err != nil {
			return err
		}
		if !strings.HasPrefix(o.v, cur) {
			olds = append(olds, o)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range olds {
		plain, err := db.openWithDataKey(totpAD(o.id), o.v)
		if err != nil {
			return err
		}
		v, err := db.sealWithDataKey(totpAD(o.id), plain)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET totp_sealed = $2 WHERE id = $1`, o.id, v); err != nil {
			return err
		}
	}
	return nil
}

var _ backoffice.Store = (*DB)(nil)

// ConsoleStatusCounts counts the applications at each status.
func (db *DB) ConsoleStatusCounts(ctx context.Context) (map[int]int, error) {
	out := map[int]int{}
	err := scanAll(ctx, db.r, `SELECT status, COUNT(*) FROM applications GROUP BY status`, nil, func(rs *sql.Rows) error {
		var s, n int
		err := rs.Scan(&s, &n)
		out[s] = n
		return err
	})
	return out, err
}

// ConsoleApplications lists applications, newest first, a page at a time
// (keyset paging on the row id: a page costs the same at any depth).
func (db *DB) ConsoleApplications(ctx context.Context, f backoffice.ApplicationFilter) ([]backoffice.ApplicationRow, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Status != 0 {
		add("a.status = ?", f.Status)
	}
	if f.Partner != "" {
		add("p.username = ?", f.Partner)
	}
	if !f.From.IsZero() {
		add("a.created_at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("a.created_at < ?", ms(f.To))
	}
	if f.BeforeID != 0 {
		add("a.id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT a.id, a.xid, p.username, a.status, a.created_at, a.updated_at FROM applications a JOIN partners p ON p.id = a.partner_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += " ORDER BY a.id DESC LIMIT $" + strconv.Itoa(len(args))
	var out []backoffice.ApplicationRow
	err := scanAll(ctx, db.r, q, args, func(rs *sql.Rows) error {
		var r backoffice.ApplicationRow
		var c, u int64
		err := rs.Scan(&r.ID, &r.XID, &r.Partner, &r.Status, &c, &u)
		r.CreatedAt, r.UpdatedAt = fromMS(c), fromMS(u)
		out = append(out, r)
		return err
	})
	return out, err
}

// ConsoleLookup finds the xids of the applications of an exact NIK, email
// or (verified) phone through the blind indexes; kind is "nik", "email"
// or "phone".
func (db *DB) ConsoleLookup(ctx context.Context, kind, value string) ([]int64, error) {
	bidx, err := db.blindIndexes(ctx, db.w)
	if err != nil {
		return nil, err
	}
	var q string
	switch kind {
	case bidxNIK:
		q = `SELECT a.xid FROM applications a JOIN customers c ON c.id = a.customer_id WHERE c.nik_bidx = $1 ORDER BY a.id DESC LIMIT 100`
	case bidxEmail:
		q = `SELECT a.xid FROM applications a JOIN customers c ON c.id = a.customer_id WHERE c.email_bidx = $1 ORDER BY a.id DESC LIMIT 100`
	case bidxPhone:
		q = `SELECT DISTINCT a.id, a.xid FROM applications a JOIN phone_verifications v ON v.application_id = a.id WHERE v.phone_bidx = $1
			ORDER BY a.id DESC LIMIT 100`
	default:
		return nil, errors.New("store: lookup by " + kind)
	}
	var out []int64
	err = scanAll(ctx, db.r, q, []any{bidx(kind, value)}, func(rs *sql.Rows) error {
		var id, xid int64
		var err error
		if kind == bidxPhone {
			err = rs.Scan(&id, &xid)
		} else {
			err = rs.Scan(&xid)
		}
		out = append(out, xid)
		return err
	})
	return out, err
}

// ConsoleFunnel counts how many applications created since since reached
// each step: registered, submitted (105), decided (an approval at 130 or a
// rejection at 135), activated (190). The first loan joins with issue 13.
func (db *DB) ConsoleFunnel(ctx context.Context, since time.Time) ([]backoffice.FunnelStep, error) {
	steps := []struct {
		name string
		to   []int
	}{
		{"registered", nil},
		{"submitted", []int{int(julo.AppFormSubmitted)}},
		{"decided", []int{int(julo.AppLimitGenerated), int(julo.AppRejected)}},
		{"activated", []int{int(julo.AppLimitReady)}},
	}
	var out []backoffice.FunnelStep
	for _, s := range steps {
		var n int
		var err error
		if s.to == nil {
			err = db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications WHERE created_at >= $1`, ms(since)).Scan(&n)
		} else {
			args := []any{ms(since)}
			var in []string
			for _, st := range s.to {
				args = append(args, st)
				in = append(in, "$"+strconv.Itoa(len(args)))
			}
			err = db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications a WHERE a.created_at >= $1 AND EXISTS
				(SELECT 1 FROM application_status_history h WHERE h.application_id = a.id AND h.to_status IN (`+strings.Join(in, ", ")+`))`,
				args...).Scan(&n)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, backoffice.FunnelStep{Name: s.name, Count: n})
	}
	return out, nil
}

// ConsoleFailedDeliveries lists the latest partner callbacks that gave up.
func (db *DB) ConsoleFailedDeliveries(ctx context.Context, limit int) ([]backoffice.FailedDelivery, error) {
	var out []backoffice.FailedDelivery
	err := scanAll(ctx, db.r, `SELECT d.id, p.username, e.application_xid, e.type, d.attempts, d.created_at
		FROM webhook_deliveries d JOIN partners p ON p.id = d.partner_id JOIN events e ON e.id = d.event_id
		WHERE d.state = 'failed' ORDER BY d.id DESC LIMIT $1`, []any{limit}, func(rs *sql.Rows) error {
		var f backoffice.FailedDelivery
		var c int64
		err := rs.Scan(&f.ID, &f.Partner, &f.ApplicationXID, &f.EventType, &f.Attempts, &c)
		f.CreatedAt = fromMS(c)
		out = append(out, f)
		return err
	})
	return out, err
}
