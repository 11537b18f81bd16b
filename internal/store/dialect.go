package store

import (
	"errors"
	"strings"

	"modernc.org/sqlite"
)

// dialect holds what differs between the databases; everything else is shared.
type dialect struct {
	name string
	// forUpdate is appended to a SELECT that a transaction will update
	// (SQLite's BEGIN IMMEDIATE already excludes other writers).
	forUpdate string
	// uniqueViolation reports whether err is a uniqueness violation, and of
	// which field.
	uniqueViolation func(error) (string, bool)
}

var sqliteDialect = dialect{
	name:      "sqlite",
	forUpdate: "",
	uniqueViolation: func(err error) (string, bool) {
		var e *sqlite.Error
		if !errors.As(err, &e) || e.Code() != 2067 && e.Code() != 1555 { // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
			return "", false
		}
		// "constraint failed: UNIQUE constraint failed: customers.nik (2067)"
		msg := e.Error()
		if i := strings.LastIndex(msg, "failed: "); i >= 0 {
			msg = msg[i+len("failed: "):]
		}
		msg, _, _ = strings.Cut(msg, " ")
		msg, _, _ = strings.Cut(msg, ",")
		_, col, _ := strings.Cut(msg, ".")
		return uniqueFields[col], true
	},
}

// uniqueFields names, for each uniquely indexed column, the domain field it
// guards.
var uniqueFields = map[string]string{
	"nik":      "nik",
	"email":    "email",
	"xid":      "application_xid",
	"username": "username",
}
