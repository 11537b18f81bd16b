package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
	"modernc.org/sqlite"
)

// dialect holds what differs between the databases; everything else is shared.
type dialect struct {
	name string
	// forUpdate is appended to a SELECT that a transaction will update
	// (SQLite's BEGIN IMMEDIATE already excludes other writers).
	forUpdate string
	// migrationLock, run first in each migration transaction, makes
	// processes that migrate at the same time take turns (empty: the
	// transaction itself excludes other writers).
	migrationLock string
	// uniqueViolation reports whether err is a uniqueness violation, and of
	// which rule ("" for an index missing from uniqueIndexes).
	uniqueViolation func(error) (julo.UniqueKey, bool)
	// snapshot is the isolation at which a read transaction sees one
	// snapshot (SQLite's read transaction in WAL mode always does).
	snapshot sql.IsolationLevel
}

// uniqueIndex is a unique index (or UNIQUE constraint) that the rules rely on.
type uniqueIndex struct {
	// name is the index name in the migrations; PostgreSQL reports it as
	// the violated constraint. A UNIQUE column constraint is named by
	// PostgreSQL TABLE_COLUMN_key.
	name string
	// on is how SQLite reports the violation: "table.column", or
	// "table.a, table.b" for an index on several columns.
	on string
	// key is the uniqueness rule the index enforces.
	key julo.UniqueKey
}

// Uniqueness rules of the store's own records.
const (
	uniqueEventID  julo.UniqueKey = "event_id"
	uniqueEventSeq julo.UniqueKey = "event_sequence"
	uniqueErasure  julo.UniqueKey = "customer_erasure"
	// one review request per rejection (0016)
	uniqueReviewRequest julo.UniqueKey = "review_request"
	uniqueFeedSeq       julo.UniqueKey = "event_feed_position"
	// a transfer reference pays one loan; a blob holds one loan image (0017)
	uniqueDisbursementRef julo.UniqueKey = "disbursement_ref"
	uniqueLoanImageBlob   julo.UniqueKey = "loan_image_blob"
	// one payment code per application, one record per gateway payment
	// id (0019; both written with ON CONFLICT DO NOTHING)
	uniquePaymentCode julo.UniqueKey = "payment_code"
	uniquePaymentID   julo.UniqueKey = "payment_id"
)

// uniqueIndexes maps every unique index to the field it guards, for both
// dialects. A migration that adds a unique index adds one line here;
// TestEveryUniqueIndexNamesAField fails until it does.
var uniqueIndexes = []uniqueIndex{
	{name: "partners_username_key", on: "partners.username", key: onboarding.UniquePartnerName},
	{name: "customers_nik_bidx", on: "customers.nik_bidx", key: onboarding.UniqueNIK},
	{name: "customers_email_bidx", on: "customers.email_bidx", key: onboarding.UniqueEmail},
	{name: "applications_xid", on: "applications.xid", key: onboarding.UniqueXID},
	{name: "images_current", on: "images.application_id, images.image_type", key: onboarding.UniqueImageType},
	{name: "images_public_id", on: "images.public_id", key: onboarding.UniqueImageID},
	{name: "bpjs_tasks_token", on: "bpjs_tasks.token", key: onboarding.UniqueBPJSToken},
	{name: "bpjs_tasks_pending", on: "bpjs_tasks.application_id", key: onboarding.UniquePendingBPJSTask},
	{name: "bank_imports_ref", on: "bank_imports.ref", key: onboarding.UniqueImportRef},
	{name: "bank_imports_active", on: "bank_imports.application_id, bank_imports.bank", key: onboarding.UniqueActiveImport},
	{name: "bank_imports_public_id", on: "bank_imports.public_id", key: onboarding.UniqueImportID},
	{name: "events_event_id", on: "events.event_id", key: uniqueEventID},
	{name: "partner_return_urls_prefix", on: "partner_return_urls.partner_id, partner_return_urls.prefix", key: onboarding.UniqueReturnURL},
	{name: "events_app_sequence", on: "events.application_id, events.sequence", key: uniqueEventSeq},
	{name: "customer_erasures_customer", on: "customer_erasures.customer_id", key: uniqueErasure},
	{name: "events_partner_feed", on: "events.partner_id, events.feed_seq", key: uniqueFeedSeq},
	{name: "review_requests_decision_id_key", on: "review_requests.decision_id", key: uniqueReviewRequest},
	{name: "loans_xid", on: "loans.xid", key: lending.UniqueLoanXID},
	{name: "loans_disbursement_ref", on: "loans.disbursement_ref", key: uniqueDisbursementRef},
	{name: "loan_images_public", on: "loan_images.public_id", key: lending.UniqueLoanImageID},
	{name: "loan_images_blob", on: "loan_images.blob_key", key: uniqueLoanImageBlob},
	{name: "operators_email", on: "operators.email", key: uniqueOperatorEmail},
	{name: "payment_codes_code", on: "payment_codes.code", key: uniquePaymentCode},
	{name: "payments_payment_id", on: "payments.source, payments.payment_id", key: uniquePaymentID},
}

// uniqueKey returns the rule of the index whose name (or, on SQLite,
// columns) is v, and "" when there is none.
func uniqueKey(by func(uniqueIndex) string, v string) julo.UniqueKey {
	for _, ix := range uniqueIndexes {
		if by(ix) == v {
			return ix.key
		}
	}
	return ""
}

var sqliteDialect = dialect{
	name:      "sqlite",
	forUpdate: "",
	uniqueViolation: func(err error) (julo.UniqueKey, bool) {
		var e *sqlite.Error
		if !errors.As(err, &e) || e.Code() != 2067 && e.Code() != 1555 { // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
			return "", false
		}
		// "constraint failed: UNIQUE constraint failed: customers.nik_bidx (2067)"
		// or, for an index on two columns, "... failed: t.a, t.b (2067)".
		msg := e.Error()
		if i := strings.LastIndex(msg, "failed: "); i >= 0 {
			msg = msg[i+len("failed: "):]
		}
		if i := strings.LastIndex(msg, " ("); i >= 0 {
			msg = msg[:i]
		}
		return uniqueKey(func(ix uniqueIndex) string { return ix.on }, msg), true
	},
}

var postgresDialect = dialect{
	name: "postgres",
	// Under READ COMMITTED a plain SELECT does not stop another transaction
	// from updating the row between our read and our write.
	forUpdate: " FOR UPDATE",
	// A transaction-scoped advisory lock is released by COMMIT or ROLLBACK,
	// so a failed migration cannot leave it held on a pooled connection.
	// The key is arbitrary but fixed: every julo process must use the same.
	migrationLock: `SELECT pg_advisory_xact_lock(7040253099)`,
	snapshot:      sql.LevelRepeatableRead,
	uniqueViolation: func(err error) (julo.UniqueKey, bool) {
		var e *pgconn.PgError
		if !errors.As(err, &e) || e.Code != "23505" { // unique_violation
			return "", false
		}
		return uniqueKey(func(ix uniqueIndex) string { return ix.name }, e.ConstraintName), true
	},
}

// forUpdateOf is forUpdate for a SELECT with joins that holds only the
// rows of the table aliased alias.
func (d dialect) forUpdateOf(alias string) string {
	if d.forUpdate == "" {
		return ""
	}
	return d.forUpdate + " OF " + alias
}
