package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bankEntry is one entry of bank_status, the production lender's shape.
type bankEntry struct {
	BankName  string     `json:"bank_name"`
	Status    string     `json:"status"`
	Reason    *string    `json:"reason"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// scrapingStatusList returns the scraping status's bank list as answered,
// and bpjs_status.
func (s *testServer) scrapingStatusList(t *testing.T, xid string) ([]bankEntry, string) {
	t.Helper()
	var st struct {
		Bank []bankEntry `json:"bank_status"`
		BPJS string      `json:"bpjs_status"`
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/scraping-status/" + xid}).expect(t, 200).decodeData(t, &st)
	return st.Bank, st.BPJS
}

// scrapingStatus returns each bank's status by bank, and bpjs_status.
func (s *testServer) scrapingStatus(t *testing.T, xid string) (map[string]string, string) {
	t.Helper()
	list, bpjs := s.scrapingStatusList(t, xid)
	banks := map[string]string{}
	for _, b := range list {
		banks[b.BankName] = b.Status
	}
	return banks, bpjs
}

func (s *testServer) startImport(xid string, form url.Values) response {
	return s.do(req{Method: "POST", Path: "/api/partnership/v1/external-data-imports/" + xid, Body: form})
}

func creds(user, pass string) string {
	return fmt.Sprintf("{'username': '%s', 'password': '%s'}", user, pass)
}

// rawGet fetches a page without partner headers (as a customer's browser).
func rawGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestBPJSSandboxLoginPageCompletesTheTask(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid + "/ios", Invalid: true}).expect(t, 400, `app_type: "ios" tidak dikenal; gunakan web atau android`)
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "not verified" {
		t.Fatalf("bpjs before any login: %q", bpjs)
	}
	var d struct{ URL string }
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid + "/web"}).expect(t, 200).decodeData(t, &d)
	u, err := url.Parse(d.URL)
	if err != nil || !strings.HasPrefix(d.URL, s.URL+"/api/partnership/v1/sandbox/bpjs/login?") || len(u.Query().Get("task")) != 32 {
		t.Fatalf("login url %q", d.URL)
	}
	if strings.Contains(d.URL, xid) {
		t.Fatal("the login URL reveals the application")
	}
	// A URL merely issued is not ongoing: the customer has not logged in.
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "not verified" {
		t.Fatalf("bpjs with a login URL issued: %q", bpjs)
	}
	code, page := rawGet(t, d.URL)
	if code != 200 || !strings.Contains(page, `name="password"`) || !strings.Contains(page, "sukses@bpjs.sandbox") {
		t.Fatalf("login page %d: %s", code, page)
	}
	submit := func(user string) (int, string) {
		resp, err := http.PostForm(s.URL+"/api/partnership/v1/sandbox/bpjs/login",
			url.Values{"task": {u.Query().Get("task")}, "username": {user}, "password": {"rahasia-bpjs-123"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, page := submit("siapa@bpjs.sandbox"); code != 400 || !strings.Contains(page, "sukses@bpjs.sandbox") {
		t.Fatalf("unknown test login: %d %s", code, page)
	}
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "not verified" {
		t.Fatalf("an unknown test login changed the task: %q", bpjs)
	}
	if code, page := submit("sukses@bpjs.sandbox"); code != 200 || !strings.Contains(page, `id="outcome"`) || !strings.Contains(page, "berhasil") {
		t.Fatalf("success login: %d %s", code, page)
	}
	// Submitted: ongoing until the outcome is reported (the job may have
	// run already; TestVendorAdaptersAgainstAFakeVendor holds it ongoing).
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "ongoing" && bpjs != "verified" {
		t.Fatalf("bpjs with the login submitted: %q", bpjs)
	}
	// The sandbox vendor reports the outcome as a vendor does, after the
	// page answered: a background job.
	s.settle(t)
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "verified" {
		t.Fatalf("bpjs after a successful login: %q", bpjs)
	}
	st := s.status(t, xid)
	if st["bpjs_status"] != "verified" {
		t.Fatalf("application status %v", st)
	}
	// The task is finished: a different outcome cannot overwrite it.
	if code, _ := submit("gagal@bpjs.sandbox"); code != 409 {
		t.Fatalf("overwriting a finished task answered %d", code)
	}
	// A later login that fails does not undo the verification.
	var d2 struct{ URL string }
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid + "/android/"}).expect(t, 200).decodeData(t, &d2)
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "verified" {
		t.Fatalf("bpjs after asking for another login URL: %q", bpjs)
	}
	u, _ = url.Parse(d2.URL)
	if code, page := submit("gagal@bpjs.sandbox"); code != 200 || !strings.Contains(page, "gagal") || !strings.Contains(page, `name="password"`) {
		t.Fatalf("failing login: %d %s", code, page)
	}
	s.settle(t)
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "verified" {
		t.Fatalf("bpjs after a later failed login: %q", bpjs)
	}
	// On another application: a failed login is not verified, and another
	// URL issued does not make it ongoing.
	xid2 := s.newApplication(t)
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid2 + "/web"}).expect(t, 200).decodeData(t, &d2)
	u, _ = url.Parse(d2.URL)
	submit("gagal@bpjs.sandbox")
	s.settle(t)
	if _, bpjs := s.scrapingStatus(t, xid2); bpjs != "not verified" {
		t.Fatalf("bpjs after a failed login: %q", bpjs)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid2 + "/web"}).expect(t, 200)
	if _, bpjs := s.scrapingStatus(t, xid2); bpjs != "not verified" {
		t.Fatalf("bpjs with a fresh login URL issued: %q", bpjs)
	}
	if strings.Contains(s.logs.String(), "rahasia-bpjs-123") {
		t.Fatal("the BPJS password is logged")
	}
}

func TestBankImportSandboxPlaysOutEachTestUsername(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	r := s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("sandbox_ok", "s3cret-bri-pass")}}).expect(t, 201)
	// Errata 26: the envelope, and the four keys at the top level too.
	var top struct {
		Success  bool   `json:"success"`
		Status   string `json:"status"`
		XID      int64  `json:"application_xid"`
		DataType string `json:"data_type"`
		ID       int64  `json:"id"`
		Data     struct {
			Status string `json:"status"`
			ID     int64  `json:"id"`
		} `json:"data"`
	}
	json.Unmarshal([]byte(r.Raw), &top)
	if !top.Success || top.Status != "initiated" || strconv.FormatInt(top.XID, 10) != xid || top.DataType != "bri" ||
		top.ID == 0 || top.Data.Status != "initiated" || top.Data.ID != top.ID {
		t.Fatalf("answer %s", r.Raw)
	}
	s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("sandbox_ok", "x")}}).expect(t, 409,
		fmt.Sprintf("impor data bank bri untuk aplikasi ini masih berjalan (id %d)", top.ID))
	// JSON credentials, another bank, at the same time: fine.
	s.do(req{Method: "POST", Path: "/api/partnership/v1/external-data-imports/" + xid, Body: map[string]any{
		"data_type": "BCA", "credentials": map[string]string{"username": "sandbox_wrong_password", "password": "s3cret-bca-pass"}}}).expect(t, 201)
	s.startImport(xid, url.Values{"data_type": {"mandiri"}, "credentials": {`{"username": "sandbox_bank_down", "password": "s3cret-mandiri-pass"}`}}).expect(t, 201)
	banks, _ := s.scrapingStatus(t, xid)
	if banks["bri"] != "ongoing" || banks["bca"] != "ongoing" || banks["mandiri"] != "ongoing" || banks["bni"] != "not verified" {
		t.Fatalf("at the start: %v", banks)
	}
	s.Clock.Add(1500 * time.Millisecond)
	s.settle(t)
	if banks, _ = s.scrapingStatus(t, xid); banks["bri"] != "ongoing" || banks["bca"] != "not verified" || banks["mandiri"] != "ongoing" {
		t.Fatalf("after 1.5 s: %v", banks)
	}
	s.Clock.Add(2 * time.Second)
	s.settle(t)
	if banks, _ = s.scrapingStatus(t, xid); banks["bri"] != "verified" || banks["mandiri"] != "not verified" {
		t.Fatalf("after 3.5 s: %v", banks)
	}
	var states []string
	rows, _ := s.sqlDB().Query(`SELECT bank || ':' || status FROM bank_imports ORDER BY bank`)
	for rows.Next() {
		var x string
		rows.Scan(&x)
		states = append(states, x)
	}
	rows.Close()
	if strings.Join(states, ",") != "bca:auth_failed,bri:load_success,mandiri:scrape_failed" {
		t.Fatalf("states %v", states)
	}
	if st := s.status(t, xid); st["bank_status"].([]any)[2].(map[string]any)["status"] != "verified" {
		t.Fatalf("application status %v", st)
	}
	// After the import ended, a new one may start; a failing retry does not
	// undo the verification.
	s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("sandbox_wrong_password", "again")}}).expect(t, 201)
	if banks, _ = s.scrapingStatus(t, xid); banks["bri"] != "verified" {
		t.Fatalf("bri with a retry running: %v", banks)
	}
	s.Clock.Add(2 * time.Second)
	s.settle(t)
	if banks, _ = s.scrapingStatus(t, xid); banks["bri"] != "verified" {
		t.Fatalf("bri after a failed retry: %v", banks)
	}

	// Credentials are handed over and forgotten: not in the database, the
	// data dir or the log.
	for _, secret := range []string{"s3cret-bri-pass", "s3cret-bca-pass", "s3cret-mandiri-pass", "sandbox_bank_down"} {
		if strings.Contains(s.dumpDB(t), secret) || strings.Contains(string(readAllFiles(t, s.Data)), secret) ||
			strings.Contains(s.logs.String(), secret) {
			t.Fatalf("%q was kept somewhere", secret)
		}
	}
}

func TestBankImportRefusesBadInputAndOtherPartners(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	for name, tc := range map[string]struct {
		form      url.Values
		fragments []string
	}{
		"unknown bank":     {url.Values{"data_type": {"bsi"}, "credentials": {creds("a", "b")}}, []string{"data_type: harus salah satu dari: bri, bca, mandiri, bni"}},
		"no credentials":   {url.Values{"data_type": {"bri"}}, []string{"credentials: wajib diisi"}},
		"the doc's typo":   {url.Values{"data_type": {"bri"}, "credentials": {"{'username': 'username_example', 'passwor': 'password_example'}"}}, []string{"credentials: password wajib diisi"}},
		"not a dict":       {url.Values{"data_type": {"bri"}, "credentials": {"username=a password=b"}}, []string{"credentials: harus objek berisi username dan password"}},
		"empty username":   {url.Values{"data_type": {"bri"}, "credentials": {creds(" ", "b")}}, []string{"credentials: username wajib diisi"}},
		"nothing at all":   {url.Values{}, []string{"data_type: wajib diisi", "credentials: wajib diisi"}},
		"unterminated str": {url.Values{"data_type": {"bri"}, "credentials": {"{'username': 'a', 'password': 'b}"}}, []string{"credentials: harus objek"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.forT(t).startImport(xid, tc.form).expect(t, 400, tc.fragments...)
			if strings.Contains(r.Raw, "password_example") {
				t.Fatal("the answer echoes the credentials")
			}
		})
	}
	beta := s.createPartner("beta")
	as := map[string]string{"username": "beta", "secret-key": beta}
	s.do(req{Method: "POST", Path: "/api/partnership/v1/external-data-imports/" + xid, Header: as,
		Body: url.Values{"data_type": {"bri"}, "credentials": {creds("sandbox_ok", "x")}}}).expect(t, 404, "Aplikasi tidak ditemukan")
	s.do(req{Method: "GET", Path: "/api/partnership/v1/scraping-status/" + xid, Header: as}).expect(t, 404, "Aplikasi tidak ditemukan")
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid + "/web", Header: as}).expect(t, 404, "Aplikasi tidak ditemukan")
	s.do(req{Method: "GET", Path: "/api/partnership/v1/scraping-status/" + xid, NoAuth: true, Invalid: true}).expect(t, 401)
	if n := s.count("bank_imports") + s.count("bpjs_tasks"); n != 0 {
		t.Fatalf("refused requests left %d rows", n)
	}
}

// fakeVendor plays the BPJS vendor's and the scraper service's side.
type fakeVendor struct {
	mu     sync.Mutex
	jobs   []map[string]string
	auth   []string
	answer func(w http.ResponseWriter)
}

func (f *fakeVendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var job map[string]string
	json.Unmarshal(b, &job)
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	answer := f.answer
	f.mu.Unlock()
	answer(w)
}

func (f *fakeVendor) set(a func(http.ResponseWriter)) { f.mu.Lock(); f.answer = a; f.mu.Unlock() }

func sign(secret string, at time.Time, body string) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, ts+"."+body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

const scraperSecret = "scraper-callback-secret-0123456789abcdef"
const bpjsSecret = "bpjs-callback-secret-0123456789abcdefghij"

func (s *testServer) callback(path, sig, body string) response {
	return s.callbackMarked(path, sig, body, false)
}

// callbackMarked is callback for a body that is deliberately outside the
// OpenAPI document when invalid is set; a callback without a signature is.
func (s *testServer) callbackMarked(path, sig, body string, invalid bool) response {
	hdr := map[string]string{}
	if sig != "" {
		hdr["X-Julo-Signature"] = sig
	}
	return s.do(req{Method: "POST", Path: path, Body: body, ContentType: "application/json", Header: hdr, NoAuth: true,
		Invalid: invalid || sig == ""})
}

func TestVendorAdaptersAgainstAFakeVendor(t *testing.T) {
	fake := &fakeVendor{answer: func(w http.ResponseWriter) { io.WriteString(w, `{"accepted": true}`) }}
	vendor := httptest.NewServer(fake)
	defer vendor.Close()
	s := startServer(t, []string{"--public-url", "https://julo.example/"},
		withEnv("JULO_SCRAPER_PROVIDER", "vendor"), withEnv("JULO_SCRAPER_URL", vendor.URL+"/jobs"),
		withEnv("JULO_SCRAPER_TOKEN", "scraper-token"), withEnv("JULO_SCRAPER_CALLBACK_SECRET", scraperSecret),
		withEnv("JULO_SCRAPER_TIMEOUT", "300ms"),
		withEnv("JULO_BPJS_PROVIDER", "vendor"), withEnv("JULO_BPJS_LOGIN_URL", "https://bpjs-vendor.example/box/safety/id/bpjs"),
		withEnv("JULO_BPJS_BOX_TOKEN_WEB", "box-web"), withEnv("JULO_BPJS_BOX_TOKEN_ANDROID", "box-android"),
		withEnv("JULO_BPJS_CALLBACK_SECRET", bpjsSecret))
	xid := s.newApplication(t)

	// The scraper gets the job with the credentials, our token and callback.
	r := s.startImport(xid, url.Values{"data_type": {"bni"}, "credentials": {creds("budi", "vendor-pass-1")}}).expect(t, 201)
	job := fake.jobs[0]
	if job["bank"] != "bni" || job["username"] != "budi" || job["password"] != "vendor-pass-1" || len(job["import_id"]) != 32 ||
		job["callback_url"] != "https://julo.example/vendor/v1/bank-scrape/callback" || fake.auth[0] != "Bearer scraper-token" {
		t.Fatalf("job %v auth %v", job, fake.auth)
	}
	ref := job["import_id"]
	if strings.Contains(r.Raw, ref) {
		t.Fatal("the partner sees the vendor reference")
	}
	cb := "/vendor/v1/bank-scrape/callback"
	body := func(status string) string { return `{"import_id": "` + ref + `", "status": "` + status + `"}` }
	now := s.Clock.Now()
	s.callback(cb, "", body("auth_success")).expect(t, 401)
	s.callback(cb, sign("wrong-secret", now, body("auth_success")), body("auth_success")).expect(t, 401)
	s.callback(cb, sign(scraperSecret, now.Add(-10*time.Minute), body("auth_success")), body("auth_success")).expect(t, 401)
	s.callback(cb, sign(scraperSecret, now, body("auth_success")), body("load_success")).expect(t, 401) // body changed after signing
	if banks, _ := s.scrapingStatus(t, xid); banks["bni"] != "ongoing" {
		t.Fatalf("forged callbacks changed the import: %v", banks)
	}
	s.callback(cb, sign(scraperSecret, now, body("load_success")), body("load_success")).expect(t, 409, `"load_success" tidak bisa mengikuti "initiated"`)
	for _, st := range []string{"auth_success", "auth_success", "scrape_success", "load_success"} {
		s.callback(cb, sign(scraperSecret, now, body(st)), body(st)).expect(t, 200)
	}
	if banks, _ := s.scrapingStatus(t, xid); banks["bni"] != "verified" {
		t.Fatalf("after the vendor's callbacks: %v", banks)
	}
	unknown := `{"import_id": "00000000000000000000000000000000", "status": "auth_success"}`
	s.callback(cb, sign(scraperSecret, now, unknown), unknown).expect(t, 404)
	s.callbackMarked(cb, sign(scraperSecret, now, "not json"), "not json", true).expect(t, 400)

	// A failing, slow, oversized or malformed scraper: a clear 502 within
	// the timeout, and no import left behind, so a retry can start.
	for name, answer := range map[string]func(http.ResponseWriter){
		"failing":   func(w http.ResponseWriter) { w.WriteHeader(500) },
		"slow":      func(w http.ResponseWriter) { time.Sleep(2 * time.Second); io.WriteString(w, `{}`) },
		"oversized": func(w http.ResponseWriter) { io.WriteString(w, `{"x": "`+strings.Repeat("a", 200<<10)+`"}`) },
		"malformed": func(w http.ResponseWriter) { io.WriteString(w, `<html>oops</html>`) },
	} {
		fake.set(answer)
		start := time.Now()
		s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("budi", "vendor-pass-2")}}).expect(t, 502, "layanan pengambilan data bank tidak dapat dihubungi")
		if el := time.Since(start); el > 1500*time.Millisecond {
			t.Fatalf("%s: waited %v with a 300ms timeout", name, el)
		}
		if banks, _ := s.scrapingStatus(t, xid); banks["bri"] != "not verified" {
			t.Fatalf("%s: a failed start left %v", name, banks)
		}
	}
	fake.set(func(w http.ResponseWriter) { io.WriteString(w, `{}`) })
	s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("budi", "vendor-pass-3")}}).expect(t, 201)

	// BPJS: the vendor's URL with our box token, an opaque pass-back value
	// and our callback; the vendor's signed callback decides the outcome.
	var d struct{ URL string }
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid + "/android"}).expect(t, 200).decodeData(t, &d)
	u, _ := url.Parse(d.URL)
	q := u.Query()
	if u.Host != "bpjs-vendor.example" || q.Get("box_token") != "box-android" || len(q.Get("passback_params")) != 32 ||
		q.Get("cb") != "https://julo.example/vendor/v1/bpjs/callback" || q.Get("fix") != "1" {
		t.Fatalf("bpjs url %s", d.URL)
	}
	task := q.Get("passback_params")
	ok := `{"task": "` + task + `", "status": "success"}`
	s.callback("/vendor/v1/bpjs/callback", sign(scraperSecret, now, ok), ok).expect(t, 401) // the scraper's secret is not BPJS's
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "not verified" {
		t.Fatalf("bpjs with a URL issued: %q", bpjs)
	}
	// The vendor reports that the customer submitted the login: ongoing.
	submitted := `{"task": "` + task + `", "status": "submitted"}`
	s.callback("/vendor/v1/bpjs/callback", sign(bpjsSecret, now, submitted), submitted).expect(t, 200)
	s.callback("/vendor/v1/bpjs/callback", sign(bpjsSecret, now, submitted), submitted).expect(t, 200)
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "ongoing" {
		t.Fatalf("bpjs with the login submitted: %q", bpjs)
	}
	s.callback("/vendor/v1/bpjs/callback", sign(bpjsSecret, now, ok), ok).expect(t, 200)
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "verified" {
		t.Fatalf("bpjs %q", bpjs)
	}
	s.callback("/vendor/v1/bpjs/callback", sign(bpjsSecret, now, submitted), submitted).expect(t, 409)
	// The credentials went to the vendor and nowhere else.
	for _, secret := range []string{"vendor-pass-1", "vendor-pass-2", "vendor-pass-3"} {
		if strings.Contains(s.dumpDB(t), secret) || strings.Contains(s.logs.String(), secret) {
			t.Fatalf("%q was kept", secret)
		}
	}
}

func TestProductionWithoutVendorsAnswersNotConfigured(t *testing.T) {
	keys, _ := (&testServer{}).keysJSON()
	s := startServer(t, []string{"--env", "production"}, withEnv("JULO_KEYS", keys), withEnv("JULO_SMS_PROVIDER", "log"))
	xid := s.newApplication(t)
	s.do(req{Method: "GET", Path: "/api/partnership/v1/bpjs/login/" + xid + "/web"}).expect(t, 503, "BPJS belum dikonfigurasi")
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "not verified" || s.count("bpjs_tasks") != 0 {
		t.Fatalf("a refused BPJS login left a task: %q", bpjs)
	}
	s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("a", "b")}}).expect(t, 503, "Bank scrape belum dikonfigurasi")
	if code, _ := rawGet(t, s.URL+"/api/partnership/v1/sandbox/bpjs/login?task=x"); code != 404 {
		t.Fatalf("sandbox page in production: %d", code)
	}
	if n := s.count("bank_imports"); n != 0 {
		t.Fatalf("%d imports left", n)
	}
}

// The sandbox import plays out in the background: with no request in
// between, the status read once after the plan's time shows it verified.
func TestBankImportSandboxVerifiesWithoutRequests(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	s.startImport(xid, url.Values{"data_type": {"bca"}, "credentials": {creds("sandbox_ok", "s3cret")}}).expect(t, 201)
	s.Clock.Add(4 * time.Second)
	s.settle(t)
	if banks, _ := s.scrapingStatus(t, xid); banks["bca"] != "verified" {
		t.Fatalf("after the plan's time: %v", banks)
	}
	if n := s.countWhere("events", "type = 'application.verification_changed' AND subject = 'bank:bca' AND outcome = 'verified'"); n != 1 {
		t.Fatalf("%d verification events", n)
	}
	// Reading a status writes nothing.
	before := s.dumpDB(t)
	s.scrapingStatus(t, xid)
	s.status(t, xid)
	if s.dumpDB(t) != before {
		t.Fatal("a status read wrote to the database")
	}
}
