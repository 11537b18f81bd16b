package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// goParserTexts are fragments of Go's parser errors (encoding/json,
// net/url, mime/multipart, net/http): none may reach a partner.
var goParserTexts = []string{"invalid character", "looking for", "unexpected EOF", "unexpected end",
	"offset", "invalid URL escape", "semicolon separator", "multipart:", "NextPart", "no multipart boundary param",
	"exceeded max depth", "http:", "i/o timeout", "read tcp"}

// Every malformed body is refused with the catalogue's own message, naming
// the byte where the body goes wrong (counted from 1, white space before
// the body included), never with the parser's text.
func TestMalformedBodiesAreWordedByUsWithTheirPosition(t *testing.T) {
	deep := `{"a": ` + strings.Repeat("[", 20000)
	for _, c := range []struct {
		name, body, ct string
		msg            i18n.Msg
		args           []any
	}{
		{"bad character", `{"username": x}`, "application/json", i18n.JSONSyntax, []any{int64(14)}},
		{"bad character after white space", "\n  {\"a\": 1,}", "application/json", i18n.JSONSyntax, []any{int64(12)}},
		{"single quotes", `{'a': 1}`, "", i18n.JSONSyntax, []any{int64(2)}},
		{"truncated", `{"username": "3203`, "application/json", i18n.JSONTruncated, []any{18}},
		{"two objects", `{"a": 1} {"b": 2}`, "application/json", i18n.JSONTrailing, []any{10}},
		{"a closing brace too many", `{"a": 1}}`, "application/json", i18n.JSONTrailing, []any{9}},
		{"nested too deep", deep, "application/json", i18n.JSONTooDeep, []any{int64(10006)}},
		{"bad escape", "username=%zz&pin=1", "application/x-www-form-urlencoded", i18n.FormBadEscape, []any{10}},
		{"escape cut short", "pin=1&username=%4", "application/x-www-form-urlencoded", i18n.FormBadEscape, []any{16}},
		{"semicolon", "a=1;b=2", "application/x-www-form-urlencoded", i18n.FormSemicolon, []any{4}},
		{"form without a type", "  a=1&b=%g1", "", i18n.FormBadEscape, []any{9}},
		{"multipart without boundary", "--x\r\n", "multipart/form-data", i18n.MultipartNoBoundary, nil},
		{"multipart without its end", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv", "multipart/form-data; boundary=x", i18n.MultipartMalformed, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", strings.NewReader(c.body))
			if c.ct != "" {
				r.Header.Set("Content-Type", c.ct)
			}
			_, err := decodeRequest(t, r)
			var e *julo.Error
			if !errors.As(err, &e) || e.Code != julo.EINVALID || len(e.Problems) != 1 {
				t.Fatalf("err %v", err)
			}
			p := e.Problems[0]
			if p.Msg != c.msg || len(p.Args) != len(c.args) || (len(c.args) > 0 && p.Args[0] != c.args[0]) {
				t.Fatalf("problem %s %v, want %s %v", p.Msg, p.Args, c.msg, c.args)
			}
			for _, l := range []i18n.Lang{i18n.ID, i18n.EN} {
				m := i18n.T(l, p.Msg, p.Args...)
				for _, frag := range goParserTexts {
					if strings.Contains(m, frag) {
						t.Fatalf("%q carries Go's %q", m, frag)
					}
				}
			}
		})
	}
}

// A body the connection fails to deliver is an incomplete body, whatever
// the encoding; Go's read error is not shown.
func TestABrokenBodyIsIncomplete(t *testing.T) {
	for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		broken := &bodyReadError{io.ErrUnexpectedEOF}
		r := httptest.NewRequest("POST", "/x", io.NopCloser(iotest.ErrReader(broken)))
		r.Header.Set("Content-Type", ct)
		_, err := decodeRequest(t, r)
		var e *julo.Error
		if !errors.As(err, &e) || e.Code != julo.EINVALID || e.Problems[0].Msg != i18n.BodyIncomplete {
			t.Fatalf("%s: %v", ct, err)
		}
	}
}

// The whole answer of a malformed body, through the server: a 400 in the
// envelope whose code and message are ours.
func TestMalformedJSONAnswerNamesTheByte(t *testing.T) {
	s := testServer(&bytes.Buffer{})
	s.handle("POST /echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in sample
		if decode(w, r, &in) {
			respond(w, http.StatusOK, nil)
		}
	}))
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/echo", strings.NewReader(`{"username": "3203020101930001", "pin": x}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept-Language", "en")
	s.ServeHTTP(w, r)
	e := decodeEnvelope(t, w)
	if w.Code != 400 || e.Errors[0] != "Malformed JSON: unexpected character at byte 41" || e.Details[0].Code != i18n.JSONSyntax {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// Whatever the body and its media type, a refusal of the decoder is worded
// by the catalogue: no fragment of a Go parser's error reaches the partner.
func FuzzRefusalsNeverQuoteGo(f *testing.F) {
	for _, c := range [][2]string{
		{`{"a": x}`, "application/json"}, {`{"a": "1`, ""}, {`{} {}`, "application/json"},
		{"a=%zz;b", "application/x-www-form-urlencoded"}, {"--x\r\n", "multipart/form-data; boundary=x"},
		{"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, body, ct string) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<16)
		_, err := readFields(r)
		var e *julo.Error
		if err == nil {
			return
		}
		if !errors.As(err, &e) {
			t.Fatalf("not a julo.Error: %v", err)
		}
		for _, p := range e.Problems {
			if p.Msg == i18n.UnsupportedMedia {
				continue // it quotes the request's own media type
			}
			for _, l := range []i18n.Lang{i18n.ID, i18n.EN} {
				m := i18n.T(l, p.Msg, p.Args...)
				for _, frag := range goParserTexts {
					if strings.Contains(m, frag) {
						t.Fatalf("%q carries Go's %q", m, frag)
					}
				}
			}
		}
	})
}
