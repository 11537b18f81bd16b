// Package notify tells partners what happened to their applications. The
// status machine records every change as an event (julo.Event) in the
// change's own transaction, and with it a delivery when the partner has a
// callback URL; this package turns a delivery into one signed POST
// (Standard Webhooks 1.0, package webhook), decides when a failed one is
// tried again and when it has failed for good, and serves the events feed
// that a partner reconciles from when callbacks were missed.
//
// It knows no HTTP and no SQL: the store and the sender are ports (Store,
// Sender), implemented by adapters that cmd/julo wires in. Deliveries run
// as background jobs (DeliveryJob), one per delivery, so every attempt
// happens on exactly one instance.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Target says where a delivery goes.
type Target string

const (
	// TargetPartner: the partner's callback URL (julo partner webhook).
	TargetPartner Target = "partner"
	// TargetApplication: the application's own callback_url, given at
	// registration (same scheme and host as the partner's).
	TargetApplication Target = "application"
)

// Delivery states.
const (
	// StatePending: not delivered yet; NextAt says when it is tried.
	StatePending = "pending"
	// StateDelivered: a 2xx answered an attempt.
	StateDelivered = "delivered"
	// StateFailed: every attempt failed, or the receiver answered 410.
	StateFailed = "failed"
	// StateCancelled: the partner's callbacks were disabled before it was
	// delivered.
	StateCancelled = "cancelled"
)

// Why an endpoint is disabled.
const (
	DisabledByOperator = "operator"
	DisabledGone       = "gone" // the receiver answered 410 Gone
)

// Endpoint is where a partner's callbacks go.
type Endpoint struct {
	PartnerID int64
	URL       string
	// Token, when set, is sent as the Authorization header (production
	// partners' receivers check it).
	Token          string
	Disabled       bool
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Secret is a signing key of a partner. The current one has no ExpiresAt;
// after a rotation the previous one signs too until its ExpiresAt.
type Secret struct {
	ID        string
	Key       []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// EndpointChange is what julo partner webhook changes; nil and zero fields
// are left as they are.
type EndpointChange struct {
	URL *string
	// Token: "" removes it.
	Token *string
	// Secret is stored as the current secret when the endpoint is new, or
	// with Rotate: then the secrets current until now expire at RetireAt,
	// and those expired already are deleted.
	Secret   *Secret
	Rotate   bool
	RetireAt time.Time
	// Disable stops deliveries; Enable starts them again (a new URL
	// enables).
	Disable, Enable bool
}

// Delivery is one event on its way to one URL.
type Delivery struct {
	ID    int64
	Event julo.Event
	// AppStatus is the application's status now (loan events carry the
	// loan's).
	AppStatus julo.AppStatus
	State     string
	Attempts  int
	// NextAt is when a pending delivery is tried next.
	NextAt    time.Time
	CreatedAt time.Time
	Target    Target
	// URL and Token are the target's (an application's own token, else
	// the partner's).
	URL, Token string
	// Keys are the partner's signing keys valid at the time asked, newest
	// first.
	Keys [][]byte
	// Disabled: the partner's callbacks are disabled.
	Disabled bool
	// Tried are its attempts, oldest first (filled by PartnerEvent only).
	Tried []Attempt
}

// Attempt is one POST of a delivery.
type Attempt struct {
	N        int
	At       time.Time
	Duration time.Duration
	// StatusCode is the answer's status, 0 when there was none (Error
	// says why).
	StatusCode int
	Error      string
}

// Outcome is what an attempt leaves a delivery at.
type Outcome struct {
	State  string
	NextAt time.Time
	// Disable names the target a 410 disables ("" none).
	Disable Target
}

// Store is the storage notify needs (store.DB). Every method is one
// transaction; a missing row is ENOTFOUND.
type Store interface {
	// SetWebhookEndpoint changes the endpoint of the partner named
	// username (creating it when c has a URL; ErrNoEndpoint when there is
	// none and c has no URL) and returns it, and whether it stored
	// c.Secret.
	SetWebhookEndpoint(ctx context.Context, username string, c EndpointChange, at time.Time) (Endpoint, bool, error)
	// WebhookEndpoint returns the partner's endpoint and its signing keys
	// valid at at, newest first.
	WebhookEndpoint(ctx context.Context, partnerID int64, at time.Time) (Endpoint, [][]byte, error)
	// Delivery returns a delivery with what sending it needs at at.
	Delivery(ctx context.Context, id int64, at time.Time) (Delivery, error)
	// RecordAttempt stores a (nil: no attempt was made) and moves the
	// delivery to o at at, if it is still pending after a.N-1 attempts;
	// o.Disable disables its target in the same transaction.
	RecordAttempt(ctx context.Context, deliveryID int64, a *Attempt, o Outcome, at time.Time) error
	// PartnerEvents lists the partner's events that occurred since since,
	// oldest first, after the event after ("" from the first), at most
	// limit; ENOTFOUND when after is not one of them.
	PartnerEvents(ctx context.Context, partnerID int64, after string, since time.Time, limit int) ([]julo.Event, error)
	// PartnerEvent returns one of the partner's events with its
	// deliveries and their attempts.
	PartnerEvent(ctx context.Context, partnerID int64, eventID string, since time.Time) (julo.Event, []Delivery, error)
	// Redeliver queues a new delivery of the partner's event, as the
	// status machine does for a new one; ECONFLICT when the partner's
	// callbacks are not configured or are disabled.
	Redeliver(ctx context.Context, partnerID int64, eventID string, since, at time.Time) (Delivery, error)
	// PruneEvents deletes at most limit events that occurred before
	// before, with their deliveries; it returns how many.
	PruneEvents(ctx context.Context, before time.Time, limit int) (int, error)
}

// Request is one callback to send.
type Request struct {
	URL    string
	Header map[string]string
	Body   []byte
}

// Response is how a callback went: StatusCode when the receiver answered
// (its body is read up to a bound and discarded), else Err, a short text
// without the URL. Duration is the attempt's wall time.
type Response struct {
	StatusCode int
	Err        error
	Duration   time.Duration
}

// Sender sends callbacks (the adapter does HTTP, refuses private
// destinations, follows no redirect and bounds the time).
type Sender interface {
	Send(ctx context.Context, r Request) Response
}

// Config is notify's policy.
type Config struct {
	// RequireHTTPS refuses http:// callback URLs (production).
	RequireHTTPS bool
	// Retention is how long events are kept and listed; 0:
	// DefaultRetention.
	Retention time.Duration
	// RotationOverlap is how long a rotated-out secret keeps signing; 0:
	// DefaultRotationOverlap.
	RotationOverlap time.Duration
}

// DefaultRetention: the events feed keeps 30 days.
const DefaultRetention = 30 * 24 * time.Hour

// DefaultRotationOverlap: after --rotate-secret the old secret signs too
// for 24 hours.
const DefaultRotationOverlap = 24 * time.Hour

// Deps are the service's collaborators; Now and Rand default to the clock
// and crypto/rand.
type Deps struct {
	Store  Store
	Sender Sender
	Config Config
	Now    func() time.Time
	Rand   io.Reader
}

// Service carries out notify's operations.
type Service struct {
	store  Store
	sender Sender
	cfg    Config
	now    func() time.Time
	rand   io.Reader
}

// New returns a Service.
func New(d Deps) *Service {
	s := &Service{store: d.Store, sender: d.Sender, cfg: d.Config, now: d.Now, rand: d.Rand}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.cfg.Retention <= 0 {
		s.cfg.Retention = DefaultRetention
	}
	if s.cfg.RotationOverlap <= 0 {
		s.cfg.RotationOverlap = DefaultRotationOverlap
	}
	return s
}

// unit is a uniform random number in [0, 1) from the service's randomness.
func (s *Service) unit() (float64, error) {
	var b [8]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return 0, fmt.Errorf("reading randomness: %w", err)
	}
	return float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53), nil
}
