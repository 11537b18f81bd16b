package client_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/client"
)

// The example of the Standard Webhooks specification (and of its reference
// libraries' tests), as internal/webhook's tests hold the server to it.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = "1614265330"
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

var specAt = time.Unix(1614265330, 0)

func whHeader(id, ts, sig string) http.Header {
	h := http.Header{}
	h.Set("Webhook-Id", id)
	h.Set("Webhook-Timestamp", ts)
	h.Set("Webhook-Signature", sig)
	return h
}

// verifierAt is a verifier of secrets whose clock stands at now.
func verifierAt(t *testing.T, now time.Time, secrets ...string) *client.Webhook {
	t.Helper()
	w, err := client.NewWebhook(secrets...)
	if err != nil {
		t.Fatalf("NewWebhook: %v", err)
	}
	w.Now = func() time.Time { return now }
	return w
}

// testSign is a signature made in the test (an HMAC of its own, for
// messages the specification's example does not cover).
func testSign(t *testing.T, secret, id, ts string, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerifyWebhookAcceptsTheSpecificationsExample(t *testing.T) {
	h := whHeader(specID, specTimestamp, specSignature)
	for name, now := range map[string]time.Time{
		"at once": specAt, "4 minutes late": specAt.Add(4 * time.Minute), "5 minutes late": specAt.Add(5 * time.Minute),
		"clock 5 minutes behind": specAt.Add(-5 * time.Minute),
	} {
		if err := verifierAt(t, now, specSecret).Verify(h, []byte(specBody)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The prefix may be left out, as the specification allows.
	if err := verifierAt(t, specAt, strings.TrimPrefix(specSecret, "whsec_")).Verify(h, []byte(specBody)); err != nil {
		t.Errorf("secret without whsec_: %v", err)
	}
	// Any one matching v1 signature verifies: another scheme's and a
	// wrong one around it are passed over.
	for _, sig := range []string{
		"v1a,abc " + specSignature,
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE0 " + specSignature + " v2,xyz",
		"  " + specSignature + "  ",
	} {
		if err := verifierAt(t, specAt, specSecret).Verify(whHeader(specID, specTimestamp, sig), []byte(specBody)); err != nil {
			t.Errorf("signature %q: %v", sig, err)
		}
	}
	// A verifier given two secrets (a rotation) accepts the example with
	// either of them first.
	other := "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	for _, secrets := range [][]string{{other, specSecret}, {specSecret, other}} {
		if err := verifierAt(t, specAt, secrets...).Verify(h, []byte(specBody)); err != nil {
			t.Errorf("secrets %q: %v", secrets, err)
		}
	}
}

func TestVerifyWebhookRefuses(t *testing.T) {
	other := "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	for name, c := range map[string]struct {
		secret      string
		id, ts, sig string
		body        string
		now         time.Time
		want        error
	}{
		"body changed":          {specSecret, specID, specTimestamp, specSignature, `{"test": 2432232315}`, specAt, client.ErrWebhookSignature},
		"body with a space":     {specSecret, specID, specTimestamp, specSignature, specBody + " ", specAt, client.ErrWebhookSignature},
		"other id":              {specSecret, "msg_other", specTimestamp, specSignature, specBody, specAt, client.ErrWebhookSignature},
		"other timestamp":       {specSecret, specID, "1614265331", specSignature, specBody, specAt, client.ErrWebhookSignature},
		"other secret":          {other, specID, specTimestamp, specSignature, specBody, specAt, client.ErrWebhookSignature},
		"signature not base64":  {specSecret, specID, specTimestamp, "v1,%%%", specBody, specAt, client.ErrWebhookSignature},
		"signature truncated":   {specSecret, specID, specTimestamp, specSignature[:20], specBody, specAt, client.ErrWebhookSignature},
		"too old":               {specSecret, specID, specTimestamp, specSignature, specBody, specAt.Add(5*time.Minute + time.Second), client.ErrWebhookTimestamp},
		"from the future":       {specSecret, specID, specTimestamp, specSignature, specBody, specAt.Add(-5*time.Minute - time.Second), client.ErrWebhookTimestamp},
		"no id":                 {specSecret, "", specTimestamp, specSignature, specBody, specAt, client.ErrWebhookHeader},
		"no timestamp":          {specSecret, specID, "", specSignature, specBody, specAt, client.ErrWebhookHeader},
		"no signature":          {specSecret, specID, specTimestamp, "", specBody, specAt, client.ErrWebhookHeader},
		"timestamp not seconds": {specSecret, specID, "2021-02-25T15:02:10Z", specSignature, specBody, specAt, client.ErrWebhookHeader},
		"timestamp negative":    {specSecret, specID, "-1", specSignature, specBody, specAt, client.ErrWebhookHeader},
		"other version only":    {specSecret, specID, specTimestamp, strings.Replace(specSignature, "v1,", "v2,", 1), specBody, specAt, client.ErrWebhookHeader},
		"no comma":              {specSecret, specID, specTimestamp, strings.Replace(specSignature, "v1,", "v1", 1), specBody, specAt, client.ErrWebhookHeader},
		"oversized":             {specSecret, specID, specTimestamp, specSignature + strings.Repeat(" v1,x", 1000), specBody, specAt, client.ErrWebhookHeader},
	} {
		err := verifierAt(t, c.now, c.secret).Verify(whHeader(c.id, c.ts, c.sig), []byte(c.body))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
			continue
		}
		// Exactly one kind of failure, and a message that says which.
		for _, e := range []error{client.ErrWebhookSignature, client.ErrWebhookTimestamp, client.ErrWebhookHeader, client.ErrWebhookSecret} {
			if e != c.want && errors.Is(err, e) {
				t.Errorf("%s: %v is also %v", name, err, e)
			}
		}
		if !strings.HasPrefix(err.Error(), c.want.Error()+": ") {
			t.Errorf("%s: %q does not start with %q", name, err, c.want)
		}
	}
	// The old timestamp's error says how old.
	err := verifierAt(t, specAt.Add(10*time.Minute), specSecret).Verify(whHeader(specID, specTimestamp, specSignature), []byte(specBody))
	if err == nil || !strings.Contains(err.Error(), "10m0s from now (tolerance 5m0s)") {
		t.Errorf("10 minutes late: %v", err)
	}
}

// The tolerance is the verifier's to set; unset it is 5 minutes.
func TestWebhookToleranceIsSettable(t *testing.T) {
	h := whHeader(specID, specTimestamp, specSignature)
	w := verifierAt(t, specAt.Add(20*time.Minute), specSecret)
	if err := w.Verify(h, []byte(specBody)); !errors.Is(err, client.ErrWebhookTimestamp) {
		t.Fatalf("20 minutes late with the default tolerance: %v", err)
	}
	w.Tolerance = 30 * time.Minute
	if err := w.Verify(h, []byte(specBody)); err != nil {
		t.Fatalf("20 minutes late with a tolerance of 30: %v", err)
	}
	w.Tolerance = time.Second
	w.Now = func() time.Time { return specAt.Add(2 * time.Second) }
	if err := w.Verify(h, []byte(specBody)); !errors.Is(err, client.ErrWebhookTimestamp) {
		t.Fatalf("2 s late with a tolerance of 1 s: %v", err)
	}
	if client.DefaultWebhookTolerance != 5*time.Minute {
		t.Fatalf("DefaultWebhookTolerance %s", client.DefaultWebhookTolerance)
	}
}

func TestNewWebhookRefusesWhatIsNotASecret(t *testing.T) {
	for _, bad := range [][]string{
		nil, {""}, {"whsec_"}, {"whsec_%%%"}, {"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 8))},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))}, {specSecret, "whsec_nope!"},
	} {
		if _, err := client.NewWebhook(bad...); !errors.Is(err, client.ErrWebhookSecret) {
			t.Errorf("NewWebhook(%q) = %v", bad, err)
		}
	}
	if err := client.VerifyWebhook("whsec_%%%", whHeader(specID, specTimestamp, specSignature), []byte(specBody)); !errors.Is(err, client.ErrWebhookSecret) {
		t.Errorf("VerifyWebhook with a bad secret: %v", err)
	}
}

// VerifyWebhook uses the system clock: the example (of 2021) is too old
// for it, a message signed now is not.
func TestVerifyWebhookUsesTheSystemClock(t *testing.T) {
	if err := client.VerifyWebhook(specSecret, whHeader(specID, specTimestamp, specSignature), []byte(specBody)); !errors.Is(err, client.ErrWebhookTimestamp) {
		t.Fatalf("the 2021 example now: %v", err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	body := []byte(`{"event_id":"evt_1"}`)
	if err := client.VerifyWebhook(specSecret, whHeader("evt_1", ts, testSign(t, specSecret, "evt_1", ts, body)), body); err != nil {
		t.Fatalf("a message of now: %v", err)
	}
}

// Callback decodes a verified body; Request reads, verifies and decodes
// a receiver's request.
func TestWebhookCallbackDecodesTheVerifiedBody(t *testing.T) {
	body := []byte(`{"application_xid":7040253099,"application_status":"LOAN_ACTIVE","notification_customer_to_continue_register":false,` +
		`"event_id":"evt_9","event_type":"loan.status_changed","occurred_at":"2026-11-24T09:05:00Z","sequence":7,` +
		`"application_status_code":190,"loan_xid":5500001,"loan_status":"CURRENT","loan_status_code":220}`)
	ts := strconv.FormatInt(specAt.Unix(), 10)
	h := whHeader("evt_9", ts, testSign(t, specSecret, "evt_9", ts, body))
	w := verifierAt(t, specAt, specSecret)
	want := client.Callback{ApplicationXID: 7040253099, ApplicationStatus: "LOAN_ACTIVE", EventID: "evt_9", EventType: client.EventLoanStatusChanged,
		OccurredAt: time.Date(2026, 11, 24, 9, 5, 0, 0, time.UTC), Sequence: 7, ApplicationStatusCode: 190, LoanXID: 5500001,
		LoanStatus: "CURRENT", LoanStatusCode: 220}
	cb, err := w.Callback(h, body)
	if err != nil || *cb != want {
		t.Fatalf("Callback = %+v, %v", cb, err)
	}
	r := httptest.NewRequest(http.MethodPost, "/julo", strings.NewReader(string(body)))
	r.Header = h
	if cb, err := w.Request(r); err != nil || *cb != want {
		t.Fatalf("Request = %+v, %v", cb, err)
	}
	// A tampered body is refused before it is decoded.
	if _, err := w.Callback(h, []byte(strings.Replace(string(body), "7040253099", "7040253098", 1))); !errors.Is(err, client.ErrWebhookSignature) {
		t.Fatalf("tampered: %v", err)
	}
	// Signed, but not a callback body, or one naming another event.
	for _, b := range []string{`not json`, `{"event_id":"evt_8","sequence":1}`} {
		h := whHeader("evt_9", ts, testSign(t, specSecret, "evt_9", ts, []byte(b)))
		if _, err := w.Callback(h, []byte(b)); err == nil || errors.Is(err, client.ErrWebhookSignature) {
			t.Errorf("body %s: %v", b, err)
		}
	}
	// A body over MaxCallbackBytes is refused unread beyond it.
	big := httptest.NewRequest(http.MethodPost, "/julo", strings.NewReader(strings.Repeat(" ", client.MaxCallbackBytes+1)))
	big.Header = h
	if _, err := w.Request(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized body: %v", err)
	}
}

// A receiver's handler: the callback read, verified and decoded.
func ExampleWebhook_Request() {
	hook, err := client.NewWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") // the secret JULO handed you
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/julo", func(w http.ResponseWriter, r *http.Request) {
		cb, err := hook.Request(r)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Deduplicate by cb.EventID; order an application's events by
		// cb.Sequence.
		_ = cb
		w.WriteHeader(http.StatusNoContent)
	})
}
