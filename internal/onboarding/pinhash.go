package onboarding

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
// They are written into every hash, so raising them later keeps old hashes valid.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// hashPIN returns an argon2id hash of the PIN peppered with the current PIN key,
// in the PHC string format, and the pepper's key id. Concurrent hashes are
// bounded so that a burst of registrations cannot exhaust memory.
func (s *Service) hashPIN(ctx context.Context, pin string) (string, string, error) {
	select {
	case s.hashes <- struct{}{}:
		defer func() { <-s.hashes }()
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
	salt := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, salt); err != nil {
		return "", "", err
	}
	id := s.keys.PINPepper.Current
	sum := argon2.IDKey(pepper(s.keys.PINPepper.Keys[id], pin), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), id, nil
}

// verifyPIN checks pin against a hash made by hashPIN with pepper key keyID.
func (s *Service) verifyPIN(pin, hash, keyID string) bool {
	key, ok := s.keys.PINPepper.Keys[keyID]
	if !ok {
		return false
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey(pepper(key, pin), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func pepper(key []byte, pin string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(pin))
	return m.Sum(nil)
}
