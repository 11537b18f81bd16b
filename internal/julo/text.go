package julo

import "unicode"

// IsUnsafeRune reports whether r is a character that no text we accept or
// store may hold. It is the one rule for text, whether a request field is
// refused for it or a vendor's message is cleaned of it:
//
//   - control characters (NUL and the rest of C0, DEL, C1), which some
//     databases cannot store and which hide in logs and displays; tab, line
//     feed and carriage return are not unsafe: they are the layout of
//     multi-line text (an address);
//   - the text-direction characters, which make text display other than it
//     reads: the marks U+200E and U+200F, the embeddings and overrides
//     U+202A-U+202E and the isolates U+2066-U+2069;
//   - U+FFFD, the replacement character, which stands for bytes that were
//     not UTF-8 (a decoder substituted it, or ranging over the string did).
func IsUnsafeRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case unicode.IsControl(r):
		return true
	case r == '\u200e' || r == '\u200f',
		r >= '\u202a' && r <= '\u202e',
		r >= '\u2066' && r <= '\u2069':
		return true
	case r == unicode.ReplacementChar:
		return true
	}
	return false
}

// SafeText reports whether s holds no unsafe rune (see IsUnsafeRune); s that
// is not valid UTF-8 is not safe.
func SafeText(s string) bool {
	for _, r := range s {
		if IsUnsafeRune(r) {
			return false
		}
	}
	return true
}
