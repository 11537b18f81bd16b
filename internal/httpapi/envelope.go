package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// envelope is the shape of every response (errata 3).
type envelope struct {
	Success bool     `json:"success"`
	Data    any      `json:"data"`
	Errors  []string `json:"errors"`
}

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[julo.Code]int{
	julo.EINVALID:      http.StatusBadRequest,
	julo.ECONFLICT:     http.StatusConflict,
	julo.ENOTFOUND:     http.StatusNotFound,
	julo.EUNAUTHORIZED: http.StatusUnauthorized,
	julo.ELOCKED:       http.StatusLocked,
	julo.ETOOMANY:      http.StatusTooManyRequests,
	julo.EUPSTREAM:     http.StatusBadGateway,
	julo.EUNAVAILABLE:  http.StatusServiceUnavailable,
	julo.EINTERNAL:     http.StatusInternalServerError,
}

// httpError is a failure of the request's form rather than of a domain rule
// (body too large, unsupported media type, malformed JSON).
type httpError struct {
	status int
	msg    i18n.Msg
	args   []any
}

func (e *httpError) Error() string { return i18n.T(i18n.EN, e.msg, e.args...) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a programming error gets here; keep the envelope.
		status = http.StatusInternalServerError
		b = []byte(`{"success":false,"data":null,"errors":["internal error"]}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// respond writes a success envelope.
func respond(w http.ResponseWriter, status int, data any) {
	writeJSON(w, status, envelope{Success: true, Data: data, Errors: []string{}})
}

// fail writes the failure envelope for err in the caller's language. Domain
// errors carry their own status and messages; anything else is a 500 whose
// cause is logged with the request id and never shown.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	lang := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
	info := infoFrom(r.Context())
	var he *httpError
	if errors.As(err, &he) {
		writeJSON(w, he.status, envelope{Errors: []string{i18n.T(lang, he.msg, he.args...)}})
		return
	}
	var e *julo.Error
	if !errors.As(err, &e) || e.Code == julo.EINTERNAL {
		info.internal = true
		info.log.ErrorContext(r.Context(), "internal error", "request_id", info.id, "error", err)
		writeJSON(w, http.StatusInternalServerError, envelope{Errors: []string{i18n.T(lang, i18n.Internal, info.id)}})
		return
	}
	if e.Err != nil {
		info.log.InfoContext(r.Context(), "request refused", "request_id", info.id, "code", string(e.Code), "cause", e.Err.Error())
	}
	status := statusOf[e.Code]
	msgs := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		msgs = append(msgs, render(lang, p))
	}
	var data any
	if e.Title != nil && e.Message != nil {
		// Display texts for the customer: no field prefix.
		data = map[string]string{
			"title":   i18n.T(lang, e.Title.Msg, e.Title.Args...),
			"message": i18n.T(lang, e.Message.Msg, e.Message.Args...),
		}
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	writeJSON(w, status, envelope{Data: data, Errors: msgs})
}

// render is "field: message" for a problem about a field, else the message.
func render(lang i18n.Lang, p julo.Problem) string {
	m := i18n.T(lang, p.Msg, p.Args...)
	if p.Field == "" {
		return m
	}
	return p.Field + ": " + m
}

func failStatus(w http.ResponseWriter, r *http.Request, status int, msg i18n.Msg, args ...any) {
	fail(w, r, &httpError{status: status, msg: msg, args: args})
}
