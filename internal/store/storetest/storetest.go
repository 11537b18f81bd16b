// Package storetest makes throwaway PostgreSQL databases for the tests and
// the load benchmark, on the server that JULO_TEST_DATABASE_URL names. Only
// tests and bench import it; the program never does.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// URLEnv names a PostgreSQL server where the tests may create databases
// (postgres://user:pass@127.0.0.1:port/postgres?sslmode=disable). Unset,
// the PostgreSQL runs are skipped; CI always sets it.
const URLEnv = "JULO_TEST_DATABASE_URL"

// FreshPostgres creates an empty database on the server of URLEnv and
// returns its URL; the database is dropped when t ends, ending connections
// a failed test left open. Without URLEnv it skips t. Each call makes its
// own database (a random name), so parallel tests never share one.
func FreshPostgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(URLEnv)
	if admin == "" {
		t.Skip(URLEnv + " is not set: skipping the PostgreSQL run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, drop, err := CreateDatabase(ctx, admin, "julo_test_")
	if err != nil {
		t.Fatalf("creating the test database: %v", err)
	}
	// Registered now, so it runs after the cleanups of whatever the test
	// starts later on the database (a server, a store).
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("dropping the test database: %v", err)
		}
	})
	return u
}

// CreateDatabase creates an empty database named prefix followed by 16
// random hex digits on the server of adminURL (a URL of a database on it,
// whose user may create databases) and returns the new database's URL and
// the function that drops it (see DropDatabase). An adminURL that is not a
// postgres:// URL is refused without quoting it (it holds a password).
func CreateDatabase(ctx context.Context, adminURL, prefix string) (dbURL string, drop func() error, err error) {
	u, err := url.Parse(adminURL)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", nil, errors.New("the admin URL is not a postgres:// URL")
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if err := adminExec(ctx, adminURL, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, err
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return DropDatabase(ctx, adminURL, name)
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// DropDatabase drops database name on the server of adminURL, ending the
// connections still open on it (FORCE); a database that does not exist is
// no error.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	if err := adminExec(ctx, adminURL, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return errors.Join(errors.New("dropping database "+name), err)
	}
	return nil
}

func adminExec(ctx context.Context, adminURL, q string) error {
	db, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, q)
	return err
}
