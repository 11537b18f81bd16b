package backoffice

import (
	"testing"
	"time"
)

// RFC 6238 appendix B's SHA-1 vectors (8 digits, the ASCII secret
// "12345678901234567890").
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		want string
	}{{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"}, {1234567890, "89005924"},
		{2000000000, "69279037"}, {20000000000, "65353130"}} {
		if got := hotp(secret, uint64(totpStep(time.Unix(v.unix, 0))), 8); got != v.want {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.want)
		}
	}
	// RFC 4226 appendix D's HOTP values (6 digits), counters 0 and 9.
	if hotp(secret, 0, 6) != "755224" || hotp(secret, 9, 6) != "520489" {
		t.Errorf("HOTP vectors: %s %s", hotp(secret, 0, 6), hotp(secret, 9, 6))
	}
}

func TestTOTPAcceptsOneStepOfDriftOnly(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	for d, ok := range map[time.Duration]bool{0: true, -TOTPStep: true, TOTPStep: true, -2 * TOTPStep: false, 2 * TOTPStep: false} {
		if _, got := matchTOTP(secret, TOTPCode(secret, now.Add(d)), now); got != ok {
			t.Errorf("a code of %v away: %v, want %v", d, got, ok)
		}
	}
	if _, ok := matchTOTP(secret, "12345", now); ok {
		t.Error("a 5-digit code matched")
	}
}

func TestPasswordRules(t *testing.T) {
	for pw, want := range map[string]string{
		"short":                   MsgPasswordTooShort,
		"elevenchars":             MsgPasswordTooShort,
		"Password1234":            MsgPasswordCommon,
		"aaaaaaaaaaaa":            MsgPasswordCommon,
		"abcabcabcabc":            MsgPasswordCommon,
		"my-name-is-ana-ok":       MsgPasswordHasEmail,
		"correct horse battery":   "",
		"twelve chars":            "",
		string(make([]byte, 257)): MsgPasswordTooLong,
	} {
		if got := CheckPassword(pw, "my-name-is-ana@lender.example"); got != want {
			t.Errorf("%q: %q, want %q", pw, got, want)
		}
	}
}

func TestPasswordHashVerifies(t *testing.T) {
	h, err := HashPassword(zeroReader{}, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyPassword("correct horse battery", h) || VerifyPassword("correct horse batterY", h) || VerifyPassword("x", "$argon2id$bad") {
		t.Fatal("verification")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }
