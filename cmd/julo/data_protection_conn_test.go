package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 10 items 9 and 14: what a hostile client can do to the listener
// and with the request's form.

// needOpenFiles raises this process's soft limit of open files to n when
// it is lower, or skips the test when the hard limit does not allow n.
func needOpenFiles(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot read the open-file limit: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		t.Skipf("this test holds %d connections at both ends; the hard open-file limit is %d (raise it: ulimit -Hn)", n, lim.Max)
	}
	old := lim.Cur
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot raise the open-file limit to %d: %v", n, err)
	}
	t.Cleanup(func() { lim.Cur = old; syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
}

// slowUpload starts a registration whose body (declared 1 MiB) trickles
// at 100 bytes per second, well under the floor, and returns a channel
// that gets the answer's status and error code, and whether the whole body
// was sent (it must not be: the client is cut off first).
type slowOutcome struct {
	status   int
	code     string
	finished bool
	err      error
}

func (s *testServer) slowUpload(t *testing.T) <-chan slowOutcome {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	const length = 1 << 20
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nusername: %s\r\nsecret-key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"username\": \"",
		pathRegister, s.Partner, s.Secret, length)
	out := make(chan slowOutcome, 1)
	answered := make(chan slowOutcome, 1)
	go func() {
		// The deadline only bounds a failing test.
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			answered <- slowOutcome{err: err}
			return
		}
		defer resp.Body.Close()
		var env struct {
			Details []struct{ Code string } `json:"error_details"`
		}
		b, _ := io.ReadAll(resp.Body)
		o := slowOutcome{status: resp.StatusCode}
		if json.Unmarshal(b, &env) == nil && len(env.Details) == 1 {
			o.code = env.Details[0].Code
		}
		answered <- o
	}()
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for sent := 0; ; {
			select {
			case o := <-answered:
				out <- o
				return
			case <-tick.C:
				if sent >= length-100 {
					out <- slowOutcome{finished: true}
					return
				}
				if _, err := io.WriteString(c, "0123456789"); err == nil {
					sent += 10
				}
			}
		}
	}()
	return out
}

// 5,000 connections that send nothing, and a client sending its body at
// 100 bytes a second, do not keep a partner from registering: past the cap
// (4,096 by default) the longest-idle connection gives its slot up, and
// the slow body is cut off with a 408. /healthz and /readyz answer on the
// metrics listener too, apart from the API's port.
func TestIdleConnectionsAndASlowBodyDoNotLockOutAPartner(t *testing.T) {
	const idle = 5000
	// Both ends of each connection are in this process.
	needOpenFiles(t, 2*idle+1000)
	s := startServer(t, []string{"--body-rate-grace", "1s", "--metrics-addr", "127.0.0.1:0"})
	host := strings.TrimPrefix(s.URL, "http://")
	conns := make([]net.Conn, 0, idle)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range idle {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatalf("idle connection %d: %v", len(conns)+1, err)
		}
		conns = append(conns, c)
	}
	slow := s.slowUpload(t)

	got := s.register(t, testNIK(1), "normal@example.com")
	if got.XID == 0 {
		t.Fatalf("registered %+v", got)
	}

	health := strings.TrimSuffix(s.metricsURL(t), "/metrics")
	for path, want := range map[string]string{"/healthz": `"status":"ok"`, "/readyz": `"status":"ready"`} {
		code, body := rawGet(t, health+path)
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("%s on the metrics listener: %d %s", path, code, body)
		}
	}

	o := <-slow
	switch {
	case o.err != nil:
		t.Fatalf("the slow client got no answer: %v", o.err)
	case o.finished:
		t.Fatal("the slow client sent its whole body: it was never cut off")
	case o.status != http.StatusRequestTimeout || o.code != "body_too_slow":
		t.Fatalf("the slow client got %d %q, want 408 body_too_slow", o.status, o.code)
	}
}

// Request headers past the limit are the envelope's 431 (checked by s.do),
// both just past httpapi's 64 KiB and past the 1 MiB that net/http would
// answer in plain text.
func TestOversizedHeadersAreThe431Envelope(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for _, n := range []int{64<<10 + 1, 1<<20 + 1} {
		s.do(req{Method: "GET", Path: pathDropdown + "?data_selected=loan_purposes", Invalid: true,
			Header: map[string]string{"X-Padding": strings.Repeat("a", n)}}).expect(t, http.StatusRequestHeaderFieldsTooLarge, "65536")
	}
	// Under the limit nothing changes.
	s.do(req{Method: "GET", Path: pathDropdown + "?data_selected=loan_purposes",
		Header: map[string]string{"X-Padding": strings.Repeat("a", 32<<10)}}).expect(t, http.StatusOK)
}

// username or secret-key sent twice is refused with a 400 that names the
// header, on every authenticated route, before the credentials are
// checked: even two copies of the right value.
func TestDuplicatedCredentialHeadersAre400(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for _, c := range []struct{ method, path, body string }{
		{"POST", pathRegister, `{}`},
		{"GET", pathDropdown + "?data_selected=loan_purposes", ""},
		{"GET", "/api/partnership/v1/application/status/1234567890", ""},
	} {
		for _, name := range []string{"username", "secret-key"} {
			hr, err := http.NewRequest(c.method, s.URL+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("Accept-Language", "en")
			hr.Header.Set(openapiInvalidHeader, "1")
			hr.Header.Set("username", s.Partner)
			hr.Header.Set("secret-key", s.Secret)
			hr.Header.Add(name, hr.Header.Get(name))
			resp, err := http.DefaultClient.Do(withOpenAPITest(hr, t))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var r response
			r.Status, r.Header = resp.StatusCode, resp.Header
			mustEnvelope(t, b, &r)
			r.expect(t, http.StatusBadRequest, "The "+name+" header is sent more than once")
		}
	}
}

// In production every answer carries Strict-Transport-Security, the
// envelope's failures and successes alike.
func TestProductionAnswersCarryHSTS(t *testing.T) {
	t.Parallel()
	keys, err := (&testServer{}).keysJSON()
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, []string{"--env", "production"}, withEnv("JULO_KEYS", keys), withEnv("JULO_SMS_PROVIDER", "log"))
	for _, r := range []response{
		s.do(req{Method: "GET", Path: "/healthz", NoAuth: true}).expect(t, 200),
		s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(2), "hsts@example.com")}).expect(t, 201),
		s.do(req{Method: "GET", Path: pathDropdown + "?data_selected=loan_purposes", NoAuth: true, Invalid: true}).expect(t, 401),
		s.do(req{Method: "GET", Path: "/nope", Invalid: true}).expect(t, 404),
	} {
		if got := r.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Fatalf("Strict-Transport-Security %q on %d %s", got, r.Status, r.Raw)
		}
	}
	// A database of its own: a database keeps the keys it was first used with.
	t.Run("sandbox", func(t *testing.T) {
		sandbox := startServer(t, nil)
		if got := sandbox.do(req{Method: "GET", Path: "/healthz", NoAuth: true}).Header.Get("Strict-Transport-Security"); got != "" {
			t.Fatalf("the sandbox (plain HTTP) sends Strict-Transport-Security %q", got)
		}
	})
}
