package main

import (
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/julo-partnership/julo/internal/store/storetest"
)

var testDatabases sync.Map // *testing.T -> URL of its database

// testDatabaseURL is the --database-url each test server gets: empty means
// SQLite in the server's data dir. With JULO_TEST_DATABASE_URL (every test
// server runs on PostgreSQL; CI sets it) it is a fresh PostgreSQL database,
// created on the test's first call and dropped when the test ends; later
// servers of the same test get the same database, so a restart (withData)
// finds what the first server stored, as it does in the data dir on SQLite.
func testDatabaseURL(t *testing.T) string {
	t.Helper()
	if os.Getenv(storetest.URLEnv) == "" {
		return ""
	}
	if u, ok := testDatabases.Load(t); ok {
		return u.(string)
	}
	// Its drop is registered before the server's own cleanup, so it runs
	// after the server has stopped.
	u := storetest.FreshPostgres(t)
	testDatabases.Store(t, u)
	t.Cleanup(func() { testDatabases.Delete(t) })
	return u
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
