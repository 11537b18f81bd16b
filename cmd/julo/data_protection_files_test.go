package main

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 10, item 3: the data dir is created 0700; the SQLite database, its
// -wal and -shm, the generated keys and the stored files are 0600, whatever
// the umask lets through; an existing database file open to others is made
// private when the server opens it.
func TestDataProtectionFilesArePrivate(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data") // does not exist yet: the program creates it
	s := startServer(t, nil, withData(data))
	xid := s.newApplication(t)
	s.uploadImage(t, xid, "ktp_self").expect(t, 200)

	if info, err := os.Stat(data); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("data dir: %v %v", info.Mode(), err)
	}
	private := func(p string) {
		t.Helper()
		info, err := os.Stat(p)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v; want 0600", p, info.Mode().Perm(), err)
		}
	}
	private(filepath.Join(data, "keys.json"))
	sqlite := s.dbURL == ""
	if sqlite {
		// The server is running after a write: the WAL and its index exist.
		for _, name := range []string{"julo.db", "julo.db-wal", "julo.db-shm"} {
			private(filepath.Join(data, name))
		}
	}
	if s.blobURL == "" {
		files := 0
		filepath.WalkDir(filepath.Join(data, "files"), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			if info, _ := d.Info(); d.IsDir() && info.Mode().Perm() != 0o700 {
				t.Fatalf("%s: mode %v, want 0700", p, info.Mode().Perm())
			}
			if !d.IsDir() {
				files++
				private(p)
			}
			return nil
		})
		if files != 1 {
			t.Fatalf("%d stored files, want the upload's", files)
		}
	}
	s.stop()
	if !sqlite {
		return
	}
	// A database left 0644 (by an older version, a copy) is made private.
	for _, name := range []string{"julo.db", "julo.db-wal", "julo.db-shm"} {
		if p := filepath.Join(data, name); fileExists(p) {
			os.Chmod(p, 0o644)
		}
	}
	s2 := startServer(t, nil, withData(data), withPartner(s.Partner, s.Secret))
	s2.newApplication(t)
	for _, name := range []string{"julo.db", "julo.db-wal", "julo.db-shm"} {
		private(filepath.Join(data, name))
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// writeKeyFile writes a fresh key file at path with mode.
func writeKeyFile(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	keys, err := (&testServer{}).keysJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(keys), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// In production a key file that its group or others may read is refused at
// start with a message naming the file and chmod 600; chmod 600, the server
// starts and does not warn, since the file lives outside the data dir.
func TestDataProtectionProductionRefusesAKeyFileOthersCanRead(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "julo-keys.json")
	writeKeyFile(t, path, 0o644)
	env := map[string]string{"JULO_SMS_PROVIDER": "log", "JULO_KEYS_FILE": path}
	var stderr strings.Builder
	args := []string{"serve", "--env", "production", "--addr", "127.0.0.1:0", "--data", t.TempDir()}
	if u := testDatabaseURL(t); u != "" {
		args = append(args, "--database-url", u)
	}
	err := run(context.Background(), args, func(k string) string { return env[k] }, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Fatalf("got %v, want a refusal naming %s and chmod 600", err, path)
	}
	if strings.Contains(stderr.String(), `"msg":"listening"`) {
		t.Fatal("the server listened")
	}

	os.Chmod(path, 0o600)
	s := startServer(t, []string{"--env", "production"}, withEnv("JULO_KEYS_FILE", path), withEnv("JULO_SMS_PROVIDER", "log"))
	s.newApplication(t)
	for _, line := range s.logLines() {
		if strings.Contains(line, "JULO_KEYS_FILE") {
			t.Fatalf("warned about a private key file outside the data dir: %s", line)
		}
	}
}

// In production a key file inside the data dir is logged as a warning (a
// copy of the data dir would carry the keys with the data); the server runs.
func TestDataProtectionProductionWarnsOfAKeyFileInsideTheDataDir(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	path := filepath.Join(data, "prod-keys.json")
	writeKeyFile(t, path, 0o600)
	s := startServer(t, []string{"--env", "production"}, withData(data), withEnv("JULO_KEYS_FILE", path), withEnv("JULO_SMS_PROVIDER", "log"))
	s.newApplication(t)
	warned := false
	for _, line := range s.logLines() {
		var m struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &m) == nil && m.Level == "WARN" && strings.Contains(m.Msg, "inside the data dir") && strings.Contains(m.Msg, path) {
			warned = true
		}
	}
	if !warned {
		t.Fatalf("no warning about %s in the log:\n%s", path, s.logs.String())
	}
}
