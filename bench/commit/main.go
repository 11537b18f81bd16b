// Command commit is the floor of the load benchmark's writes: a loop of
// single-row INSERTs, each its own committed transaction, on the same
// database and with the same durability settings as the server's store
// (SQLite: WAL, synchronous=FULL, secure_delete, one writer; PostgreSQL:
// the server's default fsync and synchronous_commit). Nothing the server
// writes durably can go faster than this on the machine; the benchmark
// prints each write phase next to it.
//
//	commit -sqlite DIR/floor.db -d 3s
//	commit -database-url postgres://... -d 3s -c 8
//
// It prints one line: "commits_per_s=N conns=C secs=S". The table it
// creates (bench_commit_floor) is dropped at the end.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func main() {
	path := flag.String("sqlite", "", "SQLite file to create for the loop (removed at the end)")
	url := flag.String("database-url", "", "PostgreSQL URL (a table is created and dropped in it)")
	d := flag.Duration("d", 3*time.Second, "how long the loop runs (at most 60s)")
	conns := flag.Int("c", 1, "concurrent writers (PostgreSQL; SQLite has one writer)")
	flag.Parse()
	if err := run(*path, *url, *d, *conns); err != nil {
		log.Fatal(err)
	}
}

func run(path, url string, d time.Duration, conns int) error {
	if d <= 0 || d > time.Minute || conns < 1 || conns > 64 {
		return errors.New("use -d 1ms..60s and -c 1..64")
	}
	var db *sql.DB
	var err error
	switch {
	case path != "" && url == "":
		// The store's writer: see internal/store/store.go openSQLite.
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"+
			"&_pragma=synchronous(FULL)&_pragma=secure_delete(1)&_txlock=immediate")
		conns = 1
		defer os.Remove(path)
		defer os.Remove(path + "-wal")
		defer os.Remove(path + "-shm")
	case url != "" && path == "":
		db, err = sql.Open("pgx", url)
	default:
		return errors.New("give -sqlite PATH or -database-url URL")
	}
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(conns)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_commit_floor (id BIGINT PRIMARY KEY, at BIGINT NOT NULL, payload TEXT NOT NULL)`); err != nil {
		return err
	}
	defer db.ExecContext(ctx, `DROP TABLE bench_commit_floor`)
	var next, done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start := time.Now()
	deadline := start.Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				id := next.Add(1)
				if _, err := db.ExecContext(ctx, `INSERT INTO bench_commit_floor (id, at, payload) VALUES ($1, $2, $3)`,
					id, time.Now().UnixMilli(), "a row the size of a small status change"); err != nil {
					errs <- err
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("commits_per_s=%.0f conns=%d secs=%.1f\n", float64(done.Load())/secs, conns, secs)
	return nil
}
