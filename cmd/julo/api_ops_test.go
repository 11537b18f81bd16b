package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// After registering with a known NIK, PIN and email (and failing requests
// that carry them), the log holds none of them nor the partner secret; it has
// one JSON line per request with request_id, partner, route, status and
// duration_ms.
func TestLogsOneLinePerRequestWithoutSecrets(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	const (
		nik   = "3273014507880123" // a woman born 05-07-1988 in Kota Bandung
		pin   = "604173"
		email = "siti.rahayu@example.com"
	)
	requests := []struct {
		r      req
		status int
		route  string
	}{
		{req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": nik, "email": email}}, 200, "POST /api/partnership/v1/preregister-check"},
		{req{Method: "POST", Path: pathPIN + "/", Body: map[string]any{"nik": nik, "pin": pin}}, 200, "POST /api/partnership/v1/check-strong-pin"},
		{req{Method: "POST", Path: pathRegister + "/", Body: map[string]any{"username": nik, "pin": pin, "email": "Siti.Rahayu@Example.com", "latitude": -6.9, "longitude": 107.6},
			Header: map[string]string{"X-Request-Id": "trace-register-1"}}, 201, "POST /api/partnership/v1/customer"},
		{req{Method: "POST", Path: pathRegister, Body: map[string]any{"username": nik, "pin": pin, "email": email, "latitude": -6.9, "longitude": 107.6}}, 409, "POST /api/partnership/v1/customer"},
		{req{Method: "POST", Path: pathRegister + "?username=" + nik + "&pin=" + pin, Body: map[string]any{"email": "bad"}}, 400, "POST /api/partnership/v1/customer"},
		{req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": nik, "email": "other@example.com"}}, 400, "POST /api/partnership/v1/preregister-check"},
		{req{Method: "GET", Path: pathAddress + "?get_address=city&province=Jawa%20Barat&nik=" + nik}, 200, "GET /api/partnership/v1/address"},
		{req{Method: "GET", Path: "/api/partnership/v1/customer/" + nik, Invalid: true}, 404, ""},
		{req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": nik, "pin": pin}, NoAuth: true,
			Header: map[string]string{"username": "acme", "secret-key": s.Secret + "wrong"}}, 401, "POST /api/partnership/v1/check-strong-pin"},
	}
	for _, c := range requests {
		s.do(c.r).expect(t, c.status)
	}
	logs := s.logs.String()
	for _, secret := range []string{nik, pin, email, "Siti.Rahayu", "siti.rahayu", s.Secret} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
	var lines []map[string]any
	for _, l := range s.logLines() {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != len(requests) {
		t.Fatalf("%d request log lines for %d requests:\n%s", len(lines), len(requests), logs)
	}
	ids := map[string]bool{}
	for i, m := range lines {
		c := requests[i]
		id, _ := m["request_id"].(string)
		if id == "" || ids[id] {
			t.Errorf("line %d: request_id %q", i, id)
		}
		ids[id] = true
		if st, _ := m["status"].(float64); int(st) != c.status {
			t.Errorf("line %d: status %v, want %d", i, m["status"], c.status)
		}
		// The route is the matched pattern (with or without the trailing
		// slash), never the raw path.
		if route, _ := m["route"].(string); route == "" || !strings.HasPrefix(route, c.route) || strings.Contains(route, nik) {
			t.Errorf("line %d: route %q, want %q", i, route, c.route)
		}
		if d, ok := m["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("line %d: duration_ms %v", i, m["duration_ms"])
		}
		p, ok := m["partner"].(string)
		if !ok || (c.status != 401 && c.status != 404 && p != "acme") {
			t.Errorf("line %d: partner %v, want acme", i, m["partner"])
		}
	}
	if lines[2]["request_id"] != "trace-register-1" {
		t.Errorf("the caller's X-Request-Id is not logged: %v", lines[2]["request_id"])
	}
	// Nothing secret in the data dir either: the partner secret is kept only
	// as a keyed hash and the PIN only as argon2id.
	files := readAllFiles(t, s.Data)
	for _, secret := range []string{pin, s.Secret} {
		if bytes.Contains(files, []byte(secret)) {
			t.Errorf("the data dir contains %q in clear", secret)
		}
	}
}

// `julo migrate` prints applied and schema_version and is idempotent: on a
// new data dir it applies every migration, then none.
func TestOpsMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	type result struct {
		Applied       int `json:"applied"`
		SchemaVersion int `json:"schema_version"`
	}
	migrate := func(dir string) result {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := runWith(context.Background(), []string{"migrate", "--data", dir}, s.getenv, &out, &errOut, hooks{now: s.Clock.Now}); err != nil {
			t.Fatalf("migrate: %v %s", err, errOut.String())
		}
		var r result
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("migrate printed %q", out.String())
		}
		return r
	}
	fresh := t.TempDir()
	first := migrate(fresh)
	if first.Applied < 1 || first.SchemaVersion != first.Applied {
		t.Fatalf("first migrate on a new data dir: %+v", first)
	}
	if again := migrate(fresh); again != (result{0, first.SchemaVersion}) {
		t.Fatalf("second migrate: %+v, want applied 0 at version %d", again, first.SchemaVersion)
	}
	// The running server's database is already migrated.
	out, err := s.cli("migrate")
	if err != nil {
		t.Fatal(err)
	}
	var r result
	if err := json.Unmarshal([]byte(out), &r); err != nil || r != (result{0, first.SchemaVersion}) {
		t.Fatalf("migrate beside the server printed %q", out)
	}
	s.do(req{Method: "GET", Path: "/readyz"}).expect(t, http.StatusOK)
}

// `partner list` shows every partner with its disabled flag; creating an
// existing partner fails; a partner created while the server runs can call
// the API at once.
func TestOpsPartnerCommands(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	secret := s.createPartner("globex")
	s.do(req{Method: "GET", Path: pathAddress + "?get_address=province", NoAuth: true,
		Header: map[string]string{"username": "globex", "secret-key": secret}}).expect(t, http.StatusOK)
	var d registered
	s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "globex@example.com"), NoAuth: true,
		Header: map[string]string{"username": "globex", "secret-key": secret}}).expect(t, http.StatusCreated).decodeData(t, &d)

	if out, err := s.cli("partner", "create", "acme"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("creating acme again: %v %q", err, out)
	}
	if n := s.count("partners"); n != 2 {
		t.Fatalf("%d partners", n)
	}
	if _, err := s.cli("partner", "create", "bad name!"); err == nil {
		t.Fatal("a partner name with a space and ! was accepted")
	}
	if _, err := s.cli("partner", "disable", "nobody"); err == nil {
		t.Fatal("disabling an unknown partner succeeded")
	}
	if _, err := s.cli("partner", "disable", "globex"); err != nil {
		t.Fatal(err)
	}
	s.credentialCheckPassed()
	out, err := s.cli("partner", "list")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		Username      string `json:"username"`
		Disabled      bool   `json:"disabled"`
		ActiveSecrets int    `json:"active_secrets"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("partner list printed %q", out)
	}
	got := map[string]bool{}
	for _, p := range list {
		got[p.Username] = p.Disabled
		if p.ActiveSecrets != 1 {
			t.Errorf("partner %s has %d active secrets", p.Username, p.ActiveSecrets)
		}
	}
	if len(list) != 2 || got["acme"] != false || got["globex"] != true {
		t.Fatalf("partner list %q", out)
	}
	if strings.Contains(out, s.Secret) || strings.Contains(out, secret) {
		t.Fatal("partner list shows a secret")
	}
	s.do(req{Method: "GET", Path: pathAddress + "?get_address=province", NoAuth: true,
		Header: map[string]string{"username": "globex", "secret-key": secret}}).expect(t, http.StatusUnauthorized, msgUnauthorized)
}

// /healthz and /readyz answer 200 in the envelope without credentials.
func TestOpsHealthAndReadiness(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		for _, auth := range []bool{false, true} {
			r := s.do(req{Method: "GET", Path: p, NoAuth: !auth}).expect(t, http.StatusOK)
			var d map[string]string
			r.decodeData(t, &d)
			if d["status"] == "" {
				t.Fatalf("%s data %s", p, r.Data)
			}
		}
	}
}

// A request in flight when the server is told to stop still gets its real
// answer; then the server exits cleanly. The request's body is held back
// until the server has started reading it (Expect: 100-continue), the server
// is cancelled, and only then is the rest of the body written.
func TestOpsGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	pr, pw := io.Pipe()
	hr, err := http.NewRequest("POST", s.URL+pathRegister, pr)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Expect", "100-continue")
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	tr := &http.Transport{ExpectContinueTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	type result struct {
		status int
		header http.Header
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: openapiWrap(tr)}).Do(hr)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, resp.Header, b, err}
	}()
	body := `{"username": "3203021505900001", "pin": "159357", "email": "inflight@example.com", "latitude": -6.2, "longitude": 106.8` +
		strings.Repeat(" ", 64<<10) + `}`
	// The transport sends the body only after the server's 100 Continue,
	// which the server sends when the handler starts reading it: once this
	// write returns, the request is in the handler.
	if _, err := pw.Write([]byte(body[:40])); err != nil {
		t.Fatal(err)
	}
	s.cancel()
	// Wait for the server to begin shutting down.
	deadline := time.After(10 * time.Second)
	for waiting := true; waiting; {
		select {
		case line := <-s.logs.lines:
			waiting = !strings.Contains(line, "shutting down")
		case <-deadline:
			t.Fatalf("the server did not start shutting down:\n%s", s.logs.String())
		}
	}
	// Write the rest slowly, in pieces.
	for rest := body[40:]; rest != ""; {
		n := min(len(rest), 4096)
		if _, err := pw.Write([]byte(rest[:n])); err != nil {
			t.Fatalf("writing the body during shutdown: %v", err)
		}
		rest = rest[n:]
	}
	pw.Close()
	var res result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("no answer to the in-flight request")
	}
	if res.err != nil {
		t.Fatalf("the in-flight request failed: %v", res.err)
	}
	out := response{Header: res.header}
	mustEnvelope(t, res.body, &out)
	if res.status != http.StatusCreated {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	var exitErr error
	select {
	case exitErr = <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after the in-flight request")
	}
	s.done <- exitErr // for the harness's cleanup
	if exitErr != nil {
		t.Fatalf("server exited with %v", exitErr)
	}
	if n := s.count("customers"); n != 1 {
		t.Fatalf("%d customers after the in-flight registration", n)
	}
	if !strings.Contains(s.logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no stopped line:\n%s", s.logs.String())
	}
}
