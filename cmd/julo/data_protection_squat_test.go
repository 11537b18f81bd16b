package main

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
)

// Messages of issue 10, items 5-7 (Indonesian, the default language).
const (
	msgPreregLockedNIK = "Terlalu banyak pengecekan gagal untuk NIK ini"
	msgNIKCoolingOff   = "NIK ini milik pengajuan yang ditolak; dapat didaftarkan lagi setelah "
)

// storeOf opens the server's database as the operator's tools do, closed
// when the test ends.
func storeOf(t *testing.T, s *testServer) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), s.dbURL, s.Data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := keyring.Load(s.env["JULO_ENV"] == "production", s.Data, func(k string) string { return s.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetKeys(keys); err != nil {
		t.Fatal(err)
	}
	return db
}

// applicationRecord is what the server holds about the application xid
// (from its customer's record).
func (s *testServer) applicationRecord(t *testing.T, xid string) store.ApplicationRecord {
	t.Helper()
	x, err := strconv.ParseInt(xid, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := storeOf(t, s).CustomerByApplicationXID(context.Background(), x)
	if err != nil {
		t.Fatalf("application %s: %v", xid, err)
	}
	for _, a := range rec.Applications {
		if a.XID == x {
			return a
		}
	}
	t.Fatalf("application %s is not in its customer's record", xid)
	return store.ApplicationRecord{}
}

// customerOf is everything the server holds about the customer of nik,
// opened with the server's keys (julo customer export's record).
func customerOf(t *testing.T, s *testServer, nik string) store.CustomerRecord {
	t.Helper()
	rec, err := storeOf(t, s).CustomerByNIK(context.Background(), nik)
	if err != nil {
		t.Fatalf("customer %s: %v", nik, err)
	}
	return rec
}

// runFormExpiry runs the expiry as its periodic schedule would by the
// server's clock now: the job River inserts every hour, inserted now (the
// test moves the server's clock, not River's timer), and waits for it.
func runFormExpiry(t *testing.T, s *testServer) {
	t.Helper()
	if err := storeOf(t, s).Enqueue(context.Background(), julo.Scheduled{Job: onboarding.FormExpiryJob{}, At: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	// River's cleaner removes completed jobs a day old by the moved clock:
	// every expiry job left is completed, this one at least.
	if s.countWhere("river_job", "kind = 'form_expiry' AND state <> 'completed'") != 0 ||
		s.countWhere("river_job", "kind = 'form_expiry' AND state = 'completed'") == 0 {
		t.Fatalf("the expiry did not complete: %s", s.jobDumpAll())
	}
}

func statusOf(t *testing.T, s *testServer, xid int64, hdr map[string]string) (int, string) {
	t.Helper()
	var st struct {
		Code int    `json:"application_status_code"`
		Name string `json:"application_status"`
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + strconv.FormatInt(xid, 10), Header: hdr}).
		expect(t, http.StatusOK).decodeData(t, &st)
	return st.Code, st.Name
}

// storedOnly runs f and fails if a table's row count changed, the
// failed-check guards (prereg_guard) aside.
func storedOnly(t *testing.T, s *testServer, f func()) {
	t.Helper()
	before := s.rowCounts()
	f()
	after := s.rowCounts()
	delete(before, "prereg_guard")
	delete(after, "prereg_guard")
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("row counts changed: before %v, after %v", before, after)
	}
}

// Issue 10, item 5: an application at 100 with no successful step for 14
// days moves to 106 FORM_EXPIRED by the periodic expiry, with its history
// row and event; an image accepted on day 10 keeps another one alive until
// day 24. The expired one's NIK and email are free again: the pre-register
// check says so, and another partner's registration with them is a new
// application for the same customer, while the old one stays expired (and
// its partner's). Asking for an OTP is not a successful step.
func TestDataProtectionIdleApplicationExpiresAndFreesItsNIKAndEmail(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	idle := s.register(t, testNIK(1), "idle@example.com")
	busy := s.register(t, testNIK(2), "busy@example.com")
	s.sendOTP(strconv.FormatInt(idle.XID, 10), "081234567890").expect(t, http.StatusOK)

	s.Clock.Add(10 * 24 * time.Hour)
	imgUpload(t, s, busy.XID, "selfie", "selfie.png", imgPNG(t, 16, 16, 1)).expect(t, http.StatusOK)
	s.Clock.Add(4*24*time.Hour - time.Minute)
	runFormExpiry(t, s)
	if code, _ := statusOf(t, s, idle.XID, nil); code != 100 {
		t.Fatalf("expired a minute early: %d", code)
	}
	s.Clock.Add(time.Minute)
	runFormExpiry(t, s)
	if code, name := statusOf(t, s, idle.XID, nil); code != 106 || name != "FORM_EXPIRED" {
		t.Fatalf("after 14 idle days: %d %s", code, name)
	}
	if code, _ := statusOf(t, s, busy.XID, nil); code != 100 {
		t.Fatalf("an application with a step 4 days ago expired: %d", code)
	}
	// The status machine wrote the history and the event.
	if n := s.countWhere("application_status_history", "from_status = 100 AND to_status = 106 AND reason = 'no_progress'"); n != 1 {
		t.Fatalf("%d history rows of the expiry", n)
	}
	if n := s.countWhere("events", "type = 'application.status_changed' AND to_code = 106"); n != 1 {
		t.Fatalf("%d events of the expiry: %s", n, s.dumpDB(t))
	}
	// Intake is closed.
	imgUpload(t, s, idle.XID, "selfie", "selfie.png", imgPNG(t, 16, 16, 2)).expect(t, http.StatusConflict)

	// Free again, for anyone.
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "idle@example.com"}}).expect(t, http.StatusOK)
	beta := s.createPartner("beta")
	asBeta := map[string]string{"username": "beta", "secret-key": beta}
	var again registered
	s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "idle@example.com"), Header: asBeta}).
		expect(t, http.StatusCreated).decodeData(t, &again)
	if again.XID == idle.XID || again.KTP != testNIK(1) || again.Email != "idle@example.com" {
		t.Fatalf("registered again: %+v (first %d)", again, idle.XID)
	}
	// One customer (the first one, taken back) with both applications.
	rec := customerOf(t, s, testNIK(1))
	var customers, apps int
	s.query(t, `SELECT COUNT(*) FROM customers WHERE nik_bidx = (SELECT nik_bidx FROM customers WHERE id = $1)`, []any{rec.CustomerID}, &customers)
	apps = len(rec.Applications)
	if customers != 1 || apps != 2 || rec.Applications[0].XID != idle.XID || rec.Applications[1].XID != again.XID {
		t.Fatalf("%d customers and %d applications for the NIK, want 1 and 2", customers, apps)
	}
	if code, _ := statusOf(t, s, again.XID, asBeta); code != 100 {
		t.Fatalf("the new application is at %d", code)
	}
	if code, _ := statusOf(t, s, idle.XID, nil); code != 106 {
		t.Fatalf("the old application is at %d", code)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + strconv.FormatInt(again.XID, 10)}).expect(t, http.StatusNotFound)
	// Held again: the first partner's registration of it is another partner's NIK.
	r := s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "idle@example.com")}).expect(t, http.StatusConflict)
	expectErrors(t, r, "username: "+msgNIKRegistered)

	// Ten days on, the other one has gone 14 days without a step.
	s.Clock.Add(10 * 24 * time.Hour)
	runFormExpiry(t, s)
	if code, _ := statusOf(t, s, busy.XID, nil); code != 106 {
		t.Fatalf("14 days after its last step: %d", code)
	}
	if code, _ := statusOf(t, s, again.XID, asBeta); code != 100 {
		t.Fatalf("the 10-day-old application expired: %d", code)
	}
}

// The expiry is configurable (JULO_FORM_EXPIRY_DAYS), and a verified OTP
// is a successful step.
func TestDataProtectionFormExpiryDaysAreConfigurable(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil, withEnv("JULO_FORM_EXPIRY_DAYS", "3"))
	quiet := s.register(t, testNIK(1), "quiet@example.com")
	verified := s.register(t, testNIK(2), "verified@example.com")
	s.Clock.Add(2 * 24 * time.Hour)
	x := strconv.FormatInt(verified.XID, 10)
	s.sendOTP(x, "081234567891").expect(t, http.StatusOK)
	s.validateOTP(x, s.lastCode(t, "081234567891")).expect(t, http.StatusOK)
	s.Clock.Add(24 * time.Hour)
	runFormExpiry(t, s)
	if code, _ := statusOf(t, s, quiet.XID, nil); code != 106 {
		t.Fatalf("3 idle days with JULO_FORM_EXPIRY_DAYS=3: %d", code)
	}
	if code, _ := statusOf(t, s, verified.XID, nil); code != 100 {
		t.Fatalf("a phone verified a day ago: %d", code)
	}
	s.Clock.Add(2 * 24 * time.Hour)
	runFormExpiry(t, s)
	if code, _ := statusOf(t, s, verified.XID, nil); code != 106 {
		t.Fatalf("3 days after the verification: %d", code)
	}
}

// The expiry is one of the server's periodic jobs, every hour; the days
// are refused outside 1-3650.
func TestDataProtectionFormExpiryIsPeriodic(t *testing.T) {
	found := false
	for _, p := range periodic {
		if _, ok := p.job.(onboarding.FormExpiryJob); ok && p.every == time.Hour {
			found = true
		}
	}
	if !found || len(periodicJobs()) != len(periodic) {
		t.Fatalf("periodic jobs %v", periodic)
	}
	settings := func(env map[string]string) (config, error) {
		var c config
		fs := newFlagSet("serve", io.Discard)
		c.flags(fs, func(k string) string { return env[k] }, true)
		if err := fs.Parse(nil); err != nil {
			return c, err
		}
		return c, c.validateServe()
	}
	if c, err := settings(nil); err != nil || c.formExpiryDays != 14 || c.coolingOffDays != 30 {
		t.Fatalf("defaults: %d, %d days, %v", c.formExpiryDays, c.coolingOffDays, err)
	}
	if c, err := settings(map[string]string{"JULO_FORM_EXPIRY_DAYS": "7", "JULO_REFUSAL_COOLING_OFF_DAYS": "60"}); err != nil ||
		days(c.formExpiryDays) != 7*24*time.Hour || days(c.coolingOffDays) != 60*24*time.Hour {
		t.Fatalf("set: %d, %d days, %v", c.formExpiryDays, c.coolingOffDays, err)
	}
	for _, env := range []string{"JULO_FORM_EXPIRY_DAYS", "JULO_REFUSAL_COOLING_OFF_DAYS"} {
		for _, v := range []string{"0", "-1", "3651", "14d"} {
			if _, err := settings(map[string]string{env: v}); err == nil {
				t.Errorf("%s=%s accepted", env, v)
			}
		}
	}
}

// Issue 10, item 5: a refused customer may register again after the
// cooling-off (30 days by default): before, its own partner's registration
// answers 409 saying when (with the application_xid), another partner's the
// plain 409 (it learns nothing of the refusal); after, a registration is a
// new application for the same customer.
func TestDataProtectionRefusedCustomerRegistersAgainAfterCoolingOff(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := s.readyApplication(t, docNIK, "budi.ismail@test.com", "085330838909")
	s.do(req{Method: "POST", Path: "/api/partnership/v1/application/" + xid, Body: docCompleteBody, ContentType: "application/json"}).expect(t, http.StatusOK)
	n, _ := strconv.ParseInt(xid, 10, 64)
	app, err := storeOf(t, s).ApplicationByXID(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	refusedAt := s.Clock.Now()
	if _, err := storeOf(t, s).MoveApplication(context.Background(),
		store.AppMove{ApplicationID: app.ID, To: julo.AppRejected, At: refusedAt, Reason: "test_refusal"}); err != nil {
		t.Fatal(err)
	}
	beta := s.createPartner("beta")
	asBeta := map[string]string{"username": "beta", "secret-key": beta}
	ends := refusedAt.Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)

	s.Clock.Add(30*24*time.Hour - time.Second)
	r := s.do(req{Method: "POST", Path: pathRegister, Body: regBody(docNIK, "budi.again@test.com")}).expect(t, http.StatusConflict)
	expectErrors(t, r, "username: "+msgNIKCoolingOff+ends)
	if got := conflictXID(t, r); got != n {
		t.Fatalf("409 names %d, want %d", got, n)
	}
	r = s.do(req{Method: "POST", Path: pathRegister, Body: regBody(docNIK, "budi.again@test.com"),
		Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusConflict)
	expectErrors(t, r, "username: This NIK belongs to a refused application; it can be registered again after "+ends)
	r = s.do(req{Method: "POST", Path: pathRegister, Body: regBody(docNIK, "budi.beta@test.com"), Header: asBeta}).expect(t, http.StatusConflict)
	expectErrors(t, r, "username: "+msgNIKRegistered)
	if conflictXID(t, r) != 0 {
		t.Fatalf("another partner learns the application: %s", r.Raw)
	}
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": docNIK, "email": "budi.beta@test.com"}, Header: asBeta}).
		expect(t, http.StatusBadRequest)

	s.Clock.Add(time.Second)
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": docNIK, "email": "budi.beta@test.com"}, Header: asBeta}).
		expect(t, http.StatusOK)
	var again registered
	s.do(req{Method: "POST", Path: pathRegister, Body: regBody(docNIK, "budi.beta@test.com"), Header: asBeta}).
		expect(t, http.StatusCreated).decodeData(t, &again)
	var customers, apps int
	s.query(t, `SELECT COUNT(*) FROM customers`, nil, &customers)
	s.query(t, `SELECT COUNT(*) FROM applications WHERE customer_id = $1`, []any{app.CustomerID}, &apps)
	if customers != 1 || apps != 2 || again.XID == n {
		t.Fatalf("%d customers, %d applications of the customer, new xid %d", customers, apps, again.XID)
	}
	if code, _ := statusOf(t, s, n, nil); code != 135 {
		t.Fatalf("the refused application is at %d", code)
	}
}

// Issue 10, item 6: a registration refused because another partner's
// customer holds the NIK or email names one field only (the NIK when it is
// held, else the email) and counts against the pre-register check's guard
// of that value: the third such failure within the hour, registrations and
// checks together, answers 423 and locks it for 3 hours, for both. The
// partner whose customer it is still gets its 409 with the
// application_xid, and is never counted or locked.
func TestDataProtectionRegistrationRefusalsCountAgainstThePreregGuard(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	own := s.register(t, testNIK(1), "owner@example.com")
	beta := s.createPartner("beta")
	asBeta := map[string]string{"username": "beta", "secret-key": beta}
	register := func(nik, email string, hdr map[string]string) response {
		return s.do(req{Method: "POST", Path: pathRegister, Body: regBody(nik, email), Header: hdr})
	}

	// Both held: only the NIK is named.
	r := register(testNIK(1), "owner@example.com", asBeta).expect(t, http.StatusConflict)
	expectErrors(t, r, "username: "+msgNIKRegistered)
	if !strings.Contains(r.Raw, `"data":null`) {
		t.Fatalf("answer %s", r.Raw)
	}
	register(testNIK(1), "probe1@example.com", asBeta).expect(t, http.StatusConflict, "username: "+msgNIKRegistered)
	r = register(testNIK(1), "probe2@example.com", asBeta).expect(t, http.StatusLocked)
	expectErrors(t, r, "username: "+msgPreregLockedNIK+"; coba lagi setelah 2026-11-24T12:00:00Z")
	if r.Header.Get("Retry-After") != "10800" {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// The same guard: the pre-register check of the NIK is locked too.
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "probe3@example.com"}, Header: asBeta}).
		expect(t, http.StatusLocked, "nik: "+msgPreregLockedNIK)
	// Its own partner's retry is not locked and still learns its application.
	for i := 0; i < 3; i++ {
		r = register(testNIK(1), "owner@example.com", nil).expect(t, http.StatusConflict)
		expectErrors(t, r, "username: "+msgNIKRegistered, "email: "+msgEmailRegistered)
		if conflictXID(t, r) != own.XID {
			t.Fatalf("answer %s", r.Raw)
		}
	}
	// The email: registrations and checks add up.
	r = register(testNIK(5), "owner@example.com", asBeta).expect(t, http.StatusConflict)
	expectErrors(t, r, "email: "+msgEmailRegistered)
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(6), "email": "owner@example.com"}, Header: asBeta}).
		expect(t, http.StatusBadRequest, "email: "+msgEmailRegistered)
	r = register(testNIK(7), "Owner@Example.com", asBeta).expect(t, http.StatusLocked)
	expectErrors(t, r, "email: "+msgPreregLocked+"; coba lagi setelah 2026-11-24T12:00:00Z")
	// Nothing was stored, and the free NIKs sent with it are not locked.
	if c := s.count("customers"); c != 1 {
		t.Fatalf("%d customers", c)
	}
	register(testNIK(5), "fresh@example.com", asBeta).expect(t, http.StatusCreated)
	// After 3 hours the NIK is answered again (and counted again).
	s.Clock.Add(3 * time.Hour)
	register(testNIK(1), "probe4@example.com", asBeta).expect(t, http.StatusConflict, "username: "+msgNIKRegistered)
}

// Issue 10, item 7: a failed pre-register check counts only against the
// value that matched a registration. A stranger's email sent three times
// with a registered NIK locks the NIK, not the email: the email is then
// checked and registered as usual.
func TestDataProtectionPreregDoesNotLockAStrangersEmail(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.register(t, testNIK(1), "owner@example.com")
	for _, want := range []int{http.StatusBadRequest, http.StatusBadRequest, http.StatusLocked} {
		r := s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "stranger@example.com"}}).expect(t, want)
		if want == http.StatusLocked {
			expectErrors(t, r, "nik: "+msgPreregLockedNIK+"; coba lagi setelah 2026-11-24T12:00:00Z")
		} else {
			expectErrors(t, r, "nik: "+msgNIKRegistered)
		}
	}
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(2), "email": "stranger@example.com"}}).expect(t, http.StatusOK)
	s.register(t, testNIK(2), "stranger@example.com")
	// The same for a stranger's NIK sent with a registered email.
	for i := 0; i < 3; i++ {
		s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(3), "email": "owner@example.com"}})
	}
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(3), "email": "third@example.com"}}).expect(t, http.StatusOK)
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(4), "email": "owner@example.com"}}).expect(t, http.StatusLocked, "email: "+msgPreregLocked)
}
