package onboarding

import (
	"fmt"
	"testing"

	"github.com/julo-partnership/julo/internal/i18n"
)

// phoneCase is one number and what the check must make of it: the normal
// form when accepted, else the message of the rule that failed and its args.
type phoneCase struct {
	in   string
	want string
	msg  i18n.Msg
	args []any
}

func TestCheckMobile(t *testing.T) {
	for _, c := range []phoneCase{
		{in: "081234567899", want: "081234567899"},
		{in: "0812345601", want: "0812345601"}, // the documentation's 10-digit example
		{in: "6281234567899", want: "081234567899"},
		{in: "+6281234567899", want: "081234567899"},
		{in: "+62 812-3456-7899", want: "081234567899"},
		{in: "0812 3456 7899", want: "081234567899"},
		{in: "(0812) 34567899", want: "081234567899"},
		{in: " 0812.3456.7899 ", want: "081234567899"},
		{in: "0895123456789", want: "0895123456789"}, // 13 digits, the most
		{in: "085330838909", want: "085330838909"},
		{in: "08533038906", want: "08533038906"},
		{in: "0881234567", want: "0881234567"},

		{in: "08123456789012", msg: i18n.MobileLength, args: []any{14}}, // was accepted: now at most 13
		{in: "081234567890123", msg: i18n.MobileLength, args: []any{15}},
		{in: "081234567", msg: i18n.MobileLength, args: []any{9}},
		{in: "0841234567", msg: i18n.MobileUnassigned, args: []any{"0841"}},
		{in: "+62 848 1234 5678", msg: i18n.MobileUnassigned, args: []any{"0848"}},
		{in: "0801234567", msg: i18n.MobileUnassigned, args: []any{"0801"}},
		{in: "08001234567", msg: i18n.MobileIsService, args: []any{"0800"}},
		{in: "0809123456", msg: i18n.MobileIsService, args: []any{"0809"}},
		{in: "021123456", msg: i18n.MobilePrefix}, // not a valid landline either
		{in: "02153653232", msg: i18n.MobileIsLandline, args: []any{"02153653232", "021"}},
		{in: "+62 274 512345", msg: i18n.MobileIsLandline, args: []any{"0274512345", "0274"}},
		{in: "81234567899", msg: i18n.MobilePrefix}, // without the 0
		{in: "0081234567899", msg: i18n.MobilePrefix},
		{in: "1500888", msg: i18n.MobilePrefix},
		{in: "+6581234567", msg: i18n.MobileForeign, args: []any{65}}, // Singapore
		{in: "+44812345678", msg: i18n.MobileForeign, args: []any{44}},
		{in: "+0812345678", msg: i18n.MobilePrefix},
		{in: "08123456789a", msg: i18n.MobileChars},
		{in: "0812/3456/789", msg: i18n.MobileChars},
		{in: "", msg: i18n.MobileChars},
		{in: "++6281234567899", msg: i18n.MobileChars},
		{in: "０８１２３４５６７８９９", msg: i18n.MobileChars}, // full-width digits
	} {
		got, p := CheckMobile(c.in)
		checkPhone(t, "CheckMobile", c, got, p == nil, func() (string, []any) { return p.Msg, p.Args })
		if c.want != "" {
			if n, nok := NormalizeMobile(c.in); !nok || n != c.want {
				t.Errorf("NormalizeMobile(%q) = %q, %v", c.in, n, nok)
			}
		}
	}
	if got := MobileE164("081234567899"); got != "+6281234567899" {
		t.Errorf("MobileE164 = %q", got)
	}
}

func TestCheckOfficePhone(t *testing.T) {
	for _, c := range []phoneCase{
		{in: "02153653232", want: "02153653232"}, // the documentation's curl example
		{in: "021 5365 3232", want: "02153653232"},
		{in: "+62 21 5365323", want: "0215365323"},
		{in: "(021) 500-888", want: "021500888"}, // Jakarta's 500 numbers, 9 digits
		{in: "0274 512345", want: "0274512345"},
		{in: "027451234", want: "027451234"}, // 9 digits: a 4-digit area code and 5
		{in: "022 1234 5678", want: "02212345678"},
		{in: "0778 1234 5678", want: "077812345678"}, // Batam, 12 digits, the most
		{in: "0800 1 500 888", want: "08001500888"},
		{in: "0800123456", want: "0800123456"},
		{in: "1500888", want: "1500888"},
		{in: "1500-046", want: "1500046"},
		{in: "1300 123", want: "1300123"},

		{in: "021123456", want: "021123456"}, // the documentation's example: shorter than Jakarta numbers, accepted as sent
		{in: "0274 1234", msg: i18n.OfficeLength, args: []any{8}},
		{in: "02112345", msg: i18n.OfficeLength, args: []any{8}},
		{in: "0274 1234 56789", msg: i18n.OfficeLength, args: []any{13}},
		{in: "0211234567890", msg: i18n.OfficeLength, args: []any{13}},
		{in: "0201234567", msg: i18n.OfficeAreaCode, args: []any{"0201234567"}},
		{in: "0300 123 4567", msg: i18n.OfficeAreaCode, args: []any{"03001234567"}},
		{in: "081234567890", msg: i18n.OfficeIsMobile, args: []any{"081234567890"}},
		{in: "+62 812-3456-7899", msg: i18n.OfficeIsMobile, args: []any{"081234567899"}},
		{in: "0841234567", msg: i18n.OfficeServiceType, args: []any{"0841"}},
		{in: "0804 1 500 888", msg: i18n.OfficeServiceType, args: []any{"0804"}},
		{in: "0800 12", msg: i18n.OfficeTollFree, args: []any{"080012"}},
		{in: "15008888", msg: i18n.OfficeCallCentre, args: []any{"15008888"}},
		{in: "130012", msg: i18n.OfficeCallCentre, args: []any{"130012"}},
		{in: "14000", msg: i18n.OfficePrefix},
		{in: "2153653232", msg: i18n.OfficePrefix}, // without the 0
		{in: "0012345678", msg: i18n.OfficePrefix},
		{in: "+65 6123 4567", msg: i18n.OfficeForeign, args: []any{65}},
		{in: "021-5365-3232 ext 12", msg: i18n.OfficeChars},
		{in: "", msg: i18n.OfficeChars},
	} {
		got, p := CheckOfficePhone(c.in)
		checkPhone(t, "CheckOfficePhone", c, got, p == nil, func() (string, []any) { return p.Msg, p.Args })
	}
}

func checkPhone(t *testing.T, fn string, c phoneCase, got string, ok bool, problem func() (string, []any)) {
	t.Helper()
	if c.want != "" {
		if !ok || got != c.want {
			t.Errorf("%s(%q) = %q, ok %v; want %q", fn, c.in, got, ok, c.want)
		}
		return
	}
	if ok {
		t.Errorf("%s(%q) = %q accepted; want %s", fn, c.in, got, c.msg)
		return
	}
	msg, args := problem()
	if got != "" || msg != c.msg || fmt.Sprint(args) != fmt.Sprint(c.args) {
		t.Errorf("%s(%q) = %q, %s %v; want %s %v", fn, c.in, got, msg, args, c.msg, c.args)
	}
	if !i18n.Has(msg) {
		t.Errorf("%s: message %s is not in the catalogue", fn, msg)
	}
}

// An accepted office number is returned in a form that is accepted again as
// itself; a refusal always carries a catalogue message.
func FuzzCheckOfficePhone(f *testing.F) {
	for _, s := range []string{"02153653232", "+62 21 5365323", "0800 1 500 888", "1500888", "1300123", "021123456", "", "+", "62", "0", "1500"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, p := CheckOfficePhone(s)
		if p != nil {
			if got != "" || !i18n.Has(p.Msg) {
				t.Fatalf("CheckOfficePhone(%q) = %q, %v", s, got, p)
			}
			return
		}
		if len(got) < 7 || len(got) > 12 || !allDigits(got) {
			t.Fatalf("CheckOfficePhone(%q) = %q", s, got)
		}
		if again, p := CheckOfficePhone(got); p != nil || again != got {
			t.Fatalf("%q gave %q, which gives %q, %v", s, got, again, p)
		}
		if m, ok := NormalizeMobile(got); ok {
			t.Fatalf("%q is both an office phone and the mobile %q", got, m)
		}
	})
}
