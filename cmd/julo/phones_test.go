package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
)

// docWith is the documentation's complete-data body with changes (nil
// removes a field).
func docWith(changes map[string]any) map[string]any {
	m := map[string]any{}
	json.Unmarshal([]byte(docCompleteBody), &m)
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// Every phone refusal a partner sees names its field and the rule the number
// broke, in Indonesian and in English; a refused request stores nothing.
func TestPhoneRulesTellPartnersWhichRuleFailed(t *testing.T) {
	s := startServer(t, nil)
	xid := s.readyApplication(t, docNIK, "phones@test.com", "085330838909")
	patch := func(t *testing.T, changes map[string]any, lang string) response {
		return s.forT(t).do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: docWith(changes),
			Header: map[string]string{"Accept-Language": lang}})
	}
	for name, tc := range map[string]struct {
		changes map[string]any
		lang    string
		want    string
	}{
		"a mobile of 14 digits": {map[string]any{"mobile_phone_2": "08123456789012"}, "id",
			"mobile_phone_2: harus nomor ponsel Indonesia: nomor ini 14 digit, nomor ponsel 10-13 digit dalam bentuk 08…"},
		"the unallocated 084x": {map[string]any{"kin_mobile_phone": "0841-2345-6789"}, "id",
			"kin_mobile_phone: harus nomor ponsel Indonesia: awalan 0841 tidak dialokasikan untuk operator seluler"},
		"a toll-free number as a mobile": {map[string]any{"spouse_mobile_phone": "08001234567"}, "en",
			"spouse_mobile_phone: must be an Indonesian mobile number: the prefix 0800 is a service number (toll-free, premium or call centre), not a mobile number"},
		"a landline as a mobile": {map[string]any{"kin_mobile_phone": "(021) 5365-3232"}, "id",
			"kin_mobile_phone: harus nomor ponsel Indonesia: 02153653232 adalah nomor telepon tetap (kode area 021), bukan nomor ponsel"},
		"another country's mobile": {map[string]any{"close_kin_mobile_phone": "+65 8123 4567"}, "en",
			"close_kin_mobile_phone: must be an Indonesian mobile number: +65 is another country's code (Indonesia is +62)"},
		"letters in a mobile": {map[string]any{"mobile_phone_2": "0812-3456-789O"}, "en",
			"mobile_phone_2: must be an Indonesian mobile number: only digits, spaces, dashes, dots, parentheses and a leading + may be used"},
		"a mobile as the office phone": {map[string]any{"company_phone_number": "+62 812-3456-7890"}, "id",
			"company_phone_number: harus nomor telepon kantor, bukan nomor ponsel: 081234567890 adalah nomor ponsel"},
		"no such area code": {map[string]any{"company_phone_number": "020 1234 5678"}, "en",
			"company_phone_number: must be an office phone number: 02012345678 does not start with an Indonesian area code (e.g. 021 Jakarta, 0274 Yogyakarta)"},
		"a landline too short": {map[string]any{"company_phone_number": "0274 1234"}, "id",
			"company_phone_number: harus nomor telepon kantor: nomor ini 8 digit, telepon tetap 9-12 digit termasuk kode area"},
		"a landline too long": {map[string]any{"company_phone_number": "0274 1234 56789"}, "en",
			"company_phone_number: must be an office phone number: this one has 13 digits, a landline has 9-12 digits with its area code"},
		"a short toll-free number": {map[string]any{"company_phone_number": "0800 12"}, "id",
			"company_phone_number: harus nomor telepon kantor: 080012 bukan nomor bebas pulsa yang valid (0800 diikuti 5-7 digit)"},
		"a long call-centre number": {map[string]any{"company_phone_number": "1500 8888"}, "en",
			"company_phone_number: must be an office phone number: 15008888 is not a valid call-centre number (1500 or 1300 and 3 more digits)"},
		"a shared-cost number": {map[string]any{"company_phone_number": "0804 1 500 888"}, "id",
			"company_phone_number: harus nomor telepon kantor: awalan 0804 bukan telepon tetap, bebas pulsa 0800 atau call center 1500/1300"},
		"a short code": {map[string]any{"company_phone_number": "14000"}, "en",
			"company_phone_number: must be an office phone number: a landline with its area code (e.g. 021…, 0274…), a toll-free 0800… or a call-centre 1500…/1300… number"},
	} {
		t.Run(name, func(t *testing.T) {
			r := patch(t, tc.changes, tc.lang).expect(t, 400, tc.want)
			if len(r.Errors) != 1 || r.Errors[0] != tc.want {
				t.Errorf("errors %q, want exactly %q", r.Errors, tc.want)
			}
		})
	}
	// All phone problems of one request come back together.
	r := patch(t, map[string]any{"mobile_phone_2": "0841234567", "kin_mobile_phone": "0812345", "company_phone_number": "081234567890"}, "id").
		expect(t, 400, "mobile_phone_2: harus nomor ponsel Indonesia: awalan 0841", "kin_mobile_phone: harus nomor ponsel Indonesia: nomor ini 7 digit",
			"company_phone_number: harus nomor telepon kantor, bukan nomor ponsel")
	if len(r.Errors) != 3 {
		t.Errorf("errors %q", r.Errors)
	}
	if n := s.count("application_details"); n != 0 {
		t.Fatalf("refused submissions stored %d rows", n)
	}
	if st := s.status(t, xid); st["application_status_code"] != 100.0 {
		t.Fatalf("status moved: %v", st)
	}

	// The OTP send and the sandbox outbox say the same.
	s.sendOTP(xid, "0841 2345 6789").expect(t, 400, "phone: harus nomor ponsel Indonesia: awalan 0841 tidak dialokasikan untuk operator seluler")
	s.sendOTP(xid, "08123456789012").expect(t, 400, "phone: harus nomor ponsel Indonesia: nomor ini 14 digit")
	s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=021-5365-3232", Header: map[string]string{"Accept-Language": "en"}}).
		expect(t, 400, "phone: must be an Indonesian mobile number: 02153653232 is a landline (area code 021), not a mobile number")
	if n := s.count("otp_codes"); n != 1 {
		t.Fatalf("%d codes: refused sends stored one", n)
	}
}

// company_phone_number takes what companies publish: a landline with its
// area code, a toll-free 0800 number or a 1500/1300 call centre, and stores
// it in its national form; a 13-digit mobile is the longest accepted.
func TestOfficePhonesCompaniesPublishAreAccepted(t *testing.T) {
	s := startServer(t, nil)
	for i, tc := range []struct{ office, stored, mobile2, mobile2Stored string }{
		{"(0274) 512-345", "0274512345", "+62 895-1234-56789", "0895123456789"},
		{"0800 1 500 888", "08001500888", "", ""},
		{"1500-888", "1500888", "", ""},
		{"1300 123", "1300123", "", ""},
		// The partner documentation's table example, shorter than Jakarta
		// numbers are: accepted as sent, so partners who copy it are not refused.
		{"021123456", "021123456", "", ""},
	} {
		t.Run(tc.office, func(t *testing.T) {
			s := s.forT(t)
			nik := fmt.Sprintf("31730501019200%02d", i+11)
			xid := s.readyApplication(t, nik, fmt.Sprintf("office%d@test.com", i), "085330838909")
			changes := map[string]any{"company_phone_number": tc.office}
			if tc.mobile2 != "" {
				changes["mobile_phone_2"] = tc.mobile2
			}
			r := s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: docWith(changes)}).expect(t, 200)
			var got map[string]any
			r.decodeData(t, &got)
			if got["company_phone_number"] != tc.stored {
				t.Errorf("company_phone_number = %v, want %s", got["company_phone_number"], tc.stored)
			}
			if tc.mobile2 != "" && got["mobile_phone_2"] != tc.mobile2Stored {
				t.Errorf("mobile_phone_2 = %v, want %s", got["mobile_phone_2"], tc.mobile2Stored)
			}
			var stored string
			if d := customerOf(t, s, nik).Applications[0].Details; d != nil && d.CompanyPhoneNumber != nil {
				stored = *d.CompanyPhoneNumber
			}
			if stored != tc.stored {
				t.Errorf("stored %q, want %q", stored, tc.stored)
			}
		})
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
