package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// testDatabaseURLEnv names a PostgreSQL server where the tests may create
// databases (postgres://user:pass@host:port/postgres?sslmode=disable). Unset,
// the PostgreSQL half of the suite is skipped; CI always sets it.
const testDatabaseURLEnv = "JULO_TEST_DATABASE_URL"

// freshPostgres creates an empty database on the test server and returns its
// URL; the database is dropped when the test ends. It skips the test when no
// server is given.
func freshPostgres(t *testing.T) string {
	t.Helper()
	admin := os.Getenv(testDatabaseURLEnv)
	if admin == "" {
		t.Skip(testDatabaseURLEnv + " is not set: skipping the PostgreSQL run")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", testDatabaseURLEnv, redactURL(err.Error()))
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "julo_test_" + hex.EncodeToString(b)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("creating the test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		// FORCE ends connections a failed test may have left open.
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			t.Errorf("dropping the test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
