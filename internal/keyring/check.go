package keyring

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// checkLabel is the fixed text whose HMAC under a key is that key's check
// value. It never changes: databases keep the values made with it.
const checkLabel = "julo key check v1"

// Check is one server key's check value: HMAC-SHA256(key, checkLabel) in
// hex. It tells whether two instances hold the same key without revealing
// the key, so a database can refuse an instance started with other keys.
type Check struct {
	Set   string // pin_pepper, partner, lookup, otp or data, as in the key file
	ID    string // the key's id in the key file
	Value string
}

// Checks returns the check value of every key in k, by set and id.
func Checks(k onboarding.Keys) []Check {
	sets := map[string]onboarding.KeySet{"pin_pepper": k.PINPepper, "partner": k.Partner, "lookup": k.Lookup, "otp": k.OTP, "data": k.Data}
	var out []Check
	for _, p := range purposes {
		ids := make([]string, 0, len(sets[p].Keys))
		for id := range sets[p].Keys {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			m := hmac.New(sha256.New, sets[p].Keys[id])
			m.Write([]byte(checkLabel))
			out = append(out, Check{Set: p, ID: id, Value: hex.EncodeToString(m.Sum(nil))})
		}
	}
	return out
}
