// Package keyring loads the server-side keys (PIN pepper, HMAC keys). In the
// sandbox it generates them into the data dir on first use; in production it
// reads them from the environment or a key file and refuses to run without.
package keyring

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
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
//	{"pin_pepper": {"current": "k2", "keys": {"k1": "...", "k2": "..."}}, "partner": {...}, "lookup": {...}, "otp": {...}, "data": {...}}
//
// The data keys are AES-256 keys (exactly 32 bytes) that seal the per-object
// data keys of stored images: the current one seals, every one listed still
// opens what it sealed, so keep an old data key for as long as anything
// sealed with it is stored.
type File map[string]setJSON

type setJSON struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
}

var purposes = []string{"pin_pepper", "partner", "lookup", "otp", "data"}

// dataKeySize is the size of every data key: AES-256.
const dataKeySize = 32

// Parse decodes and validates a key file.
func Parse(b []byte) (onboarding.Keys, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return onboarding.Keys{}, fmt.Errorf("key file: %w", err)
	}
	sets := map[string]*onboarding.KeySet{}
	var k onboarding.Keys
	sets["pin_pepper"], sets["partner"], sets["lookup"], sets["otp"], sets["data"] = &k.PINPepper, &k.Partner, &k.Lookup, &k.OTP, &k.Data
	for _, p := range purposes {
		js, ok := f[p]
		if !ok && p == "data" {
			return k, errors.New(`key file: no "data" keys (they seal stored images; key files made before they existed lack them): ` +
				`add a "data" set like the one ` + "`julo keys generate`" + ` prints, keeping the other sets as they are`)
		}
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
			if p == "data" && len(b) != dataKeySize {
				return k, fmt.Errorf("key file: data key %q is %d bytes; data keys are AES-256 keys of exactly %d bytes", id, len(b), dataKeySize)
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
		if b, err = addSandboxDataKeys(path, b); err != nil {
			return onboarding.Keys{}, err
		}
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

// addSandboxDataKeys gives a sandbox key file made before the data keys
// existed its "data" set, and returns the file's new content (b itself when
// it has one). The key is derived from the file's current lookup key, not
// drawn at random: every process that upgrades the file at once derives the
// same key and writes the same bytes (a temp file renamed over the old one),
// so none of them seals with a key the file does not end up holding.
// Production key files are never changed: Parse names what they lack.
func addSandboxDataKeys(path string, b []byte) ([]byte, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return b, nil // Parse says what is wrong
	}
	lookup, ok := f["lookup"]
	if _, has := f["data"]; has || !ok {
		return b, nil
	}
	lk, err := base64.StdEncoding.DecodeString(lookup.Keys[lookup.Current])
	if err != nil || len(lk) == 0 {
		return b, nil
	}
	m := hmac.New(sha256.New, lk)
	m.Write([]byte("julo sandbox data key v1"))
	id := "d-" + lookup.Current
	f["data"] = setJSON{Current: id, Keys: map[string]string{id: base64.StdEncoding.EncodeToString(m.Sum(nil))}}
	nb, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(nb); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("adding data keys to the sandbox key file: %w", err)
	}
	return nb, nil
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
