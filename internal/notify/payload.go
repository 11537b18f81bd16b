package notify

import (
	"encoding/json"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// EventTest is the type of the sandbox's test callback.
const EventTest = "test"

// Payload is the body of a callback: the three fields production's
// partners already parse (application_xid, application_status,
// notification_customer_to_continue_register), then ours; loan events add
// the loan's. The field order is the order written.
type Payload struct {
	ApplicationXID    int64  `json:"application_xid"`
	ApplicationStatus string `json:"application_status"`
	// CustomerMustAct is false unless the next step is the customer's
	// (CustomerMustAct).
	CustomerMustAct       bool      `json:"notification_customer_to_continue_register"`
	EventID               string    `json:"event_id"`
	EventType             string    `json:"event_type"`
	OccurredAt            time.Time `json:"occurred_at"`
	Sequence              int64     `json:"sequence"`
	ApplicationStatusCode int       `json:"application_status_code"`
	LoanXID               int64     `json:"loan_xid,omitempty"`
	LoanStatus            string    `json:"loan_status,omitempty"`
	LoanStatusCode        int       `json:"loan_status_code,omitempty"`
}

// CustomerMustAct reports whether an application at status s waits for its
// customer: 130 LIMIT_GENERATED (the customer accepts the limit to
// activate it) and 131 RESUBMISSION_APPLICATION_REQUESTED (the customer
// sends documents again). Every other status waits for the partner, for
// JULO, or for nothing.
func CustomerMustAct(s julo.AppStatus) bool {
	return s == julo.AppLimitGenerated || s == julo.AppResubmission
}

// PayloadOf is the payload of event e. appStatus is the application's
// status, which an application event carries itself (its To) and a loan
// event does not.
func PayloadOf(e julo.Event, appStatus julo.AppStatus) Payload {
	p := Payload{ApplicationXID: e.ApplicationXID, EventID: e.ID, EventType: string(e.Type),
		OccurredAt: e.OccurredAt.UTC(), Sequence: e.Sequence}
	if e.Type == julo.EventLoanStatus {
		p.LoanXID, p.LoanStatusCode, p.LoanStatus = e.LoanXID, e.To, e.ToName
	} else {
		appStatus = julo.AppStatus(e.To)
	}
	p.ApplicationStatus, p.ApplicationStatusCode = appStatus.Name(), int(appStatus)
	p.CustomerMustAct = CustomerMustAct(appStatus)
	return p
}

// body is the JSON of a delivery's payload.
func body(p Payload) ([]byte, error) { return json.Marshal(p) }
