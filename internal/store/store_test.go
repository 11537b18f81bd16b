package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

var at = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// openTest opens a migrated store on a fresh SQLite file.
func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, dir
}

func code(err error) onboarding.Code { return onboarding.ErrorCode(err) }

func conflictField(t *testing.T, err error) string {
	t.Helper()
	var e *onboarding.Error
	if !errors.As(err, &e) || e.Code != onboarding.ECONFLICT || len(e.Problems) != 1 {
		t.Fatalf("want ECONFLICT, got %v", err)
	}
	return e.Problems[0].Field
}

func TestSQLiteRunsInWALWithFullSync(t *testing.T) {
	db, _ := openTest(t)
	var mode string
	var sync int
	db.w.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	db.w.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	if mode != "wal" || sync != 2 {
		t.Fatalf("journal_mode %s, synchronous %d; want wal, 2 (FULL)", mode, sync)
	}
	if _, err := db.r.Exec(`INSERT INTO partners (username, created_at) VALUES ('x', 1)`); err == nil {
		t.Fatal("the read pool accepted a write")
	}
}

func TestMigrateIsIdempotentAndSafeToRunConcurrently(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var wg sync.WaitGroup
	applied := make([]int, 4)
	errs := make([]error, 4)
	for i := range applied {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			db, err := Open(ctx, "", dir)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = db.Migrate(ctx)
		}(i)
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		total += applied[i]
	}
	want, _ := loadMigrations("sqlite")
	if total != len(want) {
		t.Fatalf("applied %d migrations in all, want each of %d once", total, len(want))
	}
	db, _ := Open(ctx, "", dir)
	defer db.Close()
	if n, err := db.Migrate(ctx); n != 0 || err != nil {
		t.Fatalf("second migrate applied %d, %v", n, err)
	}
	have, latest, err := db.SchemaVersion(ctx)
	if err != nil || have != latest || have != len(want) {
		t.Fatalf("schema version %d of %d, %v", have, latest, err)
	}
}

func TestMigrateRefusesADatabaseNewerThanTheProgram(t *testing.T) {
	db, _ := openTest(t)
	db.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`)
	if _, err := db.Migrate(context.Background()); err == nil {
		t.Fatal("migrated a database from the future")
	}
}

func TestPartnersAndSecretRotation(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
	if err != nil || p.ID == 0 {
		t.Fatal(p, err)
	}
	_, err = db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h9"}, at)
	if f := conflictField(t, err); f != "username" {
		t.Fatalf("conflict on %q", f)
	}
	if _, _, err := db.PartnerCredentials(ctx, "nobody"); code(err) != onboarding.ENOTFOUND {
		t.Fatalf("unknown partner: %v", err)
	}
	hashes := func() []string {
		_, ss, err := db.PartnerCredentials(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range ss {
			out = append(out, s.Hash)
		}
		return out
	}
	db.AddPartnerSecret(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h2"}, 1, at)
	if got := hashes(); len(got) != 2 || got[0] != "h2" || got[1] != "h1" {
		t.Fatalf("after one rotation: %v", got)
	}
	db.AddPartnerSecret(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h3"}, 1, at)
	if got := hashes(); len(got) != 2 || got[0] != "h3" || got[1] != "h2" {
		t.Fatalf("a later rotation must revoke the oldest: %v", got)
	}
	if n, err := db.RevokePartnerSecrets(ctx, "acme", at); n != 1 || err != nil {
		t.Fatalf("revoked %d, %v", n, err)
	}
	if got := hashes(); len(got) != 1 || got[0] != "h3" {
		t.Fatalf("after revoke: %v", got)
	}
	if err := db.SetPartnerDisabled(ctx, "acme", true, at); err != nil {
		t.Fatal(err)
	}
	if p, _, _ := db.PartnerCredentials(ctx, "acme"); !p.Disabled {
		t.Fatal("not disabled")
	}
	if err := db.SetPartnerDisabled(ctx, "ghost", true, at); code(err) != onboarding.ENOTFOUND {
		t.Fatalf("disabling an unknown partner: %v", err)
	}
	list, err := db.ListPartners(ctx)
	if err != nil || len(list) != 1 || !list[0].Disabled || list[0].ActiveSecrets != 1 || !list[0].CreatedAt.Equal(at) {
		t.Fatalf("list %+v %v", list, err)
	}
}

func registration(partner int64, nik, email string, xid int64) onboarding.Registration {
	return onboarding.Registration{PartnerID: partner, NIK: nik, Email: email, PINHash: "$argon2id$x", PINKeyID: "k1",
		Latitude: -6.18, Longitude: 106.72, XID: xid, Status: onboarding.StatusFormCreated, At: at}
}

func TestRegisterIsAllOrNothingAndUniquenessIsEnforced(t *testing.T) {
	db, dir := openTest(t)
	ctx := context.Background()
	p, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	app, err := db.Register(ctx, registration(p.ID, "3203020101930001", "a@test.com", 1234567890))
	if err != nil || app.ID == 0 || app.CustomerID == 0 || app.XID != 1234567890 {
		t.Fatal(app, err)
	}
	for _, tc := range []struct {
		r     onboarding.Registration
		field string
	}{
		{registration(p.ID, "3203020101930001", "b@test.com", 1234567891), "nik"},
		{registration(p.ID, "3203020101930002", "a@test.com", 1234567892), "email"},
		{registration(p.ID, "3203020101930003", "c@test.com", 1234567890), "application_xid"},
	} {
		_, err := db.Register(ctx, tc.r)
		if f := conflictField(t, err); f != tc.field {
			t.Errorf("conflict on %q, want %q", f, tc.field)
		}
	}
	var customers, apps, history int
	db.r.QueryRow(`SELECT COUNT(*) FROM customers`).Scan(&customers)
	db.r.QueryRow(`SELECT COUNT(*) FROM applications`).Scan(&apps)
	db.r.QueryRow(`SELECT COUNT(*) FROM application_status_history`).Scan(&history)
	if customers != 1 || apps != 1 || history != 1 {
		// The xid clash fails after the customer row is written: it must be rolled back.
		t.Fatalf("rows after refused registrations: %d customers, %d applications, %d history", customers, apps, history)
	}
	nikTaken, emailTaken, err := db.Registered(ctx, "3203020101930001", "zz@test.com")
	if !nikTaken || emailTaken || err != nil {
		t.Fatal(nikTaken, emailTaken, err)
	}
	// Committed means on disk: a fresh handle on the file sees the row.
	db.Close()
	db2, err := Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if nik, _, _ := db2.Registered(ctx, "3203020101930001", ""); !nik {
		t.Fatal("registration not found after reopening")
	}
}

func TestConcurrentRegistrationsOfOneNIKLetExactlyOneWin(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	p, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	var wg sync.WaitGroup
	results := make([]error, 16)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, results[i] = db.Register(ctx, registration(p.ID, "3203020101930001", "x"+string(rune('a'+i))+"@test.com", int64(2000000000+i)))
		}(i)
	}
	wg.Wait()
	wins := 0
	for _, err := range results {
		if err == nil {
			wins++
		} else if code(err) != onboarding.ECONFLICT {
			t.Fatalf("loser got %v, want ECONFLICT", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d registrations won", wins)
	}
}

func TestPreregGuardUpdatesAreAtomic(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if g, err := db.PreregGuard(ctx, "k"); err != nil || g != (onboarding.PreregGuard{}) {
		t.Fatalf("absent guard: %+v %v", g, err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.UpdatePreregGuard(ctx, "k", func(g *onboarding.PreregGuard) error {
				g.Failures++
				g.WindowStart = at
				g.LockedUntil = at.Add(time.Hour)
				return nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	g, _ := db.PreregGuard(ctx, "k")
	if g.Failures != 20 || !g.WindowStart.Equal(at) || !g.LockedUntil.Equal(at.Add(time.Hour)) {
		t.Fatalf("guard %+v, want 20 failures", g)
	}
	// An error from fn changes nothing.
	db.UpdatePreregGuard(ctx, "k", func(g *onboarding.PreregGuard) error { g.Failures = 0; return errors.New("no") })
	if g, _ := db.PreregGuard(ctx, "k"); g.Failures != 20 {
		t.Fatalf("a failed update was stored: %+v", g)
	}
}

func TestOpenRefusesUnknownURLsWithoutShowingPasswords(t *testing.T) {
	for _, u := range []string{"mysql://user:hunter2@h/db", "postgres://user:hunter2@127.0.0.1/db"} {
		_, err := Open(context.Background(), u, t.TempDir())
		if err == nil {
			t.Fatalf("%s opened", u)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("error shows the password: %v", err)
		}
	}
}
