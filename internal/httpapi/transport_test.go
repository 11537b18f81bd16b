package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// serveListener serves h on 127.0.0.1 through s's Listener with a cap of
// maxConns, as cmd/julo does, and returns the address.
func serveListener(t *testing.T, s *Server, h http.Handler, maxConns int, tune func(*http.Server)) (string, *Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := s.Listen(ln, maxConns)
	srv := &http.Server{Handler: h, ConnState: l.ConnState, ReadHeaderTimeout: time.Minute, MaxHeaderBytes: s.cfg.MaxHeaderBytes}
	if tune != nil {
		tune(srv)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), l
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer waits for the server to close c (a read ends without a
// byte); the deadline only bounds a failing test.
func closedByServer(t *testing.T, c net.Conn) bool {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := c.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return n == 0 && err != nil
}

// get sends a GET on c and reads the answer.
func get(t *testing.T, c net.Conn, path string) *http.Response {
	t.Helper()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp
}

// At the cap a new connection takes the slot of the one that has waited
// longest without a request (a client that connected and sent nothing),
// so idle connections cannot lock clients out.
func TestListenerClosesTheLongestWaitingConnectionAtTheCap(t *testing.T) {
	s := testServer(&bytes.Buffer{})
	addr, l := serveListener(t, s, s, 2, nil)
	first := dial(t, addr)
	// A keep-alive connection that has had its answer waits too; it came
	// later than first, so first goes.
	second := dial(t, addr)
	if resp := get(t, second, "/healthz"); resp.StatusCode != 200 {
		t.Fatalf("second: %d", resp.StatusCode)
	}
	third := dial(t, addr)
	if resp := get(t, third, "/healthz"); resp.StatusCode != 200 {
		t.Fatalf("third: %d", resp.StatusCode)
	}
	if !closedByServer(t, first) {
		t.Fatal("the longest-waiting connection is still open")
	}
	if n := l.Open(); n > 2 {
		t.Fatalf("%d connections open over a cap of 2", n)
	}
}

// When every open connection has a request in progress, a new one is
// closed at once, and those in progress finish.
func TestListenerRefusesAConnectionWhenAllAreBusy(t *testing.T) {
	s := testServer(&bytes.Buffer{})
	entered, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		respond(w, 200, nil)
	})
	addr, _ := serveListener(t, s, h, 1, nil)
	busy := dial(t, addr)
	fmt.Fprintf(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	refused := dial(t, addr)
	if !closedByServer(t, refused) {
		t.Fatal("a connection over the cap was kept open")
	}
	close(release)
	busy.SetReadDeadline(time.Now().Add(20 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(busy), nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the request in progress: %v %v", resp, err)
	}
}

// readAnswer reads one answer from c and its body as an envelope.
func readAnswer(t *testing.T, c net.Conn) (*http.Response, envelope) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil || e.Success || len(e.Errors) != 1 || len(e.Details) != 1 {
		t.Fatalf("not a failure envelope: %d %s", resp.StatusCode, b)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("headers %v", resp.Header)
	}
	return resp, e
}

// What net/http refuses before any handler runs (headers past its limit,
// a request that is not HTTP/1.1) is answered in the envelope, not in
// net/http's plain text.
func TestNetHTTPsOwnRefusalsAreEnveloped(t *testing.T) {
	s := New(ServicesOf(onboarding.New(onboarding.Deps{})), slog.New(slog.DiscardHandler), Config{MaxHeaderBytes: 8 << 10, HSTS: true})
	addr, _ := serveListener(t, s, s, 10, nil)
	for _, c := range []struct {
		name, request string
		status        int
		code          i18n.Msg
	}{
		{"headers past net/http's limit", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 64<<10) + "\r\n\r\n",
			431, i18n.HeadersTooLarge},
		{"a request line that is not HTTP", "HELLO\r\n\r\n", 400, i18n.MalformedRequest},
		{"a header line without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n", 400, i18n.MalformedRequest},
		{"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, i18n.MalformedRequest},
		{"an unknown transfer coding", "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: zstd\r\n\r\n", 501, i18n.MalformedRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := dial(t, addr)
			go io.WriteString(conn, c.request) // the server may stop reading early
			resp, e := readAnswer(t, conn)
			if resp.StatusCode != c.status || e.Details[0].Code != c.code || resp.Header.Get("Strict-Transport-Security") != hstsValue {
				t.Fatalf("%d %+v %v", resp.StatusCode, e, resp.Header)
			}
			if c.code == i18n.HeadersTooLarge && !strings.Contains(e.Errors[0], "8192") {
				t.Fatalf("the limit is not named: %q", e.Errors[0])
			}
		})
	}
}

// slowServer serves POST /echo, which decodes its body, with a floor of
// 1000 bytes per second after a short grace.
func slowServer(t *testing.T, after func(r *http.Request) error) string {
	t.Helper()
	s := New(ServicesOf(onboarding.New(onboarding.Deps{})), slog.New(slog.DiscardHandler),
		Config{MinBodyRate: 1000, BodyGrace: 200 * time.Millisecond, MaxBodyTime: time.Minute})
	s.handle("POST /echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in sample
		if !decode(w, r, &in) {
			return
		}
		if after != nil {
			if err := after(r); err != nil {
				respond(w, 500, err.Error())
				return
			}
		}
		respond(w, 200, in.S)
	}))
	addr, _ := serveListener(t, s, s, 10, nil)
	return addr
}

// A client that sends its body slower than the floor is answered 408 and
// cut off long before it could finish: it holds no connection for long.
func TestASlowBodyIsCutOff(t *testing.T) {
	addr := slowServer(t, nil)
	c := dial(t, addr)
	const length = 100_000
	fmt.Fprintf(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"s\": \"", length)
	answered := make(chan struct{})
	var resp *http.Response
	var e envelope
	go func() {
		defer close(answered)
		resp, e = readAnswer(t, c)
	}()
	sent := 0
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
trickle:
	for sent < length-10 {
		select {
		case <-answered:
			break trickle
		case <-tick.C:
			// 5 bytes every 20 ms: 250 bytes per second.
			if _, err := io.WriteString(c, "aaaaa"); err != nil {
				break trickle
			}
			sent += 5
		}
	}
	<-answered
	if resp.StatusCode != http.StatusRequestTimeout || e.Details[0].Code != i18n.BodyTooSlow || !strings.Contains(e.Errors[0], "1000") {
		t.Fatalf("%d %+v", resp.StatusCode, e)
	}
	if sent >= length-10 {
		t.Fatal("the slow client was not cut off before it finished")
	}
	if !closedByServer(t, c) {
		t.Fatal("the connection stays open after the 408")
	}
}

// username or secret-key sent twice is a 400 naming the header, before
// any credential is checked.
func TestDuplicatedCredentialHeadersAreRefused(t *testing.T) {
	s := testServer(&bytes.Buffer{})
	for _, name := range []string{"username", "secret-key"} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/api/partnership/v1/dropdown-data?data_selected=loan_purposes", nil)
		r.Header.Set("Accept-Language", "en")
		r.Header.Set("username", "acme")
		r.Header.Set("secret-key", "s3cret")
		r.Header.Add(name, "other")
		s.ServeHTTP(w, r)
		e := decodeEnvelope(t, w)
		if w.Code != 400 || e.Details[0].Code != i18n.DuplicateHeader || e.Errors[0] != "The "+name+" header is sent more than once; send it exactly once" {
			t.Fatalf("%s: %d %s", name, w.Code, w.Body)
		}
	}
}

// In production every answer, whatever its route or status, carries
// Strict-Transport-Security; in the sandbox (plain HTTP) none does.
func TestHSTSOnEveryAnswerInProduction(t *testing.T) {
	for _, hsts := range []bool{true, false} {
		s := New(ServicesOf(onboarding.New(onboarding.Deps{})), slog.New(slog.DiscardHandler), Config{HSTS: hsts})
		for _, r := range []*http.Request{
			httptest.NewRequest("GET", "/healthz", nil),
			httptest.NewRequest("GET", "/nope", nil),
			httptest.NewRequest("DELETE", "/api/partnership/v1/customer", nil),
			httptest.NewRequest("GET", "/api/partnership/v1/openapi.json", nil),
			httptest.NewRequest("GET", "/api/partnership/v1/dropdown-data?x="+strings.Repeat("a", 70<<10), nil),
		} {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if got := w.Header().Get("Strict-Transport-Security"); (got == hstsValue) != hsts || (!hsts && got != "") {
				t.Fatalf("HSTS %v, %s %s (%d): %q", hsts, r.Method, r.URL.Path[:min(len(r.URL.Path), 40)], w.Code, got)
			}
		}
	}
}

// The sandbox BPJS login page takes a password: no site may frame it.
func TestSandboxBPJSPageCannotBeFramed(t *testing.T) {
	s := New(ServicesOf(onboarding.New(onboarding.Deps{})), slog.New(slog.DiscardHandler), Config{Sandbox: true})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/api/partnership/v1/sandbox/bpjs/login?task=x", nil))
	csp := w.Header().Get("Content-Security-Policy")
	if w.Code != 200 || !strings.Contains(csp, "frame-ancestors 'none'") || w.Header().Get("X-Frame-Options") != "DENY" {
		t.Fatalf("%d CSP %q XFO %q", w.Code, csp, w.Header().Get("X-Frame-Options"))
	}
}

// The connection errors a body read can meet are told apart: the floor's
// deadline from a client that went away.
func TestPacedBodyTellsSlowFromBroken(t *testing.T) {
	w := httptest.NewRecorder()
	b := newPacedBody(w, io.NopCloser(errReader{os.ErrDeadlineExceeded}), Config{MinBodyRate: 10, BodyGrace: time.Second})
	var slow *slowBodyError
	if _, err := b.Read(make([]byte, 8)); !errors.As(err, &slow) || w.Header().Get("Connection") != "close" {
		t.Fatalf("deadline: %v", err)
	}
	b = newPacedBody(w, io.NopCloser(errReader{io.ErrUnexpectedEOF}), Config{MinBodyRate: 10, BodyGrace: time.Second})
	var broken *bodyReadError
	if _, err := b.Read(make([]byte, 8)); !errors.As(err, &broken) {
		t.Fatalf("hang-up: %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
