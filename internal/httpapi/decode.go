package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// fields is a request's input, whatever way it came: the query string merged
// with a JSON object, an urlencoded form or a multipart form (body values win).
// JSON values keep their JSON type; form and query values are strings.
type fields struct {
	vals  map[string]any // string, json.Number, bool, nil, map[string]any, []any
	files map[string][]*multipart.FileHeader
}

// multipartMemory is how much of a multipart body is kept in memory; the rest
// of a (size-bounded) upload spills to temp files.
const multipartMemory = 1 << 20

// readFields parses r into fields (errata 4). The body must already be
// bounded with http.MaxBytesReader. Every refusal is worded by the
// catalogue, naming the byte where the body goes wrong when it can: a Go
// parser's error text never reaches the partner.
func readFields(r *http.Request) (*fields, error) {
	f := &fields{vals: map[string]any{}}
	for k, v := range r.URL.Query() {
		f.vals[k] = v[len(v)-1]
	}
	ct := r.Header.Get("Content-Type")
	media, params, _ := mime.ParseMediaType(ct)
	switch {
	case media == "multipart/form-data":
		if params["boundary"] == "" {
			return nil, julo.Errorf(julo.EINVALID, "", i18n.MultipartNoBoundary)
		}
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			return nil, bodyErr(err, i18n.MalformedForm)
		}
		for k, v := range r.MultipartForm.Value {
			f.vals[k] = v[len(v)-1]
		}
		f.files = r.MultipartForm.File
		return f, nil
	case media == "application/x-www-form-urlencoded":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyErr(err, "")
		}
		// `curl -d '{...}'` labels JSON as a form; no real form starts with
		// '{', so a body that parses as a JSON object is read as one.
		if t, lead := trim(b); len(t) > 0 && t[0] == '{' && json.Valid(t) {
			return f, f.addJSON(t, lead)
		}
		return f, f.addForm(b, 0)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyErr(err, "")
	}
	trimmed, lead := trim(b)
	switch {
	case len(trimmed) == 0:
		return f, nil
	case media == "application/json" || strings.HasSuffix(media, "+json"):
		return f, f.addJSON(trimmed, lead)
	case ct == "" || media == "text/plain":
		// curl -d without a Content-Type, or a client that forgot it: go by
		// what the body looks like.
		if trimmed[0] == '{' || trimmed[0] == '[' {
			return f, f.addJSON(trimmed, lead)
		}
		return f, f.addForm(trimmed, lead)
	default:
		return nil, julo.Errorf(julo.EMEDIA, "", i18n.UnsupportedMedia, media)
	}
}

// trim is b without surrounding white space, and how many bytes were cut
// from its start (so that a position in the result can be told as one in b).
func trim(b []byte) ([]byte, int) {
	t := bytes.TrimLeft(b, " \t\r\n\v\f")
	lead := len(b) - len(t)
	return bytes.TrimSpace(t), lead
}

// bodyErr is the answer to err, met while reading a body: 413 past the
// bound, 408 below the rate floor, and, for a connection that failed
// mid-body, an incomplete body. msg is i18n.MalformedForm while a
// multipart body is parsed as it is read, where any other error is the
// content's fault; a body read whole before parsing passes "". Go's error
// text is never part of the answer (only of the log's cause).
func bodyErr(err error, msg i18n.Msg) error {
	var mbe *http.MaxBytesError
	var slow *slowBodyError
	var broken *bodyReadError
	switch {
	case errors.As(err, &mbe):
		return julo.Errorf(julo.ETOOLARGE, "", i18n.BodyTooLarge, mbe.Limit)
	case errors.As(err, &slow):
		return julo.Errorf(julo.ESLOW, "", i18n.BodyTooSlow, slow.rate)
	case errors.As(err, &broken), msg != i18n.MalformedForm:
		// Bodies other than multipart are read whole before they are
		// parsed: a read error is the connection's.
		return &julo.Error{Code: julo.EINVALID, Problems: []julo.Problem{{Msg: i18n.BodyIncomplete}}, Err: err}
	}
	return &julo.Error{Code: julo.EINVALID, Problems: []julo.Problem{{Msg: i18n.MultipartMalformed}}, Err: err}
}

// addForm reads b as an urlencoded form; lead is where b starts in the
// body, for the position a refusal names.
func (f *fields) addForm(b []byte, lead int) error {
	// url.ParseQuery refuses exactly these two; finding them here gives
	// their position (and keeps its wording out of the answer).
	for i, c := range b {
		switch {
		case c == ';':
			return julo.Errorf(julo.EINVALID, "", i18n.FormSemicolon, lead+i+1)
		case c == '%' && (i+2 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2])):
			return julo.Errorf(julo.EINVALID, "", i18n.FormBadEscape, lead+i+1)
		}
	}
	vs, err := url.ParseQuery(string(b))
	if err != nil { // not reached: the loop above finds what it refuses
		return julo.Errorf(julo.EINVALID, "", i18n.FormBadEscape, lead+1)
	}
	for k, v := range vs {
		f.vals[k] = v[len(v)-1]
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// addJSON reads b, a trimmed body that began lead bytes later than the
// body itself, as a JSON object.
func (f *fields) addJSON(b []byte, lead int) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return jsonErr(err, len(b), lead)
	}
	if off := int(d.InputOffset()); off < len(b) {
		// b is trimmed: what follows the value holds more than white space.
		_, skipped := trim(b[off:])
		return julo.Errorf(julo.EINVALID, "", i18n.JSONTrailing, lead+off+skipped+1)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return julo.Errorf(julo.EINVALID, "", i18n.JSONNotObject)
	}
	for k, v := range obj {
		f.vals[k] = v
	}
	return nil
}

// jsonErr is the refusal of a JSON body of n bytes (after lead bytes of
// white space) that the decoder failed on with err, naming the byte. The
// decoder's text is neither shown nor logged: it quotes the body.
func jsonErr(err error, n, lead int) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se) && strings.Contains(se.Error(), "max depth"):
		return julo.Errorf(julo.EINVALID, "", i18n.JSONTooDeep, int64(lead)+se.Offset)
	case errors.As(err, &se):
		return julo.Errorf(julo.EINVALID, "", i18n.JSONSyntax, int64(lead)+se.Offset)
	}
	// io.ErrUnexpectedEOF: the body ends inside the value.
	return julo.Errorf(julo.EINVALID, "", i18n.JSONTruncated, lead+n)
}

// decodeInto fills the struct dst points to from f. Each field with a `form`
// tag ("name" or "name,alias,...") of type *string, *int64, *float64 or *bool
// is set when the request has it (a *any field takes the value as decoded); values are coerced like Django REST
// Framework does (numbers and booleans may come as strings, numbers where text
// is expected become text). A value of the wrong type is recorded in dst's
// embedded julo.Problems and the field stays nil. Unknown request fields
// are ignored.
func (f *fields) decodeInto(dst any) {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	var ps *julo.Problems
	if pf := v.FieldByName("Problems"); pf.IsValid() {
		ps = pf.Addr().Interface().(*julo.Problems)
	}
	f.decodeFields(v, t, ps)
}

// decodeFields is decodeInto on struct v of type t; an embedded struct's
// fields are read as the outer struct's own.
func (f *fields) decodeFields(v reflect.Value, t reflect.Type, ps *julo.Problems) {
	for i := 0; i < t.NumField(); i++ {
		if sf := t.Field(i); sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			f.decodeFields(v.Field(i), sf.Type, ps)
			continue
		}
		tag := t.Field(i).Tag.Get("form")
		if tag == "" {
			continue
		}
		names := strings.Split(tag, ",")
		var raw any
		found := false
		for _, n := range names {
			if x, ok := f.vals[n]; ok && x != nil {
				raw, found = x, true
				break
			}
		}
		if !found {
			continue
		}
		fv := v.Field(i)
		if fv.Type().Elem().Kind() == reflect.Interface {
			// A *any field takes the value as decoded (an object, say).
			fv.Set(reflect.New(fv.Type().Elem()))
			fv.Elem().Set(reflect.ValueOf(raw))
			continue
		}
		val, msg := coerce(raw, fv.Type().Elem().Kind())
		if msg != "" {
			if ps != nil {
				ps.Add(names[0], msg)
			}
			continue
		}
		p := reflect.New(fv.Type().Elem())
		p.Elem().Set(reflect.ValueOf(val).Convert(fv.Type().Elem()))
		fv.Set(p)
	}
}

var (
	decimalRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	integerRE = regexp.MustCompile(`^[+-]?\d+(\.0*)?$`)
)

// coerce converts a decoded value to kind, or says which type was expected.
func coerce(raw any, kind reflect.Kind) (any, i18n.Msg) {
	switch kind {
	case reflect.String:
		switch x := raw.(type) {
		case string:
			// One rule for text (see julo.IsUnsafeRune): tab and line
			// breaks are fine, control and text-direction characters not.
			if !julo.SafeText(x) {
				return nil, i18n.ControlChars
			}
			return x, ""
		case json.Number:
			return x.String(), ""
		}
		return nil, i18n.TypeString
	case reflect.Float64:
		s, ok := scalarText(raw)
		s = strings.TrimSpace(s)
		if !ok || !decimalRE.MatchString(s) {
			return nil, i18n.TypeNumber
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, i18n.TypeNumber
		}
		return x, ""
	case reflect.Int64:
		s, ok := scalarText(raw)
		s = strings.TrimSpace(s)
		if !ok || !integerRE.MatchString(s) {
			return nil, i18n.TypeInteger
		}
		s, _, _ = strings.Cut(s, ".")
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, i18n.TypeInteger
		}
		return x, ""
	case reflect.Bool:
		switch x := raw.(type) {
		case bool:
			return x, ""
		case string, json.Number:
			s, _ := scalarText(x)
			switch strings.TrimSpace(s) {
			case "true", "True", "TRUE", "t", "T", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "1":
				return true, ""
			case "false", "False", "FALSE", "f", "F", "no", "No", "NO", "n", "N", "off", "Off", "OFF", "0":
				return false, ""
			}
		}
		return nil, i18n.TypeBoolean
	}
	panic("decodeInto: unsupported field kind " + kind.String())
}

func scalarText(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}
