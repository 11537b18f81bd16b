package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Per-partner budgets (issue 10 item 8), black-box: julo partner set gives
// a partner small budgets, and the server answers 429 with Retry-After and
// the RateLimit-* headers, for that partner alone, until the window ends.

// generousBudgets are the defaults the harness gives every test server:
// the test clock stands still, so a test's requests all fall in one second
// (and one minute, hour and day).
var generousBudgets = map[string]string{
	// Not a budget, but every test server needs it in production (loan
	// agreements name the lender): one place for the harness's defaults.
	"JULO_LENDER_NAME": "PT Pemberi Pinjaman Uji", "JULO_LENDER_LICENSE": "Uji: tanpa izin", "JULO_LENDER_COMPLAINTS": "uji@example.invalid",
	"JULO_DEFAULT_SMS_PER_DAY":              "1000000",
	"JULO_DEFAULT_REGISTRATIONS_PER_HOUR":   "1000000",
	"JULO_DEFAULT_PREREG_CHECKS_PER_MINUTE": "1000000",
	"JULO_DEFAULT_REQUESTS_PER_SECOND":      "1000000",
}

// generousBudgetEnv is generousBudgets as a process environment.
func generousBudgetEnv() []string {
	var out []string
	for k, v := range generousBudgets {
		out = append(out, k+"="+v)
	}
	return out
}

// setBudgets runs julo partner set NAME with args and returns the budgets
// it printed.
func (s *testServer) setBudgets(t *testing.T, partner string, args ...string) map[string]budgetJSON {
	t.Helper()
	out, err := s.cli(append([]string{"partner", "set", partner}, args...)...)
	if err != nil {
		t.Fatalf("partner set %v: %v", args, err)
	}
	var got struct {
		Username string                `json:"username"`
		Budgets  map[string]budgetJSON `json:"budgets"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Username != partner || len(got.Budgets) != 4 {
		t.Fatalf("partner set printed %q", out)
	}
	return got.Budgets
}

// as returns a copy of s that sends partner's credentials.
func (s *testServer) as(partner, secret string) *testServer {
	c := *s
	c.Partner, c.Secret = partner, secret
	return &c
}

// rateLimit checks the RateLimit-* headers of r.
func rateLimit(t *testing.T, r response, limit, remaining, reset int) {
	t.Helper()
	got := []string{r.Header.Get("RateLimit-Limit"), r.Header.Get("RateLimit-Remaining"), r.Header.Get("RateLimit-Reset")}
	want := []string{strconv.Itoa(limit), strconv.Itoa(remaining), strconv.Itoa(reset)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("RateLimit-Limit, -Remaining, -Reset %q, want %q: %s", got, want, r.Raw)
	}
}

// refusedBy checks that r is a budget's 429: its code, Retry-After and
// RateLimit-* headers (no unit left).
func refusedBy(t *testing.T, r response, code string, limit, retryAfter int) {
	t.Helper()
	r.expect(t, http.StatusTooManyRequests)
	var env struct {
		Details []struct{ Code string } `json:"error_details"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &env); err != nil || len(env.Details) != 1 || env.Details[0].Code != code {
		t.Fatalf("want one problem %s: %s", code, r.Raw)
	}
	if got := r.Header.Get("Retry-After"); got != strconv.Itoa(retryAfter) {
		t.Fatalf("Retry-After %q, want %d", got, retryAfter)
	}
	rateLimit(t, r, limit, 0, retryAfter)
}

func (s *testServer) dropdown() response {
	return s.do(req{Method: "GET", Path: pathDropdown + "?data_selected=loan_purposes"})
}

// requests_per_second: every authenticated request counts; past the limit
// a request is refused before its handler runs (a registration writes
// nothing), another partner is not touched, and the next second serves
// again.
func TestPartnerBudgetRequestsPerSecond(t *testing.T) {
	s := startServer(t, nil)
	got := s.setBudgets(t, "acme", "--requests-per-second", "3")
	if got["requests_per_second"] != (budgetJSON{Limit: 3}) || got["sms_per_day"] != (budgetJSON{Limit: 1000000, Default: true}) {
		t.Fatalf("budgets %+v", got)
	}
	for left := 2; left >= 0; left-- {
		rateLimit(t, s.dropdown().expect(t, http.StatusOK), 3, left, 1)
	}
	s.unchanged(t, func() {
		r := s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "rps@test.com")})
		refusedBy(t, r.expect(t, http.StatusTooManyRequests, "batas 3 permintaan per detik untuk partner ini tercapai; coba lagi dalam 1 detik (setelah 2026-11-24T09:00:01Z)"),
			"budget_requests_per_second", 3, 1)
	})
	en := s.do(req{Method: "GET", Path: pathDropdown + "?data_selected=loan_purposes", Header: map[string]string{"Accept-Language": "en"}})
	en.expect(t, http.StatusTooManyRequests, "this partner's limit of 3 requests per second is reached")

	beta := s.as("beta", s.createPartner("beta"))
	rateLimit(t, beta.dropdown().expect(t, http.StatusOK), 1000000, 999999, 1)
	// Credentials that fail spend nothing and carry no RateLimit-*.
	if r := s.as("acme", "wrong").dropdown().expect(t, http.StatusUnauthorized); r.Header.Get("RateLimit-Limit") != "" {
		t.Fatalf("a 401 with RateLimit-Limit %q", r.Header.Get("RateLimit-Limit"))
	}

	s.Clock.Add(500 * time.Millisecond)
	refusedBy(t, s.dropdown(), "budget_requests_per_second", 3, 1) // half a second left: 1, rounded up
	s.Clock.Add(500 * time.Millisecond)
	rateLimit(t, s.dropdown().expect(t, http.StatusOK), 3, 2, 1)
	s.register(t, testNIK(1), "rps@test.com")

	// Back to the default.
	if got := s.setBudgets(t, "acme", "--requests-per-second", "default"); got["requests_per_second"] != (budgetJSON{Limit: 1000000, Default: true}) {
		t.Fatalf("budgets %+v", got)
	}
	rateLimit(t, s.dropdown().expect(t, http.StatusOK), 1000000, 1000000-3, 1) // 3 of this second's requests
}

// registrations_per_hour counts customers registered: a refused
// registration gives its unit back; past the limit a registration is
// refused before anything is looked at (no guard counts it).
func TestPartnerBudgetRegistrationsPerHour(t *testing.T) {
	s := startServer(t, nil)
	s.setBudgets(t, "acme", "--registrations-per-hour", "2")
	register := func(n int, email string) response {
		return s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(n), email)})
	}
	rateLimit(t, register(11, "r11@test.com").expect(t, http.StatusCreated), 2, 1, 3600)
	rateLimit(t, register(11, "r11b@test.com").expect(t, http.StatusConflict, msgNIKRegistered), 2, 1, 3600)
	rateLimit(t, register(12, "r12@test.com").expect(t, http.StatusCreated), 2, 0, 3600)

	beta := s.as("beta", s.createPartner("beta"))
	beta.register(t, testNIK(14), "r14@test.com")
	s.unchanged(t, func() {
		// Beta's customer's NIK would count against the NIK's guard: not
		// when the budget refuses first.
		refusedBy(t, register(14, "r14b@test.com").expect(t, http.StatusTooManyRequests, "batas 2 registrasi per jam untuk partner ini tercapai"),
			"budget_registrations_per_hour", 2, 3600)
		refusedBy(t, register(13, "r13@test.com"), "budget_registrations_per_hour", 2, 3600)
	})
	// Nor does a check of NIK 14 now find two failures before it: it is
	// the first (400), not the third (423).
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(14), "email": "r14d@test.com"}}).expect(t, http.StatusBadRequest, msgNIKRegistered)
	beta.register(t, testNIK(15), "r15@test.com")

	s.Clock.Add(30 * time.Minute)
	refusedBy(t, register(13, "r13@test.com"), "budget_registrations_per_hour", 2, 1800)
	s.Clock.Add(30 * time.Minute)
	rateLimit(t, register(13, "r13@test.com").expect(t, http.StatusCreated), 2, 1, 3600)
}

// prereg_checks_per_minute counts every valid check, whatever its answer;
// an invalid one does not count, and a refused one counts against no guard.
func TestPartnerBudgetPreregChecksPerMinute(t *testing.T) {
	s := startServer(t, nil)
	s.setBudgets(t, "acme", "--prereg-checks-per-minute", "2")
	s.register(t, testNIK(21), "taken@test.com")
	check := func(n int, email string) response {
		return s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(n), "email": email}})
	}
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": "123", "email": "free@test.com"}, Invalid: true}).expect(t, http.StatusBadRequest, msgNIKFormat)
	rateLimit(t, check(22, "free@test.com").expect(t, http.StatusOK), 2, 1, 60)
	rateLimit(t, check(23, "taken@test.com").expect(t, http.StatusBadRequest, msgEmailRegistered), 2, 0, 60) // the guard's 1st failure
	s.unchanged(t, func() {
		refusedBy(t, check(24, "taken@test.com").expect(t, http.StatusTooManyRequests, "batas 2 pengecekan pra-registrasi per menit"),
			"budget_prereg_checks_per_minute", 2, 60)
	})
	beta := s.as("beta", s.createPartner("beta"))
	beta.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(25), "email": "free2@test.com"}}).expect(t, http.StatusOK)

	s.Clock.Add(59 * time.Second)
	refusedBy(t, check(26, "free@test.com"), "budget_prereg_checks_per_minute", 2, 1)
	s.Clock.Add(time.Second)
	// The refused check was no failure: this is the 2nd (400), the next
	// the 3rd (the lock).
	check(27, "taken@test.com").expect(t, http.StatusBadRequest, msgEmailRegistered)
	check(28, "taken@test.com").expect(t, http.StatusLocked, msgPreregLocked)
}

// sms_per_day counts SMS sent, by the day of WIB: a send another limit
// refuses gives its unit back; past the limit no code is made and no SMS
// goes out, until 00:00 WIB.
func TestPartnerBudgetSMSPerDay(t *testing.T) {
	s := startServer(t, nil) // 09:00 UTC is 16:00 WIB: 8 hours of the day left
	s.setBudgets(t, "acme", "--sms-per-day", "2")
	x1, x2, x3 := s.newApplication(t), s.newApplication(t), s.newApplication(t)
	rateLimit(t, s.sendOTP(x1, "081234567801").expect(t, http.StatusOK), 2, 1, 8*3600)
	rateLimit(t, s.sendOTP(x1, "081234567801").expect(t, http.StatusTooManyRequests, "kirim ulang"), 2, 1, 8*3600)
	rateLimit(t, s.sendOTP(x2, "081234567802").expect(t, http.StatusOK), 2, 0, 8*3600)
	s.unchanged(t, func() {
		refusedBy(t, s.sendOTP(x3, "081234567803").expect(t, http.StatusTooManyRequests, "batas 2 SMS per hari untuk partner ini tercapai"),
			"budget_sms_per_day", 2, 8*3600)
	})
	beta := s.as("beta", s.createPartner("beta"))
	beta.sendOTP(beta.newApplication(t), "081234567804").expect(t, http.StatusOK)

	s.Clock.Add(8*time.Hour - time.Second) // 23:59:59 WIB
	refusedBy(t, s.sendOTP(x3, "081234567803"), "budget_sms_per_day", 2, 1)
	s.Clock.Add(time.Second) // 00:00 WIB
	rateLimit(t, s.sendOTP(x3, "081234567803").expect(t, http.StatusOK), 2, 1, 24*3600)
}

// The defaults: the documented values unless --default-BUDGET (or its
// variable) says otherwise; julo partner list shows the limits in force,
// julo partner set refuses a limit it cannot take, and serve a default.
func TestPartnerBudgetDefaultsAndTheCLI(t *testing.T) {
	s := startServer(t, []string{"--default-prereg-checks-per-minute", "1"},
		withEnv("JULO_DEFAULT_REGISTRATIONS_PER_HOUR", ""), withEnv("JULO_DEFAULT_SMS_PER_DAY", ""))
	rateLimit(t, s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(31), "d31@test.com")}).expect(t, http.StatusCreated), 300, 299, 3600)
	check := func(n int) response {
		return s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(n), "email": fmt.Sprintf("d%d@test.com", n)}})
	}
	rateLimit(t, check(32).expect(t, http.StatusOK), 1, 0, 60)
	refusedBy(t, check(33), "budget_prereg_checks_per_minute", 1, 60)

	list := func() map[string]budgetJSON {
		t.Helper()
		out, err := s.cli("partner", "list")
		if err != nil {
			t.Fatal(err)
		}
		var ps []struct {
			Username string                `json:"username"`
			Budgets  map[string]budgetJSON `json:"budgets"`
		}
		if err := json.Unmarshal([]byte(out), &ps); err != nil || len(ps) != 1 || ps[0].Username != "acme" {
			t.Fatalf("partner list printed %q", out)
		}
		return ps[0].Budgets
	}
	// The CLI shows the defaults of its own settings (here the harness's
	// variables, without serve's flag).
	want := map[string]budgetJSON{
		"sms_per_day":              {Limit: 5000, Default: true},
		"registrations_per_hour":   {Limit: 300, Default: true},
		"prereg_checks_per_minute": {Limit: 1000000, Default: true},
		"requests_per_second":      {Limit: 1000000, Default: true},
	}
	if got := list(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("partner list budgets %v, want %v", got, want)
	}
	s.setBudgets(t, "acme", "--sms-per-day", "7", "--prereg-checks-per-minute", "5")
	want["sms_per_day"], want["prereg_checks_per_minute"] = budgetJSON{Limit: 7}, budgetJSON{Limit: 5}
	if got := list(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("partner list budgets %v, want %v", got, want)
	}
	rateLimit(t, check(33).expect(t, http.StatusOK), 5, 3, 60) // the partner's own limit, in the window under way
	// The return-URL prefixes and the budgets are set apart: one leaves
	// the other as it is.
	s.setReturnURLs(t, "acme", "https://app.acme.example/")
	if got := list(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("partner list budgets after setting prefixes %v, want %v", got, want)
	}
	s.setBudgets(t, "acme", "--sms-per-day", "default", "--prereg-checks-per-minute", "0")
	want["sms_per_day"], want["prereg_checks_per_minute"] = budgetJSON{Limit: 5000, Default: true}, budgetJSON{Limit: 1000000, Default: true}
	if got := list(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("partner list budgets %v, want %v", got, want)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + s.newApplication(t) + "/web?redirect_url=https://app.acme.example/x"}).expect(t, http.StatusOK)

	for _, args := range [][]string{
		{"partner", "set", "acme", "--sms-per-day", "-1"},
		{"partner", "set", "acme", "--sms-per-day", "lots"},
		{"partner", "set", "acme", "--requests-per-second", "1000000001"},
		{"partner", "set", "acme", "--registrations-per-hour", ""},
		{"partner", "set", "nobody", "--sms-per-day", "5"},
		{"partner", "list", "--sms-per-day", "5"},
	} {
		if out, err := s.cli(args...); err == nil {
			t.Errorf("%v accepted: %s", args, out)
		}
	}
	if _, err := s.cli("partner", "set", "nobody", "--sms-per-day", "5"); err == nil || !strings.Contains(err.Error(), `partner "nobody" does not exist`) {
		t.Errorf("unknown partner: %v", err)
	}
	if got := list(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("refused settings changed the budgets: %v", got)
	}

	// A default of 0 would refuse every partner: serve does not start.
	for _, args := range [][]string{{"--default-requests-per-second", "0"}, {"--default-sms-per-day", "1000000001"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := runWith(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...), func(string) string { return "" },
			io.Discard, io.Discard, hooks{})
		cancel()
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("serve %v: %v", args, err)
		}
	}
}

// The periodic job deletes the windows that ended (more than a minute
// ago) and keeps those that may still count.
func TestBudgetWindowsAreDeletedOnceEnded(t *testing.T) {
	found := false
	for _, p := range periodic {
		if _, ok := p.job.(onboarding.BudgetWindowsJob); ok && p.every == 5*time.Minute {
			found = true
		}
	}
	if !found || len(periodicJobs()) != len(periodic) {
		t.Fatalf("periodic jobs %v", periodic)
	}
	s := startServer(t, nil)
	s.register(t, testNIK(41), "w41@test.com")
	windows := func(b onboarding.Budget) int { return s.countWhere("budget_windows", "budget = '"+string(b)+"'") }
	if windows(onboarding.BudgetRequests) != 1 || windows(onboarding.BudgetRegistrations) != 1 {
		t.Fatalf("windows after a registration: %d requests, %d registrations", windows(onboarding.BudgetRequests), windows(onboarding.BudgetRegistrations))
	}
	s.Clock.Add(30 * time.Second)
	s.dropdown().expect(t, http.StatusOK)
	run := func() {
		t.Helper()
		if err := storeOf(t, s).Enqueue(context.Background(), julo.Scheduled{Job: onboarding.BudgetWindowsJob{}, At: s.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		s.settle(t)
	}
	run() // 09:00:30: every window may still count
	if windows(onboarding.BudgetRequests) != 2 || windows(onboarding.BudgetRegistrations) != 1 {
		t.Fatalf("windows at 09:00:30: %d requests, %d registrations", windows(onboarding.BudgetRequests), windows(onboarding.BudgetRegistrations))
	}
	s.Clock.Add(60*time.Second + 500*time.Millisecond)
	run() // 09:01:30.5: the 09:00:00 second ended over a minute ago, 09:00:30 did not
	if windows(onboarding.BudgetRequests) != 1 || windows(onboarding.BudgetRegistrations) != 1 {
		t.Fatalf("windows at 09:01:30.5: %d requests, %d registrations", windows(onboarding.BudgetRequests), windows(onboarding.BudgetRegistrations))
	}
	s.Clock.Add(time.Hour)
	run()
	if n := s.count("budget_windows"); n != 0 {
		t.Fatalf("%d windows an hour later", n)
	}
}

// Two server processes on one PostgreSQL database share a partner's
// budget: registrations sent to both at once get exactly the limit.
func TestPartnerBudgetHoldsAcrossInstances(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	data := t.TempDir()
	args := []string{"--data", data, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	p := createPartnerIn(t, args)
	var out bytes.Buffer
	if err := runWith(context.Background(), append([]string{"partner", "set", "acme", "--registrations-per-hour", "3"}, args...),
		func(string) string { return "" }, &out, io.Discard, hooks{}); err != nil {
		t.Fatal(err)
	}
	servers := []*testServer{
		{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey},
		{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey},
	}
	hour := time.Now().Truncate(time.Hour)
	statuses := make([]int, 8)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = servers[i%2].doStatus(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(50+i), fmt.Sprintf("i%d@test.com", i))})
		}()
	}
	wg.Wait()
	if !time.Now().Truncate(time.Hour).Equal(hour) {
		t.Skip("an hour began during the registrations: two windows")
	}
	n := map[int]int{}
	for _, st := range statuses {
		n[st]++
	}
	if n[http.StatusCreated] != 3 || n[http.StatusTooManyRequests] != 5 {
		t.Fatalf("statuses %v, want 3 registered and 5 refused", statuses)
	}
}
