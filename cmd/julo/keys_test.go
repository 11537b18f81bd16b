package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Rotating the server keys (a new current key beside the old ones) keeps
// every existing partner secret working, and new hashes use the new key.
func TestServerKeyRotationLocksNobodyOut(t *testing.T) {
	s := startServer(t, nil)
	s.do(req{Method: "POST", Path: "/api/partnership/v1/customer", Body: map[string]any{
		"username": "3203020101930001", "pin": "482915", "email": "budi@test.com", "latitude": -6.2, "longitude": 106.8,
	}}).expect(t, 201)
	s.stop()

	path := filepath.Join(s.Data, "keys.json")
	var f map[string]struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for name, set := range f {
		k := make([]byte, 32)
		rand.Read(k)
		set.Keys["k2"] = base64.StdEncoding.EncodeToString(k)
		set.Current = "k2"
		f[name] = set
	}
	b, _ = json.Marshal(f)
	os.WriteFile(path, b, 0o600)

	s2 := startServer(t, nil, withData(s.Data), withPartner(s.Partner, s.Secret))
	s2.do(req{Method: "GET", Path: "/api/partnership/v1/dropdown-data?data=job_types"}).expect(t, 200)
	s2.createPartner("beta")
	s2.do(req{Method: "POST", Path: "/api/partnership/v1/customer", Body: map[string]any{
		"username": "3203020202930001", "pin": "482915", "email": "siti@test.com", "latitude": -6.2, "longitude": 106.8,
	}}).expect(t, 201)

	db := s2.sqlDB()
	keyOf := func(q string, arg string) string {
		var k string
		if err := db.QueryRow(q, arg).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	const secretKey = `SELECT s.key_id FROM partner_secrets s JOIN partners p ON p.id = s.partner_id WHERE p.username = $1`
	if old, nu := keyOf(secretKey, "acme"), keyOf(secretKey, "beta"); old == "k2" || nu != "k2" {
		t.Fatalf("secret key ids: acme %s, beta %s", old, nu)
	}
	if old, nu := customerOf(t, s2, "3203020101930001").PINHashKeyID, customerOf(t, s2, "3203020202930001").PINHashKeyID; old == "k2" || nu != "k2" {
		t.Fatalf("PIN pepper ids: old %s, new %s", old, nu)
	}
}

func TestProductionRefusesToStartWithoutKeys(t *testing.T) {
	var stderr strings.Builder
	err := run(context.Background(), []string{"serve", "--env", "production", "--addr", "127.0.0.1:0", "--data", t.TempDir()},
		func(k string) string { return map[string]string{"JULO_SMS_PROVIDER": "log"}[k] }, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "JULO_KEYS_FILE") {
		t.Fatalf("got %v, want a refusal naming JULO_KEYS_FILE", err)
	}
}

func TestUnknownEnvironmentAndCommandAreRefused(t *testing.T) {
	noenv := func(string) string { return "" }
	if err := run(context.Background(), []string{"serve", "--env", "staging", "--data", t.TempDir()}, noenv, io.Discard, io.Discard); err == nil {
		t.Fatal("--env staging accepted")
	}
	if err := run(context.Background(), []string{"frobnicate"}, noenv, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(context.Background(), nil, noenv, io.Discard, io.Discard); err == nil {
		t.Fatal("no command accepted")
	}
}

// keysJSON makes a key file's JSON for a production server under test.
func (s *testServer) keysJSON() (string, error) {
	var out strings.Builder
	err := run(context.Background(), []string{"keys", "generate"}, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}
