package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/console"
	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/store"
)

// consoleBenchApps is how many applications the list's benchmark holds.
const consoleBenchApps = 100_000

var consoleBench struct {
	once sync.Once
	url  string
	c    *http.Client
	err  error
}

// BenchmarkConsoleApplicationsList renders the console's applications list
// (its first page, a filtered page and a page deep in the list) with
// 100,000 applications in a SQLite database: one request per iteration,
// through a logged-in session (the session's read and touch included),
// the HTML rendered in full.
//
//	go test -run x -bench ConsoleApplicationsList -benchtime 200x ./cmd/julo
func BenchmarkConsoleApplicationsList(b *testing.B) {
	consoleBench.once.Do(func() { consoleBench.url, consoleBench.c, consoleBench.err = consoleBenchServer(b.TempDir()) })
	if consoleBench.err != nil {
		b.Fatal(consoleBench.err)
	}
	for _, c := range []struct{ name, path string }{
		{"first-page", "/applications"},
		{"status-125", "/applications?status=125"},
		{"deep-page", fmt.Sprintf("/applications?before=%d", consoleBenchApps/2)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := consoleBench.c.Get(consoleBench.url + c.path)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || strings.Count(string(body), `<tr><td><a href="/applications/`) != 50 {
					b.Fatalf("%s: %d, %d rows", c.path, resp.StatusCode, strings.Count(string(body), `<tr><td><a href="/applications/`))
				}
			}
		})
	}
}

// consoleBenchServer makes the database (a partner, a customer and its
// applications, every tenth at 125) and a console with a logged-in admin.
func consoleBenchServer(dir string) (string, *http.Client, error) {
	ctx := context.Background()
	keys, err := keyring.Load(false, dir, func(string) string { return "" })
	if err != nil {
		return "", nil, err
	}
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		return "", nil, err
	}
	if err := db.SetKeys(keys); err != nil {
		return "", nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return "", nil, err
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "julo.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return "", nil, err
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		return "", nil, err
	}
	const at = int64(1_795_000_000_000)
	if _, err := tx.Exec(`INSERT INTO partners (id, username, created_at) VALUES (1, 'bench', $1)`, at); err != nil {
		return "", nil, err
	}
	if _, err := tx.Exec(`INSERT INTO customers (id, partner_id, pin_hash, pin_key_id, created_at) VALUES (1, 1, 'x', 'k', $1)`, at); err != nil {
		return "", nil, err
	}
	ins, err := tx.Prepare(`INSERT INTO applications (id, xid, partner_id, customer_id, status, created_at, updated_at) VALUES ($1, $2, 1, 1, $3, $4, $4)`)
	if err != nil {
		return "", nil, err
	}
	for i := 1; i <= consoleBenchApps; i++ {
		status := 105
		if i%10 == 0 {
			status = 125
		}
		if _, err := ins.Exec(i, 2_000_000_000+i, status, at+int64(i)*1000); err != nil {
			return "", nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return "", nil, err
	}
	office := backoffice.New(backoffice.Deps{Store: db, Policy: backoffice.DefaultPolicy(false)})
	op, otp, err := office.CreateOperator(ctx, "bench@lender.example", backoffice.RoleAdmin)
	if err != nil {
		return "", nil, err
	}
	if err := db.SetOperatorPassword(ctx, op.ID, mustHash(otp), false, office.Now()); err != nil {
		return "", nil, err
	}
	con, err := console.New(console.Deps{Office: office, Reads: consoleReads{db, nil, time.Now}, LoanReads: db, Policy: credit.Policy{}})
	if err != nil {
		return "", nil, err
	}
	srv := httptest.NewServer(con)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"email": {op.Email}, "password": {otp}})
	if err != nil {
		return "", nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" {
		return "", nil, fmt.Errorf("login: %s at %s", resp.Status, resp.Request.URL)
	}
	return srv.URL, c, nil
}

func mustHash(pw string) string {
	h, err := backoffice.HashPassword(strings.NewReader(strings.Repeat("s", 16)), pw)
	if err != nil {
		panic(err)
	}
	return h
}
