package onboarding

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// OTPConfig holds the limits of domain §6 (ours).
type OTPConfig struct {
	TTL         time.Duration // a code is valid this long
	ResendAfter time.Duration // no new code for an application sooner than this
	AppSends    int           // at most this many sends per application ...
	AppWindow   time.Duration // ... within this window
	PhoneDaily  int           // at most this many sends per phone in 24 hours by one partner ...
	// ... and this many by all partners together (a partner cannot exhaust
	// the daily codes of another partner's customer); 0: 3 x PhoneDaily.
	PhoneDailyGlobal int
	MaxTries         int           // wrong tries that burn a code
	LockAfter        int           // consecutive wrong tries (across codes) that lock OTP ...
	LockDuration     time.Duration // ... for this long
}

// DefaultOTPConfig is the configuration documented in the README.
func DefaultOTPConfig() OTPConfig {
	return OTPConfig{TTL: 5 * time.Minute, ResendAfter: 60 * time.Second, AppSends: 3, AppWindow: 30 * time.Minute,
		PhoneDaily: 10, PhoneDailyGlobal: 30, MaxTries: 5, LockAfter: 10, LockDuration: time.Hour}
}

// OTPCode is one code sent to a phone. Only Hash, an HMAC of the code, is kept.
type OTPCode struct {
	ID            int64
	ApplicationID int64
	Phone         string
	Hash, KeyID   string
	SentAt        time.Time
	ExpiresAt     time.Time
	Attempts      int
	// Set by the check function of CheckOTP to close the code.
	CloseReason string // "used", "burned", "expired", "locked"
}

// OTPCounters is what the send limits are decided on.
type OTPCounters struct {
	LockedUntil     time.Time
	LastAppSend     time.Time // zero when none
	AppSends        int       // sends of the application since the window start
	OldestAppSend   time.Time
	PhoneSends      int // sends to the phone in the last 24 hours, by every partner
	OldestPhoneSend time.Time
	// PartnerPhoneSends counts only the application's partner's sends.
	PartnerPhoneSends      int
	OldestPartnerPhoneSend time.Time
}

// OTPState is the per-application failure count and lock.
type OTPState struct {
	ConsecutiveFailures int
	LockedUntil         time.Time
	VerifiedPhone       string // set by the check function: mark this phone verified
}

// OTPStore is the storage of OTP codes and limits. CreateOTP and CheckOTP
// each run in one transaction that holds the application's (and for
// CreateOTP the phone's) rows, so the limits hold across instances.
type OTPStore interface {
	// CreateOTP reads the counters (application sends since appSince, phone
	// sends since phoneSince), calls check, and when check returns nil
	// inserts c and returns its id.
	CreateOTP(ctx context.Context, c OTPCode, appSince, phoneSince time.Time, check func(OTPCounters) error) (int64, error)
	// CloseOtherOTPs closes the application's open codes other than keep (superseded).
	CloseOtherOTPs(ctx context.Context, applicationID, keep int64, at time.Time) error
	// DeleteOTP removes a code that could not be delivered, so it does not count.
	DeleteOTP(ctx context.Context, id int64) error
	// CheckOTP calls check with the application's state and its newest open
	// code (nil when none), then stores the state, the code's attempts and
	// close reason, and the verified phone; check's changes are stored even
	// when the caller then reports a failure.
	CheckOTP(ctx context.Context, applicationID int64, at time.Time, check func(*OTPState, *OTPCode)) error
	// VerifiedPhones lists the application's verified phones.
	VerifiedPhones(ctx context.Context, applicationID int64) ([]string, error)
}

// SendOTPInput is the send-OTP request. Problems holds what the caller
// already found wrong with the request (a value of the wrong type).
type SendOTPInput struct {
	Problems julo.Problems
	Phone    *string
}

// SendOTP sends a new 6-digit code to an Indonesian mobile phone of the
// application. It returns ETOOMANY (with RetryAfter) when a limit is reached,
// EUPSTREAM when the SMS gateway fails (and then nothing counts), ECONFLICT
// after the application is submitted, ENOTFOUND for another partner's xid.
// A valid send spends a unit of the partner's sms_per_day budget before any
// other limit is read (ETOOMANY when none is left, counting nothing else);
// a send another limit refuses, or the gateway certainly did not take,
// gives it back.
func (s *Service) SendOTP(ctx context.Context, p julo.Partner, xid string, in SendOTPInput) error {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return err
	}
	ps := in.Problems
	raw, ok := required(&ps, "phone", in.Phone)
	phone := ""
	if ok {
		var bad *julo.Problem
		if phone, bad = CheckMobile(raw); bad != nil {
			ps.Add("phone", bad.Msg, bad.Args...)
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	if err := intakeOpen(app.Status); err != nil {
		return err
	}
	n, err := rand.Int(s.rand, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	now := s.now()
	cfg := s.cfg.OTP
	c := OTPCode{ApplicationID: app.ID, Phone: phone, SentAt: now, ExpiresAt: now.Add(cfg.TTL)}
	c.Hash, c.KeyID = macHex(s.keys.OTP, "otp", strconv.FormatInt(app.ID, 10), code)
	unit, err := s.spend(ctx, p, BudgetSMS)
	if err != nil {
		return err
	}
	var refused string // which limit refused the send, for the observer
	id, err := s.store.CreateOTP(ctx, c, now.Add(-cfg.AppWindow), now.Add(-24*time.Hour), func(k OTPCounters) error {
		var err error
		refused, err = s.sendAllowed(k, now)
		return err
	})
	if err != nil {
		if refused != "" {
			s.obs.OTPRefused(refused)
		}
		return s.refund(ctx, unit, err)
	}
	msg := SMS{To: MobileE164(phone), Text: i18n.T(i18n.ID, i18n.OTPSMSText, code), Secret: code, PartnerID: p.ID, ApplicationID: app.ID}
	// A partner that hangs up must not cut a send short: the gateway may
	// already have the message, and the code would then escape the limits.
	// The sender bounds the call with its own timeout.
	ctx = context.WithoutCancel(ctx)
	if err := s.sms.SendSMS(ctx, msg); err != nil {
		s.obs.OTPRefused(OTPRefusedGateway)
		if errors.Is(err, ErrSMSNotSent) {
			// Certainly not delivered: the code must not count.
			if derr := s.store.DeleteOTP(ctx, id); derr != nil {
				err = errors.Join(err, derr)
			}
			return s.refund(ctx, unit, &julo.Error{Code: julo.EUPSTREAM, Problems: []julo.Problem{{Msg: i18n.SMSGatewayFailed}}, Err: err})
		}
		// Maybe delivered (a timeout): the code stays valid and counted.
		if cerr := s.store.CloseOtherOTPs(ctx, app.ID, id, now); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return &julo.Error{Code: julo.EUPSTREAM, Problems: []julo.Problem{{Msg: i18n.SMSDeliveryUnknown, Args: []any{int(cfg.ResendAfter.Seconds())}}}, Err: err}
	}
	s.obs.OTPSent()
	return s.store.CloseOtherOTPs(ctx, app.ID, id, now)
}

// sendAllowed applies the send limits in order of how soon they end; a
// refusal comes with its reason (one of OTPRefusalReasons).
func (s *Service) sendAllowed(k OTPCounters, now time.Time) (string, error) {
	cfg := s.cfg.OTP
	if now.Before(k.LockedUntil) {
		return OTPRefusedLocked, tooMany(i18n.OTPLocked, k.LockedUntil, now)
	}
	if !k.LastAppSend.IsZero() && now.Before(k.LastAppSend.Add(cfg.ResendAfter)) {
		return OTPRefusedResendTooSoon, tooMany(i18n.OTPResendTooSoon, k.LastAppSend.Add(cfg.ResendAfter), now)
	}
	if k.AppSends >= cfg.AppSends {
		return OTPRefusedAppLimit, tooMany(i18n.OTPAppSendLimit, k.OldestAppSend.Add(cfg.AppWindow), now, cfg.AppSends, int(cfg.AppWindow.Minutes()))
	}
	if k.PartnerPhoneSends >= cfg.PhoneDaily {
		return OTPRefusedPhoneDaily, tooMany(i18n.OTPPhoneDailyLimit, k.OldestPartnerPhoneSend.Add(24*time.Hour), now, cfg.PhoneDaily)
	}
	global := cfg.PhoneDailyGlobal
	if global == 0 {
		global = 3 * cfg.PhoneDaily
	}
	if k.PhoneSends >= global {
		return OTPRefusedPhoneDaily, tooMany(i18n.OTPPhoneDailyLimit, k.OldestPhoneSend.Add(24*time.Hour), now, global)
	}
	return "", nil
}

// tooMany is a 429 that says when to retry: the message's last two
// arguments are the seconds to wait and the time.
func tooMany(msg i18n.Msg, until, now time.Time, args ...any) error {
	wait := until.Sub(now)
	secs := int((wait + time.Second - 1) / time.Second)
	args = append(args, secs, until.UTC().Format(time.RFC3339))
	return &julo.Error{Code: julo.ETOOMANY, Problems: []julo.Problem{{Msg: msg, Args: args}}, RetryAfter: wait}
}

// ValidateOTPInput is the validate-OTP request; Problems as in SendOTPInput.
type ValidateOTPInput struct {
	Problems julo.Problems
	Token    *string
}

// ValidateOTP checks a code against the application's newest open code. A
// match marks its phone verified and uses the code up. A wrong code counts
// against the code (MaxTries burn it) and the application (LockAfter
// consecutive failures lock OTP for LockDuration: ETOOMANY).
func (s *Service) ValidateOTP(ctx context.Context, p julo.Partner, xid string, in ValidateOTPInput) error {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return err
	}
	ps := in.Problems
	token, ok := required(&ps, "otp_token", in.Token)
	if ok && (len(token) != 6 || !allDigits(token)) {
		ps.Add("otp_token", i18n.OTPTokenFormat)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	if err := intakeOpen(app.Status); err != nil {
		return err
	}
	now := s.now()
	cfg := s.cfg.OTP
	var outcome error
	var observed string // one of OTPValidationOutcomes
	err = s.store.CheckOTP(ctx, app.ID, now, func(st *OTPState, c *OTPCode) {
		switch {
		case now.Before(st.LockedUntil):
			observed, outcome = OTPLocked, tooMany(i18n.OTPLocked, st.LockedUntil, now)
		case c == nil:
			observed, outcome = OTPNoCode, julo.Errorf(julo.EINVALID, "otp_token", i18n.OTPNone)
		case !now.Before(c.ExpiresAt):
			c.CloseReason = "expired"
			observed, outcome = OTPExpired, julo.Errorf(julo.EINVALID, "otp_token", i18n.OTPExpired)
		case macEqual(s.keys.OTP, c.KeyID, c.Hash, "otp", strconv.FormatInt(app.ID, 10), token):
			c.CloseReason = "used"
			st.ConsecutiveFailures = 0
			st.VerifiedPhone = c.Phone
			observed = OTPVerified
		default:
			c.Attempts++
			st.ConsecutiveFailures++
			switch {
			case st.ConsecutiveFailures >= cfg.LockAfter:
				st.ConsecutiveFailures = 0
				st.LockedUntil = now.Add(cfg.LockDuration)
				c.CloseReason = "locked"
				observed, outcome = OTPLocked, tooMany(i18n.OTPLocked, st.LockedUntil, now)
			case c.Attempts >= cfg.MaxTries:
				c.CloseReason = "burned"
				observed, outcome = OTPBurned, julo.Errorf(julo.EINVALID, "otp_token", i18n.OTPBurned, c.Attempts)
			default:
				observed, outcome = OTPWrong, julo.Errorf(julo.EINVALID, "otp_token", i18n.OTPWrong, cfg.MaxTries-c.Attempts)
			}
		}
	})
	if err != nil {
		return err
	}
	s.obs.OTPValidated(observed)
	return outcome
}

// OutboxMessage is a message of the sandbox outbox: the application it was
// sent for, the phone (E.164), the text and the code it carries (the SMS's
// Secret; "" for a message without one), so that nobody parses the text.
type OutboxMessage struct {
	XID       int64
	Phone     string
	Message   string
	OTP       string
	CreatedAt time.Time
}

// OutboxStore keeps the sandbox's sent messages.
type OutboxStore interface {
	PutSMS(ctx context.Context, m SMS, at time.Time) error
	ListSMS(ctx context.Context, partnerID int64, phone string, limit int) ([]OutboxMessage, error)
}

// SandboxSMSInput asks for the sandbox messages to one phone; Problems as
// in SendOTPInput.
type SandboxSMSInput struct {
	Problems julo.Problems
	Phone    *string
}

// SandboxSMS lists the newest messages (at most 50) that the sandbox "sent"
// to a phone for the partner's applications.
func (s *Service) SandboxSMS(ctx context.Context, p julo.Partner, in SandboxSMSInput) ([]OutboxMessage, error) {
	ps := in.Problems
	raw, ok := required(&ps, "phone", in.Phone)
	if !ok {
		return nil, julo.Errorf(julo.EINVALID, "phone", i18n.SandboxPhoneNeeded)
	}
	phone, bad := CheckMobile(raw)
	if bad != nil {
		return nil, julo.Errorf(julo.EINVALID, "phone", bad.Msg, bad.Args...)
	}
	return s.store.ListSMS(ctx, p.ID, MobileE164(phone), 50)
}
