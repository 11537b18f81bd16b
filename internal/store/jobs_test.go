package store

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/julo"
)

// testJob is a job of the tests' own kind.
type testJob struct {
	N int `json:"n"`
}

func (testJob) Kind() string { return "store_test_job" }

// runs counts each job's runs, across clients.
type runs struct {
	mu   sync.Mutex
	n    map[int]int
	fail map[int]int // fail the first k runs of job n
	done chan int
}

func newRuns() *runs { return &runs{n: map[int]int{}, fail: map[int]int{}, done: make(chan int, 1000)} }

func (r *runs) count(n int) int { r.mu.Lock(); defer r.mu.Unlock(); return r.n[n] }

type testWorker struct {
	river.WorkerDefaults[testJob]
	r *runs
}

func (w *testWorker) Work(ctx context.Context, j *river.Job[testJob]) error {
	w.r.mu.Lock()
	w.r.n[j.Args.N]++
	failing := w.r.n[j.Args.N] <= w.r.fail[j.Args.N]
	w.r.mu.Unlock()
	if failing {
		return errors.New("failing on purpose")
	}
	w.r.done <- j.Args.N
	return nil
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// startWorkers starts a River client with the test worker on db; it is
// stopped when the test ends.
func startWorkers(t *testing.T, db *DB, r *runs, clock *testClock) {
	t.Helper()
	db.SetClock(clock.now)
	ws := river.NewWorkers()
	river.AddWorker(ws, &testWorker{r: r})
	jobs, err := db.NewJobs(WorkerConfig{Workers: ws, Now: clock.now, PollInterval: 20 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := jobs.Stop(ctx); err != nil {
			t.Errorf("stopping workers: %v", err)
		}
	})
}

// testLogger logs River's warnings and errors into the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// waitRuns waits (bounded) until want jobs have completed.
func waitRuns(t *testing.T, r *runs, want int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for i := 0; i < want; i++ {
		select {
		case <-r.done:
		case <-deadline:
			t.Fatalf("%d of %d jobs completed after 30 s", i, want)
		}
	}
}

// jobState returns the River state and attempt of the one test job.
func jobState(t *testing.T, db *DB) (state string, attempt int) {
	t.Helper()
	if err := db.r.QueryRow(`SELECT state, attempt FROM river_job WHERE kind = 'store_test_job'`).Scan(&state, &attempt); err != nil {
		t.Fatal(err)
	}
	return state, attempt
}

// A job inserted in a transaction that rolls back never runs; one inserted
// in a transaction that commits runs exactly once.
func TestJobsRunOnlyWhenTheirTransactionCommits(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		clock := &testClock{t: at}
		r := newRuns()
		startWorkers(t, db, r, clock)
		rollback := errors.New("roll back")
		if err := db.tx(ctx, func(tx *sql.Tx) error {
			if err := db.enqueue(ctx, tx, julo.Scheduled{Job: testJob{N: 1}}); err != nil {
				return err
			}
			return rollback
		}); !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if err := db.tx(ctx, func(tx *sql.Tx) error { return db.enqueue(ctx, tx, julo.Scheduled{Job: testJob{N: 2}}) }); err != nil {
			t.Fatal(err)
		}
		waitRuns(t, r, 1)
		// Give a wrongly inserted or doubled job time to show itself.
		time.Sleep(300 * time.Millisecond)
		if r.count(1) != 0 || r.count(2) != 1 {
			t.Fatalf("rolled back job ran %d times, committed job %d times", r.count(1), r.count(2))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM river_job`); n > 1 {
			t.Fatalf("%d jobs stored, want at most the committed one (River may have cleaned it up)", n)
		}
	})
}

// A job scheduled for later runs when the clock reaches its time, not before.
func TestScheduledJobsWaitForTheirTime(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		clock := &testClock{t: at}
		r := newRuns()
		startWorkers(t, db, r, clock)
		if err := db.Enqueue(context.Background(), julo.Scheduled{Job: testJob{N: 1}, At: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if r.count(1) != 0 {
			t.Fatal("a job due in an hour ran at once")
		}
		clock.add(time.Hour)
		waitRuns(t, r, 1)
	})
}

// A failing job is retried with backoff: its second attempt comes only once
// the clock passes the backoff, and then it completes.
func TestFailingJobsAreRetriedWithBackoff(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		clock := &testClock{t: at}
		r := newRuns()
		r.fail[1] = 1
		startWorkers(t, db, r, clock)
		if err := db.Enqueue(context.Background(), julo.Scheduled{Job: testJob{N: 1}}); err != nil {
			t.Fatal(err)
		}
		// Wait for the failure to be recorded (River records it
		// asynchronously), bounded.
		deadline := time.Now().Add(30 * time.Second)
		for {
			if state, _ := jobState(t, db); r.count(1) > 0 && state != "running" || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		// The retry waits for its backoff (by River's clock, ours): the
		// state may say available (the completer judges by the database's
		// clock), but it is not fetched before its time.
		var retryAt time.Time
		if err := db.r.QueryRow(`SELECT scheduled_at FROM river_job`).Scan(&retryAt); err != nil {
			t.Fatal(err)
		}
		if state, attempt := jobState(t, db); r.count(1) != 1 || state != "retryable" && state != "available" || attempt != 1 ||
			!retryAt.After(clock.now()) {
			t.Fatalf("after the failure: %d runs, state %q attempt %d, retry at %s (now %s); want 1 run and a retry later",
				r.count(1), state, attempt, retryAt, clock.now())
		}
		var maxAttempts int
		db.r.QueryRow(`SELECT max_attempts FROM river_job`).Scan(&maxAttempts)
		if maxAttempts != JobMaxAttempts {
			t.Fatalf("max_attempts %d, want %d", maxAttempts, JobMaxAttempts)
		}
		// River's backoff after the first failure is about 1 s (attempt^4).
		clock.add(time.Minute)
		waitRuns(t, r, 1)
		if state, attempt := jobState(t, db); r.count(1) != 2 || attempt != 2 {
			t.Fatalf("after the retry: %d runs, state %q attempt %d", r.count(1), state, attempt)
		}
	})
}

// Two workers (as two server processes: each its own connections) on one
// database run every job exactly once between them.
func TestJobsRunExactlyOnceAcrossTwoProcesses(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		a, b := d.migrated(t), d.open(t)
		clock := &testClock{t: at}
		r := newRuns()
		startWorkers(t, a, r, clock)
		startWorkers(t, b, r, clock)
		const jobs = 40
		ctx := context.Background()
		for i := range jobs {
			db := a
			if i%2 == 1 {
				db = b
			}
			if err := db.Enqueue(ctx, julo.Scheduled{Job: testJob{N: i}}); err != nil {
				t.Fatal(err)
			}
		}
		waitRuns(t, r, jobs)
		time.Sleep(300 * time.Millisecond)
		for i := range jobs {
			if n := r.count(i); n != 1 {
				t.Fatalf("job %d ran %d times", i, n)
			}
		}
		// River records completions asynchronously (in batches): wait until
		// no job is unfinished. (River's cleaner may already have deleted
		// completed rows: it judges their age by the test's clock against
		// the database's.) Every job left must have completed at its
		// first attempt.
		unfinished := `SELECT COUNT(*) FROM river_job WHERE state != 'completed'`
		for deadline := time.Now().Add(20 * time.Second); count(t, a, unfinished) > 0; {
			if time.Now().After(deadline) {
				t.Fatalf("jobs still unfinished: %v", strings1(t, a, `SELECT state || ' attempt ' || attempt FROM river_job WHERE state != 'completed'`))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM river_job WHERE attempt != 1`); n != 0 {
			t.Fatalf("%d jobs took more than one attempt", n)
		}
	})
}

// A periodic job given to the workers is inserted on its schedule (by the
// elected leader) and run: later issues add one by adding its worker and
// its entry.
func TestPeriodicJobsRun(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		clock := &testClock{t: at}
		db.SetClock(clock.now)
		r := newRuns()
		ws := river.NewWorkers()
		river.AddWorker(ws, &testWorker{r: r})
		periodic := river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return testJob{N: 7}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
		jobs, err := db.NewJobs(WorkerConfig{Workers: ws, Periodic: []*river.PeriodicJob{periodic}, Now: clock.now, PollInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := jobs.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			jobs.Stop(ctx)
		}()
		waitRuns(t, r, 1)
		if r.count(7) != 1 {
			t.Fatalf("periodic job ran %d times", r.count(7))
		}
	})
}
