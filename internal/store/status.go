package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// This file is the only place that writes applications.status
// (TestOnlyStatusMachineWritesStatus fails on any other): every move is
// checked against the transition table of package julo and writes its
// history row and its event in the caller's transaction, so a status, its
// history and its event commit together or not at all.

// AppMove is one application status change.
type AppMove struct {
	ApplicationID int64
	To            julo.AppStatus
	At            time.Time
	// Reason is recorded in the history (a decision's reason code); may be
	// empty.
	Reason string
	// Refuse, when set, builds the error for a move the table forbids from
	// the current status (the domain's own message); nil gives a generic
	// ECONFLICT. Either way the error has Reason julo.ReasonTransition.
	Refuse func(from julo.AppStatus) error
}

// moveApplication moves an application as m says, holding its row until the
// transaction ends, and returns the event it recorded.
func (db *DB) moveApplication(ctx context.Context, tx *sql.Tx, m AppMove) (julo.Event, error) {
	var from julo.AppStatus
	var partnerID, xid int64
	err := tx.QueryRowContext(ctx, `SELECT status, partner_id, xid FROM applications WHERE id = $1`+db.dialect.forUpdate,
		m.ApplicationID).Scan(&from, &partnerID, &xid)
	if errors.Is(err, sql.ErrNoRows) {
		return julo.Event{}, notFound("application")
	}
	if err != nil {
		return julo.Event{}, err
	}
	if !julo.CanMoveApp(from, m.To) {
		return julo.Event{}, refusal(from, m)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE applications SET status = $2, updated_at = $3 WHERE id = $1`,
		m.ApplicationID, m.To, ms(m.At)); err != nil {
		return julo.Event{}, err
	}
	var fromCol any
	if from != julo.AppNone {
		fromCol = from
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO application_status_history (application_id, from_status, to_status, changed_at, reason)
		VALUES ($1, $2, $3, $4, $5)`, m.ApplicationID, fromCol, m.To, ms(m.At), m.Reason); err != nil {
		return julo.Event{}, err
	}
	return db.recordEvent(ctx, tx, julo.Event{Type: julo.EventAppStatus, PartnerID: partnerID, ApplicationID: m.ApplicationID,
		ApplicationXID: xid, From: int(from), To: int(m.To), FromName: from.Name(), ToName: m.To.Name(), OccurredAt: m.At})
}

func refusal(from julo.AppStatus, m AppMove) error {
	var err error
	if m.Refuse != nil {
		err = m.Refuse(from)
	}
	var e *julo.Error
	if !errors.As(err, &e) {
		e = julo.Errorf(julo.ECONFLICT, "", i18n.StatusTransition, int(from), from.Name(), int(m.To), m.To.Name())
	}
	out := *e
	out.Reason = julo.ReasonTransition
	if out.Err == nil {
		out.Err = fmt.Errorf("application %d: %v -> %v is not in the transition table", m.ApplicationID, from, m.To)
	}
	return &out
}

// recordVerification records that a bank import or a BPJS login of an
// application ended (outcome julo.VerificationVerified or
// julo.VerificationFailed): an event, in the caller's transaction. Numbering
// the event takes the application row first, so the status it carries is
// the one current at its place in the sequence (a status move in flight
// commits wholly before or after it).
func (db *DB) recordVerification(ctx context.Context, tx *sql.Tx, applicationID int64, subject, outcome string, at time.Time) error {
	e := julo.Event{Type: julo.EventAppVerification, ApplicationID: applicationID, Subject: subject, Outcome: outcome, OccurredAt: at}
	var status julo.AppStatus
	if err := tx.QueryRowContext(ctx, `UPDATE applications SET event_seq = event_seq + 1 WHERE id = $1
		RETURNING event_seq, partner_id, xid, status`, applicationID).Scan(&e.Sequence, &e.PartnerID, &e.ApplicationXID, &status); err != nil {
		return err
	}
	e.From, e.To, e.FromName, e.ToName = int(status), int(status), status.Name(), status.Name()
	_, err := db.insertEvent(ctx, tx, e)
	return err
}

// recordEvent numbers e within its application and stores it with a new
// random id. Numbering increments the application row, which also holds it
// against concurrent events until the transaction ends, so the sequence has
// neither gaps nor duplicates.
func (db *DB) recordEvent(ctx context.Context, tx *sql.Tx, e julo.Event) (julo.Event, error) {
	if err := tx.QueryRowContext(ctx, `UPDATE applications SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq`,
		e.ApplicationID).Scan(&e.Sequence); err != nil {
		return julo.Event{}, err
	}
	return db.insertEvent(ctx, tx, e)
}

// insertEvent stores e, numbered already, with a new random id, and with
// it the delivery of its callback, if the partner's are configured
// (queueDelivery). Its place in the partner's feed (feed_seq) is taken
// from the partner's counter row, which it holds until the transaction
// ends, so the feed lists a partner's events in the order they commit.
func (db *DB) insertEvent(ctx context.Context, tx *sql.Tx, e julo.Event) (julo.Event, error) {
	id, err := db.eventID()
	if err != nil {
		return julo.Event{}, err
	}
	e.ID = id
	var feed, row int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO partner_feeds (partner_id, last_seq) VALUES ($1, 1)
		ON CONFLICT (partner_id) DO UPDATE SET last_seq = partner_feeds.last_seq + 1 RETURNING last_seq`, e.PartnerID).Scan(&feed); err != nil {
		return julo.Event{}, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO events (event_id, partner_id, application_id, application_xid, sequence, type,
		loan_xid, from_code, to_code, from_name, to_name, subject, outcome, occurred_at, feed_seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		e.ID, e.PartnerID, e.ApplicationID, e.ApplicationXID, e.Sequence, string(e.Type),
		nullInt(e.LoanXID), nullInt(int64(e.From)), e.To, nullStr(e.FromName), nullStr(e.ToName),
		nullStr(e.Subject), nullStr(e.Outcome), ms(e.OccurredAt), feed).Scan(&row)
	if err != nil {
		return julo.Event{}, err
	}
	_, _, _, err = db.queueDelivery(ctx, tx, row, e.PartnerID, e.ApplicationID, e.OccurredAt)
	return e, err
}

// eventID is "evt_" and 32 random hex characters.
func (db *DB) eventID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(db.random(), b); err != nil {
		return "", fmt.Errorf("event id: %w", err)
	}
	return "evt_" + hex.EncodeToString(b), nil
}

// Events returns the application's events in order, at most limit of them
// after sequence `after`.
func (db *DB) Events(ctx context.Context, applicationID, after int64, limit int) ([]julo.Event, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT event_id, type, partner_id, application_id, application_xid, sequence,
		COALESCE(loan_xid, 0), COALESCE(from_code, 0), COALESCE(to_code, 0), COALESCE(from_name, ''), COALESCE(to_name, ''),
		COALESCE(subject, ''), COALESCE(outcome, ''), occurred_at
		FROM events WHERE application_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`, applicationID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []julo.Event
	for rows.Next() {
		var e julo.Event
		var typ string
		var at int64
		if err := rows.Scan(&e.ID, &typ, &e.PartnerID, &e.ApplicationID, &e.ApplicationXID, &e.Sequence, &e.LoanXID,
			&e.From, &e.To, &e.FromName, &e.ToName, &e.Subject, &e.Outcome, &at); err != nil {
			return nil, err
		}
		e.Type, e.OccurredAt = julo.EventType(typ), fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// moveLoan moves a loan as m says, holding its row until the transaction
// ends: m.Check sees the loan as it is, m.Set records what comes with the
// move, the history row and the event are written, and a status that gives
// the amount back (julo.LoanStatus RestoresLimit) moves it from used to
// available on the credit account, all in the caller's transaction.
func (db *DB) moveLoan(ctx context.Context, tx *sql.Tx, m lending.LoanMove) (lending.Loan, error) {
	l, err := db.readLoan(ctx, tx, "l.id = $1", m.LoanID, db.dialect.forUpdateOf("l"))
	if err != nil {
		return l, err
	}
	if m.Check != nil {
		if err := m.Check(l); err != nil {
			return l, err
		}
	}
	from := l.Status
	if !julo.CanMoveLoan(from, m.To) {
		e := julo.Errorf(julo.ECONFLICT, "", i18n.StatusTransition, int(from), from.Name(), int(m.To), m.To.Name())
		e.Reason = julo.ReasonTransition
		e.Err = fmt.Errorf("loan %d: %v -> %v is not in the transition table", l.XID, from, m.To)
		return l, e
	}
	if m.Set != nil {
		m.Set(&l)
	}
	l.Status = m.To
	if _, err := tx.ExecContext(ctx, `UPDATE loans SET status = $2, updated_at = $3, signed_at = $4, approved_at = $5,
		disbursement_ref = $6, disbursement_at = $7, fund_transfer_at = $8, failure_reason = $9 WHERE id = $1`,
		l.ID, m.To, ms(m.At), nullTime(l.SignedAt), nullTime(l.ApprovedAt), nullStr(l.DisbursementRef),
		nullTime(l.DisbursementAt), nullTime(l.FundTransferAt), nullStr(l.FailureReason)); err != nil {
		return l, db.conflict(err)
	}
	var fromCol any
	if from != julo.LoanNone {
		fromCol = from
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO loan_status_history (loan_id, from_status, to_status, changed_at, reason)
		VALUES ($1, $2, $3, $4, $5)`, l.ID, fromCol, m.To, ms(m.At), m.Reason); err != nil {
		return l, err
	}
	if from != julo.LoanNone && m.To.RestoresLimit() {
		res, err := tx.ExecContext(ctx, `UPDATE credit_accounts SET available_limit = available_limit + $2, used_limit = used_limit - $2
			WHERE application_id = $1 AND used_limit >= $2`, l.ApplicationID, l.Quote.LoanAmount)
		if err != nil {
			return l, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return l, err
		} else if n != 1 {
			return l, fmt.Errorf("store: loan %d: its account does not hold %d used", l.XID, l.Quote.LoanAmount)
		}
	}
	_, err = db.recordEvent(ctx, tx, julo.Event{Type: julo.EventLoanStatus, PartnerID: l.PartnerID, ApplicationID: l.ApplicationID,
		ApplicationXID: l.ApplicationXID, LoanXID: l.XID, From: int(from), To: int(m.To), FromName: from.Name(), ToName: m.To.Name(),
		OccurredAt: m.At})
	return l, err
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}
