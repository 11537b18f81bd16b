package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestEveryMessageHasBothLanguagesWithMatchingVerbs(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0]*[0-9]*[vdsqxfg]`)
	for m, e := range catalogue {
		if strings.TrimSpace(e.id) == "" || strings.TrimSpace(e.en) == "" {
			t.Errorf("%s: a language is empty", m)
		}
		if a, b := verbs.FindAllString(e.id, -1), verbs.FindAllString(e.en, -1); strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("%s: verbs %v (id) vs %v (en)", m, a, b)
		}
	}
}

// Every Msg constant declared in the catalogue_*.go files has an entry.
func TestEveryDeclaredMessageIsInTheCatalogue(t *testing.T) {
	files, _ := filepath.Glob("catalogue*.go")
	var src []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	decl := regexp.MustCompile(`(?m)^\s+\w+\s+Msg = "(\w+)"`)
	n := 0
	for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
		n++
		if !Has(Msg(m[1])) {
			t.Errorf("message %q is declared but has no text", m[1])
		}
	}
	if n < 20 {
		t.Fatalf("found only %d declarations", n)
	}
}

func TestLanguageNegotiation(t *testing.T) {
	for h, want := range map[string]Lang{
		"": ID, "en": EN, "en-US": EN, "EN": EN, "id": ID, "id-ID,en;q=0.8": ID,
		"en;q=0.5,id;q=0.9": ID, "fr,en;q=0.9": EN, "en-GB,en;q=0.9": EN, "garbage;;": ID,
	} {
		if got := FromAcceptLanguage(h); got != want {
			t.Errorf("%q: got %v, want %v", h, got, want)
		}
	}
	if T(EN, NIKRegistered) != "NIK is already registered" || T(ID, NIKRegistered) != "NIK sudah terdaftar" {
		t.Fatal("message by language")
	}
	if ID.Tag() != "id" || EN.Tag() != "en" {
		t.Fatal("language tags")
	}
	if Format(EN, OTPWrong) != "wrong OTP code; %d tries left for this code" || Format(ID, "no_such_id") != "no_such_id" {
		t.Fatal("Format is not the text before args")
	}
}

// Codes are every message but the display texts: snake_case identifiers, no
// text among them, and the texts are all in the catalogue.
func TestCodesAreTheCatalogueWithoutItsTexts(t *testing.T) {
	codes := Codes()
	if len(codes)+len(texts) != len(catalogue) {
		t.Fatalf("%d codes + %d texts != %d messages", len(codes), len(texts), len(catalogue))
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	for _, c := range codes {
		if !snake.MatchString(c) || !IsCode(c) || texts[c] {
			t.Errorf("code %q", c)
		}
	}
	for m := range texts {
		if !Has(m) || IsCode(m) {
			t.Errorf("text %q", m)
		}
	}
	if !IsCode(OTPExpired) || IsCode(OTPSMSText) || IsCode("no_such_message") {
		t.Fatal("IsCode")
	}
}
