package httpapi

import (
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/notify"
)

// The wire forms of the events feed (see wire_customers.go for how a
// request converts to its domain input). An event is the body its callback
// carries (notify.Payload), plus what a verification was about.

// eventsRequest is GET /events.
type eventsRequest struct {
	Problems julo.Problems
	After    *string `form:"after"`
	Limit    *int64  `form:"limit"`
}

func (r eventsRequest) input() notify.EventsInput { return notify.EventsInput(r) }

// verificationJSON says what a verification event was about.
type verificationJSON struct {
	Subject string `json:"subject"`
	Outcome string `json:"outcome"`
}

// eventJSON is one event: its callback's body, and for a verification
// event what was verified (null otherwise).
type eventJSON struct {
	notify.Payload
	Verification *verificationJSON `json:"verification"`
}

func newEventJSON(e julo.Event) eventJSON {
	out := eventJSON{Payload: notify.PayloadOf(e, julo.AppNone)}
	if e.Type == julo.EventAppVerification {
		out.Verification = &verificationJSON{Subject: e.Subject, Outcome: e.Outcome}
	}
	return out
}

// eventPageJSON is the GET /events answer. NextAfter is the after of the
// next request: the page's last event, else the after asked with (null
// when there is neither).
type eventPageJSON struct {
	Events    []eventJSON `json:"events"`
	HasMore   bool        `json:"has_more"`
	NextAfter *string     `json:"next_after"`
}

func newEventPageJSON(p notify.EventPage, after *string) eventPageJSON {
	out := eventPageJSON{Events: make([]eventJSON, 0, len(p.Events)), HasMore: p.More, NextAfter: after}
	for _, e := range p.Events {
		out.Events = append(out.Events, newEventJSON(e))
	}
	if n := len(p.Events); n > 0 {
		id := p.Events[n-1].ID
		out.NextAfter = &id
	}
	return out
}

// attemptJSON is one attempt of a delivery.
type attemptJSON struct {
	Attempt     int       `json:"attempt"`
	AttemptedAt time.Time `json:"attempted_at"`
	StatusCode  *int      `json:"status_code"`
	Error       *string   `json:"error"`
	DurationMS  int64     `json:"duration_ms"`
}

func newAttemptJSON(a notify.Attempt) attemptJSON {
	out := attemptJSON{Attempt: a.N, AttemptedAt: a.At.UTC(), DurationMS: a.Duration.Milliseconds()}
	if a.StatusCode != 0 {
		out.StatusCode = &a.StatusCode
	}
	if a.Error != "" {
		out.Error = &a.Error
	}
	return out
}

// deliveryJSON is one delivery of an event with its attempts.
type deliveryJSON struct {
	DeliveryID    int64         `json:"delivery_id"`
	Target        string        `json:"target"`
	State         string        `json:"state"`
	CreatedAt     time.Time     `json:"created_at"`
	NextAttemptAt *time.Time    `json:"next_attempt_at"`
	Attempts      []attemptJSON `json:"attempts"`
}

func newDeliveryJSON(d notify.Delivery) deliveryJSON {
	out := deliveryJSON{DeliveryID: d.ID, Target: string(d.Target), State: d.State, CreatedAt: d.CreatedAt.UTC(),
		Attempts: make([]attemptJSON, 0, len(d.Tried))}
	if d.State == notify.StatePending && !d.NextAt.IsZero() {
		next := d.NextAt.UTC()
		out.NextAttemptAt = &next
	}
	for _, a := range d.Tried {
		out.Attempts = append(out.Attempts, newAttemptJSON(a))
	}
	return out
}

// eventDetailJSON is the GET /events/{event_id} answer.
type eventDetailJSON struct {
	eventJSON
	Deliveries []deliveryJSON `json:"deliveries"`
}

func newEventDetailJSON(d notify.EventDetail) eventDetailJSON {
	out := eventDetailJSON{eventJSON: newEventJSON(d.Event), Deliveries: make([]deliveryJSON, 0, len(d.Deliveries))}
	for _, dl := range d.Deliveries {
		out.Deliveries = append(out.Deliveries, newDeliveryJSON(dl))
	}
	return out
}

// redeliveryJSON is the POST /events/{event_id}/redeliver answer.
type redeliveryJSON struct {
	EventID  string       `json:"event_id"`
	Delivery deliveryJSON `json:"delivery"`
}

// webhookTestJSON is the POST /sandbox/webhook-test answer.
type webhookTestJSON struct {
	EventID   string      `json:"event_id"`
	URL       string      `json:"url"`
	Delivered bool        `json:"delivered"`
	Attempt   attemptJSON `json:"attempt"`
}
