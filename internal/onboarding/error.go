package onboarding

import (
	"errors"
	"fmt"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
)

// Code classifies an Error; the HTTP layer maps each code to one status.
type Code string

const (
	EINVALID      Code = "invalid"      // the request breaks a rule: 400
	ECONFLICT     Code = "conflict"     // it clashes with existing data: 409
	ENOTFOUND     Code = "not_found"    // no such resource for this partner: 404
	EUNAUTHORIZED Code = "unauthorized" // partner credentials wrong: 401
	ELOCKED       Code = "locked"       // temporarily locked after failures: 423
	ETOOMANY      Code = "too_many"     // a rate limit: 429
	EUPSTREAM     Code = "upstream"     // an outside service (SMS gateway) failed: 502
	EUNAVAILABLE  Code = "unavailable"  // we cannot serve now: 503
	EINTERNAL     Code = "internal"     // our fault: 500
)

// Problem is one thing wrong with a request, rendered from the message catalogue.
// Field, when set, is the request field the message is about.
type Problem struct {
	Field string
	Msg   i18n.Msg
	Args  []any
}

// Error is the one error type of the domain. Operations return it for every
// failure a caller can act on; any other error is internal.
type Error struct {
	Code     Code
	Problems []Problem
	// Title and Message, when Title is set, are returned as the envelope's data
	// ({"title": ..., "message": ...}).
	Title, Message *Problem
	// RetryAfter tells the caller when a lock or rate limit ends.
	RetryAfter time.Duration
	// Err is an internal cause, logged and never shown.
	Err error
}

func (e *Error) Error() string {
	s := string(e.Code)
	for _, p := range e.Problems {
		s += fmt.Sprintf("; %s: %s", p.Field, i18n.T(i18n.EN, p.Msg, p.Args...))
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with one problem.
func Errorf(code Code, field string, msg i18n.Msg, args ...any) *Error {
	return &Error{Code: code, Problems: []Problem{{Field: field, Msg: msg, Args: args}}}
}

// ErrorCode returns the code of err: the Code of an *Error, EINTERNAL otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Problems collects the problems of one request, so that all of them are
// returned together rather than only the first.
type Problems []Problem

// Add records a problem with field.
func (ps *Problems) Add(field string, msg i18n.Msg, args ...any) {
	*ps = append(*ps, Problem{Field: field, Msg: msg, Args: args})
}

// Has reports whether field already has a problem (so that later checks of the
// same field do not pile on).
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
