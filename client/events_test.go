package client_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/client"
)

// receivedCall is one callback as the receiver got it.
type receivedCall struct {
	Header http.Header
	Body   []byte
}

// receiver is a partner's callback receiver on 127.0.0.1 (httptest): it
// records every request and answers with status (204 unless set).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []receivedCall
	status int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusNoContent}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.calls = append(r.calls, receivedCall{Header: req.Header.Clone(), Body: body})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setStatus(s int) { r.mu.Lock(); r.status = s; r.mu.Unlock() }

func (r *receiver) got() []receivedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// withID is the calls whose webhook-id is id.
func (r *receiver) withID(id string) []receivedCall {
	var out []receivedCall
	for _, c := range r.got() {
		if c.Header.Get("webhook-id") == id {
			out = append(out, c)
		}
	}
	return out
}

// eventually polls cond, bounded in real time: the deliveries are jobs
// of the server process, on its own clock.
func eventually(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cli runs a julo command on the test server's data and database and
// decodes what it prints into out.
func cli(t *testing.T, out any, args ...string) {
	t.Helper()
	b, err := exec.Command(srv.bin, julo(args...)...).Output()
	if err != nil {
		t.Fatalf("julo %v: %v: %s", args, err, stderrOf(err))
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("julo %v printed %q", args, b)
	}
}

// webhookOut is what `julo partner webhook` prints.
type webhookOut struct {
	URL           string     `json:"url"`
	Secret        string     `json:"signing_secret"`
	PreviousUntil *time.Time `json:"previous_secret_signs_until"`
}

// newWebhookPartner creates a partner of its own (so that no other
// test's events reach the receiver) with its callbacks configured to a
// new receiver; it returns its client, the receiver, the URL and the
// signing secret.
func newWebhookPartner(t *testing.T, name string) (*client.Client, *receiver, string, string) {
	t.Helper()
	user := name + "-" + run
	var p struct {
		SecretKey string `json:"secret_key"`
	}
	cli(t, &p, "partner", "create", user)
	recv := newReceiver(t)
	u := recv.srv.URL + "/julo/callbacks"
	var w webhookOut
	cli(t, &w, "partner", "webhook", user, "--url", u)
	if w.URL != u || len(w.Secret) < 10 || w.Secret[:6] != client.WebhookSecretPrefix {
		t.Fatalf("partner webhook printed %+v", w)
	}
	return client.New(srv.url, user, p.SecretKey), recv, u, w.Secret
}

// otherSecret is a signing secret JULO never issued.
func otherSecret(t *testing.T) string {
	b := make([]byte, 32)
	rand.Read(b)
	return client.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// A customer's journey to the offered limit, seen by the partner's
// receiver: one signed callback per event of the feed, each verified by
// VerifyWebhook and its body the feed's event, and refused once tampered
// with, under another secret or too late; the feed paged with after; one
// event with its delivery; a redelivery (idempotent under its key) with
// the same webhook-id; the sandbox's test callback, delivered and not,
// and after a secret rotation signed with both secrets.
func TestCallbacksVerifyAndTheEventsFeed(t *testing.T) {
	ctx := context.Background()
	c, recv, hookURL, secret := newWebhookPartner(t, "client-cb")
	cu := newCustomer(t)
	xid := submitted(t, c, cu)
	st := decided(t, c, xid, func(*client.ApplicationStatus) bool { return true })
	if st.StatusCode != client.StatusLimitGenerated {
		t.Fatalf("the journey ended at %d", st.StatusCode)
	}

	// The whole feed at once, then in pages of one with after.
	all, err := c.Events(ctx, client.EventsRequest{Limit: 500})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	evs := all.Events
	if len(evs) < 3 || all.HasMore || all.NextAfter != evs[len(evs)-1].EventID {
		t.Fatalf("the feed: has_more %v next_after %q, %d events %+v", all.HasMore, all.NextAfter, len(evs), evs)
	}
	for i, e := range evs {
		if e.ApplicationXID != xid || e.Sequence != int64(i+1) || e.EventID == "" || e.OccurredAt.IsZero() ||
			i > 0 && e.OccurredAt.Before(evs[i-1].OccurredAt) {
			t.Fatalf("event %d of the feed: %+v", i, e)
		}
		if e.EventType == client.EventApplicationStatusChanged && e.Verification != nil {
			t.Fatalf("a status event with a verification: %+v", e)
		}
	}
	first, last := evs[0], evs[len(evs)-1]
	if first.ApplicationStatusCode != client.StatusFormCreated || first.EventType != client.EventApplicationStatusChanged || first.CustomerToContinueRegister ||
		last.ApplicationStatusCode != client.StatusLimitGenerated || last.ApplicationStatus != "LIMIT_GENERATED" || !last.CustomerToContinueRegister {
		t.Fatalf("first event %+v, last %+v", first, last)
	}
	var paged []client.Event
	after := ""
	for i := 0; ; i++ {
		p, err := c.Events(ctx, client.EventsRequest{After: after, Limit: 1})
		if err != nil {
			t.Fatalf("Events after %q: %v", after, err)
		}
		if len(p.Events) != 1 {
			t.Fatalf("a page of %d events with limit 1", len(p.Events))
		}
		paged = append(paged, p.Events...)
		if p.NextAfter != p.Events[0].EventID {
			t.Fatalf("next_after %q after %q", p.NextAfter, p.Events[0].EventID)
		}
		if !p.HasMore {
			break
		}
		if i > len(evs) {
			t.Fatalf("more pages than events")
		}
		after = p.NextAfter
	}
	if !slices.EqualFunc(paged, evs, func(a, b client.Event) bool { return a.EventID == b.EventID }) {
		t.Fatalf("paged %+v, all at once %+v", paged, evs)
	}
	// After the last event: nothing yet, and the same after for next time.
	if p, err := c.Events(ctx, client.EventsRequest{After: last.EventID}); err != nil || len(p.Events) != 0 || p.HasMore || p.NextAfter != last.EventID {
		t.Fatalf("after the last: %+v, %v", p, err)
	}

	// One callback per event, each verified and its body the event's.
	eventually(t, "a callback of every event", 30*time.Second, func() bool {
		for _, e := range evs {
			if len(recv.withID(e.EventID)) == 0 {
				return false
			}
		}
		return true
	})
	if n := len(recv.got()); n != len(evs) {
		t.Fatalf("%d callbacks for %d events", n, len(evs))
	}
	w, err := client.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		calls := recv.withID(e.EventID)
		if len(calls) != 1 {
			t.Fatalf("%d callbacks of %s", len(calls), e.EventID)
		}
		call := calls[0]
		if err := client.VerifyWebhook(secret, call.Header, call.Body); err != nil {
			t.Fatalf("callback of %s: %v", e.EventID, err)
		}
		cb, err := w.Callback(call.Header, call.Body)
		if err != nil {
			t.Fatalf("Callback of %s: %v", e.EventID, err)
		}
		if !sameCallback(*cb, e.Callback) || call.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("callback %+v (%s), the feed's event %+v", cb, call.Header.Get("Content-Type"), e.Callback)
		}
	}
	// Tampered with, under another secret, or verified too late: refused.
	call := recv.withID(last.EventID)[0]
	tampered := slices.Clone(call.Body)
	tampered[len(tampered)/2] ^= 1
	if err := client.VerifyWebhook(secret, call.Header, tampered); !errors.Is(err, client.ErrWebhookSignature) {
		t.Fatalf("a tampered body: %v", err)
	}
	if err := client.VerifyWebhook(otherSecret(t), call.Header, call.Body); !errors.Is(err, client.ErrWebhookSignature) {
		t.Fatalf("another secret: %v", err)
	}
	late, _ := client.NewWebhook(secret)
	late.Now = func() time.Time { return time.Now().Add(client.DefaultWebhookTolerance + time.Minute) }
	if err := late.Verify(call.Header, call.Body); !errors.Is(err, client.ErrWebhookTimestamp) {
		t.Fatalf("verified 6 minutes on: %v", err)
	}
	late.Tolerance = time.Hour
	if err := late.Verify(call.Header, call.Body); err != nil {
		t.Fatalf("6 minutes on with an hour's tolerance: %v", err)
	}

	// The event with its delivery: delivered at the first attempt.
	var d *client.EventDetail
	eventually(t, "the delivery recorded", 30*time.Second, func() bool {
		if d, err = c.Event(ctx, last.EventID); err != nil {
			t.Fatalf("Event: %v", err)
		}
		return len(d.Deliveries) == 1 && d.Deliveries[0].State == client.DeliveryDelivered
	})
	if d.EventID != last.EventID || !sameCallback(d.Callback, last.Callback) {
		t.Fatalf("Event %+v, the feed's %+v", d.Event, last)
	}
	dl := d.Deliveries[0]
	if dl.Target != client.TargetPartner || dl.NextAttemptAt != nil || dl.DeliveryID == 0 || dl.CreatedAt.IsZero() || len(dl.Attempts) != 1 {
		t.Fatalf("delivery %+v", dl)
	}
	if a := dl.Attempts[0]; a.Attempt != 1 || a.StatusCode != http.StatusNoContent || a.Error != "" || a.AttemptedAt.IsZero() || a.Duration() < 0 {
		t.Fatalf("attempt %+v", a)
	}

	// A redelivery: a new delivery, its answer replayed under its key, and
	// a second callback with the same webhook-id.
	key := client.NewIdempotencyKey()
	r1, err := c.Redeliver(client.WithIdempotencyKey(ctx, key), last.EventID)
	if err != nil {
		t.Fatalf("Redeliver: %v", err)
	}
	if r1.EventID != last.EventID || r1.Delivery.State != client.DeliveryPending || r1.Delivery.DeliveryID == dl.DeliveryID || r1.Delivery.Target != client.TargetPartner {
		t.Fatalf("Redeliver: %+v", r1)
	}
	r2, err := c.Redeliver(client.WithIdempotencyKey(ctx, key), last.EventID)
	if err != nil || r2.Delivery.DeliveryID != r1.Delivery.DeliveryID {
		t.Fatalf("Redeliver again with its key: %+v, %v (first %+v)", r2, err, r1)
	}
	eventually(t, "the redelivery delivered", 30*time.Second, func() bool {
		if d, err = c.Event(ctx, last.EventID); err != nil {
			t.Fatalf("Event: %v", err)
		}
		return len(d.Deliveries) == 2 && d.Deliveries[1].State == client.DeliveryDelivered
	})
	if d.Deliveries[1].DeliveryID != r1.Delivery.DeliveryID || len(d.Deliveries[1].Attempts) != 1 || d.Deliveries[1].Attempts[0].StatusCode != http.StatusNoContent {
		t.Fatalf("deliveries after the redelivery: %+v", d.Deliveries)
	}
	again := recv.withID(last.EventID)
	if len(again) != 2 {
		t.Fatalf("%d callbacks of %s after the redelivery", len(again), last.EventID)
	}
	if cb, err := w.Callback(again[1].Header, again[1].Body); err != nil || !sameCallback(*cb, last.Callback) {
		t.Fatalf("the redelivered callback: %+v, %v", cb, err)
	}

	// The sandbox's test callback: signed, answered with the attempt.
	before := len(recv.got())
	wt, err := c.SandboxWebhookTest(ctx)
	if err != nil {
		t.Fatalf("SandboxWebhookTest: %v", err)
	}
	if !wt.Delivered || wt.URL != hookURL || wt.Attempt.Attempt != 1 || wt.Attempt.StatusCode != http.StatusNoContent || wt.Attempt.Error != "" {
		t.Fatalf("SandboxWebhookTest: %+v", wt)
	}
	tests := recv.withID(wt.EventID)
	if len(tests) != 1 || len(recv.got()) != before+1 {
		t.Fatalf("%d test callbacks of %s (%d calls before, %d now)", len(tests), wt.EventID, before, len(recv.got()))
	}
	cb, err := w.Callback(tests[0].Header, tests[0].Body)
	if err != nil || cb.EventType != client.EventTest || cb.EventID != wt.EventID || cb.ApplicationXID != 0 || cb.ApplicationStatus != "" {
		t.Fatalf("the test callback: %+v, %v", cb, err)
	}
	// It is not recorded as an event.
	if _, err := c.Event(ctx, wt.EventID); client.StatusCode(err) != http.StatusNotFound || !client.HasCode(err, "event_missing") {
		t.Fatalf("Event of the test callback: %v", err)
	}
	// A receiver that answers 500: not delivered, and why.
	recv.setStatus(http.StatusInternalServerError)
	wt, err = c.SandboxWebhookTest(ctx)
	if err != nil || wt.Delivered || wt.Attempt.StatusCode != http.StatusInternalServerError || wt.Attempt.Error != "HTTP 500" {
		t.Fatalf("SandboxWebhookTest to a 500: %+v, %v", wt, err)
	}
	recv.setStatus(http.StatusNoContent)

	// After a rotation the callbacks carry both signatures: a verifier of
	// the old secret, of the new one, and of both accept them.
	var rot webhookOut
	cli(t, &rot, "partner", "webhook", "client-cb-"+run, "--rotate-secret")
	if rot.Secret == "" || rot.Secret == secret || rot.PreviousUntil == nil {
		t.Fatalf("rotate-secret printed %+v", rot)
	}
	if wt, err = c.SandboxWebhookTest(ctx); err != nil || !wt.Delivered {
		t.Fatalf("SandboxWebhookTest after the rotation: %+v, %v", wt, err)
	}
	rotated := recv.withID(wt.EventID)
	if len(rotated) != 1 {
		t.Fatalf("%d callbacks of %s", len(rotated), wt.EventID)
	}
	for _, secrets := range [][]string{{secret}, {rot.Secret}, {secret, rot.Secret}} {
		v, _ := client.NewWebhook(secrets...)
		if err := v.Verify(rotated[0].Header, rotated[0].Body); err != nil {
			t.Errorf("after the rotation, with %d secret(s): %v (signature %q)", len(secrets), err, rotated[0].Header.Get("webhook-signature"))
		}
	}
	if err := client.VerifyWebhook(otherSecret(t), rotated[0].Header, rotated[0].Body); !errors.Is(err, client.ErrWebhookSignature) {
		t.Fatalf("after the rotation, another secret: %v", err)
	}
}

// sameCallback compares two bodies (times by instant).
func sameCallback(a, b client.Callback) bool {
	if !a.OccurredAt.Equal(b.OccurredAt) {
		return false
	}
	a.OccurredAt, b.OccurredAt = time.Time{}, time.Time{}
	return a == b
}

// The feed's refusals, and a partner without a callback URL: nothing to
// redeliver to or test; another partner's event is a 404.
func TestEventsRefusals(t *testing.T) {
	ctx := context.Background()
	c := newClient() // the test partner: no callback URL configured
	cu := newCustomer(t)
	xid := cu.register(t, c)
	var own client.Event
	for after := ""; own.EventID == ""; {
		p, err := c.Events(ctx, client.EventsRequest{After: after, Limit: 500})
		if err != nil {
			t.Fatalf("Events: %v", err)
		}
		for _, e := range p.Events {
			if e.ApplicationXID == xid {
				own = e
			}
		}
		if !p.HasMore {
			break
		}
		after = p.NextAfter
	}
	if own.EventID == "" || own.ApplicationStatusCode != client.StatusFormCreated || own.Sequence != 1 {
		t.Fatalf("the registration's event: %+v", own)
	}
	d, err := c.Event(ctx, own.EventID)
	if err != nil || d.EventID != own.EventID || d.Deliveries == nil || len(d.Deliveries) != 0 {
		t.Fatalf("Event without a callback URL: %+v, %v", d, err)
	}
	for name, c := range map[string]struct {
		err    func() error
		status int
		code   string
	}{
		"after unknown":     {func() error { _, err := c.Events(ctx, client.EventsRequest{After: "evt_nope"}); return err }, 400, "events_after_unknown"},
		"limit 501":         {func() error { _, err := c.Events(ctx, client.EventsRequest{Limit: 501}); return err }, 400, "events_limit_range"},
		"limit -1":          {func() error { _, err := c.Events(ctx, client.EventsRequest{Limit: -1}); return err }, 400, "events_limit_range"},
		"unknown event":     {func() error { _, err := c.Event(ctx, "evt_nope"); return err }, 404, "event_missing"},
		"redeliver unknown": {func() error { _, err := c.Redeliver(ctx, "evt_nope"); return err }, 404, "event_missing"},
		"redeliver, no URL": {func() error { _, err := c.Redeliver(ctx, own.EventID); return err }, 409, "webhook_not_configured"},
		"test, no URL":      {func() error { _, err := c.SandboxWebhookTest(ctx); return err }, 409, "webhook_not_configured"},
	} {
		err := c.err()
		if client.StatusCode(err) != c.status || !client.HasCode(err, c.code) {
			t.Errorf("%s: %v, want %d %s", name, err, c.status, c.code)
		}
	}
	// Another partner sees none of it.
	other, _, _, _ := newWebhookPartner(t, "client-cb-other")
	if _, err := other.Event(ctx, own.EventID); client.StatusCode(err) != http.StatusNotFound || !client.HasCode(err, "event_missing") {
		t.Fatalf("another partner's Event: %v", err)
	}
	if _, err := other.Redeliver(ctx, own.EventID); client.StatusCode(err) != http.StatusNotFound {
		t.Fatalf("another partner's Redeliver: %v", err)
	}
	if p, err := other.Events(ctx, client.EventsRequest{}); err != nil || len(p.Events) != 0 || p.HasMore || p.NextAfter != "" {
		t.Fatalf("another partner's feed: %+v, %v", p, err)
	}
	if _, err := other.Events(ctx, client.EventsRequest{After: own.EventID}); client.StatusCode(err) != http.StatusBadRequest {
		t.Fatalf("another partner's event as after: %v", fmt.Sprint(err))
	}
}
