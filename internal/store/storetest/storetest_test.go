package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// CreateDatabase makes a new, empty database of a unique name, reachable at
// the URL it returns, and its drop function removes it (twice is harmless).
func TestCreateDatabaseIsUniqueReachableAndDropped(t *testing.T) {
	admin := os.Getenv(URLEnv)
	if admin == "" {
		t.Skip(URLEnv + " is not set: skipping the PostgreSQL run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, dropA, err := CreateDatabase(ctx, admin, "julo_test_")
	if err != nil {
		t.Fatal(err)
	}
	b, dropB, err := CreateDatabase(ctx, admin, "julo_test_")
	if err != nil {
		dropA()
		t.Fatal(err)
	}
	defer dropB()
	if a == b {
		t.Fatalf("two databases at %s", a)
	}
	ua, _ := url.Parse(a)
	name := strings.TrimPrefix(ua.Path, "/")
	if !strings.HasPrefix(name, "julo_test_") || len(name) != len("julo_test_")+16 {
		t.Fatalf("database name %q", name)
	}
	db, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	var tables int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables)
	db.Close()
	if err != nil || tables != 0 {
		t.Fatalf("new database: %d tables, %v", tables, err)
	}
	if err := dropA(); err != nil {
		t.Fatal(err)
	}
	if err := dropA(); err != nil {
		t.Fatalf("dropping again: %v", err)
	}
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	var n int
	if err := adb.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after drop: %d databases named %s, %v", n, name, err)
	}
}

func TestCreateDatabaseRefusesANonPostgresURLWithoutQuotingIt(t *testing.T) {
	_, _, err := CreateDatabase(context.Background(), "host=db password=sekret", "julo_test_")
	if err == nil || strings.Contains(err.Error(), "sekret") {
		t.Fatalf("got %v", err)
	}
}
