package onboarding

import (
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Gender values as the API spells them.
const (
	GenderMale   = "Pria"
	GenderFemale = "Wanita"
)

// NIK is a parsed Nomor Induk Kependudukan: PP KK CC DDMMYY SSSS.
type NIK struct {
	Number    string    // the 16 digits
	Province  string    // PP
	BirthDate time.Time // derived from DDMMYY (women: DD+40), UTC midnight
	Gender    string    // GenderMale or GenderFemale
}

// ParseNIK checks s against the NIK layout (domain §3) and derives the birth date
// and gender. today fixes the century (the one that makes the age 0-99 years) and
// provinceKnown says whether a 2-digit province code exists. It never panics,
// whatever s holds; on failure it returns the problem (without a field).
func ParseNIK(s string, today time.Time, provinceKnown func(code string) bool) (NIK, *julo.Problem) {
	if len(s) != 16 || !allDigits(s) || s[0] == '0' {
		return NIK{}, &julo.Problem{Msg: i18n.NIKFormat}
	}
	if provinceKnown != nil && !provinceKnown(s[0:2]) {
		return NIK{}, &julo.Problem{Msg: i18n.NIKProvince, Args: []any{s[0:2]}}
	}
	if s[2:4] == "00" {
		return NIK{}, &julo.Problem{Msg: i18n.NIKRegency}
	}
	if s[4:6] == "00" {
		return NIK{}, &julo.Problem{Msg: i18n.NIKDistrict}
	}
	day, month, yy := atoi2(s[6:8]), atoi2(s[8:10]), atoi2(s[10:12])
	gender := GenderMale
	if day > 40 {
		day -= 40
		gender = GenderFemale
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return NIK{}, &julo.Problem{Msg: i18n.NIKDate}
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	century := today.Year() / 100 * 100
	year := century + yy
	if !realDate(year, month, day) || time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).After(today) {
		year -= 100
	}
	if !realDate(year, month, day) {
		// 29 February of a year that is not a leap year in either century.
		return NIK{}, &julo.Problem{Msg: i18n.NIKDate}
	}
	if s[12:16] == "0000" {
		return NIK{}, &julo.Problem{Msg: i18n.NIKSerial}
	}
	return NIK{
		Number:    s,
		Province:  s[0:2],
		BirthDate: time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC),
		Gender:    gender,
	}, nil
}

func realDate(y, m, d int) bool {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Year() == y && int(t.Month()) == m && t.Day() == d
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// atoi2 converts two ASCII digits already checked by allDigits.
func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
