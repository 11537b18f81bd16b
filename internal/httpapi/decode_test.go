package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

type sample struct {
	julo.Problems
	S  *string  `form:"s"`
	F  *float64 `form:"f"`
	I  *int64   `form:"i,i_alias"`
	B  *bool    `form:"b"`
	S2 *string  `form:"s2"`
}

func decodeRequest(t *testing.T, r *http.Request) (sample, error) {
	t.Helper()
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<16)
	f, err := readFields(r)
	var s sample
	if err == nil {
		f.decodeInto(&s)
	}
	return s, err
}

func multipartBody(t *testing.T, vals map[string]string) (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range vals {
		w.WriteField(k, v)
	}
	w.Close()
	return b.String(), w.FormDataContentType()
}

// The same input decodes identically from JSON, urlencoded form, multipart
// form and the query string, with DRF-like coercion of strings (errata 4).
func TestDecoderReadsEveryEncodingAlike(t *testing.T) {
	form := url.Values{"s": {"3203020101930001"}, "f": {"-6.1815657"}, "i": {"24"}, "b": {"true"}, "unknown": {"x"}}
	mp, mpType := multipartBody(t, map[string]string{"s": "3203020101930001", "f": "-6.1815657", "i": "24", "b": "true"})
	for name, r := range map[string]*http.Request{
		"json":            jsonReq(`{"s": "3203020101930001", "f": -6.1815657, "i": 24, "b": true, "unknown": {"x": 1}}`, "application/json"),
		"json strings":    jsonReq(`{"s": 3203020101930001, "f": "-6.1815657", "i": "24", "b": "true"}`, "application/json; charset=utf-8"),
		"json as form":    jsonReq(`{"s": "3203020101930001", "f": -6.1815657, "i": 24.0, "b": "True"}`, "application/x-www-form-urlencoded"),
		"json no type":    jsonReq(`  {"s": "3203020101930001", "f": -6.1815657, "i": "24", "b": 1}`, ""),
		"urlencoded":      jsonReq(form.Encode(), "application/x-www-form-urlencoded"),
		"multipart":       jsonReq(mp, mpType),
		"query":           httptest.NewRequest("POST", "/x?"+form.Encode(), nil),
		"alias":           jsonReq(`{"s": "3203020101930001", "f": -6.1815657, "i_alias": 24, "b": "yes"}`, "application/json"),
		"form, no type":   jsonReq(form.Encode(), ""),
		"body over query": httptest.NewRequest("POST", "/x?s=1&i=99", strings.NewReader(`{"s": "3203020101930001", "f": -6.1815657, "i": 24, "b": true}`)),
	} {
		t.Run(name, func(t *testing.T) {
			s, err := decodeRequest(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Problems) != 0 || s.S == nil || *s.S != "3203020101930001" || s.F == nil || *s.F != -6.1815657 ||
				s.I == nil || *s.I != 24 || s.B == nil || !*s.B || s.S2 != nil {
				t.Fatalf("decoded %+v (problems %v)", s, s.Problems)
			}
		})
	}
}

func jsonReq(body, ct string) *http.Request {
	r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	return r
}

func TestDecoderNamesFieldsOfTheWrongType(t *testing.T) {
	s, err := decodeRequest(t, jsonReq(`{"s": true, "f": "abc", "i": "2.5", "b": "maybe", "s2": {"a": 1}}`, "application/json"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]i18n.Msg{"s": i18n.TypeString, "f": i18n.TypeNumber, "i": i18n.TypeInteger, "b": i18n.TypeBoolean, "s2": i18n.TypeString}
	if len(s.Problems) != len(want) {
		t.Fatalf("problems %v", s.Problems)
	}
	for _, p := range s.Problems {
		if want[p.Field] != p.Msg {
			t.Errorf("%s: %s, want %s", p.Field, p.Msg, want[p.Field])
		}
	}
	if s.S != nil || s.F != nil || s.I != nil || s.B != nil || s.S2 != nil {
		t.Fatalf("a field of the wrong type was set: %+v", s)
	}
	for _, bad := range []string{"NaN", "Inf", "0x10", "1_000", "1e", ""} {
		if s, _ := decodeRequest(t, jsonReq(`{"f": "`+bad+`"}`, "application/json")); s.F != nil {
			t.Errorf("f=%q decoded as %v", bad, *s.F)
		}
	}
	if s, _ := decodeRequest(t, jsonReq(`{"s": null, "i": null}`, "application/json")); s.S != nil || s.I != nil || len(s.Problems) != 0 {
		t.Errorf("null is absence, got %+v", s)
	}
}

func TestDecoderRefusesMalformedBodies(t *testing.T) {
	for name, tc := range map[string]struct {
		body, ct string
		status   int
	}{
		"truncated json": {`{"s": "x"`, "application/json", 400},
		"json array":     {`[1, 2]`, "application/json", 400},
		"json string":    {`"x"`, "application/json", 400},
		"two objects":    {`{"s": "x"} {"s": "y"}`, "application/json", 400},
		"trailing comma": {`{"s": "x",}`, "application/json", 400},
		"xml":            {`<s>x</s>`, "application/xml", 415},
		"bad form":       {"s=%zz", "application/x-www-form-urlencoded", 400},
		"no boundary":    {"x", "multipart/form-data", 400},
		"too large":      {`{"s": "` + strings.Repeat("x", 1<<17) + `"}`, "application/json", 413},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeRequest(t, jsonReq(tc.body, tc.ct))
			var e *julo.Error
			if !errors.As(err, &e) || statusOf[e.Code] != tc.status {
				t.Fatalf("got %v, want status %d", err, tc.status)
			}
		})
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte(`{"s": "3203020101930001", "f": -6.18, "i": "24", "b": "true"}`), "application/json")
	f.Add([]byte(`s=1&f=2&i=3&b=false`), "application/x-www-form-urlencoded")
	f.Add([]byte(`{"s": {"nested": [1, 2, {"x": null}]}, "i": 1e400}`), "")
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"s\"\r\n\r\nx\r\n--b--\r\n"), "multipart/form-data; boundary=b")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		r := httptest.NewRequest("POST", "/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<16)
		f, err := readFields(r)
		if err != nil {
			var e *julo.Error
			if !errors.As(err, &e) || statusOf[e.Code] < 400 || statusOf[e.Code] > 499 {
				t.Fatalf("non-4xx decode error %v", err)
			}
			return
		}
		var s sample
		f.decodeInto(&s) // must not panic, whatever the values
		for _, p := range s.Problems {
			if !i18n.Has(p.Msg) || p.Field == "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}

func TestDecoderRefusesControlAndDirectionCharacters(t *testing.T) {
	for _, bad := range []string{"a\x00b", "a\x07b", "a\u202eb", "a\u0085b", "a\u2066b"} {
		b, _ := json.Marshal(map[string]string{"s": bad})
		s, err := decodeRequest(t, jsonReq(string(b), "application/json"))
		if err != nil || s.S != nil || len(s.Problems) != 1 || s.Problems[0].Msg != i18n.ControlChars {
			t.Errorf("%q: %+v %v", bad, s, err)
		}
	}
	s, _ := decodeRequest(t, jsonReq(`{"s": "Jl. Merdeka\n\tRT 01\r\n"}`, "application/json"))
	if s.S == nil {
		t.Fatal("tab, CR and LF were refused")
	}
}
