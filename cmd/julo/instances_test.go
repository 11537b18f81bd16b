package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// juloBinary builds the real program once for the tests that run it as
// separate processes.
func juloBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "julo-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "julo")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building julo: %v", buildErr)
	}
	return binPath
}

// startProcess runs `julo serve` as its own process and returns its URL; it
// is stopped with SIGTERM when the test ends and must exit cleanly.
func startProcess(t *testing.T, args ...string) string {
	t.Helper()
	return startProcessEnv(t, nil, args...)
}

// startProcessEnv is startProcess with env ("K=V") added to the process's
// environment.
func startProcessEnv(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd, u := launchProcessEnv(t, env, args...)
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("instance exited with %v", err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("instance did not stop")
		}
	})
	return u
}

// launchProcess starts `julo serve` as its own process and returns it with
// its URL once it listens; the caller stops it.
func launchProcess(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	return launchProcessEnv(t, nil, args...)
}

func launchProcessEnv(t *testing.T, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(juloBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, testBlobEnv()...) // the S3 credentials, if any
	// Generous budgets, as startServer's (flags win over them).
	cmd.Env = append(cmd.Env, generousBudgetEnv()...)
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Msg == "listening" {
				addr <- m.Addr
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, "http://" + a
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("instance did not start")
		return nil, ""
	}
}

// Two server processes on one PostgreSQL database and one blob store keep
// every rule together: nothing another instance needs lives in one
// process's memory.
func TestTwoInstancesShareEverything(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	data := t.TempDir() // shared: the sandbox keys and, without S3, the files
	args := []string{"--data", data, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	p := createPartnerIn(t, args)
	a := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	b := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}

	// The same NIK registered on both at once: exactly one wins, each round.
	for round := 0; round < 5; round++ {
		nik := "32030201019300" + strconv.Itoa(10+round)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, s := range []*testServer{a, b} {
			wg.Add(1)
			go func(i int, s *testServer) {
				defer wg.Done()
				statuses[i] = s.doStatus(req{Method: "POST", Path: "/api/partnership/v1/customer", Body: map[string]any{
					"username": nik, "pin": "482915", "email": "r" + strconv.Itoa(round) + "-" + strconv.Itoa(i) + "@test.com",
					"latitude": -6.2, "longitude": 106.8}})
			}(i, s)
		}
		wg.Wait()
		if !(statuses[0] == 201 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 201) {
			t.Fatalf("round %d: statuses %v, want one 201 and one 409", round, statuses)
		}
	}

	xid := a.newApplication(t)
	// OTP limits are shared: a send on A makes an immediate resend on B wait.
	a.sendOTP(xid, "081234567899").expect(t, 200)
	b.sendOTP(xid, "081234567899").expect(t, 429, "kirim ulang")
	// Failure counts are shared: 3 wrong tries on A and 2 on B burn the code.
	code := b.lastCode(t, "081234567899")
	wrong := strconv.Itoa((mustAtoi(code)+1)%1000000 + 1000000)[1:]
	for i := 0; i < 3; i++ {
		a.validateOTP(xid, wrong).expect(t, 400)
	}
	b.validateOTP(xid, wrong).expect(t, 400, "sisa 1 percobaan")
	b.validateOTP(xid, wrong).expect(t, 400, "tidak berlaku lagi")
	a.validateOTP(xid, code).expect(t, 400, "tidak ada kode OTP aktif")

	// An image uploaded on one is listed and served by the other.
	a.uploadImage(t, xid, "ktp_self").expect(t, 200)
	var imgs []struct {
		Type string `json:"image_type"`
		URL  string `json:"url"`
	}
	b.do(req{Method: "GET", Path: "/api/partnership/v1/applications/" + xid + "/images"}).expect(t, 200).decodeData(t, &imgs)
	if len(imgs) != 1 || imgs[0].Type != "ktp_self" {
		t.Fatalf("B lists %+v", imgs)
	}
	hr, _ := http.NewRequest("GET", b.URL+imgs[0].URL, nil)
	hr.Header.Set("username", "acme")
	hr.Header.Set("secret-key", p.SecretKey)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, pngBytes(t)) {
		t.Fatalf("B serves %d, %d bytes", resp.StatusCode, len(got))
	}

	// Background jobs: sandbox imports started on both instances play out
	// (3 jobs each, due over 3 s of real time) with each job run exactly
	// once between the two processes' workers.
	var xids []string
	for i := 0; i < 6; i++ {
		s := []*testServer{a, b}[i%2]
		x := s.newApplication(t)
		s.startImport(x, url.Values{"data_type": {"bni"}, "credentials": {creds("sandbox_ok", "pw")}}).expect(t, 201)
		xids = append(xids, x)
	}
	waitJobs(t, a, "sandbox_bank_import", 6, 30*time.Second)
	if n := a.countWhere("river_job", "kind = 'sandbox_bank_import' AND state = 'completed' AND attempt = 1"); n != 6 {
		t.Fatalf("%d of 6 jobs completed at their first attempt: %s", n, a.jobDump())
	}
	if n := a.countWhere("events", "type = 'application.verification_changed' AND outcome = 'verified'"); n != 6 {
		t.Fatalf("%d verification events for 6 imports", n)
	}
	for _, x := range xids {
		if banks, _ := b.scrapingStatus(t, x); banks["bni"] != "verified" {
			t.Fatalf("%s: %v", x, banks)
		}
	}
}

// waitJobs waits (bounded) until n jobs of kind are completed, cancelled or
// discarded, and none of that kind is unfinished.
func waitJobs(t *testing.T, s *testServer, kind string, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	of := "kind = '" + kind + "' AND "
	for {
		done := s.countWhere("river_job", of+"state IN ('completed', 'cancelled', 'discarded')")
		if done >= n && s.countWhere("river_job", of+"state NOT IN ('completed', 'cancelled', 'discarded')") == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs finished after %s: %s", done, n, limit, s.jobDump())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A job pending when the server is killed (SIGKILL: no shutdown at all)
// runs after a restart: the jobs live in the database, not in the process.
func TestPendingJobsRunAfterTheServerIsKilled(t *testing.T) {
	data := t.TempDir()
	db := testDatabaseURL(t)
	args := []string{"--data", data, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	p := createPartnerIn(t, args)
	cmd, u := launchProcess(t, args...)
	s := &testServer{t: t, URL: u, Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	xid := s.newApplication(t)
	s.startImport(xid, url.Values{"data_type": {"bca"}, "credentials": {creds("sandbox_ok", "pw")}}).expect(t, 201)
	// The first event is due a second after the start: kill before it.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if n := s.countWhere("river_job", "state = 'completed'"); n != 0 {
		t.Skipf("the machine was too slow: %d jobs ran before the kill", n)
	}
	if n := s.countWhere("river_job", "kind = 'sandbox_bank_import'"); n != 1 {
		t.Fatalf("%d jobs stored, want 1", n)
	}
	s.URL = startProcess(t, args...)
	waitJobs(t, s, "sandbox_bank_import", 1, 30*time.Second)
	if banks, _ := s.scrapingStatus(t, xid); banks["bca"] != "verified" {
		t.Fatalf("after the restart: %v; jobs %s", banks, s.jobDumpAll())
	}
}

// createPartnerIn creates the partner "acme" with the CLI on the database
// and data dir of args.
func createPartnerIn(t *testing.T, args []string) (p struct {
	SecretKey string `json:"secret_key"`
}) {
	t.Helper()
	var out bytes.Buffer
	if err := runWith(context.Background(), append([]string{"partner", "create", "acme"}, args...), func(string) string { return "" },
		&out, io.Discard, hooks{}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &p); err != nil || p.SecretKey == "" {
		t.Fatalf("partner create printed %q: %v", out.String(), err)
	}
	return p
}

// doStatus sends r (its Body as JSON, if any) and returns only the status
// (safe from any goroutine).
func (s *testServer) doStatus(r req) int {
	var body io.Reader
	if r.Body != nil {
		j, _ := json.Marshal(r.Body)
		body = bytes.NewReader(j)
	}
	hr, _ := http.NewRequest(r.Method, s.URL+r.Path, body)
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Two server processes on one PostgreSQL database, each caching the
// credentials it verified: a partner disabled with the CLI (a third
// process) is refused by both within the credential check (1 s, the
// default) of the command's end. The test waits at most 10 s of real time
// (a loaded machine may be slow to schedule the processes) and reports what
// it saw; the exact bound is proven with a moved clock by onboarding's and
// store's credential cache tests.
func TestTwoInstancesRefuseADisabledPartner(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	args := []string{"--data", t.TempDir(), "--database-url", db}
	p := createPartnerIn(t, args)
	var servers []*testServer
	for range 2 {
		servers = append(servers, &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey})
	}
	read := func(s *testServer) int {
		return s.doStatus(req{Method: "GET", Path: pathAddress + "?get_address=province"})
	}
	for i, s := range servers {
		for range 3 { // cached after the first
			if st := read(s); st != http.StatusOK {
				t.Fatalf("instance %d: %d before the disabling", i, st)
			}
		}
	}
	var out bytes.Buffer
	if err := runWith(context.Background(), append([]string{"partner", "disable", "acme"}, args...), func(string) string { return "" },
		&out, io.Discard, hooks{}); err != nil {
		t.Fatal(err)
	}
	disabled := time.Now()
	for i, s := range servers {
		for read(s) != http.StatusUnauthorized {
			if time.Since(disabled) > 10*time.Second {
				t.Fatalf("instance %d still serves the disabled partner after 10 s", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("instance %d refuses the disabled partner %v after the command", i, time.Since(disabled).Round(time.Millisecond))
	}
}
