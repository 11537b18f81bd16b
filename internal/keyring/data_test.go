package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A generated key file has a data set whose keys are AES-256 keys; Parse
// refuses a file without one (naming the fix) and a data key of any other
// size.
func TestDataKeysAreRequiredAndExactly32Bytes(t *testing.T) {
	b := mustGenerate(t)
	k, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Data.Keys[k.Data.Current]) != 32 {
		t.Fatalf("data keys %v", k.Data)
	}
	var f File
	json.Unmarshal(b, &f)
	delete(f, "data")
	nb, _ := json.Marshal(f)
	if _, err := Parse(nb); err == nil || !strings.Contains(err.Error(), `no "data" keys`) || !strings.Contains(err.Error(), "julo keys generate") {
		t.Fatalf("a file without data keys: %v", err)
	}
	json.Unmarshal(b, &f)
	f["data"].Keys["long"] = base64.StdEncoding.EncodeToString(make([]byte, 48))
	nb, _ = json.Marshal(f)
	if _, err := Parse(nb); err == nil || !strings.Contains(err.Error(), "exactly 32") {
		t.Fatalf("a 48-byte data key: %v", err)
	}
}

// Production refuses a key file without data keys (it is never rewritten);
// a sandbox key file made before data keys existed gets one, the same for
// every process that upgrades it at once, written back, and kept private.
func TestSandboxKeyFileWithoutDataKeysIsUpgradedOnce(t *testing.T) {
	b := mustGenerate(t)
	var f File
	json.Unmarshal(b, &f)
	delete(f, "data")
	old, _ := json.MarshalIndent(f, "", "  ")

	prod := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(prod, old, 0o600)
	if _, err := Load(true, t.TempDir(), func(k string) string { return map[string]string{"JULO_KEYS_FILE": prod}[k] }); err == nil {
		t.Fatal("production accepted a key file without data keys")
	}
	if now, _ := os.ReadFile(prod); !bytes.Equal(now, old) {
		t.Fatal("production rewrote its key file")
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	os.WriteFile(path, old, 0o600)
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			k, err := Load(false, dir, noEnv)
			if err != nil {
				t.Error(err)
				return
			}
			if base64.StdEncoding.EncodeToString(k.PINPepper.Keys[k.PINPepper.Current]) != f["pin_pepper"].Keys[f["pin_pepper"].Current] {
				t.Error("the other keys changed")
			}
			got[i] = k.Data.Current + ":" + string(k.Data.Keys[k.Data.Current])
		})
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] || len(g) < 32 {
			t.Fatalf("processes upgrading together got different data keys: %q", got)
		}
	}
	again, err := Load(false, dir, noEnv)
	if err != nil || again.Data.Current+":"+string(again.Data.Keys[again.Data.Current]) != got[0] {
		t.Fatalf("reloaded: %v %v", again.Data, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("keys.json after the upgrade: %v %v", info, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".keys-*")); len(leftovers) != 0 {
		t.Fatalf("temp files left: %v", leftovers)
	}
}
