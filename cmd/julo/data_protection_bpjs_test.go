package main

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// Issue 10, item 11: BPJS login calls for one application share its live
// task (at most one pending task per application), and the URL they return
// works: a partner calling in a loop makes one task, not one per call.
func TestDataProtectionBPJSLoginReusesThePendingTask(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := s.newApplication(t)
	s.setReturnURLs(t, "acme", "https://app.acme.example/bpjs/")
	loginURL := func(appType, redirect string) *url.URL {
		t.Helper()
		path := "/api/partnership/v1/bpjs/login/" + xid + "/" + appType
		if redirect != "" {
			path += "?" + url.Values{"redirect_url": {redirect}}.Encode()
		}
		var d struct{ URL string }
		s.do(req{Method: "GET", Path: path}).expect(t, 200).decodeData(t, &d)
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	tasks := func() (all, pending int) {
		all = s.countWhere("bpjs_tasks", "true")
		return all, s.countWhere("bpjs_tasks", "status = 'pending'")
	}

	first := loginURL("web", "")
	task := first.Query().Get("task")
	for i := 0; i < 20; i++ {
		if u := loginURL("web", ""); u.String() != first.String() {
			t.Fatalf("call %d: %s, want the first URL %s", i, u, first)
		}
	}
	// Another app type and a way back: the same task, carrying them now.
	second := loginURL("android", "https://app.acme.example/bpjs/done")
	if second.Query().Get("task") != task || second.Query().Get("app_type") != "android" {
		t.Fatalf("second URL %s, want task %s for android", second, task)
	}
	if all, pending := tasks(); all != 1 || pending != 1 {
		t.Fatalf("%d tasks, %d pending after 22 calls; want 1", all, pending)
	}
	// The URL works: a failed login, then (the same URL, asked for again) a
	// success, which returns to the latest redirect_url.
	if code, page := s.submitBPJS(t, task, "gagal@bpjs.sandbox", ""); code != 200 || !strings.Contains(page, "bpjs_status=failed") {
		t.Fatalf("failed login: %d %s", code, page)
	}
	s.settle(t)
	if again := loginURL("android", "https://app.acme.example/bpjs/done"); again.Query().Get("task") != task {
		t.Fatalf("after a failed login: task %s, want %s (retried on the same URL)", again.Query().Get("task"), task)
	}
	if code, page := s.submitBPJS(t, task, "sukses@bpjs.sandbox", ""); code != 200 || !strings.Contains(page, "https://app.acme.example/bpjs/done?bpjs_status=success") {
		t.Fatalf("successful login: %d %s", code, page)
	}
	s.settle(t)
	if _, bpjs := s.scrapingStatus(t, xid); bpjs != "verified" {
		t.Fatalf("bpjs %q", bpjs)
	}
	// A verified task is not reused: a new login is a new task.
	fresh := loginURL("web", "").Query().Get("task")
	if fresh == task || len(fresh) != 32 {
		t.Fatalf("login after the success reused %s", fresh)
	}
	if all, pending := tasks(); all != 2 || pending != 1 {
		t.Fatalf("%d tasks, %d pending; want 2 and 1", all, pending)
	}
	// Past its hour the unused task is closed and a new one made; the old
	// URL takes no login.
	s.Clock.Add(61 * time.Minute)
	later := loginURL("web", "").Query().Get("task")
	if later == fresh {
		t.Fatal("an expired task was reused")
	}
	var status string
	s.query(t, `SELECT status FROM bpjs_tasks WHERE token = $1`, []any{fresh}, &status)
	if all, pending := tasks(); all != 3 || pending != 1 || status != "expired" {
		t.Fatalf("%d tasks, %d pending, the expired one %q", all, pending, status)
	}
	if code, page := s.submitBPJS(t, fresh, "sukses@bpjs.sandbox", ""); code != 409 || !strings.Contains(page, "kedaluwarsa") {
		t.Fatalf("the closed task's page: %d %s", code, page)
	}
	if code, _ := s.submitBPJS(t, later, "sukses@bpjs.sandbox", ""); code != 200 {
		t.Fatalf("the new task's page: %d", code)
	}
}
