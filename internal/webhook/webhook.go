// Package webhook signs and verifies HTTP callbacks: the vendors' callbacks
// to us, and ours to partners (Standard Webhooks 1.0, standard.go). A
// vendor's signature is the header value
//
//	t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// Verification checks the MAC in constant time and that the timestamp is
// within a skew of now, so a captured callback cannot be replayed later. It
// imports only the standard library.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// ErrSignature is returned by Verify for every failure: no secret, a
// malformed header, a stale or future timestamp, a wrong MAC. The caller
// cannot learn which, and neither can an attacker.
var ErrSignature = errors.New("webhook: signature missing, malformed, stale or wrong")

// Sign returns the signature header of body at time t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

// Verify checks header against body and secret, and that its timestamp is
// at most skew away from now.
func Verify(secret []byte, header string, body []byte, now time.Time, skew time.Duration) error {
	if len(secret) == 0 || len(header) > 512 {
		return ErrSignature
	}
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return ErrSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > skew || d < -skew {
		return ErrSignature
	}
	if !hmac.Equal([]byte(mac(secret, ts, body)), []byte(sig)) {
		return ErrSignature
	}
	return nil
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, ts+".")
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
