package onboarding

import (
	"errors"

	"github.com/julo-partnership/julo/internal/i18n"
)

// Observer is told of the domain events operators count (the metrics
// adapter implements it; Deps.Observer nil means nobody listens). Its methods
// run on the request path: they must be cheap and safe for concurrent use.
// The string arguments are always one of the constants below, so a metric
// labelled with them stays small.
type Observer interface {
	// OTPSent: a code was handed to the SMS gateway.
	OTPSent()
	// OTPRefused: a send was refused by a limit, or the gateway failed;
	// reason is one of OTPRefusalReasons.
	OTPRefused(reason string)
	// OTPValidated: a code was checked against the stored one; outcome is
	// one of OTPValidationOutcomes.
	OTPValidated(outcome string)
	// ImageUploaded: an upload was handled; outcome is one of UploadOutcomes.
	ImageUploaded(outcome string)
}

// Why an OTP send was refused.
const (
	OTPRefusedResendTooSoon = "resend_too_soon"   // within ResendAfter of the last send
	OTPRefusedAppLimit      = "app_limit"         // AppSends within AppWindow
	OTPRefusedPhoneDaily    = "phone_daily_limit" // PhoneDaily sends to the phone in 24 hours
	OTPRefusedLocked        = "locked"            // OTP locked after wrong codes
	OTPRefusedGateway       = "gateway_failure"   // the SMS gateway failed (nothing counts)
)

// How checking an OTP code ended.
const (
	OTPVerified = "verified" // the code matched: the phone is verified
	OTPWrong    = "wrong"    // did not match; the code stays open
	OTPBurned   = "burned"   // did not match for the MaxTries-th time: the code is closed
	OTPExpired  = "expired"  // the newest code had expired
	OTPNoCode   = "no_code"  // no open code (never sent, used, burned or superseded)
	OTPLocked   = "locked"   // OTP is locked, or this wrong code locked it
)

// How an image upload ended.
const (
	UploadStored   = "stored"    // stored and recorded
	UploadInvalid  = "invalid"   // refused by a rule: type, not an image, too many pixels
	UploadClosed   = "closed"    // the application is past the upload step
	UploadNotFound = "not_found" // the xid is not the partner's
	UploadError    = "error"     // an internal error (store, blob store)
)

// OTPRefusalReasons lists every reason OTPRefused is given.
func OTPRefusalReasons() []string {
	return []string{OTPRefusedResendTooSoon, OTPRefusedAppLimit, OTPRefusedPhoneDaily, OTPRefusedLocked, OTPRefusedGateway}
}

// OTPValidationOutcomes lists every outcome OTPValidated is given.
func OTPValidationOutcomes() []string {
	return []string{OTPVerified, OTPWrong, OTPBurned, OTPExpired, OTPNoCode, OTPLocked}
}

// UploadOutcomes lists every outcome ImageUploaded is given.
func UploadOutcomes() []string {
	return []string{UploadStored, UploadInvalid, UploadClosed, UploadNotFound, UploadError}
}

type nopObserver struct{}

func (nopObserver) OTPSent()             {}
func (nopObserver) OTPRefused(string)    {}
func (nopObserver) OTPValidated(string)  {}
func (nopObserver) ImageUploaded(string) {}

// observeSendRefused reports a send refused by one of the limits of
// sendAllowed; other errors (the store failing) are not refusals.
func (s *Service) observeSendRefused(err error) {
	var e *Error
	if !errors.As(err, &e) || e.Code != ETOOMANY || len(e.Problems) == 0 {
		return
	}
	switch e.Problems[0].Msg {
	case i18n.OTPResendTooSoon:
		s.obs.OTPRefused(OTPRefusedResendTooSoon)
	case i18n.OTPAppSendLimit:
		s.obs.OTPRefused(OTPRefusedAppLimit)
	case i18n.OTPPhoneDailyLimit:
		s.obs.OTPRefused(OTPRefusedPhoneDaily)
	case i18n.OTPLocked:
		s.obs.OTPRefused(OTPRefusedLocked)
	}
}

// observeValidation reports the outcome of ValidateOTP's check: nil is a
// match, otherwise the problem tells which way it failed.
func (s *Service) observeValidation(outcome error) {
	if outcome == nil {
		s.obs.OTPValidated(OTPVerified)
		return
	}
	var e *Error
	if !errors.As(outcome, &e) || len(e.Problems) == 0 {
		return
	}
	switch e.Problems[0].Msg {
	case i18n.OTPWrong:
		s.obs.OTPValidated(OTPWrong)
	case i18n.OTPBurned:
		s.obs.OTPValidated(OTPBurned)
	case i18n.OTPExpired:
		s.obs.OTPValidated(OTPExpired)
	case i18n.OTPNone:
		s.obs.OTPValidated(OTPNoCode)
	case i18n.OTPLocked:
		s.obs.OTPValidated(OTPLocked)
	}
}

// observeUpload reports how UploadImage ended, from its error.
func (s *Service) observeUpload(err error) {
	outcome := UploadError
	switch {
	case err == nil:
		outcome = UploadStored
	case ErrorCode(err) == EINVALID:
		outcome = UploadInvalid
	case ErrorCode(err) == ECONFLICT:
		outcome = UploadClosed
	case ErrorCode(err) == ENOTFOUND:
		outcome = UploadNotFound
	}
	s.obs.ImageUploaded(outcome)
}
