package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Partner callbacks are signed per Standard Webhooks 1.0
// (https://www.standardwebhooks.com). A callback carries three headers:
//
//	webhook-id:        the event id (the same on every attempt and redelivery)
//	webhook-timestamp: unix seconds of the attempt
//	webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
//
// where key is the bytes of the signing secret "whsec_" + base64(key) JULO
// hands the partner. During a secret rotation the header carries one
// signature per secret, separated by spaces; any one of them that matches
// verifies the callback. This file is written from that specification: it
// shares no code with the server.

const (
	// WebhookSecretPrefix starts a signing secret.
	WebhookSecretPrefix = "whsec_"
	// DefaultWebhookTolerance is how far a callback's webhook-timestamp
	// may be from the receiver's clock, either way, unless
	// Webhook.Tolerance says otherwise.
	DefaultWebhookTolerance = 5 * time.Minute
	// MaxCallbackBytes bounds the body Webhook.Request reads: a callback
	// body is well under 1 KiB.
	MaxCallbackBytes = 64 << 10

	// maxSignatureHeader bounds the webhook-signature header verified
	// (two signatures during a rotation are about 100 bytes).
	maxSignatureHeader = 4096
)

// The errors of a callback that does not verify; every one Verify
// returns wraps exactly one of them (errors.Is), with the details.
var (
	// ErrWebhookSecret: the secret is not "whsec_" + standard base64 of
	// 24 to 64 bytes.
	ErrWebhookSecret = errors.New("julo: webhook: not a signing secret (want whsec_ and the base64 of its key)")
	// ErrWebhookHeader: webhook-id, webhook-timestamp or
	// webhook-signature is missing or malformed.
	ErrWebhookHeader = errors.New("julo: webhook: missing or malformed header")
	// ErrWebhookTimestamp: webhook-timestamp is further from the clock
	// than the tolerance (an old message replayed, or a clock off).
	ErrWebhookTimestamp = errors.New("julo: webhook: timestamp outside the tolerance")
	// ErrWebhookSignature: no v1 signature of the header matches the body
	// with any of the secrets (the body or a header was changed, or the
	// secret is not the one JULO signs with).
	ErrWebhookSignature = errors.New("julo: webhook: no signature matches")
)

// Webhook verifies partner callbacks. Make one with NewWebhook; set
// Tolerance or Now before use. It is safe for concurrent use.
type Webhook struct {
	keys [][]byte
	// Tolerance is how far webhook-timestamp may be from Now(), either
	// way; 0 means DefaultWebhookTolerance.
	Tolerance time.Duration
	// Now is the receiver's clock; nil means time.Now.
	Now func() time.Time
}

// NewWebhook returns a verifier of callbacks signed with any of secrets
// (each "whsec_" + base64, as `julo partner webhook` prints it; the
// prefix may be left out, as the specification allows). Give two secrets
// while switching after a rotation: the callbacks of those 24 hours carry
// a signature of each.
func NewWebhook(secrets ...string) (*Webhook, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: none given", ErrWebhookSecret)
	}
	w := &Webhook{}
	for i, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, WebhookSecretPrefix))
		if err != nil || len(key) < 24 || len(key) > 64 {
			return nil, fmt.Errorf("%w: secret %d of %d", ErrWebhookSecret, i+1, len(secrets))
		}
		w.keys = append(w.keys, key)
	}
	return w, nil
}

// VerifyWebhook verifies one callback (its headers and raw body, read
// before any parsing) signed with secret, against the system clock with
// DefaultWebhookTolerance. nil means the callback is JULO's and recent.
// See Webhook for a reusable verifier, and Webhook.Callback to decode it.
func VerifyWebhook(secret string, header http.Header, body []byte) error {
	w, err := NewWebhook(secret)
	if err != nil {
		return err
	}
	return w.Verify(header, body)
}

// Verify verifies a callback: its headers (webhook-id, webhook-timestamp,
// webhook-signature) and raw body, byte for byte as received. The
// timestamp must be within the tolerance of the clock, and one "v1,"
// signature must be the HMAC-SHA256 of id.timestamp.body under one of the
// secrets (compared in constant time). The error wraps one of
// ErrWebhookHeader, ErrWebhookTimestamp and ErrWebhookSignature.
func (w *Webhook) Verify(header http.Header, body []byte) error {
	id := header.Get("webhook-id")
	ts := header.Get("webhook-timestamp")
	sigs := header.Get("webhook-signature")
	switch {
	case id == "":
		return fmt.Errorf("%w: webhook-id is missing", ErrWebhookHeader)
	case ts == "":
		return fmt.Errorf("%w: webhook-timestamp is missing", ErrWebhookHeader)
	case sigs == "":
		return fmt.Errorf("%w: webhook-signature is missing", ErrWebhookHeader)
	case len(sigs) > maxSignatureHeader:
		return fmt.Errorf("%w: webhook-signature is longer than %d bytes", ErrWebhookHeader, maxSignatureHeader)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 {
		return fmt.Errorf("%w: webhook-timestamp %q is not unix seconds", ErrWebhookHeader, ts)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	tol := w.Tolerance
	if tol <= 0 {
		tol = DefaultWebhookTolerance
	}
	sent := time.Unix(sec, 0)
	if d := now().Sub(sent); d > tol || d < -tol {
		return fmt.Errorf("%w: webhook-timestamp %s is %s from now (tolerance %s)", ErrWebhookTimestamp, ts, d.Round(time.Second), tol)
	}
	macs := make([][]byte, len(w.keys))
	for i, k := range w.keys {
		macs[i] = webhookMAC(k, id, ts, body)
	}
	ok, v1 := false, 0
	for _, s := range strings.Fields(sigs) {
		version, b64, found := strings.Cut(s, ",")
		if !found || version != "v1" {
			continue // another scheme's signature: not ours to judge
		}
		v1++
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		for _, m := range macs {
			// Every pair is compared, each in constant time.
			if hmac.Equal(got, m) {
				ok = true
			}
		}
	}
	if v1 == 0 {
		return fmt.Errorf("%w: webhook-signature has no v1 signature", ErrWebhookHeader)
	}
	if !ok {
		return fmt.Errorf("%w: none of %d v1 signatures is of this body with %d secret(s)", ErrWebhookSignature, v1, len(w.keys))
	}
	return nil
}

// webhookMAC is HMAC-SHA256(key, id + "." + ts + "." + body).
func webhookMAC(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, id+"."+ts+".")
	m.Write(body)
	return m.Sum(nil)
}

// Callback verifies a callback (see Verify) and decodes its body.
func (w *Webhook) Callback(header http.Header, body []byte) (*Callback, error) {
	if err := w.Verify(header, body); err != nil {
		return nil, err
	}
	return decodeCallback(header, body)
}

// Request reads the body of a callback request (at most
// MaxCallbackBytes), verifies it and decodes it: the start of a
// receiver's handler. It does not close r.Body (the server does). On a
// nil error, answer 2xx within 15 s; on a verification error answer 4xx.
func (w *Webhook) Request(r *http.Request) (*Callback, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxCallbackBytes+1))
	if err != nil {
		return nil, fmt.Errorf("julo: webhook: reading the body: %w", err)
	}
	if len(body) > MaxCallbackBytes {
		return nil, fmt.Errorf("julo: webhook: the body is larger than %d bytes", MaxCallbackBytes)
	}
	return w.Callback(r.Header, body)
}

func decodeCallback(header http.Header, body []byte) (*Callback, error) {
	var c Callback
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("julo: webhook: decoding the body: %w", err)
	}
	// The signature covers webhook-id, so a body naming another event
	// is not the server's.
	if id := header.Get("webhook-id"); c.EventID != id {
		return nil, fmt.Errorf("julo: webhook: the body's event_id %q is not webhook-id %q", c.EventID, id)
	}
	return &c, nil
}

// Event types (Callback.EventType).
const (
	EventApplicationStatusChanged       = "application.status_changed"
	EventApplicationVerificationChanged = "application.verification_changed"
	EventLoanStatusChanged              = "loan.status_changed"
	// EventTest is the sandbox's test callback (SandboxWebhookTest):
	// ApplicationXID 0 and an empty status.
	EventTest = "test"
)

// Callback is the body of a partner callback, and an event of the feed
// (Event): production's three fields first, then JULO's; loan events add
// the loan's.
type Callback struct {
	ApplicationXID int64 `json:"application_xid"`
	// ApplicationStatus is the status's partner-facing name
	// (FORM_SUBMITTED); ApplicationStatusCode its number (105).
	ApplicationStatus string `json:"application_status"`
	// CustomerToContinueRegister is true only when the next step is the
	// customer's: 130 LIMIT_GENERATED, 131 RESUBMISSION_APPLICATION_REQUESTED.
	CustomerToContinueRegister bool `json:"notification_customer_to_continue_register"`
	// EventID is the callback's webhook-id: deduplicate by it.
	EventID string `json:"event_id"`
	// EventType is one of the Event constants.
	EventType  string    `json:"event_type"`
	OccurredAt time.Time `json:"occurred_at"`
	// Sequence counts the application's events from 1, without gaps:
	// delivery is not ordered, order an application's events by it.
	Sequence              int64 `json:"sequence"`
	ApplicationStatusCode int   `json:"application_status_code"`
	// Loan events only (else zero).
	LoanXID        int64  `json:"loan_xid,omitempty"`
	LoanStatus     string `json:"loan_status,omitempty"`
	LoanStatusCode int    `json:"loan_status_code,omitempty"`
}
