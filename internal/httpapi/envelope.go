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

// envelope is the shape of every response (errata 3). A failure also
// carries error_details: one entry per string of errors, in the same
// order, with the machine-readable code a partner switches on.
type envelope struct {
	Success bool          `json:"success"`
	Data    any           `json:"data"`
	Errors  []string      `json:"errors"`
	Details []errorDetail `json:"error_details,omitempty"`
}

// errorDetail is one problem of a failure: code is the catalogue's message
// id (i18n.Codes; the same in every language), field the request field it
// concerns or null, message the text without the "field: " prefix that the
// matching errors string has.
type errorDetail struct {
	Code    string  `json:"code"`
	Field   *string `json:"field"`
	Message string  `json:"message"`
}

// statusOf is the one table from error codes to HTTP statuses: every failure
// answer, a domain rule's or the request form's (see fail), takes its status
// from here.
var statusOf = map[julo.Code]int{
	julo.EINVALID:      http.StatusBadRequest,
	julo.ECONFLICT:     http.StatusConflict,
	julo.ENOTFOUND:     http.StatusNotFound,
	julo.EUNAUTHORIZED: http.StatusUnauthorized,
	julo.EFORBIDDEN:    http.StatusForbidden,
	julo.ELOCKED:       http.StatusLocked,
	julo.ETOOMANY:      http.StatusTooManyRequests,
	julo.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	julo.EUPSTREAM:     http.StatusBadGateway,
	julo.EUNAVAILABLE:  http.StatusServiceUnavailable,
	julo.EINTERNAL:     http.StatusInternalServerError,
	julo.EMETHOD:       http.StatusMethodNotAllowed,
	julo.EMEDIA:        http.StatusUnsupportedMediaType,
	julo.EHEADERS:      http.StatusRequestHeaderFieldsTooLarge,
	julo.ESLOW:         http.StatusRequestTimeout,
	// An Idempotency-Key sent again with another request (idempotency.go).
	julo.EUNPROCESSABLE: http.StatusUnprocessableEntity,
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a programming error gets here; keep the envelope.
		status = http.StatusInternalServerError
		b = []byte(`{"success":false,"data":null,"errors":["internal error"],"error_details":[{"code":"internal","field":null,"message":"internal error"}]}`)
	}
	writeBody(w, status, append(b, '\n'))
}

// writeBody writes b, an encoded envelope ending in a newline, with the
// headers of every JSON answer.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
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
		m := i18n.T(lang, i18n.Internal, info.id)
		writeJSON(w, statusOf[julo.EINTERNAL], envelope{Errors: []string{m}, Details: []errorDetail{{Code: i18n.Internal, Message: m}}})
		return
	}
	if e.Err != nil {
		info.log.InfoContext(r.Context(), "request refused", "request_id", info.id, "code", string(e.Code), "cause", e.Err.Error())
	}
	msgs := make([]string, 0, len(e.Problems))
	details := make([]errorDetail, 0, len(e.Problems))
	for _, p := range e.Problems {
		m := i18n.T(lang, p.Msg, p.Args...)
		d := errorDetail{Code: p.Msg, Message: m}
		if p.Field != "" {
			d.Field = &p.Field
			m = p.Field + ": " + m
		}
		msgs = append(msgs, m)
		details = append(details, d)
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
	writeJSON(w, status, envelope{Data: data, Errors: msgs, Details: details})
}
