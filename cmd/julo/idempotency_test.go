package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/worker"
)

// Idempotency keys (issue 11 item 5), held to the real server: a write
// sent again with its Idempotency-Key is answered once.

// idemAnswer is a raw answer to a request with an Idempotency-Key.
type idemAnswer struct {
	status int
	header http.Header
	body   string
	err    error
}

func (a idemAnswer) replayed() bool { return a.header.Get("Idempotent-Replayed") == "true" }

func (a idemAnswer) code() string {
	var env struct {
		Details []struct{ Code string } `json:"error_details"`
	}
	json.Unmarshal([]byte(a.body), &env)
	if len(env.Details) == 0 {
		return ""
	}
	return env.Details[0].Code
}

// sendKeyed sends a request with Idempotency-Key key (none when empty)
// and returns the answer whole; safe from any goroutine (it never calls
// t.Fatal). body is JSON unless ct says otherwise.
func (s *testServer) sendKeyed(t *testing.T, method, path, key string, body []byte, ct string, hdr ...string) idemAnswer {
	hr, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		return idemAnswer{err: err}
	}
	if ct == "" {
		ct = "application/json"
	}
	hr.Header.Set("Content-Type", ct)
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	if key != "" {
		hr.Header.Set("Idempotency-Key", key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		hr.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(withOpenAPITest(hr, t))
	if err != nil {
		return idemAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return idemAnswer{status: resp.StatusCode, header: resp.Header, body: string(b), err: err}
}

// 20 registrations sent at once with one key create one application: each
// gets the same 201, byte for byte, or a 409 while the first runs; once
// it has answered, every one more is that 201, replayed.
func TestIdempotentRegistrationRunsOnceUnderConcurrency(t *testing.T) {
	s := startServer(t, nil)
	body := mustJSON(regBody(testNIK(501), "idem501@test.com"))
	const n = 20
	answers := make([]idemAnswer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = s.sendKeyed(t, "POST", pathRegister, "reg-501", body, "")
		}()
	}
	close(start)
	wg.Wait()
	var first string
	created, running := 0, 0
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Fatalf("request %d: %v", i, a.err)
		case a.status == http.StatusCreated:
			if first == "" {
				first = a.body
			}
			if a.body != first {
				t.Fatalf("two different 201s:\n%s\n%s", first, a.body)
			}
			created++
		case a.status == http.StatusConflict && a.code() == "idempotency_key_in_use" && a.header.Get("Retry-After") == "1":
			running++
		default:
			t.Fatalf("request %d: %d %s", i, a.status, a.body)
		}
	}
	if created == 0 {
		t.Fatalf("no 201 among %d answers (%d were 409)", n, running)
	}
	if got := s.count("applications"); got != 1 {
		t.Fatalf("%d applications from one key", got)
	}
	for range 3 {
		a := s.sendKeyed(t, "POST", pathRegister, "reg-501", body, "")
		if a.status != http.StatusCreated || a.body != first || !a.replayed() {
			t.Fatalf("after: %d %v %s", a.status, a.header, a.body)
		}
	}
	t.Logf("%d answered 201 (one ran, the others replayed), %d answered 409 while it ran", created, running)
}

// The kept answer is in the database: after a restart the same request
// with the key is the same answer; a new key for the same customer is a
// new request (the partner's own application's 409).
func TestIdempotentReplaySurvivesARestart(t *testing.T) {
	s := startServer(t, nil)
	body := mustJSON(regBody(testNIK(502), "idem502@test.com"))
	first := s.sendKeyed(t, "POST", pathRegister, "reg-502", body, "", "Accept-Language", "en")
	if first.status != http.StatusCreated || first.replayed() {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	s.stop()
	s2 := startServer(t, nil, withData(s.Data), withPartner(s.Partner, s.Secret))
	again := s2.sendKeyed(t, "POST", pathRegister+"/", "reg-502", body, "")
	if again.status != http.StatusCreated || again.body != first.body || !again.replayed() ||
		again.header.Get("Content-Type") != first.header.Get("Content-Type") || again.header.Get("X-Request-Id") == first.header.Get("X-Request-Id") {
		t.Fatalf("after the restart: %d %v %s\nfirst: %v %s", again.status, again.header, again.body, first.header, first.body)
	}
	if other := s2.sendKeyed(t, "POST", pathRegister, "reg-502-b", body, ""); other.status != http.StatusConflict || other.replayed() ||
		!strings.Contains(other.body, "application_xid") {
		t.Fatalf("a new key: %d %s", other.status, other.body)
	}
	if n := s2.count("applications"); n != 1 {
		t.Fatalf("%d applications", n)
	}
}

// The key sent again with another request is a 422 naming the key, which
// runs nothing; JSON in another key order and spacing is the same request.
func TestIdempotencyKeyReusedForAnotherRequestIs422(t *testing.T) {
	s := startServer(t, nil)
	nik := testNIK(503)
	first := s.sendKeyed(t, "POST", pathRegister, "reg-503", mustJSON(regBody(nik, "idem503@test.com")), "")
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	reordered := fmt.Sprintf(`{ "longitude": 106.7229445, "latitude": -6.1815657, "email": "idem503@test.com", "pin": %q, "username": %q }`, strongPIN, nik)
	if a := s.sendKeyed(t, "POST", pathRegister, "reg-503", []byte(reordered), ""); a.status != http.StatusCreated || !a.replayed() || a.body != first.body {
		t.Fatalf("the same JSON reordered: %d %s", a.status, a.body)
	}
	s.unchanged(t, func() {
		a := s.sendKeyed(t, "POST", pathRegister, "reg-503", mustJSON(regBody(testNIK(504), "idem504@test.com")), "", "Accept-Language", "en")
		if a.status != http.StatusUnprocessableEntity || a.code() != "idempotency_key_reused" || !strings.Contains(a.body, `Idempotency-Key \"reg-503\" was used for another request`) {
			t.Fatalf("another body: %d %s", a.status, a.body)
		}
		if a := s.sendKeyed(t, "POST", pathPrereg, "reg-503", mustJSON(map[string]any{"nik": nik, "email": "x@test.com"}), ""); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("another route: %d %s", a.status, a.body)
		}
	})
}

// An image upload replayed: the same file under a new multipart boundary
// is the first answer and stores nothing more; another file with the key
// is a 422.
func TestIdempotentImageUploadIsReplayed(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	upload := func(file []byte) ([]byte, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b) // a random boundary each time, as every client makes
		w.WriteField("image_type", "ktp_self")
		f, _ := w.CreateFormFile("upload", "ktp.png")
		f.Write(file)
		w.Close()
		return b.Bytes(), w.FormDataContentType()
	}
	path := "/api/partnership/v1/applications/" + xid + "/images"
	img := pngBytes(t)
	b1, ct1 := upload(img)
	first := s.sendKeyed(t, "POST", path, "img-1", b1, ct1)
	if first.status != http.StatusOK || first.replayed() {
		t.Fatalf("upload: %d %s", first.status, first.body)
	}
	s.unchanged(t, func() {
		b2, ct2 := upload(img)
		if ct1 == ct2 {
			t.Fatal("the two bodies share a boundary")
		}
		a := s.sendKeyed(t, "POST", path, "img-1", b2, ct2)
		if a.status != http.StatusOK || !a.replayed() || a.body != first.body {
			t.Fatalf("the same upload again: %d %v %s", a.status, a.header, a.body)
		}
		other := append(bytes.Clone(img[:len(img)-1]), img[len(img)-1]^1)
		b3, ct3 := upload(other)
		if a := s.sendKeyed(t, "POST", path, "img-1", b3, ct3); a.status != http.StatusUnprocessableEntity || a.code() != "idempotency_key_reused" {
			t.Fatalf("another file: %d %s", a.status, a.body)
		}
	})
	if n := s.count("images"); n != 1 {
		t.Fatalf("%d images stored", n)
	}
}

// A key that is not 1-255 printable ASCII characters, or the header sent
// twice, is a 400 naming the header, before anything runs.
func TestMalformedIdempotencyKeyIs400(t *testing.T) {
	s := startServer(t, nil)
	body := mustJSON(regBody(testNIK(505), "idem505@test.com"))
	s.unchanged(t, func() {
		for _, key := range []string{strings.Repeat("k", 256), "kunci-\u00e9"} {
			hr, _ := http.NewRequest("POST", s.URL+pathRegister, bytes.NewReader(body))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("username", s.Partner)
			hr.Header.Set("secret-key", s.Secret)
			hr.Header.Set("Accept-Language", "en")
			hr.Header.Set("Idempotency-Key", key)
			hr.Header.Set(openapiInvalidHeader, "1")
			resp, err := http.DefaultClient.Do(withOpenAPITest(hr, t))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a := idemAnswer{status: resp.StatusCode, header: resp.Header, body: string(raw)}
			if a.status != http.StatusBadRequest || a.code() != "idempotency_key_invalid" || !strings.Contains(a.body, "Idempotency-Key header must be 1 to 255 printable ASCII") {
				t.Fatalf("key of %d bytes: %d %s", len(key), a.status, a.body)
			}
		}
		r := s.do(req{Method: "POST", Path: pathRegister, Body: string(body), ContentType: "application/json", Invalid: true,
			Header: map[string]string{"Idempotency-Key": ""}})
		r.expect(t, http.StatusBadRequest, "Idempotency-Key")
	})
}

// Failures are not kept: a 502 (the SMS gateway down) and a validation 400
// run again when sent again with their key, and the key then serves the
// request that succeeds.
func TestIdempotencyDoesNotKeepFailures(t *testing.T) {
	g := &smsReceiver{status: 500}
	gw := httptest.NewServer(g)
	defer gw.Close()
	s := startServer(t, []string{"--sms-provider", "webhook", "--sms-webhook-url", gw.URL + "/send", "--sms-timeout", "2s"})
	xid := s.newApplication(t)
	path := "/api/partnership/v1/application/otp/" + xid
	body := mustJSON(map[string]any{"phone": "081234567899"})
	for i := range 2 {
		if a := s.sendKeyed(t, "POST", path, "otp-1", body, ""); a.status != http.StatusBadGateway || a.replayed() {
			t.Fatalf("gateway down, try %d: %d %s", i, a.status, a.body)
		}
	}
	g.mu.Lock()
	g.status = 200
	g.mu.Unlock()
	first := s.sendKeyed(t, "POST", path, "otp-1", body, "")
	if first.status != http.StatusOK || first.replayed() {
		t.Fatalf("gateway up: %d %s", first.status, first.body)
	}
	if a := s.sendKeyed(t, "POST", path, "otp-1", body, ""); a.status != http.StatusOK || !a.replayed() || a.body != first.body {
		t.Fatalf("sent again: %d %s", a.status, a.body)
	}
	g.mu.Lock()
	calls := len(g.bodies)
	g.mu.Unlock()
	if calls != 3 { // two refused, one delivered; the replay sent nothing
		t.Fatalf("the gateway was called %d times", calls)
	}

	bad := mustJSON(map[string]any{"username": testNIK(506), "pin": "111111", "email": "idem506@test.com", "latitude": -6.2, "longitude": 106.8})
	for range 2 {
		if a := s.sendKeyed(t, "POST", pathRegister, "reg-506", bad, ""); a.status != http.StatusBadRequest || a.replayed() {
			t.Fatalf("a weak PIN: %d %s", a.status, a.body)
		}
	}
	// The key was released: the corrected request is a new one, not a 422.
	if a := s.sendKeyed(t, "POST", pathRegister, "reg-506", mustJSON(regBody(testNIK(506), "idem506@test.com")), ""); a.status != http.StatusCreated {
		t.Fatalf("corrected: %d %s", a.status, a.body)
	}
}

// A replay does not reach the route: it spends no registration from the
// partner's budget (the requests-per-second budget counts it as any
// request); a new registration past the budget is the 429.
func TestIdempotentReplaySpendsNoRouteBudget(t *testing.T) {
	s := startServer(t, nil)
	if _, err := s.cli("partner", "set", "acme", "--registrations-per-hour", "1"); err != nil {
		t.Fatal(err)
	}
	body := mustJSON(regBody(testNIK(507), "idem507@test.com"))
	first := s.sendKeyed(t, "POST", pathRegister, "reg-507", body, "")
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	for range 3 {
		if a := s.sendKeyed(t, "POST", pathRegister, "reg-507", body, ""); a.status != http.StatusCreated || !a.replayed() {
			t.Fatalf("replay: %d %s", a.status, a.body)
		}
	}
	a := s.sendKeyed(t, "POST", pathRegister, "reg-508", mustJSON(regBody(testNIK(508), "idem508@test.com")), "")
	if a.status != http.StatusTooManyRequests || a.code() != "budget_registrations_per_hour" {
		t.Fatalf("a new registration past the budget: %d %s", a.status, a.body)
	}
	// The 429 was not kept: in the next hour the key runs.
	s.Clock.Add(time.Hour)
	if a := s.sendKeyed(t, "POST", pathRegister, "reg-508", mustJSON(regBody(testNIK(508), "idem508@test.com")), ""); a.status != http.StatusCreated || a.replayed() {
		t.Fatalf("the next hour: %d %s", a.status, a.body)
	}
}

// Keys live for --idempotency-keep: the row holds neither the key nor the
// answer readable, the periodic job deletes it once the window has passed,
// and the key then runs again.
func TestIdempotencyKeysArePrunedAfterTheWindow(t *testing.T) {
	found := false
	for _, p := range periodic {
		if _, ok := p.job.(worker.IdempotencyPruneJob); ok && p.every == time.Hour {
			found = true
		}
	}
	if !found {
		t.Fatal("no periodic idempotency_prune job")
	}
	s := startServer(t, []string{"--idempotency-keep", "2h"})
	nik, email := testNIK(509), "idem509@test.com"
	if a := s.sendKeyed(t, "POST", pathRegister, "nik-"+nik, mustJSON(regBody(nik, email)), ""); a.status != http.StatusCreated {
		t.Fatalf("first: %d %s", a.status, a.body)
	}
	var row strings.Builder
	rows, err := s.sqlDB().Query(`SELECT key_hash, request_hash, response FROM idempotency_keys`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, r, resp string
		rows.Scan(&k, &r, &resp)
		row.WriteString(k + r + resp)
	}
	rows.Close()
	if n := s.count("idempotency_keys"); n != 1 || strings.Contains(row.String(), nik) || strings.Contains(row.String(), email) || strings.Contains(row.String(), "application_xid") {
		t.Fatalf("%d rows: %s", n, row.String())
	}
	prune := func() {
		t.Helper()
		if err := storeOf(t, s).Enqueue(context.Background(), julo.Scheduled{Job: worker.IdempotencyPruneJob{}, At: s.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		s.settle(t)
	}
	s.Clock.Add(2*time.Hour - time.Second)
	prune()
	if n := s.count("idempotency_keys"); n != 1 {
		t.Fatalf("%d keys inside the window", n)
	}
	if a := s.sendKeyed(t, "POST", pathRegister, "nik-"+nik, mustJSON(regBody(nik, email)), ""); !a.replayed() {
		t.Fatalf("inside the window: %d %s", a.status, a.body)
	}
	s.Clock.Add(2 * time.Second)
	prune()
	if n := s.count("idempotency_keys"); n != 0 {
		t.Fatalf("%d keys after the window", n)
	}
	// Run again: the partner's own application's 409 (now kept).
	if a := s.sendKeyed(t, "POST", pathRegister, "nik-"+nik, mustJSON(regBody(nik, email)), ""); a.status != http.StatusConflict || a.replayed() {
		t.Fatalf("after the window: %d %s", a.status, a.body)
	}
	if a := s.sendKeyed(t, "POST", pathRegister, "nik-"+nik, mustJSON(regBody(nik, email)), ""); a.status != http.StatusConflict || !a.replayed() {
		t.Fatalf("the 409 replayed: %d %s", a.status, a.body)
	}
}

// Two server processes on one PostgreSQL database share the keys: the
// same registration sent to both at once with one key runs on one of them,
// and both then answer it the same.
func TestIdempotencyKeySharedByTwoInstances(t *testing.T) {
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
	a := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	b := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	for round := range 5 {
		key := fmt.Sprintf("two-%d", round)
		body := mustJSON(regBody(testNIK(520+round), fmt.Sprintf("idem-two-%d@test.com", round)))
		answers := make([]idemAnswer, 6)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = []*testServer{a, b}[i%2].sendKeyed(t, "POST", pathRegister, key, body, "")
			}()
		}
		wg.Wait()
		var created string
		for i, ans := range answers {
			switch {
			case ans.err != nil:
				t.Fatalf("round %d, request %d: %v", round, i, ans.err)
			case ans.status == http.StatusCreated && (created == "" || ans.body == created):
				created = ans.body
			case ans.status == http.StatusConflict && ans.code() == "idempotency_key_in_use":
			default:
				t.Fatalf("round %d, request %d: %d %s", round, i, ans.status, ans.body)
			}
		}
		if created == "" {
			t.Fatalf("round %d: no 201", round)
		}
		for _, s := range []*testServer{a, b} {
			if ans := s.sendKeyed(t, "POST", pathRegister, key, body, ""); ans.status != http.StatusCreated || ans.body != created || !ans.replayed() {
				t.Fatalf("round %d, after: %d %s", round, ans.status, ans.body)
			}
		}
	}
	if n := a.count("applications"); n != 5 {
		t.Fatalf("%d applications from 5 keys", n)
	}
}

// The kept answers are sealed with the data key: after a rotation they
// still replay (the old key stays in the key file for the window), and
// julo keys rotate-data counts them by the key that sealed them.
func TestIdempotentAnswersAcrossADataKeyRotation(t *testing.T) {
	s := startServer(t, nil)
	body := mustJSON(regBody(testNIK(530), "idem530@test.com"))
	first := s.sendKeyed(t, "POST", pathRegister, "reg-530", body, "")
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	s.stop()
	var old string
	editDataKeys(t, s, func(cur *string, keys map[string]string) {
		old = *cur
		keys["rotated"] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // 32 bytes
		*cur = "rotated"
	})
	s2 := startServer(t, nil, withData(s.Data), withPartner(s.Partner, s.Secret))
	if a := s2.sendKeyed(t, "POST", pathRegister, "reg-530", body, ""); a.status != http.StatusCreated || !a.replayed() || a.body != first.body {
		t.Fatalf("replay after the rotation: %d %s", a.status, a.body)
	}
	if a := s2.sendKeyed(t, "POST", pathRegister, "reg-531", mustJSON(regBody(testNIK(531), "idem531@test.com")), ""); a.status != http.StatusCreated {
		t.Fatalf("a new key: %d %s", a.status, a.body)
	}
	out, err := s2.cli("keys", "rotate-data")
	if err != nil {
		t.Fatalf("rotate-data: %v %s", err, out)
	}
	var got struct {
		Answers map[string]int `json:"idempotent_answers_by_data_key"`
		Note    string         `json:"note"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Answers[old] != 1 || got.Answers["rotated"] != 1 || !strings.Contains(got.Note, "--idempotency-keep") {
		t.Fatalf("rotate-data said %s (%v)", out, err)
	}
}
