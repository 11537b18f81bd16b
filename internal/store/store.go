// Package store implements the domain's storage on database/sql, on SQLite
// (pure Go, the embedded default) and on PostgreSQL (pgx). The SQL is written
// once, portably ($N placeholders, RETURNING, ON CONFLICT, no functions of
// one database only); what differs lives in dialect.go and in the
// migrations/<dialect> folders, which keep the same numbers and names.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"modernc.org/sqlite" // also registers the "sqlite" driver
)

// DB is the store. Writes go through w, reads through r: for SQLite a pool of
// read-only connections beside the single writer, for PostgreSQL one pool
// (w == r).
type DB struct {
	w       *sql.DB
	r       *readPool // on PostgreSQL over the same pool as w
	dialect dialect

	// rand makes event ids, customer keys and nonces; nil: crypto/rand.
	rand io.Reader

	// pii seals personal data and makes blind indexes (pii.go); nil until
	// SetKeys.
	pii *piiKeys

	insertState
}

// Open opens the database named by url: empty for SQLite in dataDir/julo.db,
// sqlite:PATH for another SQLite file, postgres:// or postgresql:// for
// PostgreSQL. It does not migrate; call Migrate. Its errors never show the
// URL's password.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	switch {
	case url == "" || strings.HasPrefix(url, "sqlite:") || strings.HasPrefix(url, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("creating data dir: %w", err)
			}
			path = filepath.Join(dataDir, "julo.db")
		}
		return openSQLite(ctx, path)
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	default:
		return nil, fmt.Errorf("database url %q: use an empty value (SQLite in the data dir), sqlite:PATH or postgres://", redactURL(url))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := privateDatabaseFiles(path); err != nil {
		return nil, err
	}
	// WAL lets readers run beside the writer; synchronous=FULL makes a commit
	// durable before we answer 2xx; busy_timeout lets the CLI and the server
	// share the file; _txlock=immediate takes the write lock at BEGIN so a
	// read-modify-write transaction cannot fail half-way on a lock upgrade.
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	// secure_delete zeroes what a write frees (deleted rows, dropped
	// columns, erased customers' data) instead of leaving it in free pages.
	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// SQLite has one writer at a time: one connection queues writers in Go
	// instead of making them spin on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Processes opening a new file together race to switch it to WAL, and
	// that switch can fail with SQLITE_BUSY without waiting on busy_timeout:
	// try again a few times.
	for try := 0; ; try++ {
		err = w.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || try == 20 || !errors.As(err, &se) || se.Code()&0xff != 5 { // SQLITE_BUSY
			break
		}
		select {
		case <-time.After(time.Duration(10*(try+1)) * time.Millisecond):
		case <-ctx.Done():
		}
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	// Readers need not set the journal mode: WAL stays with the file once
	// the writer has set it.
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{w: w, r: newReadPool(r, true), dialect: sqliteDialect}, nil
}

// privateDatabaseFiles creates the SQLite file 0600 before SQLite does
// (SQLite gives its -wal and -shm files the mode of the database file, and
// would create it 0644), and takes group and other access away from an
// existing one and its -wal and -shm: they hold the customers' data.
func privateDatabaseFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
			if err := os.Chmod(p, perm&0o700); err != nil {
				return fmt.Errorf("making %s private (chmod 600): %w", p, err)
			}
		}
	}
	return nil
}

// Close closes the connections.
func (db *DB) Close() error {
	if db.r.DB == db.w {
		return db.w.Close()
	}
	return errors.Join(db.r.Close(), db.w.Close())
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// tx runs fn in one write transaction, committing on nil and rolling back
// otherwise (also on panic).
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	t, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			t.Rollback()
		}
	}()
	if err = fn(t); err != nil {
		return err
	}
	return t.Commit()
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func notFound(what string) error {
	return &julo.Error{Code: julo.ENOTFOUND, Err: fmt.Errorf("%s not found", what)}
}

// conflict turns a uniqueness violation into ECONFLICT with ReasonDuplicate
// naming the rule (julo.IsDuplicate); other errors pass through.
func (db *DB) conflict(err error) error {
	if key, ok := db.dialect.uniqueViolation(err); ok {
		return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonDuplicate, Unique: key, Err: err}
	}
	return err
}

// redactURL returns u with the password of its user info and of its
// password= and sslpassword= parameters replaced, for error messages.
func redactURL(u string) string {
	for _, secret := range urlSecrets(u) {
		u = strings.ReplaceAll(u, secret, "REDACTED")
	}
	return u
}

// urlSecrets returns the passwords written in u, parsed leniently so that a
// malformed URL (the one an error is about) is covered too.
func urlSecrets(u string) []string {
	var out []string
	rest := u
	if _, after, ok := strings.Cut(rest, "://"); ok {
		rest = after
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if _, pw, ok := strings.Cut(rest[:at], ":"); ok && pw != "" {
			out = append(out, pw)
		}
	}
	if _, query, ok := strings.Cut(u, "?"); ok {
		for _, kv := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' }) {
			k, v, _ := strings.Cut(kv, "=")
			if k = strings.ToLower(k); (k == "password" || k == "sslpassword") && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

var _ onboarding.Store = (*DB)(nil)
