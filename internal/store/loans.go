package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The loans' storage (migration 0017). Every status change goes through
// moveLoan (status.go), which also gives the amount back to the limit when
// the status says so, in the same transaction.

const colLoanAccount = "loans.dest_account_sealed"

// dayLayout is how calendar days are stored.
const dayLayout = "2006-01-02"

// drawingStatuses is the SQL list of the statuses at which a loan draws on
// the limit (lending.Drawing).
var drawingStatuses = func() string {
	s := ""
	for _, st := range julo.LoanStatuses() {
		if lending.Drawing(st) {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprint(int(st))
		}
	}
	return s
}()

// LoanFacts implements lending.Store.
func (db *DB) LoanFacts(ctx context.Context, applicationID int64) (lending.Facts, error) {
	return db.loanFacts(ctx, db.r, applicationID)
}

func (db *DB) loanFacts(ctx context.Context, q querier, applicationID int64) (lending.Facts, error) {
	var f lending.Facts
	a := &f.Application
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, xid, partner_id, customer_id, status, created_at FROM applications WHERE id = $1`,
		applicationID).Scan(&a.ID, &a.XID, &a.PartnerID, &a.CustomerID, &a.Status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return f, notFound("application")
	}
	if err != nil {
		return f, err
	}
	a.CreatedAt = fromMS(created)
	f.Account.ApplicationID = applicationID
	var opened int64
	switch err := q.QueryRowContext(ctx, `SELECT set_limit, available_limit, used_limit, opened_at FROM credit_accounts
		WHERE application_id = $1`, applicationID).Scan(&f.Account.SetLimit, &f.Account.AvailableLimit, &f.Account.UsedLimit, &opened); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return f, err
	default:
		f.HasAccount, f.Account.OpenedAt = true, fromMS(opened)
	}
	var until int64
	switch err := q.QueryRowContext(ctx, `SELECT verified_until FROM pin_windows WHERE application_id = $1`, applicationID).Scan(&until); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return f, err
	default:
		f.PINVerifiedTo = fromMS(until)
	}
	switch d, err := db.applicationDetails(ctx, q, applicationID, nil); {
	case julo.ErrorCode(err) == julo.ENOTFOUND:
	case err != nil:
		return f, err
	default:
		if d.Details.Payday != nil {
			f.Payday = int(*d.Details.Payday)
		}
		f.MonthlyIncome = julo.Money(d.Details.MonthlyIncome)
		f.OwnAccount = lending.Destination{Kind: lending.DestinationSelf, BankName: d.Details.BankName, Account: d.Details.BankAccountNumber}
	}
	rows, err := q.QueryContext(ctx, `SELECT installment_amount, first_installment FROM loans
		WHERE customer_id = $1 AND status IN (`+drawingStatuses+`)`, a.CustomerID)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var regular, first julo.Money
		if err := rows.Scan(&regular, &first); err != nil {
			return f, err
		}
		f.ExistingMonthly += max(regular, first)
	}
	if err := rows.Err(); err != nil {
		return f, err
	}
	f.Settings, err = db.partnerLoanSettings(ctx, q, a.PartnerID)
	return f, err
}

// partnerLoanSettings reads a partner's loan settings (the defaults when
// none is set).
func (db *DB) partnerLoanSettings(ctx context.Context, q querier, partnerID int64) (lending.PartnerSettings, error) {
	s := lending.DefaultPartnerSettings()
	var bank, account sql.NullString
	err := q.QueryRowContext(ctx, `SELECT signature_required, hold_for_operator, settlement_bank, settlement_account
		FROM partner_loan_settings WHERE partner_id = $1`, partnerID).Scan(&s.SignatureRequired, &s.HoldForOperator, &bank, &account)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	s.SettlementBank, s.SettlementAccount = bank.String, account.String
	return s, err
}

// LoanSettings implements lending.Store.
func (db *DB) LoanSettings(ctx context.Context, partnerID int64) (lending.PartnerSettings, error) {
	return db.partnerLoanSettings(ctx, db.r, partnerID)
}

// PartnerLoanSettings returns the loan settings of the partner named
// username (ENOTFOUND for an unknown partner).
func (db *DB) PartnerLoanSettings(ctx context.Context, username string) (lending.PartnerSettings, error) {
	var id int64
	err := db.r.QueryRowContext(ctx, `SELECT id FROM partners WHERE username = $1`, username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return lending.PartnerSettings{}, notFound("partner")
	}
	if err != nil {
		return lending.PartnerSettings{}, err
	}
	return db.partnerLoanSettings(ctx, db.r, id)
}

// SetPartnerLoanSettings changes the loan settings of the partner named
// username: change is called with the current ones and edits them.
func (db *DB) SetPartnerLoanSettings(ctx context.Context, username string, at time.Time, change func(*lending.PartnerSettings)) (lending.PartnerSettings, error) {
	var s lending.PartnerSettings
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM partners WHERE username = $1`+db.dialect.forUpdate, username).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("partner")
		}
		if err != nil {
			return err
		}
		if s, err = db.partnerLoanSettings(ctx, tx, id); err != nil {
			return err
		}
		change(&s)
		_, err = tx.ExecContext(ctx, `INSERT INTO partner_loan_settings (partner_id, signature_required, hold_for_operator,
			settlement_bank, settlement_account, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (partner_id) DO UPDATE SET signature_required = excluded.signature_required,
			hold_for_operator = excluded.hold_for_operator, settlement_bank = excluded.settlement_bank,
			settlement_account = excluded.settlement_account, updated_at = excluded.updated_at`,
			id, s.SignatureRequired, s.HoldForOperator, nullStr(s.SettlementBank), nullStr(s.SettlementAccount), ms(at))
		return err
	})
	return s, err
}

// CreateLoan implements lending.Store. The credit account's row is held
// first (FOR UPDATE on PostgreSQL; SQLite's writer lock), so concurrent
// loans of one account are built one after another on what is left; the
// debit is conditional as well, and the table's CHECK keeps available +
// used = set, so no interleaving can overdraw.
func (db *DB) CreateLoan(ctx context.Context, applicationID int64, build func(lending.Facts) (lending.Loan, error)) (lending.Loan, error) {
	var l lending.Loan
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var held int64
		err := tx.QueryRowContext(ctx, `SELECT application_id FROM credit_accounts WHERE application_id = $1`+db.dialect.forUpdate,
			applicationID).Scan(&held)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		f, err := db.loanFacts(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		if l, err = build(f); err != nil {
			return err
		}
		if err := checkSchedule(l.Quote); err != nil {
			return err
		}
		k, err := db.keyOfApplication(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		var sealed, plain sql.NullString
		if l.Destination.Kind == lending.DestinationSelf {
			v, err := k.seal(db.random(), colLoanAccount, l.Destination.Account)
			if err != nil {
				return err
			}
			sealed = sql.NullString{String: v, Valid: true}
		} else {
			plain = sql.NullString{String: l.Destination.Account, Valid: true}
		}
		q := l.Quote
		err = tx.QueryRowContext(ctx, `INSERT INTO loans (xid, application_id, partner_id, customer_id, status,
			requested_amount, loan_amount, provision_amount, disbursement_amount, cashback_amount, duration_months,
			installment_amount, first_installment, total_interest, interest_bps, provision_bps, benefit_days, daily_cost_ppm,
			cap_from, cap_daily_ppm, cap_source, dsr_cap_from, dsr_cap_bps, dsr_cap_source, policy_version,
			transaction_type, self_bank_account, loan_purpose, dest_bank_code, dest_account_sealed, dest_account_plain,
			created_at, expires_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
			$26, $27, $28, $29, $30, $31, $32, $33, $32) RETURNING id`,
			l.XID, l.ApplicationID, l.PartnerID, l.CustomerID, julo.LoanNone,
			q.Requested, q.LoanAmount, q.Provision, q.Disbursement, q.Cashback, q.Duration,
			q.Installment, q.FirstInstallment, q.TotalInterest, q.InterestBPS, q.ProvisionBPS, q.Days, q.DailyCostPPM,
			q.Cap.From.Format(dayLayout), q.Cap.DailyPPM, q.Cap.Source, l.DebtCap.From.Format(dayLayout), l.DebtCap.MaxShareBPS, l.DebtCap.Source,
			l.PolicyVersion, l.TransactionType, l.SelfBankAccount, nullStr(l.Purpose), l.Destination.BankName, sealed, plain,
			ms(l.CreatedAt), ms(l.ExpiresAt)).Scan(&l.ID)
		if err != nil {
			return db.conflict(err)
		}
		for _, in := range q.Schedule {
			if _, err := tx.ExecContext(ctx, `INSERT INTO loan_installments (loan_id, number, due_date, principal, interest, total)
				VALUES ($1, $2, $3, $4, $5, $6)`, l.ID, in.Number, in.Due.Format(dayLayout), in.Principal, in.Interest, in.Total); err != nil {
				return err
			}
		}
		// The draw: conditional, so that it can never take more than is
		// available whatever held the row before.
		res, err := tx.ExecContext(ctx, `UPDATE credit_accounts SET available_limit = available_limit - $2, used_limit = used_limit + $2
			WHERE application_id = $1 AND available_limit >= $2`, applicationID, q.LoanAmount)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("store: loan %d of application %d: the account no longer has %d available", l.XID, applicationID, q.LoanAmount)
		}
		moved, err := db.moveLoan(ctx, tx, lending.LoanMove{LoanID: l.ID, To: julo.LoanCreated, At: l.CreatedAt, Reason: lending.ReasonCreated})
		if err != nil {
			return err
		}
		l.Status = moved.Status
		return nil
	})
	if err != nil {
		return lending.Loan{}, err
	}
	return l, nil
}

// checkSchedule refuses a quote whose schedule does not add up: the
// principals sum to the loan, each total is its principal and interest.
func checkSchedule(q lending.Quote) error {
	var sum julo.Money
	for _, in := range q.Schedule {
		if in.Total != in.Principal+in.Interest || in.Principal < 0 || in.Interest < 0 {
			return fmt.Errorf("store: installment %d of a %d loan does not add up", in.Number, q.LoanAmount)
		}
		sum += in.Principal
	}
	if sum != q.LoanAmount || len(q.Schedule) != q.Duration || q.Disbursement != q.LoanAmount-q.Provision {
		return fmt.Errorf("store: a schedule of %d installments summing to %d for a %d loan over %d months", len(q.Schedule), sum, q.LoanAmount, q.Duration)
	}
	return nil
}

// loanColumns are the columns scanLoan reads, in its order.
const loanColumns = `l.id, l.xid, l.application_id, a.xid, l.partner_id, l.customer_id, l.status,
	l.requested_amount, l.loan_amount, l.provision_amount, l.disbursement_amount, l.cashback_amount, l.duration_months,
	l.installment_amount, l.first_installment, l.total_interest, l.interest_bps, l.provision_bps, l.benefit_days, l.daily_cost_ppm,
	l.cap_from, l.cap_daily_ppm, l.cap_source, l.dsr_cap_from, l.dsr_cap_bps, l.dsr_cap_source, l.policy_version,
	l.transaction_type, l.self_bank_account, COALESCE(l.loan_purpose, ''), l.dest_bank_code, l.dest_account_sealed, l.dest_account_plain,
	l.created_at, l.expires_at, l.signed_at, l.approved_at, COALESCE(l.disbursement_ref, ''), l.disbursement_at, l.fund_transfer_at,
	COALESCE(l.failure_reason, '')`

const loanFrom = ` FROM loans l JOIN applications a ON a.id = l.application_id `

// scanLoan reads a row of loanColumns; the schedule is read apart
// (loadSchedule), the account opened apart (openDestination).
func scanLoan(r scanner) (lending.Loan, sql.NullString, error) {
	var l lending.Loan
	q := &l.Quote
	var capFrom, dsrFrom string
	var sealed, plain sql.NullString
	var created, expires int64
	var signed, approved, disbursed, transferred sql.NullInt64
	err := r.Scan(&l.ID, &l.XID, &l.ApplicationID, &l.ApplicationXID, &l.PartnerID, &l.CustomerID, &l.Status,
		&q.Requested, &q.LoanAmount, &q.Provision, &q.Disbursement, &q.Cashback, &q.Duration,
		&q.Installment, &q.FirstInstallment, &q.TotalInterest, &q.InterestBPS, &q.ProvisionBPS, &q.Days, &q.DailyCostPPM,
		&capFrom, &q.Cap.DailyPPM, &q.Cap.Source, &dsrFrom, &l.DebtCap.MaxShareBPS, &l.DebtCap.Source, &l.PolicyVersion,
		&l.TransactionType, &l.SelfBankAccount, &l.Purpose, &l.Destination.BankName, &sealed, &plain,
		&created, &expires, &signed, &approved, &l.DisbursementRef, &disbursed, &transferred, &l.FailureReason)
	if err != nil {
		return l, sealed, err
	}
	q.Cap.From, _ = time.Parse(dayLayout, capFrom)
	q.Cap.MinTenorMonths = 0
	l.DebtCap.From, _ = time.Parse(dayLayout, dsrFrom)
	l.CreatedAt, l.ExpiresAt = fromMS(created), fromMS(expires)
	for _, t := range []struct {
		v   sql.NullInt64
		dst *time.Time
	}{{signed, &l.SignedAt}, {approved, &l.ApprovedAt}, {disbursed, &l.DisbursementAt}, {transferred, &l.FundTransferAt}} {
		if t.v.Valid {
			*t.dst = fromMS(t.v.Int64)
		}
	}
	if plain.Valid {
		l.Destination = lending.Destination{Kind: lending.DestinationPartner, BankName: l.Destination.BankName, Account: plain.String}
	} else {
		l.Destination.Kind = lending.DestinationSelf
	}
	return l, sealed, nil
}

// readLoan reads one loan with its schedule and opened account.
func (db *DB) readLoan(ctx context.Context, q querier, where string, arg any, lock string) (lending.Loan, error) {
	l, sealed, err := scanLoan(q.QueryRowContext(ctx, `SELECT `+loanColumns+loanFrom+`WHERE `+where+lock, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return l, notFound("loan")
	}
	if err != nil {
		return l, err
	}
	if sealed.Valid {
		k, err := db.keyOfApplication(ctx, q, l.ApplicationID)
		switch {
		case errors.Is(err, errShredded):
			// An erased customer's loan keeps its amounts, not the account.
		case err != nil:
			return l, err
		default:
			if l.Destination.Account, err = k.open(colLoanAccount, sealed.String); err != nil {
				return l, err
			}
		}
	}
	l.Quote.Schedule, err = loadSchedule(ctx, q, l.ID)
	return l, err
}

func loadSchedule(ctx context.Context, q querier, loanID int64) ([]lending.Installment, error) {
	rows, err := q.QueryContext(ctx, `SELECT number, due_date, principal, interest, total FROM loan_installments
		WHERE loan_id = $1 ORDER BY number`, loanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lending.Installment
	for rows.Next() {
		var in lending.Installment
		var due string
		if err := rows.Scan(&in.Number, &due, &in.Principal, &in.Interest, &in.Total); err != nil {
			return nil, err
		}
		if in.Due, err = time.Parse(dayLayout, due); err != nil {
			return nil, fmt.Errorf("store: loan %d installment %d: due date %q: %w", loanID, in.Number, due, err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// LoanByXID implements lending.Store.
func (db *DB) LoanByXID(ctx context.Context, xid int64) (lending.Loan, error) {
	return db.readLoan(ctx, db.r, "l.xid = $1", xid, "")
}

// LoanByID implements lending.Store.
func (db *DB) LoanByID(ctx context.Context, id int64) (lending.Loan, error) {
	return db.readLoan(ctx, db.r, "l.id = $1", id, "")
}

// LoanByDisbursementRef implements lending.Store.
func (db *DB) LoanByDisbursementRef(ctx context.Context, ref string) (lending.Loan, error) {
	return db.readLoan(ctx, db.r, "l.disbursement_ref = $1", ref, "")
}

// ApplicationLoans implements lending.Store (without the schedules and
// accounts: the status read lists xids and statuses).
func (db *DB) ApplicationLoans(ctx context.Context, applicationID int64) ([]lending.Loan, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+loanColumns+loanFrom+`WHERE l.application_id = $1 ORDER BY l.id`, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []lending.Loan{}
	for rows.Next() {
		l, _, err := scanLoan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// MoveLoan implements lending.Store.
func (db *DB) MoveLoan(ctx context.Context, m lending.LoanMove, jobs ...julo.Scheduled) (lending.Loan, error) {
	var l lending.Loan
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = db.moveLoan(ctx, tx, m); err != nil {
			return err
		}
		return db.enqueue(ctx, tx, jobs...)
	})
	return l, err
}

// UnsignedLoans implements lending.Store.
func (db *DB) UnsignedLoans(ctx context.Context, cutoff time.Time, afterID int64, limit int) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT id FROM loans WHERE status = 210 AND expires_at <= $1 AND id > $2 ORDER BY id LIMIT $3`,
		ms(cutoff), afterID, limit)
}

// Signature implements lending.Store.
func (db *DB) Signature(ctx context.Context, loanID int64) (lending.Image, bool, error) {
	imgs, err := db.LoanImages(ctx, loanID)
	if err != nil || len(imgs) == 0 {
		return lending.Image{}, false, err
	}
	return imgs[len(imgs)-1], true, nil
}

// LoanImages implements lending.Store.
func (db *DB) LoanImages(ctx context.Context, loanID int64) ([]lending.Image, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT public_id, image_type, blob_key, content_type, size, sha256, width, height, created_at
		FROM loan_images WHERE loan_id = $1 ORDER BY id`, loanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []lending.Image{}
	for rows.Next() {
		var img onboarding.Image
		var created int64
		if err := rows.Scan(&img.PublicID, &img.Type, &img.BlobKey, &img.ContentType, &img.Size, &img.SHA256, &img.Width, &img.Height, &created); err != nil {
			return nil, err
		}
		img.CreatedAt = fromMS(created)
		out = append(out, img)
	}
	return out, rows.Err()
}

// AddLoanImage records a loan's image (onboarding's upload pipeline calls
// it once the blob is stored) while the loan is at 210.
// At most maxLoanImages per loan (a bound on what one loan can store).
func (db *DB) AddLoanImage(ctx context.Context, loanID int64, img onboarding.Image) (onboarding.Image, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		// The loan's row is held, so a sign or cancel racing the upload
		// commits wholly before (the image is refused) or after it, and
		// racing uploads count one after another.
		var status julo.LoanStatus
		if err := tx.QueryRowContext(ctx, `SELECT status FROM loans WHERE id = $1`+db.dialect.forUpdate, loanID).Scan(&status); err != nil {
			return err
		}
		if status != julo.LoanCreated {
			return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
				Problems: []julo.Problem{{Msg: i18n.LoanImagesClosed, Args: []any{int(status), status.Name()}}}}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loan_images WHERE loan_id = $1`, loanID).Scan(&n); err != nil {
			return err
		}
		if n >= maxLoanImages {
			return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonLimit,
				Problems: []julo.Problem{{Msg: i18n.ImageLimitReached, Args: []any{maxLoanImages}}}}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO loan_images (public_id, loan_id, image_type, blob_key, content_type, size, sha256,
		width, height, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			img.PublicID, loanID, img.Type, img.BlobKey, img.ContentType, img.Size, img.SHA256, img.Width, img.Height, ms(img.CreatedAt))
		return db.conflict(err)
	})
	return img, err
}

// maxLoanImages bounds the signature uploads of one loan.
const maxLoanImages = 10

// LoanImage implements lending.Store.
func (db *DB) LoanImage(ctx context.Context, loanID, publicID int64) (lending.Image, error) {
	var img onboarding.Image
	var created int64
	err := db.r.QueryRowContext(ctx, `SELECT public_id, image_type, blob_key, content_type, size, sha256, width, height, created_at
		FROM loan_images WHERE loan_id = $1 AND public_id = $2`, loanID, publicID).Scan(&img.PublicID, &img.Type, &img.BlobKey,
		&img.ContentType, &img.Size, &img.SHA256, &img.Width, &img.Height, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return img, notFound("loan image")
	}
	img.CreatedAt = fromMS(created)
	return img, err
}

// Borrower implements lending.Store: the complete step's name, address
// and phone and the registration's NIK, opened with the customer's key.
func (db *DB) Borrower(ctx context.Context, applicationID int64) (lending.Borrower, error) {
	var b lending.Borrower
	k, err := db.keyOfApplication(ctx, db.r, applicationID)
	if err != nil {
		return b, err
	}
	var nik string
	if err := db.r.QueryRowContext(ctx, `SELECT c.nik_sealed FROM applications a JOIN customers c ON c.id = a.customer_id
		WHERE a.id = $1`, applicationID).Scan(&nik); err != nil {
		return b, err
	}
	if b.NIK, err = k.open(colNIK, nik); err != nil {
		return b, err
	}
	d, err := db.applicationDetails(ctx, db.r, applicationID, k)
	if err != nil {
		return b, err
	}
	b.Fullname, b.Phone = d.Details.Fullname, d.Details.MobilePhone1
	b.Address = d.Details.AddressStreetNum + ", " + d.Details.AddressKelurahan + ", " + d.Details.AddressKecamatan + ", " +
		d.Details.AddressKabupaten + ", " + d.Details.AddressProvinsi + " " + d.Details.AddressKodepos
	return b, nil
}
