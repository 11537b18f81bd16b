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

// statusOf is the one table from error codes to HTTP statuses: every failure
// answer, a domain rule's or the request form's (see fail), takes its status
// from here.
var statusOf = map[julo.Code]int{
	julo.EINVALID:      http.StatusBadRequest,
	julo.ECONFLICT:     http.StatusConflict,
	julo.ENOTFOUND:     http.StatusNotFound,
	julo.EUNAUTHORIZED: http.StatusUnauthorized,
	julo.ELOCKED:       http.StatusLocked,
	julo.ETOOMANY:      http.StatusTooManyRequests,
	julo.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	julo.EUPSTREAM:     http.StatusBadGateway,
	julo.EUNAVAILABLE:  http.StatusServiceUnavailable,
	julo.EINTERNAL:     http.StatusInternalServerError,
	julo.EMETHOD:       http.StatusMethodNotAllowed,
	julo.EMEDIA:        http.StatusUnsupportedMediaType,
	julo.EHEADERS:      http.StatusRequestHeaderFieldsTooLarge,
}

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

// fail writes the failure envelope for err in the caller's language: the
// one path of every failure answer. A *julo.Error (a domain rule's, or the
// request form's from the decoder and the server) gets the status of its
// code and its messages; anything else (or a code without a status) is a
// 500 whose cause is logged with the request id and never shown.
func fail(w http.ResponseWriter, r *http.Request, err error) { failWith(w, r, err, nil) }

// failWith is fail with data as the failure envelope's data (nil: none,
// or the error's title and message), for a refusal that names the caller's
// own resource.
func failWith(w http.ResponseWriter, r *http.Request, err error, data any) {
	lang := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
	info := infoFrom(r.Context())
	var e *julo.Error
	errors.As(err, &e)
	status, known := 0, false
	if e != nil {
		status, known = statusOf[e.Code]
	}
	if !known || e.Code == julo.EINTERNAL {
		info.internal = true
		info.log.ErrorContext(r.Context(), "internal error", "request_id", info.id, "error", err)
		writeJSON(w, statusOf[julo.EINTERNAL], envelope{Errors: []string{i18n.T(lang, i18n.Internal, info.id)}})
		return
	}
	if e.Err != nil {
		info.log.InfoContext(r.Context(), "request refused", "request_id", info.id, "code", string(e.Code), "cause", e.Err.Error())
	}
	msgs := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		msgs = append(msgs, render(lang, p))
	}
	if data == nil && e.Title != nil && e.Message != nil {
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
