package main

import (
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
)

// testDatabaseURL is the --database-url each test server gets: empty means
// SQLite in the server's data dir.
func testDatabaseURL(t *testing.T) string { return "" }

var dbHandles sync.Map // *testServer -> *sql.DB

// sqlDB opens (once per server) a read-only handle on the server's database,
// closed when the test ends.
func (s *testServer) sqlDB() *sql.DB {
	s.t.Helper()
	if db, ok := dbHandles.Load(s); ok {
		return db.(*sql.DB)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.Data, "julo.db")+"?mode=ro")
	if err != nil {
		s.t.Fatal(err)
	}
	dbHandles.Store(s, db)
	s.t.Cleanup(func() { dbHandles.Delete(s); db.Close() })
	return db
}
