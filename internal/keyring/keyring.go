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
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
		b, err := readKeyFile(p, production)
		if err != nil {
			return onboarding.Keys{}, err
		}
		return Parse(b)
	}
	if production {
		return onboarding.Keys{}, errors.New("production needs its keys: set JULO_KEYS_FILE (or JULO_KEYS) to a key file; `julo keys generate` prints a new one")
	}
	return loadOrCreate(filepath.Join(dataDir, "keys.json"))
}

// readKeyFile reads the key file at path. In production it refuses a file
// that its owner's group or anyone else may read or write: the keys open
// every PIN hash, partner secret and lookup. The mode is read from the open
// file, so that it is the mode of the bytes read.
func readKeyFile(path string, production bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading JULO_KEYS_FILE: %w", err)
	}
	defer f.Close()
	if production {
		info, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("reading JULO_KEYS_FILE: %w", err)
		}
		if open := openToOthers(info); open != 0 {
			return nil, fmt.Errorf("JULO_KEYS_FILE %s is open to group or others (mode %04o): production refuses a key file anyone but its owner may read; "+
				"run chmod 600 %s (on Kubernetes: defaultMode: 0400 on the secret volume)", path, info.Mode().Perm(), path)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("reading JULO_KEYS_FILE: %w", err)
	}
	return b, nil
}

// openToOthers is the group and other permission bits of a file (0 on
// Windows, whose modes do not say who may read a file).
func openToOthers(info fs.FileInfo) fs.FileMode {
	if runtime.GOOS == "windows" {
		return 0
	}
	return info.Mode().Perm() & 0o077
}

// Warnings are what an operator should fix about where the keys are kept,
// though the server may run: in production, a key file inside the data dir
// (a copy of the data dir, a backup, a snapshot or a stolen volume, then
// holds the keys with the data they protect); in the sandbox, a
// JULO_KEYS_FILE open to others (production refuses it, see Load).
func Warnings(production bool, dataDir string, getenv func(string) string) []string {
	path := getenv("JULO_KEYS_FILE")
	if path == "" || getenv("JULO_KEYS") != "" { // JULO_KEYS wins: the file is not read
		return nil
	}
	var out []string
	if production && inside(dataDir, path) {
		out = append(out, fmt.Sprintf("the key file JULO_KEYS_FILE=%s is inside the data dir %s: a copy of the data dir (a backup, a snapshot, a lost volume) "+
			"would hold the keys together with the data they protect; keep the key file outside it", path, dataDir))
	}
	if info, err := os.Stat(path); err == nil && !production && openToOthers(info) != 0 {
		out = append(out, fmt.Sprintf("the key file JULO_KEYS_FILE=%s is open to group or others (mode %04o); production refuses it: run chmod 600 %s",
			path, info.Mode().Perm(), path))
	}
	return out
}

// inside reports whether path names a file under dir (symbolic links
// resolved where they exist).
func inside(dir, path string) bool {
	resolve := func(p string) string {
		abs, err := filepath.Abs(p)
		if err != nil {
			return filepath.Clean(p)
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			return real
		}
		return abs
	}
	rel, err := filepath.Rel(resolve(dir), resolve(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
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
