package main

import (
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
)

// `julo worker` runs background jobs without the API: a job another
// process inserted is worked, and the process stops cleanly on a signal.
func TestWorkerCommandRunsJobsWithoutTheAPI(t *testing.T) {
	s := &testServer{t: t, Data: t.TempDir(), Clock: newClock(defaultNow()), logs: &logBuffer{lines: make(chan string, 1024)}}
	s.dbURL = testDatabaseURL(t)
	args := []string{"worker", "--data", s.Data, "--database-url", s.dbURL}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, args, func(string) string { return "" }, io.Discard, s.logs, hooks{now: s.Clock.Now, jobPoll: 50 * time.Millisecond})
	}()
	for working := false; !working; {
		select {
		case line := <-s.logs.lines:
			var m struct{ Msg string }
			working = json.Unmarshal([]byte(line), &m) == nil && m.Msg == "working"
		case err := <-done:
			t.Fatalf("worker exited: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("worker did not start")
		}
	}
	// Another process (here: the test) inserts a job: the sweep of a blob
	// that was never written, which completes at once.
	db, err := store.Open(context.Background(), s.dbURL, s.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Enqueue(context.Background(), julo.Scheduled{Job: onboarding.ImageSweepJob{Key: "images/1234567890/selfie/never.png"}, At: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	if n := s.countWhere("river_job", "kind = 'image_blob_sweep' AND state != 'completed'"); n != 0 {
		t.Fatalf("the job did not complete: %s", s.jobDumpAll())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not stop")
	}
	if s.countWhere("river_job", "true") > 1 {
		t.Fatal("more jobs than inserted")
	}
}
