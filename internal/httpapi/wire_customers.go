package httpapi

import (
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The wire forms of the customer routes: registration, the pre-register
// check and the strong-PIN check.
//
// A request struct here has its domain input's fields, in the same order,
// with the request's field names as form tags (see decodeInto), and
// Problems for what the decoder finds wrong; so it converts to the domain
// input as it is, and a field added to one and not the other does not
// compile. The same holds for an answer and its domain result.

// registerRequest is POST /customer.
type registerRequest struct {
	Problems  julo.Problems
	NIK       *string  `form:"username"`
	PIN       *string  `form:"pin"`
	Email     *string  `form:"email"`
	Latitude  *float64 `form:"latitude"`
	Longitude *float64 `form:"longitude"`
	// The application's own callback target (issue 11).
	CallbackURL   *string `form:"callback_url"`
	CallbackToken *string `form:"callback_token"`
}

func (r registerRequest) input() onboarding.RegisterInput { return onboarding.RegisterInput(r) }

// registeredJSON is the answer of POST /customer.
type registeredJSON struct {
	XID   int64  `json:"application_xid"`
	Email string `json:"email"`
	KTP   string `json:"ktp"`
}

func newRegisteredJSON(out onboarding.Registered) registeredJSON { return registeredJSON(out) }

// existingApplicationJSON is the data of a 409 of POST /customer whose NIK
// or email is held by the partner's own application.
type existingApplicationJSON struct {
	XID int64 `json:"application_xid"`
}

// preregisterRequest is POST /preregister-check.
type preregisterRequest struct {
	Problems julo.Problems
	NIK      *string `form:"nik"`
	Email    *string `form:"email"`
}

func (r preregisterRequest) input() onboarding.PreregisterInput {
	return onboarding.PreregisterInput(r)
}

// pinCheckRequest is POST /check-strong-pin.
type pinCheckRequest struct {
	Problems julo.Problems
	NIK      *string `form:"nik"`
	PIN      *string `form:"pin"`
}

func (r pinCheckRequest) input() onboarding.PINCheckInput { return onboarding.PINCheckInput(r) }
