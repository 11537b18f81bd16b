package keyring

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Production refuses a key file its owner's group or anyone else may read
// or write, naming the file and the fix; the same file is read in the
// sandbox (with a warning), and once chmod 600 in production.
func TestProductionRefusesAKeyFileOpenToOthers(t *testing.T) {
	b, _ := Generate()
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string { return map[string]string{"JULO_KEYS_FILE": path}[k] }
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(true, t.TempDir(), env)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Fatalf("mode %04o: got %v, want a refusal naming %s and chmod 600", mode, err, path)
		}
		if _, err := Load(false, t.TempDir(), env); err != nil {
			t.Fatalf("mode %04o refused in the sandbox: %v", mode, err)
		}
		if w := Warnings(false, t.TempDir(), env); len(w) != 1 || !strings.Contains(w[0], "chmod 600") {
			t.Fatalf("sandbox warnings for mode %04o: %q", mode, w)
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		os.Chmod(path, mode)
		if _, err := Load(true, t.TempDir(), env); err != nil {
			t.Fatalf("mode %04o refused: %v", mode, err)
		}
		if w := Warnings(true, t.TempDir(), env); len(w) != 0 {
			t.Fatalf("mode %04o outside the data dir warned %q", mode, w)
		}
	}
}

// A key file inside the data dir (directly, deeper, or through a link that
// resolves into it) is warned about in production; one beside it is not.
func TestWarningsNameAKeyFileInsideTheDataDir(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	os.MkdirAll(filepath.Join(data, "secrets"), 0o700)
	b, _ := Generate()
	write := func(p string) string {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inData, deeper, beside := write(filepath.Join(data, "keys.json")), write(filepath.Join(data, "secrets", "k.json")), write(filepath.Join(root, "data-keys.json"))
	link := filepath.Join(root, "link.json")
	if err := os.Symlink(inData, link); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{inData: true, deeper: true, link: true, beside: false} {
		env := func(k string) string { return map[string]string{"JULO_KEYS_FILE": path}[k] }
		w := Warnings(true, data, env)
		if got := len(w) == 1 && strings.Contains(w[0], "inside the data dir") && strings.Contains(w[0], path); got != want || !want && len(w) != 0 {
			t.Errorf("%s: warnings %q, want a warning: %v", path, w, want)
		}
		// The same layout with relative names.
		if rel, err := filepath.Rel(root, path); err == nil {
			t.Chdir(root)
			if got := len(Warnings(true, "data", func(k string) string { return map[string]string{"JULO_KEYS_FILE": rel}[k] })) == 1; got != want {
				t.Errorf("relative %s: warned %v, want %v", rel, got, want)
			}
		}
	}
	// In the sandbox the data dir's own keys.json is the default place.
	if w := Warnings(false, data, func(k string) string { return map[string]string{"JULO_KEYS_FILE": inData}[k] }); len(w) != 0 {
		t.Fatalf("sandbox warned %q", w)
	}
}
