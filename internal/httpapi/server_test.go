package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/julo-partnership/julo/internal/onboarding"
)

func testServer(logs *bytes.Buffer) *Server {
	return New(ServicesOf(onboarding.New(onboarding.Deps{})), slog.New(slog.NewJSONHandler(logs, nil)), Config{})
}

func decodeEnvelope(t *testing.T, w *httptest.ResponseRecorder) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Success || e.Data != nil || len(e.Errors) != 1 {
		t.Fatalf("not a failure envelope: %s", w.Body)
	}
	return e
}

// A failure that is not the caller's is a 500 in the envelope with the
// request id, its cause logged and never shown.
func TestInternalErrorsAreEnvelopedAndTheirCauseOnlyLogged(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(&logs)
	s.mux.Handle("GET /boom", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, errors.New("pq: password authentication failed for user julo-secret"))
	}))
	s.mux.Handle("GET /panic", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("nil map write near secret-value")
	}))
	for _, path := range []string{"/boom", "/panic"} {
		logs.Reset()
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("X-Request-Id", "req-123")
		s.ServeHTTP(w, r)
		if w.Code != 500 {
			t.Fatalf("%s: status %d", path, w.Code)
		}
		e := decodeEnvelope(t, w)
		if !strings.Contains(e.Errors[0], "req-123") || strings.Contains(w.Body.String(), "secret") {
			t.Fatalf("%s: body %s", path, w.Body)
		}
		if !strings.Contains(logs.String(), "secret") || !strings.Contains(logs.String(), `"request_id":"req-123"`) {
			t.Fatalf("%s: the cause is not logged with the request id: %s", path, logs.String())
		}
	}
}

func TestUnmatchedRoutesAnswerInTheEnvelope(t *testing.T) {
	s := testServer(&bytes.Buffer{})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/nope", nil))
	if w.Code != 404 || !strings.Contains(decodeEnvelope(t, w).Errors[0], "tidak ditemukan") {
		t.Fatalf("404: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	r := httptest.NewRequest("DELETE", "/api/partnership/v1/customer", nil)
	r.Header.Set("Accept-Language", "en")
	s.ServeHTTP(w, r)
	if w.Code != 405 || w.Header().Get("Allow") == "" || !strings.Contains(decodeEnvelope(t, w).Errors[0], "Method DELETE is not allowed") {
		t.Fatalf("405: %d %s", w.Code, w.Body)
	}
}

func TestOversizedHeadersAnswer431InTheEnvelope(t *testing.T) {
	s := testServer(&bytes.Buffer{})
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/api/partnership/v1/dropdown-data?data="+strings.Repeat("x", 70<<10), nil)
	s.ServeHTTP(w, r)
	if w.Code != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(decodeEnvelope(t, w).Errors[0], "65536") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// A wiring mistake (a part of Services left nil) stops New, instead of
// answering 500 on the first request of the routes that need it.
func TestNewRefusesAMissingService(t *testing.T) {
	all := ServicesOf(onboarding.New(onboarding.Deps{}))
	for name, svc := range map[string]Services{
		"Customers":        {Auth: all.Auth, Health: all.Health, Reference: all.Reference, Images: all.Images, OTP: all.OTP, Applications: all.Applications, External: all.External, Vendors: all.Vendors},
		"Sandbox (needed)": func() Services { s := all; s.Sandbox = nil; return s }(),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(p.(string), "Services."+strings.Fields(name)[0]) {
					t.Fatalf("recovered %v", p)
				}
			}()
			New(svc, slog.New(slog.DiscardHandler), Config{Sandbox: true})
		})
	}
	noSandbox := all
	noSandbox.Sandbox = nil
	New(noSandbox, slog.New(slog.DiscardHandler), Config{}) // no sandbox routes: none needed
}

type notReady struct{}

func (notReady) Ready(context.Context) error { return errors.New("db down") }

// A handler depends on its resource's interface only: /readyz answers from
// whatever Health is.
func TestReadyzAsksHealth(t *testing.T) {
	svc := ServicesOf(onboarding.New(onboarding.Deps{}))
	svc.Health = notReady{}
	w := httptest.NewRecorder()
	New(svc, slog.New(slog.DiscardHandler), Config{}).ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
}
