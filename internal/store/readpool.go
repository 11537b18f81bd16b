package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// readPool is the pool reads go through. On SQLite it keeps each query's
// prepared statement: modernc's SQLite parses a query's text on every
// call, which was half the time of an application status read (issue 17's
// profile: sqlite3RunParser 54%). database/sql prepares a kept statement
// once per connection and SQLite re-prepares it after a schema change by
// itself. On PostgreSQL the driver keeps prepared statements per
// connection already, so nothing is kept here (cache false).
//
// The queries are the code's constants, and a few built from filters; at
// most maxKeptStatements are kept, the rest run as before. A query that
// does not prepare (a missing table before the migrations) runs as before
// too, and so fails with its own error.
type readPool struct {
	*sql.DB
	cache bool

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const maxKeptStatements = 1024

func newReadPool(db *sql.DB, cache bool) *readPool {
	return &readPool{DB: db, cache: cache, stmts: map[string]*sql.Stmt{}}
}

// stmt returns query's kept statement, preparing it on first use; nil
// when it is not kept.
func (p *readPool) stmt(ctx context.Context, query string) *sql.Stmt {
	if !p.cache {
		return nil
	}
	p.mu.RLock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxKeptStatements
	p.mu.RUnlock()
	if ok || full {
		return st
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if have, ok := p.stmts[query]; ok { // prepared meanwhile by another
		st.Close()
		return have
	}
	if len(p.stmts) >= maxKeptStatements {
		st.Close()
		return nil
	}
	p.stmts[query] = st
	return st
}

// QueryContext runs query through its kept statement when there is one.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query through its kept statement when there is one.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// readTxQuerier is a read transaction that runs its queries through the
// pool's kept statements (the transaction's copy of each, which
// database/sql closes with the transaction).
type readTxQuerier struct {
	*sql.Tx
	pool *readPool
}

func (q readTxQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.pool.stmt(ctx, query); st != nil {
		return q.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return q.Tx.QueryContext(ctx, query, args...)
}

func (q readTxQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.pool.stmt(ctx, query); st != nil {
		return q.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return q.Tx.QueryRowContext(ctx, query, args...)
}

// Close closes the kept statements and the pool.
func (p *readPool) Close() error {
	p.mu.Lock()
	var errs []error
	for q, st := range p.stmts {
		errs = append(errs, st.Close())
		delete(p.stmts, q)
	}
	p.mu.Unlock()
	return errors.Join(append(errs, p.DB.Close())...)
}
