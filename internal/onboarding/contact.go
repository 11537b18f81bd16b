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

// phoneDigits strips the separators people type (spaces, dashes, dots,
// parentheses) and turns +62/62 into the national 0 prefix. ok is false when
// anything else than digits remains.
func phoneDigits(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	if strings.HasPrefix(s, "+") && !strings.HasPrefix(d, "62") {
		return "", false // another country's number
	}
	if strings.HasPrefix(d, "62") {
		d = "0" + d[2:]
	}
	return d, d != ""
}

// NormalizeMobile accepts an Indonesian mobile number as 08…, 628… or +628…
// (10-14 digits in the 08 form) and returns the 08 form, which is how it is
// stored and compared.
func NormalizeMobile(s string) (string, bool) {
	d, ok := phoneDigits(s)
	if !ok || len(d) < 10 || len(d) > 14 || !strings.HasPrefix(d, "08") || d[2] == '0' {
		return "", false
	}
	return d, true
}

// MobileE164 turns a normalized 08… number into +628….
func MobileE164(national string) string { return "+62" + strings.TrimPrefix(national, "0") }

// NormalizeLandline accepts a fixed-line number with its area code (021…, or
// +62 21…), 9-15 digits in the 0 form, and refuses mobile numbers.
func NormalizeLandline(s string) (string, bool) {
	d, ok := phoneDigits(s)
	if !ok || len(d) < 9 || len(d) > 15 || d[0] != '0' || d[1] == '0' || d[1] == '8' {
		return "", false
	}
	return d, true
}
