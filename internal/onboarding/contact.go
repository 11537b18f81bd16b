package onboarding

import (
	"net/mail"
	"strings"
)

// NormalizeEmail checks that s is one plain RFC 5322 address (no display name,
// no angle brackets) with a dotted domain, and returns it lower-cased.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || len(local) > 64 || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") ||
		strings.HasPrefix(domain, "[") {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

// BlockedEmailDomain returns the domain of a normalized email when it starts with
// one of the blocked prefixes ("yahoo." blocks yahoo.com and yahoo.co.id).
func BlockedEmailDomain(email string, blocked []string) (string, bool) {
	_, domain, _ := strings.Cut(email, "@")
	for _, b := range blocked {
		if b != "" && strings.HasPrefix(domain, b) {
			return domain, true
		}
	}
	return "", false
}

// DefaultBlockedEmailDomains are the production lender's refused domains.
var DefaultBlockedEmailDomains = []string{"yahoo.", "ymail.", "rocketmail.", "hotmail."}
