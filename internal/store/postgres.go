package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

const (
	// pgMaxConns bounds the pool unless the URL sets pool_max_conns. Every
	// store operation is one short transaction, so a few connections per
	// core serve many requests, and several instances stay far below the
	// server's max_connections (100 by default).
	pgMaxConns = 16
	// pgConnectTimeout applies unless the URL sets connect_timeout, so an
	// unreachable server fails startup instead of hanging it.
	pgConnectTimeout = 10 * time.Second
)

// openPostgres opens a pool on the PostgreSQL server of rawURL (pgx's URL
// form, including its pool_max_conns, pool_max_conn_lifetime and
// pool_max_conn_idle_time parameters) and checks that it answers.
func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	// pgxpool's parser understands the pool_* parameters (and removes them
	// from what is sent to the server); the pool itself is database/sql's,
	// so that the store code is the same for both dialects.
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database url %s: %w", redactURL(rawURL), scrub(err, rawURL))
	}
	u, _ := url.Parse(rawURL)
	var query url.Values
	if u != nil {
		query = u.Query()
	}
	if !query.Has("connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = pgConnectTimeout
	}
	maxConns := pgMaxConns
	if query.Has("pool_max_conns") {
		maxConns = int(cfg.MaxConns)
	}
	db := stdlib.OpenDB(*cfg.ConnConfig)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	// Recycling connections lets a failover or a pgbouncer restart heal,
	// and returns the server's per-connection memory now and then.
	db.SetConnMaxLifetime(cfg.MaxConnLifetime)
	db.SetConnMaxIdleTime(cfg.MaxConnIdleTime)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to %s: %w", redactURL(rawURL), scrub(err, rawURL))
	}
	return &DB{w: db, r: newReadPool(db, false), dialect: postgresDialect}, nil
}

// scrub returns err, or an error with the same text less the passwords of
// rawURL when its text shows one. pgx redacts its own messages; this guards
// against a message that quotes the URL some other way.
func scrub(err error, rawURL string) error {
	msg := err.Error()
	clean := msg
	for _, secret := range urlSecrets(rawURL) {
		clean = strings.ReplaceAll(clean, secret, "REDACTED")
		if dec, derr := url.QueryUnescape(secret); derr == nil {
			clean = strings.ReplaceAll(clean, dec, "REDACTED")
		}
	}
	if clean == msg {
		return err
	}
	return errors.New(clean)
}
