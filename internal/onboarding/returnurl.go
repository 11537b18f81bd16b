package onboarding

import (
	"context"
	"net/url"
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Return URLs: where a page of an external step (the BPJS login) may send
// the customer back to, the partner's app. A partner registers prefixes
// (SetPartnerReturnURLs); a redirect_url must start with one of them, so the
// server is never an open redirect.

// maxReturnURL bounds a return URL or prefix (browsers and proxies cut
// longer URLs anyway).
const maxReturnURL = 2048

// maxReturnURLPrefixes bounds the prefixes of one partner.
const maxReturnURLPrefixes = 20

// unsafeSchemes are the schemes a page must never navigate to: they run
// script or read local data instead of opening an app.
var unsafeSchemes = []string{"javascript", "data", "vbscript", "file", "blob", "about", "filesystem"}

// parseReturnURL parses u as an absolute URL with a scheme this server may
// send a customer to and a host, without credentials, and refuses anything
// a browser might read differently than Go does (backslashes, spaces,
// control characters).
func parseReturnURL(u string) (*url.URL, bool) {
	if u == "" || len(u) > maxReturnURL || strings.ContainsAny(u, "\\ ") {
		return nil, false
	}
	for _, r := range u {
		if r < 0x21 || r == 0x7f || julo.IsUnsafeRune(r) {
			return nil, false
		}
	}
	p, err := url.Parse(u)
	if err != nil || p.Opaque != "" || p.User != nil || p.Host == "" || contains(unsafeSchemes, p.Scheme) {
		return nil, false
	}
	return p, true
}

// normalizePrefix returns the canonical form of a return-URL prefix: scheme
// and host lower-case, at least the path "/", no query or fragment. The
// path is what makes the host part whole: "https://app.example" would
// otherwise also match "https://app.example.evil.com".
func normalizePrefix(prefix string) (string, bool) {
	p, ok := parseReturnURL(strings.TrimSpace(prefix))
	if !ok || p.RawQuery != "" || p.ForceQuery || p.Fragment != "" || strings.Contains(prefix, "#") {
		return "", false
	}
	return canonicalURL(p), true
}

// canonicalURL is scheme and host lower-case and the escaped path, at least
// "/": the form prefixes are stored in and redirect URLs compared in.
func canonicalURL(p *url.URL) string {
	path := p.EscapedPath()
	if path == "" {
		path = "/"
	}
	return strings.ToLower(p.Scheme) + "://" + strings.ToLower(p.Host) + path
}

// returnURLAllowed reports whether redirect starts with one of prefixes
// (each in normalizePrefix's form), compared on the URL as parsed: scheme,
// host and the start of the path.
func returnURLAllowed(prefixes []string, redirect string) bool {
	p, ok := parseReturnURL(redirect)
	if !ok {
		return false
	}
	canonical := canonicalURL(p)
	for _, prefix := range prefixes {
		if strings.HasPrefix(canonical, prefix) {
			return true
		}
	}
	return false
}

// redirectProblem is "" when redirect may be used with prefixes, else the
// message saying why not.
func redirectProblem(prefixes []string, redirect string) i18n.Msg {
	switch {
	case len(prefixes) == 0:
		return i18n.ReturnURLNoneRegistered
	case !returnURLAllowed(prefixes, redirect):
		return i18n.ReturnURLNotRegistered
	}
	return ""
}

// SetPartnerReturnURLs replaces the return-URL prefixes of the partner with
// prefixes (an empty list removes them all) and returns them as stored
// (canonical form, duplicates dropped). A prefix that is not an absolute
// URL with a host and a safe scheme, or has a query or fragment, is
// EINVALID; an unknown partner is ENOTFOUND.
func (s *Service) SetPartnerReturnURLs(ctx context.Context, username string, prefixes []string) ([]string, error) {
	out := []string{}
	for _, raw := range prefixes {
		p, ok := normalizePrefix(raw)
		if !ok {
			return nil, julo.Errorf(julo.EINVALID, "return_url_prefix", i18n.ReturnURLPrefixInvalid, raw)
		}
		if !contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) > maxReturnURLPrefixes {
		return nil, julo.Errorf(julo.EINVALID, "return_url_prefix", i18n.ReturnURLTooMany, maxReturnURLPrefixes)
	}
	if err := s.store.SetReturnURLPrefixes(ctx, username, out, s.now()); err != nil {
		return nil, partnerErr(username, err)
	}
	return out, nil
}
