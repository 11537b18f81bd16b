package julo

import "time"

// EventType names what an Event records.
type EventType string

// The event types. Partners will receive them as callbacks and read them
// from an events feed; their names are part of the contract.
const (
	// EventAppStatus: an application moved from one status to another.
	EventAppStatus EventType = "application.status_changed"
	// EventAppVerification: a bank-data import or a BPJS login ended,
	// verified or not.
	EventAppVerification EventType = "application.verification_changed"
	// EventLoanStatus: a loan moved from one status to another.
	EventLoanStatus EventType = "loan.status_changed"
)

// Verification outcomes of an EventAppVerification.
const (
	VerificationVerified = "verified"
	VerificationFailed   = "failed"
)

// Event is one row of the outbox: written in the transaction of the change it
// records, numbered per application, delivered later.
type Event struct {
	// ID is random and unguessable (partners deduplicate by it).
	ID             string
	Type           EventType
	PartnerID      int64
	ApplicationID  int64
	ApplicationXID int64
	// LoanXID is set on loan events.
	LoanXID int64
	// From and To are the status codes of a status change (From 0 for the
	// first status), FromName and ToName their partner-facing names.
	From, To         int
	FromName, ToName string
	// Subject and Outcome describe a verification: "bank:bca" or "bpjs",
	// VerificationVerified or VerificationFailed.
	Subject, Outcome string
	OccurredAt       time.Time
	// Sequence counts the application's events from 1, without gaps.
	Sequence int64
}

// Job is background work, run by a worker after the transaction that
// enqueues it commits (and never if it rolls back). Kind names its worker;
// the value is stored as JSON, so its fields are plain data.
type Job interface {
	Kind() string
}

// Scheduled is a job to run no earlier than At (zero: as soon as possible).
type Scheduled struct {
	Job Job
	At  time.Time
}

// RunLater is what a job's operation returns when its work is not done yet
// and should run again After from now (River snoozes it): not a failure,
// and it does not use up an attempt.
type RunLater struct {
	After time.Duration
}

func (r *RunLater) Error() string { return "run again in " + r.After.String() }
