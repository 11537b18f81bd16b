package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var nikSeq = 0
var nikMu sync.Mutex

// newApplication registers a fresh customer and returns the xid as a string.
func (s *testServer) newApplication(t *testing.T) string {
	t.Helper()
	nikMu.Lock()
	nikSeq++
	n := nikSeq
	nikMu.Unlock()
	nik := fmt.Sprintf("32030201019%05d", n) // born 1993-01-01, serial varies
	r := s.do(req{Method: "POST", Path: "/api/partnership/v1/customer", Body: map[string]any{
		"username": nik, "pin": "482915", "email": fmt.Sprintf("c%d-%d@test.com", n, time.Now().UnixNano()), "latitude": -6.2, "longitude": 106.8,
	}}).expect(t, http.StatusCreated)
	var d struct {
		XID int64 `json:"application_xid"`
	}
	r.decodeData(t, &d)
	return strconv.FormatInt(d.XID, 10)
}

func (s *testServer) sendOTP(xid, phone string) response {
	return s.do(req{Method: "POST", Path: "/api/partnership/v1/application/otp/" + xid, Body: map[string]any{"phone": phone}})
}

func (s *testServer) validateOTP(xid, code string) response {
	return s.do(req{Method: "POST", Path: "/api/partnership/v1/application/otp/validate/" + xid, Body: map[string]any{"otp_token": code}})
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// lastCode reads the newest code sent to phone from the sandbox outbox.
func (s *testServer) lastCode(t *testing.T, phone string) string {
	t.Helper()
	r := s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=" + phone}).expect(t, 200)
	var msgs []struct {
		Message string `json:"message"`
	}
	r.decodeData(t, &msgs)
	if len(msgs) == 0 {
		t.Fatalf("no message to %s", phone)
	}
	code := codeRE.FindString(msgs[0].Message)
	if code == "" {
		t.Fatalf("no code in %q", msgs[0].Message)
	}
	return code
}

func retryAfter(t *testing.T, r response) int {
	t.Helper()
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q: %s", r.Header.Get("Retry-After"), r.Raw)
	}
	return n
}

func TestOTPSendValidateAndSingleUse(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	r := s.sendOTP(xid, "+62 812-3456-7899").expect(t, 200)
	if string(r.Data) != "null" {
		t.Fatalf("data %s", r.Data)
	}
	outbox := s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=081234567899"}).expect(t, 200)
	var msgs []struct {
		XID     int64  `json:"application_xid"`
		Phone   string `json:"phone"`
		Message string `json:"message"`
	}
	outbox.decodeData(t, &msgs)
	if len(msgs) != 1 || strconv.FormatInt(msgs[0].XID, 10) != xid || msgs[0].Phone != "+6281234567899" ||
		!strings.Contains(msgs[0].Message, "JANGAN berikan kode ini") {
		t.Fatalf("outbox %+v", msgs)
	}
	code := s.lastCode(t, "081234567899")
	s.validateOTP(xid, code).expect(t, 200)
	var phone string
	if a := s.applicationRecord(t, xid); len(a.VerifiedPhones) == 1 {
		phone = a.VerifiedPhones[0].Phone
	}
	if phone != "081234567899" {
		t.Fatalf("verified phone %q", phone)
	}
	s.validateOTP(xid, code).expect(t, 400, "otp_token: tidak ada kode OTP aktif")
	// Only an HMAC of the code is stored.
	var hash string
	s.sqlDB().QueryRow(`SELECT code_hash FROM otp_codes`).Scan(&hash)
	if len(hash) != 64 || strings.Contains(hash, code) {
		t.Fatalf("stored code %q", hash)
	}
}

func TestOTPRefusesBadInputAndOtherPartnersApplications(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	for _, phone := range []string{"021123456", "+6581234567", "0812", "abc", ""} {
		s.sendOTP(xid, phone).expect(t, 400, "phone: ")
	}
	s.validateOTP(xid, "12345").expect(t, 400, "otp_token: harus 6 digit angka")
	s.validateOTP(xid, "123456").expect(t, 400, "tidak ada kode OTP aktif")
	other := s.createPartner("beta")
	for _, path := range []string{"/api/partnership/v1/application/otp/" + xid, "/api/partnership/v1/application/otp/validate/" + xid} {
		r := s.do(req{Method: "POST", Path: path, Body: map[string]any{"phone": "081234567899", "otp_token": "123456"},
			Header: map[string]string{"username": "beta", "secret-key": other}}).expect(t, 404, "Aplikasi tidak ditemukan")
		_ = r
	}
	s.sendOTP("1000000000", "081234567899").expect(t, 404, "Aplikasi tidak ditemukan")
	s.do(req{Method: "POST", Path: "/api/partnership/v1/application/otp/abc", Body: map[string]any{"phone": "081234567899"}, Invalid: true}).
		expect(t, 404, "Aplikasi tidak ditemukan")
	if n := s.count("otp_codes"); n != 0 {
		t.Fatalf("%d codes stored by refused requests", n)
	}
	// The outbox shows only the calling partner's messages.
	s.sendOTP(xid, "081234567899").expect(t, 200)
	r := s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=081234567899",
		Header: map[string]string{"username": "beta", "secret-key": other}}).expect(t, 200)
	if string(r.Data) != "[]" {
		t.Fatalf("another partner sees %s", r.Data)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms"}).expect(t, 400, "phone: ")
}

func TestOTPSendLimits(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	s.sendOTP(xid, "081234567899").expect(t, 200)
	r := s.sendOTP(xid, "081234567899").expect(t, 429, "kirim ulang dalam 60 detik")
	if retryAfter(t, r) != 60 {
		t.Fatalf("Retry-After %d", retryAfter(t, r))
	}
	s.Clock.Add(59 * time.Second)
	if ra := retryAfter(t, s.sendOTP(xid, "081234567899").expect(t, 429)); ra != 1 {
		t.Fatalf("Retry-After %d after 59 s", ra)
	}
	s.Clock.Add(time.Second)
	s.sendOTP(xid, "081234567899").expect(t, 200)
	s.Clock.Add(60 * time.Second)
	s.sendOTP(xid, "081234567899").expect(t, 200)
	s.Clock.Add(60 * time.Second)
	// The 4th send within 30 minutes: wait until the first leaves the window.
	r = s.sendOTP(xid, "081234567899").expect(t, 429, "batas 3 pengiriman OTP per 30 menit")
	if ra := retryAfter(t, r); ra != 30*60-180 {
		t.Fatalf("Retry-After %d", ra)
	}
	s.Clock.Add(time.Duration(30*60-180) * time.Second)
	s.sendOTP(xid, "081234567899").expect(t, 200)
}

// The per-phone daily cap is counted per partner (10), so that one partner
// cannot use up the codes of another partner's customer, under a higher cap
// across partners (30) (issue 10, item 8).
func TestOTPPhoneDailyCapHoldsAcrossApplicationsAndPartners(t *testing.T) {
	s := startServer(t, nil)
	secrets := map[string]string{s.Partner: s.Secret}
	for _, p := range []string{"beta", "gamma", "delta"} {
		secrets[p] = s.createPartner(p)
	}
	acme := s.Partner
	as := func(p string) { s.Partner, s.Secret = p, secrets[p] }
	phone := "085330838909"
	// exhaust sends n codes to phone from applications of the current
	// partner (three per application, a minute apart).
	exhaust := func(n int) {
		t.Helper()
		for sent := 0; sent < n; {
			xid := s.newApplication(t)
			for i := 0; i < 3 && sent < n; i++ {
				s.sendOTP(xid, phone).expect(t, 200)
				sent++
				s.Clock.Add(61 * time.Second)
			}
		}
	}
	exhaust(10)
	xid := s.newApplication(t)
	s.sendOTP(xid, phone).expect(t, 429, "batas 10 OTP per hari untuk nomor ini")
	// Another partner's customer with the phone still gets codes: its own ten.
	as("beta")
	exhaust(10)
	s.sendOTP(s.newApplication(t), phone).expect(t, 429, "batas 10 OTP per hari")
	as("gamma")
	exhaust(10)
	// Thirty sends by all partners: the global cap refuses every partner,
	// even one that sent none.
	as("delta")
	xid4 := s.newApplication(t)
	s.sendOTP(xid4, phone).expect(t, 429, "batas 30 OTP per hari")
	s.sendOTP(xid4, "085330838901").expect(t, 200) // another phone is fine
	// The first of acme's sends leaves the 24 hours: acme may send one
	// again (its count is 9 of 10, the global 29 of 30).
	as(acme)
	r := s.sendOTP(xid, phone).expect(t, 429, "batas 10 OTP per hari")
	s.Clock.Add(time.Duration(retryAfter(t, r)-1) * time.Second)
	s.sendOTP(xid, phone).expect(t, 429, "batas 10 OTP per hari")
	s.Clock.Add(time.Second)
	s.sendOTP(xid, phone).expect(t, 200)
}

func TestOTPWrongTriesBurnTheCodeAndLockTheApplication(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	phone := "081234567899"
	s.sendOTP(xid, phone).expect(t, 200)
	code := s.lastCode(t, phone)
	wrong := fmt.Sprintf("%06d", (mustAtoi(code)+1)%1000000)
	for i := 1; i <= 4; i++ {
		s.validateOTP(xid, wrong).expect(t, 400, fmt.Sprintf("sisa %d percobaan", 5-i))
	}
	s.validateOTP(xid, wrong).expect(t, 400, "salah 5 kali sehingga tidak berlaku lagi")
	s.validateOTP(xid, code).expect(t, 400, "tidak ada kode OTP aktif") // burned
	// A new code does not reset the failure count: 5 more failures lock OTP.
	s.Clock.Add(61 * time.Second)
	s.sendOTP(xid, phone).expect(t, 200)
	code = s.lastCode(t, phone)
	wrong = fmt.Sprintf("%06d", (mustAtoi(code)+1)%1000000)
	for i := 1; i <= 4; i++ {
		s.validateOTP(xid, wrong).expect(t, 400)
	}
	r := s.validateOTP(xid, wrong).expect(t, 429, "OTP dikunci")
	if ra := retryAfter(t, r); ra != 3600 {
		t.Fatalf("Retry-After %d", ra)
	}
	s.validateOTP(xid, code).expect(t, 429, "OTP dikunci")
	s.Clock.Add(61 * time.Second)
	s.sendOTP(xid, phone).expect(t, 429, "OTP dikunci")
	s.Clock.Add(time.Hour)
	s.sendOTP(xid, phone).expect(t, 200)
	s.validateOTP(xid, s.lastCode(t, phone)).expect(t, 200)
}

func TestOTPExpiresAfterFiveMinutesAndANewCodeSupersedes(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	s.sendOTP(xid, "081234567899").expect(t, 200)
	first := s.lastCode(t, "081234567899")
	s.Clock.Add(5 * time.Minute)
	s.validateOTP(xid, first).expect(t, 400, "kedaluwarsa")
	s.sendOTP(xid, "081234567899").expect(t, 200)
	second := s.lastCode(t, "081234567899")
	s.Clock.Add(61 * time.Second)
	s.sendOTP(xid, "081234567800").expect(t, 200)
	third := s.lastCode(t, "081234567800")
	if second != third {
		s.validateOTP(xid, second).expect(t, 400, "kode OTP salah") // superseded by the third
	}
	s.validateOTP(xid, third).expect(t, 200)
}

func mustAtoi(s string) int { n, _ := strconv.Atoi(s); return n }

// smsReceiver is a local SMS gateway that records requests and answers
// with status (and waits delay first).
type smsReceiver struct {
	mu     sync.Mutex
	bodies []map[string]string
	auth   []string
	status int
	delay  time.Duration
}

func (g *smsReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var m map[string]string
	json.Unmarshal(b, &m)
	g.mu.Lock()
	g.bodies = append(g.bodies, m)
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	status, delay := g.status, g.delay
	g.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
	}
	w.WriteHeader(status)
}

func TestOTPWebhookProviderDeliversAndGatewayFailuresDoNotCount(t *testing.T) {
	g := &smsReceiver{status: 200}
	gw := httptest.NewServer(g)
	defer gw.Close()
	s := startServer(t, []string{"--sms-provider", "webhook", "--sms-webhook-url", gw.URL + "/send", "--sms-timeout", "300ms"},
		withEnv("JULO_SMS_WEBHOOK_TOKEN", "gw-token"))
	xid := s.newApplication(t)
	s.sendOTP(xid, "081234567899").expect(t, 200)
	if len(g.bodies) != 1 || g.bodies[0]["to"] != "+6281234567899" || !codeRE.MatchString(g.bodies[0]["message"]) ||
		!strings.Contains(g.bodies[0]["message"], "JANGAN") || g.auth[0] != "Bearer gw-token" {
		t.Fatalf("gateway got %v %v", g.bodies, g.auth)
	}
	code := codeRE.FindString(g.bodies[0]["message"])
	if strings.Contains(s.logs.String(), code) || strings.Contains(s.logs.String(), "gw-token") {
		t.Fatal("the log shows the code or the gateway token")
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=081234567899"}).expect(t, 200)

	// A failing gateway: a clear 502, and the failed send does not count
	// (no resend spacing, no limit used).
	s.Clock.Add(61 * time.Second)
	g.mu.Lock()
	g.status = 500
	g.mu.Unlock()
	for i := 0; i < 5; i++ {
		s.sendOTP(xid, "081234567899").expect(t, 502, "penyedia SMS")
	}
	// A gateway slower than the timeout: 502 after the timeout, not a hang.
	// The gateway may have taken the message, so that code stays counted.
	g.mu.Lock()
	g.status, g.delay = 200, 5*time.Second
	g.mu.Unlock()
	start := time.Now()
	s.sendOTP(xid, "081234567899").expect(t, 502, "tidak mengonfirmasi pengiriman")
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("waited %v for a 300ms timeout", el)
	}
	s.sendOTP(xid, "081234567899").expect(t, 429, "kirim ulang")
	g.mu.Lock()
	g.delay = 0
	g.mu.Unlock()
	s.Clock.Add(61 * time.Second)
	s.sendOTP(xid, "081234567899").expect(t, 200)
	s.validateOTP(xid, code).expect(t, 400, "kode OTP salah") // the first code was superseded
	var stored int
	s.sqlDB().QueryRow(`SELECT COUNT(*) FROM otp_codes`).Scan(&stored)
	if stored != 3 {
		t.Fatalf("%d codes stored; want the first, the unconfirmed and the last, none of the refused", stored)
	}
}

// A partner that hangs up while the gateway works cannot make a send
// uncounted: the send goes on, and the limits see it.
func TestOTPSendCountsEvenWhenThePartnerHangsUp(t *testing.T) {
	g := &smsReceiver{status: 200, delay: 600 * time.Millisecond}
	gw := httptest.NewServer(g)
	defer gw.Close()
	s := startServer(t, []string{"--sms-provider", "webhook", "--sms-webhook-url", gw.URL, "--sms-timeout", "5s"})
	xid := s.newApplication(t)
	impatient := &http.Client{Timeout: 100 * time.Millisecond}
	for i := 0; i < 5; i++ {
		r, _ := http.NewRequest("POST", s.URL+"/api/partnership/v1/application/otp/"+xid, strings.NewReader(`{"phone": "081234567899"}`))
		r.Header.Set("username", s.Partner)
		r.Header.Set("secret-key", s.Secret)
		r.Header.Set("Content-Type", "application/json")
		if resp, err := impatient.Do(r); err == nil {
			resp.Body.Close()
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		n := len(g.bodies)
		g.mu.Unlock()
		var stored int
		s.sqlDB().QueryRow(`SELECT COUNT(*) FROM otp_codes`).Scan(&stored)
		if n >= 1 && stored == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway got %d messages, %d codes stored", n, stored)
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.mu.Lock()
	delivered := len(g.bodies)
	g.mu.Unlock()
	if delivered != 1 {
		t.Fatalf("the gateway got %d messages from 5 hung-up sends within 60 s; the resend spacing allows 1", delivered)
	}
	g.mu.Lock()
	g.delay = 0
	g.mu.Unlock()
	s.sendOTP(xid, "081234567899").expect(t, 429, "kirim ulang")
}

func TestProductionLogProviderNeverLogsTheCode(t *testing.T) {
	keys, _ := (&testServer{}).keysJSON()
	s := startServer(t, []string{"--env", "production"}, withEnv("JULO_KEYS", keys), withEnv("JULO_SMS_PROVIDER", "log"))
	xid := s.newApplication(t)
	s.sendOTP(xid, "081234567899").expect(t, 200)
	logs := s.logs.String()
	if !strings.Contains(logs, `"msg":"sms"`) || !strings.Contains(logs, "******") || codeRE.MatchString(smsLines(logs)) {
		t.Fatalf("production sms log: %s", smsLines(logs))
	}
	if strings.Contains(logs, "081234567899") || strings.Contains(logs, "6281234567899") {
		t.Fatal("the phone is logged in full")
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=081234567899"}).expect(t, 404)
}

func smsLines(logs string) string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"msg":"sms"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
