// Package backoffice is the lender's side of the server (issue 15): its
// operators, their sessions, the audit log of what they do and see, and
// maker-checker requests. Plain Go over the root: the rules (passwords,
// TOTP, lockout, session lifetimes) live here; the store implements Store
// and the console (internal/console) serves it over HTTP.
package backoffice

import (
	"context"
	"time"
)

// Role is what an operator may do. Each role has everything of the one
// before: viewer reads with personal data masked; reviewer also decides
// applications and sees them unmasked (each unmasked view audited); admin
// also manages partners, operators, settings and approves maker-checker
// requests.
type Role string

const (
	RoleViewer   Role = "viewer"
	RoleReviewer Role = "reviewer"
	RoleAdmin    Role = "admin"
)

var roleRank = map[Role]int{RoleViewer: 1, RoleReviewer: 2, RoleAdmin: 3}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// AtLeast reports whether r has everything of min.
func (r Role) AtLeast(min Role) bool { return r.Valid() && roleRank[r] >= roleRank[min] }

// Operator is one of the lender's staff.
type Operator struct {
	ID           int64
	Email        string
	Role         Role
	PasswordHash string
	MustChange   bool
	// TOTPSecret is the second factor's secret, opened (nil: none yet);
	// TOTPEnabled once a code of it was confirmed.
	TOTPSecret   []byte
	TOTPEnabled  bool
	TOTPLastStep int64
	Failed       int
	LockedUntil  time.Time // zero: not locked
	Disabled     bool
	CreatedAt    time.Time
}

// Stage is how far a session got.
type Stage string

const (
	// StagePassword: the password was right; the second factor (or its
	// enrolment) or a password change is still due.
	StagePassword Stage = "password"
	// StageFull: logged in.
	StageFull Stage = "full"
)

// Session is a logged-in (or logging-in) operator's session.
type Session struct {
	OperatorID int64
	Stage      Stage
	CSRF       string
	CreatedAt  time.Time
	LastSeen   time.Time
	ExpiresAt  time.Time
}

// AuditEntry is one line of the audit log: ids and codes only.
type AuditEntry struct {
	ID         int64
	At         time.Time
	OperatorID int64 // 0: no operator (a refused login of an unknown email)
	Action     string
	Target     string
	Detail     string
	RemoteAddr string
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	OperatorID int64
	Action     string
	From, To   time.Time // zero: open
	BeforeID   int64     // paging: entries older than this id (0: from the newest)
	Limit      int
}

// Request is a maker-checker request.
type Request struct {
	ID             int64
	Kind           string
	ApplicationXID int64
	Params         string // JSON of the decision
	MakerID        int64
	CreatedAt      time.Time
	State          string // pending, approved, refused, failed
	CheckerID      int64
	DecidedAt      time.Time
	Outcome        string
}

// The states of a request.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRefused  = "refused"
	RequestFailed   = "failed"
)

// Store is what the back office keeps in the database.
type Store interface {
	CreateOperator(ctx context.Context, email string, role Role, passwordHash string, at time.Time) (Operator, error)
	OperatorByEmail(ctx context.Context, email string) (Operator, error)
	OperatorByID(ctx context.Context, id int64) (Operator, error)
	Operators(ctx context.Context) ([]Operator, error)
	SetOperatorDisabled(ctx context.Context, id int64, disabled bool, at time.Time) error
	// RecordLoginFailure counts a failed login; the max-th in a row locks
	// the operator until at+lock (and starts the count again). It returns
	// whether the operator is now locked.
	RecordLoginFailure(ctx context.Context, id int64, at time.Time, max int, lock time.Duration) (bool, error)
	RecordLoginSuccess(ctx context.Context, id int64, at time.Time) error
	SetOperatorPassword(ctx context.Context, id int64, hash string, mustChange bool, at time.Time) error
	SetOperatorTOTP(ctx context.Context, id int64, secret []byte, enabled bool, at time.Time) error
	// AcceptTOTPStep records step as the last accepted one when it is
	// later than the last; false: a replay.
	AcceptTOTPStep(ctx context.Context, id int64, step int64) (bool, error)

	CreateSession(ctx context.Context, id string, s Session) error
	SessionByID(ctx context.Context, id string) (Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	SetSessionStage(ctx context.Context, id string, stage Stage) error
	DeleteSession(ctx context.Context, id string) error
	DeleteOperatorSessions(ctx context.Context, operatorID int64) (int, error)

	AppendAudit(ctx context.Context, e AuditEntry) error
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	CreateRequest(ctx context.Context, r Request) (Request, error)
	RequestByID(ctx context.Context, id int64) (Request, error)
	PendingRequests(ctx context.Context) ([]Request, error)
	// DecideRequest moves a pending request to state, refused when the
	// checker is its maker; false when it was no longer pending.
	DecideRequest(ctx context.Context, id, checkerID int64, state, outcome string, at time.Time) (bool, error)
	// FinishRequest records what carrying out an approved request gave.
	FinishRequest(ctx context.Context, id int64, state, outcome string) error
}

// ApplicationRow is a line of the console's applications list: no
// personal data.
type ApplicationRow struct {
	ID        int64 // the store's row id (paging)
	XID       int64
	Partner   string
	Status    int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ApplicationFilter selects applications, newest first.
type ApplicationFilter struct {
	Status   int    // 0: any
	Partner  string // "": any
	From, To time.Time
	BeforeID int64 // paging: older than this row id
	Limit    int
}

// FunnelStep is one step of the dashboard's funnel: how many applications
// created in the window reached it.
type FunnelStep struct {
	Name  string
	Count int
}

// FailedDelivery is a partner callback that gave up.
type FailedDelivery struct {
	ID             int64
	Partner        string
	ApplicationXID int64
	EventType      string
	Attempts       int
	CreatedAt      time.Time
}
