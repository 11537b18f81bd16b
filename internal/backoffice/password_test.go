package backoffice

import (
	"bufio"
	"strings"
	"testing"
	"unicode/utf8"
)

// The embedded list: every entry is lower-case, of 12 characters or more,
// listed once, and refused; it holds the public lists' entries (not only
// the hand-collected ones) and the lender's own words.
func TestCommonPasswordListIsWellFormedAndRefused(t *testing.T) {
	seen := map[string]int{}
	section := ""
	perSection := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "# --- ") {
			section = strings.TrimPrefix(line, "# --- ")
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		switch {
		case section == "":
			t.Fatalf("line %d: %q before the first section", n, line)
		case line != strings.TrimSpace(line) || line == "":
			t.Errorf("line %d: %q is not trimmed", n, line)
		case line != strings.ToLower(line):
			t.Errorf("line %d: %q is not lower-case", n, line)
		case !utf8.ValidString(line) || utf8.RuneCountInString(line) < MinPasswordLen:
			t.Errorf("line %d: %q is shorter than %d characters (or not UTF-8)", n, line, MinPasswordLen)
		case seen[line] != 0:
			t.Errorf("line %d: %q is listed on line %d too", n, line, seen[line])
		}
		seen[line] = n
		perSection[section]++
		// Refused as written and in another case.
		for _, pw := range []string{line, strings.ToUpper(line)} {
			if got := CheckPassword(pw, "ops@lender.example"); got != MsgPasswordCommon {
				t.Errorf("line %d: %q: %q, want %q", n, pw, got, MsgPasswordCommon)
			}
		}
	}
	if len(commonPasswords) != len(seen) {
		t.Errorf("%d entries loaded, %d in the file", len(commonPasswords), len(seen))
	}
	// The sections and their sizes, as the header counts them.
	for name, atLeast := range map[string]int{"1. SecLists 10-million-password-list-top-100000.txt": 400,
		"2. SecLists ignis-100K.txt": 1000, "3. Hand-collected": 40} {
		if perSection[name] < atLeast {
			t.Errorf("section %q: %d entries, want at least %d (%v)", name, perSection[name], atLeast, perSection)
		}
	}
}

// Entries of each public list (the SecLists ranking's and ignis's, in
// the case they were leaked in), keyboard walks and the lender's own
// words are refused; passphrases not on any list pass.
func TestCommonPasswordsRefusedStrongOnesPass(t *testing.T) {
	for _, pw := range []string{
		"1qaz2wsx3edc", "qwerty123456", "QAZWSXEDCRFV", // SecLists 10 million, top 100,000
		"startfinding", "Telechargement", "justinbieber", "Megaparol12345", // ignis-100K
		"JuloPassword", "pinjaman123456", "Bismillah1234", // hand-collected
	} {
		if got := CheckPassword(pw, "ops@lender.example"); got != MsgPasswordCommon {
			t.Errorf("%q: %q, want %q", pw, got, MsgPasswordCommon)
		}
	}
	for _, pw := range []string{
		"kopi tubruk di Menteng jam 7",
		"Ranjang-biru-melompat-31-kali",
		"correct horse battery",
		"a long enough secret phrase", // the console tests' operators'
		"twelve chars",
	} {
		if got := CheckPassword(pw, "ops@lender.example"); got != "" {
			t.Errorf("%q: %q, want it accepted", pw, got)
		}
	}
}
