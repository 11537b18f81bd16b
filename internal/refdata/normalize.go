package refdata

import (
	"unicode"
	"unicode/utf8"
)

// Name matching for reference data.
//
// Names sent by partners are matched on a folded key: letters lower-cased,
// digits kept, everything else (spaces, punctuation, symbols) dropped, so
// "JawaBarat", "jawa-barat" and "JAWA  BARAT" all fold to "jawabarat".
// Non-ASCII letters and digits are kept (lower-cased); only separators go.

// foldKey returns the folded matching key of s.
func foldKey(s string) string {
	var buf [64]byte
	return string(appendFoldKey(buf[:0], s))
}

// appendFoldKey appends the folded key of s to dst and returns the result.
// With a dst backed by a stack array it does not allocate for ordinary
// names, which lets lookups run without allocating:
//
//	var buf [64]byte
//	k := appendFoldKey(buf[:0], name)
//	v, ok := m[string(k)] // the compiler does not copy for a map index
func appendFoldKey(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				dst = append(dst, c)
			case 'A' <= c && c <= 'Z':
				dst = append(dst, c+('a'-'A'))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}
