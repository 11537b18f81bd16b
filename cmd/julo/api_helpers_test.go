package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// The endpoints under test.
const (
	pathRegister  = "/api/partnership/v1/customer"
	pathPrereg    = "/api/partnership/v1/preregister-check"
	pathPIN       = "/api/partnership/v1/check-strong-pin"
	pathDropdown  = "/api/partnership/v1/dropdown-data"
	pathDropdowns = "/api/partnership/v1/dropdowns"
	pathAddress   = "/api/partnership/v1/address"
)

// Catalogue texts the tests look for (Indonesian is the default language).
const (
	msgUnauthorized   = "Kredensial partner tidak valid: kirim header username dan secret-key yang benar"
	msgUnauthorizedEN = "Invalid partner credentials: send the correct username and secret-key headers"
	msgNotFound       = "Endpoint tidak ditemukan"
	msgRequired       = "wajib diisi"
	msgTypeString     = "harus berupa teks"
	msgTypeNumber     = "harus berupa angka"
	msgMalformedJSON  = "JSON tidak valid"
	msgJSONNotObject  = "Isi permintaan JSON harus berupa objek {...}"

	msgNIKFormat    = "NIK harus terdiri dari tepat 16 digit angka"
	msgControlChars = "tidak boleh berisi karakter kontrol atau pengarah teks (NUL, U+202E, ...)"
	msgNIKFormatEN  = "NIK must be exactly 16 digits"
	msgNIKProvince  = "NIK tidak valid: kode provinsi"
	msgNIKRegency   = "NIK tidak valid: kode kabupaten/kota tidak boleh 00"
	msgNIKDistrict  = "NIK tidak valid: kode kecamatan tidak boleh 00"
	msgNIKDate      = "NIK tidak valid: digit 7-12 bukan tanggal lahir yang benar (DDMMYY, tanggal +40 untuk wanita)"
	msgNIKSerial    = "NIK tidak valid: nomor urut (4 digit terakhir) tidak boleh 0000"

	msgPINFormat    = "PIN harus terdiri dari tepat 6 digit angka"
	msgPINBirthDate = "PIN tidak boleh menggunakan tanggal lahir"
	msgPINPattern   = "PIN tidak boleh menggunakan angka pengulangan atau berurutan"
	msgPINCommon    = "PIN terlalu umum dan mudah ditebak"
	msgPINNIKTail   = "PIN tidak boleh menggunakan 6 digit terakhir NIK"
	msgPINStrong    = "Strong password" // documented; the same in every language

	msgEmailInvalid    = "alamat email tidak valid"
	msgEmailBlocked    = "domain email %s tidak diterima"
	msgLatitudeRange   = "harus antara -90 dan 90"
	msgLongitudeRange  = "harus antara -180 dan 180"
	msgNIKRegistered   = "NIK sudah terdaftar"
	msgEmailRegistered = "Email sudah terdaftar"
	msgPreregTitle     = "Data sudah terdaftar"
	msgPreregLocked    = "Terlalu banyak pengecekan gagal untuk email ini"
)

// testNIK is a valid NIK, distinct for each n (1-9999): Jawa Barat 32 03 02,
// a man born 15-05-1990, serial n. PIN 159357 is strong for every one.
func testNIK(n int) string { return fmt.Sprintf("320302150590%04d", n) }

const strongPIN = "159357"

// regBody is a valid registration request.
func regBody(nik, email string) map[string]any {
	return map[string]any{"username": nik, "pin": strongPIN, "email": email, "latitude": -6.1815657, "longitude": 106.7229445}
}

// registered is the data of a 201 registration answer.
type registered struct {
	XID   int64  `json:"application_xid"`
	Email string `json:"email"`
	KTP   string `json:"ktp"`
}

// forT returns a copy of s whose helpers report to t (a subtest), so that a
// fatal failure inside s.do stops the right goroutine.
func (s *testServer) forT(t *testing.T) *testServer {
	c := *s
	c.t = t
	return &c
}

// register registers nik/email and returns the answer's data.
func (s *testServer) register(t *testing.T, nik, email string) registered {
	t.Helper()
	var d registered
	s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(nik, email)}).expect(t, http.StatusCreated).decodeData(t, &d)
	return d
}

// query reads one row straight from the server's database ($1, $2, ...
// placeholders).
func (s *testServer) query(t *testing.T, q string, args []any, dest ...any) {
	t.Helper()
	if err := s.sqlDB().QueryRow(q, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// unchanged runs f and fails if any table's row count changed.
func (s *testServer) unchanged(t *testing.T, f func()) {
	t.Helper()
	before := s.rowCounts()
	f()
	if after := s.rowCounts(); !reflect.DeepEqual(before, after) {
		t.Fatalf("row counts changed: before %v, after %v", before, after)
	}
}

// noRedirect is a client that reports redirects instead of following them.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

// raw sends a request as built by the caller (partner headers added unless
// hdr sets them) without following redirects, and checks the envelope.
func (s *testServer) raw(t *testing.T, method, path string, body io.Reader, hdr map[string]string) response {
	t.Helper()
	hr, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	for k, v := range hdr {
		hr.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: string(b)}
	mustEnvelope(t, b, &out)
	return out
}

// tryPost posts JSON and returns the status and errors; safe to call from
// any goroutine (it never calls t.Fatal).
func (s *testServer) tryPost(path string, body any) (int, []string, error) {
	j, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	hr, err := http.NewRequest("POST", s.URL+path, bytes.NewReader(j))
	if err != nil {
		return 0, nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var env struct {
		Errors []string `json:"errors"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &env); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("not JSON: %s", b)
	}
	return resp.StatusCode, env.Errors, nil
}

// multipartBody encodes fields as multipart/form-data.
func multipartBody(t *testing.T, fields map[string]string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := w.WriteField(k, fields[k]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

// expectErrors asserts the exact list of error messages (order-insensitive).
func expectErrors(t *testing.T, r response, want ...string) {
	t.Helper()
	got := append([]string(nil), r.Errors...)
	w := append([]string(nil), want...)
	sort.Strings(got)
	sort.Strings(w)
	if !reflect.DeepEqual(got, w) {
		t.Fatalf("errors\n got %q\nwant %q\n(%s)", r.Errors, want, r.Raw)
	}
}

// dataStrings decodes data as a list of strings.
func dataStrings(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	r.decodeData(t, &out)
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
