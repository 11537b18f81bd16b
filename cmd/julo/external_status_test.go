package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// checkBanks compares bank entries with want (reason nil and updated_at
// nil standing for null).
func checkBanks(t *testing.T, when string, got []bankEntry, want ...bankEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d entries, want %d: %+v", when, len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		reason := ""
		if g.Reason != nil {
			reason = *g.Reason
		}
		if g.BankName != w.BankName || g.Status != w.Status || reason != derefOr(w.Reason) {
			t.Errorf("%s: entry %d is %s %s %q, want %s %s %q", when, i, g.BankName, g.Status, reason, w.BankName, w.Status, derefOr(w.Reason))
		}
		switch {
		case w.UpdatedAt == nil && g.UpdatedAt != nil:
			t.Errorf("%s: %s updated_at %v, want null", when, g.BankName, *g.UpdatedAt)
		case w.UpdatedAt != nil && (g.UpdatedAt == nil || !g.UpdatedAt.Equal(*w.UpdatedAt)):
			t.Errorf("%s: %s updated_at %v, want %v", when, g.BankName, g.UpdatedAt, *w.UpdatedAt)
		}
	}
}

func derefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func bank(name, status, reason string, at time.Time) bankEntry {
	e := bankEntry{BankName: name, Status: status}
	if reason != "" {
		e.Reason = &reason
	}
	if !at.IsZero() {
		at := at.Truncate(time.Millisecond)
		e.UpdatedAt = &at
	}
	return e
}

// scraping-status answers as the production lender does: bank_status is a
// list with one entry per bank in a fixed order, each with a reason (null
// unless the last import failed) and updated_at (null: never tried). The
// sandbox's test usernames end with distinct reasons, and the application
// status shows the same list.
func TestScrapingStatusListsEveryBankWithWhyItFailed(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	var never time.Time
	r := s.do(req{Method: "GET", Path: "/api/partnership/v1/scraping-status/" + xid}).expect(t, 200)
	if !strings.Contains(r.Raw, `"bank_status":[{"bank_name":"bca","status":"not verified","reason":null,"updated_at":null},`) {
		t.Fatalf("not the production shape: %s", r.Raw)
	}
	list, _ := s.scrapingStatusList(t, xid)
	checkBanks(t, "never tried", list, bank("bca", "not verified", "", never), bank("bni", "not verified", "", never),
		bank("bri", "not verified", "", never), bank("mandiri", "not verified", "", never))

	start := s.Clock.Now()
	for b, user := range map[string]string{"bri": "sandbox_ok", "bca": "sandbox_wrong_password", "mandiri": "sandbox_bank_down"} {
		s.startImport(xid, url.Values{"data_type": {b}, "credentials": {creds(user, "pw")}}).expect(t, 201)
	}
	list, _ = s.scrapingStatusList(t, xid)
	checkBanks(t, "at the start", list, bank("bca", "ongoing", "", start), bank("bni", "not verified", "", never),
		bank("bri", "ongoing", "", start), bank("mandiri", "ongoing", "", start))

	// The plans' steps are applied when their job runs (here all at once,
	// 4 s later): updated_at is when this server learnt of the state.
	s.Clock.Add(4 * time.Second)
	s.settle(t)
	ended := start.Add(4 * time.Second)
	list, _ = s.scrapingStatusList(t, xid)
	checkBanks(t, "after the plans", list,
		bank("bca", "not verified", "wrong_credentials", ended),
		bank("bni", "not verified", "", never),
		bank("bri", "verified", "", ended),
		bank("mandiri", "not verified", "bank_unavailable", ended))
	var app struct {
		Bank []bankEntry `json:"bank_status"`
		BPJS string      `json:"bpjs_status"`
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + xid}).expect(t, 200).decodeData(t, &app)
	if !reflect.DeepEqual(app.Bank, list) || app.BPJS != "not verified" {
		t.Fatalf("application status %+v, scraping status %+v", app, list)
	}

	// A retry running explains nothing yet; a failed retry of a verified
	// bank leaves it verified, as of its success.
	s.startImport(xid, url.Values{"data_type": {"mandiri"}, "credentials": {creds("sandbox_ok", "pw")}}).expect(t, 201)
	s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("sandbox_wrong_password", "pw")}}).expect(t, 201)
	list, _ = s.scrapingStatusList(t, xid)
	checkBanks(t, "retries running", list[2:], bank("bri", "verified", "", ended),
		bank("mandiri", "ongoing", "", ended))
	s.Clock.Add(4 * time.Second)
	s.settle(t)
	list, _ = s.scrapingStatusList(t, xid)
	checkBanks(t, "retries ended", list[2:], bank("bri", "verified", "", ended),
		bank("mandiri", "verified", "", ended.Add(4*time.Second)))
}

// A scraper vendor may say why an import failed ("reason" in its
// callback); without one, the failed state's own reason is shown; a reason
// that does not fit the state is refused and changes nothing.
func TestBankCallbackReasonsReachTheStatus(t *testing.T) {
	fake := &fakeVendor{answer: func(w http.ResponseWriter) { w.Write([]byte(`{}`)) }}
	vendor := httptest.NewServer(fake)
	defer vendor.Close()
	s := startServer(t, nil, withEnv("JULO_SCRAPER_PROVIDER", "vendor"), withEnv("JULO_SCRAPER_URL", vendor.URL),
		withEnv("JULO_SCRAPER_CALLBACK_SECRET", scraperSecret))
	xid := s.newApplication(t)
	refs := map[string]string{}
	for i, b := range []string{"bca", "bni", "bri", "mandiri"} {
		s.startImport(xid, url.Values{"data_type": {b}, "credentials": {creds("budi", "pw")}}).expect(t, 201)
		refs[b] = fake.jobs[i]["import_id"]
	}
	now := s.Clock.Now()
	report := func(b, status, reason string) response {
		m := map[string]string{"import_id": refs[b], "status": status}
		if reason != "" {
			m["reason"] = reason
		}
		body, _ := json.Marshal(m)
		// meteor_strike is no reason of the document's either.
		return s.callbackMarked("/vendor/v1/bank-scrape/callback", sign(scraperSecret, now, string(body)), string(body), reason == "meteor_strike")
	}
	for _, b := range []string{"bni", "bri", "mandiri"} {
		report(b, "auth_success", "").expect(t, 200)
	}
	report("bca", "auth_failed", "bank_unavailable").expect(t, 200)
	report("bni", "scrape_failed", "wrong_credentials").expect(t, 400, `alasan "wrong_credentials" tidak berlaku untuk status "scrape_failed"`)
	report("bni", "scrape_failed", "meteor_strike").expect(t, 400)
	report("bni", "auth_success", "bank_unavailable").expect(t, 400)
	if banks, _ := s.scrapingStatus(t, xid); banks["bni"] != "ongoing" {
		t.Fatalf("a refused reason changed the import: %v", banks)
	}
	report("bni", "scrape_failed", "").expect(t, 200)
	report("bri", "scrape_success", "").expect(t, 200)
	report("bri", "load_failed", "").expect(t, 200)
	report("mandiri", "scrape_failed", "bank_unavailable").expect(t, 200)
	list, _ := s.scrapingStatusList(t, xid)
	checkBanks(t, "after the callbacks", list,
		bank("bca", "not verified", "bank_unavailable", now), bank("bni", "not verified", "scrape_failed", now),
		bank("bri", "not verified", "load_failed", now), bank("mandiri", "not verified", "bank_unavailable", now))
	// A wrong password the vendor reports without a reason.
	s.startImport(xid, url.Values{"data_type": {"bca"}, "credentials": {creds("budi", "pw")}}).expect(t, 201)
	refs["bca"] = fake.jobs[4]["import_id"]
	report("bca", "auth_failed", "").expect(t, 200)
	if list, _ = s.scrapingStatusList(t, xid); derefOr(list[0].Reason) != "wrong_credentials" {
		t.Fatalf("bca %+v", list[0])
	}
}
