package httpapi

import (
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The wire forms of the OTP routes and the sandbox outbox (see
// wire_customers.go for how a request converts to its domain input).

// sendOTPRequest is POST /application/otp/{xid}.
type sendOTPRequest struct {
	Problems julo.Problems
	Phone    *string `form:"phone"`
}

func (r sendOTPRequest) input() onboarding.SendOTPInput { return onboarding.SendOTPInput(r) }

// validateOTPRequest is POST /application/otp/validate/{xid}.
type validateOTPRequest struct {
	Problems julo.Problems
	Token    *string `form:"otp_token"`
}

func (r validateOTPRequest) input() onboarding.ValidateOTPInput {
	return onboarding.ValidateOTPInput(r)
}

// sandboxSMSRequest is GET /sandbox/sms.
type sandboxSMSRequest struct {
	Problems julo.Problems
	Phone    *string `form:"phone"`
}

func (r sandboxSMSRequest) input() onboarding.SandboxSMSInput { return onboarding.SandboxSMSInput(r) }

// outboxMessageJSON is one message of the GET /sandbox/sms answer.
type outboxMessageJSON struct {
	XID       int64     `json:"application_xid"`
	Phone     string    `json:"phone"`
	Message   string    `json:"message"`
	OTP       string    `json:"otp"`
	CreatedAt time.Time `json:"created_at"`
}

// newOutboxJSON is the GET /sandbox/sms answer: a list, empty rather than
// null when there are no messages.
func newOutboxJSON(msgs []onboarding.OutboxMessage) []outboxMessageJSON {
	out := make([]outboxMessageJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, outboxMessageJSON(m))
	}
	return out
}
