package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// Repayment's storage (migration 0019): the installments' charged and paid
// parts, payments once per gateway id, the daily lateness and the sandbox
// test clock. Every operation that changes a loan holds its credit account
// first and then its loans (the order CreateLoan takes too), writes the
// installments, and moves statuses only through moveLoan, in one
// transaction.

// repayingStatuses is the SQL list of 220-237: disbursed, not paid off.
var repayingStatuses = func() string {
	s := ""
	for _, st := range julo.DPDStatuses() {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprint(int(st))
	}
	return s
}()

// PaymentCode implements lending.RepaymentStore.
func (db *DB) PaymentCode(ctx context.Context, applicationID int64, at time.Time, gen func() (string, error)) (string, error) {
	for range 5 {
		var code string
		err := db.w.QueryRowContext(ctx, `SELECT code FROM payment_codes WHERE application_id = $1`, applicationID).Scan(&code)
		if err == nil {
			return code, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		if code, err = gen(); err != nil {
			return "", err
		}
		// Nothing inserted: another request made the application's code
		// first (read it next time round) or the code is taken (a new one).
		if _, err := db.w.ExecContext(ctx, `INSERT INTO payment_codes (application_id, code, created_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, applicationID, code, ms(at)); err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("store: no payment code for application %d after 5 tries", applicationID)
}

// ApplicationByPaymentCode implements lending.RepaymentStore.
func (db *DB) ApplicationByPaymentCode(ctx context.Context, code string) (int64, int64, error) {
	var app, partner int64
	err := db.r.QueryRowContext(ctx, `SELECT a.id, a.partner_id FROM payment_codes pc JOIN applications a ON a.id = pc.application_id
		WHERE pc.code = $1`, code).Scan(&app, &partner)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, notFound("payment code")
	}
	return app, partner, err
}

// readLoanState reads a loan (held with lock) with its installments'
// charged and paid parts; ENOTFOUND unless its status is in statuses.
func (db *DB) readLoanState(ctx context.Context, q querier, loanID int64, statuses, lock string) (lending.LoanState, error) {
	var st lending.LoanState
	var through sql.NullString
	var paidOff sql.NullInt64
	var status int
	err := q.QueryRowContext(ctx, `SELECT status, lateness_through, clock_offset_days, paid_off_at FROM loans WHERE id = $1 AND status IN (`+
		statuses+`)`+lock, loanID).Scan(&status, &through, &st.ClockOffsetDays, &paidOff)
	if errors.Is(err, sql.ErrNoRows) {
		return st, notFound("disbursed loan")
	}
	if err != nil {
		return st, err
	}
	if st.Loan, err = db.readLoan(ctx, q, "l.id = $1", loanID, ""); err != nil {
		return st, err
	}
	if paidOff.Valid {
		st.PaidOffAt = fromMS(paidOff.Int64)
	}
	st.LatenessThrough = lending.Day(st.Loan.FundTransferAt)
	if through.Valid {
		if st.LatenessThrough, err = time.Parse(dayLayout, through.String); err != nil {
			return st, fmt.Errorf("store: loan %d: lateness_through %q: %w", loanID, through.String, err)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT number, due_date, principal, interest, late_fee, waived_interest,
		paid_principal, paid_interest, paid_late_fee, paid_off_on FROM loan_installments WHERE loan_id = $1 ORDER BY number`, loanID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var i lending.InstallmentState
		var due string
		var off sql.NullString
		if err := rows.Scan(&i.Number, &due, &i.Principal, &i.Interest, &i.LateFee, &i.WaivedInterest,
			&i.PaidPrincipal, &i.PaidInterest, &i.PaidLateFee, &off); err != nil {
			return st, err
		}
		if i.Due, err = time.Parse(dayLayout, due); err != nil {
			return st, err
		}
		if off.Valid {
			if i.PaidOff, err = time.Parse(dayLayout, off.String); err != nil {
				return st, err
			}
		}
		st.Installments = append(st.Installments, i)
	}
	return st, rows.Err()
}

// LoanStates implements lending.RepaymentStore.
func (db *DB) LoanStates(ctx context.Context, applicationID int64) ([]lending.LoanState, error) {
	ids, err := queryIDs(ctx, db.r, `SELECT id FROM loans WHERE application_id = $1 AND status IN (`+repayingStatuses+`, 250) ORDER BY id`,
		applicationID)
	if err != nil {
		return nil, err
	}
	out := make([]lending.LoanState, 0, len(ids))
	for _, id := range ids {
		st, err := db.readLoanState(ctx, db.r, id, repayingStatuses+", 250", "")
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// LoanState implements lending.RepaymentStore.
func (db *DB) LoanState(ctx context.Context, loanID int64) (lending.LoanState, error) {
	return db.readLoanState(ctx, db.r, loanID, repayingStatuses+", 250", "")
}

// RepayingLoans implements lending.RepaymentStore.
func (db *DB) RepayingLoans(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT id FROM loans WHERE status >= 220 AND status < 250 AND id > $1 ORDER BY id LIMIT $2`, afterID, limit)
}

// holdAccount holds the application's credit account: the first lock of
// every operation that changes a disbursed loan.
func (db *DB) holdAccount(ctx context.Context, tx *sql.Tx, applicationID int64) error {
	var held int64
	err := tx.QueryRowContext(ctx, `SELECT application_id FROM credit_accounts WHERE application_id = $1`+db.dialect.forUpdate,
		applicationID).Scan(&held)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// ChangeLoan implements lending.RepaymentStore.
func (db *DB) ChangeLoan(ctx context.Context, loanID int64, at time.Time, change func(lending.LoanState) (lending.LoanChange, error)) (lending.LoanState, error) {
	var st lending.LoanState
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var app int64
		if err := tx.QueryRowContext(ctx, `SELECT application_id FROM loans WHERE id = $1`, loanID).Scan(&app); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("loan")
			}
			return err
		}
		if err := db.holdAccount(ctx, tx, app); err != nil {
			return err
		}
		cur, err := db.readLoanState(ctx, tx, loanID, repayingStatuses, db.dialect.forUpdate)
		if err != nil {
			return err
		}
		ch, err := change(cur)
		if err != nil {
			return err
		}
		if _, err := db.writeChange(ctx, tx, cur, ch, at, 0); err != nil {
			return err
		}
		st, err = db.readLoanState(ctx, tx, loanID, repayingStatuses+", 250", "")
		return err
	})
	return st, err
}

// writeChange writes ch of loan cur: its installments, lateness day, test
// clock, the allocations of payment row paymentRow (0: none; it returns
// the allocations written), and the status steps through moveLoan.
func (db *DB) writeChange(ctx context.Context, tx *sql.Tx, cur lending.LoanState, ch lending.LoanChange, at time.Time, paymentRow int64) ([]lending.PaymentAllocation, error) {
	if ch.LoanID != cur.Loan.ID || len(ch.Installments) != len(cur.Installments) {
		return nil, fmt.Errorf("store: a change of loan %d that is not the loan's", cur.Loan.ID)
	}
	for k, i := range ch.Installments {
		if i == cur.Installments[k] {
			continue
		}
		if i.Number != cur.Installments[k].Number || !i.Due.Equal(cur.Installments[k].Due) ||
			i.Principal != cur.Installments[k].Principal || i.Interest != cur.Installments[k].Interest {
			return nil, fmt.Errorf("store: loan %d installment %d: a change of its schedule", cur.Loan.ID, i.Number)
		}
		var off any
		if !i.PaidOff.IsZero() {
			off = i.PaidOff.Format(dayLayout)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE loan_installments SET late_fee = $3, waived_interest = $4, paid_principal = $5,
			paid_interest = $6, paid_late_fee = $7, paid_off_on = $8 WHERE loan_id = $1 AND number = $2`,
			cur.Loan.ID, i.Number, i.LateFee, i.WaivedInterest, i.PaidPrincipal, i.PaidInterest, i.PaidLateFee, off); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE loans SET lateness_through = $2, clock_offset_days = clock_offset_days + $3 WHERE id = $1`,
		cur.Loan.ID, ch.LatenessThrough.Format(dayLayout), ch.AdvanceDays); err != nil {
		return nil, err
	}
	if ch.AdvanceDays > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO loan_clock_advances (loan_id, days, offset_days, advanced_at) VALUES ($1, $2, $3, $4)`,
			cur.Loan.ID, ch.AdvanceDays, cur.ClockOffsetDays+ch.AdvanceDays, ms(at)); err != nil {
			return nil, err
		}
	}
	var rows []lending.PaymentAllocation
	if ch.Plan != nil && paymentRow != 0 {
		rows = allocationRows(*ch.Plan)
		for _, a := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO payment_allocations (payment_id, loan_id, number, late_fee, interest, principal,
				waived_interest) VALUES ($1, $2, $3, $4, $5, $6, $7)`, paymentRow, cur.Loan.ID, a.Number, a.LateFee, a.Interest,
				a.Principal, a.WaivedInterest); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range ch.Steps {
		if _, err := db.moveLoan(ctx, tx, lending.LoanMove{LoanID: cur.Loan.ID, To: s.To, At: at, Reason: s.Reason}); err != nil {
			return nil, err
		}
		if s.To == julo.LoanPaidOff {
			if _, err := tx.ExecContext(ctx, `UPDATE loans SET paid_off_at = $2 WHERE id = $1`, cur.Loan.ID, ms(at)); err != nil {
				return nil, err
			}
		}
	}
	return rows, nil
}

// allocationRows is a plan's allocations and waivers by installment.
func allocationRows(p lending.PaymentPlan) []lending.PaymentAllocation {
	var out []lending.PaymentAllocation
	row := func(n int) *lending.PaymentAllocation {
		for k := range out {
			if out[k].Number == n {
				return &out[k]
			}
		}
		out = append(out, lending.PaymentAllocation{Number: n})
		return &out[len(out)-1]
	}
	for _, a := range p.Allocations {
		r := row(a.Number)
		r.LateFee, r.Interest, r.Principal = r.LateFee+a.LateFee, r.Interest+a.Interest, r.Principal+a.Principal
	}
	for _, w := range p.Waivers {
		r := row(w.Number)
		r.WaivedInterest += w.Interest
	}
	return out
}

// Pay implements lending.RepaymentStore.
func (db *DB) Pay(ctx context.Context, in lending.PaymentIn, plan func([]lending.LoanState) ([]lending.LoanChange, error)) (lending.Payment, error) {
	p := lending.Payment{PaymentIn: in, Status: lending.PaymentApplied}
	var refusal error
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var row int64
		err := tx.QueryRowContext(ctx, `INSERT INTO payments (source, payment_id, application_id, partner_id, bank_code, virtual_account,
			amount, status, paid_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (source, payment_id) DO NOTHING RETURNING id`,
			in.Source, in.PaymentID, in.ApplicationID, in.PartnerID, in.BankCode, in.VirtualAccount, in.Amount, lending.PaymentApplied,
			ms(in.PaidAt), ms(in.ReceivedAt)).Scan(&row)
		if errors.Is(err, sql.ErrNoRows) {
			// Recorded before (a repeat, or another instance's commit this
			// insert waited for): that record is the answer.
			p, err = db.payment(ctx, tx, in.Source, in.PaymentID)
			p.Duplicate = true
			return err
		}
		if err != nil {
			return err
		}
		if err := db.holdAccount(ctx, tx, in.ApplicationID); err != nil {
			return err
		}
		ids, err := queryIDs(ctx, tx, `SELECT id FROM loans WHERE application_id = $1 AND status IN (`+repayingStatuses+`) ORDER BY id`,
			in.ApplicationID)
		if err != nil {
			return err
		}
		states := make([]lending.LoanState, 0, len(ids))
		for _, id := range ids {
			st, err := db.readLoanState(ctx, tx, id, repayingStatuses, db.dialect.forUpdate)
			if err != nil {
				return err
			}
			states = append(states, st)
		}
		changes, err := plan(states)
		var refused *julo.Error
		if errors.As(err, &refused) {
			if !in.KeepRefused {
				return err
			}
			refusal = err
			p.Status, p.Refusal = lending.PaymentRefused, "refused"
			if len(refused.Problems) > 0 {
				p.Refusal = string(refused.Problems[0].Msg)
			}
			_, err := tx.ExecContext(ctx, `UPDATE payments SET status = $2, refusal = $3 WHERE id = $1`, row, p.Status, p.Refusal)
			return err
		}
		if err != nil {
			return err
		}
		if len(changes) != len(states) {
			return fmt.Errorf("store: payment %s: %d changes for %d loans", in.PaymentID, len(changes), len(states))
		}
		var allocated julo.Money
		for k, ch := range changes {
			rows, err := db.writeChange(ctx, tx, states[k], ch, in.ReceivedAt, row)
			if err != nil {
				return err
			}
			for _, a := range rows {
				a.LoanXID = states[k].Loan.XID
				allocated += a.LateFee + a.Interest + a.Principal
				p.Allocations = append(p.Allocations, a)
			}
		}
		if allocated != in.Amount {
			return fmt.Errorf("store: payment %s of %d: %d allocated", in.PaymentID, in.Amount, allocated)
		}
		return nil
	})
	if err != nil {
		return lending.Payment{}, err
	}
	return p, refusal
}

// payment reads a recorded payment with its allocations.
func (db *DB) payment(ctx context.Context, q querier, source, paymentID string) (lending.Payment, error) {
	var p lending.Payment
	var row, paid, received int64
	var refusal sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, source, payment_id, application_id, partner_id, bank_code, virtual_account, amount, status,
		refusal, paid_at, received_at FROM payments WHERE source = $1 AND payment_id = $2`, source, paymentID).Scan(&row, &p.Source,
		&p.PaymentID, &p.ApplicationID, &p.PartnerID, &p.BankCode, &p.VirtualAccount, &p.Amount, &p.Status, &refusal, &paid, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("payment")
	}
	if err != nil {
		return p, err
	}
	p.Refusal, p.PaidAt, p.ReceivedAt = refusal.String, fromMS(paid), fromMS(received)
	rows, err := q.QueryContext(ctx, `SELECT l.xid, pa.number, pa.late_fee, pa.interest, pa.principal, pa.waived_interest
		FROM payment_allocations pa JOIN loans l ON l.id = pa.loan_id WHERE pa.payment_id = $1 ORDER BY pa.loan_id, pa.number`, row)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		var a lending.PaymentAllocation
		if err := rows.Scan(&a.LoanXID, &a.Number, &a.LateFee, &a.Interest, &a.Principal, &a.WaivedInterest); err != nil {
			return p, err
		}
		p.Allocations = append(p.Allocations, a)
	}
	return p, rows.Err()
}
