package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var cbBenchData struct {
	once sync.Once
	dir  string
	err  error
}

// BenchmarkCallbackDeliveries measures the deliveries per second one
// instance sustains against a receiver on 127.0.0.1 that answers 204 at
// once: b.N redeliveries of one event are queued over HTTP (8 at a time)
// while the server's workers deliver them; each delivery is its River job,
// one signed POST and its recorded attempt. deliveries/s counts from the
// first callback to the last, so it is the workers' rate while the queue
// is fed faster than it drains. SQLite in a temp dir; PostgreSQL with
// JULO_BENCH_DATABASE_URL; JULO_BENCH_JOB_WORKERS sets --job-workers
// (default 4, the server's).
//
//	go test -run x -bench CallbackDeliveries -benchtime 2000x ./cmd/julo
func BenchmarkCallbackDeliveries(b *testing.B) {
	db := os.Getenv("JULO_BENCH_DATABASE_URL")
	// One data dir for every run of the process: its sandbox keys are the
	// ones a PostgreSQL database was first used with.
	cbBenchData.once.Do(func() { cbBenchData.dir, cbBenchData.err = os.MkdirTemp("", "julo-cb-bench-") })
	if cbBenchData.err != nil {
		b.Fatal(cbBenchData.err)
	}
	data := cbBenchData.dir
	workers := os.Getenv("JULO_BENCH_JOB_WORKERS")
	if workers == "" {
		workers = "4"
	}
	run := time.Now().UnixNano()
	partner := fmt.Sprintf("cb-bench-%d", run)
	env := func(k string) string { return generousBudgets[k] }
	var count atomic.Int64
	var first, last atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		last.Store(now)
		count.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	cli := func(args ...string) []byte {
		var out bytes.Buffer
		if err := runWith(context.Background(), append(args, "--data", data, "--database-url", db), env, &out, io.Discard, hooks{}); err != nil {
			b.Fatal(err)
		}
		return out.Bytes()
	}
	var p struct {
		SecretKey string `json:"secret_key"`
	}
	json.Unmarshal(cli("partner", "create", partner), &p)
	cli("partner", "webhook", partner, "--url", recv.URL+"/hook")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logBuffer{lines: make(chan string, 16)}
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--database-url", db, "--job-workers", workers},
			env, io.Discard, logs, hooks{})
	}()
	defer func() { cancel(); <-done }()
	var base string
	for base == "" {
		select {
		case line := <-logs.lines:
			var m struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "listening" {
				base = "http://" + m.Addr + "/api/partnership/v1"
			}
		case err := <-done:
			b.Fatal(err)
		}
	}
	call := func(method, path string, body []byte, want int) []byte {
		r, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		r.Header.Set("username", partner)
		r.Header.Set("secret-key", p.SecretKey)
		r.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
		}
		return got
	}
	nik := fmt.Sprintf("31%02d%02d0101920001", 1+run%99, 1+(run/99)%99)
	call("POST", "/customer", []byte(fmt.Sprintf(`{"username": %q, "pin": "482915", "email": "cb%d@test.com", "latitude": -6.2, "longitude": 106.8}`,
		nik, run)), 201)
	var page struct {
		Data struct {
			Events []struct {
				ID string `json:"event_id"`
			} `json:"events"`
		} `json:"data"`
	}
	json.Unmarshal(call("GET", "/events", nil, 200), &page)
	if len(page.Data.Events) != 1 {
		b.Fatalf("events: %+v", page)
	}
	id := page.Data.Events[0].ID
	wait := func(n int64) {
		deadline := time.Now().Add(10 * time.Minute)
		for count.Load() < n {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d callbacks", count.Load(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	wait(1)
	first.Store(0)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				call("POST", "/events/"+id+"/redeliver", nil, 202)
			}
		}()
	}
	wg.Wait()
	queued := time.Since(start)
	wait(int64(b.N) + 1)
	total := time.Since(start)
	b.StopTimer()
	span := time.Duration(last.Load() - first.Load())
	b.ReportMetric(float64(b.N)/span.Seconds(), "deliveries/s")
	b.ReportMetric(float64(b.N)/queued.Seconds(), "queued/s")
	b.ReportMetric(float64(b.N)/total.Seconds(), "end-to-end/s")
}
