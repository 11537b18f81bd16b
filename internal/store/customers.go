package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The rights of the customer (issue 10, item 4; UU PDP 27/2022 art. 7-9):
// access (CustomerByNIK: everything held about a customer, opened) and
// erasure (EraseCustomer: a crypto-shred).

// CustomerRecord is everything the store holds about one customer.
type CustomerRecord struct {
	CustomerID int64     `json:"customer_id"`
	NIK        string    `json:"nik"`
	Email      string    `json:"email"`
	Latitude   float64   `json:"latitude"`
	Longitude  float64   `json:"longitude"`
	Partner    string    `json:"partner"`
	CreatedAt  time.Time `json:"created_at"`
	// ReleasedAt: the customer's claim on its NIK and email lapsed then.
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	// PIN: only a keyed hash is held, named by its key.
	PINHashKeyID string `json:"pin_hash_key_id"`
	// PINGuard is the count of consecutive wrong PINs at input-pin and a
	// lock in force (nil: the PIN was never tried there).
	PINGuard     *PINGuardRecord     `json:"pin_guard,omitempty"`
	DataKeyID    string              `json:"data_key_wrapped_by"`
	Applications []ApplicationRecord `json:"applications"`
}

// PINGuardRecord is the customer's PIN guard (issue 12 item 6): no PIN,
// only a count and times.
type PINGuardRecord struct {
	Wrong       int        `json:"consecutive_wrong"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ApplicationRecord is one application of a customer, with what hangs on it.
type ApplicationRecord struct {
	XID            int64             `json:"application_xid"`
	Partner        string            `json:"partner"`
	Status         julo.AppStatus    `json:"status"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	History        []HistoryRecord   `json:"status_history"`
	Details        *DetailsRecord    `json:"details,omitempty"`
	VerifiedPhones []PhoneRecord     `json:"verified_phones"`
	OTPSends       []PhoneRecord     `json:"otp_sends"`
	Images         []ImageRecord     `json:"images"`
	BPJSTasks      []ExternalRecord  `json:"bpjs_tasks"`
	BankImports    []ExternalRecord  `json:"bank_imports"`
	SandboxSMS     []SMSRecord       `json:"sandbox_sms,omitempty"`
	Events         []EventRecordLite `json:"events"`
	// The credit decision and the activation (issue 12): the assessment
	// rounds, the decision records (every input and step), the PIN window,
	// the credit account and the customer's review requests with their
	// reasons opened.
	Assessments     []AssessmentRecord    `json:"credit_assessments"`
	CreditDecisions []credit.Decision     `json:"credit_decisions"`
	PINVerified     *PINWindowRecord      `json:"pin_window,omitempty"`
	CreditAccount   *CreditAccountRecord  `json:"credit_account,omitempty"`
	ReviewRequests  []ReviewRequestRecord `json:"review_requests"`
}

// AssessmentRecord is one assessment round of the application.
type AssessmentRecord struct {
	Round          int        `json:"round"`
	RequestedAt    time.Time  `json:"requested_at"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	VendorFailures int        `json:"vendor_failures"`
}

// PINWindowRecord is the application's latest "PIN verified" window.
type PINWindowRecord struct {
	VerifiedAt    time.Time `json:"verified_at"`
	VerifiedUntil time.Time `json:"verified_until"`
}

// CreditAccountRecord is the credit account opened at 190.
type CreditAccountRecord struct {
	SetLimit       julo.Money `json:"set_limit"`
	AvailableLimit julo.Money `json:"available_limit"`
	UsedLimit      julo.Money `json:"used_limit"`
	PolicyVersion  string     `json:"policy_version"`
	OpenedAt       time.Time  `json:"opened_at"`
}

// ReviewRequestRecord is a review request (the customer's objection to an
// automatic rejection), its reason opened with the customer's key.
type ReviewRequestRecord struct {
	Reason      string     `json:"reason"`
	RequestedAt time.Time  `json:"requested_at"`
	Resolution  string     `json:"resolution,omitempty"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	Operator    string     `json:"operator,omitempty"`
}

// HistoryRecord is one status change.
type HistoryRecord struct {
	From   *julo.AppStatus `json:"from,omitempty"`
	To     julo.AppStatus  `json:"to"`
	At     time.Time       `json:"at"`
	Reason string          `json:"reason,omitempty"`
}

// DetailsRecord is the complete step's data with its consent.
type DetailsRecord struct {
	onboarding.Details
	SubmittedAt time.Time  `json:"submitted_at"`
	ConsentedAt *time.Time `json:"consented_at,omitempty"`
}

// PhoneRecord is a phone and when it was verified or sent a code.
type PhoneRecord struct {
	Phone string    `json:"phone"`
	At    time.Time `json:"at"`
}

// ImageRecord is an uploaded image's metadata (the image itself is in the
// blob store, sealed, under BlobKey).
type ImageRecord struct {
	ID           int64      `json:"image_id"`
	Type         string     `json:"image_type"`
	ContentType  string     `json:"content_type"`
	Size         int64      `json:"size_bytes"`
	SHA256       string     `json:"sha256"`
	BlobKey      string     `json:"blob_key"`
	CreatedAt    time.Time  `json:"created_at"`
	SupersededAt *time.Time `json:"superseded_at,omitempty"`
}

// ExternalRecord is a BPJS login or a bank-data import.
type ExternalRecord struct {
	Kind      string    `json:"kind"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// SMSRecord is a sandbox outbox message.
type SMSRecord struct {
	Phone   string    `json:"phone"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// EventRecordLite is an event of the application (no personal data).
type EventRecordLite struct {
	Type       string    `json:"type"`
	Sequence   int64     `json:"sequence"`
	OccurredAt time.Time `json:"occurred_at"`
}

// customerByNIK finds the customer of nik (held or released; an erased one
// has no blind index left): ENOTFOUND when there is none.
func (db *DB) customerByNIK(ctx context.Context, q querier, nik string) (int64, error) {
	// Outside any transaction (on SQLite db.w is the one connection a
	// transaction would hold).
	bidx, err := db.blindIndexes(ctx, db.w)
	if err != nil {
		return 0, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `SELECT id FROM customers WHERE nik_bidx = $1`, bidx(bidxNIK, nik)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("customer")
	}
	return id, err
}

// CustomerByNIK returns everything held about the customer of nik, opened
// with its key.
func (db *DB) CustomerByNIK(ctx context.Context, nik string) (CustomerRecord, error) {
	id, err := db.customerByNIK(ctx, db.r, nik)
	if err != nil {
		return CustomerRecord{}, err
	}
	return db.customerRecord(ctx, id)
}

// CustomerByApplicationXID is CustomerByNIK for the customer of an
// application.
func (db *DB) CustomerByApplicationXID(ctx context.Context, xid int64) (CustomerRecord, error) {
	var id int64
	err := db.r.QueryRowContext(ctx, `SELECT customer_id FROM applications WHERE xid = $1`, xid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return CustomerRecord{}, notFound("application")
	}
	if err != nil {
		return CustomerRecord{}, err
	}
	return db.customerRecord(ctx, id)
}

func (db *DB) customerRecord(ctx context.Context, id int64) (CustomerRecord, error) {
	var c CustomerRecord
	err := db.readTx(ctx, func(q querier) error {
		var nikS, emailS, posS string
		var created int64
		var released sql.NullInt64
		var wrapped sql.NullString
		if err := q.QueryRowContext(ctx, `SELECT c.id, c.nik_sealed, c.email_sealed, c.position_sealed, p.username, c.created_at,
			c.released_at, c.pin_key_id, k.kek_id, k.wrapped
			FROM customers c JOIN partners p ON p.id = c.partner_id JOIN customer_keys k ON k.customer_id = c.id WHERE c.id = $1`, id).
			Scan(&c.CustomerID, &nikS, &emailS, &posS, &c.Partner, &created, &released, &c.PINHashKeyID, &c.DataKeyID, &wrapped); err != nil {
			return err
		}
		c.CreatedAt = fromMS(created)
		if released.Valid {
			t := fromMS(released.Int64)
			c.ReleasedAt = &t
		}
		k, _, err := db.unwrapCustomerKey(id, c.DataKeyID, wrapped)
		if err != nil {
			return err
		}
		var pos string
		var err1, err2, err3 error
		c.NIK, err1 = k.open(colNIK, nikS)
		c.Email, err2 = k.open(colEmail, emailS)
		pos, err3 = k.open(colPosition, posS)
		if err := errors.Join(err1, err2, err3); err != nil {
			return err
		}
		lat, lon, ok := strings.Cut(pos, ",")
		c.Latitude, err1 = strconv.ParseFloat(lat, 64)
		c.Longitude, err2 = strconv.ParseFloat(lon, 64)
		if err := errors.Join(err1, err2); err != nil || !ok {
			return fmt.Errorf("store: customer %d's position does not parse", id)
		}
		var g PINGuardRecord
		var locked sql.NullInt64
		var updated int64
		switch err := q.QueryRowContext(ctx, `SELECT wrong, locked_until, updated_at FROM pin_guards WHERE customer_id = $1`, id).
			Scan(&g.Wrong, &locked, &updated); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			g.UpdatedAt = fromMS(updated)
			g.LockedUntil = optTime(locked)
			c.PINGuard = &g
		}
		c.Applications, err = db.applicationRecords(ctx, q, id, k)
		return err
	})
	return c, err
}

// optTime is a nullable time column (milliseconds) as a *time.Time.
func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// readTx runs fn on one consistent snapshot: a read transaction, at the
// dialect's snapshot isolation (PostgreSQL's READ COMMITTED takes a new
// snapshot per statement), through the readers' kept statements.
func (db *DB) readTx(ctx context.Context, fn func(querier) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: db.dialect.snapshot})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(readTxQuerier{Tx: tx, pool: db.r}); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) applicationRecords(ctx context.Context, q querier, customerID int64, k *customerKey) ([]ApplicationRecord, error) {
	type app struct {
		id int64
		r  ApplicationRecord
	}
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.xid, p.username, a.status, a.created_at, a.updated_at
		FROM applications a JOIN partners p ON p.id = a.partner_id WHERE a.customer_id = $1 ORDER BY a.created_at, a.id`, customerID)
	if err != nil {
		return nil, err
	}
	var apps []app
	for rows.Next() {
		var a app
		var created, updated int64
		if err := rows.Scan(&a.id, &a.r.XID, &a.r.Partner, &a.r.Status, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		a.r.CreatedAt, a.r.UpdatedAt = fromMS(created), fromMS(updated)
		apps = append(apps, a)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	out := []ApplicationRecord{}
	for _, a := range apps {
		r := a.r
		r.History, r.VerifiedPhones, r.OTPSends, r.Images = []HistoryRecord{}, []PhoneRecord{}, []PhoneRecord{}, []ImageRecord{}
		r.BPJSTasks, r.BankImports, r.Events = []ExternalRecord{}, []ExternalRecord{}, []EventRecordLite{}
		err := scanAll(ctx, q, `SELECT from_status, to_status, changed_at, reason FROM application_status_history
			WHERE application_id = $1 ORDER BY id`, []any{a.id}, func(rs *sql.Rows) error {
			var h HistoryRecord
			var from sql.NullInt64
			var at int64
			if err := rs.Scan(&from, &h.To, &at, &h.Reason); err != nil {
				return err
			}
			if from.Valid && from.Int64 != 0 {
				f := julo.AppStatus(from.Int64)
				h.From = &f
			}
			h.At = fromMS(at)
			r.History = append(r.History, h)
			return nil
		})
		if err != nil {
			return nil, err
		}
		phones := func(query, col string, into *[]PhoneRecord) error {
			return scanAll(ctx, q, query, []any{a.id}, func(rs *sql.Rows) error {
				var sealed sql.NullString
				var at int64
				if err := rs.Scan(&sealed, &at); err != nil {
					return err
				}
				p := PhoneRecord{At: fromMS(at)}
				if sealed.Valid {
					v, err := k.open(col, sealed.String)
					if err != nil {
						return err
					}
					p.Phone = v
				}
				*into = append(*into, p)
				return nil
			})
		}
		if err := phones(`SELECT phone_sealed, verified_at FROM verified_phones WHERE application_id = $1 ORDER BY verified_at`, colVerifiedPhone, &r.VerifiedPhones); err != nil {
			return nil, err
		}
		if err := phones(`SELECT phone_sealed, sent_at FROM otp_codes WHERE application_id = $1 ORDER BY sent_at, id`, colOTPPhone, &r.OTPSends); err != nil {
			return nil, err
		}
		err = scanAll(ctx, q, `SELECT public_id, image_type, content_type, size_bytes, sha256, blob_key, created_at, superseded_at
			FROM images WHERE application_id = $1 ORDER BY id`, []any{a.id}, func(rs *sql.Rows) error {
			var im ImageRecord
			var created int64
			var superseded sql.NullInt64
			if err := rs.Scan(&im.ID, &im.Type, &im.ContentType, &im.Size, &im.SHA256, &im.BlobKey, &created, &superseded); err != nil {
				return err
			}
			im.CreatedAt = fromMS(created)
			if superseded.Valid {
				t := fromMS(superseded.Int64)
				im.SupersededAt = &t
			}
			r.Images = append(r.Images, im)
			return nil
		})
		if err != nil {
			return nil, err
		}
		external := func(query, kind string, into *[]ExternalRecord) error {
			return scanAll(ctx, q, query, []any{a.id}, func(rs *sql.Rows) error {
				e := ExternalRecord{Kind: kind}
				var at int64
				if err := rs.Scan(&e.Status, &at); err != nil {
					return err
				}
				e.CreatedAt = fromMS(at)
				*into = append(*into, e)
				return nil
			})
		}
		if err := external(`SELECT status, created_at FROM bpjs_tasks WHERE application_id = $1 ORDER BY id`, "bpjs", &r.BPJSTasks); err != nil {
			return nil, err
		}
		if err := external(`SELECT bank || ':' || status, created_at FROM bank_imports WHERE application_id = $1 ORDER BY id`, "bank_import", &r.BankImports); err != nil {
			return nil, err
		}
		err = scanAll(ctx, q, `SELECT phone_sealed, message_sealed, created_at FROM sms_outbox WHERE application_id = $1 ORDER BY id`,
			[]any{a.id}, func(rs *sql.Rows) error {
				var phone, msg string
				var at int64
				if err := rs.Scan(&phone, &msg, &at); err != nil {
					return err
				}
				m := SMSRecord{At: fromMS(at)}
				var err1, err2 error
				m.Phone, err1 = k.open(colSMSPhone, phone)
				m.Message, err2 = k.open(colSMSMessage, msg)
				r.SandboxSMS = append(r.SandboxSMS, m)
				return errors.Join(err1, err2)
			})
		if err != nil {
			return nil, err
		}
		err = scanAll(ctx, q, `SELECT type, sequence, occurred_at FROM events WHERE application_id = $1 ORDER BY sequence`,
			[]any{a.id}, func(rs *sql.Rows) error {
				var e EventRecordLite
				var at int64
				if err := rs.Scan(&e.Type, &e.Sequence, &at); err != nil {
					return err
				}
				e.OccurredAt = fromMS(at)
				r.Events = append(r.Events, e)
				return nil
			})
		if err != nil {
			return nil, err
		}
		if err := db.creditRecords(ctx, q, a.id, k, &r); err != nil {
			return nil, err
		}
		d, err := db.applicationDetails(ctx, q, a.id, k)
		switch {
		case julo.ErrorCode(err) == julo.ENOTFOUND:
		case err != nil:
			return nil, err
		default:
			dr := &DetailsRecord{Details: d.Details, SubmittedAt: d.SubmittedAt}
			if !d.ConsentedAt.IsZero() {
				dr.ConsentedAt = &d.ConsentedAt
			}
			r.Details = dr
		}
		out = append(out, r)
	}
	return out, nil
}

// creditRecords fills r's credit decision and activation parts
// (application id) in q's snapshot.
func (db *DB) creditRecords(ctx context.Context, q querier, id int64, k *customerKey, r *ApplicationRecord) error {
	r.Assessments, r.CreditDecisions, r.ReviewRequests = []AssessmentRecord{}, []credit.Decision{}, []ReviewRequestRecord{}
	err := scanAll(ctx, q, `SELECT round, requested_at, decided_at, vendor_failures FROM credit_assessments
		WHERE application_id = $1 ORDER BY round`, []any{id}, func(rs *sql.Rows) error {
		var a AssessmentRecord
		var requested int64
		var decided sql.NullInt64
		if err := rs.Scan(&a.Round, &requested, &decided, &a.VendorFailures); err != nil {
			return err
		}
		a.RequestedAt, a.DecidedAt = fromMS(requested), optTime(decided)
		r.Assessments = append(r.Assessments, a)
		return nil
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, q, `SELECT record FROM credit_decisions WHERE application_id = $1 ORDER BY id`, []any{id}, func(rs *sql.Rows) error {
		var rec string
		var d credit.Decision
		if err := rs.Scan(&rec); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(rec), &d); err != nil {
			return fmt.Errorf("store: decision record of application %d: %w", id, err)
		}
		r.CreditDecisions = append(r.CreditDecisions, d)
		return nil
	})
	if err != nil {
		return err
	}
	var w PINWindowRecord
	var at, until int64
	switch err := q.QueryRowContext(ctx, `SELECT verified_at, verified_until FROM pin_windows WHERE application_id = $1`, id).
		Scan(&at, &until); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		w.VerifiedAt, w.VerifiedUntil = fromMS(at), fromMS(until)
		r.PINVerified = &w
	}
	var acc CreditAccountRecord
	var opened int64
	switch err := q.QueryRowContext(ctx, `SELECT set_limit, available_limit, used_limit, policy_version, opened_at
		FROM credit_accounts WHERE application_id = $1`, id).
		Scan(&acc.SetLimit, &acc.AvailableLimit, &acc.UsedLimit, &acc.PolicyVersion, &opened); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		acc.OpenedAt = fromMS(opened)
		r.CreditAccount = &acc
	}
	return scanAll(ctx, q, `SELECT reason_sealed, requested_at, resolution, resolved_at, operator FROM review_requests
		WHERE application_id = $1 ORDER BY id`, []any{id}, func(rs *sql.Rows) error {
		var rr ReviewRequestRecord
		var sealed string
		var requested int64
		var resolution, operator sql.NullString
		var resolved sql.NullInt64
		if err := rs.Scan(&sealed, &requested, &resolution, &resolved, &operator); err != nil {
			return err
		}
		reason, err := k.open(colReviewReason, sealed)
		if err != nil {
			return err
		}
		rr.Reason, rr.RequestedAt, rr.Resolution, rr.ResolvedAt, rr.Operator =
			reason, fromMS(requested), resolution.String, optTime(resolved), operator.String
		r.ReviewRequests = append(r.ReviewRequests, rr)
		return nil
	})
}

// scanAll runs query and fn on each row.
func scanAll(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Erasure is the audit record of an erased customer: no personal data.
type Erasure struct {
	ID           int64     `json:"erasure_id"`
	CustomerID   int64     `json:"customer_id"`
	ErasedAt     time.Time `json:"erased_at"`
	Reason       string    `json:"reason"`
	Applications int       `json:"applications"`
	Cancelled    int       `json:"applications_cancelled"`
	Images       int       `json:"images_deleted"`
}

// Erasure reasons.
const (
	ErasureRequest   = "customer_request" // julo customer erase
	ErasureRetention = "retention"        // never reached 105 within the retention
)

// ErrObligation refuses the erasure of a customer with a live credit line:
// what is owed must stay readable (OJK record keeping).
var ErrObligation = errors.New("store: the customer has an active credit limit or loan; its data must be kept while an obligation remains")

// EraseCustomer crypto-shreds the customer of nik, in one transaction:
// its data key is destroyed (its sealed rows stay, for accounting, and never
// open again), its blind indexes are cleared (the NIK and email are free),
// its PIN hash, PIN guard and PIN windows, verified phones and sandbox
// messages are deleted, its open review requests are closed
// (credit.ReviewOutcomeErased), its applications still going on (an offer
// at 130 included) are cancelled (137) through the status machine with
// reason "erased", and its images' blobs are deleted by jobs queued in the
// same transaction. The Erasure row records it without
// personal data. A customer with an application at 141, 150 or 190 (a
// credit limit that loans draw on) is refused with ErrObligation (ECONFLICT).
func (db *DB) EraseCustomer(ctx context.Context, nik, reason string, at time.Time, sweep func(blobKey string) julo.Job) (Erasure, error) {
	var e Erasure
	id, err := db.customerByNIK(ctx, db.r, nik)
	if err != nil {
		return e, err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		e, err = db.eraseCustomer(ctx, tx, id, reason, at, sweep)
		return err
	})
	return e, err
}

func (db *DB) eraseCustomer(ctx context.Context, tx *sql.Tx, id int64, reason string, at time.Time, sweep func(string) julo.Job) (Erasure, error) {
	e := Erasure{CustomerID: id, ErasedAt: at, Reason: reason}
	var shredded sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT shredded_at FROM customer_keys WHERE customer_id = $1`+db.dialect.forUpdate, id).Scan(&shredded); err != nil {
		return e, err
	}
	if shredded.Valid {
		return e, notFound("customer")
	}
	type app struct {
		id     int64
		status julo.AppStatus
	}
	var apps []app
	err := scanAll(ctx, tx, `SELECT id, status FROM applications WHERE customer_id = $1 ORDER BY id`, []any{id}, func(rs *sql.Rows) error {
		var a app
		if err := rs.Scan(&a.id, &a.status); err != nil {
			return err
		}
		apps = append(apps, a)
		return nil
	})
	if err != nil {
		return e, err
	}
	e.Applications = len(apps)
	for _, a := range apps {
		switch a.status {
		case julo.AppLimitActivation, julo.AppActivationSuccess, julo.AppLimitReady:
			return e, &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonTransition, Err: ErrObligation}
		}
	}
	for _, a := range apps {
		if !julo.CanMoveApp(a.status, julo.AppCancelledByCustomer) {
			continue
		}
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: a.id, To: julo.AppCancelledByCustomer, At: at, Reason: "erased"}); err != nil {
			return e, err
		}
		e.Cancelled++
	}
	var blobKeys []string
	err = scanAll(ctx, tx, `SELECT i.blob_key FROM images i JOIN applications a ON a.id = i.application_id
		WHERE a.customer_id = $1 AND i.blob_key <> ''`, []any{id}, func(rs *sql.Rows) error {
		var k string
		if err := rs.Scan(&k); err != nil {
			return err
		}
		blobKeys = append(blobKeys, k)
		return nil
	})
	if err != nil {
		return e, err
	}
	e.Images = len(blobKeys)
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE customer_keys SET wrapped = NULL, shredded_at = $2 WHERE customer_id = $1`, []any{id, ms(at)}},
		{`UPDATE customers SET nik_bidx = NULL, email_bidx = NULL, pin_hash = '', released_at = COALESCE(released_at, $2) WHERE id = $1`, []any{id, ms(at)}},
		{`DELETE FROM verified_phones WHERE application_id IN (SELECT id FROM applications WHERE customer_id = $1)`, []any{id}},
		{`DELETE FROM sms_outbox WHERE application_id IN (SELECT id FROM applications WHERE customer_id = $1)`, []any{id}},
		{`UPDATE otp_codes SET phone_bidx = NULL WHERE application_id IN (SELECT id FROM applications WHERE customer_id = $1)`, []any{id}},
		{`UPDATE application_details SET bank_account_bidx = NULL WHERE application_id IN (SELECT id FROM applications WHERE customer_id = $1)`, []any{id}},
		// The activation's PIN state goes with the PIN hash; an open
		// review request is withdrawn (its reason, sealed, never opens
		// again: nobody is left to offer a limit to).
		{`DELETE FROM pin_windows WHERE application_id IN (SELECT id FROM applications WHERE customer_id = $1)`, []any{id}},
		{`DELETE FROM pin_guards WHERE customer_id = $1`, []any{id}},
		{`UPDATE review_requests SET resolution = $2, resolved_at = $3 WHERE resolution IS NULL
			AND application_id IN (SELECT id FROM applications WHERE customer_id = $1)`, []any{id, credit.ReviewOutcomeErased, ms(at)}},
		// The rows keep their metadata; the blob key goes, so the sweep
		// jobs find no row holding the blob and delete it.
		{`UPDATE images SET blob_key = '', superseded_at = COALESCE(superseded_at, $2)
			WHERE application_id IN (SELECT id FROM applications WHERE customer_id = $1)`, []any{id, ms(at)}},
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return e, err
		}
	}
	var jobs []julo.Scheduled
	for _, k := range blobKeys {
		jobs = append(jobs, julo.Scheduled{Job: sweep(k), At: at})
	}
	if err := db.enqueue(ctx, tx, jobs...); err != nil {
		return e, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO customer_erasures (customer_id, erased_at, reason, applications, cancelled, images)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, id, ms(at), reason, e.Applications, e.Cancelled, e.Images).Scan(&e.ID)
	return e, err
}

// RetentionCandidates lists up to limit customers (not erased) none of whose
// applications ever reached 105 and whose newest change is older than
// before: the periodic purge erases them (ErasureRetention).
func (db *DB) RetentionCandidates(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT c.id FROM customers c JOIN customer_keys k ON k.customer_id = c.id
		WHERE k.shredded_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM applications a JOIN application_status_history h ON h.application_id = a.id
			WHERE a.customer_id = c.id AND h.to_status = $1)
		AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.customer_id = c.id AND (a.updated_at >= $2 OR a.status = $3))
		ORDER BY c.id LIMIT $4`,
		julo.AppFormSubmitted, ms(before), julo.AppFormCreated, limit)
}

// EraseForRetention erases customer id as RetentionCandidates found it,
// if it still qualifies (checked again in the transaction).
func (db *DB) EraseForRetention(ctx context.Context, id int64, before, at time.Time, sweep func(string) julo.Job) (bool, error) {
	erased := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications a WHERE a.customer_id = $1
			AND (a.updated_at >= $2 OR a.status = $3 OR EXISTS (SELECT 1 FROM application_status_history h
				WHERE h.application_id = a.id AND h.to_status = $4))`,
			id, ms(before), julo.AppFormCreated, julo.AppFormSubmitted).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		_, err := db.eraseCustomer(ctx, tx, id, ErasureRetention, at, sweep)
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			return nil
		}
		erased = err == nil
		return err
	})
	return erased, err
}
