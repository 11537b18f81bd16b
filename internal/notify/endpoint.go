package notify

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/webhook"
)

// ErrNoEndpoint is the store's answer to a change of a partner that has no
// endpoint yet, without a URL to create one with.
var ErrNoEndpoint = errors.New("the partner has no callback endpoint")

// EndpointInput is julo partner webhook's request: nil and false change
// nothing.
type EndpointInput struct {
	URL          *string
	Token        *string
	RotateSecret bool
	Disable      bool
}

// EndpointResult is the endpoint after the change, with the new signing
// secret when one was made (shown this once) and, after a rotation, until
// when the previous one signs too.
type EndpointResult struct {
	Endpoint
	Secret string
	// PreviousUntil: after a rotation, the previous secrets sign too until
	// then.
	PreviousUntil time.Time
}

// SetEndpoint configures where the partner named username gets its
// callbacks. The first URL makes a signing secret; RotateSecret makes a new
// one while the old one signs too for the rotation overlap (24 h); Disable
// stops deliveries (pending ones are cancelled when their turn comes), and
// a URL given again enables them. EINVALID for a URL or token that breaks
// a rule, ENOTFOUND for an unknown partner or for a change of a partner
// without an endpoint that gives no URL.
func (s *Service) SetEndpoint(ctx context.Context, username string, in EndpointInput) (EndpointResult, error) {
	var ps julo.Problems
	var c EndpointChange
	if in.URL != nil {
		u, msg := parseTarget(*in.URL, s.cfg.RequireHTTPS)
		if msg != "" {
			ps.Add("url", msg)
		}
		c.URL, c.Enable = &u, !in.Disable
	}
	if in.Token != nil {
		t := *in.Token
		if t != "" && !validToken(t) {
			ps.Add("token", i18n.CallbackTokenInvalid)
		}
		c.Token = &t
	}
	if err := ps.Err(); err != nil {
		return EndpointResult{}, err
	}
	c.Disable = in.Disable
	now := s.now()
	secret, key, err := webhook.NewSecret(s.rand)
	if err != nil {
		return EndpointResult{}, err
	}
	id, err := s.randomID("whk_")
	if err != nil {
		return EndpointResult{}, err
	}
	// The store keeps it only for a new endpoint or a rotation.
	// The store keeps it for a new endpoint or a rotation only.
	c.Secret = &Secret{ID: id, Key: key, CreatedAt: now}
	if in.RotateSecret {
		c.Rotate, c.RetireAt = true, now.Add(s.cfg.RotationOverlap)
	}
	e, stored, err := s.store.SetWebhookEndpoint(ctx, username, c, now)
	switch {
	case errors.Is(err, ErrNoEndpoint):
		return EndpointResult{}, julo.Errorf(julo.ENOTFOUND, "url", i18n.WebhookURLNeeded, username)
	case julo.ErrorCode(err) == julo.ENOTFOUND:
		return EndpointResult{}, julo.Errorf(julo.ENOTFOUND, "", i18n.PartnerUnknown, username)
	case err != nil:
		return EndpointResult{}, err
	}
	out := EndpointResult{Endpoint: e}
	if stored {
		out.Secret = secret
		if c.Rotate {
			out.PreviousUntil = c.RetireAt
		}
	}
	return out, nil
}

// CheckCallback checks a registration's callback_url and callback_token
// (nil or blank: not sent) for partner p and returns what to store ("" for
// none) and the problems, named by field: a URL must be absolute http(s)
// (https in production) and have the scheme and host of the partner's
// configured URL; either needs the partner to have one. The token is
// 1-1024 printable ASCII characters.
func (s *Service) CheckCallback(ctx context.Context, p julo.Partner, rawURL, token *string) (string, string, julo.Problems, error) {
	var ps julo.Problems
	var u, t string
	if rawURL != nil {
		u = strings.TrimSpace(*rawURL)
	}
	if token != nil {
		t = *token
	}
	if u == "" && t == "" {
		return "", "", nil, nil
	}
	e, _, err := s.store.WebhookEndpoint(ctx, p.ID, s.now())
	configured := err == nil
	if err != nil && julo.ErrorCode(err) != julo.ENOTFOUND {
		return "", "", nil, err
	}
	if u != "" {
		parsed, msg := parseTarget(u, s.cfg.RequireHTTPS)
		switch {
		case msg != "":
			ps.Add("callback_url", msg)
		case !configured:
			ps.Add("callback_url", i18n.CallbackURLUnconfigured)
		case origin(parsed) != origin(e.URL):
			ps.Add("callback_url", i18n.CallbackURLMismatch, origin(e.URL))
		}
		u = parsed
	}
	if t != "" {
		switch {
		case !validToken(t):
			ps.Add("callback_token", i18n.CallbackTokenInvalid)
		case !configured && u == "":
			ps.Add("callback_token", i18n.CallbackURLUnconfigured)
		}
	}
	return u, t, ps, nil
}

// maxURL bounds a callback URL.
const maxURL = 2048

// parseTarget checks a callback URL: absolute http or https (https when
// httpsOnly), a host, no credentials or fragment, no spaces or control
// characters. It returns the URL trimmed, or the message of the rule it
// breaks.
func parseTarget(raw string, httpsOnly bool) (string, i18n.Msg) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURL {
		return raw, i18n.CallbackURLInvalid
	}
	for _, r := range raw {
		if r <= 0x20 || r == 0x7f || r > 0x7e {
			return raw, i18n.CallbackURLInvalid
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || u.Hostname() == "" || u.Fragment != "" || strings.Contains(raw, "#") {
		return raw, i18n.CallbackURLInvalid
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if httpsOnly {
			return raw, i18n.CallbackURLHTTPS
		}
	default:
		return raw, i18n.CallbackURLInvalid
	}
	return raw, ""
}

// origin is a URL's scheme and host, lower-case, without the scheme's
// default port: what a registration's callback_url must share with the
// partner's URL.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// validToken: 1-1024 printable ASCII characters (it is sent as a header).
func validToken(t string) bool {
	if t == "" || len(t) > 1024 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 0x20 || t[i] > 0x7e {
			return false
		}
	}
	return true
}
