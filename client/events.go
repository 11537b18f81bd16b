package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The events feed (issue 11): every event of the partner's applications of
// the last 30 days, each the body its callback carries; the fallback when
// callbacks were missed, and how a delivery went.

// EventsRequest pages the feed (Events).
type EventsRequest struct {
	// After is the id of the last event you have (the previous page's
	// NextAfter); "" starts at the oldest event. An id that names no event
	// of yours in the last 30 days is a 400 (events_after_unknown): start
	// again without it.
	After string
	// Limit is how many events at most, 1-500; 0 means the server's
	// default, 100. Outside 1-500 it is a 400 (events_limit_range).
	Limit int
}

// EventPage is one page of the feed, oldest event first.
type EventPage struct {
	Events []Event `json:"events"`
	// HasMore says whether more events follow now.
	HasMore bool `json:"has_more"`
	// NextAfter is EventsRequest.After of the next page: the id of this
	// page's last event, else the After asked with ("" when neither).
	NextAfter string `json:"next_after"`
}

// Event is an event of the feed: its callback's body, and for an
// EventApplicationVerificationChanged what was verified (else nil).
type Event struct {
	Callback
	Verification *EventVerification `json:"verification"`
}

// EventVerification says what a verification event was about.
type EventVerification struct {
	// Subject is "bank:<bank>" (bank:bca) or "bpjs".
	Subject string `json:"subject"`
	// Outcome is "verified" or "failed".
	Outcome string `json:"outcome"`
}

// EventDetail is one event with every delivery of it, oldest first (none
// while the partner's callbacks were not configured).
type EventDetail struct {
	Event
	Deliveries []Delivery `json:"deliveries"`
}

// Delivery states (Delivery.State).
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	// DeliveryFailed: after the last attempt, or a 410.
	DeliveryFailed = "failed"
	// DeliveryCancelled: the partner's callbacks were disabled.
	DeliveryCancelled = "cancelled"
)

// Delivery targets (Delivery.Target).
const (
	// TargetPartner is the partner's configured callback URL.
	TargetPartner = "partner"
	// TargetApplication is the application's own callback_url.
	TargetApplication = "application"
)

// Delivery is one delivery of an event to a callback URL, with its
// attempts.
type Delivery struct {
	DeliveryID int64 `json:"delivery_id"`
	// Target is TargetPartner or TargetApplication.
	Target string `json:"target"`
	// State is one of the Delivery constants.
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	// NextAttemptAt is when a pending delivery is attempted next; nil
	// otherwise.
	NextAttemptAt *time.Time        `json:"next_attempt_at"`
	Attempts      []DeliveryAttempt `json:"attempts"`
}

// DeliveryAttempt is one attempt of a delivery (or the sandbox's test
// callback).
type DeliveryAttempt struct {
	// Attempt counts the delivery's attempts from 1.
	Attempt     int       `json:"attempt"`
	AttemptedAt time.Time `json:"attempted_at"`
	// StatusCode is what the receiver answered; 0 when it did not answer
	// (see Error).
	StatusCode int `json:"status_code"`
	// Error is why the attempt failed ("HTTP 500", "timeout: ...",
	// "connection refused"); "" after a 2xx.
	Error string `json:"error"`
	// DurationMS is how long the attempt took, in milliseconds (see
	// Duration).
	DurationMS int64 `json:"duration_ms"`
}

// Duration is how long the attempt took.
func (a DeliveryAttempt) Duration() time.Duration {
	return time.Duration(a.DurationMS) * time.Millisecond
}

// Redelivery is the answer of Redeliver: the new delivery, pending.
type Redelivery struct {
	EventID  string   `json:"event_id"`
	Delivery Delivery `json:"delivery"`
}

// WebhookTest is the answer of SandboxWebhookTest: how the test callback
// went.
type WebhookTest struct {
	// EventID is the test event's id (its webhook-id; "evt_test_...").
	EventID string `json:"event_id"`
	// URL is where it was sent.
	URL string `json:"url"`
	// Delivered: the receiver answered 2xx.
	Delivered bool            `json:"delivered"`
	Attempt   DeliveryAttempt `json:"attempt"`
}

// Events lists the partner's events of the last 30 days, oldest first
// (GET /events), in pages: give the previous page's NextAfter as
// in.After while HasMore. Only the calling partner's events are listed.
func (c *Client) Events(ctx context.Context, in EventsRequest) (*EventPage, error) {
	q := url.Values{}
	if in.After != "" {
		q.Set("after", in.After)
	}
	if in.Limit != 0 {
		q.Set("limit", strconv.Itoa(in.Limit))
	}
	var out EventPage
	if err := c.call(ctx, request{method: http.MethodGet, path: "/events", query: q}, &out); err != nil {
		return nil, err
	}
	if out.Events == nil {
		out.Events = []Event{}
	}
	return &out, nil
}

// Event reads one event with its deliveries and their attempts (GET
// /events/{event_id}; eventID is a callback's webhook-id or an event of
// the feed). Another partner's event, or one older than 30 days, is a 404
// (event_missing).
func (c *Client) Event(ctx context.Context, eventID string) (*EventDetail, error) {
	var out EventDetail
	if err := c.call(ctx, request{method: http.MethodGet, path: "/events/" + url.PathEscape(eventID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Redeliver queues a new delivery of the event's callback (POST
// /events/{event_id}/redeliver; 202), attempted at once and retried on the
// usual schedule: follow it with Event. It carries the same webhook-id. A
// 409 when JULO has not configured a callback URL for the partner or its
// callbacks are disabled; another partner's event is a 404.
func (c *Client) Redeliver(ctx context.Context, eventID string) (*Redelivery, error) {
	var out Redelivery
	if err := c.call(ctx, request{method: http.MethodPost, path: "/events/" + url.PathEscape(eventID) + "/redeliver"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SandboxWebhookTest sends a signed callback of EventTest to the
// partner's configured URL now and answers with how the attempt went
// (POST /sandbox/webhook-test; sandbox only, a 404 in production). It is
// sent even while the partner's callbacks are disabled, and not recorded;
// a 409 when no callback URL is configured.
func (c *Client) SandboxWebhookTest(ctx context.Context) (*WebhookTest, error) {
	var out WebhookTest
	if err := c.call(ctx, request{method: http.MethodPost, path: "/sandbox/webhook-test"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
