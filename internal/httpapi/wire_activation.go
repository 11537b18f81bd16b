package httpapi

import (
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

// The wire forms of the activation routes (issue 12 items 6-8).

// inputPINRequest is POST /input-pin.
type inputPINRequest struct {
	Problems       julo.Problems
	ApplicationXID *string `form:"application_xid"`
	PIN            *string `form:"pin"`
}

func (r inputPINRequest) input() credit.InputPINInput { return credit.InputPINInput(r) }

// pinVerifiedJSON is the input-pin answer: until when the PIN window is open.
type pinVerifiedJSON struct {
	Until time.Time `json:"pin_verified_until"`
}

// limitActivationRequest is POST /limit-activation/{application_xid}.
type limitActivationRequest struct {
	Problems julo.Problems
	Accept   *bool `form:"accept"`
}

func (r limitActivationRequest) input() credit.ActivateLimitInput {
	return credit.ActivateLimitInput(r)
}

// limitActivationJSON is the limit-activation answer: the status reached
// and the credit info (the account's after an acceptance; after a decline
// the offer declined, nothing available).
type limitActivationJSON struct {
	XID        int64          `json:"application_xid"`
	Status     string         `json:"application_status"`
	StatusCode int            `json:"application_status_code"`
	CreditInfo creditInfoJSON `json:"credit_info"`
}

func newLimitActivationJSON(xid int64, r credit.ActivationResult) limitActivationJSON {
	out := limitActivationJSON{XID: xid, Status: r.Status.Name(), StatusCode: int(r.Status)}
	var available, used julo.Money
	if r.Account != nil {
		available, used = r.Account.AvailableLimit, r.Account.UsedLimit
	}
	out.CreditInfo = creditInfoJSON{AvailableLimit: &available, MaxLimit: &r.Offer.MaxLimit, SetLimit: &r.Offer.SetLimit, UsedLimit: &used}
	return out
}

// reviewRequestRequest is POST /application/{application_xid}/review-request.
type reviewRequestRequest struct {
	Problems julo.Problems
	Reason   *string `form:"reason"`
}

func (r reviewRequestRequest) input() credit.ReviewRequestInput { return credit.ReviewRequestInput(r) }

// reviewRequestedJSON is the review-request answer.
type reviewRequestedJSON struct {
	XID         int64     `json:"application_xid"`
	Status      string    `json:"application_status"`
	RequestedAt time.Time `json:"review_requested_at"`
}
