package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// The documentation's registration example, sent to the table's path (with
// the trailing slash), answers 201 with exactly the three documented keys and
// stores one customer, one application at status 100 (FORM_CREATED) and its
// first status-history row.
func TestRegisterDocExampleStoresCustomerAndApplication(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.do(req{Method: "POST", Path: pathRegister + "/",
		Body:        `{"username": "3203020101930001", "pin": "111222", "email": "example@test.com", "latitude": -6.1815657, "longitude": 106.7229445}`,
		ContentType: "application/json"}).expect(t, http.StatusCreated)
	var keys map[string]any
	r.decodeData(t, &keys)
	if len(keys) != 3 {
		t.Fatalf("data has keys %v, want application_xid, email, ktp", keys)
	}
	var d registered
	r.decodeData(t, &d)
	if d.XID < 1_000_000_000 || d.XID > 9_999_999_999 || d.Email != "example@test.com" || d.KTP != "3203020101930001" {
		t.Fatalf("data %+v", d)
	}
	rec := customerOf(t, s, "3203020101930001")
	if len(rec.Applications) != 1 || rec.Applications[0].XID != d.XID || rec.Applications[0].Status != 100 || rec.Email != "example@test.com" {
		t.Fatalf("stored %+v, answered xid %d", rec, d.XID)
	}
	lat, lon := rec.Latitude, rec.Longitude
	if lat != -6.1815657 || lon != 106.7229445 {
		t.Fatalf("stored coordinates %v, %v", lat, lon)
	}
	if n := s.count("application_status_history"); n != 1 {
		t.Fatalf("%d status-history rows, want 1", n)
	}
}

// Every NIK rule of domain §3 is checked at registration: a broken one is a
// 400 naming the request field (username) with the rule's message, and
// nothing is stored; valid edge cases (a woman's day+40, 29 February of a
// leap year, 31st days) are accepted.
func TestRegisterNIKRules(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	bad := []struct{ name, nik, msg string }{
		{"15 digits", "320302150590001", msgNIKFormat},
		{"17 digits", "32030215059000011", msgNIKFormat},
		{"a letter", "32030215059000a1", msgNIKFormat},
		{"only letters", "abcdefghijklmnop", msgNIKFormat},
		{"full-width digits", "３２０３０２１５０５９０００１", msgNIKFormat},
		{"a space inside", "3203021505 900001", msgNIKFormat},
		{"first digit 0", "0203021505900001", msgNIKFormat},
		{"unknown province 99", "9903021505900001", `NIK tidak valid: kode provinsi "99" tidak dikenal`},
		{"unknown province 10", "1003021505900001", `NIK tidak valid: kode provinsi "10" tidak dikenal`},
		{"regency 00", "3200021505900001", msgNIKRegency},
		{"district 00", "3203001505900001", msgNIKDistrict},
		{"day 00", "3203020005900001", msgNIKDate},
		{"day 32", "3203023205900001", msgNIKDate},
		{"day 40", "3203024005900001", msgNIKDate},
		{"day 72", "3203027205900001", msgNIKDate},
		{"month 00", "3203021500900001", msgNIKDate},
		{"month 13", "3203021513900001", msgNIKDate},
		{"30 February", "3203023002920001", msgNIKDate},
		{"31 April", "3203023104900001", msgNIKDate},
		{"29 February 1993", "3203022902930001", msgNIKDate},
		{"a woman's 29 February 1993", "3203026902930001", msgNIKDate},
		{"serial 0000", "3203021505900000", msgNIKSerial},
		{"blank", "   ", msgRequired},
	}
	for i, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(c.nik, fmt.Sprintf("nik-bad-%d@example.com", i))})
				r.expect(t, http.StatusBadRequest)
				expectErrors(t, r, "username: "+c.msg)
			})
		})
	}
	good := []struct{ name, nik string }{
		{"a woman born 1 May 1990 (day 41)", "3203024105900001"},
		{"a woman born 31 December 1990 (day 71)", "3203027112900001"},
		{"29 February 1992", "3203022902920001"},
		{"31 December 1999", "3203023112990001"},
		{"a child born 2025", "3203021505250001"},
		{"another province (Papua, 91)", "9171011505900001"},
	}
	for i, c := range good {
		t.Run(c.name, func(t *testing.T) {
			if d := s.register(t, c.nik, fmt.Sprintf("nik-good-%d@example.com", i)); d.KTP != c.nik {
				t.Fatalf("ktp %q, want %q", d.KTP, c.nik)
			}
		})
	}
	// A missing username is required, as is every other field.
	r := s.do(req{Method: "POST", Path: pathRegister, Body: map[string]any{"pin": strongPIN, "email": "nonik@example.com", "latitude": 1, "longitude": 1}})
	r.expect(t, http.StatusBadRequest)
	expectErrors(t, r, "username: "+msgRequired)
}

// The PIN must be 6 digits and not weak (domain §5); it is stored only as an
// argon2id hash that does not contain it, nowhere in the data dir in clear.
func TestRegisterPINRulesAndArgon2idStorage(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	nik := testNIK(1) // born 15-05-1990, ends 900001
	bad := []struct{ name, pin string }{
		{"5 digits", "12345"},
		{"7 digits", "1234567"},
		{"16 digits (the document's numbers(16))", "1593571593571593"},
		{"a letter", "12a456"},
	}
	for i, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				b := regBody(nik, fmt.Sprintf("pin-format-%d@example.com", i))
				b["pin"] = c.pin
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: b}).expect(t, http.StatusBadRequest)
				expectErrors(t, r, "pin: "+msgPINFormat)
			})
		})
	}
	weak := []struct{ name, pin, msg string }{
		{"ascending", "123456", msgPINPattern},
		{"all equal", "111111", msgPINPattern},
		{"common", "147258", msgPINCommon},
		{"birth date DDMMYY", "150590", msgPINBirthDate},
		{"birth date YYMMDD", "900515", msgPINBirthDate},
		{"last 6 digits of the NIK", "900001", msgPINNIKTail},
	}
	for i, c := range weak {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				b := regBody(nik, fmt.Sprintf("pin-weak-%d@example.com", i))
				b["pin"] = c.pin
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: b}).expect(t, http.StatusBadRequest)
				expectErrors(t, r, "pin: "+c.msg)
			})
		})
	}
	t.Run("missing", func(t *testing.T) {
		s.unchanged(t, func() {
			b := regBody(nik, "pin-missing@example.com")
			delete(b, "pin")
			r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: b}).expect(t, http.StatusBadRequest)
			expectErrors(t, r, "pin: "+msgRequired)
		})
	})

	const pin = "604173"
	b := regBody(nik, "pin-stored@example.com")
	b["pin"] = pin
	s.do(req{Method: "POST", Path: pathRegister, Body: b}).expect(t, http.StatusCreated)
	var hash string
	s.query(t, `SELECT pin_hash FROM customers WHERE id = $1`, []any{customerOf(t, s, nik).CustomerID}, &hash)
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, pin) {
		t.Fatalf("pin_hash %q: want an argon2id hash without the PIN", hash)
	}
	if strings.Contains(string(readAllFiles(t, s.Data)), pin) {
		t.Fatal("the PIN is stored in clear somewhere in the data dir")
	}
}

// The email must be a valid single address; the blocked domains (yahoo.,
// ymail., rocketmail., hotmail.) are refused with the production message; a
// valid email is answered and stored lower-cased.
func TestRegisterEmailRules(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	invalid := []string{"not-an-email", "a@b", "Budi <budi@example.com>", "budi santoso@example.com",
		"budi@example..com", "@example.com", "budi@.example.com", "budi@example.com.", "budi@@example.com"}
	for i, e := range invalid {
		t.Run("invalid "+e, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(100+i), e)}).expect(t, http.StatusBadRequest)
				expectErrors(t, r, "email: "+msgEmailInvalid)
			})
		})
	}
	blocked := []struct{ email, domain string }{
		{"budi@yahoo.com", "yahoo.com"},
		{"budi@ymail.com", "ymail.com"},
		{"budi@rocketmail.com", "rocketmail.com"},
		{"budi@hotmail.com", "hotmail.com"},
		{"Budi@YAHOO.co.id", "yahoo.co.id"},
		{"budi@Hotmail.co.id", "hotmail.co.id"},
	}
	for i, c := range blocked {
		t.Run("blocked "+c.email, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(200+i), c.email)}).expect(t, http.StatusBadRequest)
				expectErrors(t, r, "email: "+fmt.Sprintf(msgEmailBlocked, c.domain))
			})
		})
	}
	t.Run("blocked, in English", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(299), "budi@yahoo.com"),
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "email: the email domain yahoo.com is not accepted")
	})
	t.Run("stored lower-cased", func(t *testing.T) {
		d := s.register(t, testNIK(300), "Budi.Santoso@Example.COM")
		if d.Email != "budi.santoso@example.com" {
			t.Fatalf("answered email %q", d.Email)
		}
		stored := customerOf(t, s, testNIK(300)).Email
		if stored != "budi.santoso@example.com" {
			t.Fatalf("stored email %q", stored)
		}
	})
	t.Run("gmail accepted", func(t *testing.T) {
		s.register(t, testNIK(301), "example@gmail.com")
	})
}

// Latitude and longitude are numbers within range; numbers sent as strings
// are accepted, anything else names the field.
func TestRegisterCoordinates(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	bad := []struct {
		name       string
		field      string
		value      any
		msg        string
		deleteInst bool
	}{
		{"latitude abc", "latitude", "abc", msgTypeNumber, false},
		{"latitude empty string", "latitude", "", msgTypeNumber, false},
		{"latitude NaN", "latitude", "NaN", msgTypeNumber, false},
		{"latitude bool", "latitude", true, msgTypeNumber, false},
		{"latitude object", "latitude", map[string]any{"v": 1}, msgTypeNumber, false},
		{"latitude above 90", "latitude", 90.0001, msgLatitudeRange, false},
		{"latitude below -90", "latitude", "-90.5", msgLatitudeRange, false},
		{"longitude above 180", "longitude", 180.5, msgLongitudeRange, false},
		{"longitude below -180", "longitude", -181, msgLongitudeRange, false},
		{"longitude abc", "longitude", "abc", msgTypeNumber, false},
		{"latitude null", "latitude", nil, msgRequired, false},
		{"longitude missing", "longitude", nil, msgRequired, true},
	}
	for i, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				b := regBody(testNIK(400+i), fmt.Sprintf("coord-bad-%d@example.com", i))
				if c.deleteInst {
					delete(b, c.field)
				} else {
					b[c.field] = c.value
				}
				// Not a number at all: outside the document's schema too.
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: b, Invalid: c.msg == msgTypeNumber}).expect(t, http.StatusBadRequest)
				expectErrors(t, r, c.field+": "+c.msg)
			})
		})
	}
	t.Run("huge exponent", func(t *testing.T) {
		s.unchanged(t, func() {
			// 1e400 is no float64: outside the document (and its validator) too.
			r := s.forT(t).do(req{Method: "POST", Path: pathRegister, ContentType: "application/json", Invalid: true,
				Body: fmt.Sprintf(`{"username": %q, "pin": "159357", "email": "coord-exp@example.com", "latitude": 1e400, "longitude": 106.7}`, testNIK(450))})
			r.expect(t, http.StatusBadRequest, "latitude: ")
		})
	})
	good := []struct {
		name     string
		lat, lon any
		wantLat  float64
		wantLon  float64
	}{
		{"strings", "-6.18", "106.72", -6.18, 106.72},
		{"bounds", -90, 180, -90, 180},
		{"other bounds", "90", "-180", 90, -180},
		{"integers", 0, 0, 0, 0},
	}
	for i, c := range good {
		t.Run(c.name, func(t *testing.T) {
			nik := testNIK(500 + i)
			b := regBody(nik, fmt.Sprintf("coord-good-%d@example.com", i))
			b["latitude"], b["longitude"] = c.lat, c.lon
			s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: b}).expect(t, http.StatusCreated)
			rec := customerOf(t, s, nik)
			lat, lon := rec.Latitude, rec.Longitude
			if lat != c.wantLat || lon != c.wantLon {
				t.Fatalf("stored %v, %v; want %v, %v", lat, lon, c.wantLat, c.wantLon)
			}
		})
	}
}

// A NIK or email already registered is refused with 409 naming the field
// (both when both are taken); an email differing only in case is the same
// email; nothing is stored.
func TestRegisterDuplicateNIKOrEmailConflicts(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.register(t, testNIK(1), "first@example.com")
	cases := []struct {
		name, nik, email string
		want             []string
	}{
		{"same NIK", testNIK(1), "second@example.com", []string{"username: " + msgNIKRegistered}},
		{"same email", testNIK(2), "first@example.com", []string{"email: " + msgEmailRegistered}},
		{"same email in other case", testNIK(3), "FIRST@Example.com", []string{"email: " + msgEmailRegistered}},
		{"both", testNIK(1), "first@example.com", []string{"username: " + msgNIKRegistered, "email: " + msgEmailRegistered}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(c.nik, c.email)}).expect(t, http.StatusConflict)
				expectErrors(t, r, c.want...)
			})
		})
	}
	t.Run("English", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "first@example.com"),
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusConflict)
		expectErrors(t, r, "username: NIK is already registered", "email: Email is already registered")
	})
}

// Ten concurrent registrations of one NIK (or of one email) give exactly one
// 201; the others are 409 naming the field, and one customer is stored.
func TestRegisterConcurrentSameNIKOrEmailExactlyOneWins(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	race := func(t *testing.T, body func(i int) map[string]any, wantMsg string) {
		var wg sync.WaitGroup
		type result struct {
			status int
			errs   []string
			err    error
		}
		results := make([]result, 10)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, errs, err := s.tryPost(pathRegister, body(i))
				results[i] = result{st, errs, err}
			}()
		}
		wg.Wait()
		created := 0
		for _, r := range results {
			switch {
			case r.err != nil:
				t.Fatalf("request failed: %v", r.err)
			case r.status == http.StatusCreated:
				created++
			case r.status == http.StatusConflict:
				if len(r.errs) != 1 || r.errs[0] != wantMsg {
					t.Fatalf("409 with errors %q, want %q", r.errs, wantMsg)
				}
			default:
				t.Fatalf("status %d (%q), want 201 or 409", r.status, r.errs)
			}
		}
		if created != 1 {
			t.Fatalf("%d registrations succeeded, want exactly 1", created)
		}
	}
	t.Run("same NIK", func(t *testing.T) {
		race(t, func(i int) map[string]any { return regBody(testNIK(7), fmt.Sprintf("race-nik-%d@example.com", i)) },
			"username: "+msgNIKRegistered)
		var n int
		s.query(t, `SELECT COUNT(*) FROM customers WHERE nik_bidx = (SELECT nik_bidx FROM customers WHERE id = $1)`,
			[]any{customerOf(t, s, testNIK(7)).CustomerID}, &n)
		if n != 1 {
			t.Fatalf("%d customers with the NIK", n)
		}
	})
	t.Run("same email", func(t *testing.T) {
		race(t, func(i int) map[string]any { return regBody(testNIK(10+i), "race-email@example.com") },
			"email: "+msgEmailRegistered)
	})
	if c, a, h := s.count("customers"), s.count("applications"), s.count("application_status_history"); c != 2 || a != 2 || h != 2 {
		t.Fatalf("customers %d, applications %d, history %d; want 2 each", c, a, h)
	}
}

// application_xid is a 10-digit integer in [1e9, 9999999999], unique and not
// sequential across registrations.
func TestRegisterApplicationXIDIsRandomTenDigit(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	seen := map[int64]bool{}
	var prev int64
	for i := 0; i < 6; i++ {
		d := s.register(t, testNIK(20+i), fmt.Sprintf("xid-%d@example.com", i))
		if d.XID < 1_000_000_000 || d.XID > 9_999_999_999 {
			t.Fatalf("application_xid %d is not 10 digits", d.XID)
		}
		if seen[d.XID] {
			t.Fatalf("application_xid %d repeated", d.XID)
		}
		if i > 0 && (d.XID-prev == 1 || prev-d.XID == 1) {
			t.Fatalf("application_xid %d follows %d: sequential", d.XID, prev)
		}
		seen[d.XID], prev = true, d.XID
	}
}

// One request's problems are all reported together, not only the first.
func TestRegisterReportsAllProblemsTogether(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.unchanged(t, func() {
		r := s.do(req{Method: "POST", Path: pathRegister, Body: map[string]any{
			"username": "32030215059000011", "pin": "123", "email": "budi@yahoo.com", "latitude": 100, "longitude": "abc"}, Invalid: true})
		r.expect(t, http.StatusBadRequest)
		expectErrors(t, r, "username: "+msgNIKFormat, "pin: "+msgPINFormat, "email: "+fmt.Sprintf(msgEmailBlocked, "yahoo.com"),
			"latitude: "+msgLatitudeRange, "longitude: "+msgTypeNumber)

		r = s.do(req{Method: "POST", Path: pathRegister, Body: map[string]any{}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "username: "+msgRequired, "pin: "+msgRequired, "email: "+msgRequired,
			"latitude: "+msgRequired, "longitude: "+msgRequired)

		r = s.do(req{Method: "POST", Path: pathRegister, Body: map[string]any{
			"username": testNIK(1), "pin": "150590", "email": "nope", "latitude": -6.2},
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "pin: PIN must not use the date of birth", "email: is not a valid email address", "longitude: is required")
	})
}

// Fields a partner must not set (ktp, application_xid, status, ...) and
// unknown fields are ignored, never applied (errata 5).
func TestRegisterIgnoresUnknownAndProtectedFields(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	b := regBody(testNIK(1), "mass@example.com")
	b["ktp"] = "3171011505900009"
	b["application_xid"] = 1234567890
	b["status"] = 190
	b["application_status"] = "LIMIT_READY_TO_USE"
	b["partner_id"] = 99
	b["nik"] = "3171011505900009"
	b["favourite_colour"] = map[string]any{"nested": []any{1, 2}}
	var d registered
	s.do(req{Method: "POST", Path: pathRegister, Body: b}).expect(t, http.StatusCreated).decodeData(t, &d)
	if d.KTP != testNIK(1) || d.XID == 1234567890 || d.Email != "mass@example.com" {
		t.Fatalf("data %+v", d)
	}
	var status int
	s.query(t, `SELECT status FROM applications`, nil, &status)
	nik := customerOf(t, s, testNIK(1)).NIK
	if status != 100 || nik != testNIK(1) {
		t.Fatalf("stored status %d nik %s", status, nik)
	}
}

// A NIK sent as a JSON number keeps every digit (numbers where text belongs
// are accepted, as Django REST Framework does), even above 2^53.
func TestRegisterNIKAsJSONNumberKeepsDigits(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.do(req{Method: "POST", Path: pathRegister, ContentType: "application/json",
		Body: `{"username": 9171011505900001, "pin": 159357, "email": "number@example.com", "latitude": -6.2, "longitude": 106.8}`})
	var d registered
	r.expect(t, http.StatusCreated).decodeData(t, &d)
	if d.KTP != "9171011505900001" {
		t.Fatalf("ktp %q, want 9171011505900001", d.KTP)
	}
}
