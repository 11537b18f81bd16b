package httpapi

import (
	"bytes"
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
	return New(onboarding.New(onboarding.Deps{}), slog.New(slog.NewJSONHandler(logs, nil)), Config{})
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
