package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The credit decision's storage (migration 0015): assessment rounds and
// the append-only decision records. Decision records hold no personal data
// (see credit.Facts), so they are stored as they are, not sealed.

// startAssessment opens round of the application and inserts its job, in
// the caller's transaction (the one that moves it to 105 or 120).
func (db *DB) startAssessment(ctx context.Context, tx *sql.Tx, applicationID int64, round int, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO credit_assessments (application_id, round, requested_at) VALUES ($1, $2, $3)`,
		applicationID, round, ms(at)); err != nil {
		return err
	}
	return db.enqueue(ctx, tx, julo.Scheduled{Job: credit.AssessJob{ApplicationID: applicationID, Round: round}})
}

// round returns the round (0: the latest) and whether it is decided;
// ENOTFOUND when there is none.
func (db *DB) round(ctx context.Context, q querier, applicationID int64, round int, lock bool) (n int, decided bool, failures int, err error) {
	query := `SELECT round, decided_at IS NOT NULL, vendor_failures FROM credit_assessments WHERE application_id = $1 AND round = $2`
	args := []any{applicationID, round}
	if round == 0 {
		query = `SELECT round, decided_at IS NOT NULL, vendor_failures FROM credit_assessments WHERE application_id = $1
			ORDER BY round DESC LIMIT 1`
		args = args[:1]
	}
	if lock {
		query += db.dialect.forUpdate
	}
	err = q.QueryRowContext(ctx, query, args...).Scan(&n, &decided, &failures)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, 0, notFound("assessment round")
	}
	return n, decided, failures, err
}

// documents lists the documents in (credit.Doc*): current paystub and
// bank_statement images, a verified bank import, a verified BPJS login.
// documentsQuery writes the BPJS status as a literal: compared with a
// bound parameter, SQLite must look at the value to know whether the
// partial index bpjs_tasks_pending applies, and then prepares the
// statement again at every execution (half a status read's time on
// SQLite; issue 17). The value is the code's constant, never input.
const documentsQuery = `SELECT
		EXISTS (SELECT 1 FROM images WHERE application_id = $1 AND superseded_at IS NULL AND image_type = $2),
		EXISTS (SELECT 1 FROM images WHERE application_id = $1 AND superseded_at IS NULL AND image_type = $3),
		EXISTS (SELECT 1 FROM bank_imports WHERE application_id = $1 AND status = $4),
		EXISTS (SELECT 1 FROM bpjs_tasks WHERE application_id = $1 AND status = '` + onboarding.BPJSSuccess + `')`

func documents(ctx context.Context, q querier, applicationID int64) ([]string, bool, bool, error) {
	var paystub, statement, bank, bpjs bool
	err := q.QueryRowContext(ctx, documentsQuery, applicationID, credit.DocPaystub, credit.DocBankStatement, onboarding.ImportLoadSuccess).
		Scan(&paystub, &statement, &bank, &bpjs)
	docs := []string{}
	for _, d := range []struct {
		in   bool
		name string
	}{{paystub, credit.DocPaystub}, {statement, credit.DocBankStatement}, {bank, credit.DocBank}, {bpjs, credit.DocBPJS}} {
		if d.in {
			docs = append(docs, d.name)
		}
	}
	return docs, bank, bpjs, err
}

// applicationByID is ApplicationByXID by the internal id.
func (db *DB) applicationByID(ctx context.Context, id int64) (onboarding.Application, error) {
	var xid int64
	err := db.r.QueryRowContext(ctx, `SELECT xid FROM applications WHERE id = $1`, id).Scan(&xid)
	if errors.Is(err, sql.ErrNoRows) {
		return onboarding.Application{}, notFound("application")
	}
	if err != nil {
		return onboarding.Application{}, err
	}
	return db.ApplicationByXID(ctx, xid)
}

// Evidence implements credit.Store.
func (db *DB) Evidence(ctx context.Context, applicationID int64, round int) (credit.Evidence, error) {
	var ev credit.Evidence
	var err error
	if ev.Round, ev.Decided, ev.VendorFailures, err = db.round(ctx, db.r, applicationID, round, false); err != nil {
		return ev, err
	}
	if ev.Application, err = db.applicationByID(ctx, applicationID); err != nil {
		return ev, err
	}
	sd, err := db.ApplicationDetails(ctx, applicationID)
	if err != nil {
		return ev, err
	}
	d := sd.Details
	ev.Fullname, ev.DOB = d.Fullname, d.DOB
	ev.Declared = credit.Declared{MonthlyIncome: julo.Money(d.MonthlyIncome), MonthlyExpenses: julo.Money(d.MonthlyExpenses),
		MonthlyHousingCost: julo.Money(d.MonthlyHousingCost), TotalCurrentDebt: julo.Money(d.TotalCurrentDebt),
		Dependents: d.Dependent, JobType: d.JobType, LastEducation: d.LastEducation}
	if d.JobStart != nil {
		ev.Declared.JobStart = *d.JobStart
	}
	if d.OccupiedSince != nil {
		ev.Declared.OccupiedSince = *d.OccupiedSince
	}
	var phones int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM verified_phones WHERE application_id = $1`, applicationID).Scan(&phones); err != nil {
		return ev, err
	}
	ev.PhoneVerified = phones > 0
	ev.Documents, ev.BankVerified, ev.BPJSVerified, err = documents(ctx, db.r, applicationID)
	return ev, err
}

// VendorFailed implements credit.Store.
func (db *DB) VendorFailed(ctx context.Context, applicationID int64, round int) (int, error) {
	var n int
	err := db.w.QueryRowContext(ctx, `UPDATE credit_assessments SET vendor_failures = vendor_failures + 1
		WHERE application_id = $1 AND round = $2 RETURNING vendor_failures`, applicationID, round).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("assessment round")
	}
	return n, err
}

// RecordDecision implements credit.Store.
func (db *DB) RecordDecision(ctx context.Context, applicationID int64, d credit.Decision) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		// The application row first, as every status move takes it: two
		// deciders of one application queue here.
		var status julo.AppStatus
		if err := tx.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = $1`+db.dialect.forUpdate, applicationID).Scan(&status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("application")
			}
			return err
		}
		round, decided, _, err := db.round(ctx, tx, applicationID, d.Round, true)
		if err != nil {
			return err
		}
		// The engine decides a round once; an operator decides the
		// application where it stands (a review after the engine's
		// decision), and either finds it moved on when the other won.
		if decided && d.DecidedBy == credit.DecidedByEngine || status != d.FromStatus {
			return credit.ErrDecided
		}
		d.Round = round
		if d.ToStatus != d.FromStatus {
			if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: applicationID, To: d.ToStatus, At: d.DecidedAt,
				Reason: strings.Join(d.ReasonCodes, ",")}); err != nil {
				return err
			}
		}
		return db.insertDecision(ctx, tx, applicationID, d)
	})
}

func (db *DB) insertDecision(ctx context.Context, tx *sql.Tx, applicationID int64, d credit.Decision) error {
	record, err := json.Marshal(d)
	if err != nil {
		return err
	}
	var maxLimit, setLimit any
	if d.Offer != nil {
		maxLimit, setLimit = int64(d.Offer.MaxLimit), int64(d.Offer.SetLimit)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO credit_decisions (application_id, round, outcome, from_status, to_status,
		reason_codes, policy_version, decided_by, max_limit, set_limit, decided_at, record)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		applicationID, d.Round, string(d.Outcome), d.FromStatus, d.ToStatus, strings.Join(d.ReasonCodes, ","), d.PolicyVersion,
		d.DecidedBy, maxLimit, setLimit, ms(d.DecidedAt), string(record)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE credit_assessments SET decided_at = $3 WHERE application_id = $1 AND round = $2`,
		applicationID, d.Round, ms(d.DecidedAt))
	return err
}

// Decisions implements credit.Store.
func (db *DB) Decisions(ctx context.Context, applicationID int64) ([]credit.Decision, error) {
	return decisions(ctx, db.r, applicationID)
}

func decisions(ctx context.Context, q querier, applicationID int64) ([]credit.Decision, error) {
	records, err := queryStrings(ctx, q, `SELECT record FROM credit_decisions WHERE application_id = $1 ORDER BY id`, applicationID)
	if err != nil {
		return nil, err
	}
	out := make([]credit.Decision, len(records))
	for i, r := range records {
		if err := json.Unmarshal([]byte(r), &out[i]); err != nil {
			return nil, fmt.Errorf("store: decision record of application %d: %w", applicationID, err)
		}
	}
	return out, nil
}

// latestDecision is the application's newest decision record (nil: none).
func latestDecision(ctx context.Context, q querier, applicationID int64) (*credit.Decision, error) {
	var r string
	err := q.QueryRowContext(ctx, `SELECT record FROM credit_decisions WHERE application_id = $1 ORDER BY id DESC LIMIT 1`,
		applicationID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var d credit.Decision
	if err := json.Unmarshal([]byte(r), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// CreditOffer is the application's standing offer: the limits of its
// newest approved decision (ok false: none). The activation part reads it.
type CreditOffer struct {
	MaxLimit, SetLimit julo.Money
	DecidedAt          time.Time
	PolicyVersion      string
}

// CreditOffer returns the newest approved decision's offer.
func (db *DB) CreditOffer(ctx context.Context, applicationID int64) (CreditOffer, bool, error) {
	var o CreditOffer
	var at int64
	err := db.r.QueryRowContext(ctx, `SELECT max_limit, set_limit, decided_at, policy_version FROM credit_decisions
		WHERE application_id = $1 AND outcome = $2 ORDER BY id DESC LIMIT 1`, applicationID, string(credit.OutcomeApproved)).
		Scan(&o.MaxLimit, &o.SetLimit, &at, &o.PolicyVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return CreditOffer{}, false, nil
	}
	o.DecidedAt = fromMS(at)
	return o, err == nil, err
}

// SubmitDocuments implements credit.Store.
func (db *DB) SubmitDocuments(ctx context.Context, applicationID int64, at time.Time,
	check func(julo.AppStatus, *credit.Decision, []string) error) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var status julo.AppStatus
		if err := tx.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = $1`+db.dialect.forUpdate, applicationID).Scan(&status); err != nil {
			return err
		}
		last, err := latestDecision(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		docs, _, _, err := documents(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		if err := check(status, last, docs); err != nil {
			return err
		}
		round, _, _, err := db.round(ctx, tx, applicationID, 0, true)
		if err != nil {
			return err
		}
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: applicationID, To: julo.AppDocumentsSubmitted, At: at,
			Reason: "documents_submitted"}); err != nil {
			return err
		}
		return db.startAssessment(ctx, tx, applicationID, round+1, at)
	})
}

// DocumentsRequested reports whether the application waits for documents
// (at 105, its newest decision asked for them): onboarding then accepts
// paystub and bank_statement images.
func (db *DB) DocumentsRequested(ctx context.Context, applicationID int64) (bool, error) {
	var status julo.AppStatus
	if err := db.r.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = $1`, applicationID).Scan(&status); err != nil {
		return false, err
	}
	last, err := latestDecision(ctx, db.r, applicationID)
	return credit.DocumentsRequested(status, last), err
}

var _ credit.Store = (*DB)(nil)

// CreditStatusFacts implements credit.Store.
func (db *DB) CreditStatusFacts(ctx context.Context, applicationID int64) (credit.StatusFacts, error) {
	var f credit.StatusFacts
	// One snapshot: a decision committed between two of these reads would
	// show its record next to the status before it (issue 17's CI failure:
	// status 105 with a decision).
	err := db.readTx(ctx, func(q querier) error {
		if err := q.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = $1`, applicationID).Scan(&f.Status); err != nil {
			return err
		}
		sd, err := db.applicationDetails(ctx, q, applicationID, nil)
		switch {
		case julo.ErrorCode(err) == julo.ENOTFOUND: // not submitted yet
		case err != nil:
			return err
		default:
			f.Fullname, f.MobilePhone1 = sd.Details.Fullname, sd.Details.MobilePhone1
		}
		if f.Documents, _, _, err = documents(ctx, q, applicationID); err != nil {
			return err
		}
		if f.Decisions, err = decisions(ctx, q, applicationID); err != nil {
			return err
		}
		// The account, once the offer is accepted (190): what the customer
		// can draw on now.
		acc, ok, err := creditAccount(ctx, q, applicationID)
		if ok {
			f.Account = &acc
		}
		return err
	})
	return f, err
}
