package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/webhook"
)

// memStore is a Store of one partner (id 1) with one delivery, enough for
// the service's decisions.
type memStore struct {
	endpoint   *Endpoint
	keys       [][]byte
	delivery   Delivery
	attempts   []Attempt
	outcomes   []Outcome
	disabled   Target
	recordErr  error
	lastChange EndpointChange
	pruneLeft  []int
	pruned     []time.Time
}

func (m *memStore) SetWebhookEndpoint(_ context.Context, username string, c EndpointChange, at time.Time) (Endpoint, bool, error) {
	m.lastChange = c
	if username != "acme" {
		return Endpoint{}, false, &julo.Error{Code: julo.ENOTFOUND}
	}
	stored := false
	if m.endpoint == nil {
		if c.URL == nil {
			return Endpoint{}, false, ErrNoEndpoint
		}
		m.endpoint = &Endpoint{PartnerID: 1, CreatedAt: at}
		stored = true
	}
	if c.URL != nil {
		m.endpoint.URL = *c.URL
	}
	if c.Rotate {
		stored = true
	}
	if stored {
		m.keys = append([][]byte{c.Secret.Key}, m.keys...)
	}
	m.endpoint.Disabled = c.Disable || m.endpoint.Disabled && !c.Enable
	m.endpoint.UpdatedAt = at
	return *m.endpoint, stored, nil
}

func (m *memStore) WebhookEndpoint(_ context.Context, partnerID int64, _ time.Time) (Endpoint, [][]byte, error) {
	if m.endpoint == nil || partnerID != 1 {
		return Endpoint{}, nil, &julo.Error{Code: julo.ENOTFOUND}
	}
	return *m.endpoint, m.keys, nil
}

func (m *memStore) Delivery(_ context.Context, id int64, _ time.Time) (Delivery, error) {
	if id != m.delivery.ID {
		return Delivery{}, &julo.Error{Code: julo.ENOTFOUND}
	}
	d := m.delivery
	d.Keys = m.keys
	if m.endpoint != nil {
		d.Disabled = m.endpoint.Disabled
	}
	return d, nil
}

func (m *memStore) RecordAttempt(_ context.Context, id int64, a *Attempt, o Outcome, _ time.Time) error {
	if m.recordErr != nil {
		return m.recordErr
	}
	if a != nil {
		m.attempts = append(m.attempts, *a)
		m.delivery.Attempts = a.N
	}
	m.outcomes = append(m.outcomes, o)
	m.delivery.State, m.delivery.NextAt = o.State, o.NextAt
	if o.Disable != "" {
		m.disabled = o.Disable
	}
	return nil
}

func (m *memStore) PartnerEvents(context.Context, int64, string, time.Time, int) ([]julo.Event, error) {
	return nil, nil
}

func (m *memStore) PartnerEvent(context.Context, int64, string, time.Time) (julo.Event, []Delivery, error) {
	return julo.Event{}, nil, &julo.Error{Code: julo.ENOTFOUND}
}

func (m *memStore) Redeliver(context.Context, int64, string, time.Time, time.Time) (Delivery, error) {
	return Delivery{}, &julo.Error{Code: julo.ECONFLICT}
}

func (m *memStore) PruneEvents(_ context.Context, before time.Time, limit int) (int, error) {
	m.pruned = append(m.pruned, before)
	if len(m.pruneLeft) == 0 {
		return 0, nil
	}
	n := min(m.pruneLeft[0], limit)
	m.pruneLeft = m.pruneLeft[1:]
	return n, nil
}

// scripted answers each Send with the next of its responses and keeps the
// requests.
type scripted struct {
	answers []Response
	got     []Request
}

func (s *scripted) Send(_ context.Context, r Request) Response {
	s.got = append(s.got, r)
	a := s.answers[0]
	if len(s.answers) > 1 {
		s.answers = s.answers[1:]
	}
	return a
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func testEvent() julo.Event {
	return julo.Event{ID: "evt_00112233445566778899aabbccddeeff", Type: julo.EventAppStatus, PartnerID: 1, ApplicationID: 7,
		ApplicationXID: 7040253099, From: 100, To: 105, FromName: "FORM_CREATED", ToName: "FORM_SUBMITTED",
		OccurredAt: t0, Sequence: 2}
}

func newTestService(st *memStore, snd Sender, c *clock, rnd []byte) *Service {
	return New(Deps{Store: st, Sender: snd, Now: c.now, Rand: bytes.NewReader(rnd)})
}

// A receiver that always fails gets the whole schedule, each wait within
// its jitter, and the delivery fails after the tenth attempt; the job is
// snoozed until each next attempt.
func TestDeliverFollowsTheScheduleThenFails(t *testing.T) {
	key := bytes.Repeat([]byte{5}, 32)
	st := &memStore{endpoint: &Endpoint{PartnerID: 1, URL: "https://hooks.acme.example/julo"}, keys: [][]byte{key},
		delivery: Delivery{ID: 9, Event: testEvent(), State: StatePending, Target: TargetPartner, URL: "https://hooks.acme.example/julo", Token: "tok"}}
	snd := &scripted{answers: []Response{{StatusCode: 500}}}
	c := &clock{t: t0}
	// Randomness: the jitter of each wait reads 8 bytes; all 0xff is the
	// most jitter there is.
	svc := newTestService(st, snd, c, bytes.Repeat([]byte{0xff}, 8*20))
	for n := 1; n <= MaxAttempts; n++ {
		err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 9})
		var later *julo.RunLater
		if n < MaxAttempts {
			if !errors.As(err, &later) {
				t.Fatalf("attempt %d: %v, want a snooze", n, err)
			}
			wait := st.delivery.NextAt.Sub(c.t)
			lo, hi := Retries[n-1], Retries[n-1]+time.Duration(float64(Retries[n-1])*Jitter)
			if wait < lo || wait > hi || later.After != wait {
				t.Fatalf("attempt %d: next in %s (snooze %s), want %s-%s", n, wait, later.After, lo, hi)
			}
			// Woken too early, nothing is sent.
			c.t = c.t.Add(wait / 2)
			if err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 9}); !errors.As(err, &later) || len(snd.got) != n {
				t.Fatalf("early wake: %v, %d sends", err, len(snd.got))
			}
			c.t = st.delivery.NextAt
		} else if err != nil {
			t.Fatalf("last attempt: %v", err)
		}
	}
	if st.delivery.State != StateFailed || len(st.attempts) != MaxAttempts || len(snd.got) != MaxAttempts {
		t.Fatalf("state %s after %d attempts, %d sends", st.delivery.State, len(st.attempts), len(snd.got))
	}
	if total := st.attempts[MaxAttempts-1].At.Sub(st.attempts[0].At); total < 76*time.Hour || total > 84*time.Hour {
		t.Fatalf("the last attempt came %s after the first", total)
	}
	for i, a := range st.attempts {
		if a.N != i+1 || a.StatusCode != 500 || a.Error != "HTTP 500" {
			t.Fatalf("attempt %d recorded as %+v", i+1, a)
		}
	}
	// Finished: running the job again sends nothing.
	if err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 9}); err != nil || len(snd.got) != MaxAttempts {
		t.Fatalf("after failing: %v, %d sends", err, len(snd.got))
	}
}

// One callback is the payload, signed per Standard Webhooks (checked with
// the receiver's function), with the token as production sends it.
func TestDeliverSendsTheSignedPayload(t *testing.T) {
	key := bytes.Repeat([]byte{6}, 32)
	st := &memStore{endpoint: &Endpoint{PartnerID: 1}, keys: [][]byte{key},
		delivery: Delivery{ID: 3, Event: testEvent(), State: StatePending, Target: TargetApplication, URL: "https://hooks.acme.example/c/1", Token: "abc"}}
	snd := &scripted{answers: []Response{{StatusCode: 204}}}
	c := &clock{t: t0.Add(time.Minute)}
	svc := newTestService(st, snd, c, make([]byte, 64))
	if err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 3}); err != nil {
		t.Fatal(err)
	}
	if st.delivery.State != StateDelivered || len(snd.got) != 1 {
		t.Fatalf("state %s, %d sends", st.delivery.State, len(snd.got))
	}
	r := snd.got[0]
	if r.URL != "https://hooks.acme.example/c/1" || r.Header["Authorization"] != "abc" || r.Header["Content-Type"] != "application/json" {
		t.Fatalf("request %+v", r)
	}
	const want = `{"application_xid":7040253099,"application_status":"FORM_SUBMITTED","notification_customer_to_continue_register":false,` +
		`"event_id":"evt_00112233445566778899aabbccddeeff","event_type":"application.status_changed","occurred_at":"2026-11-24T09:00:00Z",` +
		`"sequence":2,"application_status_code":105}`
	if string(r.Body) != want {
		t.Fatalf("body\n%s\nwant\n%s", r.Body, want)
	}
	if r.Header["webhook-id"] != testEvent().ID || r.Header["webhook-timestamp"] != strconv.FormatInt(c.t.Unix(), 10) {
		t.Fatalf("headers %v", r.Header)
	}
	if err := webhook.VerifyMessage([][]byte{key}, r.Header["webhook-id"], r.Header["webhook-timestamp"], r.Header["webhook-signature"],
		r.Body, c.t, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// A 410 fails the delivery at once and disables its target; a partner
// disabled meanwhile has the delivery cancelled without an attempt.
func TestGoneDisablesAndDisabledCancels(t *testing.T) {
	for _, target := range []Target{TargetPartner, TargetApplication} {
		st := &memStore{endpoint: &Endpoint{PartnerID: 1}, keys: [][]byte{{1}},
			delivery: Delivery{ID: 1, Event: testEvent(), State: StatePending, Target: target, URL: "https://x.example/"}}
		svc := newTestService(st, &scripted{answers: []Response{{StatusCode: 410}}}, &clock{t: t0}, make([]byte, 64))
		if err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 1}); err != nil {
			t.Fatal(err)
		}
		if st.delivery.State != StateFailed || st.disabled != target || len(st.attempts) != 1 {
			t.Fatalf("%s: state %s, disabled %q, %d attempts", target, st.delivery.State, st.disabled, len(st.attempts))
		}
	}
	st := &memStore{endpoint: &Endpoint{PartnerID: 1, Disabled: true}, keys: [][]byte{{1}},
		delivery: Delivery{ID: 1, Event: testEvent(), State: StatePending, Target: TargetPartner, URL: "https://x.example/"}}
	snd := &scripted{answers: []Response{{StatusCode: 200}}}
	if err := newTestService(st, snd, &clock{t: t0}, nil).Deliver(context.Background(), DeliveryJob{DeliveryID: 1}); err != nil {
		t.Fatal(err)
	}
	if st.delivery.State != StateCancelled || len(snd.got) != 0 || len(st.attempts) != 0 {
		t.Fatalf("disabled: state %s, %d sends", st.delivery.State, len(snd.got))
	}
}

// A delivery whose event was pruned is done; a failed record is the job's
// error (River retries it, and the attempt with it).
func TestDeliverMissingAndStoreFailure(t *testing.T) {
	st := &memStore{endpoint: &Endpoint{PartnerID: 1}, keys: [][]byte{{1}},
		delivery: Delivery{ID: 1, Event: testEvent(), State: StatePending, Target: TargetPartner, URL: "https://x.example/"}}
	snd := &scripted{answers: []Response{{Err: errors.New("connection refused")}}}
	svc := newTestService(st, snd, &clock{t: t0}, make([]byte, 64))
	if err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 2}); err != nil || len(snd.got) != 0 {
		t.Fatalf("a missing delivery: %v, %d sends", err, len(snd.got))
	}
	st.recordErr = errors.New("database gone")
	if err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 1}); err == nil || !strings.Contains(err.Error(), "database gone") {
		t.Fatalf("a failed record: %v", err)
	}
	st.recordErr = nil
	if err := svc.Deliver(context.Background(), DeliveryJob{DeliveryID: 1}); err == nil {
		t.Fatal("a refused connection is not retried")
	}
	if st.attempts[0].Error != "connection refused" || st.attempts[0].StatusCode != 0 {
		t.Fatalf("recorded %+v", st.attempts[0])
	}
}

func TestRetryWait(t *testing.T) {
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
		10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}
	for i, w := range want {
		if got, ok := RetryWait(i+1, 0); !ok || got != w {
			t.Errorf("after attempt %d: %s %v, want %s", i+1, got, ok, w)
		}
		if got, _ := RetryWait(i+1, 0.5); got != w+w/20 {
			t.Errorf("after attempt %d with half the jitter: %s", i+1, got)
		}
	}
	for _, n := range []int{0, 10, 11} {
		if _, ok := RetryWait(n, 0); ok {
			t.Errorf("a wait after attempt %d", n)
		}
	}
	// The next attempt's time is whole milliseconds (what the store keeps),
	// never before the wait is over.
	at := t0.Add(123456789 * time.Nanosecond)
	o := decide(Attempt{N: 1, At: at, StatusCode: 500}, TargetPartner, 0.123)
	if exact := at.Add(5*time.Second + time.Duration(float64(5*time.Second)*Jitter*0.123)); o.NextAt.Before(exact) ||
		o.NextAt.Sub(exact) >= time.Millisecond || o.NextAt.Nanosecond()%int(time.Millisecond) != 0 {
		t.Errorf("next attempt at %s for a wait ending at %s", o.NextAt, exact)
	}
	for status, want := range map[int]string{200: StateDelivered, 201: StateDelivered, 299: StateDelivered, 300: StatePending,
		301: StatePending, 404: StatePending, 410: StateFailed, 500: StatePending, 0: StatePending} {
		if got := decide(Attempt{N: 1, At: t0, StatusCode: status}, TargetPartner, 0).State; got != want {
			t.Errorf("status %d: %s, want %s", status, got, want)
		}
	}
}

func TestPayloadOf(t *testing.T) {
	e := testEvent()
	e.Type, e.From, e.To, e.ToName = julo.EventAppVerification, 131, 131, "RESUBMISSION_APPLICATION_REQUESTED"
	p := PayloadOf(e, julo.AppNone)
	if p.ApplicationStatus != "RESUBMISSION_APPLICATION_REQUESTED" || p.ApplicationStatusCode != 131 || !p.CustomerMustAct {
		t.Fatalf("verification payload %+v", p)
	}
	loan := julo.Event{ID: "evt_x", Type: julo.EventLoanStatus, ApplicationXID: 1, LoanXID: 42, From: 210, To: 211,
		ToName: "LOAN_WAITING_FOR_APPROVAL", OccurredAt: t0, Sequence: 9}
	b, _ := json.Marshal(PayloadOf(loan, julo.AppLimitReady))
	const want = `{"application_xid":1,"application_status":"LIMIT_READY_TO_USE","notification_customer_to_continue_register":false,` +
		`"event_id":"evt_x","event_type":"loan.status_changed","occurred_at":"2026-11-24T09:00:00Z","sequence":9,` +
		`"application_status_code":190,"loan_xid":42,"loan_status":"LOAN_WAITING_FOR_APPROVAL","loan_status_code":211}`
	if string(b) != want {
		t.Fatalf("loan payload\n%s\nwant\n%s", b, want)
	}
	for s, want := range map[julo.AppStatus]bool{100: false, 105: false, 130: true, 131: true, 135: false, 190: false} {
		if CustomerMustAct(s) != want {
			t.Errorf("CustomerMustAct(%d) = %v", s, !want)
		}
	}
}

func problemMsgs(ps julo.Problems) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field+":"+p.Msg)
	}
	return out
}

// A registration's callback_url must share the scheme and host of the
// partner's URL (default ports aside), and be https in production.
func TestCheckCallback(t *testing.T) {
	str := func(s string) *string { return &s }
	st := &memStore{endpoint: &Endpoint{PartnerID: 1, URL: "https://Hooks.Acme.example:443/julo"}}
	svc := New(Deps{Store: st, Config: Config{RequireHTTPS: true}, Now: (&clock{t: t0}).now})
	acme := julo.Partner{ID: 1}
	for name, c := range map[string]struct {
		url, token *string
		want       []string
	}{
		"none":             {nil, nil, nil},
		"blank":            {str("  "), str(""), nil},
		"same origin":      {str("https://hooks.acme.example/customers/42?x=1"), str("tok en"), nil},
		"default port":     {str("https://hooks.acme.example:443/c"), nil, nil},
		"other host":       {str("https://evil.example/c"), nil, []string{"callback_url:" + i18n.CallbackURLMismatch}},
		"sub-domain":       {str("https://hooks.acme.example.evil.example/c"), nil, []string{"callback_url:" + i18n.CallbackURLMismatch}},
		"other port":       {str("https://hooks.acme.example:8443/c"), nil, []string{"callback_url:" + i18n.CallbackURLMismatch}},
		"http":             {str("http://hooks.acme.example/c"), nil, []string{"callback_url:" + i18n.CallbackURLHTTPS}},
		"relative":         {str("/c"), nil, []string{"callback_url:" + i18n.CallbackURLInvalid}},
		"credentials":      {str("https://u:p@hooks.acme.example/c"), nil, []string{"callback_url:" + i18n.CallbackURLInvalid}},
		"fragment":         {str("https://hooks.acme.example/c#x"), nil, []string{"callback_url:" + i18n.CallbackURLInvalid}},
		"javascript":       {str("javascript:alert(1)"), nil, []string{"callback_url:" + i18n.CallbackURLInvalid}},
		"space":            {str("https://hooks.acme.example/a b"), nil, []string{"callback_url:" + i18n.CallbackURLInvalid}},
		"token newline":    {nil, str("a\r\nX-Evil: 1"), []string{"callback_token:" + i18n.CallbackTokenInvalid}},
		"token too long":   {nil, str(strings.Repeat("a", 1025)), []string{"callback_token:" + i18n.CallbackTokenInvalid}},
		"token and url ok": {str("https://hooks.acme.example/c"), str(strings.Repeat("a", 1024)), nil},
	} {
		_, _, ps, err := svc.CheckCallback(context.Background(), acme, c.url, c.token)
		if err != nil {
			t.Fatal(err)
		}
		if got := problemMsgs(ps); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	// Without a configured URL neither can be used.
	none := New(Deps{Store: &memStore{}, Now: (&clock{t: t0}).now})
	_, _, ps, _ := none.CheckCallback(context.Background(), acme, str("http://127.0.0.1:9/x"), str("t"))
	if got := strings.Join(problemMsgs(ps), ","); got != "callback_url:"+i18n.CallbackURLUnconfigured {
		t.Errorf("unconfigured: %s", got)
	}
	_, _, ps, _ = none.CheckCallback(context.Background(), acme, nil, str("t"))
	if got := strings.Join(problemMsgs(ps), ","); got != "callback_token:"+i18n.CallbackURLUnconfigured {
		t.Errorf("token alone, unconfigured: %s", got)
	}
}

// The first URL makes a secret, shown once; a change keeps it; a rotation
// makes a new one and the old one signs for 24 hours more.
func TestSetEndpoint(t *testing.T) {
	str := func(s string) *string { return &s }
	st := &memStore{}
	c := &clock{t: t0}
	svc := New(Deps{Store: st, Config: Config{RequireHTTPS: true}, Now: c.now, Rand: bytes.NewReader(counting(4000))})
	ctx := context.Background()
	if _, err := svc.SetEndpoint(ctx, "acme", EndpointInput{Token: str("t")}); julo.ErrorCode(err) != julo.ENOTFOUND ||
		!strings.Contains(err.Error(), i18n.WebhookURLNeeded) {
		t.Fatalf("no URL yet: %v", err)
	}
	if _, err := svc.SetEndpoint(ctx, "acme", EndpointInput{URL: str("http://hooks.acme.example/")}); julo.ErrorCode(err) != julo.EINVALID {
		t.Fatalf("http in production: %v", err)
	}
	if _, err := svc.SetEndpoint(ctx, "nobody", EndpointInput{URL: str("https://hooks.acme.example/")}); julo.ErrorCode(err) != julo.ENOTFOUND ||
		!strings.Contains(err.Error(), i18n.PartnerUnknown) {
		t.Fatalf("unknown partner: %v", err)
	}
	first, err := svc.SetEndpoint(ctx, "acme", EndpointInput{URL: str(" https://hooks.acme.example/julo ")})
	if err != nil || !strings.HasPrefix(first.Secret, "whsec_") || first.URL != "https://hooks.acme.example/julo" || !first.PreviousUntil.IsZero() {
		t.Fatalf("first: %+v, %v", first, err)
	}
	key, _ := webhook.DecodeSecret(first.Secret)
	if !bytes.Equal(st.keys[0], key) {
		t.Fatal("the secret shown is not the key stored")
	}
	again, err := svc.SetEndpoint(ctx, "acme", EndpointInput{URL: str("https://hooks.acme.example/v2"), Token: str("tok")})
	if err != nil || again.Secret != "" || len(st.keys) != 1 {
		t.Fatalf("a change shows a secret or stores one: %+v, %d keys, %v", again, len(st.keys), err)
	}
	c.t = c.t.Add(time.Hour)
	rot, err := svc.SetEndpoint(ctx, "acme", EndpointInput{RotateSecret: true})
	if err != nil || rot.Secret == "" || rot.Secret == first.Secret || !rot.PreviousUntil.Equal(c.t.Add(24*time.Hour)) ||
		!st.lastChange.Rotate || !st.lastChange.RetireAt.Equal(c.t.Add(24*time.Hour)) {
		t.Fatalf("rotation: %+v, %v", rot, err)
	}
	off, err := svc.SetEndpoint(ctx, "acme", EndpointInput{Disable: true})
	if err != nil || !off.Disabled || off.Secret != "" {
		t.Fatalf("disable: %+v, %v", off, err)
	}
}

// counting is n bytes that do not repeat within any read of the tests.
func counting(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// The prune job deletes in batches until a batch comes back short, each
// batch the events before the 30 days of the feed.
func TestPruneEventsBatches(t *testing.T) {
	st := &memStore{pruneLeft: []int{pruneBatch, pruneBatch, 7, pruneBatch}}
	c := &clock{t: t0}
	if err := New(Deps{Store: st, Now: c.now}).PruneEvents(context.Background(), PruneJob{}); err != nil {
		t.Fatal(err)
	}
	if len(st.pruned) != 3 {
		t.Fatalf("%d batches, want 3", len(st.pruned))
	}
	for _, b := range st.pruned {
		if !b.Equal(t0.Add(-30 * 24 * time.Hour)) {
			t.Fatalf("pruned before %s", b)
		}
	}
}

// A callback URL that parseTarget accepts is absolute http(s) with a host
// and an origin; anything is judged without a panic.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"https://hooks.acme.example/julo", "http://127.0.0.1:9/x", "javascript:alert(1)", "https://[::1]:8443/a", "//x", ""} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, httpsOnly bool) {
		u, msg := parseTarget(raw, httpsOnly)
		if msg != "" {
			return
		}
		o := origin(u)
		host, https := strings.CutPrefix(o, "https://")
		if !https {
			host, _ = strings.CutPrefix(o, "http://")
		}
		if host == "" || host == o || httpsOnly && !https {
			t.Fatalf("accepted %q with origin %q", raw, o)
		}
	})
}
