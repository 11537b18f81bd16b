package keyring

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func noEnv(string) string { return "" }

func TestProductionRefusesToRunWithoutKeys(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(true, dir, noEnv); err == nil || !strings.Contains(err.Error(), "JULO_KEYS_FILE") {
		t.Fatalf("got %v, want an error naming JULO_KEYS_FILE", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatal("production generated keys")
	}
}

func TestProductionReadsTheKeyFile(t *testing.T) {
	b, _ := Generate()
	path := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(path, b, 0o600)
	env := map[string]string{"JULO_KEYS_FILE": path}
	k, err := Load(true, t.TempDir(), func(s string) string { return env[s] })
	if err != nil || k.Partner.Current == "" {
		t.Fatal(k, err)
	}
	if k2, err := Load(true, t.TempDir(), func(s string) string { return map[string]string{"JULO_KEYS": string(b)}[s] }); err != nil || string(k2.OTP.Keys[k2.OTP.Current]) != string(k.OTP.Keys[k.OTP.Current]) {
		t.Fatal("JULO_KEYS and JULO_KEYS_FILE disagree", err)
	}
}

func TestSandboxGeneratesPrivateKeysOnceEvenWhenStartedConcurrently(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	peppers := make([]string, 8)
	for i := range peppers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			k, err := Load(false, dir, noEnv)
			if err != nil {
				t.Error(err)
				return
			}
			peppers[i] = string(k.PINPepper.Keys[k.PINPepper.Current])
		}(i)
	}
	wg.Wait()
	for _, p := range peppers {
		if p != peppers[0] || len(p) != 32 {
			t.Fatal("processes starting together got different keys")
		}
	}
	info, err := os.Stat(filepath.Join(dir, "keys.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("keys.json: %v %v", info.Mode(), err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".keys-*")); len(leftovers) != 0 {
		t.Fatalf("temp files left: %v", leftovers)
	}
}

func TestParseRefusesIncompleteOrWeakKeys(t *testing.T) {
	for name, js := range map[string]string{
		"not json":        `{`,
		"missing purpose": `{"pin_pepper": {"current": "a", "keys": {"a": "` + strings.Repeat("A", 44) + `"}}}`,
		"short key":       strings.Replace(string(mustGenerate(t)), `"keys": {`, `"keys": {"short": "AAAA", `, 1),
		"missing current": strings.Replace(string(mustGenerate(t)), `"current": "k`, `"current": "x`, 1),
		"not base64":      strings.Replace(string(mustGenerate(t)), `"keys": {`, `"keys": {"bad": "***", `, 1),
	} {
		if _, err := Parse([]byte(js)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func mustGenerate(t *testing.T) []byte {
	b, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
