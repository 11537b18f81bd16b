package backoffice

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP of RFC 6238 over HOTP of RFC 4226: HMAC-SHA1 (what every
// authenticator app reads from an otpauth:// URI), 30-second steps from
// the Unix epoch, 6 digits. A code of the step before or after is accepted
// too (RFC 6238 section 5.2 recommends at most one step of clock drift),
// and a step is accepted once only (Store.AcceptTOTPStep).
const (
	TOTPStep   = 30 * time.Second
	TOTPDigits = 6
	totpSkew   = 1
	// TOTPSecretLen is the secret's length: 160 bits, RFC 4226's
	// recommended size for HMAC-SHA1.
	TOTPSecretLen = 20
)

// hotp is RFC 4226 section 5.3 with digits digits.
func hotp(secret []byte, counter uint64, digits int) string {
	m := hmac.New(sha1.New, secret)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	m.Write(c[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// totpStep is the time step of t (T of RFC 6238 section 4.2, T0 = 0).
func totpStep(t time.Time) int64 { return t.Unix() / int64(TOTPStep/time.Second) }

// TOTPCode is the code of secret at t.
func TOTPCode(secret []byte, t time.Time) string {
	return hotp(secret, uint64(totpStep(t)), TOTPDigits)
}

// matchTOTP returns the step whose code is code within the allowed skew
// of t, or 0 and false.
func matchTOTP(secret []byte, code string, t time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != TOTPDigits {
		return 0, false
	}
	now := totpStep(t)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := now + d
		if s >= 0 && subtle.ConstantTimeCompare([]byte(hotp(secret, uint64(s), TOTPDigits)), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPSecretText is the secret as an authenticator app takes it typed in:
// base32 without padding.
func TOTPSecretText(secret []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
}

// TOTPURI is the otpauth:// URI of the secret (Google Authenticator's Key
// Uri Format), with the issuer and the operator's email as its label.
func TOTPURI(issuer, email string, secret []byte) string {
	v := url.Values{}
	v.Set("secret", TOTPSecretText(secret))
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(TOTPDigits))
	v.Set("period", fmt.Sprint(int(TOTPStep/time.Second)))
	return "otpauth://totp/" + url.PathEscape(issuer+":"+email) + "?" + v.Encode()
}
