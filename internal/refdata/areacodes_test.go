package refdata

import "testing"

func TestAreaCode(t *testing.T) {
	for n, want := range map[string]string{
		"02153653232": "021",  // Jakarta, a 2-digit code
		"0274512345":  "0274", // Yogyakarta
		"0778123456":  "0778", // Batam
		"0611234567":  "061",  // Medan
		"0967123456":  "0967", // Jayapura
		"0201234567":  "",     // no area 020
		"0300123456":  "",
		"081234567":   "", // a mobile prefix
		"2153653232":  "", // no trunk 0
		"0":           "",
		"":            "",
	} {
		code, places, ok := AreaCode(n)
		if code != want || ok != (want != "") || ok == (places == "") {
			t.Errorf("AreaCode(%q) = %q, %q, %v; want %q", n, code, places, ok, want)
		}
	}
	if _, places, _ := AreaCode("0274512345"); places != "Yogyakarta" {
		t.Errorf("0274 serves %q", places)
	}
}

// The table is well formed: codes of 2 or 3 digits after the trunk 0, none
// starting with 0 or 8 (mobile and service numbers), none the prefix of
// another (so a number has one area code), every one with its places.
func TestAreaCodeTable(t *testing.T) {
	if len(areaCodes) < 300 {
		t.Fatalf("only %d area codes", len(areaCodes))
	}
	for c, places := range areaCodes {
		if (len(c) != 2 && len(c) != 3) || c[0] == '0' || c[0] == '8' || places == "" {
			t.Errorf("bad entry %q: %q", c, places)
		}
		for _, d := range c {
			if d < '0' || d > '9' {
				t.Errorf("bad code %q", c)
			}
		}
		if len(c) == 3 {
			if _, dup := areaCodes[c[:2]]; dup {
				t.Errorf("%q has the prefix %q, also a code", c, c[:2])
			}
		}
	}
}
