package onboarding

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySet is one versioned server secret. Current makes new hashes; every key
// in Keys still verifies what it made, so rotating adds a key and moves Current
// without locking anyone out.
type KeySet struct {
	Current string
	Keys    map[string][]byte
}

// Validate checks that Current exists and every key is at least 32 bytes.
func (k KeySet) Validate(name string) error {
	if k.Current == "" {
		return fmt.Errorf("key set %s: no current key", name)
	}
	if _, ok := k.Keys[k.Current]; !ok {
		return fmt.Errorf("key set %s: current key %q is missing", name, k.Current)
	}
	for id, b := range k.Keys {
		if len(b) < 32 {
			return fmt.Errorf("key set %s: key %q is shorter than 32 bytes", name, id)
		}
	}
	return nil
}

// Keys are the server-side secrets.
type Keys struct {
	PINPepper KeySet // mixed into every PIN hash
	Partner   KeySet // HMAC of partner secrets
	Lookup    KeySet // HMAC of values kept only for lookups (emails in the pre-register guard)
	OTP       KeySet // HMAC of OTP codes
	// Data seals data keys (envelope encryption of stored images; issue
	// 10 item 1's field encryption will use it too): AES-256, so each key
	// is exactly 32 bytes (keyring checks that).
	Data KeySet
}

// Validate checks every key set.
func (k Keys) Validate() error {
	return errors.Join(k.PINPepper.Validate("pin_pepper"), k.Partner.Validate("partner"),
		k.Lookup.Validate("lookup"), k.OTP.Validate("otp"), k.Data.Validate("data"))
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// macHex is the keyed hash with the current key of ks, and that key's id.
func macHex(ks KeySet, parts ...string) (hash, keyID string) {
	return hex.EncodeToString(mac(ks.Keys[ks.Current], parts...)), ks.Current
}

// macEqual verifies a stored hex hash made by key keyID.
func macEqual(ks KeySet, keyID, stored string, parts ...string) bool {
	key, ok := ks.Keys[keyID]
	if !ok {
		return false
	}
	want, err := hex.DecodeString(stored)
	if err != nil {
		return false
	}
	return hmac.Equal(want, mac(key, parts...))
}

// CallbackSecret is the secret a vendor signs its callbacks with when none
// is configured (the sandbox): an HMAC of "callback-secret:<vendor>" under
// the current lookup key, so that each vendor's differs and none is a
// constant of the code.
func (k Keys) CallbackSecret(vendor string) []byte {
	m := hmac.New(sha256.New, k.Lookup.Keys[k.Lookup.Current])
	m.Write([]byte("callback-secret:" + vendor))
	return m.Sum(nil)
}

// CallbackSecret is the service keys' CallbackSecret (the wiring of other
// vendors' callbacks, such as the disbursement provider's, uses it).
func (s *Service) CallbackSecret(vendor string) []byte { return s.keys.CallbackSecret(vendor) }
