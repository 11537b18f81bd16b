package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/julo-partnership/julo/internal/julo"
)

// Background work runs on River, on the same database and the same
// connections as the store: on SQLite through riversqlite over the single
// writer connection (SQLite has one writer; River's own operations queue
// behind ours instead of failing with SQLITE_BUSY), on PostgreSQL through
// riverdatabasesql over the pgx pool. Jobs are inserted with InsertTx in the
// transaction of the change that causes them, so a rolled-back change never
// runs its job and a committed one always does.

// driver returns River's driver for the dialect, on the writer pool.
func (db *DB) driver() riverdriver.Driver[*sql.Tx] {
	if db.dialect.name == "postgres" {
		return riverdatabasesql.New(db.w)
	}
	return riversqlite.New(db.w)
}

// migrateRiver applies River's own migrations, one version per
// transaction under our migration lock, so that instances starting together
// migrate once. One at a time because PostgreSQL cannot use an enum value
// in the transaction that added it (River's 004 adds one, 006 uses it).
func (db *DB) migrateRiver(ctx context.Context) (int, error) {
	m, err := db.riverMigrator()
	if err != nil {
		return 0, err
	}
	applied := 0
	for {
		var n int
		err := db.migrationTx(ctx, func(tx *sql.Tx) error {
			res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if err != nil {
				return err
			}
			n = len(res.Versions)
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("river migrations: %w", err)
		}
		if n == 0 {
			return applied, nil
		}
		applied += n
	}
}

func (db *DB) riverMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	return rivermigrate.New(db.driver(), &rivermigrate.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// JobMaxAttempts bounds how often a failing job runs: with River's backoff
// (attempt^4 seconds, 1 + 16 + ... + 6561 s) the last of 10 attempts comes
// about 4.3 hours after the first. Then the job is discarded and kept for
// inspection.
const JobMaxAttempts = 10

// inserter is an insert-only River client (no queues, no workers), made on
// first use: every store operation that causes background work inserts
// through it.
func (db *DB) inserter() (*river.Client[*sql.Tx], error) {
	db.insertOnce.Do(func() {
		db.insertClient, db.insertErr = river.NewClient(db.driver(), &river.Config{
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
			MaxAttempts: JobMaxAttempts,
			// Workers live in another package and may not be registered
			// in this process (the CLI inserts, `julo worker` runs them).
			SkipUnknownJobCheck: true,
		})
	})
	return db.insertClient, db.insertErr
}

// enqueue inserts jobs in tx: they run after it commits, never if it rolls
// back.
func (db *DB) enqueue(ctx context.Context, tx *sql.Tx, jobs ...julo.Scheduled) error {
	if len(jobs) == 0 {
		return nil
	}
	c, err := db.inserter()
	if err != nil {
		return err
	}
	for _, j := range jobs {
		opts := &river.InsertOpts{}
		if now := db.clock.Load(); j.At.IsZero() && now != nil {
			j.At = (*now)()
		}
		if !j.At.IsZero() {
			opts.ScheduledAt = j.At
		}
		if _, err := c.InsertTx(ctx, tx, j.Job, opts); err != nil {
			return fmt.Errorf("enqueueing %s: %w", j.Job.Kind(), err)
		}
	}
	return nil
}

// Enqueue inserts jobs in a transaction of their own (work that no state
// change causes, such as an operator's request).
func (db *DB) Enqueue(ctx context.Context, jobs ...julo.Scheduled) error {
	return db.tx(ctx, func(tx *sql.Tx) error { return db.enqueue(ctx, tx, jobs...) })
}

// WorkerConfig configures the River client that runs jobs.
type WorkerConfig struct {
	// Workers are the registered workers (river.AddWorker).
	Workers *river.Workers
	// Periodic jobs to insert on their schedules (the leader inserts them).
	Periodic []*river.PeriodicJob
	// MaxWorkers bounds the jobs run at once by this process.
	MaxWorkers int
	// JobTimeout bounds one run of a job (its context is cancelled then);
	// 0: a minute.
	JobTimeout time.Duration
	// Now, when set, is the clock River schedules and fetches by (tests
	// move it); nil: the system clock and the database's.
	Now func() time.Time
	// PollInterval is how often to look for jobs that became due; 0: 1 s.
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Jobs runs background work: a River client with workers, on this store's
// database. Start it with Start and stop it with Stop.
type Jobs struct {
	client *river.Client[*sql.Tx]
}

// NewJobs returns a River client that runs cfg's workers on the default
// queue.
func (db *DB) NewJobs(cfg WorkerConfig) (*Jobs, error) {
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 4
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	rc := &river.Config{
		Logger:       cfg.Logger,
		Workers:      cfg.Workers,
		PeriodicJobs: cfg.Periodic,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		JobTimeout:   cfg.JobTimeout,
		// A job still running this long after it started was cut off by
		// a crash (SIGKILL, a lost machine): run it again. Well above
		// every job's timeout, so that no job is ever run twice at once.
		RescueStuckJobsAfter: rescueAfter(cfg.JobTimeout),
		FetchPollInterval:    cfg.PollInterval,
	}
	if cfg.PollInterval > 0 && cfg.PollInterval < river.FetchCooldownDefault {
		rc.FetchCooldown = cfg.PollInterval
	}
	if cfg.Now != nil {
		rc.Test.Time = clock(cfg.Now)
		// River's job cleaner judges a finished job's age by the system
		// clock, not this one: with a clock behind it (tests start on a
		// fixed date) it would delete jobs the moment they finish, under a
		// test that reads them. Keep them (-1: forever).
		rc.CompletedJobRetentionPeriod, rc.CancelledJobRetentionPeriod, rc.DiscardedJobRetentionPeriod = -1, -1, -1
	}
	c, err := river.NewClient(db.driver(), rc)
	if err != nil {
		return nil, err
	}
	return &Jobs{client: c}, nil
}

// Start starts fetching and running jobs.
func (j *Jobs) Start(ctx context.Context) error { return j.client.Start(ctx) }

// Stop stops fetching and lets running jobs finish until ctx ends; then it
// cancels their contexts and waits up to 10 more seconds for them to
// return. A job cut off this way is run again later (its row stays
// running until River rescues it). The error is that of the final stop.
func (j *Jobs) Stop(ctx context.Context) error {
	err := j.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return j.client.StopAndCancel(hard)
	}
	return err
}

// logFailures logs every failed run of a job at warning level (River logs
// them at info): the job's kind, id and attempt and the error, never its
// arguments. The domain's errors carry codes, message ids and references,
// no personal data.
type logFailures struct{ log *slog.Logger }

func (l logFailures) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	l.log.WarnContext(ctx, "job failed", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt,
		"max_attempts", job.MaxAttempts, "error", err.Error())
	return nil
}

func (l logFailures) HandlePanic(ctx context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	l.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt,
		"panic", fmt.Sprint(v), "trace", trace)
	return nil
}

// rescueAfter is how long a running job may go unfinished before it is
// taken to be cut off by a crash.
func rescueAfter(jobTimeout time.Duration) time.Duration {
	return max(5*time.Minute, 3*jobTimeout)
}

// clock adapts an injected clock to River's time generator.
type clock func() time.Time

func (c clock) Now() time.Time { return c().UTC() }

func (c clock) NowOrNil() *time.Time { t := c().UTC(); return &t }

var _ rivertype.TimeGenerator = clock(nil)

// SetClock makes now the time jobs enqueued for "as soon as possible" are
// scheduled at, for tests whose workers run on a clock they move (see
// WorkerConfig.Now); without it River stamps them with the system clock.
func (db *DB) SetClock(now func() time.Time) { db.clock.Store(&now) }

// insertState is kept on DB for the insert-only client.
type insertState struct {
	clock        atomic.Pointer[func() time.Time]
	insertOnce   sync.Once
	insertClient *river.Client[*sql.Tx]
	insertErr    error
}
