// Package keyring loads the server-side keys (PIN pepper, HMAC keys). In the
// sandbox it generates them into the data dir on first use; in production it
// reads them from the environment or a key file and refuses to run without.
package keyring

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// File is the JSON form of the keys: for each purpose, the current key id and
// every key (base64, 32 bytes or more). Rotate by adding a key and moving
// "current"; keep old keys for as long as hashes made with them exist.
//
//	{"pin_pepper": {"current": "k2", "keys": {"k1": "...", "k2": "..."}}, "partner": {...}, "lookup": {...}, "otp": {...}}
type File map[string]setJSON

type setJSON struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
}

var purposes = []string{"pin_pepper", "partner", "lookup", "otp"}

// Parse decodes and validates a key file.
func Parse(b []byte) (onboarding.Keys, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return onboarding.Keys{}, fmt.Errorf("key file: %w", err)
	}
	sets := map[string]*onboarding.KeySet{}
	var k onboarding.Keys
	sets["pin_pepper"], sets["partner"], sets["lookup"], sets["otp"] = &k.PINPepper, &k.Partner, &k.Lookup, &k.OTP
	for _, p := range purposes {
		js, ok := f[p]
		if !ok {
			return k, fmt.Errorf("key file: no %q keys", p)
		}
		set := sets[p]
		set.Current, set.Keys = js.Current, map[string][]byte{}
		for id, v := range js.Keys {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return k, fmt.Errorf("key file: %s key %q is not base64", p, id)
			}
			set.Keys[id] = b
		}
	}
	return k, k.Validate()
}

// Load returns the keys. In production they come from JULO_KEYS (the JSON
// itself) or JULO_KEYS_FILE (its path), and their absence is an error. In the
// sandbox, dataDir/keys.json is used and created on first use.
func Load(production bool, dataDir string, getenv func(string) string) (onboarding.Keys, error) {
	if v := getenv("JULO_KEYS"); v != "" {
		return Parse([]byte(v))
	}
	if p := getenv("JULO_KEYS_FILE"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return onboarding.Keys{}, fmt.Errorf("reading JULO_KEYS_FILE: %w", err)
		}
		return Parse(b)
	}
	if production {
		return onboarding.Keys{}, errors.New("production needs its keys: set JULO_KEYS_FILE (or JULO_KEYS) to a key file; `julo keys generate` prints a new one")
	}
	return loadOrCreate(filepath.Join(dataDir, "keys.json"))
}

func loadOrCreate(path string) (onboarding.Keys, error) {
	if b, err := os.ReadFile(path); err == nil {
		return Parse(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return onboarding.Keys{}, err
	}
	b, err := Generate()
	if err != nil {
		return onboarding.Keys{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return onboarding.Keys{}, err
	}
	// Write a temp file and hard-link it into place: the link fails if another
	// process created the file meanwhile, and then everyone uses that one.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return onboarding.Keys{}, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return onboarding.Keys{}, err
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return onboarding.Keys{}, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return onboarding.Keys{}, err
	}
	if b, err = os.ReadFile(path); err != nil {
		return onboarding.Keys{}, err
	}
	return Parse(b)
}

// Generate makes a new key file with one random 32-byte key per purpose.
func Generate() ([]byte, error) {
	id := "k" + time.Now().UTC().Format("20060102")
	f := File{}
	for _, p := range purposes {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		f[p] = setJSON{Current: id, Keys: map[string]string{id: base64.StdEncoding.EncodeToString(b)}}
	}
	return json.MarshalIndent(f, "", "  ")
}
