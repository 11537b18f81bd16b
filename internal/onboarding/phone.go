package onboarding

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/refdata"
)

// Phone numbers are checked against libphonenumber's metadata (Google's
// numbering-plan data, through github.com/nyaruka/phonenumbers), with our
// stricter rules on top. Each refusal is a problem naming the rule that failed.

// phoneInput is a number as typed, reduced to its digits.
type phoneInput struct {
	national string // the national form: 0… for +62/62/0 numbers, else the digits as typed
	country  int    // the country calling code of a +CC number other than +62; 0 otherwise
}

// readPhone strips the separators people type (spaces, dashes, dots,
// parentheses) and turns +62/62 into the national 0 prefix. ok is false when
// anything else than digits remains, or nothing does.
func readPhone(s string) (phoneInput, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return phoneInput{}, false
		}
	}
	d := b.String()
	if d == "" {
		return phoneInput{}, false
	}
	if strings.HasPrefix(s, "+") && !strings.HasPrefix(d, "62") {
		// Another country's number: which one, for the message (-1: no
		// country's code at all).
		cc := -1
		if n, err := phonenumbers.Parse("+"+d, "ZZ"); err == nil && n.GetCountryCode() != 62 {
			cc = int(n.GetCountryCode())
		}
		return phoneInput{national: d, country: cc}, true
	}
	if strings.HasPrefix(d, "62") {
		d = "0" + d[2:]
	}
	return phoneInput{national: d}, true
}

// parseID reads a national number with Indonesia's numbering plan; ok is
// false when libphonenumber does not know it as a valid Indonesian number.
func parseID(national string) (n *phonenumbers.PhoneNumber, t phonenumbers.PhoneNumberType, ok bool) {
	n, err := phonenumbers.Parse(national, "ID")
	if err != nil || n.GetCountryCode() != 62 || !phonenumbers.IsValidNumberForRegion(n, "ID") {
		return nil, phonenumbers.UNKNOWN, false
	}
	return n, phonenumbers.GetNumberType(n), true
}

func problem(msg i18n.Msg, args ...any) *julo.Problem { return &julo.Problem{Msg: msg, Args: args} }

// CheckMobile accepts an Indonesian mobile number as 08…, 628… or +628… and
// returns the 08 form, which is how it is stored and compared. On top of
// libphonenumber's mobile ranges it holds our rules: the number starts with
// 08 (so 8… without the 0 is refused), has 10-13 digits in the 08 form, and
// its prefix is neither 080x (service numbers) nor the unallocated 084x.
// The problem, when the number is refused, says which rule failed.
func CheckMobile(s string) (string, *julo.Problem) {
	in, ok := readPhone(s)
	switch {
	case !ok:
		return "", problem(i18n.MobileChars)
	case in.country > 0:
		return "", problem(i18n.MobileForeign, in.country)
	case in.country < 0:
		return "", problem(i18n.MobilePrefix)
	}
	d := in.national
	switch {
	case !strings.HasPrefix(d, "0"):
		return "", problem(i18n.MobilePrefix)
	case !strings.HasPrefix(d, "08"):
		if _, t, ok := parseID(d); ok && t == phonenumbers.FIXED_LINE {
			if code, _, known := refdata.AreaCode(d); known {
				return "", problem(i18n.MobileIsLandline, d, code)
			}
		}
		return "", problem(i18n.MobilePrefix)
	case len(d) >= 4 && strings.HasPrefix(d, "084"):
		return "", problem(i18n.MobileUnassigned, d[:4])
	case len(d) >= 4 && strings.HasPrefix(d, "080"):
		if serviceNumber(d) {
			return "", problem(i18n.MobileIsService, d[:4])
		}
		return "", problem(i18n.MobileUnassigned, d[:4])
	case len(d) < 10 || len(d) > 13:
		return "", problem(i18n.MobileLength, len(d))
	}
	n, t, ok := parseID(d)
	if !ok || (t != phonenumbers.MOBILE && t != phonenumbers.FIXED_LINE_OR_MOBILE) {
		return "", problem(i18n.MobileInvalid, d)
	}
	return "0" + phonenumbers.GetNationalSignificantNumber(n), nil
}

// serviceNumber reports whether libphonenumber knows the 080x number d as a
// toll-free, premium-rate, shared-cost or universal-access number; the
// prefix alone decides when d is too short to be valid.
func serviceNumber(d string) bool {
	if _, t, ok := parseID(d); ok {
		switch t {
		case phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.UAN:
			return true
		}
	}
	switch d[:4] {
	case "0800", "0804", "0807", "0809":
		return true
	}
	return false
}

// NormalizeMobile is CheckMobile without the reason.
func NormalizeMobile(s string) (string, bool) {
	m, p := CheckMobile(s)
	return m, p == nil
}

// MobileE164 turns a normalized 08… number into +628….
func MobileE164(national string) string { return "+62" + strings.TrimPrefix(national, "0") }

// CheckOfficePhone accepts the number of a company's office, returned in its
// national form:
//   - a landline with a real Indonesian area code (refdata.AreaCode), 9-12
//     digits with the area code, that libphonenumber knows as a fixed line
//     (021 5365 3232, +62 274 512345);
//   - a toll-free 0800… number (libphonenumber's toll-free range);
//   - a call-centre number: 1500 and 3 digits (libphonenumber's universal
//     access range), or 1300 and 3 digits (ours: libphonenumber lists no
//     1300 range, but companies publish such numbers).
//
// A mobile number is refused, as are the other service ranges (premium,
// shared cost). The problem says which rule failed.
func CheckOfficePhone(s string) (string, *julo.Problem) {
	in, ok := readPhone(s)
	switch {
	case !ok:
		return "", problem(i18n.OfficeChars)
	case in.country > 0:
		return "", problem(i18n.OfficeForeign, in.country)
	case in.country < 0:
		return "", problem(i18n.OfficePrefix)
	}
	d := in.national
	switch {
	case strings.HasPrefix(d, "1500") || strings.HasPrefix(d, "1300"):
		if callCentre(d) {
			return d, nil
		}
		return "", problem(i18n.OfficeCallCentre, d)
	case !strings.HasPrefix(d, "0") || strings.HasPrefix(d, "00"):
		return "", problem(i18n.OfficePrefix)
	case strings.HasPrefix(d, "0800"):
		if _, t, ok := parseID(d); ok && t == phonenumbers.TOLL_FREE {
			return d, nil
		}
		return "", problem(i18n.OfficeTollFree, d)
	case strings.HasPrefix(d, "08"):
		if _, t, ok := parseID(d); ok && (t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE) {
			return "", problem(i18n.OfficeIsMobile, d)
		}
		return "", problem(i18n.OfficeServiceType, d[:min(len(d), 4)])
	}
	code, places, ok := refdata.AreaCode(d)
	if !ok {
		return "", problem(i18n.OfficeAreaCode, d)
	}
	if len(d) < 9 || len(d) > 12 {
		return "", problem(i18n.OfficeLength, len(d))
	}
	// A number libphonenumber takes for a fixed line is returned in its
	// national form; one it takes for another service is refused. One it
	// does not know as valid, with a real area code and 9-12 digits, is
	// accepted as sent: the partner documentation's own example (021123456)
	// has fewer digits after 021 than Jakarta numbers do, and partners copy
	// the documentation.
	if n, t, ok := parseID(d); ok {
		if t == phonenumbers.FIXED_LINE || t == phonenumbers.FIXED_LINE_OR_MOBILE {
			return "0" + phonenumbers.GetNationalSignificantNumber(n), nil
		}
		return "", problem(i18n.OfficeInvalid, d, code, places)
	}
	return d, nil
}

// callCentre reports whether d is 1500xxx (libphonenumber's universal access
// numbers) or 1300xxx.
func callCentre(d string) bool {
	if len(d) != 7 {
		return false
	}
	if strings.HasPrefix(d, "1300") {
		return allDigits(d)
	}
	_, t, ok := parseID(d)
	return ok && t == phonenumbers.UAN
}
