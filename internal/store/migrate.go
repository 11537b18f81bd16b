package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrations embed.FS

// goSteps are migrations' parts written in Go, run right after the SQL of
// their version in its transaction: what SQL cannot do, such as sealing
// existing rows with the keys.
var goSteps = map[int]func(context.Context, *DB, *sql.Tx) error{
	11: sealExistingRows,
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/<dialect>/NNNN_name.sql in order.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations of %s: expected version %d, found %d", dialect, i+1, m.version)
		}
	}
	return out, nil
}

// Migrate applies pending migrations, each in its own transaction together
// with its row in schema_migrations, so a crash leaves the schema at a
// version boundary. Several processes may call it at once: each transaction
// first excludes the others (SQLite's write lock, PostgreSQL's advisory
// lock) and then re-reads the applied versions, so each migration is applied
// once. It refuses a database newer than this program.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	all, err := loadMigrations(db.dialect.name)
	if err != nil {
		return 0, err
	}
	// Under the lock too: on PostgreSQL two concurrent CREATE TABLE IF NOT
	// EXISTS can both find no table and one then fails on the catalog's
	// unique index.
	err = db.migrationTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at BIGINT  NOT NULL)`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("creating schema_migrations: %w", err)
	}
	// River's tables, after ours at every start: its migrator re-reads
	// what is applied under our lock and applies only what is missing.
	// applied counts ours only (schema_version is ours).
	defer func() {
		if err != nil {
			return
		}
		_, err = db.migrateRiver(ctx)
	}()
	for _, m := range all {
		err := db.migrationTx(ctx, func(tx *sql.Tx) error {
			var current int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
				return err
			}
			if current > len(all) {
				return fmt.Errorf("the database is at schema version %d but this program knows only %d: run a newer julo", current, len(all))
			}
			if current >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
			}
			if step := goSteps[m.version]; step != nil {
				if err := step(ctx, db, tx); err != nil {
					return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, time.Now().UnixMilli()); err != nil {
				return err
			}
			applied++
			return nil
		})
		if err != nil {
			return applied, err
		}
	}
	if applied > 0 && db.dialect.name == "sqlite" {
		// A migration may have rewritten tables of personal data (0012):
		// their old pages' images must not linger in the WAL.
		if _, err := db.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return applied, fmt.Errorf("checkpointing the WAL: %w", err)
		}
	}
	return applied, nil
}

// migrationTx runs fn in a write transaction that first takes the dialect's
// migration lock, held until the transaction ends.
func (db *DB) migrationTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if db.dialect.migrationLock != "" {
			if _, err := tx.ExecContext(ctx, db.dialect.migrationLock); err != nil {
				return fmt.Errorf("taking the migration lock: %w", err)
			}
		}
		return fn(tx)
	})
}

// SchemaVersion returns the newest applied migration and the newest this
// program knows.
func (db *DB) SchemaVersion(ctx context.Context) (have, want int, err error) {
	all, err := loadMigrations(db.dialect.name)
	if err != nil {
		return 0, 0, err
	}
	err = db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have)
	return have, len(all), err
}
