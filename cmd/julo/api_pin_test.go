package main

import (
	"net/http"
	"testing"
)

// The documentation's check-strong-pin example (NIK 3203020101930001, PIN
// 159357) succeeds with data "Strong password" as the document shows it, in
// every language; the document's registration PIN 111222 is strong too.
func TestCheckStrongPINDocExamples(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.unchanged(t, func() {
		r := s.do(req{Method: "POST", Path: pathPIN, ContentType: "application/json",
			Body: `{"nik": "3203020101930001", "pin": "159357"}`}).expect(t, http.StatusOK)
		if string(r.Data) != `"Strong password"` {
			t.Fatalf("data %s, want \"Strong password\"", r.Data)
		}
		r = s.do(req{Method: "POST", Path: pathPIN + "/", ContentType: "application/json",
			Body:   `{"nik": "3203020101930001", "pin": "159357"}`,
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusOK)
		if string(r.Data) != `"Strong password"` {
			t.Fatalf("data %s, want \"Strong password\"", r.Data)
		}
		r = s.do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": "3203020101930001", "pin": "111222"}}).expect(t, http.StatusOK)
		if string(r.Data) != `"`+msgPINStrong+`"` {
			t.Fatalf("data %s", r.Data)
		}
	})
}

// Every weakness rule of domain §5 is reported with its message; a PIN that
// breaks several rules lists each; a strong one answers "Strong password".
func TestCheckStrongPINWeaknessRules(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	const (
		man   = "3203021505900002" // born 15-05-1990: DD 15, MM 05, YY 90; ends 900002
		woman = "3203025505900003" // born 15-05-1990, NIK day 55; ends 900003
	)
	birth, pattern, common, tail := "pin: "+msgPINBirthDate, "pin: "+msgPINPattern, "pin: "+msgPINCommon, "pin: "+msgPINNIKTail
	cases := []struct {
		name, nik, pin string
		want           []string // nil: strong
	}{
		// Every ordering of DD, MM, YY.
		{"DD MM YY", man, "150590", []string{birth}},
		{"DD YY MM", man, "159005", []string{birth}},
		{"MM DD YY", man, "051590", []string{birth}},
		{"MM YY DD", man, "059015", []string{birth}},
		{"YY DD MM", man, "901505", []string{birth}},
		{"YY MM DD", man, "900515", []string{birth}},
		// A woman: the NIK's day (55) and the real day (15), in every order.
		{"woman NIK DD MM YY", woman, "550590", []string{birth}},
		{"woman NIK DD YY MM", woman, "559005", []string{birth}},
		{"woman NIK MM DD YY", woman, "055590", []string{birth}},
		{"woman NIK MM YY DD", woman, "059055", []string{birth}},
		{"woman NIK YY DD MM", woman, "905505", []string{birth}},
		{"woman NIK YY MM DD", woman, "900555", []string{birth}},
		{"woman real DD MM YY", woman, "150590", []string{birth}},
		{"woman real DD YY MM", woman, "159005", []string{birth}},
		{"woman real MM DD YY", woman, "051590", []string{birth}},
		{"woman real MM YY DD", woman, "059015", []string{birth}},
		{"woman real YY DD MM", woman, "901505", []string{birth}},
		{"woman real YY MM DD", woman, "900515", []string{birth}},
		// A man has no +40 day: 55 is not his birth date.
		{"man with day+40", man, "550590", nil},
		// Repeated and consecutive digits.
		{"all equal", man, "777777", []string{pattern}},
		{"all zeros", man, "000000", []string{pattern}},
		{"ababab", man, "484848", []string{pattern}},
		{"abcabc", man, "392392", []string{pattern}},
		{"aabbcc", man, "449977", []string{pattern}},
		{"ascending 234567", man, "234567", []string{pattern}},
		{"ascending 012345", man, "012345", []string{pattern}},
		{"ascending 123456", man, "123456", []string{pattern}},
		{"descending 876543", man, "876543", []string{pattern}},
		{"descending 654321", man, "654321", []string{pattern}},
		{"descending 987654", man, "987654", []string{pattern}},
		// Common PINs.
		{"common 123321", man, "123321", []string{common}},
		{"common 321654", man, "321654", []string{common}},
		{"common 147258", man, "147258", []string{common}},
		{"common 520131", man, "520131", []string{common}},
		{"common 147369", man, "147369", []string{common}},
		{"common 741852", man, "741852", []string{common}},
		// The last six digits of the NIK.
		{"NIK tail", man, "900002", []string{tail}},
		{"woman's NIK tail", woman, "900003", []string{tail}},
		// Several rules at once: each is listed.
		{"common and abcabc", man, "520520", []string{pattern, common}},
		{"birth date and all equal", "3203021111110001", "111111", []string{birth, pattern}},
		{"ascending and NIK tail", "3203021505123456", "123456", []string{pattern, tail}},
		{"birth date, all equal and NIK tail", "3203021111111111", "111111", []string{birth, pattern, tail}},
		// Strong PINs.
		{"strong", man, "159357", nil},
		{"strong 604173", woman, "604173", nil},
		{"almost ascending", man, "123457", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": c.nik, "pin": c.pin}})
				if c.want == nil {
					r.expect(t, http.StatusOK)
					if string(r.Data) != `"`+msgPINStrong+`"` {
						t.Fatalf("data %s", r.Data)
					}
					return
				}
				r.expect(t, http.StatusBadRequest)
				expectErrors(t, r, c.want...)
			})
		})
	}
	// 123123 is in the document's list of common PINs (and is abcabc).
	s.do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": man, "pin": "123123"}}).expect(t, http.StatusBadRequest)
}

// The PIN is exactly 6 digits (errata 18, although the document says
// numbers(16)); the NIK must be valid; every problem is listed, in English
// with Accept-Language: en; nothing is ever a 500.
func TestCheckStrongPINFormatAndNIKErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	cases := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"5 digits", map[string]any{"nik": testNIK(1), "pin": "15935"}, []string{"pin: " + msgPINFormat}},
		{"7 digits", map[string]any{"nik": testNIK(1), "pin": "1593571"}, []string{"pin: " + msgPINFormat}},
		{"16 digits", map[string]any{"nik": testNIK(1), "pin": "1593571593571593"}, []string{"pin: " + msgPINFormat}},
		{"letters", map[string]any{"nik": testNIK(1), "pin": "abcdef"}, []string{"pin: " + msgPINFormat}},
		{"PIN missing", map[string]any{"nik": testNIK(1)}, []string{"pin: " + msgRequired}},
		{"NIK missing", map[string]any{"pin": "159357"}, []string{"nik: " + msgRequired}},
		{"both missing", map[string]any{}, []string{"nik: " + msgRequired, "pin: " + msgRequired}},
		{"17-digit NIK", map[string]any{"nik": "32030215059000011", "pin": "159357"}, []string{"nik: " + msgNIKFormat}},
		{"non-numeric NIK", map[string]any{"nik": "NIK-3203021505900", "pin": "159357"}, []string{"nik: " + msgNIKFormat}},
		{"bad NIK and weak PIN", map[string]any{"nik": "32030215059000011", "pin": "123456"}, []string{"nik: " + msgNIKFormat, "pin: " + msgPINPattern}},
		{"PIN as a bool", map[string]any{"nik": testNIK(1), "pin": true}, []string{"pin: " + msgTypeString}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathPIN, Body: c.body, Invalid: c.name == "PIN as a bool"}).expect(t, http.StatusBadRequest)
				expectErrors(t, r, c.want...)
			})
		})
	}
	t.Run("English", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": "3203021111111111", "pin": "111111"},
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "pin: PIN must not use the date of birth", "pin: PIN must not use repeated or consecutive digits",
			"pin: PIN must not be the last 6 digits of the NIK")
		r = s.forT(t).do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": testNIK(1), "pin": "147258"},
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "pin: PIN is too common and easy to guess")
		r = s.forT(t).do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": "1", "pin": "1"},
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "nik: NIK must be exactly 16 digits", "pin: PIN must be exactly 6 digits")
	})
}
