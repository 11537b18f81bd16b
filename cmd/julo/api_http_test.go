package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Every endpoint answers with and without a trailing slash, directly (no
// redirect, which would break POST clients) (errata 1).
func TestHTTPTrailingSlashBothFormsWithoutRedirect(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	jsonBody := func(v string) *strings.Reader { return strings.NewReader(v) }
	cases := []struct {
		method, path, body string
		status             int
	}{
		{"POST", pathRegister, `{"username": "3203021505900001", "pin": "159357", "email": "slash1@example.com", "latitude": 1, "longitude": 1}`, http.StatusCreated},
		{"POST", pathRegister + "/", `{"username": "3203021505900002", "pin": "159357", "email": "slash2@example.com", "latitude": 1, "longitude": 1}`, http.StatusCreated},
		{"POST", pathPrereg, `{"nik": "3203021505900003", "email": "slash3@example.com"}`, http.StatusOK},
		{"POST", pathPrereg + "/", `{"nik": "3203021505900003", "email": "slash3@example.com"}`, http.StatusOK},
		{"POST", pathPIN, `{"nik": "3203021505900003", "pin": "159357"}`, http.StatusOK},
		{"POST", pathPIN + "/", `{"nik": "3203021505900003", "pin": "159357"}`, http.StatusOK},
		{"GET", pathDropdown + "?data_selected=job_types", "", http.StatusOK},
		{"GET", pathDropdown + "/?data_selected=job_types", "", http.StatusOK},
		{"GET", pathDropdowns + "?data_selected=job_types", "", http.StatusOK},
		{"GET", pathDropdowns + "/?data_selected=job_types", "", http.StatusOK},
		{"GET", pathAddress + "?get_address=province", "", http.StatusOK},
		{"GET", pathAddress + "/?get_address=province", "", http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			var hdr map[string]string
			var body *strings.Reader
			if c.body != "" {
				hdr, body = map[string]string{"Content-Type": "application/json"}, jsonBody(c.body)
			} else {
				body = jsonBody("")
			}
			r := s.raw(t, c.method, c.path, body, hdr)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Raw)
			}
		})
	}
}

// Unknown paths are 404 and known paths with another method are 405 with an
// Allow header, both in the envelope; no authentication is needed to learn
// that.
func TestHTTPNotFoundAndMethodNotAllowedInEnvelope(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for _, p := range []string{"/", "/api/partnership/v1/nothing", "/api/partnership/v2/customer", "/api/partnership/v1/customer/extra",
		"/api/partnership/v1/customers", "/api/partnership/v1/dropdown%20-data"} {
		for _, auth := range []bool{true, false} {
			r := s.do(req{Method: "GET", Path: p, NoAuth: !auth, Invalid: true}).expect(t, http.StatusNotFound)
			expectErrors(t, r, msgNotFound)
		}
	}
	expectErrors(t, s.do(req{Method: "GET", Path: "/nothing", Header: map[string]string{"Accept-Language": "en"}, Invalid: true}).expect(t, http.StatusNotFound), "Endpoint not found")

	cases := []struct{ method, path, allow string }{
		{"GET", pathRegister, "POST"},
		{"GET", pathRegister + "/", "POST"},
		{"PUT", pathRegister, "POST"},
		{"DELETE", pathPrereg, "POST"},
		{"GET", pathPIN, "POST"},
		{"POST", pathDropdown, "GET"},
		{"DELETE", pathDropdowns + "/", "GET"},
		{"PATCH", pathAddress, "GET"},
		{"POST", "/healthz", "GET"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: c.method, Path: c.path, Body: map[string]any{"username": testNIK(1)}, Invalid: true}).expect(t, http.StatusMethodNotAllowed)
				allow := r.Header.Get("Allow")
				if !strings.Contains(allow, c.allow) || strings.Contains(allow, c.method) {
					t.Fatalf("Allow %q, want %s", allow, c.allow)
				}
				expectErrors(t, r, fmt.Sprintf("Metode %s tidak diizinkan untuk endpoint ini; gunakan %s", c.method, c.allow))
			})
		})
	}
	r := s.do(req{Method: "GET", Path: pathRegister, Header: map[string]string{"Accept-Language": "en"}, Invalid: true}).expect(t, http.StatusMethodNotAllowed)
	expectErrors(t, r, "Method GET is not allowed on this endpoint; use POST")
}

// A body over --max-body-bytes is 413 in the envelope, whatever its
// encoding, and stores nothing; a body under the limit is accepted.
func TestHTTPBodyOverLimitIs413(t *testing.T) {
	t.Parallel()
	s := startServer(t, []string{"--max-body-bytes", "2048"})
	const msg = "Isi permintaan terlalu besar: maksimal 2048 byte"
	pad := strings.Repeat("x", 3000)
	big := regBody(testNIK(1), "big@example.com")
	big["padding"] = pad
	form := regForm(testNIK(1), "big@example.com")
	form.Set("padding", pad)
	mp, ct := multipartBody(t, map[string]string{"username": testNIK(1), "pin": strongPIN, "email": "big@example.com",
		"latitude": "1", "longitude": "1", "padding": pad})
	cases := []struct {
		name string
		r    req
	}{
		{"json", req{Method: "POST", Path: pathRegister, Body: big}},
		{"urlencoded", req{Method: "POST", Path: pathRegister, Body: form}},
		{"multipart", req{Method: "POST", Path: pathRegister, Body: mp, ContentType: ct}},
		{"no content type", req{Method: "POST", Path: pathRegister, Body: strings.Repeat(" ", 5000)}},
		{"pre-register check", req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "big@example.com", "padding": pad}}},
		{"check strong pin", req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": testNIK(1), "pin": strongPIN, "padding": pad}}},
		{"dropdown body", req{Method: "GET", Path: pathDropdown + "?data_selected=job_types", Body: map[string]any{"padding": pad}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(c.r).expect(t, http.StatusRequestEntityTooLarge)
				expectErrors(t, r, msg)
			})
		})
	}
	t.Run("chunked, without Content-Length", func(t *testing.T) {
		s.unchanged(t, func() {
			j, _ := json.Marshal(big)
			// A MultiReader hides the length: the body is sent chunked.
			r := s.raw(t, "POST", pathRegister, io.MultiReader(bytes.NewReader(j)), map[string]string{"Content-Type": "application/json"})
			if r.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			expectErrors(t, r, msg)
		})
	})
	t.Run("English", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: big, Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusRequestEntityTooLarge)
		expectErrors(t, r, "Request body too large: at most 2048 bytes")
	})
	t.Run("exactly at the limit, and one byte over", func(t *testing.T) {
		b := fmt.Sprintf(`{"username": %q, "pin": "159357", "email": "edge@example.com", "latitude": 1, "longitude": 1, "padding": "`, testNIK(3))
		exact := b + strings.Repeat("x", 2048-len(b)-2) + `"}`
		if len(exact) != 2048 {
			t.Fatalf("body of %d bytes", len(exact))
		}
		s.unchanged(t, func() {
			over := exact[:len(exact)-2] + `x"}`
			expectErrors(t, s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: over, ContentType: "application/json"}).expect(t, http.StatusRequestEntityTooLarge), msg)
		})
		s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: exact, ContentType: "application/json"}).expect(t, http.StatusCreated)
	})
	t.Run("under the limit", func(t *testing.T) {
		b := regBody(testNIK(2), "small@example.com")
		b["padding"] = strings.Repeat("x", 1800)
		s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: b}).expect(t, http.StatusCreated)
	})
}

// A body in an unsupported media type is 415 naming it, and stores nothing.
func TestHTTPUnsupportedMediaTypeIs415(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xml := `<customer><username>3203021505900001</username><pin>159357</pin></customer>`
	for _, c := range []struct{ path, method, ct string }{
		{pathRegister, "POST", "application/xml"},
		{pathRegister, "POST", "text/xml"},
		{pathPrereg, "POST", "application/xml"},
		{pathPIN, "POST", "text/csv"},
		{pathDropdown + "?data_selected=job_types", "GET", "application/xml"},
		{pathAddress + "?get_address=province", "GET", "application/octet-stream"},
	} {
		t.Run(c.method+" "+c.path+" "+c.ct, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: c.method, Path: c.path, Body: xml, ContentType: c.ct, Invalid: true}).expect(t, http.StatusUnsupportedMediaType)
				expectErrors(t, r, fmt.Sprintf("Content-Type %q tidak didukung; gunakan application/json, application/x-www-form-urlencoded atau multipart/form-data", c.ct))
			})
		})
	}
	r := s.do(req{Method: "POST", Path: pathRegister, Body: xml, ContentType: "application/xml", Header: map[string]string{"Accept-Language": "en"}, Invalid: true}).
		expect(t, http.StatusUnsupportedMediaType)
	expectErrors(t, r, `Content-Type "application/xml" is not supported; use application/json, application/x-www-form-urlencoded or multipart/form-data`)
}

// Messages are Indonesian by default and English when the caller prefers
// English (Accept-Language: en, en-US, or en first by quality).
func TestHTTPLanguageFromAcceptLanguage(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	body := map[string]any{"nik": "123", "pin": "159357"}
	for _, c := range []struct{ header, want string }{
		{"", msgNIKFormat},
		{"id", msgNIKFormat},
		{"id-ID,id;q=0.9,en;q=0.8", msgNIKFormat},
		{"fr", msgNIKFormat},
		{"en", msgNIKFormatEN},
		{"EN", msgNIKFormatEN},
		{"en-US,en;q=0.9", msgNIKFormatEN},
		{"id;q=0.5, en;q=0.9", msgNIKFormatEN},
	} {
		r := s.do(req{Method: "POST", Path: pathPIN, Body: body, Header: map[string]string{"Accept-Language": c.header}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "nik: "+c.want)
	}
	expectErrors(t, s.do(req{Method: "GET", Path: pathDropdown, Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest),
		"data_selected: is required; choose one of: "+dropdownNames)
	expectErrors(t, s.do(req{Method: "GET", Path: pathAddress + "?get_address=city", Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest),
		"province: is required for get_address=city")
}

// Every answer carries an X-Request-Id: the caller's when it sends a sane
// one, a fresh one otherwise.
func TestHTTPRequestIDReturned(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	hex16 := regexp.MustCompile(`^[0-9a-zA-Z._-]{8,64}$`)
	seen := map[string]bool{}
	for _, r := range []req{
		{Method: "GET", Path: pathAddress + "?get_address=province"},
		{Method: "GET", Path: pathAddress},
		{Method: "GET", Path: pathAddress, NoAuth: true, Invalid: true},
		{Method: "GET", Path: "/nothing", Invalid: true},
		{Method: "GET", Path: pathRegister, Invalid: true},
		{Method: "POST", Path: pathRegister, Body: "{", ContentType: "application/json", Invalid: true},
		{Method: "GET", Path: "/healthz"},
	} {
		got := s.do(r)
		id := got.Header.Get("X-Request-Id")
		if !hex16.MatchString(id) || seen[id] {
			t.Fatalf("%s %s: X-Request-Id %q (missing, malformed or repeated)", r.Method, r.Path, id)
		}
		seen[id] = true
	}
	got := s.do(req{Method: "GET", Path: pathAddress + "?get_address=province", Header: map[string]string{"X-Request-Id": "partner-trace-42"}})
	if id := got.Header.Get("X-Request-Id"); id != "partner-trace-42" {
		t.Fatalf("X-Request-Id %q, want the caller's partner-trace-42", id)
	}
	got = s.do(req{Method: "GET", Path: pathAddress + "?get_address=province", Header: map[string]string{"X-Request-Id": "bad id\twith spaces"}})
	if id := got.Header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " \t") {
		t.Fatalf("X-Request-Id %q", id)
	}
}

// A GET with only a query string and an empty body, and a POST with its
// fields in the query string and an empty body, work.
func TestHTTPEmptyBodies(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.raw(t, "GET", pathAddress+"?"+url.Values{"get_address": {"province"}}.Encode(), bytes.NewReader(nil), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	r = s.raw(t, "POST", pathPIN+"?nik=3203020101930001&pin=159357", bytes.NewReader(nil), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
}

// A path that is not clean (a doubled slash, a dot segment) is answered
// directly in the envelope - served or 404 - never with a redirect (errata 1:
// a redirect breaks POST clients; errata 3: every response is the envelope).
func TestHTTPUncleanPathIsNotRedirected(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for i, c := range []struct{ method, path string }{
		{"POST", "/api/partnership/v1//customer"},
		{"POST", "/api/partnership/v1/./customer/"},
		{"GET", "/api//partnership/v1/address?get_address=province"},
		{"GET", "/api/partnership/v1/x/../dropdown-data?data_selected=job_types"},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			body := fmt.Sprintf(`{"username": %q, "pin": "159357", "email": "clean%d@example.com", "latitude": 1, "longitude": 1}`, testNIK(i+1), i)
			hr, _ := http.NewRequest(c.method, s.URL+c.path, strings.NewReader(body))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("username", s.Partner)
			hr.Header.Set("secret-key", s.Secret)
			resp, err := noRedirect.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode >= 300 && resp.StatusCode < 400 {
				t.Fatalf("status %d, Location %q, Content-Type %q, body %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Content-Type"), b)
			}
			out := response{Status: resp.StatusCode, Header: resp.Header, Raw: string(b)}
			mustEnvelope(t, b, &out)
			want := http.StatusOK
			if c.method == "POST" {
				want = http.StatusCreated
			}
			if out.Status != http.StatusNotFound && out.Status != want {
				t.Fatalf("status %d: %s", out.Status, out.Raw)
			}
		})
	}
}
