package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// testDatabaseURLEnv names a PostgreSQL server where the tests may create
// databases (postgres://user:pass@127.0.0.1:port/postgres?sslmode=disable).
// Set, every test server runs on PostgreSQL; unset, on SQLite. CI sets it.
const testDatabaseURLEnv = "JULO_TEST_DATABASE_URL"

var testDatabases sync.Map // *testing.T -> URL of its database

// testDatabaseURL is the --database-url each test server gets: empty means
// SQLite in the server's data dir. With JULO_TEST_DATABASE_URL it is a fresh
// PostgreSQL database, created on the test's first call and dropped when the
// test ends; later servers of the same test get the same database, so a
// restart (withData) finds what the first server stored, as it does in the
// data dir on SQLite.
func testDatabaseURL(t *testing.T) string {
	t.Helper()
	admin := os.Getenv(testDatabaseURLEnv)
	if admin == "" {
		return ""
	}
	if u, ok := testDatabases.Load(t); ok {
		return u.(string)
	}
	u := createTestDatabase(t, admin)
	testDatabases.Store(t, u)
	t.Cleanup(func() { testDatabases.Delete(t) })
	return u
}

// createTestDatabase creates an empty database on the server of admin and
// returns its URL; it is dropped when the test ends.
func createTestDatabase(t *testing.T, admin string) string {
	t.Helper()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s is not a URL", testDatabaseURLEnv)
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "julo_test_" + hex.EncodeToString(b)
	quoted := pgx.Identifier{name}.Sanitize()
	exec := func(q string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, q)
		return err
	}
	if err := exec(`CREATE DATABASE ` + quoted); err != nil {
		t.Fatalf("creating a test database: %v", err)
	}
	// Registered before the server's own cleanup, so it runs after the
	// server has stopped; FORCE ends connections a failed test left open.
	t.Cleanup(func() {
		if err := exec(`DROP DATABASE IF EXISTS ` + quoted + ` WITH (FORCE)`); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

var dbHandles sync.Map // *testServer -> *sql.DB

// sqlDB opens (once per server) a read-only handle on the server's database,
// closed when the test ends. Queries use $N placeholders, which both
// databases accept.
func (s *testServer) sqlDB() *sql.DB {
	s.t.Helper()
	if db, ok := dbHandles.Load(s); ok {
		return db.(*sql.DB)
	}
	var db *sql.DB
	var err error
	if strings.HasPrefix(s.dbURL, "postgres") {
		u, perr := url.Parse(s.dbURL)
		if perr != nil {
			s.t.Fatal(perr)
		}
		q := u.Query()
		q.Set("default_transaction_read_only", "on") // sent to the server as a setting
		u.RawQuery = q.Encode()
		db, err = sql.Open("pgx", u.String())
	} else {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(s.Data, "julo.db")+"?mode=ro")
	}
	if err != nil {
		s.t.Fatal(err)
	}
	dbHandles.Store(s, db)
	s.t.Cleanup(func() { dbHandles.Delete(s); db.Close() })
	return db
}
