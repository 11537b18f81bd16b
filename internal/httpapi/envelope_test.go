package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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
		julo.EMETHOD: 405, julo.EMEDIA: 415, julo.EHEADERS: 431, julo.ESLOW: 408,
		julo.EUNPROCESSABLE: 422,
		julo.EFORBIDDEN:     403,
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

// A failure's error_details has one entry per errors string, in the same
// order: the message id as the code (the same in every language), the
// field or null, and the message without the field prefix.
func TestErrorDetailsFollowErrorsWithLanguageIndependentCodes(t *testing.T) {
	err := &julo.Error{Code: julo.EINVALID, Problems: []julo.Problem{
		{Field: "pin", Msg: i18n.PINPattern},
		{Msg: i18n.MalformedJSON, Args: []any{"unexpected EOF"}},
		{Field: "email", Msg: i18n.EmailDomainBlocked, Args: []any{"yahoo.com"}},
	}}
	var codes [2][]string
	for i, lang := range []string{"en", "id"} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/x", nil)
		r.Header.Set("Accept-Language", lang)
		fail(w, r, err)
		var env struct {
			Errors  []string `json:"errors"`
			Details []struct {
				Code    string  `json:"code"`
				Field   *string `json:"field"`
				Message string  `json:"message"`
			} `json:"error_details"`
		}
		if e := json.Unmarshal(w.Body.Bytes(), &env); e != nil {
			t.Fatal(e)
		}
		if len(env.Details) != len(env.Errors) || len(env.Errors) != 3 {
			t.Fatalf("%s: %d details for %d errors: %s", lang, len(env.Details), len(env.Errors), w.Body)
		}
		for j, d := range env.Details {
			want := d.Message
			if d.Field != nil {
				want = *d.Field + ": " + d.Message
			}
			if env.Errors[j] != want {
				t.Errorf("%s: errors[%d] %q, detail renders %q", lang, j, env.Errors[j], want)
			}
			codes[i] = append(codes[i], d.Code)
		}
		if env.Details[1].Field != nil || *env.Details[0].Field != "pin" || *env.Details[2].Field != "email" {
			t.Errorf("%s: fields %s", lang, w.Body)
		}
	}
	if want := []string{"pin_weak_sequence", "malformed_json", "email_domain_blocked"}; !slices.Equal(codes[0], want) || !slices.Equal(codes[1], want) {
		t.Fatalf("codes %v (en) %v (id), want %v in both", codes[0], codes[1], want)
	}
	// A success envelope has no error_details: its shape is the document's.
	w := httptest.NewRecorder()
	respond(w, http.StatusOK, nil)
	if strings.Contains(w.Body.String(), "error_details") {
		t.Fatalf("success with error_details: %s", w.Body)
	}
	// The 500 has its code too, and no cause.
	w = httptest.NewRecorder()
	fail(w, httptest.NewRequest("GET", "/x", nil), errors.New("secret cause"))
	if !strings.Contains(w.Body.String(), `"error_details":[{"code":"internal","field":null,`) || strings.Contains(w.Body.String(), "secret cause") {
		t.Fatalf("500: %s", w.Body)
	}
}
