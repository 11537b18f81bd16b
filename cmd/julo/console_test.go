package main

import (
	"encoding/base32"
	"io"
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

type page struct {
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

func (o *operatorClient) do(method, path string, form url.Values) page {
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
	p := page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
	if m := csrfField.FindStringSubmatch(p.body); m != nil {
		o.csrf = m[1]
	}
	return p
}

func (o *operatorClient) get(path string) page { o.t.Helper(); return o.do("GET", path, nil) }

// post sends a form with the session's CSRF token (unless form has one).
func (o *operatorClient) post(path string, kv ...string) page {
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

func (p page) expect(t *testing.T, status int, fragments ...string) page {
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
	for _, path := range []string{"/login", "/applications", "/static/console.css", "/audit.csv"} {
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
