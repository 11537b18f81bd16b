// Package sms delivers text messages: Log writes them to the server log (and,
// in the sandbox, to an outbox partners can read); Webhook POSTs them to an
// SMS gateway.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// Outbox keeps the messages Log "sent" (the sandbox outbox).
type Outbox interface {
	PutSMS(ctx context.Context, m onboarding.SMS, at time.Time) error
}

// Log "sends" by logging. With RevealSecret false (production) the secret
// part of the message (the OTP code) is masked in the log; the phone is
// always masked. With an Outbox, the whole message is also kept there.
type Log struct {
	Logger       *slog.Logger
	Outbox       Outbox // nil: no outbox
	RevealSecret bool
	Now          func() time.Time
}

// SendSMS implements onboarding.SMSSender.
func (l *Log) SendSMS(ctx context.Context, m onboarding.SMS) error {
	text := m.Text
	if !l.RevealSecret && m.Secret != "" {
		text = strings.ReplaceAll(text, m.Secret, strings.Repeat("*", len(m.Secret)))
	}
	l.Logger.InfoContext(ctx, "sms", "provider", "log", "to", MaskPhone(m.To), "message", text)
	if l.Outbox == nil {
		return nil
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	return l.Outbox.PutSMS(ctx, m, now())
}

// MaskPhone keeps the country code, the first three and the last three
// digits: +62812*****899.
func MaskPhone(p string) string {
	if len(p) < 9 {
		return strings.Repeat("*", len(p))
	}
	return p[:6] + strings.Repeat("*", len(p)-9) + p[len(p)-3:]
}

// Webhook POSTs {"to": "+628…", "message": "…"} to URL, with
// "Authorization: Bearer Token" when Token is set. It does not retry: a
// failed send is reported at once, so a partner's retry cannot multiply into
// a storm against a struggling gateway.
type Webhook struct {
	URL    string
	Token  string
	Client *http.Client // with a Timeout; nil: 10 s
}

// SendSMS implements onboarding.SMSSender. Any answer but 2xx is an error.
func (w *Webhook) SendSMS(ctx context.Context, m onboarding.SMS) error {
	body, err := json.Marshal(map[string]string{"to": m.To, "message": m.Text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if w.Token != "" {
		req.Header.Set("Authorization", "Bearer "+w.Token)
	}
	c := http.Client{Timeout: 10 * time.Second}
	if w.Client != nil {
		c = *w.Client
	}
	c.CheckRedirect = noRedirects
	resp, err := c.Do(req)
	if err != nil {
		// The error text holds the URL, never the message or the token.
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			// Never connected: certainly not sent.
			return fmt.Errorf("sms webhook: %w: %w", onboarding.ErrSMSNotSent, err)
		}
		// A timeout or a broken connection: the gateway may have it.
		return fmt.Errorf("sms webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms webhook answered %s: %w", resp.Status, onboarding.ErrSMSNotSent)
	}
	return nil
}

// noRedirects makes the client answer with a redirect instead of following
// it: a 307 would re-send the message, code included, wherever it points.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
