package onboarding

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/julo-partnership/julo/internal/i18n"
)

var today = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func knownProvince(code string) bool { return code == "32" || code == "31" || code == "91" }

func TestParseNIKAcceptsValidNumbersAndDerivesBirthDateAndGender(t *testing.T) {
	for _, tc := range []struct {
		nik    string
		birth  string
		gender string
	}{
		{"3203020101930001", "1993-01-01", GenderMale},   // the documentation's NIK
		{"3203024101930001", "1993-01-01", GenderFemale}, // women: day + 40
		{"3171017112990123", "1999-12-31", GenderFemale}, // 71 = 31 + 40
		{"3171010101250001", "2025-01-01", GenderMale},   // this century when not in the future
		{"3171012411260001", "2026-11-24", GenderMale},   // born today
		{"3171012511260001", "1926-11-25", GenderMale},   // tomorrow in 2026 would be future: 1926
		{"3171012902000001", "2000-02-29", GenderMale},   // leap day
	} {
		n, p := ParseNIK(tc.nik, today, knownProvince)
		if p != nil {
			t.Fatalf("%s: %v", tc.nik, p.Msg)
		}
		if got := n.BirthDate.Format("2006-01-02"); got != tc.birth || n.Gender != tc.gender || n.Province != tc.nik[:2] {
			t.Errorf("%s: got %s %s %s, want %s %s", tc.nik, got, n.Gender, n.Province, tc.birth, tc.gender)
		}
	}
}

func TestParseNIKRefusesEachBrokenRule(t *testing.T) {
	for _, tc := range []struct {
		nik string
		msg i18n.Msg
	}{
		{"", i18n.NIKFormat},
		{"320302010193000", i18n.NIKFormat},   // 15 digits
		{"32030201019300011", i18n.NIKFormat}, // 17 digits
		{"32030201019300a1", i18n.NIKFormat},
		{"3203020101930001 ", i18n.NIKFormat},
		{"０２03020101930001", i18n.NIKFormat}, // full-width digits are not ASCII digits
		{"0203020101930001", i18n.NIKFormat}, // leading 0
		{"-203020101930001", i18n.NIKFormat},
		{"9903020101930001", i18n.NIKProvince},
		{"3200020101930001", i18n.NIKRegency},
		{"3203000101930001", i18n.NIKDistrict},
		{"3203020001930001", i18n.NIKDate}, // day 00
		{"3203023201930001", i18n.NIKDate}, // day 32
		{"3203024001930001", i18n.NIKDate}, // day 40 (0 for a woman)
		{"3203027201930001", i18n.NIKDate}, // day 72
		{"3203020100930001", i18n.NIKDate}, // month 00
		{"3203020113930001", i18n.NIKDate}, // month 13
		{"3203023002930001", i18n.NIKDate}, // 30 February
		{"3203022902930001", i18n.NIKDate}, // 29 February 1993
		{"3203023104930001", i18n.NIKDate}, // 31 April
		{"3203020101930000", i18n.NIKSerial},
	} {
		_, p := ParseNIK(tc.nik, today, knownProvince)
		if p == nil || p.Msg != tc.msg {
			t.Errorf("%q: got %v, want %s", tc.nik, p, tc.msg)
		}
	}
}

func FuzzParseNIK(f *testing.F) {
	for _, s := range []string{"3203020101930001", "3203024101930001", "", "0000000000000000", "9999999999999999", "32030229029300011", "٣٢٠٣٠٢٠١٠١٩٣٠٠٠١"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, p := ParseNIK(s, today, knownProvince)
		if p != nil {
			if n != (NIK{}) {
				t.Fatalf("a refused NIK returned data: %+v", n)
			}
			return
		}
		// Whatever is accepted is 16 ASCII digits and round-trips its birth date.
		if len(s) != 16 || !allDigits(s) || n.Number != s {
			t.Fatalf("accepted %q", s)
		}
		day := n.BirthDate.Day()
		if n.Gender == GenderFemale {
			day += 40
		}
		if got := s[6:8] + s[8:10] + s[10:12]; got != twoDigits(day)+n.BirthDate.Format("01")+n.BirthDate.Format("06") {
			t.Fatalf("%q: birth date %s does not match", s, n.BirthDate)
		}
		if age := today.Sub(n.BirthDate); age < 0 || age > 100*366*24*time.Hour {
			t.Fatalf("%q: age %v out of 0-99 years", s, age)
		}
	})
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func TestPINWeaknessesNamesEveryBrokenRule(t *testing.T) {
	man, _ := ParseNIK("3203020101930001", today, nil)   // born 1993-01-01
	woman, _ := ParseNIK("3203024512880042", today, nil) // born 1988-12-05, NIK day 45
	for _, tc := range []struct {
		pin  string
		nik  NIK
		want []i18n.Msg
	}{
		{"159357", man, nil}, // the documentation's strong PIN
		{"111222", man, nil}, // the documentation's registration PIN
		{"482915", man, nil},
		{"12345", man, []i18n.Msg{i18n.PINFormat}},
		{"1234567", man, []i18n.Msg{i18n.PINFormat}},
		{"12a456", man, []i18n.Msg{i18n.PINFormat}},
		{"", man, []i18n.Msg{i18n.PINFormat}},
		{"010193", man, []i18n.Msg{i18n.PINBirthDate}}, // DDMMYY
		{"930101", man, []i18n.Msg{i18n.PINBirthDate}},
		{"019301", man, []i18n.Msg{i18n.PINBirthDate}},
		{"051288", woman, []i18n.Msg{i18n.PINBirthDate}}, // real day
		{"451288", woman, []i18n.Msg{i18n.PINBirthDate}}, // NIK day
		{"881245", woman, []i18n.Msg{i18n.PINBirthDate}},
		{"000000", man, []i18n.Msg{i18n.PINPattern}},
		{"777777", man, []i18n.Msg{i18n.PINPattern}},
		{"121212", man, []i18n.Msg{i18n.PINPattern}},
		{"123123", man, []i18n.Msg{i18n.PINPattern}},
		{"112233", man, []i18n.Msg{i18n.PINPattern}},
		{"123456", man, []i18n.Msg{i18n.PINPattern}},
		{"654321", man, []i18n.Msg{i18n.PINPattern}},
		{"234567", man, []i18n.Msg{i18n.PINPattern}},
		{"876543", man, []i18n.Msg{i18n.PINPattern}},
		{"456789", man, []i18n.Msg{i18n.PINPattern}},
		{"123321", man, []i18n.Msg{i18n.PINCommon}},
		{"147258", man, []i18n.Msg{i18n.PINCommon}},
		{"520520", man, []i18n.Msg{i18n.PINPattern, i18n.PINCommon}},
		{"930001", man, []i18n.Msg{i18n.PINNIKTail}},
		{"880042", woman, []i18n.Msg{i18n.PINNIKTail}},
		{"010193", NIK{}, nil}, // no valid NIK: the NIK rules are skipped
	} {
		if got := PINWeaknesses(tc.pin, tc.nik); !slices.Equal(got, tc.want) {
			t.Errorf("PIN %s (NIK %s): got %v, want %v", tc.pin, tc.nik.Number, got, tc.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"example@test.com":                     "example@test.com",
		" Budi.Susanto@Gmail.COM ":             "budi.susanto@gmail.com",
		"a+tag@sub.example.co.id":              "a+tag@sub.example.co.id",
		"":                                     "",
		"budi":                                 "",
		"budi@":                                "",
		"@gmail.com":                           "",
		"budi@gmail":                           "",
		"budi@gmail..com":                      "",
		"budi@.gmail.com":                      "",
		"Budi <budi@gmail.com>":                "",
		"<budi@gmail.com>":                     "",
		"budi@gmail.com, x@y.com":              "",
		"budi@[127.0.0.1]":                     "",
		strings.Repeat("a", 65) + "@gmail.com": "",
	} {
		got, ok := NormalizeEmail(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for email, blocked := range map[string]bool{
		"a@yahoo.com": true, "a@yahoo.co.id": true, "a@ymail.com": true, "a@rocketmail.com": true,
		"a@hotmail.com": true, "a@gmail.com": false, "a@notyahoo.com": false, "a@test.com": false,
	} {
		if _, got := BlockedEmailDomain(email, DefaultBlockedEmailDomains); got != blocked {
			t.Errorf("BlockedEmailDomain(%q) = %v", email, got)
		}
	}
}

func FuzzNormalizeMobile(f *testing.F) {
	for _, s := range []string{"081234567899", "+6281234567899", "6281234567899", "+62 812-3456-7899", "021123456", "", "+", "62", "+62"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeMobile(s)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but returned %q", s, got)
			}
			return
		}
		if !strings.HasPrefix(got, "08") || len(got) < 10 || len(got) > 13 || !allDigits(got) {
			t.Fatalf("NormalizeMobile(%q) = %q", s, got)
		}
		// Normal forms are fixed points, and every accepted spelling of a
		// number maps to the same normal form.
		for _, alt := range []string{got, MobileE164(got), strings.TrimPrefix(MobileE164(got), "+")} {
			if again, ok := NormalizeMobile(alt); !ok || again != got {
				t.Fatalf("%q normalized to %q, but %q gives %q", s, got, alt, again)
			}
		}
		if !utf8.ValidString(got) {
			t.Fatal("invalid UTF-8")
		}
	})
}
