package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
)

// The operator console's reads of loans and callback deliveries (issue 15
// items 7 and 8). Ids, codes, amounts and times only: the loan's
// destination account (personal data) is read through LoanByXID, which
// opens it for the console to mask.

// ConsoleLoans lists loans, newest first, a page at a time (keyset paging
// on the row id, as the applications list).
func (db *DB) ConsoleLoans(ctx context.Context, f backoffice.LoanFilter) ([]backoffice.LoanRow, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status != 0 {
		where = append(where, "l.status = "+arg(f.Status))
	} else if len(f.Statuses) > 0 {
		var in []string
		for _, st := range f.Statuses {
			in = append(in, arg(st))
		}
		where = append(where, "l.status IN ("+strings.Join(in, ", ")+")")
	}
	if f.Partner != "" {
		where = append(where, "p.username = "+arg(f.Partner))
	}
	if f.ApplicationXID != 0 {
		where = append(where, "a.xid = "+arg(f.ApplicationXID))
	}
	if f.BeforeID != 0 {
		where = append(where, "l.id < "+arg(f.BeforeID))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT l.id, l.xid, a.xid, p.username, l.status, l.loan_amount, l.duration_months, l.created_at, l.updated_at
		FROM loans l JOIN applications a ON a.id = l.application_id JOIN partners p ON p.id = l.partner_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY l.id DESC LIMIT " + arg(f.Limit)
	var out []backoffice.LoanRow
	err := scanAll(ctx, db.r, q, args, func(rs *sql.Rows) error {
		var r backoffice.LoanRow
		var c, u int64
		err := rs.Scan(&r.ID, &r.XID, &r.ApplicationXID, &r.Partner, &r.Status, &r.LoanAmount, &r.Duration, &c, &u)
		r.CreatedAt, r.UpdatedAt = fromMS(c), fromMS(u)
		out = append(out, r)
		return err
	})
	return out, err
}

// ConsoleLoanStatusCounts counts the loans at each status.
func (db *DB) ConsoleLoanStatusCounts(ctx context.Context) (map[int]int, error) {
	out := map[int]int{}
	err := scanAll(ctx, db.r, `SELECT status, COUNT(*) FROM loans GROUP BY status`, nil, func(rs *sql.Rows) error {
		var s, n int
		err := rs.Scan(&s, &n)
		out[s] = n
		return err
	})
	return out, err
}

// ConsoleLoanHistory lists a loan's status changes, oldest first.
func (db *DB) ConsoleLoanHistory(ctx context.Context, loanXID int64) ([]backoffice.LoanHistoryItem, error) {
	var out []backoffice.LoanHistoryItem
	err := scanAll(ctx, db.r, `SELECT h.from_status, h.to_status, h.changed_at, h.reason FROM loan_status_history h
		JOIN loans l ON l.id = h.loan_id WHERE l.xid = $1 ORDER BY h.id`, []any{loanXID}, func(rs *sql.Rows) error {
		var h backoffice.LoanHistoryItem
		var from sql.NullInt64
		var at int64
		if err := rs.Scan(&from, &h.To, &at, &h.Reason); err != nil {
			return err
		}
		if from.Valid {
			st := julo.LoanStatus(from.Int64)
			h.From = &st
		}
		h.At = fromMS(at)
		out = append(out, h)
		return nil
	})
	return out, err
}

// deliveryRows are the columns ConsoleDeliveries reads: a delivery, its
// event and its last attempt.
const deliveryRows = `SELECT d.id, p.username, e.event_id, e.type, e.application_xid, COALESCE(e.loan_xid, 0), d.target, d.state,
		d.attempts, d.created_at, COALESCE(t.status_code, 0), COALESCE(t.error, '')
	FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN partners p ON p.id = d.partner_id
	LEFT JOIN webhook_attempts t ON t.delivery_id = d.id AND t.attempt = d.attempts`

// ConsolePartnerDeliveries lists the partner's latest callback deliveries,
// newest first.
func (db *DB) ConsolePartnerDeliveries(ctx context.Context, partner string, limit int) ([]backoffice.DeliveryRow, error) {
	return db.consoleDeliveries(ctx, deliveryRows+` WHERE p.username = $1 ORDER BY d.id DESC LIMIT $2`, partner, limit)
}

// ConsoleApplicationDeliveries lists the deliveries of an application's
// events (its loans' too), oldest first.
func (db *DB) ConsoleApplicationDeliveries(ctx context.Context, xid int64, limit int) ([]backoffice.DeliveryRow, error) {
	return db.consoleDeliveries(ctx, deliveryRows+` WHERE e.application_xid = $1 ORDER BY d.id LIMIT $2`, xid, limit)
}

func (db *DB) consoleDeliveries(ctx context.Context, q string, args ...any) ([]backoffice.DeliveryRow, error) {
	var out []backoffice.DeliveryRow
	err := scanAll(ctx, db.r, q, args, func(rs *sql.Rows) error {
		var d backoffice.DeliveryRow
		var c int64
		err := rs.Scan(&d.ID, &d.Partner, &d.EventID, &d.EventType, &d.ApplicationXID, &d.LoanXID, &d.Target, &d.State, &d.Attempts, &c,
			&d.LastStatus, &d.LastError)
		d.CreatedAt = fromMS(c)
		out = append(out, d)
		return err
	})
	return out, err
}

// ConsoleLoanPayments lists the payments allocated to a loan, oldest
// first, with the parts that went to it.
func (db *DB) ConsoleLoanPayments(ctx context.Context, loanXID int64) ([]backoffice.LoanPayment, error) {
	var out []backoffice.LoanPayment
	err := scanAll(ctx, db.r, `SELECT p.source, p.payment_id, p.amount, p.paid_at, p.received_at,
			SUM(a.late_fee), SUM(a.interest), SUM(a.principal), SUM(a.waived_interest)
		FROM payment_allocations a JOIN payments p ON p.id = a.payment_id JOIN loans l ON l.id = a.loan_id
		WHERE l.xid = $1 GROUP BY p.id, p.source, p.payment_id, p.amount, p.paid_at, p.received_at ORDER BY p.id`,
		[]any{loanXID}, func(rs *sql.Rows) error {
			var p backoffice.LoanPayment
			var paid, received int64
			err := rs.Scan(&p.Source, &p.PaymentID, &p.Amount, &paid, &received, &p.LateFee, &p.Interest, &p.Principal, &p.WaivedInterest)
			p.PaidAt, p.ReceivedAt = fromMS(paid), fromMS(received)
			out = append(out, p)
			return err
		})
	return out, err
}
