package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

var at = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// testDB is a fresh, empty database of one dialect: PostgreSQL when url is
// set, SQLite in dir otherwise.
type testDB struct {
	url, dir string
}

// eachDatabase runs fn as a subtest on a fresh SQLite file and on a fresh
// PostgreSQL database (skipped when JULO_TEST_DATABASE_URL is not set), in
// parallel: every run has a database of its own.
func eachDatabase(t *testing.T, fn func(t *testing.T, d testDB)) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, testDB{dir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, testDB{url: freshPostgres(t), dir: t.TempDir()})
	})
}

func (d testDB) dialect() string {
	if d.url == "" {
		return "sqlite"
	}
	return "postgres"
}

// open opens a new handle on the database, closed when the test ends.
func (d testDB) open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), d.url, d.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SetKeys(testKeys); err != nil {
		t.Fatal(err)
	}
	return db
}

// testKeys are the keys of every test store: a data set (customer keys)
// and a lookup set (blind indexes).
var testKeys = onboarding.Keys{
	Data:   onboarding.KeySet{Current: "d1", Keys: map[string][]byte{"d1": []byte("0123456789abcdef0123456789abcdef")}},
	Lookup: onboarding.KeySet{Current: "l1", Keys: map[string][]byte{"l1": []byte("lookup-key-lookup-key-lookup-key")}},
}

// migrated opens a handle and migrates the database.
func (d testDB) migrated(t *testing.T) *DB {
	t.Helper()
	db := d.open(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func code(err error) julo.Code { return julo.ErrorCode(err) }

// conflictKey returns the uniqueness rule (or, for a refusal of an accept
// callback, the Reason) of an ECONFLICT, failing the test on anything else.
func conflictKey(t *testing.T, err error) string {
	t.Helper()
	var e *julo.Error
	if !errors.As(err, &e) || e.Code != julo.ECONFLICT {
		t.Fatalf("want ECONFLICT, got %v", err)
	}
	if e.Reason == julo.ReasonDuplicate {
		return string(e.Unique)
	}
	return string(e.Reason)
}

// acceptAt is the rule tests record images under, the domain's in short:
// at status and under limit images, else an ECONFLICT with ReasonStatus or
// ReasonLimit.
func acceptAt(want julo.AppStatus, limit int) func(julo.AppStatus, int) error {
	return func(status julo.AppStatus, images int) error {
		switch {
		case status != want:
			return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus}
		case images >= limit:
			return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonLimit}
		}
		return nil
	}
}

// refuseSubmit is what SubmitApplication's callers pass for a refused move.
func refuseSubmit(from julo.AppStatus) error {
	return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus, Err: fmt.Errorf("at %v", from)}
}

func TestSQLiteRunsInWALWithFullSync(t *testing.T) {
	t.Parallel()
	db := testDB{dir: t.TempDir()}.migrated(t)
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

// Instances of the server that start together on one database each run
// Migrate: every migration must be applied exactly once, and none may fail.
func TestMigrateIsIdempotentAndSafeToRunConcurrently(t *testing.T) {
	eachDatabase(t, testMigrateConcurrently)
}

func testMigrateConcurrently(t *testing.T, d testDB) {
	ctx := context.Background()
	var wg sync.WaitGroup
	applied := make([]int, 6)
	errs := make([]error, len(applied))
	start := make(chan struct{})
	for i := range applied {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			db, err := Open(ctx, d.url, d.dir)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = db.Migrate(ctx)
		}(i)
	}
	close(start)
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		total += applied[i]
	}
	want, _ := loadMigrations(d.dialect())
	if total != len(want) {
		t.Fatalf("applied %d migrations in all, want each of %d once", total, len(want))
	}
	db := d.open(t)
	var rows int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&rows); err != nil || rows != len(want) {
		t.Fatalf("%d rows in schema_migrations (%v), want %d", rows, err, len(want))
	}
	// River's migrations are applied with ours, each once.
	rm, err := db.riverMigrator()
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM river_migration`); n != len(rm.AllVersions()) {
		t.Fatalf("%d rows in river_migration, River has %d migrations", n, len(rm.AllVersions()))
	}
	if n, err := db.Migrate(ctx); n != 0 || err != nil {
		t.Fatalf("second migrate applied %d, %v", n, err)
	}
	have, latest, err := db.SchemaVersion(ctx)
	if err != nil || have != latest || have != len(want) {
		t.Fatalf("schema version %d of %d, %v", have, latest, err)
	}
}

// The dialects' migrations keep the same numbers and names, so that a
// schema version means the same tables on either database.
func TestMigrationsOfBothDialectsAreInStep(t *testing.T) {
	t.Parallel()
	sqlite, err := loadMigrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	postgres, err := loadMigrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []migration) (out []string) {
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%04d_%s", m.version, m.name))
		}
		return out
	}
	if a, b := names(sqlite), names(postgres); !slices.Equal(a, b) {
		t.Fatalf("migrations differ: sqlite %q, postgres %q", a, b)
	}
}

func TestMigrateRefusesADatabaseNewerThanTheProgram(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		if _, err := db.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(context.Background()); err == nil || !strings.Contains(err.Error(), "run a newer julo") {
			t.Fatalf("migrated a database from the future: %v", err)
		}
	})
}

func TestPartnersAndSecretRotation(t *testing.T) { eachDatabase(t, testPartnersAndSecretRotation) }

func testPartnersAndSecretRotation(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
	if err != nil || p.ID == 0 {
		t.Fatal(p, err)
	}
	_, err = db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h9"}, at)
	if f := conflictKey(t, err); f != string(onboarding.UniquePartnerName) {
		t.Fatalf("conflict on %q", f)
	}
	if _, _, err := db.PartnerCredentials(ctx, "nobody"); code(err) != julo.ENOTFOUND {
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
	// Every change that can stop a credential moves the credentials
	// version (the credential caches' check); a failed one does not.
	version := func() int64 {
		t.Helper()
		v, err := db.CredentialsVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	last := version()
	moved := func(what string, want bool) {
		t.Helper()
		if v := version(); (v != last) != want {
			t.Fatalf("%s: the credentials version went from %d to %d", what, last, v)
		} else {
			last = v
		}
	}
	db.AddPartnerSecret(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h2"}, 1, at)
	moved("a rotation", true)
	if err := db.AddPartnerSecret(ctx, "ghost", onboarding.PartnerSecret{KeyID: "k1", Hash: "h2"}, 1, at); code(err) != julo.ENOTFOUND {
		t.Fatalf("rotating an unknown partner: %v", err)
	}
	moved("a refused rotation", false)
	if got := hashes(); len(got) != 2 || got[0] != "h2" || got[1] != "h1" {
		t.Fatalf("after one rotation: %v", got)
	}
	db.AddPartnerSecret(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h3"}, 1, at)
	if got := hashes(); len(got) != 2 || got[0] != "h3" || got[1] != "h2" {
		t.Fatalf("a later rotation must revoke the oldest: %v", got)
	}
	moved("a second rotation", true)
	if n, err := db.RevokePartnerSecrets(ctx, "acme", at); n != 1 || err != nil {
		t.Fatalf("revoked %d, %v", n, err)
	}
	moved("a revocation", true)
	if got := hashes(); len(got) != 1 || got[0] != "h3" {
		t.Fatalf("after revoke: %v", got)
	}
	if err := db.SetPartnerDisabled(ctx, "acme", true, at); err != nil {
		t.Fatal(err)
	}
	moved("disabling", true)
	if p, _, _ := db.PartnerCredentials(ctx, "acme"); !p.Disabled {
		t.Fatal("not disabled")
	}
	if err := db.SetPartnerDisabled(ctx, "ghost", true, at); code(err) != julo.ENOTFOUND {
		t.Fatalf("disabling an unknown partner: %v", err)
	}
	moved("a refused disabling", false)
	list, err := db.ListPartners(ctx)
	if err != nil || len(list) != 1 || !list[0].Disabled || list[0].ActiveSecrets != 1 || !list[0].CreatedAt.Equal(at) {
		t.Fatalf("list %+v %v", list, err)
	}
}

func registration(partner int64, nik, email string, xid int64) onboarding.Registration {
	return onboarding.Registration{PartnerID: partner, NIK: nik, Email: email, PINHash: "$argon2id$x", PINKeyID: "k1",
		Latitude: -6.18, Longitude: 106.72, XID: xid, Status: julo.AppFormCreated, At: at}
}

func TestRegisterIsAllOrNothingAndUniquenessIsEnforced(t *testing.T) {
	eachDatabase(t, testRegisterIsAllOrNothingAndUniquenessIsEnforced)
}

func testRegisterIsAllOrNothingAndUniquenessIsEnforced(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	p, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	app, err := db.Register(ctx, registration(p.ID, "3203020101930001", "a@test.com", 1234567890))
	if err != nil || app.ID == 0 || app.CustomerID == 0 || app.XID != 1234567890 {
		t.Fatal(app, err)
	}
	for _, tc := range []struct {
		r     onboarding.Registration
		field julo.UniqueKey
	}{
		{registration(p.ID, "3203020101930001", "b@test.com", 1234567891), onboarding.UniqueNIK},
		{registration(p.ID, "3203020101930002", "a@test.com", 1234567892), onboarding.UniqueEmail},
		{registration(p.ID, "3203020101930003", "c@test.com", 1234567890), onboarding.UniqueXID},
	} {
		_, err := db.Register(ctx, tc.r)
		if f := conflictKey(t, err); f != string(tc.field) {
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
	nikHolder, emailHolder, err := db.Holders(ctx, "3203020101930001", "zz@test.com")
	if nikHolder == nil || emailHolder != nil || err != nil {
		t.Fatal(nikHolder, emailHolder, err)
	}
	// Committed means durable: a fresh handle on the database sees the row.
	db.Close()
	db2 := d.open(t)
	if nikHolder, _, _ := db2.Holders(ctx, "3203020101930001", ""); nikHolder == nil {
		t.Fatal("registration not found after reopening")
	}
}

func TestConcurrentRegistrationsOfOneNIKLetExactlyOneWin(t *testing.T) {
	eachDatabase(t, testConcurrentRegistrationsOfOneNIKLetExactlyOneWin)
}

func testConcurrentRegistrationsOfOneNIKLetExactlyOneWin(t *testing.T, d testDB) {
	db := d.migrated(t)
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
		} else if code(err) != julo.ECONFLICT {
			t.Fatalf("loser got %v, want ECONFLICT", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d registrations won", wins)
	}
}

func TestPreregGuardUpdatesAreAtomic(t *testing.T) { eachDatabase(t, testPreregGuardUpdatesAreAtomic) }

func testPreregGuardUpdatesAreAtomic(t *testing.T, d testDB) {
	db := d.migrated(t)
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
	t.Parallel()
	for _, u := range []string{
		"mysql://user:hunter2@h/db",
		"postgres://user:hunter2@127.0.0.1:1/db?sslmode=disable", // nothing listens on port 1
		"postgresql://user@127.0.0.1:1/db?sslmode=disable&password=hunter2",
		"postgres://user:hunter2@127.0.0.1:notaport/db",
		"postgres://user:hunter2@127.0.0.1/db?pool_max_conns=many",
		"postgres://user:hunter%32@127.0.0.1:1/db?sslmode=disable",
	} {
		_, err := Open(context.Background(), u, t.TempDir())
		if err == nil {
			t.Fatalf("%s opened", u)
		}
		if strings.Contains(err.Error(), "hunter") {
			t.Fatalf("error shows the password: %v", err)
		}
	}
}

func TestPostgresAuthFailureDoesNotShowThePassword(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(freshPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "hunter2-wrong")
	db, err := Open(context.Background(), u.String(), t.TempDir())
	if err == nil {
		db.Close()
		t.Skip("the test server does not check passwords")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error shows the password: %v", err)
	}
}

// Every unique index of the schema must name the field it guards, so that a
// race lost on it answers ECONFLICT with that field on both databases.
// (River's tables are River's: our code never writes them.)
func TestEveryUniqueIndexNamesARule(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		var indexes []string // index names (PostgreSQL) or table.columns (SQLite)
		key := func(ix uniqueIndex) string { return ix.name }
		if d.dialect() == "postgres" {
			indexes = strings1(t, db, `SELECT i.relname FROM pg_index x
				JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
				JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE x.indisunique AND NOT x.indisprimary AND n.nspname = current_schema() AND c.relname NOT LIKE 'river\_%'`)
		} else {
			key = func(ix uniqueIndex) string { return ix.on }
			for _, table := range strings1(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'river\_%' ESCAPE '\'`) {
				rows, err := db.r.Query(`SELECT name FROM pragma_index_list($1) WHERE "unique" AND origin != 'pk'`, table)
				if err != nil {
					t.Fatal(err)
				}
				names := scanStrings(t, rows)
				for _, ix := range names {
					cols, err := db.r.Query(`SELECT $1 || '.' || name FROM pragma_index_info($2) ORDER BY seqno`, table, ix)
					if err != nil {
						t.Fatal(err)
					}
					indexes = append(indexes, strings.Join(scanStrings(t, cols), ", "))
				}
			}
		}
		if len(indexes) == 0 {
			t.Fatal("found no unique index")
		}
		for _, ix := range indexes {
			if uniqueKey(key, ix) == "" {
				t.Errorf("unique index %s is missing from uniqueIndexes (dialect.go)", ix)
			}
		}
	})
}

func strings1(t *testing.T, db *DB, q string) []string {
	t.Helper()
	rows, err := db.r.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	return scanStrings(t, rows)
}

func scanStrings(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Both dialects' migrations build the same schema: tables, columns and
// whether they may be NULL, and index names with their uniqueness (types
// differ by design: INTEGER/BIGINT ids, BOOLEAN stored as 0/1 on SQLite).
// River's tables (river_*) are River's: its drivers keep their own schemas
// (PostgreSQL's has GIN indexes SQLite lacks).
func TestSchemasOfBothDialectsMatch(t *testing.T) {
	t.Parallel()
	pg := testDB{url: freshPostgres(t), dir: t.TempDir()}.migrated(t)
	lite := testDB{dir: t.TempDir()}.migrated(t)
	pgSchema := strings1(t, pg, `
		SELECT 'column ' || table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'river\_%'

		UNION ALL
		SELECT 'index ' || c.relname || '.' || i.relname || CASE WHEN x.indisunique THEN ' UNIQUE' ELSE '' END
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND NOT x.indisprimary AND c.relname NOT LIKE 'river\_%'
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`)
	liteSchema := strings1(t, lite, `
		SELECT 'column ' || m.name || '.' || c.name || CASE WHEN c."notnull" OR c.pk > 0 THEN ' NOT NULL' ELSE '' END
		FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'river\_%' ESCAPE '\'
		UNION ALL
		SELECT 'index ' || m.tbl_name || '.' || m.name || CASE WHEN l."unique" THEN ' UNIQUE' ELSE '' END
		FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name
		WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.tbl_name NOT LIKE 'river\_%' ESCAPE '\'`)
	slices.Sort(pgSchema)
	slices.Sort(liteSchema)
	for _, s := range liteSchema {
		if _, found := slices.BinarySearch(pgSchema, s); !found {
			t.Errorf("SQLite has %s, PostgreSQL not", s)
		}
	}
	for _, s := range pgSchema {
		if _, found := slices.BinarySearch(liteSchema, s); !found {
			t.Errorf("PostgreSQL has %s, SQLite not", s)
		}
	}
	if len(liteSchema) < 20 {
		t.Fatalf("read only %q", liteSchema)
	}
}
