package julo

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error; the HTTP layer maps each code to one status.
type Code string

const (
	EINVALID      Code = "invalid"      // the request breaks a rule: 400
	ECONFLICT     Code = "conflict"     // it clashes with existing data or state: 409
	ENOTFOUND     Code = "not_found"    // no such resource for this partner: 404
	EUNAUTHORIZED Code = "unauthorized" // partner credentials wrong: 401
	EFORBIDDEN    Code = "forbidden"    // the customer has not authorised it (no PIN window): 403
	ELOCKED       Code = "locked"       // temporarily locked after failures: 423
	ETOOMANY      Code = "too_many"     // a rate limit: 429
	ETOOLARGE     Code = "too_large"    // a body or upload over its limit: 413
	EUPSTREAM     Code = "upstream"     // an outside service failed: 502
	EUNAVAILABLE  Code = "unavailable"  // we cannot serve now: 503
	EINTERNAL     Code = "internal"     // our fault: 500

	// The request's form, refused by the HTTP layer before any operation
	// runs; no domain operation returns them.
	EMETHOD  Code = "method_not_allowed" // a method the path does not serve: 405
	EMEDIA   Code = "unsupported_media"  // a body of a media type we do not read: 415
	EHEADERS Code = "headers_too_large"  // request headers over their limit: 431
	ESLOW    Code = "request_timeout"    // a body that arrived slower than the floor: 408
	// EUNPROCESSABLE: an Idempotency-Key sent again with another request: 422.
	EUNPROCESSABLE Code = "unprocessable"
)

// Problem is one thing wrong with a request. Msg is the id of a message of
// the catalogue (package i18n), rendered with Args in the caller's language;
// Field, when set, is the request field the message is about.
type Problem struct {
	Field string
	Msg   string
	Args  []any
}

// Error is the one error type of the domain. Operations return it for every
// failure a caller can act on; any other error is internal.
type Error struct {
	Code     Code
	Problems []Problem
	// Title and Message, when Title is set, are returned as the envelope's
	// data ({"title": ..., "message": ...}).
	Title, Message *Problem
	// RetryAfter tells the caller when a lock or rate limit ends.
	RetryAfter time.Duration
	// Reason says, for a conflict or a refusal that a caller other than the
	// partner acts on (metrics, the store's typed outcomes), which rule
	// refused: one of the Reason constants. Never shown to the partner.
	Reason Reason
	// Unique, with ReasonDuplicate, names the uniqueness rule a write broke.
	Unique UniqueKey
	// Err is an internal cause, logged and never shown.
	Err error
}

// UniqueKey names a uniqueness rule that the store enforces with a unique
// index. The capabilities declare theirs; the store maps each index to one.
type UniqueKey string

// IsDuplicate reports whether err is the store's refusal of a write that
// would break the uniqueness rule key.
func IsDuplicate(err error, key UniqueKey) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == ECONFLICT && e.Reason == ReasonDuplicate && e.Unique == key
}

// Reason names the rule behind a refusal decided inside the store, so that
// the domain and the metrics switch on it instead of parsing messages.
type Reason string

const (
	// ReasonStatus: the application (or loan) is not at a status that allows
	// the operation.
	ReasonStatus Reason = "status"
	// ReasonTransition: the transition table forbids the move.
	ReasonTransition Reason = "transition"
	// ReasonLimit: a count limit (images per application) is reached.
	ReasonLimit Reason = "limit"
	// ReasonDuplicate: a uniqueness rule; Unique names it.
	ReasonDuplicate Reason = "duplicate"
)

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Reason != "" {
		s += " (" + string(e.Reason) + ")"
	}
	if e.Unique != "" {
		s += " unique " + string(e.Unique)
	}
	for _, p := range e.Problems {
		s += "; " + p.Field + ": " + p.Msg
		if len(p.Args) > 0 {
			s += fmt.Sprint(p.Args)
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with one problem.
func Errorf(code Code, field string, msg string, args ...any) *Error {
	return &Error{Code: code, Problems: []Problem{{Field: field, Msg: msg, Args: args}}}
}

// ErrorCode returns the code of err: the Code of an *Error, EINTERNAL
// otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorReason returns the Reason of an *Error, "" otherwise.
func ErrorReason(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// Problems collects the problems of one request, so that all of them are
// returned together rather than only the first.
type Problems []Problem

// Add records a problem with field.
func (ps *Problems) Add(field string, msg string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Msg: msg, Args: args})
}

// Has reports whether field already has a problem (so that later checks of
// the same field do not pile on).
func (ps Problems) Has(field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when empty, else an EINVALID Error with every problem.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Problems: ps}
}
