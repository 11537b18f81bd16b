package onboarding

import "github.com/julo-partnership/julo/internal/julo"

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
	UploadLimit    = "limit"     // the application holds its maximum of images
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
	return []string{UploadStored, UploadInvalid, UploadClosed, UploadLimit, UploadNotFound, UploadError}
}

type nopObserver struct{}

func (nopObserver) OTPSent()             {}
func (nopObserver) OTPRefused(string)    {}
func (nopObserver) OTPValidated(string)  {}
func (nopObserver) ImageUploaded(string) {}

// observeUpload reports how UploadImage ended, from its error.
func (s *Service) observeUpload(err error) {
	outcome := UploadError
	switch {
	case err == nil:
		outcome = UploadStored
	case julo.ErrorCode(err) == julo.EINVALID:
		outcome = UploadInvalid
	case julo.ErrorReason(err) == julo.ReasonLimit:
		outcome = UploadLimit
	case julo.ErrorReason(err) == julo.ReasonStatus:
		outcome = UploadClosed
	case julo.ErrorCode(err) == julo.ENOTFOUND:
		outcome = UploadNotFound
	}
	s.obs.ImageUploaded(outcome)
}
