package httpapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Every code has one status, and a failure of any code is answered through
// fail with that status and its message in the envelope.
func TestEveryCodeHasOneStatusAndTheEnvelope(t *testing.T) {
	want := map[julo.Code]int{
		julo.EINVALID: 400, julo.ECONFLICT: 409, julo.ENOTFOUND: 404, julo.EUNAUTHORIZED: 401,
		julo.ELOCKED: 423, julo.ETOOMANY: 429, julo.ETOOLARGE: 413, julo.EUPSTREAM: 502,
		julo.EUNAVAILABLE: 503, julo.EINTERNAL: 500,
		julo.EMETHOD: 405, julo.EMEDIA: 415, julo.EHEADERS: 431,
	}
	if len(statusOf) != len(want) {
		t.Fatalf("statusOf has %d codes, want %d", len(statusOf), len(want))
	}
	for code, status := range want {
		if statusOf[code] != status {
			t.Errorf("%s: status %d, want %d", code, statusOf[code], status)
		}
		if code == julo.EINTERNAL {
			continue
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/x", nil)
		r.Header.Set("Accept-Language", "en")
		fail(w, r, julo.Errorf(code, "", i18n.BodyTooLarge, 10))
		env := decodeEnvelope(t, w)
		if w.Code != status || env.Success || env.Data != nil || len(env.Errors) != 1 || env.Errors[0] != i18n.T(i18n.EN, i18n.BodyTooLarge, 10) {
			t.Errorf("%s: %d %+v", code, w.Code, env)
		}
	}
}

// A code without a status is not answered with status 0: it is internal.
func TestAnUnknownCodeIsAnInternalError(t *testing.T) {
	w := httptest.NewRecorder()
	fail(w, httptest.NewRequest("GET", "/x", nil), &julo.Error{Code: "no_such_code"})
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
	w = httptest.NewRecorder()
	fail(w, httptest.NewRequest("GET", "/x", nil), errors.New("plain"))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
}
