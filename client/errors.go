package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error is a failure answer of the server: any answer that is not a
// success envelope. Compare Code values of Details (see Has, HasCode), not
// the Errors strings, which are translated.
type Error struct {
	// Method and Path are the request's (the path below /api/partnership/v1).
	Method, Path string
	// StatusCode is the HTTP status, e.g. 400, 401, 404, 409, 429.
	StatusCode int
	// Errors are the envelope's errors strings, "field: message" for a
	// problem about a field, in the request's language.
	Errors []string
	// Details are the envelope's error_details, one per string of Errors
	// in the same order; empty when the server sent none.
	Details []ErrorDetail
	// Data is the envelope's data: null for most failures, an object for
	// some (a 409 of Register names the partner's own application; a
	// pre-register refusal carries a title and message to show).
	Data json.RawMessage
	// RetryAfter is the Retry-After header (a 429 or 423 says when to try
	// again); 0 when absent.
	RetryAfter time.Duration
	// RequestID is the X-Request-Id the server answered with: quote it
	// when asking JULO about a request.
	RequestID string
	// Snippet is the start of the body when the answer was not the API's
	// envelope (then Errors and Details are empty).
	Snippet string
}

// ErrorDetail is one problem of a failure answer.
type ErrorDetail struct {
	// Code is the machine-readable reason, a snake_case id that is the
	// same in every language (e.g. nik_invalid_date, pin_weak_sequence, otp_expired,
	// unauthenticated).
	Code string `json:"code"`
	// Field is the request field the problem concerns; "" for none.
	Field string `json:"field"`
	// Message is the text, without the "field: " prefix.
	Message string `json:"message"`
}

// Error is "julo: METHOD PATH: STATUS: errors" (or the body's snippet).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("julo: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case len(e.Errors) > 0:
		b.WriteString(": " + strings.Join(e.Errors, "; "))
	case e.Snippet != "":
		fmt.Fprintf(&b, " (not an API answer: %q)", e.Snippet)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Has reports whether one of e's details has code.
func (e *Error) Has(code string) bool {
	return e.Detail(code) != nil
}

// Detail returns e's first detail with code, or nil.
func (e *Error) Detail(code string) *ErrorDetail {
	if e == nil {
		return nil
	}
	for i := range e.Details {
		if e.Details[i].Code == code {
			return &e.Details[i]
		}
	}
	return nil
}

// Codes lists the codes of e's details, in order.
func (e *Error) Codes() []string {
	out := make([]string, 0, len(e.Details))
	for _, d := range e.Details {
		out = append(out, d.Code)
	}
	return out
}

// ExistingApplicationXID is the application a 409 of Register names: the
// partner's own application that already holds the NIK or email (say,
// after a timeout lost the 201), so the flow can go on with it. ok is
// false for any other error.
func (e *Error) ExistingApplicationXID() (xid int64, ok bool) {
	if e == nil || e.StatusCode != http.StatusConflict || len(e.Data) == 0 {
		return 0, false
	}
	var d struct {
		XID int64 `json:"application_xid"`
	}
	if json.Unmarshal(e.Data, &d) != nil || d.XID == 0 {
		return 0, false
	}
	return d.XID, true
}

// HasCode reports whether err is (or wraps) an *Error with a detail of
// code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Has(code)
}

// StatusCode is the HTTP status of err when it is (or wraps) an *Error,
// else 0 (no answer was received).
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}
