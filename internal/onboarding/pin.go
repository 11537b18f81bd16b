package onboarding

import (
	"github.com/julo-partnership/julo/internal/i18n"
)

// commonPINs are 6-digit PINs that appear at the top of leaked-PIN lists and are
// not caught by the pattern rules. 159357 and 111222 are deliberately absent: the
// partner documentation uses them as examples of accepted PINs.
var commonPINs = map[string]bool{
	"123321": true, "321654": true, "147258": true, "147369": true, "258369": true,
	"369258": true, "741852": true, "852741": true, "963852": true, "520131": true,
	"520520": true, "131420": true, "123654": true, "456654": true, "123789": true,
	"789123": true, "147852": true, "258456": true, "654123": true, "102030": true,
	"100200": true, "112358": true, "142536": true, "198964": true, "010203": true,
}

// PINWeaknesses returns every rule of domain §5 that pin breaks, in a stable order
// without repeats; nil means the PIN is strong. nik may be the zero NIK when the
// NIK itself is invalid: the rules that need it are then skipped.
func PINWeaknesses(pin string, nik NIK) []i18n.Msg {
	if len(pin) != 6 || !allDigits(pin) {
		return []i18n.Msg{i18n.PINFormat}
	}
	var out []i18n.Msg
	if nik.Number != "" && usesBirthDate(pin, nik) {
		out = append(out, i18n.PINBirthDate)
	}
	if repeatedOrSequential(pin) {
		out = append(out, i18n.PINPattern)
	}
	if commonPINs[pin] {
		out = append(out, i18n.PINCommon)
	}
	if nik.Number != "" && pin == nik.Number[10:] {
		out = append(out, i18n.PINNIKTail)
	}
	return out
}

// usesBirthDate: any ordering of the DD, MM and YY chunks, both as written in the
// NIK (DD+40 for women) and as the real day of birth.
func usesBirthDate(pin string, nik NIK) bool {
	dd, mm, yy := nik.Number[6:8], nik.Number[8:10], nik.Number[10:12]
	days := []string{dd}
	if real := nik.BirthDate.Format("02"); real != dd {
		days = append(days, real)
	}
	for _, d := range days {
		for _, p := range [][3]string{{d, mm, yy}, {d, yy, mm}, {mm, d, yy}, {mm, yy, d}, {yy, d, mm}, {yy, mm, d}} {
			if pin == p[0]+p[1]+p[2] {
				return true
			}
		}
	}
	return false
}

// repeatedOrSequential: all digits equal, ababab, abcabc, aabbcc, or six
// consecutive ascending or descending digits.
func repeatedOrSequential(p string) bool {
	switch {
	case p[0] == p[2] && p[2] == p[4] && p[1] == p[3] && p[3] == p[5]: // ababab, incl. aaaaaa
		return true
	case p[0:3] == p[3:6]: // abcabc
		return true
	case p[0] == p[1] && p[2] == p[3] && p[4] == p[5]: // aabbcc
		return true
	}
	up, down := true, true
	for i := 1; i < 6; i++ {
		up = up && p[i] == p[i-1]+1
		down = down && p[i] == p[i-1]-1
	}
	return up || down
}
