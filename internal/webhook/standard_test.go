package webhook

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The example of the Standard Webhooks specification (and of its reference
// libraries): our signature is theirs, byte for byte.
func TestSignatureIsTheSpecificationsExample(t *testing.T) {
	key, err := DecodeSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	if got := Signature("msg_p5jXN8AQM9LWM0D4loKWxJek", at, body, key); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	h := Headers("msg_p5jXN8AQM9LWM0D4loKWxJek", at, body, key)
	if h["webhook-id"] != "msg_p5jXN8AQM9LWM0D4loKWxJek" || h["webhook-timestamp"] != "1614265330" || h["webhook-signature"] != want {
		t.Fatalf("headers %v", h)
	}
	if err := VerifyMessage([][]byte{key}, h["webhook-id"], h["webhook-timestamp"], want, body, at.Add(4*time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("the example does not verify: %v", err)
	}
}

func TestNewSecretRoundTrips(t *testing.T) {
	r := bytes.NewReader(bytes.Repeat([]byte{7}, 32))
	s, key, err := NewSecret(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "whsec_") || len(key) != 32 {
		t.Fatalf("secret %q, key of %d bytes", s, len(key))
	}
	back, err := DecodeSecret(s)
	if err != nil || !bytes.Equal(back, key) {
		t.Fatalf("decoded %x, %v", back, err)
	}
	if _, _, err := NewSecret(bytes.NewReader(nil)); err == nil {
		t.Fatal("no randomness, yet a secret")
	}
	for _, bad := range []string{"", "whsec_", "whsec_%%%", "whsec_" + strings.Repeat("A", 8), "whsec_" + strings.Repeat("A", 200)} {
		if _, err := DecodeSecret(bad); err != ErrSecret {
			t.Errorf("DecodeSecret(%q) = %v", bad, err)
		}
	}
}

// During a rotation the header has both signatures; a receiver with either
// secret accepts it, one with neither does not.
func TestTwoSignaturesDuringARotation(t *testing.T) {
	old, cur := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"event_id":"evt_1"}`)
	sig := Signature("evt_1", at, body, cur, old)
	parts := strings.Split(sig, " ")
	if len(parts) != 2 || parts[0] != Signature("evt_1", at, body, cur) || parts[1] != Signature("evt_1", at, body, old) {
		t.Fatalf("signature %q", sig)
	}
	ts := "1796119200"
	for name, keys := range map[string][][]byte{"old": {old}, "new": {cur}, "both": {old, cur}} {
		if err := VerifyMessage(keys, "evt_1", ts, sig, body, at, time.Minute); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if VerifyMessage([][]byte{bytes.Repeat([]byte{3}, 32)}, "evt_1", ts, sig, body, at, time.Minute) == nil {
		t.Error("a third secret verifies")
	}
}

func TestVerifyMessageRefuses(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"a":1}`)
	sig := Signature("evt_1", at, body, key)
	ts := "1796119200"
	for name, c := range map[string]struct {
		keys        [][]byte
		id, ts, sig string
		body        string
		now         time.Time
	}{
		"no keys":        {nil, "evt_1", ts, sig, string(body), at},
		"other id":       {[][]byte{key}, "evt_2", ts, sig, string(body), at},
		"no id":          {[][]byte{key}, "", ts, sig, string(body), at},
		"body changed":   {[][]byte{key}, "evt_1", ts, sig, string(body) + " ", at},
		"stale":          {[][]byte{key}, "evt_1", ts, sig, string(body), at.Add(5*time.Minute + time.Second)},
		"future":         {[][]byte{key}, "evt_1", ts, sig, string(body), at.Add(-5*time.Minute - time.Second)},
		"timestamp text": {[][]byte{key}, "evt_1", "soon", sig, string(body), at},
		"other version":  {[][]byte{key}, "evt_1", ts, strings.Replace(sig, "v1,", "v2,", 1), string(body), at},
		"no comma":       {[][]byte{key}, "evt_1", ts, strings.Replace(sig, "v1,", "v1", 1), string(body), at},
		"oversized":      {[][]byte{key}, "evt_1", ts, sig + strings.Repeat(" v1,x", 1000), string(body), at},
	} {
		if err := VerifyMessage(c.keys, c.id, c.ts, c.sig, []byte(c.body), c.now, 5*time.Minute); err != ErrSignature {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Whatever the message, its own signature verifies, and any header a
// receiver is sent is judged without a panic.
func FuzzVerifyMessage(f *testing.F) {
	f.Add("evt_1", []byte(`{"a":1}`), "v1,abc v2,def", int64(1796119200))
	f.Add("", []byte{}, "", int64(0))
	key := bytes.Repeat([]byte{4}, 32)
	f.Fuzz(func(t *testing.T, id string, body []byte, header string, ts int64) {
		at := time.Unix(ts, 0)
		if id != "" && ts > 0 && ts < 1<<40 {
			h := Headers(id, at, body, key)
			if err := VerifyMessage([][]byte{key}, id, h["webhook-timestamp"], h["webhook-signature"], body, at, time.Minute); err != nil {
				t.Fatalf("own signature: %v", err)
			}
		}
		VerifyMessage([][]byte{key}, id, header, header, body, at, time.Minute)
	})
}
