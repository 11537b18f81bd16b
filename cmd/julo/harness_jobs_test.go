package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// settle waits until the server has run every background job that is due
// by its (test) clock: none available, running or pending, and none
// scheduled or waiting to be retried for a time already reached. It reads
// River's table, so that a test can move the clock, settle, and then read
// a status once. River moves scheduled jobs to available on its scheduler's
// interval (5 s of real time), so settling can take that long.
func (s *testServer) settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		due, err := s.dueJobs()
		if err != nil {
			t.Fatal(err)
		}
		if due == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d background jobs still due after 30 s: %s", due, s.jobDump())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dueJobs counts the jobs due by the server's clock that have not finished.
func (s *testServer) dueJobs() (int, error) {
	rows, err := s.sqlDB().Query(`SELECT state, scheduled_at FROM river_job
		WHERE state NOT IN ('completed', 'cancelled', 'discarded')`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	now := s.Clock.Now()
	due := 0
	for rows.Next() {
		var state string
		var at time.Time
		if err := rows.Scan(&state, &at); err != nil {
			return 0, err
		}
		// River fetches a job once its scheduled_at is reached by the
		// server's clock, whatever its state says (the inserting client
		// judges "scheduled" by the system clock).
		if state == "running" || state == "pending" || !at.After(now) {
			due++
		}
	}
	return due, rows.Err()
}

// jobDump describes River's unfinished jobs and leader, for a failure.
func (s *testServer) jobDump() string {
	var leader string
	s.sqlDB().QueryRow(`SELECT leader_id FROM river_leader`).Scan(&leader)
	return s.describeJobs("state NOT IN ('completed', 'cancelled', 'discarded')") +
		fmt.Sprintf("\n  clock %s, leader %q", s.Clock.Now().Format(time.RFC3339Nano), leader)
}

// jobDumpAll describes every job, finished or not, for a failure.
func (s *testServer) jobDumpAll() string { return s.describeJobs("true") }

// describeJobs lists the jobs that match the SQL condition where.
func (s *testServer) describeJobs(where string) string {
	var b strings.Builder
	rows, err := s.sqlDB().Query(`SELECT id, kind, state, attempt, scheduled_at, COALESCE(CAST(errors AS TEXT), '') FROM river_job
		WHERE ` + where + ` ORDER BY id`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	for rows.Next() {
		var id, attempt int64
		var kind, state, errs string
		var at time.Time
		rows.Scan(&id, &kind, &state, &attempt, &at, &errs)
		fmt.Fprintf(&b, "\n  job %d %s %s attempt %d at %s errors %s", id, kind, state, attempt, at.UTC().Format(time.RFC3339Nano), errs)
	}
	return b.String()
}

// countWhere counts the rows of table that match the SQL condition where.
func (s *testServer) countWhere(table, where string) int {
	s.t.Helper()
	var n int
	if err := s.sqlDB().QueryRow("SELECT COUNT(*) FROM " + table + " WHERE " + where).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}
