package backoffice

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Message ids of the back office's refusals (the console renders them).
const (
	MsgLoginFailed       = "console_login_failed"
	MsgLoginLocked       = "console_login_locked"
	MsgTOTPWrong         = "console_totp_wrong"
	MsgPasswordTooShort  = "console_password_too_short"
	MsgPasswordTooLong   = "console_password_too_long"
	MsgPasswordCommon    = "console_password_common"
	MsgPasswordHasEmail  = "console_password_has_email"
	MsgPasswordWrong     = "console_password_wrong"
	MsgPasswordSame      = "console_password_same"
	MsgEmailInvalid      = "console_email_invalid"
	MsgRoleInvalid       = "console_role_invalid"
	MsgOperatorExists    = "console_operator_exists"
	MsgOperatorMissing   = "console_operator_missing"
	MsgSessionEnded      = "console_session_ended"
	MsgOwnRequest        = "console_own_request"
	MsgRequestNotPending = "console_request_not_pending"
)

// Policy is the back office's security numbers. Defaults are issue 15
// item 2's (filed 2026-11, the lender's requirements): 5 failed logins
// lock for 15 minutes; sessions end after 30 minutes idle and 12 hours in
// all.
type Policy struct {
	MaxFailures int
	LockFor     time.Duration
	Idle        time.Duration
	Absolute    time.Duration
	// TOTPRequiredFor is the lowest role that must enrol a second factor
	// ("" : no one); issue 15: admins in production, optional in the
	// sandbox.
	TOTPRequiredFor Role
	// Source says where the numbers come from.
	Source string
}

// DefaultPolicy is issue 15's policy; production requires TOTP of admins.
func DefaultPolicy(production bool) Policy {
	p := Policy{MaxFailures: 5, LockFor: 15 * time.Minute, Idle: 30 * time.Minute, Absolute: 12 * time.Hour,
		Source: "issue 15 item 2 (2026-11)"}
	if production {
		p.TOTPRequiredFor = RoleAdmin
	}
	return p
}

// Deps is what the Service needs.
type Deps struct {
	Store  Store
	Policy Policy
	Now    func() time.Time // nil: time.Now
	Rand   io.Reader        // nil: crypto/rand
}

// Service is the back office's operations.
type Service struct {
	store  Store
	policy Policy
	now    julo.Clock
	rand   io.Reader
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{store: d.Store, policy: d.Policy, now: julo.Clock(d.Now), rand: d.Rand}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// Policy returns the service's policy.
func (s *Service) Policy() Policy { return s.policy }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now.Now() }

func refusal(code julo.Code, msg string) *julo.Error {
	return &julo.Error{Code: code, Problems: []julo.Problem{{Msg: msg}}}
}

// Message returns the message id of err's first problem ("" for none).
func Message(err error) string {
	var e *julo.Error
	if errors.As(err, &e) && len(e.Problems) > 0 {
		return e.Problems[0].Msg
	}
	return ""
}

func (s *Service) token(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NormalizeEmail is the form every operator email is kept and looked up in.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(e, " \t\r\n<>\"'") && len(e) <= 254
}

// CreateOperator creates an operator with a one-time password (returned
// once) that must be changed at the first login.
func (s *Service) CreateOperator(ctx context.Context, email string, role Role) (Operator, string, error) {
	email = NormalizeEmail(email)
	if !validEmail(email) {
		return Operator{}, "", refusal(julo.EINVALID, MsgEmailInvalid)
	}
	if !role.Valid() {
		return Operator{}, "", refusal(julo.EINVALID, MsgRoleInvalid)
	}
	pw, err := s.token(15) // 20 characters of base64url: 120 bits
	if err != nil {
		return Operator{}, "", err
	}
	hash, err := HashPassword(s.rand, pw)
	if err != nil {
		return Operator{}, "", err
	}
	op, err := s.store.CreateOperator(ctx, email, role, hash, s.now.Now())
	if julo.ErrorCode(err) == julo.ECONFLICT {
		return Operator{}, "", refusal(julo.ECONFLICT, MsgOperatorExists)
	}
	return op, pw, err
}

// SetDisabled disables (ending every session) or enables an operator.
func (s *Service) SetDisabled(ctx context.Context, email string, disabled bool) (Operator, error) {
	op, err := s.store.OperatorByEmail(ctx, NormalizeEmail(email))
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return Operator{}, refusal(julo.ENOTFOUND, MsgOperatorMissing)
	}
	if err != nil {
		return Operator{}, err
	}
	if err := s.store.SetOperatorDisabled(ctx, op.ID, disabled, s.now.Now()); err != nil {
		return Operator{}, err
	}
	if disabled {
		if _, err := s.store.DeleteOperatorSessions(ctx, op.ID); err != nil {
			return Operator{}, err
		}
	}
	op.Disabled = disabled
	return op, nil
}

// Login checks an email and password. On success it returns a new
// session's id (for the cookie only) and the session, at StagePassword
// when a second factor or a password change is still due. Every failure
// is the same refusal (no telling which emails exist), but for a locked
// account, which says so with its end.
func (s *Service) Login(ctx context.Context, email, password string) (string, Session, Operator, error) {
	now := s.now.Now()
	op, err := s.store.OperatorByEmail(ctx, NormalizeEmail(email))
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		VerifyPassword(password, dummyHash) // as long as a known email's
		return "", Session{}, Operator{}, refusal(julo.EUNAUTHORIZED, MsgLoginFailed)
	}
	if err != nil {
		return "", Session{}, Operator{}, err
	}
	if now.Before(op.LockedUntil) {
		e := refusal(julo.ELOCKED, MsgLoginLocked)
		e.RetryAfter = op.LockedUntil.Sub(now)
		return "", Session{}, op, e
	}
	if !VerifyPassword(password, op.PasswordHash) || op.Disabled {
		return "", Session{}, op, s.failed(ctx, op, now, MsgLoginFailed)
	}
	if err := s.store.RecordLoginSuccess(ctx, op.ID, now); err != nil {
		return "", Session{}, op, err
	}
	op.Failed = 0
	stage := StagePassword
	if s.NextStep(op, StagePassword) == "" {
		stage = StageFull
	}
	id, sess, err := s.newSession(ctx, op.ID, stage, now)
	return id, sess, op, err
}

// failed counts a failed login (or second factor) and returns its refusal.
func (s *Service) failed(ctx context.Context, op Operator, now time.Time, msg string) error {
	locked, err := s.store.RecordLoginFailure(ctx, op.ID, now, s.policy.MaxFailures, s.policy.LockFor)
	if err != nil {
		return err
	}
	if locked {
		e := refusal(julo.ELOCKED, MsgLoginLocked)
		e.RetryAfter = s.policy.LockFor
		return e
	}
	return refusal(julo.EUNAUTHORIZED, msg)
}

func (s *Service) newSession(ctx context.Context, operatorID int64, stage Stage, now time.Time) (string, Session, error) {
	id, err := s.token(32)
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := s.token(32)
	if err != nil {
		return "", Session{}, err
	}
	sess := Session{OperatorID: operatorID, Stage: stage, CSRF: csrf, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.policy.Absolute)}
	return id, sess, s.store.CreateSession(ctx, id, sess)
}

// The steps of a login after the password.
const (
	StepTOTP           = "totp"
	StepChangePassword = "change_password"
	StepEnrolTOTP      = "enrol_totp"
)

// NextStep is what an operator must do before the session is full: the
// second factor (when enrolled), then a password change (after a one-time
// password), then the enrolment of a second factor (when the policy
// requires one of the role); "" when nothing is due.
func (s *Service) NextStep(op Operator, stage Stage) string {
	switch {
	case stage == StageFull:
		return ""
	case op.TOTPEnabled:
		return StepTOTP
	case op.MustChange:
		return StepChangePassword
	case s.TOTPRequired(op):
		return StepEnrolTOTP
	}
	return ""
}

// TOTPRequired reports whether the policy requires op to have a second
// factor.
func (s *Service) TOTPRequired(op Operator) bool {
	return s.policy.TOTPRequiredFor != "" && op.Role.AtLeast(s.policy.TOTPRequiredFor)
}

// Session returns the live session of id and its operator, moving its
// idle clock; a session past its idle or absolute end, or of a disabled
// operator, is ended.
func (s *Service) Session(ctx context.Context, id string) (Session, Operator, error) {
	ended := refusal(julo.EUNAUTHORIZED, MsgSessionEnded)
	if id == "" {
		return Session{}, Operator{}, ended
	}
	now := s.now.Now()
	sess, err := s.store.SessionByID(ctx, id)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return Session{}, Operator{}, ended
	}
	if err != nil {
		return Session{}, Operator{}, err
	}
	op, err := s.store.OperatorByID(ctx, sess.OperatorID)
	if err != nil {
		return Session{}, Operator{}, err
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeen.Add(s.policy.Idle)) || op.Disabled {
		if err := s.store.DeleteSession(ctx, id); err != nil {
			return Session{}, Operator{}, err
		}
		return Session{}, Operator{}, ended
	}
	if err := s.store.TouchSession(ctx, id, now); err != nil {
		return Session{}, Operator{}, err
	}
	sess.LastSeen = now
	return sess, op, nil
}

// promote moves a session one step on: to full once nothing is due.
func (s *Service) promote(ctx context.Context, id string, op Operator, stage Stage) (Stage, error) {
	if s.NextStep(op, stage) != "" {
		return stage, nil
	}
	return StageFull, s.store.SetSessionStage(ctx, id, StageFull)
}

// VerifyTOTP checks the second factor of a session at StagePassword. A
// wrong code counts as a failed login.
func (s *Service) VerifyTOTP(ctx context.Context, id string, op Operator, code string) (Stage, error) {
	now := s.now.Now()
	step, ok := matchTOTP(op.TOTPSecret, code, now)
	if ok {
		if ok, err := s.store.AcceptTOTPStep(ctx, op.ID, step); err != nil {
			return StagePassword, err
		} else if !ok {
			step = 0 // a code used before
		}
	}
	if !ok || step == 0 {
		return StagePassword, s.failed(ctx, op, now, MsgTOTPWrong)
	}
	if err := s.store.RecordLoginSuccess(ctx, op.ID, now); err != nil {
		return StagePassword, err
	}
	// The second factor is done: what follows is a password change or
	// nothing.
	op.TOTPEnabled = false
	return s.promote(ctx, id, op, StagePassword)
}

// ChangePassword sets a new password after checking the current one and
// the rules; every other session of the operator ends.
func (s *Service) ChangePassword(ctx context.Context, id string, op Operator, stage Stage, current, next string) (Stage, error) {
	if !VerifyPassword(current, op.PasswordHash) {
		return stage, refusal(julo.EINVALID, MsgPasswordWrong)
	}
	if msg := CheckPassword(next, op.Email); msg != "" {
		return stage, refusal(julo.EINVALID, msg)
	}
	if next == current {
		return stage, refusal(julo.EINVALID, MsgPasswordSame)
	}
	hash, err := HashPassword(s.rand, next)
	if err != nil {
		return stage, err
	}
	if err := s.store.SetOperatorPassword(ctx, op.ID, hash, false, s.now.Now()); err != nil {
		return stage, err
	}
	if err := s.endOthers(ctx, id, op.ID); err != nil {
		return stage, err
	}
	op.MustChange = false
	if stage == StagePassword {
		op.TOTPEnabled = false // a session at this step passed it already
	}
	return s.promote(ctx, id, op, stage)
}

// endOthers ends every session of the operator but id.
func (s *Service) endOthers(ctx context.Context, id string, operatorID int64) error {
	sess, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.store.DeleteOperatorSessions(ctx, operatorID); err != nil {
		return err
	}
	return s.store.CreateSession(ctx, id, sess)
}

// BeginTOTP makes a new second-factor secret for op, not yet enabled:
// ConfirmTOTP enables it with a code of it. A secret already enabled is
// not replaced.
func (s *Service) BeginTOTP(ctx context.Context, op Operator) ([]byte, error) {
	if op.TOTPEnabled {
		return nil, refusal(julo.ECONFLICT, "console_totp_enabled")
	}
	if op.TOTPSecret != nil {
		return op.TOTPSecret, nil
	}
	secret := make([]byte, TOTPSecretLen)
	if _, err := io.ReadFull(s.rand, secret); err != nil {
		return nil, err
	}
	return secret, s.store.SetOperatorTOTP(ctx, op.ID, secret, false, s.now.Now())
}

// ConfirmTOTP enables op's pending secret with a code of it.
func (s *Service) ConfirmTOTP(ctx context.Context, id string, op Operator, stage Stage, code string) (Stage, error) {
	if op.TOTPSecret == nil || op.TOTPEnabled {
		return stage, refusal(julo.ECONFLICT, "console_totp_enabled")
	}
	step, ok := matchTOTP(op.TOTPSecret, code, s.now.Now())
	if !ok {
		return stage, refusal(julo.EINVALID, MsgTOTPWrong)
	}
	if ok, err := s.store.AcceptTOTPStep(ctx, op.ID, step); err != nil || !ok {
		if err == nil {
			err = refusal(julo.EINVALID, MsgTOTPWrong)
		}
		return stage, err
	}
	if err := s.store.SetOperatorTOTP(ctx, op.ID, op.TOTPSecret, true, s.now.Now()); err != nil {
		return stage, err
	}
	op.TOTPEnabled = false // this session just proved it
	return s.promote(ctx, id, op, stage)
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, id string) error { return s.store.DeleteSession(ctx, id) }

// LogoutEverywhere ends every session of the operator.
func (s *Service) LogoutEverywhere(ctx context.Context, operatorID int64) (int, error) {
	return s.store.DeleteOperatorSessions(ctx, operatorID)
}

// Audit appends a line to the audit log.
func (s *Service) Audit(ctx context.Context, operatorID int64, action, target, detail, remote string) error {
	return s.store.AppendAudit(ctx, AuditEntry{At: s.now.Now(), OperatorID: operatorID, Action: action, Target: target,
		Detail: detail, RemoteAddr: remote})
}

// AuditLog reads the audit log.
func (s *Service) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	return s.store.Audit(ctx, f)
}

// Operators lists every operator.
func (s *Service) Operators(ctx context.Context) ([]Operator, error) { return s.store.Operators(ctx) }

// OperatorByID returns one operator.
func (s *Service) OperatorByID(ctx context.Context, id int64) (Operator, error) {
	return s.store.OperatorByID(ctx, id)
}

// Maker-checker kinds.
const (
	KindLimitAbove = "limit_above_computed"
	KindOverturn   = "overturn_rejection"
)

// Propose records a maker-checker request; nothing else changes.
func (s *Service) Propose(ctx context.Context, maker Operator, kind string, xid int64, params string) (Request, error) {
	return s.store.CreateRequest(ctx, Request{Kind: kind, ApplicationXID: xid, Params: params, MakerID: maker.ID,
		CreatedAt: s.now.Now(), State: RequestPending})
}

// PendingRequests lists the requests waiting for a checker.
func (s *Service) PendingRequests(ctx context.Context) ([]Request, error) {
	return s.store.PendingRequests(ctx)
}

// Check decides a pending request as checker (an admin who is not its
// maker): carry runs the decision when approved, and the request records
// its outcome; refusing runs nothing.
func (s *Service) Check(ctx context.Context, checker Operator, id int64, approve bool, carry func(Request) (string, error)) (Request, error) {
	r, err := s.store.RequestByID(ctx, id)
	if err != nil {
		return Request{}, err
	}
	switch {
	case r.State != RequestPending:
		return r, refusal(julo.ECONFLICT, MsgRequestNotPending)
	case r.MakerID == checker.ID:
		return r, refusal(julo.EFORBIDDEN, MsgOwnRequest)
	case !checker.Role.AtLeast(RoleAdmin):
		return r, refusal(julo.EFORBIDDEN, "console_forbidden")
	}
	state, outcome := RequestRefused, "refused by the checker"
	if approve {
		// Claim the request first, so that two checkers cannot both run it.
		ok, err := s.store.DecideRequest(ctx, id, checker.ID, RequestApproved, "", s.now.Now())
		if err != nil {
			return r, err
		}
		if !ok {
			return r, refusal(julo.ECONFLICT, MsgRequestNotPending)
		}
		out, cerr := carry(r)
		state, outcome = RequestApproved, out
		if cerr != nil {
			state, outcome = RequestFailed, cerr.Error()
		}
		if err := s.recordOutcome(ctx, id, checker.ID, state, outcome); err != nil {
			return r, err
		}
		r.State, r.Outcome, r.CheckerID = state, outcome, checker.ID
		return r, cerr
	}
	ok, err := s.store.DecideRequest(ctx, id, checker.ID, state, outcome, s.now.Now())
	if err != nil {
		return r, err
	}
	if !ok {
		return r, refusal(julo.ECONFLICT, MsgRequestNotPending)
	}
	r.State, r.Outcome, r.CheckerID = state, outcome, checker.ID
	return r, nil
}

func (s *Service) recordOutcome(ctx context.Context, id, _ int64, state, outcome string) error {
	if len(outcome) > 500 {
		outcome = outcome[:500]
	}
	return s.store.FinishRequest(ctx, id, state, outcome)
}
