package julo

import (
	"testing"
	"unicode/utf8"
)

func TestIsUnsafeRuneRefusesControlAndDirectionCharacters(t *testing.T) {
	for _, tc := range []struct {
		r      rune
		unsafe bool
	}{
		{'a', false}, {' ', false}, {'é', false}, {'€', false}, {'…', false}, {'日', false}, {'😀', false},
		// Layout of multi-line text.
		{'\t', false}, {'\n', false}, {'\r', false},
		// Control characters: C0, DEL, C1.
		{0x00, true}, {0x07, true}, {0x0b, true}, {0x0c, true}, {0x1b, true}, {0x1f, true},
		{0x7f, true}, {0x80, true}, {0x85, true}, {0x9f, true}, {0xa0, false},
		// Text direction: marks, embeddings and overrides, isolates.
		{'\u200d', false}, {'\u200e', true}, {'\u200f', true}, {'\u2010', false},
		{'\u2029', false}, {'\u202a', true}, {'\u202b', true}, {'\u202c', true}, {'\u202d', true}, {'\u202e', true}, {'\u202f', false},
		{'\u2065', false}, {'\u2066', true}, {'\u2067', true}, {'\u2068', true}, {'\u2069', true}, {'\u206a', false},
		// What stands for bytes that were not UTF-8.
		{utf8.RuneError, true},
	} {
		if got := IsUnsafeRune(tc.r); got != tc.unsafe {
			t.Errorf("IsUnsafeRune(%U) = %v, want %v", tc.r, got, tc.unsafe)
		}
	}
}

func TestSafeText(t *testing.T) {
	for s, safe := range map[string]bool{
		"":                         true,
		"Budi Santoso":             true,
		"Jl. Merdeka\n\tRT 01\r\n": true,
		"a\x00b":                   false,
		"a\u0085b":                 false,
		"a\u202eb":                 false,
		"a\u2066b":                 false,
		"a\u200eb":                 false,
		"ok\xff\xfe":               false, // not UTF-8
		"a\ufffdb":                 false,
	} {
		if got := SafeText(s); got != safe {
			t.Errorf("SafeText(%q) = %v, want %v", s, got, safe)
		}
	}
}
