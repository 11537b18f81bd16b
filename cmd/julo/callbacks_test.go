package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Partner callbacks (issue 11, items 1-4), seen from a partner's receiver.

// A receiver's own Standard Webhooks 1.0 (not package webhook's): the key
// is the base64 after "whsec_"; a signature is "v1," and the base64
// HMAC-SHA256 of id + "." + timestamp + "." + body.
func swKey(t *testing.T, secret string) []byte {
	t.Helper()
	b64, ok := strings.CutPrefix(secret, "whsec_")
	key, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(key) != 32 {
		t.Fatalf("signing secret %q: want whsec_ and the base64 of 32 bytes (%v)", secret, err)
	}
	return key
}

func swSign(key []byte, id, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + timestamp + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// whCall is one callback as the receiver got it.
type whCall struct {
	ID, Timestamp, Signature, Auth, ContentType string
	Body                                        []byte
	// Matched[i] names the key (by its index in the receiver's keys) that
	// the i-th signature verifies with, -1 for none.
	Matched []int
	Path    string
}

func (c whCall) payload(t *testing.T) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(c.Body, &p); err != nil {
		t.Fatalf("callback body %q: %v", c.Body, err)
	}
	return p
}

// whReceiver is a partner's callback receiver on 127.0.0.1. It checks
// every callback's signature against the keys it knows (a callback no key
// verifies is a test failure) and its timestamp against the server's
// clock (nil: the system clock, for servers run as processes), and
// answers with answer's status (nil: 204). A status of 0 holds
// the request until the test ends (the server's timeout cuts it).
type whReceiver struct {
	t      *testing.T
	srv    *httptest.Server
	clock  *testClock
	mu     sync.Mutex
	keys   [][]byte
	calls  []whCall
	answer func(n int, c whCall) int
	hold   chan struct{}
	// arrived is signalled after each callback is recorded.
	arrived chan struct{}
}

func newReceiver(t *testing.T, clock *testClock) *whReceiver {
	r := &whReceiver{t: t, clock: clock, hold: make(chan struct{}), arrived: make(chan struct{}, 10000)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() { close(r.hold); r.srv.Close() })
	return r
}

func (r *whReceiver) URL() string { return r.srv.URL }

func (r *whReceiver) setKeys(keys ...[]byte) { r.mu.Lock(); r.keys = keys; r.mu.Unlock() }

func (r *whReceiver) setAnswer(f func(n int, c whCall) int) { r.mu.Lock(); r.answer = f; r.mu.Unlock() }

func (r *whReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	c := whCall{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"), Signature: req.Header.Get("webhook-signature"),
		Auth: req.Header.Get("Authorization"), ContentType: req.Header.Get("Content-Type"), Body: body, Path: req.URL.Path}
	r.mu.Lock()
	keys := r.keys
	r.mu.Unlock()
	ok := false
	for _, sig := range strings.Fields(c.Signature) {
		m := -1
		for i, k := range keys {
			if hmac.Equal([]byte(sig), []byte(swSign(k, c.ID, c.Timestamp, body))) {
				m, ok = i, true
			}
		}
		c.Matched = append(c.Matched, m)
	}
	if req.Method != http.MethodPost || !ok {
		r.t.Errorf("a callback (%s) that none of %d keys verifies: id %q timestamp %q signature %q body %s", req.Method, len(keys), c.ID, c.Timestamp, c.Signature, body)
	}
	now := time.Now()
	if r.clock != nil {
		now = r.clock.Now()
	}
	if ts, err := strconv.ParseInt(c.Timestamp, 10, 64); err != nil || ts > now.Unix()+1 || ts < now.Unix()-300 {
		r.t.Errorf("webhook-timestamp %q is not the server's clock (%s)", c.Timestamp, now)
	}
	r.mu.Lock()
	n := len(r.calls)
	r.calls = append(r.calls, c)
	answer := r.answer
	r.mu.Unlock()
	r.arrived <- struct{}{}
	status := http.StatusNoContent
	if answer != nil {
		status = answer(n, c)
	}
	if status == 0 {
		select {
		case <-r.hold:
		case <-req.Context().Done():
		}
		return
	}
	w.WriteHeader(status)
}

func (r *whReceiver) got() []whCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// waitCalls waits (bounded, in real time: the attempts run in the
// server's workers) until the receiver has n callbacks.
func (r *whReceiver) waitCalls(t *testing.T, n int, limit time.Duration) []whCall {
	t.Helper()
	deadline := time.After(limit)
	for {
		if got := r.got(); len(got) >= n {
			return got
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("%d of %d callbacks after %s", len(r.got()), n, limit)
		}
	}
}

// webhookOut is what julo partner webhook prints.
type webhookOut struct {
	Username       string     `json:"username"`
	URL            string     `json:"url"`
	TokenSet       bool       `json:"token_set"`
	Disabled       bool       `json:"disabled"`
	DisabledReason string     `json:"disabled_reason"`
	Secret         string     `json:"signing_secret"`
	PreviousUntil  *time.Time `json:"previous_secret_signs_until"`
}

func (s *testServer) webhook(t *testing.T, partner string, args ...string) webhookOut {
	t.Helper()
	out, err := s.cli(append([]string{"partner", "webhook", partner}, args...)...)
	if err != nil {
		t.Fatalf("partner webhook %v: %v", args, err)
	}
	var w webhookOut
	if err := json.Unmarshal([]byte(out), &w); err != nil {
		t.Fatalf("partner webhook printed %q", out)
	}
	return w
}

// eventRow is an event as the database holds it.
type eventRow struct {
	ID   string
	XID  int64
	Seq  int64
	Type string
	To   int
}

// partnerEvents reads the partner's events in the feed's order.
func (s *testServer) partnerEvents(t *testing.T, partner string) []eventRow {
	t.Helper()
	rows, err := s.sqlDB().Query(`SELECT e.event_id, e.application_xid, e.sequence, e.type, COALESCE(e.to_code, 0) FROM events e
		JOIN partners p ON p.id = e.partner_id WHERE p.username = $1 ORDER BY e.feed_seq`, partner)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []eventRow
	for rows.Next() {
		var e eventRow
		if err := rows.Scan(&e.ID, &e.XID, &e.Seq, &e.Type, &e.To); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// feedEvent is an event of GET /events.
type feedEvent struct {
	XID          int64           `json:"application_xid"`
	Status       string          `json:"application_status"`
	MustAct      bool            `json:"notification_customer_to_continue_register"`
	ID           string          `json:"event_id"`
	Type         string          `json:"event_type"`
	OccurredAt   time.Time       `json:"occurred_at"`
	Sequence     int64           `json:"sequence"`
	StatusCode   int             `json:"application_status_code"`
	Verification *map[string]any `json:"verification"`
	Deliveries   []struct {
		ID            int64      `json:"delivery_id"`
		Target        string     `json:"target"`
		State         string     `json:"state"`
		NextAttemptAt *time.Time `json:"next_attempt_at"`
		Attempts      []struct {
			N          int       `json:"attempt"`
			At         time.Time `json:"attempted_at"`
			StatusCode *int      `json:"status_code"`
			Error      *string   `json:"error"`
			DurationMS int64     `json:"duration_ms"`
		} `json:"attempts"`
	} `json:"deliveries"`
}

func (s *testServer) event(t *testing.T, id string) feedEvent {
	t.Helper()
	var e feedEvent
	s.do(req{Method: "GET", Path: "/api/partnership/v1/events/" + id}).expect(t, 200).decodeData(t, &e)
	return e
}

type feedPage struct {
	Events    []feedEvent `json:"events"`
	HasMore   bool        `json:"has_more"`
	NextAfter *string     `json:"next_after"`
}

// feed reads the whole feed in pages of limit.
func (s *testServer) feed(t *testing.T, limit int) []feedEvent {
	t.Helper()
	var all []feedEvent
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	for i := 0; ; i++ {
		var p feedPage
		s.do(req{Method: "GET", Path: "/api/partnership/v1/events?" + q.Encode()}).expect(t, 200).decodeData(t, &p)
		if len(p.Events) > limit {
			t.Fatalf("a page of %d events with limit %d", len(p.Events), limit)
		}
		all = append(all, p.Events...)
		if !p.HasMore {
			return all
		}
		if p.NextAfter == nil || i > 1000 {
			t.Fatalf("has_more without next_after: %+v", p)
		}
		q.Set("after", *p.NextAfter)
	}
}

var payloadKeys = []string{"application_xid", "application_status", "notification_customer_to_continue_register", "event_id",
	"event_type", "occurred_at", "sequence", "application_status_code"}

// A whole journey (registration, images, OTP, complete data, a bank
// import, and the credit decision that follows) gets exactly one signed
// callback per event, as the feed lists them, each the event's payload
// with the partner's token; a second partner sees none of them.
func TestCallbacksOneDeliveryPerEventOfAJourney(t *testing.T) {
	s := startServer(t, nil)
	recv := newReceiver(t, s.Clock)
	w := s.webhook(t, "acme", "--url", recv.URL()+"/julo", "--token", "tok-123")
	if w.URL != recv.URL()+"/julo" || !w.TokenSet || w.Disabled || w.PreviousUntil != nil {
		t.Fatalf("partner webhook printed %+v", w)
	}
	recv.setKeys(swKey(t, w.Secret))
	// A change of the URL or token shows no secret again.
	if again := s.webhook(t, "acme", "--url", recv.URL()+"/julo"); again.Secret != "" || !again.TokenSet {
		t.Fatalf("a second configuration printed %+v", again)
	}

	xid := s.readyApplication(t, docNIK, "journey@test.com", "085330838909")
	s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: docCompleteBody}).expect(t, 200)
	s.startImport(xid, url.Values{"data_type": {"bca"}, "credentials": {creds("sandbox_ok", "pw")}}).expect(t, 201)
	s.Clock.Add(5 * time.Second)
	s.settle(t)
	s.Clock.Add(5 * time.Second)
	s.settle(t)

	evs := s.partnerEvents(t, "acme")
	types := map[string]bool{}
	for _, e := range evs {
		types[fmt.Sprintf("%s %d", e.Type, e.To)] = true
	}
	if !types["application.status_changed 100"] || !types["application.status_changed 105"] || len(evs) < 3 {
		t.Fatalf("the journey's events: %+v", evs)
	}
	calls := recv.waitCalls(t, len(evs), 30*time.Second)
	s.settle(t)
	if calls = recv.got(); len(calls) != len(evs) {
		t.Fatalf("%d callbacks for %d events", len(calls), len(evs))
	}
	byID := map[string]whCall{}
	for _, c := range calls {
		if _, dup := byID[c.ID]; dup {
			t.Fatalf("event %s delivered twice", c.ID)
		}
		byID[c.ID] = c
	}
	sawVerification := false
	for _, e := range evs {
		c, ok := byID[e.ID]
		if !ok {
			t.Fatalf("no callback for %+v", e)
		}
		p := c.payload(t)
		var keys []string
		for k := range p {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := slices.Clone(payloadKeys)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Fatalf("callback keys %v, want %v", keys, want)
		}
		if p["event_id"] != e.ID || p["event_type"] != e.Type || p["application_xid"] != float64(e.XID) || p["sequence"] != float64(e.Seq) ||
			p["application_status_code"] != float64(e.To) || p["notification_customer_to_continue_register"] != (e.To == 130 || e.To == 131) {
			t.Fatalf("callback %s for %+v", c.Body, e)
		}
		if c.Auth != "tok-123" || c.ContentType != "application/json" || c.Path != "/julo" || len(c.Matched) != 1 || c.Matched[0] != 0 {
			t.Fatalf("callback headers: %+v", c)
		}
		sawVerification = sawVerification || e.Type == "application.verification_changed"
	}
	if !sawVerification {
		t.Fatalf("no verification event among %+v", evs)
	}
	// The feed lists the same events in the same order, with the same
	// payloads, and each one's delivery with its one attempt.
	feed := s.feed(t, 2)
	if len(feed) != len(evs) {
		t.Fatalf("the feed has %d events, the database %d", len(feed), len(evs))
	}
	for i, f := range feed {
		if f.ID != evs[i].ID {
			t.Fatalf("feed[%d] is %s, want %s", i, f.ID, evs[i].ID)
		}
		var cb map[string]any
		json.Unmarshal(byID[f.ID].Body, &cb)
		if cb["application_status"] != f.Status || cb["occurred_at"] != f.OccurredAt.Format(time.RFC3339Nano) {
			t.Fatalf("feed %+v, callback %v", f, cb)
		}
		if (f.Type == "application.verification_changed") != (f.Verification != nil) {
			t.Fatalf("verification of %+v", f)
		}
	}
	one := s.event(t, evs[0].ID)
	if len(one.Deliveries) != 1 || one.Deliveries[0].State != "delivered" || one.Deliveries[0].Target != "partner" ||
		len(one.Deliveries[0].Attempts) != 1 || *one.Deliveries[0].Attempts[0].StatusCode != 204 || one.Deliveries[0].Attempts[0].Error != nil ||
		one.Deliveries[0].NextAttemptAt != nil {
		t.Fatalf("event detail %+v", one)
	}

	// Another partner sees none of it.
	beta := s.as("beta", s.createPartner("beta"))
	var empty feedPage
	beta.do(req{Method: "GET", Path: "/api/partnership/v1/events"}).expect(t, 200).decodeData(t, &empty)
	if len(empty.Events) != 0 || empty.HasMore || empty.NextAfter != nil {
		t.Fatalf("beta's feed: %+v", empty)
	}
	beta.do(req{Method: "GET", Path: "/api/partnership/v1/events/" + evs[0].ID}).expect(t, 404, "Event tidak ditemukan")
	beta.do(req{Method: "POST", Path: "/api/partnership/v1/events/" + evs[0].ID + "/redeliver"}).expect(t, 404)
	beta.do(req{Method: "GET", Path: "/api/partnership/v1/events?after=" + evs[0].ID}).expect(t, 400, "after:")
	beta.do(req{Method: "POST", Path: "/api/partnership/v1/sandbox/webhook-test"}).expect(t, 409)

	// The sandbox's test callback: signed, and its outcome answered.
	var test struct {
		EventID   string `json:"event_id"`
		URL       string `json:"url"`
		Delivered bool   `json:"delivered"`
		Attempt   struct {
			StatusCode *int `json:"status_code"`
		} `json:"attempt"`
	}
	s.do(req{Method: "POST", Path: "/api/partnership/v1/sandbox/webhook-test"}).expect(t, 200).decodeData(t, &test)
	last := recv.waitCalls(t, len(evs)+1, 10*time.Second)[len(evs)]
	if !test.Delivered || test.URL != recv.URL()+"/julo" || *test.Attempt.StatusCode != 204 || last.ID != test.EventID ||
		last.payload(t)["event_type"] != "test" {
		t.Fatalf("test callback %+v, received %+v", test, last)
	}
	// A redelivery is one more callback of the same event, same id.
	var rd struct {
		EventID  string `json:"event_id"`
		Delivery struct {
			State string `json:"state"`
		} `json:"delivery"`
	}
	s.do(req{Method: "POST", Path: "/api/partnership/v1/events/" + evs[1].ID + "/redeliver"}).expect(t, 202).decodeData(t, &rd)
	s.settle(t)
	again := recv.waitCalls(t, len(evs)+2, 10*time.Second)[len(evs)+1]
	if rd.EventID != evs[1].ID || rd.Delivery.State != "pending" || again.ID != evs[1].ID || string(again.Body) != string(byID[evs[1].ID].Body) {
		t.Fatalf("redelivery %+v, callback %+v", rd, again)
	}
	if d := s.event(t, evs[1].ID).Deliveries; len(d) != 2 || d[1].State != "delivered" {
		t.Fatalf("deliveries after the redelivery: %+v", d)
	}
}

// A failing receiver gets the attempts on Standard Webhooks' schedule by
// the server's clock, 500s and a timeout alike, each recorded; a 2xx ends
// it. Before an attempt is due nothing is sent.
func TestCallbackRetriesFollowTheSchedule(t *testing.T) {
	s := startServer(t, []string{"--callback-timeout", "300ms"})
	recv := newReceiver(t, s.Clock)
	recv.setKeys(swKey(t, s.webhook(t, "acme", "--url", recv.URL()+"/hook").Secret))
	answers := []int{500, 503, 0, 200} // 0: no answer (the timeout)
	recv.setAnswer(func(n int, _ whCall) int { return answers[min(n, len(answers)-1)] })
	s.register(t, testNIK(301), "retry@test.com")
	id := s.partnerEvents(t, "acme")[0].ID
	waits := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute}
	for n := 1; n <= len(answers); n++ {
		s.settle(t)
		recv.waitCalls(t, n, 30*time.Second)
		s.settle(t)
		e := s.event(t, id)
		d := e.Deliveries[0]
		if len(d.Attempts) != n {
			t.Fatalf("after call %d: %d attempts recorded", n, len(d.Attempts))
		}
		a := d.Attempts[n-1]
		if !a.At.Equal(s.Clock.Now()) {
			t.Fatalf("attempt %d at %s, the clock says %s", n, a.At, s.Clock.Now())
		}
		switch answers[n-1] {
		case 0:
			if a.StatusCode != nil || a.Error == nil || !strings.HasPrefix(*a.Error, "timeout") || a.DurationMS < 300 {
				t.Fatalf("attempt %d: %+v", n, a)
			}
		case 200:
			if d.State != "delivered" || *a.StatusCode != 200 || a.Error != nil || d.NextAttemptAt != nil {
				t.Fatalf("the last attempt: %+v of %+v", a, d)
			}
			continue
		default:
			if *a.StatusCode != answers[n-1] || *a.Error != fmt.Sprintf("HTTP %d", answers[n-1]) {
				t.Fatalf("attempt %d: %+v", n, a)
			}
		}
		wait := d.NextAttemptAt.Sub(a.At)
		if d.State != "pending" || wait < waits[n-1] || wait > waits[n-1]+waits[n-1]/10 {
			t.Fatalf("after attempt %d: %s, next in %s, want %s plus at most 10%%", n, d.State, wait, waits[n-1])
		}
		// River's job waits for the same time (a snooze, not a sleep).
		var at time.Time
		s.query(t, `SELECT scheduled_at FROM river_job WHERE kind = 'partner_callback'`, nil, &at)
		if diff := at.Sub(*d.NextAttemptAt); diff > time.Millisecond || diff < -time.Millisecond {
			t.Fatalf("the job is scheduled at %s, the delivery's next attempt at %s", at, d.NextAttemptAt)
		}
		// Not yet due: nothing is sent.
		s.Clock.Add(wait - time.Second)
		s.settle(t)
		if got := len(recv.got()); got != n {
			t.Fatalf("an attempt %s early", time.Second)
		}
		s.Clock.Add(time.Second)
	}
	if got := len(recv.got()); got != len(answers) {
		t.Fatalf("%d callbacks", got)
	}
}

// A 410 fails the delivery at once and disables the partner's callbacks:
// later events get none, a redelivery is refused, until JULO sets the URL
// again.
func TestCallbackGoneDisablesTheEndpoint(t *testing.T) {
	s := startServer(t, nil)
	recv := newReceiver(t, s.Clock)
	recv.setKeys(swKey(t, s.webhook(t, "acme", "--url", recv.URL()+"/hook").Secret))
	recv.setAnswer(func(int, whCall) int { return http.StatusGone })
	s.register(t, testNIK(311), "gone1@test.com")
	s.settle(t)
	recv.waitCalls(t, 1, 30*time.Second)
	s.settle(t)
	first := s.partnerEvents(t, "acme")[0].ID
	if d := s.event(t, first).Deliveries; len(d) != 1 || d[0].State != "failed" || len(d[0].Attempts) != 1 || *d[0].Attempts[0].StatusCode != 410 {
		t.Fatalf("after a 410: %+v", d)
	}
	s.register(t, testNIK(312), "gone2@test.com")
	s.settle(t)
	evs := s.partnerEvents(t, "acme")
	if len(evs) != 2 || len(s.event(t, evs[1].ID).Deliveries) != 0 || len(recv.got()) != 1 {
		t.Fatalf("after the endpoint was disabled: %d events, %d callbacks", len(evs), len(recv.got()))
	}
	s.do(req{Method: "POST", Path: "/api/partnership/v1/events/" + first + "/redeliver"}).expect(t, 409, "dinonaktifkan (gone)")
	// Set again, it takes callbacks: the redelivery gets through.
	recv.setAnswer(nil)
	if w := s.webhook(t, "acme", "--url", recv.URL()+"/hook"); w.Disabled || w.Secret != "" {
		t.Fatalf("enabled again: %+v", w)
	}
	s.do(req{Method: "POST", Path: "/api/partnership/v1/events/" + first + "/redeliver"}).expect(t, 202)
	s.settle(t)
	if c := recv.waitCalls(t, 2, 30*time.Second); c[1].ID != first {
		t.Fatalf("redelivered %s", c[1].ID)
	}
	// Disabled by the operator: pending deliveries are cancelled unsent.
	recv.setAnswer(func(int, whCall) int { return 500 })
	s.register(t, testNIK(313), "gone3@test.com")
	s.settle(t)
	recv.waitCalls(t, 3, 30*time.Second)
	s.settle(t)
	if w := s.webhook(t, "acme", "--disable"); !w.Disabled || w.DisabledReason != "operator" {
		t.Fatalf("disabled: %+v", w)
	}
	third := s.partnerEvents(t, "acme")[2].ID
	s.Clock.Add(10 * time.Second)
	s.settle(t)
	if d := s.event(t, third).Deliveries; len(d) != 1 || d[0].State != "cancelled" || len(d[0].Attempts) != 1 || len(recv.got()) != 3 {
		t.Fatalf("after --disable: %+v, %d callbacks", d, len(recv.got()))
	}
}

// --rotate-secret prints a new secret; for 24 hours every callback carries
// two signatures, by the new secret and by the old, so that a receiver
// with either verifies it; then only the new one signs.
func TestCallbackSecretRotationSignsWithBoth(t *testing.T) {
	s := startServer(t, nil)
	recv := newReceiver(t, s.Clock)
	oldKey := swKey(t, s.webhook(t, "acme", "--url", recv.URL()+"/hook").Secret)
	s.Clock.Add(time.Hour)
	rot := s.webhook(t, "acme", "--rotate-secret")
	if rot.Secret == "" || rot.PreviousUntil == nil || !rot.PreviousUntil.Equal(s.Clock.Now().Add(24*time.Hour)) {
		t.Fatalf("rotation printed %+v", rot)
	}
	newKey := swKey(t, rot.Secret)
	recv.setKeys(newKey, oldKey)
	s.register(t, testNIK(321), "rot1@test.com")
	s.settle(t)
	c := recv.waitCalls(t, 1, 30*time.Second)[0]
	if parts := strings.Fields(c.Signature); len(parts) != 2 || !slices.Equal(c.Matched, []int{0, 1}) {
		t.Fatalf("during the rotation: signature %q matched %v", c.Signature, c.Matched)
	}
	s.Clock.Add(24*time.Hour + time.Second)
	s.register(t, testNIK(322), "rot2@test.com")
	s.settle(t)
	c = recv.waitCalls(t, 2, 30*time.Second)[1]
	if parts := strings.Fields(c.Signature); len(parts) != 1 || !slices.Equal(c.Matched, []int{0}) {
		t.Fatalf("after the rotation: signature %q matched %v", c.Signature, c.Matched)
	}
}

// A registration's callback_url takes that application's callbacks (with
// its own token), when it has the scheme and host of the partner's URL.
func TestCallbackURLOfARegistration(t *testing.T) {
	s := startServer(t, nil)
	body := func(n int, extra map[string]any) map[string]any {
		b := regBody(testNIK(n), fmt.Sprintf("own%d@test.com", n))
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	s.do(req{Method: "POST", Path: pathRegister, Body: body(331, map[string]any{"callback_url": "http://127.0.0.1:1/x"})}).
		expect(t, 400, "callback_url: tidak dapat digunakan")
	recv := newReceiver(t, s.Clock)
	recv.setKeys(swKey(t, s.webhook(t, "acme", "--url", recv.URL()+"/hook", "--token", "partner-token").Secret))
	other := strings.Replace(recv.URL(), "127.0.0.1", "localhost", 1)
	r := s.do(req{Method: "POST", Path: pathRegister, Body: body(332, map[string]any{"callback_url": other + "/x", "callback_token": "a\x01b"}), Invalid: true}).
		expect(t, 400)
	var codes []string
	var env struct {
		Details []struct{ Code, Field string } `json:"error_details"`
	}
	json.Unmarshal([]byte(r.Raw), &env)
	for _, d := range env.Details {
		codes = append(codes, d.Field+":"+d.Code)
	}
	if !slices.Contains(codes, "callback_url:callback_url_mismatch") {
		t.Fatalf("codes %v", codes)
	}
	if n := s.count("applications"); n != 0 {
		t.Fatalf("refused registrations left %d applications", n)
	}
	var reg registered
	s.do(req{Method: "POST", Path: pathRegister, Body: body(333, map[string]any{"callback_url": recv.URL() + "/customers/333",
		"callback_token": "customer-token"})}).expect(t, 201).decodeData(t, &reg)
	s.register(t, testNIK(334), "own334@test.com")
	s.settle(t)
	calls := recv.waitCalls(t, 2, 30*time.Second)
	byXID := map[float64]whCall{}
	for _, c := range calls {
		byXID[c.payload(t)["application_xid"].(float64)] = c
	}
	own := byXID[float64(reg.XID)]
	if own.Path != "/customers/333" || own.Auth != "customer-token" {
		t.Fatalf("the application's own callback went to %q with %q", own.Path, own.Auth)
	}
	for x, c := range byXID {
		if x != float64(reg.XID) && (c.Path != "/hook" || c.Auth != "partner-token") {
			t.Fatalf("another application's callback went to %q with %q", c.Path, c.Auth)
		}
	}
	if d := s.event(t, own.ID).Deliveries; len(d) != 1 || d[0].Target != "application" {
		t.Fatalf("deliveries %+v", d)
	}
}

// In production a callback URL must be https, and a delivery refuses,
// when it dials, an address that resolves to loopback or a private
// network: the attempt fails with the reason, and nothing is sent.
func TestCallbacksRefusePrivateAddressesInProduction(t *testing.T) {
	keys, _ := (&testServer{}).keysJSON()
	s := startServer(t, []string{"--env", "production"}, withEnv("JULO_KEYS", keys), withEnv("JULO_SMS_PROVIDER", "log"))
	recv := newReceiver(t, s.Clock)
	if _, err := s.cli("partner", "webhook", "acme", "--env", "production", "--url", recv.URL()+"/hook"); err == nil ||
		!strings.Contains(err.Error(), "must use https") {
		t.Fatalf("an http URL in production: %v", err)
	}
	for i, target := range []struct{ url, refusal string }{
		{"https://10.20.30.40/hook", "refused: 10.20.30.40 is a private address"},
		{"https://" + strings.TrimPrefix(strings.Replace(recv.URL(), "127.0.0.1", "localhost", 1), "http://") + "/hook", "is a loopback address"},
	} {
		if _, err := s.cli("partner", "webhook", "acme", "--env", "production", "--url", target.url); err != nil {
			t.Fatal(err)
		}
		s.register(t, testNIK(341+i), fmt.Sprintf("prod%d@test.com", i))
		s.settle(t)
		evs := s.partnerEvents(t, "acme")
		d := s.event(t, evs[len(evs)-1].ID).Deliveries
		if len(d) != 1 || len(d[0].Attempts) != 1 || d[0].Attempts[0].StatusCode != nil || d[0].Attempts[0].Error == nil ||
			!strings.Contains(*d[0].Attempts[0].Error, target.refusal) || d[0].State != "pending" {
			t.Fatalf("%s: %+v", target.url, d)
		}
	}
	if n := len(recv.got()); n != 0 {
		t.Fatalf("the loopback receiver got %d callbacks", n)
	}
	// A registration's callback_url must be https too; the test callback
	// is the sandbox's only.
	s.do(req{Method: "POST", Path: pathRegister, Body: map[string]any{"username": testNIK(349), "pin": strongPIN, "email": "prod9@test.com",
		"latitude": -6.2, "longitude": 106.8, "callback_url": "http://10.20.30.40/x"}}).expect(t, 400, "callback_url: harus menggunakan https")
	s.do(req{Method: "POST", Path: "/api/partnership/v1/sandbox/webhook-test"}).expect(t, 404)
}

// The feed pages in order with after and limit, refuses a cursor that is
// not the caller's and a limit out of range, and forgets what is older
// than 30 days.
func TestEventsFeedPagesAndIsolatesPartners(t *testing.T) {
	s := startServer(t, nil)
	beta := s.as("beta", s.createPartner("beta"))
	for i := 0; i < 5; i++ {
		s.register(t, testNIK(351+i), fmt.Sprintf("feed%d@test.com", i))
		beta.register(t, testNIK(361+i), fmt.Sprintf("feedb%d@test.com", i))
	}
	want := s.partnerEvents(t, "acme")
	for _, limit := range []int{1, 2, 5, 500} {
		got := s.feed(t, limit)
		var ids, wantIDs []string
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		for _, e := range want {
			wantIDs = append(wantIDs, e.ID)
		}
		if !slices.Equal(ids, wantIDs) {
			t.Fatalf("limit %d: %v, want %v", limit, ids, wantIDs)
		}
	}
	bs := beta.partnerEvents(t, "beta")
	for _, f := range beta.feed(t, 3) {
		if slices.ContainsFunc(want, func(e eventRow) bool { return e.ID == f.ID }) {
			t.Fatalf("beta's feed has acme's %s", f.ID)
		}
	}
	var page feedPage
	s.do(req{Method: "GET", Path: "/api/partnership/v1/events?limit=2&after=" + want[1].ID}).expect(t, 200).decodeData(t, &page)
	if len(page.Events) != 2 || page.Events[0].ID != want[2].ID || !page.HasMore || *page.NextAfter != want[3].ID {
		t.Fatalf("a page after the second: %+v", page)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/events?after=" + want[4].ID}).expect(t, 200).decodeData(t, &page)
	if len(page.Events) != 0 || page.HasMore || *page.NextAfter != want[4].ID {
		t.Fatalf("after the last: %+v", page)
	}
	for _, q := range []string{"after=" + bs[0].ID, "after=evt_nope", "limit=0", "limit=501", "limit=two"} {
		s.do(req{Method: "GET", Path: "/api/partnership/v1/events?" + q, Invalid: true}).expect(t, 400)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/events/" + bs[0].ID}).expect(t, 404)
	s.do(req{Method: "GET", Path: "/api/partnership/v1/events/evt_nope"}).expect(t, 404)
	// Without a callback URL there is nothing to redeliver to.
	s.do(req{Method: "POST", Path: "/api/partnership/v1/events/" + want[0].ID + "/redeliver"}).expect(t, 409, "belum mengatur URL callback")
	// 30 days on, the events are out of the feed.
	s.Clock.Add(30*24*time.Hour + time.Minute)
	if got := s.feed(t, 10); len(got) != 0 {
		t.Fatalf("%d events after 30 days", len(got))
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/events/" + want[0].ID}).expect(t, 404)
}

// webhookIn configures acme's callbacks on the database and data dir of
// args (as createPartnerIn creates acme) and returns the signing key.
func webhookIn(t *testing.T, args []string, u string) []byte {
	t.Helper()
	var out strings.Builder
	if err := runWith(context.Background(), append([]string{"partner", "webhook", "acme", "--url", u}, args...), func(string) string { return "" },
		&out, io.Discard, hooks{}); err != nil {
		t.Fatal(err)
	}
	var w webhookOut
	if err := json.Unmarshal([]byte(out.String()), &w); err != nil {
		t.Fatalf("partner webhook printed %q", out.String())
	}
	return swKey(t, w.Secret)
}

// waitFor polls cond (bounded, in real time) for what a server process
// does on its own clock.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A delivery whose next attempt is scheduled when the server is killed
// (SIGKILL: no shutdown at all) is attempted after a restart: the schedule
// is in the database, not in the process.
func TestScheduledCallbackIsDeliveredAfterAKill(t *testing.T) {
	data := t.TempDir()
	db := testDatabaseURL(t)
	args := []string{"--data", data, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	p := createPartnerIn(t, args)
	recv := newReceiver(t, nil)
	recv.setKeys(webhookIn(t, args, recv.URL()+"/hook"))
	recv.setAnswer(func(n int, _ whCall) int {
		if n == 0 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	cmd, u := launchProcess(t, args...)
	s := &testServer{t: t, URL: u, Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	s.register(t, testNIK(371), "killed@test.com")
	recv.waitCalls(t, 1, 30*time.Second)
	// Recorded, and its job snoozed until the next attempt: scheduled, or
	// available from that time for a wait shorter than River's scheduler
	// interval. River marks it so just after the record commits; a process
	// killed in between has its running job rescued (after 5 minutes), and
	// the attempt is made then.
	waitFor(t, "the first attempt recorded and the next one scheduled", 30*time.Second, func() bool {
		return s.countWhere("webhook_deliveries", "attempts = 1 AND state = 'pending'") == 1 &&
			s.countWhere("river_job", "kind = 'partner_callback' AND state IN ('scheduled', 'available')") == 1
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if n := len(recv.got()); n != 1 {
		t.Skipf("the machine was too slow: %d attempts before the kill", n)
	}
	s.URL = startProcess(t, args...)
	calls := recv.waitCalls(t, 2, 60*time.Second)
	waitFor(t, "the delivery done", 30*time.Second, func() bool {
		return s.countWhere("webhook_deliveries", "state = 'delivered'") == 1
	})
	e := s.event(t, calls[0].ID)
	d := e.Deliveries[0]
	if len(calls) != 2 || calls[1].ID != calls[0].ID || len(d.Attempts) != 2 || *d.Attempts[1].StatusCode != 200 {
		t.Fatalf("after the restart: %d calls, %+v", len(calls), d)
	}
	if gap := d.Attempts[1].At.Sub(d.Attempts[0].At); gap < 5*time.Second {
		t.Fatalf("the second attempt came %s after the first", gap)
	}
}

// Two instances on one database share the deliveries: every attempt of
// every delivery happens once, on one of them, a failed first attempt and
// its retry alike.
func TestTwoInstancesDeliverEachCallbackOnce(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	data := t.TempDir()
	args := []string{"--data", data, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	p := createPartnerIn(t, args)
	recv := newReceiver(t, nil)
	recv.setKeys(webhookIn(t, args, recv.URL()+"/hook"))
	var mu sync.Mutex
	seen := map[string]int{}
	recv.setAnswer(func(_ int, c whCall) int {
		mu.Lock()
		defer mu.Unlock()
		if seen[c.ID]++; seen[c.ID] == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	a := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	b := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	const n = 6
	for i := 0; i < n; i++ {
		[]*testServer{a, b}[i%2].register(t, testNIK(381+i), fmt.Sprintf("two%d@test.com", i))
	}
	waitFor(t, "every delivery done", 60*time.Second, func() bool {
		return a.countWhere("webhook_deliveries", "state = 'delivered'") == n
	})
	calls := recv.got()
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2*n || len(seen) != n {
		t.Fatalf("%d callbacks of %d events, want two each", len(calls), len(seen))
	}
	for id, k := range seen {
		if k != 2 {
			t.Fatalf("event %s: %d attempts", id, k)
		}
	}
	if m := a.countWhere("webhook_attempts", "true"); m != 2*n {
		t.Fatalf("%d attempts recorded", m)
	}
}
