package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/onboarding"
	_ "modernc.org/sqlite"
)

// testClock is a settable clock for the program under test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(t time.Time) *testClock    { return &testClock{t: t} }
func defaultNow() time.Time              { return time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) }

// testServer is the real program, started in-process with `julo serve` on
// port 0 and a temp data dir.
type testServer struct {
	t       *testing.T
	URL     string
	Data    string
	Clock   *testClock
	env     map[string]string
	dbURL   string // empty: SQLite in Data
	blobURL string // empty: files under Data
	logs    *logBuffer
	cancel  context.CancelFunc
	done    chan error
	stopped *sync.Once
	Partner string // a partner created through the CLI
	Secret  string
	// ConsoleURL is the operator console's (console_test.go).
	ConsoleURL string
}

// logBuffer collects the server's log lines (safe for concurrent use).
type logBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		select {
		case l.lines <- line:
		default:
		}
	}
	return len(p), nil
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

type serverOption func(*testServer)

// withData runs the server on an existing data dir (a restart).
func withData(dir string) serverOption { return func(s *testServer) { s.Data = dir } }

// withPartner uses an existing partner instead of creating "acme".
func withPartner(name, secret string) serverOption {
	return func(s *testServer) { s.Partner, s.Secret = name, secret }
}

// withEnv sets an environment variable for the program.
func withEnv(k, v string) serverOption { return func(s *testServer) { s.env[k] = v } }

// startServer starts the program and a partner "acme"; it is stopped (and
// must exit cleanly) when the test ends.
func startServer(t *testing.T, extraArgs []string, opts ...serverOption) *testServer {
	t.Helper()
	s := &testServer{t: t, stopped: &sync.Once{}, Data: t.TempDir(), Clock: newClock(defaultNow()), env: map[string]string{},
		logs: &logBuffer{lines: make(chan string, 1024)}, done: make(chan error, 1)}
	// The test clock stands still unless a test moves it, so every request
	// of a test falls in one second: the budgets are generous here, and
	// the budget tests set their own (budgets_test.go).
	for k, v := range generousBudgets {
		s.env[k] = v
	}
	for _, o := range opts {
		o(s)
	}
	// Production needs a disbursement provider; the harness's production
	// servers create no loans, so one that answers nothing will do.
	if strings.Contains(strings.Join(extraArgs, " "), "--env production") && s.env["JULO_DISBURSEMENT_URL"] == "" {
		s.env["JULO_DISBURSEMENT_URL"], s.env["JULO_DISBURSEMENT_TOKEN"] = "https://disbursement.invalid/transfers", "test-token"
		s.env["JULO_DISBURSEMENT_CALLBACK_SECRET"] = "test-disbursement-callback-secret"
	}
	if s.dbURL == "" {
		s.dbURL = testDatabaseURL(t)
	}
	if s.blobURL == "" {
		s.blobURL = testBlobURL(t)
	}
	if s.Partner == "" {
		s.Partner = "acme"
		s.Secret = s.createPartner("acme")
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args := []string{"serve", "--addr", "127.0.0.1:0", "--console-addr", "127.0.0.1:0", "--data", s.Data, "--database-url", s.dbURL}
	if s.blobURL != "" {
		args = append(args, "--blob-url", s.blobURL)
	}
	args = append(args, extraArgs...)
	go func() {
		s.done <- runWith(ctx, args, s.getenv, io.Discard, s.logs, hooks{now: s.Clock.Now, jobPoll: 50 * time.Millisecond})
	}()
	deadline := time.After(30 * time.Second)
	for s.URL == "" {
		select {
		case line := <-s.logs.lines:
			var m struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "console listening" {
				s.ConsoleURL = "http://" + m.Addr
			}
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "listening" {
				s.URL = "http://" + m.Addr
				openapiServe(t, s.URL)
			}
		case err := <-s.done:
			t.Fatalf("server exited before listening: %v\n%s", err, s.logs.String())
		case <-deadline:
			t.Fatalf("server did not start:\n%s", s.logs.String())
		}
	}
	t.Cleanup(s.stop)
	return s
}

func (s *testServer) getenv(k string) string { return s.env[k] }

// stop cancels the server and waits for a clean exit; it may be called
// more than once.
func (s *testServer) stop() {
	s.stopped.Do(func() {
		s.cancel()
		select {
		case err := <-s.done:
			if err != nil {
				s.t.Errorf("server exited with %v", err)
			}
		case <-time.After(30 * time.Second):
			s.t.Errorf("server did not stop")
		}
	})
}

// cli runs a julo command against the server's data dir and returns stdout.
func (s *testServer) cli(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := runWith(context.Background(), append(args, "--data", s.Data, "--database-url", s.dbURL), s.getenv, &out, &errOut, hooks{now: s.Clock.Now})
	if err != nil {
		return out.String(), fmt.Errorf("%v: %s", err, errOut.String())
	}
	return out.String(), nil
}

// credentialCheckPassed moves the clock past the server's credential
// check interval: a partner disabled or a secret revoked by the CLI (another
// process, as in production) is refused by the server from then on, not
// necessarily before (onboarding's credential cache).
func (s *testServer) credentialCheckPassed() {
	s.Clock.Add(onboarding.DefaultCredentialCheck)
}

func (s *testServer) createPartner(name string) string {
	s.t.Helper()
	out, err := s.cli("partner", "create", name)
	if err != nil {
		s.t.Fatalf("partner create: %v", err)
	}
	var p struct {
		Username  string `json:"username"`
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.SecretKey == "" || p.Username != name {
		s.t.Fatalf("partner create printed %q", out)
	}
	return p.SecretKey
}

// response is a decoded answer; every answer must be a valid envelope.
type response struct {
	Status  int
	Header  http.Header
	Raw     string
	Success bool
	Data    json.RawMessage
	Errors  []string
}

// req describes a request. Body is sent as is when it is a string, as JSON
// otherwise (nil: no body).
type req struct {
	Method, Path string
	Body         any
	ContentType  string
	Header       map[string]string
	NoAuth       bool
	// Invalid marks a deliberately invalid request (a bad-input test): it
	// is not validated against the OpenAPI document; its answer still is
	// (see openapi_test.go).
	Invalid bool
}

func (s *testServer) do(r req) response {
	s.t.Helper()
	var body io.Reader
	ct := r.ContentType
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case url.Values:
		body = strings.NewReader(b.Encode())
		if ct == "" {
			ct = "application/x-www-form-urlencoded"
		}
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		body = bytes.NewReader(j)
		if ct == "" {
			ct = "application/json"
		}
	}
	hr, err := http.NewRequest(r.Method, s.URL+r.Path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	if !r.NoAuth {
		hr.Header.Set("username", s.Partner)
		hr.Header.Set("secret-key", s.Secret)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	if r.Invalid {
		hr.Header.Set(openapiInvalidHeader, "1")
	}
	resp, err := http.DefaultClient.Do(withOpenAPITest(hr, s.t))
	if err != nil {
		s.t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	mustEnvelope(s.t, raw, &out)
	return out
}

// mustEnvelope checks the exact envelope shape: three keys, errors a list,
// data null on failure, and decodes it into out.
func mustEnvelope(t *testing.T, raw []byte, out *response) {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, raw)
	}
	for _, k := range []string{"success", "data", "errors"} {
		if _, ok := keys[k]; !ok {
			t.Fatalf("response lacks %q: %s", k, raw)
		}
	}
	if err := json.Unmarshal(keys["success"], &out.Success); err != nil {
		t.Fatalf("success is not a boolean: %s", raw)
	}
	if err := json.Unmarshal(keys["errors"], &out.Errors); err != nil || out.Errors == nil {
		t.Fatalf("errors is not a list: %s", raw)
	}
	out.Data = keys["data"]
	if !out.Success && len(out.Errors) == 0 {
		t.Fatalf("failure without errors: %s", raw)
	}
	checkErrorDetails(t, keys, out.Errors, raw)
	if out.Success && len(out.Errors) != 0 {
		t.Fatalf("success with errors: %s", raw)
	}
	if ct := out.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
}

// checkErrorDetails holds a failure's error_details to the errors strings:
// one entry each, in order, a code of the catalogue, the field or null, and
// errors[i] is "field: message" or the message. A success has none.
func checkErrorDetails(t *testing.T, keys map[string]json.RawMessage, errs []string, raw []byte) {
	t.Helper()
	rawDetails, ok := keys["error_details"]
	var success bool
	json.Unmarshal(keys["success"], &success)
	if success {
		if ok {
			t.Fatalf("success with error_details: %s", raw)
		}
		return
	}
	var details []struct {
		Code    string  `json:"code"`
		Field   *string `json:"field"`
		Message string  `json:"message"`
	}
	if !ok || json.Unmarshal(rawDetails, &details) != nil || len(details) != len(errs) {
		t.Fatalf("failure whose error_details do not follow its errors: %s", raw)
	}
	for i, d := range details {
		want := d.Message
		if d.Field != nil {
			want = *d.Field + ": " + d.Message
		}
		if !i18n.IsCode(d.Code) || errs[i] != want {
			t.Fatalf("error_details[%d] = %+v does not match errors[%d] %q (or its code is not in i18n.Codes): %s", i, d, i, errs[i], raw)
		}
	}
}

// expect asserts the status and, on failure, that some error message contains
// each of the fragments.
func (r response) expect(t *testing.T, status int, fragments ...string) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	all := strings.Join(r.Errors, "\n")
	for _, f := range fragments {
		if !strings.Contains(all, f) {
			t.Fatalf("errors %q lack %q", r.Errors, f)
		}
	}
	return r
}

// decodeData decodes the envelope's data into v.
func (r response) decodeData(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("data: %v: %s", err, r.Raw)
	}
}

// count returns the number of rows in table, read straight from the
// database (so "nothing left behind" is checked on what is stored).
func (s *testServer) count(table string) int {
	s.t.Helper()
	db := s.sqlDB()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// rowCounts snapshots the row counts of every table that requests write,
// but the budgets' counters: every authenticated request counts in
// budget_windows (a row per second), whatever else it does.
func (s *testServer) rowCounts() map[string]int {
	out := map[string]int{}
	for _, tb := range s.tables() {
		if tb != "budget_windows" {
			out[tb] = s.count(tb)
		}
	}
	return out
}

// tables lists every table of the server's database (schema_migrations
// and River's bookkeeping aside), read from the database itself so that a table added later is
// covered by rowCounts and dumpDB without anyone remembering to list it.
func (s *testServer) tables() []string {
	s.t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.dbURL != "" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	rows, err := s.sqlDB().Query(q)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		// River's bookkeeping (leader, queues, migrations) changes on its
		// own; its jobs are ours and count.
		if name != "schema_migrations" && (!strings.HasPrefix(name, "river_") || name == "river_job") {
			out = append(out, name)
		}
	}
	if len(out) < 10 {
		s.t.Fatalf("found only tables %v", out)
	}
	return out
}

// file reads a file of the data dir (for the search for secrets).
func readAllFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			all = append(all, b...)
		}
		return nil
	})
	return all
}

// scanLines calls fn for each log line.
func (s *testServer) logLines() []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// dumpDB returns every value of every table as text, to search what is stored.
func (s *testServer) dumpDB(t *testing.T) string {
	t.Helper()
	db := s.sqlDB()
	var b strings.Builder
	for _, tb := range s.tables() {
		rows, err := db.Query("SELECT * FROM " + tb)
		if err != nil {
			t.Fatalf("dump %s: %v", tb, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			for _, v := range vals {
				fmt.Fprintf(&b, "%s|", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}
