// Package i18n is the one catalogue of partner-facing messages. Indonesian is the
// default language; English is chosen with `Accept-Language: en`. Keeping every
// message here makes the wording consistent and reviewable in one place.
package i18n

import (
	"fmt"
	"slices"
	"strings"
)

// Lang is a supported language.
type Lang int

const (
	ID Lang = iota // Bahasa Indonesia, the default
	EN
)

// Tag is l's language tag (BCP 47), as an HTML lang attribute takes it.
func (l Lang) Tag() string {
	if l == EN {
		return "en"
	}
	return "id"
}

// FromAcceptLanguage picks the language from an Accept-Language header: the
// supported language (English or Indonesian) the caller ranks highest;
// Indonesian when the header names neither.
func FromAcceptLanguage(h string) Lang {
	best, bestQ := ID, 0.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				q = 0
			}
		}
		var l Lang
		switch {
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			l = EN
		case tag == "id" || strings.HasPrefix(tag, "id-"):
			l = ID
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// Msg identifies a message of the catalogue.
type Msg = string

// T renders message m in language l with fmt-style args. An unknown message id
// renders as the id itself, so a missing entry is visible rather than empty
// (a test asserts that every id used has an entry).
func T(l Lang, m Msg, args ...any) string {
	f := Format(l, m)
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// Format is the text of message m in language l before any args are
// applied (what T formats), for a caller that must escape the text but not
// its args, such as an HTML page whose args are markup. An unknown message
// id is returned as is, as T does.
func Format(l Lang, m Msg) string {
	e, ok := catalogue[m]
	if !ok {
		return string(m)
	}
	if l == EN {
		return e.en
	}
	return e.id
}

// texts are the catalogue's wording that is never an error: titles, page
// texts, documented success strings and SMS bodies. Every other message is
// an error code (see Codes).
var texts = map[Msg]bool{
	PreregTitle: true, StrongPINDocumented: true, ImageUploaded: true, OTPSMSText: true,
	BPJSPageTitle: true, BPJSPageHeading: true, BPJSPageEmail: true, BPJSPagePassword: true,
	BPJSPageSubmit: true, BPJSPageNote: true, BPJSPageClose: true, BPJSPageBadForm: true,
	BPJSPageSucceeded: true, BPJSPageFailed: true, BPJSPageTryAgain: true, BPJSPageReturn: true,
}

// IsCode reports whether m is an error code: a catalogue message that a
// failure answer can carry. The code of an error_details entry is its
// message id, so codes are snake_case, stable, and the same in every
// language; renaming a message is a change of the contract (the OpenAPI
// document lists every code, and a test holds the two together).
func IsCode(m Msg) bool { return Has(m) && !texts[m] }

// Codes lists every error code, sorted.
func Codes() []Msg {
	var out []Msg
	for m := range catalogue {
		if !texts[m] {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// Has reports whether m is in the catalogue.
func Has(m Msg) bool { _, ok := catalogue[m]; return ok }

// All lists every message id (for tests).
func All() []Msg {
	out := make([]Msg, 0, len(catalogue))
	for m := range catalogue {
		out = append(out, m)
	}
	return out
}

type entry struct{ id, en string }

// register adds a feature's messages to the catalogue (at init time only);
// each feature keeps its messages in its own catalogue_*.go file.
func register(m map[Msg]entry) {
	for k, v := range m {
		if _, dup := catalogue[k]; dup {
			panic("i18n: message " + string(k) + " registered twice")
		}
		catalogue[k] = v
	}
}
