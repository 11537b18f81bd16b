package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/client"
)

// keyProxy is a proxy to the real server that records each request's
// method and Idempotency-Key and each answer's Idempotent-Replayed, and
// lets a test answer a request itself (fault returns true when it did).
type keyProxy struct {
	*httptest.Server
	mu       sync.Mutex
	keys     []string // "METHOD key" per request
	replayed []bool   // per answer that reached the client from the server
}

func newKeyProxy(t *testing.T, fault func(n int, w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) bool) *keyProxy {
	target, _ := url.Parse(srv.url)
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &keyProxy{}
	rp.ModifyResponse = func(resp *http.Response) error {
		p.mu.Lock()
		p.replayed = append(p.replayed, resp.Header.Get("Idempotent-Replayed") == "true")
		p.mu.Unlock()
		return nil
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.keys = append(p.keys, r.Method+" "+r.Header.Get("Idempotency-Key"))
		n := len(p.keys)
		p.mu.Unlock()
		if fault != nil && fault(n, w, r, rp) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *keyProxy) seen() ([]string, []bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.keys...), append([]bool(nil), p.replayed...)
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Every write sends a new random key (a version 4 UUID); a GET sends none.
func TestEveryWriteSendsAnIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	p := newKeyProxy(t, nil)
	c := client.New(p.URL, srv.user, srv.secret)
	cu := newCustomer(t)
	xid := cu.register(t, c)
	if err := c.SendOTP(ctx, xid, cu.phone); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplicationStatus(ctx, xid); err != nil {
		t.Fatal(err)
	}
	keys, _ := p.seen()
	if len(keys) != 3 || !strings.HasPrefix(keys[0], "POST ") || !strings.HasPrefix(keys[1], "POST ") || keys[2] != "GET " {
		t.Fatalf("requests %q", keys)
	}
	k1, k2 := strings.TrimPrefix(keys[0], "POST "), strings.TrimPrefix(keys[1], "POST ")
	if !uuidRE.MatchString(k1) || !uuidRE.MatchString(k2) || k1 == k2 {
		t.Fatalf("keys %q %q", k1, k2)
	}
}

// The network loses a registration's 201 (the server registered, the
// client got no answer): with WithWriteRetries the client sends it again
// with the same key and gets that 201, replayed; the server holds one
// application.
func TestALostAnswerIsRetriedWithTheSameKey(t *testing.T) {
	ctx := context.Background()
	lose := func(n int, w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) bool {
		if n != 1 {
			return false
		}
		rp.ServeHTTP(httptest.NewRecorder(), r) // the server answers; the client never hears it
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	}
	p := newKeyProxy(t, lose)
	cu := newCustomer(t)
	in := client.RegisterRequest{NIK: cu.nik, PIN: "482915", Email: cu.email, Latitude: -6.1815657, Longitude: 106.7229445}
	reg, err := client.New(p.URL, srv.user, srv.secret, client.WithWriteRetries(2)).Register(ctx, in)
	if err != nil {
		t.Fatalf("Register with retries: %v", err)
	}
	keys, replayed := p.seen()
	if len(keys) != 2 || keys[0] != keys[1] || len(replayed) != 2 || replayed[0] || !replayed[1] {
		t.Fatalf("requests %q, replayed %v", keys, replayed)
	}
	// One application: a new key for the same customer names it.
	_, err = newClient().Register(ctx, in)
	if xid, ok := asError(t, err).ExistingApplicationXID(); !ok || xid != reg.ApplicationXID {
		t.Fatalf("a second registration: %v", err)
	}

	// Without retries the lost answer is an error; the caller retries
	// with its own key and gets the first answer.
	p = newKeyProxy(t, lose)
	cu = newCustomer(t)
	in = client.RegisterRequest{NIK: cu.nik, PIN: "482915", Email: cu.email, Latitude: -6.1815657, Longitude: 106.7229445}
	c := client.New(p.URL, srv.user, srv.secret)
	key := client.NewIdempotencyKey()
	if _, err := c.Register(client.WithIdempotencyKey(ctx, key), in); err == nil || errors.As(err, new(*client.Error)) {
		t.Fatalf("a lost answer without retries: %v", err)
	}
	reg, err = c.Register(client.WithIdempotencyKey(ctx, key), in)
	keys, replayed = p.seen()
	if err != nil || len(keys) != 2 || keys[0] != "POST "+key || keys[1] != keys[0] || !replayed[len(replayed)-1] {
		t.Fatalf("the caller's retry: %+v %v; requests %q, replayed %v", reg, err, keys, replayed)
	}
	// The same key with another request is the 422.
	in.Email = "other-" + in.Email
	if _, err := c.Register(client.WithIdempotencyKey(ctx, key), in); asError(t, err).StatusCode != http.StatusUnprocessableEntity ||
		!client.HasCode(err, "idempotency_key_reused") {
		t.Fatalf("the key with another request: %v", err)
	}
	if _, err := c.Register(client.WithIdempotencyKey(ctx, "kunci\n"), in); err == nil || !strings.Contains(err.Error(), "printable ASCII") {
		t.Fatalf("a malformed key: %v", err)
	}
	if keys, _ := p.seen(); len(keys) != 3 {
		t.Fatalf("a malformed key was sent: %q", keys)
	}
}

func asError(t *testing.T, err error) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *Error: %v", err)
	}
	return e
}

// Write retries (asked for) follow a 503 and the 409 of a first attempt
// still running, with one key; an upload is retried when its reader can
// seek, and not otherwise.
func TestWriteRetriesKeepTheKey(t *testing.T) {
	ctx := context.Background()
	cu := newCustomer(t)
	xid := cu.register(t, newClient())
	unavailable := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"success":false,"data":null,"errors":["unavailable"],"error_details":[{"code":"unavailable","field":null,"message":"unavailable"}]}`)
	}
	inUse := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"success":false,"data":null,"errors":["running"],"error_details":[{"code":"idempotency_key_in_use","field":null,"message":"running"}]}`)
	}
	p := newKeyProxy(t, func(n int, w http.ResponseWriter, r *http.Request, _ *httputil.ReverseProxy) bool {
		switch n {
		case 1:
			unavailable(w)
		case 2:
			inUse(w)
		default:
			return false
		}
		return true
	})
	if err := client.New(p.URL, srv.user, srv.secret, client.WithWriteRetries(3)).SendOTP(ctx, xid, cu.phone); err != nil {
		t.Fatalf("SendOTP with retries: %v", err)
	}
	keys, _ := p.seen()
	if len(keys) != 3 || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Fatalf("requests %q", keys)
	}

	failOnce := func(n int, w http.ResponseWriter, r *http.Request, _ *httputil.ReverseProxy) bool {
		if n == 1 {
			io.Copy(io.Discard, r.Body)
			unavailable(w)
			return true
		}
		return false
	}
	p = newKeyProxy(t, failOnce)
	c := client.New(p.URL, srv.user, srv.secret, client.WithWriteRetries(2))
	if _, err := c.UploadImage(ctx, xid, client.ImageKTPSelf, "ktp.jpg", bytes.NewReader(photo(t, 7))); err != nil {
		t.Fatalf("UploadImage from a bytes.Reader with retries: %v", err)
	}
	if keys, replayed := p.seen(); len(keys) != 2 || keys[0] != keys[1] || len(replayed) != 1 || replayed[0] {
		t.Fatalf("upload requests %q, replayed %v", keys, replayed)
	}
	p = newKeyProxy(t, failOnce)
	c = client.New(p.URL, srv.user, srv.secret, client.WithWriteRetries(2))
	_, err := c.UploadImage(ctx, xid, client.ImageSelfie, "s.jpg", io.MultiReader(bytes.NewReader(photo(t, 8))))
	if client.StatusCode(err) != http.StatusServiceUnavailable {
		t.Fatalf("UploadImage from a reader that cannot seek: %v", err)
	}
	if keys, _ := p.seen(); len(keys) != 1 {
		t.Fatalf("an upload that cannot be read again was retried: %q", keys)
	}
}

// An attempt that outlives WithTimeout (the server registered, its answer
// was late) is retried with the key, and the retry is the first answer;
// the caller's own deadline is never outlived.
func TestATimedOutWriteIsRetriedWithTheSameKey(t *testing.T) {
	ctx := context.Background()
	p := newKeyProxy(t, func(n int, w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) bool {
		if n != 1 {
			return false
		}
		rp.ServeHTTP(httptest.NewRecorder(), r)
		<-r.Context().Done() // answers only once the client has given up
		return true
	})
	cu := newCustomer(t)
	in := client.RegisterRequest{NIK: cu.nik, PIN: "482915", Email: cu.email, Latitude: -6.1815657, Longitude: 106.7229445}
	c := client.New(p.URL, srv.user, srv.secret, client.WithWriteRetries(1), client.WithTimeout(2*time.Second))
	reg, err := c.Register(ctx, in)
	keys, replayed := p.seen()
	if err != nil || reg.ApplicationXID == 0 || len(keys) != 2 || keys[0] != keys[1] || len(replayed) != 2 || !replayed[1] {
		t.Fatalf("%+v %v; requests %q, replayed %v", reg, err, keys, replayed)
	}
}
