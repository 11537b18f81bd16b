package main

import (
	"context"
	"encoding/base32"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
)

// operatorClient is a browser-like client of the console: a cookie jar,
// redirects not followed (the tests look at each answer).
type operatorClient struct {
	t    *testing.T
	s    *testServer
	base string
	c    *http.Client
	csrf string
}

type consolePage struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (s *testServer) operatorClient(t *testing.T) *operatorClient {
	t.Helper()
	if s.ConsoleURL == "" {
		t.Fatal("the server logged no console listener")
	}
	jar, _ := cookiejar.New(nil)
	return &operatorClient{t: t, s: s, base: s.ConsoleURL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (o *operatorClient) do(method, path string, form url.Values) consolePage {
	o.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequest(method, o.base+path, body)
	if err != nil {
		o.t.Fatal(err)
	}
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := o.c.Do(r)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := consolePage{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
	if m := csrfField.FindStringSubmatch(p.body); m != nil {
		o.csrf = m[1]
	}
	return p
}

func (o *operatorClient) get(path string) consolePage { o.t.Helper(); return o.do("GET", path, nil) }

// post sends a form with the session's CSRF token (unless form has one).
func (o *operatorClient) post(path string, kv ...string) consolePage {
	o.t.Helper()
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	if _, ok := f["csrf"]; !ok && o.csrf != "" {
		f.Set("csrf", o.csrf)
	}
	return o.do("POST", path, f)
}

func (p consolePage) expect(t *testing.T, status int, fragments ...string) consolePage {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d (location %q), want %d:\n%s", p.status, p.location, status, p.body)
	}
	for _, f := range fragments {
		if !strings.Contains(p.body, f) && !strings.Contains(p.location, f) {
			t.Fatalf("answer lacks %q:\n%s", f, p.body)
		}
	}
	return p
}

var oneTimePassword = regexp.MustCompile(`one-time password \(shown once[^)]*\): (\S+)`)

// newOperator creates an operator with the CLI and returns its one-time
// password.
func (s *testServer) newOperator(t *testing.T, email, role string) string {
	t.Helper()
	out, err := s.cli("operator", "create", email, "--role", role)
	if err != nil {
		t.Fatal(err)
	}
	m := oneTimePassword.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no one-time password in %q", out)
	}
	return m[1]
}

// loggedIn creates an operator of role and logs it in, changing the
// one-time password to password.
func (s *testServer) loggedIn(t *testing.T, email, role, password string) *operatorClient {
	t.Helper()
	otp := s.newOperator(t, email, role)
	o := s.operatorClient(t)
	o.post("/login", "email", email, "password", otp).expect(t, 303, "/account/password")
	o.get("/account/password").expect(t, 200, "one-time password")
	o.post("/account/password", "current", otp, "new", password, "confirm", password).expect(t, 303)
	o.get("/").expect(t, 200, "Dashboard")
	return o
}

func (s *testServer) auditActions(t *testing.T) []string {
	t.Helper()
	rows, err := s.sqlDB().Query(`SELECT action FROM console_audit ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		out = append(out, a)
	}
	return out
}

func TestConsoleLoginPasswordTOTPLockoutAndSessions(t *testing.T) {
	s := startServer(t, nil)
	const email, pw = "anastasia@lender.example", "a long enough secret phrase"
	otp := s.newOperator(t, email, "admin")
	if _, err := s.cli("operator", "create", email, "--role", "admin"); err == nil || !strings.Contains(err.Error(), "console_operator_exists") {
		t.Fatalf("a second operator of one email: %v", err)
	}
	if _, err := s.cli("operator", "create", "x@lender.example", "--role", "root"); err == nil || !strings.Contains(err.Error(), "console_role_invalid") {
		t.Fatalf("an unknown role: %v", err)
	}
	o := s.operatorClient(t)

	// Every page wants a session; the headers are strict on every answer.
	p := o.get("/").expect(t, 303, "/login")
	o.get("/applications").expect(t, 303, "/login")
	p = o.get("/login").expect(t, 200, `<label for="email">`, `<label for="password">`)
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Fatalf("CSP %q", csp)
	}
	if strings.Contains(p.body, "<script") || strings.Contains(p.body, "style=") {
		t.Fatal("the page has a script or an inline style")
	}

	// A wrong password, an unknown email: the same refusal.
	o.post("/login", "email", email, "password", "wrong password!").expect(t, 401, "console_login_failed")
	o.post("/login", "email", "nobody@lender.example", "password", "wrong password!").expect(t, 401, "console_login_failed")

	// The one-time password leads to the password change first, nowhere else.
	p = o.post("/login", "email", email, "password", otp).expect(t, 303, "/account/password")
	var cookie *http.Cookie
	for _, c := range o.c.Jar.Cookies(mustURL(t, o.base)) {
		cookie = c
	}
	if cookie == nil || cookie.Name != "julo_console" {
		t.Fatalf("cookie %+v", cookie)
	}
	if sc := p.header.Get("Set-Cookie"); !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") || strings.Contains(sc, "Secure") {
		t.Fatalf("Set-Cookie %q (Secure only in production)", sc)
	}
	var stored int
	s.sqlDB().QueryRow(`SELECT COUNT(*) FROM operator_sessions WHERE id_hash = $1`, cookie.Value).Scan(&stored)
	if stored != 0 {
		t.Fatal("the session id is stored as it is")
	}
	o.get("/").expect(t, 303, "/account/password")
	o.get("/account/password").expect(t, 200)
	// No CSRF token, a wrong one: refused, nothing changed.
	o.post("/account/password", "csrf", "", "current", otp, "new", pw, "confirm", pw).expect(t, 403, "console_csrf")
	o.post("/account/password", "csrf", strings.Repeat("x", len(o.csrf)), "current", otp, "new", pw, "confirm", pw).expect(t, 403, "console_csrf")
	for bad, code := range map[string]string{"short one": "console_password_too_short", "Password1234": "console_password_common",
		"anastasia-rocks!": "console_password_has_email"} {
		o.post("/account/password", "current", otp, "new", bad, "confirm", bad).expect(t, 400, code)
	}
	o.post("/account/password", "current", "not it at all", "new", pw, "confirm", pw).expect(t, 400, "console_password_wrong")
	o.post("/account/password", "current", otp, "new", pw, "confirm", pw+"x").expect(t, 400, "console_password_mismatch")
	o.post("/account/password", "current", otp, "new", pw, "confirm", pw).expect(t, 303)
	o.get("/").expect(t, 200, "Dashboard", "Funnel of the last 30 days", "<svg", "Manual review queue", "Failed webhook deliveries")

	// TOTP enrolment: the key is shown, a wrong code refused, a right one enables it.
	p = o.get("/account/totp").expect(t, 200, "totp-secret")
	secretText := regexp.MustCompile(`id="totp-secret" class="secret">([A-Z2-7]+)<`).FindStringSubmatch(p.body)
	if secretText == nil {
		t.Fatalf("no secret in %s", p.body)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secretText[1])
	if err != nil || len(secret) != 20 {
		t.Fatalf("secret %q: %v", secretText[1], err)
	}
	o.post("/account/totp", "code", "000000").expect(t, 400, "console_totp_wrong")
	o.post("/account/totp", "code", backoffice.TOTPCode(secret, s.Clock.Now())).expect(t, 303)
	if o.get("/account/totp").expect(t, 200, "is enabled"); !strings.Contains(o.get("/operators").body, "<td>yes</td>") {
		t.Fatal("the operators page does not show the second factor")
	}
	o.post("/logout").expect(t, 303, "/login")
	o.get("/").expect(t, 303, "/login")

	// A login now needs the code; one code is accepted once.
	s.Clock.Add(backoffice.TOTPStep)
	o.post("/login", "email", email, "password", pw).expect(t, 303, "/login/totp")
	o.get("/").expect(t, 303, "/login/totp")
	o.get("/login/totp").expect(t, 200, `<label for="code">`)
	o.post("/login/totp", "code", "123456").expect(t, 401, "console_totp_wrong")
	code := backoffice.TOTPCode(secret, s.Clock.Now())
	o.post("/login/totp", "code", code).expect(t, 303)
	o.get("/").expect(t, 200, "Dashboard")
	other := s.operatorClient(t)
	other.post("/login", "email", email, "password", pw).expect(t, 303, "/login/totp")
	other.get("/login/totp")
	other.post("/login/totp", "code", code).expect(t, 401, "console_totp_wrong") // a replay

	// Logout everywhere ends both sessions.
	o.post("/logout/everywhere").expect(t, 303, "/login")
	other.get("/").expect(t, 303, "/login")

	// Lockout: 5 failures (the TOTP refusal above was one) lock for 15 minutes,
	// even the right password; then it opens again.
	for i := 0; i < 3; i++ {
		o.post("/login", "email", email, "password", "wrong password!").expect(t, 401, "console_login_failed")
	}
	p = o.post("/login", "email", email, "password", "wrong password!").expect(t, 429, "console_login_locked")
	if p.header.Get("Retry-After") != "900" {
		t.Fatalf("Retry-After %q", p.header.Get("Retry-After"))
	}
	o.post("/login", "email", email, "password", pw).expect(t, 429, "console_login_locked")
	s.Clock.Add(15*time.Minute - time.Second)
	o.post("/login", "email", email, "password", pw).expect(t, 429, "console_login_locked")
	s.Clock.Add(time.Second)
	o.post("/login", "email", email, "password", pw).expect(t, 303, "/login/totp")
	o.get("/login/totp")
	o.post("/login/totp", "code", backoffice.TOTPCode(secret, s.Clock.Now())).expect(t, 303)
	o.get("/").expect(t, 200)

	// 30 minutes idle end a session; a request within them moves the end.
	s.Clock.Add(29 * time.Minute)
	o.get("/").expect(t, 200)
	s.Clock.Add(29 * time.Minute)
	o.get("/").expect(t, 200)
	s.Clock.Add(30 * time.Minute)
	o.get("/").expect(t, 303, "/login")
	// 12 hours end it however busy it is.
	s.Clock.Add(backoffice.TOTPStep)
	o.post("/login", "email", email, "password", pw).expect(t, 303)
	o.get("/login/totp")
	o.post("/login/totp", "code", backoffice.TOTPCode(secret, s.Clock.Now())).expect(t, 303)
	elapsed := time.Duration(0)
	for ; elapsed+29*time.Minute < 12*time.Hour; elapsed += 29 * time.Minute {
		s.Clock.Add(29 * time.Minute)
		o.get("/").expect(t, 200)
	}
	s.Clock.Add(12*time.Hour - elapsed - time.Second)
	o.get("/").expect(t, 200)
	s.Clock.Add(time.Second) // 12 hours since the login, a few minutes idle
	o.get("/").expect(t, 303, "/login")

	// A disabled operator's sessions end and its logins fail.
	s.Clock.Add(backoffice.TOTPStep)
	o.post("/login", "email", email, "password", pw).expect(t, 303)
	if _, err := s.cli("operator", "disable", email); err != nil {
		t.Fatal(err)
	}
	o.get("/login/totp").expect(t, 303, "/login")
	o.post("/login", "email", email, "password", pw).expect(t, 401, "console_login_failed")

	acts := strings.Join(s.auditActions(t), " ")
	for _, want := range []string{"operator_created", "login_failed", "login_password", "csrf_refused", "password_changed", "totp_enrolled",
		"logout", "login_totp_failed", "login_totp", "login", "logout_everywhere", "operator_disabled"} {
		if !strings.Contains(" "+acts+" ", " "+want+" ") {
			t.Errorf("no %s in the audit log: %s", want, acts)
		}
	}
	// The audit log holds ids, no emails or passwords.
	var n int
	s.sqlDB().QueryRow(`SELECT COUNT(*) FROM console_audit WHERE target LIKE '%@%' OR detail LIKE '%@%' OR detail LIKE $1`, "%"+pw+"%").Scan(&n)
	if n != 0 {
		t.Fatal("personal data in the audit log")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Nothing of the console answers on the partner API's port.
func TestConsoleIsNotOnThePartnerAPIPort(t *testing.T) {
	s := startServer(t, nil)
	if s.ConsoleURL == s.URL || s.ConsoleURL == "" {
		t.Fatalf("console %q, API %q", s.ConsoleURL, s.URL)
	}
	for _, path := range []string{"/login", "/applications", "/loans", "/partners/acme", "/static/console.css", "/audit.csv"} {
		r := s.do(req{Method: "GET", Path: path, Invalid: true})
		if r.Status != 404 || strings.Contains(r.Raw, "JULO console") {
			t.Errorf("API port %s: %d %s", path, r.Status, r.Raw)
		}
	}
	resp, err := http.Get(s.ConsoleURL + "/api/partnership/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("the partner API on the console port: %d", resp.StatusCode)
	}
}

// Each role's pages and actions, masking, the audit of unmasked views, the
// images through the session, decisions through the credit service and
// maker-checker (nothing changes until an admin who is not the maker
// approves).
func TestConsoleRolesMaskingDecisionsAndMakerChecker(t *testing.T) {
	s := startServer(t, nil)
	big := s.submitCredit(t, creditNIK("0003"), creditBody(t, map[string]any{"monthly_income": 10_000_000})) // 125, computed 15,000,000
	near := s.submitCredit(t, creditNIK("9004"), creditBody(t, nil))                                         // 125, no limit computed
	near2 := s.submitCredit(t, "3173010101929004", creditBody(t, nil))                                       // 125, no limit computed
	s.settle(t)
	for _, xid := range []string{big, near, near2} {
		if st := s.creditStatus(t, xid); st.Code != 125 {
			t.Fatalf("%s at %d", xid, st.Code)
		}
	}
	const pw = "a long enough secret phrase"
	admin := s.loggedIn(t, "admin@lender.example", "admin", pw)
	admin2 := s.loggedIn(t, "checker@lender.example", "admin", pw)
	reviewer := s.loggedIn(t, "reviewer@lender.example", "reviewer", pw)
	viewer := s.loggedIn(t, "viewer@lender.example", "viewer", pw)
	nik := creditNIK("0003")

	// The dashboard's queue lists the three.
	d := viewer.get("/").expect(t, 200, "/applications/"+big, "/applications/"+near, "125 MANUAL_REVIEW")
	if strings.Contains(d.body, "/requests") {
		t.Fatal("a viewer's menu links the approvals")
	}
	viewer.get("/applications?status=125").expect(t, 200, big, near, near2)
	viewer.get("/applications?status=130").expect(t, 200, "No applications.")
	viewer.get("/applications?from=2026-13-01").expect(t, 400, "console_bad_date")

	// A viewer reads masked, sees no images, decides nothing, manages nothing.
	p := viewer.get("/applications/"+big).expect(t, 200, "masked for your role", "3173", "images (hidden for your role)")
	if strings.Contains(p.body, nik) || strings.Contains(p.body, "/images/") || strings.Contains(p.body, "approve-form") {
		t.Fatalf("a viewer's page shows the NIK, images or the decision forms:\n%s", p.body)
	}
	for _, path := range []string{"/operators", "/audit", "/audit.csv", "/requests"} {
		viewer.get(path).expect(t, 403, "console_forbidden", "JULO console")
	}
	viewer.post("/applications/search", "q", nik, "by", "nik").expect(t, 403, "console_forbidden", "JULO console")
	imgs := regexp.MustCompile(`/applications/` + big + `/images/(\d+)`)
	rp := reviewer.get("/applications/"+big).expect(t, 200, nik, "Decide", "limit_above_review_threshold")
	m := imgs.FindAllStringSubmatch(rp.body, -1)
	if len(m) != 2 {
		t.Fatalf("the reviewer's page shows %d images:\n%s", len(m), rp.body)
	}
	viewer.get("/applications/"+big+"/images/"+m[0][1]).expect(t, 403, "console_forbidden")
	viewer.post("/applications/"+big+"/decide", "action", "approve", "reason", "ok").expect(t, 403, "console_forbidden")
	viewer.post("/operators", "email", "x@lender.example", "role", "admin").expect(t, 403)

	// A reviewer sees the images through the session only.
	img := reviewer.get("/applications/"+big+"/images/"+m[0][1]).expect(t, 200)
	if ct := img.header.Get("Content-Type"); !strings.HasPrefix(ct, "image/") || len(img.body) < 50 || !strings.HasPrefix(img.body, "\x89PNG") {
		t.Fatalf("image %q of %d bytes", ct, len(img.body))
	}
	s.operatorClient(t).get("/applications/"+big+"/images/"+m[0][1]).expect(t, 303, "/login")
	reviewer.get("/applications/"+big+"/images/99999999").expect(t, 404, "console_image_missing")
	// The search is a POST (the term is personal data: in no address or
	// log); a term in the address is refused, not run.
	reviewer.post("/applications/search", "q", nik, "by", "nik").expect(t, 200, "/applications/"+big)
	reviewer.post("/applications/search", "q", big).expect(t, 303, "/applications/"+big)
	reviewer.post("/applications/search", "q", "x"+big).expect(t, 400, "console_bad_xid")
	reviewer.post("/applications/search", "csrf", "forged", "q", nik, "by", "nik").expect(t, 403, "console_csrf")
	if p := reviewer.get("/applications?q="+nik+"&by=nik").expect(t, 400, "console_search_post"); strings.Contains(p.body, "/applications/"+big) {
		t.Fatal("a search in the address was run")
	}
	if p := reviewer.get("/applications"); !strings.Contains(p.body, `<form method="post" action="/applications/search"`) {
		t.Fatalf("the search form is not a POST:\n%s", p.body)
	}
	reviewer.get("/applications/1234567890").expect(t, 404, "console_application_missing")
	for _, path := range []string{"/operators", "/audit", "/requests"} {
		reviewer.get(path).expect(t, 403, "console_forbidden")
	}

	// Bad decisions change nothing.
	reviewer.post("/applications/"+big+"/decide", "action", "approve").expect(t, 400, "console_reason_required")
	reviewer.post("/applications/"+big+"/decide", "action", "approve", "limit", "lots", "reason", "x").expect(t, 400, "console_bad_limit")
	reviewer.post("/applications/"+big+"/decide", "action", "maybe", "reason", "x").expect(t, 400, "console_bad_action")
	reviewer.post("/applications/"+big+"/decide", "action", "reject", "reason_code", "Not A Code", "reason", "x").expect(t, 409, "console_decision_refused")
	reviewer.post("/applications/"+big+"/decide", "csrf", "forged", "action", "reject", "reason_code", "low_score", "reason", "x").expect(t, 403, "console_csrf")
	if st := s.creditStatus(t, big); st.Code != 125 {
		t.Fatalf("refused decisions moved %s to %d", big, st.Code)
	}

	// Within the computed limit: decided at once, through the credit service.
	reviewer.post("/applications/"+big+"/decide", "action", "approve", "limit", "12000000", "reason", "payslip seen").expect(t, 303, "done=decided")
	if st := s.creditStatus(t, big); st.Code != 130 || st.CreditInfo["set_limit"] != 12_000_000 {
		t.Fatalf("approved: %+v", st)
	}
	if r := s.review(t, big); !strings.Contains(string(r.Decisions[len(r.Decisions)-1]), `"decided_by":"operator:console:`) {
		t.Fatalf("decision record %s", r.Decisions[len(r.Decisions)-1])
	}

	// Above the computed limit (none was computed for near): a request, and
	// nothing changes until an admin other than the maker approves it.
	reviewer.post("/applications/"+near+"/decide", "action", "approve", "limit", "5000000", "reason", "known customer").expect(t, 303, "done=requested")
	if st := s.creditStatus(t, near); st.Code != 125 {
		t.Fatalf("a request moved %s to %d", near, st.Code)
	}
	reqID := regexp.MustCompile(`action="/requests/(\d+)"`)
	rq := admin.get("/requests").expect(t, 200, near, "limit_above_computed", "Rp 5.000.000")
	first := reqID.FindStringSubmatch(rq.body)
	if first == nil {
		t.Fatalf("no request to check:\n%s", rq.body)
	}
	admin.post("/requests/"+first[1], "verdict", "approve").expect(t, 303, "done=approved")
	if st := s.creditStatus(t, near); st.Code != 130 || st.CreditInfo["set_limit"] != 5_000_000 {
		t.Fatalf("after the checker: %+v", st)
	}
	admin2.post("/requests/"+first[1], "verdict", "approve").expect(t, 409, "console_request_not_pending")

	// The maker cannot approve its own request; a refusal changes nothing.
	admin.post("/applications/"+near2+"/decide", "action", "approve", "limit", "6000000", "reason", "known customer").expect(t, 303, "done=requested")
	own := admin.get("/requests").expect(t, 200, "your request")
	if reqID.MatchString(own.body) {
		t.Fatal("the maker is offered to check its own request")
	}
	second := reqID.FindStringSubmatch(admin2.get("/requests").expect(t, 200, near2).body)
	admin.post("/requests/"+second[1], "verdict", "approve").expect(t, 403, "console_own_request")
	if st := s.creditStatus(t, near2); st.Code != 125 {
		t.Fatalf("the maker's own approval moved %s to %d", near2, st.Code)
	}
	admin2.post("/requests/"+second[1], "verdict", "refuse").expect(t, 303, "done=refused")
	if st := s.creditStatus(t, near2); st.Code != 125 {
		t.Fatalf("a refused request moved %s to %d", near2, st.Code)
	}
	reviewer.post("/applications/"+near2+"/decide", "action", "reject", "reason_code", "income_unverified", "reason", "no payslip").expect(t, 303)
	if st := s.creditStatus(t, near2); st.Code != 135 {
		t.Fatalf("rejected: %d", st.Code)
	}

	// Operators: an admin creates one (the password shown once) and disables it.
	op := admin.post("/operators", "email", "new@lender.example", "role", "viewer").expect(t, 200, "one-time-password")
	if !oneTimeOnPage.MatchString(op.body) {
		t.Fatal("no one-time password on the page")
	}
	if strings.Contains(admin.get("/operators").body, "one-time-password") {
		t.Fatal("the password is shown twice")
	}

	// Partners (admin): create (the secret shown once and working), disable, rotate.
	reviewer.get("/partners").expect(t, 403, "console_forbidden")
	admin.get("/partners").expect(t, 200, `<a href="/partners/acme">acme</a></td>`)
	pp := admin.post("/partners", "action", "create", "name", "beta").expect(t, 200, "partner-secret")
	secret := regexp.MustCompile(`<code id="partner-secret">([^<]+)</code>`).FindStringSubmatch(pp.body)
	if secret == nil || strings.Contains(admin.get("/partners").body, secret[1]) {
		t.Fatalf("the secret is not shown once:\n%s", pp.body)
	}
	admin.post("/partners", "action", "create", "name", "beta").expect(t, 409)
	admin.post("/partners", "action", "disable", "name", "nobody").expect(t, 404)
	admin.post("/partners", "action", "disable", "name", "beta").expect(t, 200, "disable done")
	if !strings.Contains(admin.get("/partners").body, `<a href="/partners/beta">beta</a></td><td>disabled</td>`) {
		t.Fatal("beta is not shown disabled")
	}
	admin.post("/partners", "action", "rotate", "name", "beta").expect(t, 200, "partner-secret")

	// Customer rights: admins only, both audited.
	reviewer.post("/applications/"+near2+"/export").expect(t, 403, "console_forbidden")
	reviewer.post("/applications/"+near2+"/erase", "confirm", "ERASE").expect(t, 403, "console_forbidden")
	ex := admin.post("/applications/"+near2+"/export").expect(t, 200, `"nik": "3173010101929004"`, `"credit_decisions"`)
	if !strings.HasPrefix(ex.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export headers %v", ex.header)
	}
	admin.post("/applications/"+near2+"/erase", "confirm", "erase").expect(t, 400, "console_erase_confirm")
	admin.get("/applications/" + near2)
	admin.post("/applications/"+near2+"/erase", "confirm", "ERASE").expect(t, 303, "done=erased")
	admin.post("/applications/"+near2+"/export").expect(t, 404, "console_customer_missing")
	if out, err := s.cli("customer", "export", "3173010101929004"); err == nil {
		t.Fatalf("the erased customer still exports: %s", out)
	}

	// The audit log: every action and unmasked view, filterable and exported.
	admin.get("/audit?action=application.view_unmasked").expect(t, 200, "application:"+big)
	csv := admin.get("/audit.csv").expect(t, 200)
	if csv.header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(csv.body, "id,at,operator_id,action,target,detail,remote_addr\n") {
		t.Fatalf("CSV %q:\n%s", csv.header.Get("Content-Type"), csv.body)
	}
	acts := " " + strings.Join(s.auditActions(t), " ") + " "
	for _, want := range []string{"forbidden", "application.view", "application.view_unmasked", "image.view", "search", "decide_refused",
		"csrf_refused", "decide", "request_created", "check_approved", "check_refused", "check_refused", "operator_created", "audit_exported",
		"customer.export", "customer.erase", "partner_create", "partner_disable", "partner_rotate"} {
		if !strings.Contains(acts, " "+want+" ") {
			t.Errorf("no %s in the audit log", want)
		}
	}
	var leaks int
	s.sqlDB().QueryRow(`SELECT COUNT(*) FROM console_audit WHERE target LIKE $1 OR detail LIKE $1 OR target LIKE '%@%' OR detail LIKE '%@%'`, "%"+nik+"%").Scan(&leaks)
	if leaks != 0 {
		t.Fatal("personal data in the audit log")
	}
	// The log is append-only in the database itself.
	if _, err := s.sqlDB().Exec(`DELETE FROM console_audit`); err == nil {
		t.Fatal("the audit log was deleted")
	}
}

var oneTimeOnPage = regexp.MustCompile(`<code id="one-time-password">[A-Za-z0-9_-]{20}</code>`)

// A review request at 135: a reviewer's overturn waits for an admin (the
// maker-checker of an overturned rejection); upholding needs no checker.
func TestConsoleReviewRequestOverturnNeedsAChecker(t *testing.T) {
	s := startServer(t, nil)
	path := func(xid string) string { return "/api/partnership/v1/application/" + xid + "/review-request" }
	xid := s.submitCredit(t, creditNIK("9002"), creditBody(t, nil))
	other := s.submitCredit(t, "3173010101929002", creditBody(t, nil))
	s.settle(t)
	for _, x := range []string{xid, other} {
		s.do(req{Method: "POST", Path: path(x), Body: map[string]any{"reason": "Penghasilan saya naik"}}).expect(t, 200)
	}
	const pw = "a long enough secret phrase"
	reviewer := s.loggedIn(t, "reviewer@lender.example", "reviewer", pw)
	admin := s.loggedIn(t, "admin@lender.example", "admin", pw)
	viewer := s.loggedIn(t, "viewer@lender.example", "viewer", pw)
	reviewer.get("/applications/"+xid).expect(t, 200, "Penghasilan saya naik", "Overturn the rejection", "Uphold the rejection")
	if strings.Contains(viewer.get("/applications/"+xid).body, "Penghasilan") {
		t.Fatal("a viewer reads the customer's reason")
	}
	reviewer.post("/applications/"+xid+"/decide", "action", "approve", "reason", "income proven").expect(t, 400, "console_bad_limit")
	reviewer.post("/applications/"+xid+"/decide", "action", "approve", "limit", "4000000", "reason", "income proven").expect(t, 303, "done=requested")
	if st := s.creditStatus(t, xid); st.Code != 135 {
		t.Fatalf("a request moved %s to %d", xid, st.Code)
	}
	id := regexp.MustCompile(`action="/requests/(\d+)"`).FindStringSubmatch(admin.get("/requests").expect(t, 200, "overturn_rejection").body)
	admin.post("/requests/"+id[1], "verdict", "approve").expect(t, 303, "done=approved")
	if st := s.creditStatus(t, xid); st.Code != 130 || st.CreditInfo["set_limit"] != 4_000_000 {
		t.Fatalf("after the checker: %+v", st)
	}
	// Upholding is decided at once and keeps 135.
	reviewer.post("/applications/"+other+"/decide", "action", "reject", "reason", "income not proven").expect(t, 303, "done=decided")
	if st := s.creditStatus(t, other); st.Code != 135 || st.Decision.ReasonCodes[0] != "review_upheld" {
		t.Fatalf("upheld: %+v", st)
	}
	if strings.Contains(reviewer.get("/applications/"+other).body, "Uphold the rejection") {
		t.Fatal("a resolved review request can be decided again")
	}
}

// An address given on purpose that is taken fails the start; the API's own
// port is refused; "off" serves no console.
func TestConsoleAddressRules(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "127.0.0.1:0", "--console-addr", taken.Addr().String()}, "console listener"},
		{[]string{"--addr", "127.0.0.1:18181", "--console-addr", "127.0.0.1:18181"}, "never served on the partner API's port"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := runWith(ctx, append([]string{"serve", "--data", t.TempDir()}, c.args...), func(string) string { return "" }, io.Discard, io.Discard, hooks{})
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("serve %v: %v, want %q", c.args, err, c.want)
		}
	}
	s := startServer(t, []string{"--console-addr", "off"})
	if s.ConsoleURL != "" {
		t.Fatalf("a console with --console-addr off: %s", s.ConsoleURL)
	}
}
