package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Two sandbox instances with different data dirs on one PostgreSQL database
// have different generated keys: the second refuses to start (and partner
// create refuses to write) with a message naming JULO_KEYS_FILE, instead of
// answering 401 to every partner. Given the first one's key file it starts.
func TestAnInstanceWithOtherKeysRefusesTheDatabase(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	dataA, dataB := t.TempDir(), t.TempDir()
	argsA := []string{"--data", dataA, "--database-url", db}
	argsB := []string{"--data", dataB, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		argsA, argsB = append(argsA, "--blob-url", u), append(argsB, "--blob-url", u)
	}
	p := createPartnerIn(t, argsA)
	a := &testServer{t: t, URL: startProcess(t, argsA...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: dataA, Clock: newClock(time.Now())}
	a.do(req{Method: "GET", Path: "/api/partnership/v1/dropdown-data?data=job_types"}).expect(t, 200)
	checks := a.count("key_checks")
	if checks != 5 { // pin_pepper, partner, lookup, otp, data
		t.Fatalf("%d key checks recorded, want one per key set", checks)
	}

	// B, with the keys generated in its own data dir, does not start.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, juloBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, argsB...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, testBlobEnv()...)
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil || !strings.Contains(string(out), "JULO_KEYS_FILE") || strings.Contains(string(out), `"msg":"listening"`) {
		t.Fatalf("second instance: %v\n%s", err, out)
	}

	// partner create with B's keys writes nothing.
	var stdout strings.Builder
	err = runWith(context.Background(), append([]string{"partner", "create", "beta"}, argsB...), func(string) string { return "" },
		&stdout, io.Discard, hooks{})
	if err == nil || !strings.Contains(err.Error(), "JULO_KEYS_FILE") || stdout.Len() != 0 {
		t.Fatalf("partner create with other keys: %v, printed %q", err, stdout.String())
	}
	if n := a.count("partners"); n != 1 {
		t.Fatalf("%d partners", n)
	}
	if n := a.count("key_checks"); n != checks {
		t.Fatalf("the refused keys were recorded: %d key checks", n)
	}

	// Given A's key file, B starts and knows A's partner.
	b := startServer(t, nil, withData(dataB), withPartner("acme", p.SecretKey), withEnv("JULO_KEYS_FILE", filepath.Join(dataA, "keys.json")))
	b.do(req{Method: "GET", Path: "/api/partnership/v1/dropdown-data?data=job_types"}).expect(t, 200)
	b.createPartner("beta")
	a.do(req{Method: "GET", Path: "/api/partnership/v1/dropdown-data?data=job_types"}).expect(t, 200)
}

// On either database: a restart whose key file was replaced (other values
// under the same ids, or other ids only) is refused, naming JULO_KEYS_FILE;
// put back, the keys work again. A key added beside the old ones (a
// rotation) is accepted and recorded.
func TestRestartWithReplacedKeysIsRefused(t *testing.T) {
	s := startServer(t, nil)
	s.stop()
	path := filepath.Join(s.Data, "keys.json")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := s.keysJSON()
	var f map[string]struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	json.Unmarshal(orig, &f)
	var g map[string]struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	json.Unmarshal([]byte(fresh), &g)
	sameIDs, otherIDs := map[string]any{}, map[string]any{}
	for set, ks := range f {
		var v string
		for _, v = range g[set].Keys {
		}
		same := map[string]string{}
		for id := range ks.Keys {
			same[id] = v
		}
		sameIDs[set] = map[string]any{"current": ks.Current, "keys": same}
		otherIDs[set] = map[string]any{"current": "other", "keys": map[string]string{"other": v}}
	}
	serve := []string{"serve", "--addr", "127.0.0.1:0", "--data", s.Data, "--database-url", s.dbURL}
	for name, keys := range map[string]map[string]any{"same ids": sameIDs, "other ids": otherIDs} {
		b, _ := json.Marshal(keys)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := runWith(ctx, serve, s.getenv, io.Discard, io.Discard, hooks{now: s.Clock.Now})
		cancel()
		if err == nil || !strings.Contains(err.Error(), "JULO_KEYS_FILE") {
			t.Fatalf("%s: serve got %v", name, err)
		}
		if _, err := s.cli("partner", "create", "beta"); err == nil || !strings.Contains(err.Error(), "JULO_KEYS_FILE") {
			t.Fatalf("%s: partner create got %v", name, err)
		}
		if n := s.count("partners"); n != 1 {
			t.Fatalf("%s: %d partners", name, n)
		}
		if n := s.count("key_checks"); n != 5 { // one per set: pin_pepper, partner, lookup, otp, data
			t.Fatalf("%s: %d key checks", name, n)
		}
	}

	// The original keys plus a new current one: accepted, the new one recorded.
	for set, ks := range f {
		for _, v := range g[set].Keys {
			ks.Keys["k2"] = v
		}
		ks.Current = "k2"
		f[set] = ks
	}
	b, _ := json.Marshal(f)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := startServer(t, nil, withData(s.Data), withPartner(s.Partner, s.Secret))
	s2.do(req{Method: "GET", Path: "/api/partnership/v1/dropdown-data?data=job_types"}).expect(t, 200)
	if n := s2.count("key_checks"); n != 10 {
		t.Fatalf("%d key checks after adding a key to each set", n)
	}
}
