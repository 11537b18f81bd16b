package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignThenVerify(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"task":"abc","status":"success"}`)
	sig := Sign(secret, now, body)
	if !strings.HasPrefix(sig, "t=1796119200,v1=") || len(sig) != len("t=1796119200,v1=")+64 {
		t.Fatalf("signature %q", sig)
	}
	if err := Verify(secret, sig, body, now.Add(4*time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("a fresh signature: %v", err)
	}
	if err := Verify(secret, " v1="+sig[strings.Index(sig, "v1=")+3:]+" , "+sig[:strings.Index(sig, ",")], body, now, time.Minute); err != nil {
		t.Fatalf("parts in another order with spaces: %v", err)
	}
	for name, c := range map[string]struct {
		secret []byte
		header string
		body   string
		at     time.Time
	}{
		"no secret":         {nil, sig, string(body), now},
		"other secret":      {[]byte("another secret of thirty-two bytes"), sig, string(body), now},
		"body changed":      {secret, sig, string(body) + " ", now},
		"too old":           {secret, sig, string(body), now.Add(5*time.Minute + time.Second)},
		"from the future":   {secret, sig, string(body), now.Add(-5*time.Minute - time.Second)},
		"no timestamp":      {secret, sig[strings.Index(sig, ",")+1:], string(body), now},
		"no mac":            {secret, sig[:strings.Index(sig, ",")], string(body), now},
		"timestamp changed": {secret, strings.Replace(sig, "t=1796119200", "t=1796119201", 1), string(body), now},
		"garbage":           {secret, "hello", string(body), now},
		"oversized":         {secret, sig + strings.Repeat(",x=y", 200), string(body), now},
	} {
		if err := Verify(c.secret, c.header, []byte(c.body), c.at, 5*time.Minute); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzVerifyNeverPanics(f *testing.F) {
	f.Add("t=1,v1=00", []byte("{}"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		Verify([]byte("0123456789abcdef0123456789abcdef"), header, body, time.Unix(1, 0), time.Minute)
	})
}
