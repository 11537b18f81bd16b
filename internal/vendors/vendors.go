// Package vendors holds the outside data providers: the BPJS login vendor
// and the bank-scraper service, each with a production adapter that speaks
// HTTP to the configured vendor and a sandbox provider that behaves like it.
package vendors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// BPJSVendor builds the vendor's login URL: the configured base URL with the
// box token of the app type, the task's opaque pass-back value and our
// callback URL (the shape of the partner documentation's example).
type BPJSVendor struct {
	LoginURLBase string            // e.g. https://vendor.example/box/safety/id/bpjs
	BoxTokens    map[string]string // app type -> box token
}

// LoginURL implements onboarding.BPJSProvider.
func (v *BPJSVendor) LoginURL(ctx context.Context, l onboarding.BPJSLogin) (string, error) {
	u, err := url.Parse(v.LoginURLBase)
	if err != nil {
		return "", fmt.Errorf("bpjs login url: %w", err)
	}
	q := u.Query()
	q.Set("box_token", v.BoxTokens[l.AppType])
	q.Set("passback_params", l.Token)
	q.Set("cb", l.CallbackURL)
	q.Set("fix", "1")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// SandboxBPJS sends the customer to this server's own sandbox login page.
type SandboxBPJS struct {
	PublicURL string
}

// LoginURL implements onboarding.BPJSProvider.
func (v *SandboxBPJS) LoginURL(ctx context.Context, l onboarding.BPJSLogin) (string, error) {
	return v.PublicURL + "/api/partnership/v1/sandbox/bpjs/login?" + url.Values{"task": {l.Token}, "app_type": {l.AppType}}.Encode(), nil
}

// Scraper forwards imports to the scraper service: POST URL with the job as
// JSON and "Authorization: Bearer Token". The service answers 2xx with a
// JSON object and reports progress to the callback URL. The call is bounded
// by the client's timeout and never retried here.
type Scraper struct {
	URL    string
	Token  string
	Client *http.Client // with a Timeout
}

// maxVendorAnswer bounds how much of a vendor's answer is read.
const maxVendorAnswer = 64 << 10

// StartImport implements onboarding.BankScraper.
func (s *Scraper) StartImport(ctx context.Context, j onboarding.BankJob) ([]onboarding.PlannedEvent, error) {
	body, err := json.Marshal(map[string]string{
		"import_id": j.Ref, "bank": j.Bank, "username": j.Username, "password": j.Password, "callback_url": j.CallbackURL,
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	c := *s.Client
	c.CheckRedirect = noRedirects
	resp, err := c.Do(req)
	if err != nil {
		// *url.Error names the URL only; the body (credentials) never
		// appears in an error.
		return nil, fmt.Errorf("scraper: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxVendorAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("scraper: reading the answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("scraper answered %s", resp.Status)
	}
	if len(b) > maxVendorAnswer {
		return nil, errors.New("scraper: answer larger than 64 KiB")
	}
	var ok map[string]any
	if err := json.Unmarshal(b, &ok); err != nil {
		return nil, errors.New("scraper: the answer is not a JSON object")
	}
	return nil, nil
}

// noRedirects makes the client answer with a redirect instead of following
// it: a 307 would re-send the job, bank credentials included, wherever it
// points.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// SandboxScraper decides each import's outcome by its test username, like a
// payment sandbox's test cards, and plays it out over a few seconds.
type SandboxScraper struct{}

// SandboxBankLogins are the documented test usernames and their outcomes.
var SandboxBankLogins = map[string][]onboarding.PlannedEvent{
	"sandbox_ok": {
		{Status: onboarding.ImportAuthSuccess, After: 1 * time.Second},
		{Status: onboarding.ImportScrapeSuccess, After: 2 * time.Second},
		{Status: onboarding.ImportLoadSuccess, After: 3 * time.Second},
	},
	"sandbox_wrong_password": {
		{Status: onboarding.ImportAuthFailed, Message: "username or password is wrong", After: 1 * time.Second},
	},
	"sandbox_bank_down": {
		{Status: onboarding.ImportAuthSuccess, After: 1 * time.Second},
		{Status: onboarding.ImportScrapeFailed, Message: "the bank's service is unavailable", Reason: onboarding.ReasonBankUnavailable, After: 2 * time.Second},
	},
}

// StartImport implements onboarding.BankScraper. Any other username fails
// at login, as a wrong password would.
func (SandboxScraper) StartImport(ctx context.Context, j onboarding.BankJob) ([]onboarding.PlannedEvent, error) {
	if plan, ok := SandboxBankLogins[strings.ToLower(strings.TrimSpace(j.Username))]; ok {
		return plan, nil
	}
	return []onboarding.PlannedEvent{{Status: onboarding.ImportAuthFailed,
		Message: "unknown sandbox test username: use sandbox_ok, sandbox_wrong_password or sandbox_bank_down", After: time.Second}}, nil
}

// Unconfigured answers that the feature is not set up on this server.
type Unconfigured struct {
	What string
}

func (u Unconfigured) err() error {
	return &julo.Error{Code: julo.EUNAVAILABLE, Problems: []julo.Problem{{Msg: i18n.VendorNotConfigured, Args: []any{u.What}}}}
}

// LoginURL implements onboarding.BPJSProvider.
func (u Unconfigured) LoginURL(context.Context, onboarding.BPJSLogin) (string, error) {
	return "", u.err()
}

// StartImport implements onboarding.BankScraper.
func (u Unconfigured) StartImport(context.Context, onboarding.BankJob) ([]onboarding.PlannedEvent, error) {
	return nil, u.err()
}
