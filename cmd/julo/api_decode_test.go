package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// regForm is a registration as form/query values.
func regForm(nik, email string) url.Values {
	return url.Values{"username": {nik}, "pin": {strongPIN}, "email": {email}, "latitude": {"-6.1815657"}, "longitude": {"106.7229445"}}
}

// A registration sent as JSON, urlencoded form, multipart form, query string,
// JSON labelled as a form (curl -d), JSON without a Content-Type, and JSON as
// text/plain is decoded the same way: each answers 201 with its own data
// (errata 4).
func TestDecodeRegistrationInEveryEncoding(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	jsonOf := func(nik, email string) string {
		return fmt.Sprintf(`{"username": %q, "pin": %q, "email": %q, "latitude": -6.1815657, "longitude": 106.7229445}`, nik, strongPIN, email)
	}
	type enc struct {
		name  string
		build func(t *testing.T, nik, email string) req
	}
	encodings := []enc{
		{"json", func(t *testing.T, nik, email string) req {
			return req{Method: "POST", Path: pathRegister, Body: jsonOf(nik, email), ContentType: "application/json"}
		}},
		{"json with charset", func(t *testing.T, nik, email string) req {
			return req{Method: "POST", Path: pathRegister, Body: jsonOf(nik, email), ContentType: "application/json; charset=utf-8"}
		}},
		{"urlencoded form", func(t *testing.T, nik, email string) req {
			return req{Method: "POST", Path: pathRegister, Body: regForm(nik, email)}
		}},
		{"multipart form", func(t *testing.T, nik, email string) req {
			v := regForm(nik, email)
			fields := map[string]string{}
			for k := range v {
				fields[k] = v.Get(k)
			}
			body, ct := multipartBody(t, fields)
			return req{Method: "POST", Path: pathRegister, Body: body, ContentType: ct}
		}},
		{"query string", func(t *testing.T, nik, email string) req {
			return req{Method: "POST", Path: pathRegister + "?" + regForm(nik, email).Encode()}
		}},
		{"JSON labelled as a form (curl -d)", func(t *testing.T, nik, email string) req {
			return req{Method: "POST", Path: pathRegister, Body: jsonOf(nik, email), ContentType: "application/x-www-form-urlencoded"}
		}},
		{"JSON without Content-Type", func(t *testing.T, nik, email string) req {
			return req{Method: "POST", Path: pathRegister, Body: jsonOf(nik, email)}
		}},
		{"JSON as text/plain", func(t *testing.T, nik, email string) req {
			return req{Method: "POST", Path: pathRegister, Body: jsonOf(nik, email), ContentType: "text/plain"}
		}},
	}
	for i, e := range encodings {
		t.Run(e.name, func(t *testing.T) {
			nik, email := testNIK(i+1), fmt.Sprintf("enc-%d@example.com", i)
			var d registered
			s.forT(t).do(e.build(t, nik, email)).expect(t, http.StatusCreated).decodeData(t, &d)
			if d.KTP != nik || d.Email != email || d.XID < 1_000_000_000 {
				t.Fatalf("data %+v", d)
			}
			rec := customerOf(t, s, nik)
			lat, lon := rec.Latitude, rec.Longitude
			var pin string
			s.query(t, `SELECT pin_hash FROM customers WHERE id = $1`, []any{rec.CustomerID}, &pin)
			if lat != -6.1815657 || lon != 106.7229445 || !strings.HasPrefix(pin, "$argon2id$") {
				t.Fatalf("stored %v %v %q", lat, lon, pin)
			}
		})
	}
	// The same invalid request gives the same errors in every encoding.
	for i, e := range encodings {
		t.Run("invalid "+e.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := e.build(t, testNIK(50+i)+"9", "bad-enc-"+fmt.Sprint(i)+"@yahoo.com")
				got := s.forT(t).do(r).expect(t, http.StatusBadRequest)
				expectErrors(t, got, "username: "+msgNIKFormat, "email: "+fmt.Sprintf(msgEmailBlocked, "yahoo.com"))
			})
		})
	}
}

// The pre-register check and check-strong-pin read forms and query strings
// too.
func TestDecodeFormAndQueryOnOtherPOSTEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	pinForm := url.Values{"nik": {"3203020101930001"}, "pin": {"159357"}}
	mp, ct := multipartBody(t, map[string]string{"nik": "3203020101930001", "pin": "159357"})
	for _, r := range []req{
		{Method: "POST", Path: pathPIN, Body: pinForm},
		{Method: "POST", Path: pathPIN + "?" + pinForm.Encode()},
		{Method: "POST", Path: pathPIN, Body: mp, ContentType: ct},
	} {
		if got := s.do(r).expect(t, http.StatusOK); string(got.Data) != `"`+msgPINStrong+`"` {
			t.Fatalf("data %s", got.Data)
		}
	}
	weak := url.Values{"nik": {"3203020101930001"}, "pin": {"123456"}}
	expectErrors(t, s.do(req{Method: "POST", Path: pathPIN, Body: weak}).expect(t, http.StatusBadRequest), "pin: "+msgPINPattern)
	expectErrors(t, s.do(req{Method: "POST", Path: pathPIN + "?" + weak.Encode()}).expect(t, http.StatusBadRequest), "pin: "+msgPINPattern)

	pre := url.Values{"nik": {"3203020101930001"}, "email": {"example@test.com"}}
	s.do(req{Method: "POST", Path: pathPrereg, Body: pre}).expect(t, http.StatusOK)
	s.do(req{Method: "POST", Path: pathPrereg + "?" + pre.Encode()}).expect(t, http.StatusOK)
	mp, ct = multipartBody(t, map[string]string{"nik": "3203020101930001", "email": "example@test.com"})
	s.do(req{Method: "POST", Path: pathPrereg, Body: mp, ContentType: ct}).expect(t, http.StatusOK)
}

// Malformed JSON, a JSON body that is not an object, and values of the wrong
// type are 400 with a useful message naming the problem or the field, and
// leave nothing behind; a string where a number belongs is accepted.
func TestDecodeBadBodies(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	valid := func(nik, email string) map[string]any { return regBody(nik, email) }
	cases := []struct {
		name string
		r    req
		want []string // exact errors; a single entry ending in "*" is a prefix
	}{
		{"truncated JSON", req{Invalid: true, Body: `{"username": "3203021505900001", "pin": "15`}, []string{msgMalformedJSON + ": *"}},
		{"trailing comma", req{Invalid: true, Body: `{"username": "3203021505900001",}`}, []string{msgMalformedJSON + ": *"}},
		{"single quotes", req{Invalid: true, Body: `{'username': '3203021505900001'}`}, []string{msgMalformedJSON + ": *"}},
		{"two objects", req{Invalid: true, Body: `{"username": "3203021505900001"} {"pin": "159357"}`}, []string{msgMalformedJSON + ": *"}},
		{"JSON array", req{Invalid: true, Body: `[{"username": "3203021505900001", "pin": "159357", "email": "arr@example.com", "latitude": 1, "longitude": 1}]`}, []string{msgJSONNotObject}},
		{"JSON string", req{Invalid: true, Body: `"3203021505900001"`}, []string{msgJSONNotObject}},
		{"JSON number", req{Invalid: true, Body: `42`}, []string{msgJSONNotObject}},
		{"JSON null", req{Invalid: true, Body: `null`}, []string{msgJSONNotObject}},
		{"object for username", req{Invalid: true, Body: map[string]any{"username": map[string]any{"nik": "3203021505900001"}, "pin": strongPIN, "email": "t1@example.com", "latitude": 1, "longitude": 1}},
			[]string{"username: " + msgTypeString}},
		{"array for email", req{Invalid: true, Body: map[string]any{"username": testNIK(1), "pin": strongPIN, "email": []any{"t2@example.com"}, "latitude": 1, "longitude": 1}},
			[]string{"email: " + msgTypeString}},
		{"bool for latitude", req{Invalid: true, Body: map[string]any{"username": testNIK(1), "pin": strongPIN, "email": "t3@example.com", "latitude": false, "longitude": 1}},
			[]string{"latitude: " + msgTypeNumber}},
		{"bool for pin", req{Invalid: true, Body: map[string]any{"username": testNIK(1), "pin": true, "email": "t4@example.com", "latitude": 1, "longitude": 1}},
			[]string{"pin: " + msgTypeString}},
		{"every type wrong at once", req{Invalid: true, Body: map[string]any{"username": []any{1}, "pin": map[string]any{}, "email": false, "latitude": "north", "longitude": []any{}}},
			[]string{"username: " + msgTypeString, "pin: " + msgTypeString, "email: " + msgTypeString, "latitude: " + msgTypeNumber, "longitude: " + msgTypeNumber}},
		{"17-digit NIK", req{Body: valid("32030215059000012", "n1@example.com")}, []string{"username: " + msgNIKFormat}},
		{"non-numeric NIK", req{Body: valid("3203021505900O01", "n2@example.com")}, []string{"username: " + msgNIKFormat}},
		{"a 20,000-digit NIK", req{Body: valid(strings.Repeat("3", 20000), "n3@example.com")}, []string{"username: " + msgNIKFormat}},
		{"NIK with a NUL byte", req{Body: valid("3203021505900\x0001", "n4@example.com")}, []string{"username: " + msgControlChars}},
		{"NIK as a float", req{Body: `{"username": 3.2030215059e15, "pin": "159357", "email": "n5@example.com", "latitude": 1, "longitude": 1}`}, []string{"username: " + msgNIKFormat}},
		{"NIK as a negative number", req{Body: `{"username": -3203021505900001, "pin": "159357", "email": "n6@example.com", "latitude": 1, "longitude": 1}`}, []string{"username: " + msgNIKFormat}},
		{"invalid UTF-8 in NIK", req{Body: "{\"username\": \"32030215059000\xff\xfe\", \"pin\": \"159357\", \"email\": \"n7@example.com\", \"latitude\": 1, \"longitude\": 1}"}, []string{"username: " + msgControlChars}},
		{"JSON nested too deep", req{Invalid: true, Body: `{"username": ` + strings.Repeat("[", 100000)}, []string{msgMalformedJSON + ": *"}},
		{"empty JSON body", req{Body: "", ContentType: "application/json"}, []string{"username: " + msgRequired, "pin: " + msgRequired,
			"email: " + msgRequired, "latitude: " + msgRequired, "longitude: " + msgRequired}},
		{"malformed urlencoded form", req{Invalid: true, Body: "username=%zz&pin=159357", ContentType: "application/x-www-form-urlencoded"}, []string{"Data form tidak valid: *"}},
		{"multipart without boundary", req{Invalid: true, Body: "--x\r\n", ContentType: "multipart/form-data"}, []string{"Data form tidak valid: *"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := c.r
				r.Method, r.Path = "POST", pathRegister
				if _, ok := r.Body.(string); ok && r.ContentType == "" {
					r.ContentType = "application/json"
				}
				got := s.forT(t).do(r).expect(t, http.StatusBadRequest)
				if len(c.want) == 1 && strings.HasSuffix(c.want[0], "*") {
					if len(got.Errors) != 1 || !strings.HasPrefix(got.Errors[0], strings.TrimSuffix(c.want[0], "*")) || len(got.Errors[0]) <= len(c.want[0]) {
						t.Fatalf("errors %q, want one starting with %q and saying what is wrong", got.Errors, strings.TrimSuffix(c.want[0], "*"))
					}
					return
				}
				expectErrors(t, got, c.want...)
			})
		})
	}
	t.Run("English malformed JSON", func(t *testing.T) {
		got := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: `{"username": `, ContentType: "application/json", Invalid: true,
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest, "Malformed JSON: ")
		if len(got.Errors) != 1 {
			t.Fatalf("errors %q", got.Errors)
		}
		got = s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: `[]`, ContentType: "application/json", Invalid: true,
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, got, "The JSON request body must be an object {...}")
	})
	t.Run("the syntax error says where", func(t *testing.T) {
		got := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: `{"username": "1",}`, ContentType: "application/json", Invalid: true}).expect(t, http.StatusBadRequest)
		// The stray '}' is the body's 18th byte.
		if !strings.Contains(got.Errors[0], "pada byte 18") {
			t.Fatalf("error %q does not say where the JSON breaks", got.Errors[0])
		}
	})
}

// Numbers may come as strings (and as numbers where text belongs): the
// registration accepts "latitude": "-6.18" and a PIN sent as a number.
func TestDecodeNumbersAsStringsAccepted(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	var d registered
	s.do(req{Method: "POST", Path: pathRegister, ContentType: "application/json",
		Body: `{"username": "3203021505900001", "pin": 159357, "email": "str@example.com", "latitude": "-6.18", "longitude": " 106.72 "}`}).
		expect(t, http.StatusCreated).decodeData(t, &d)
	rec := customerOf(t, s, "3203021505900001")
	lat, lon := rec.Latitude, rec.Longitude
	if lat != -6.18 || lon != 106.72 {
		t.Fatalf("stored %v %v", lat, lon)
	}
}
