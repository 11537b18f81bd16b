package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks 1.0 (https://www.standardwebhooks.com), the form of
// our callbacks to partners. A message has three headers:
//
//	webhook-id:        the message's id (our event id)
//	webhook-timestamp: unix seconds of the attempt
//	webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
//
// where key is the secret's bytes: the secret is written "whsec_" +
// base64(key). During a rotation the header carries one signature per
// secret, separated by spaces; a receiver accepts the message when any of
// them matches one of its secrets. The vendors' callbacks keep their own
// form (Sign, Verify).

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// secretBytes is the size of a new secret's key.
const secretBytes = 32

// ErrSecret is DecodeSecret's error for text that is not a secret.
var ErrSecret = errors.New(`webhook: not a signing secret ("whsec_" + base64 of 24 to 64 bytes)`)

// NewSecret returns a new signing secret made of 32 bytes of r, and its
// key.
func NewSecret(r io.Reader) (secret string, key []byte, err error) {
	key = make([]byte, secretBytes)
	if _, err := io.ReadFull(r, key); err != nil {
		return "", nil, err
	}
	return EncodeSecret(key), key, nil
}

// EncodeSecret writes key as a secret: "whsec_" + standard base64.
func EncodeSecret(key []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// DecodeSecret returns the key of a secret ("whsec_" + base64; the prefix
// may be left out, as the specification allows).
func DecodeSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) < 24 || len(key) > 64 {
		return nil, ErrSecret
	}
	return key, nil
}

// Signature returns the webhook-signature header of a message: one
// "v1,<base64>" per key, in the order given, separated by spaces.
func Signature(id string, t time.Time, body []byte, keys ...[]byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, "v1,"+standardMAC(k, id, ts, body))
	}
	return strings.Join(parts, " ")
}

// Headers returns the three Standard Webhooks headers of a message sent at
// t, signed with every key.
func Headers(id string, t time.Time, body []byte, keys ...[]byte) map[string]string {
	return map[string]string{
		"webhook-id":        id,
		"webhook-timestamp": strconv.FormatInt(t.Unix(), 10),
		"webhook-signature": Signature(id, t, body, keys...),
	}
}

// VerifyMessage checks a message's headers against its body as a receiver
// does: the timestamp within tolerance of now and one v1 signature made by
// one of keys. Every failure is ErrSignature.
func VerifyMessage(keys [][]byte, id, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(keys) == 0 || id == "" || len(signature) > 4096 {
		return ErrSignature
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignature
	}
	ok := false
	for _, sig := range strings.Fields(signature) {
		v, mac, found := strings.Cut(sig, ",")
		if !found || v != "v1" {
			continue
		}
		for _, k := range keys {
			// No early exit: every pair is compared.
			if hmac.Equal([]byte(standardMAC(k, id, timestamp, body)), []byte(mac)) {
				ok = true
			}
		}
	}
	if !ok {
		return ErrSignature
	}
	return nil
}

func standardMAC(key []byte, id, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, id+"."+ts+".")
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
