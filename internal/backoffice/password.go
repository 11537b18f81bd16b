package backoffice

import (
	"bufio"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters of operator passwords: OWASP's recommended minimum
// (19 MiB, 2 passes, 1 lane; OWASP Password Storage Cheat Sheet, 2024),
// written into every hash so that raising them keeps old hashes valid.
const (
	pwMemory  = 19 * 1024
	pwTime    = 2
	pwThreads = 1
	pwKeyLen  = 32
)

// Password rules of issue 15 item 2: at least 12 characters, not a common
// password. At most 256 (a hash of a megabyte is a denial of service).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// commonPasswords is a list of common passwords of 12 characters and more
// (the shorter ones fail the length rule anyway), one a line, compared
// case-insensitively: the long entries of two public lists of leaked
// passwords by frequency, both from SecLists
// (github.com/danielmiessler/SecLists, MIT License, (c) Daniel Miessler):
// 10-million-password-list-top-100000.txt and ignis-100K.txt (from
// github.com/ignis-sec/Pwdb-Public, MIT License, (c) Ata Hakçıl), and a
// hand-collected part with the lender's own words. The file's header says
// how they were filtered and carries both licences' notices; extend its
// hand-collected part freely.
//
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// CheckPassword returns the message id of the rule pw breaks for the
// operator email, or "".
func CheckPassword(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	low := strings.ToLower(pw)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case n < MinPasswordLen:
		return MsgPasswordTooShort
	case n > MaxPasswordLen:
		return MsgPasswordTooLong
	case commonPasswords[low] || oneRepeated(low):
		return MsgPasswordCommon
	case local != "" && strings.Contains(low, local) && len(local) >= 4:
		return MsgPasswordHasEmail
	}
	return ""
}

// oneRepeated: one character, or one short run of characters, repeated
// ("aaaaaaaaaaaa", "abcabcabcabc").
func oneRepeated(s string) bool {
	for k := 1; k <= 4 && k < len(s); k++ {
		if len(s)%k == 0 && strings.Repeat(s[:k], len(s)/k) == s {
			return true
		}
	}
	return false
}

// HashPassword returns the argon2id hash of pw in the PHC string format.
func HashPassword(r io.Reader, pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(r, salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(pw), salt, pwTime, pwMemory, pwThreads, pwKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, pwMemory, pwTime, pwThreads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// VerifyPassword checks pw against a hash of HashPassword.
func VerifyPassword(pw, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(pw) > 4*MaxPasswordLen {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the email is unknown, so that a
// login of an unknown email takes as long as one of a known one.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMDE"
