package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// preregData is the data of a pre-register conflict answer.
type preregData struct {
	Title   string `json:"title"`
	Message string `json:"message"`
}

// The documentation's pre-register example succeeds (200, data null) when
// neither the NIK nor the email is registered; so does the table's gmail
// example (errata 17: any valid email).
func TestPreregDocExampleSucceedsWhenNotRegistered(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.unchanged(t, func() {
		r := s.do(req{Method: "POST", Path: pathPrereg, ContentType: "application/json",
			Body: `{"nik": "3203020101930001", "email": "example@test.com"}`}).expect(t, http.StatusOK)
		if string(r.Data) != "null" {
			t.Fatalf("data %s, want null", r.Data)
		}
		r = s.do(req{Method: "POST", Path: pathPrereg + "/", Body: map[string]any{"nik": "3203020101930001", "email": "example@gmail.com"}}).expect(t, http.StatusOK)
		if string(r.Data) != "null" {
			t.Fatalf("data %s, want null", r.Data)
		}
	})
}

// A registered NIK or email answers 400 with data {"title", "message"} (display
// texts, without a field prefix) and an error naming the field; the email is
// compared case-insensitively.
func TestPreregRegisteredNIKOrEmailIs400WithTitleAndMessage(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.register(t, testNIK(1), "one@example.com")
	s.register(t, testNIK(2), "two@example.com")
	cases := []struct {
		name, nik, email string
		message          string
		errors           []string
	}{
		{"NIK", testNIK(1), "fresh@example.com", msgNIKRegistered, []string{"nik: " + msgNIKRegistered}},
		{"email", testNIK(3), "one@example.com", msgEmailRegistered, []string{"email: " + msgEmailRegistered}},
		{"email in other case", testNIK(3), "TWO@Example.COM", msgEmailRegistered, []string{"email: " + msgEmailRegistered}},
		{"both", testNIK(1), "two@example.com", msgNIKRegistered, []string{"nik: " + msgNIKRegistered, "email: " + msgEmailRegistered}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.forT(t).do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": c.nik, "email": c.email}}).expect(t, http.StatusBadRequest)
			expectErrors(t, r, c.errors...)
			var d preregData
			r.decodeData(t, &d)
			// A display text: the message without the field prefix.
			if d != (preregData{msgPreregTitle, c.message}) {
				t.Fatalf("data %+v", d)
			}
		})
	}
	t.Run("English", func(t *testing.T) {
		// testNIK(2): testNIK(1) has failed twice already and a third
		// failure would lock it.
		r := s.forT(t).do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(2), "email": "english@example.com"},
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "nik: NIK is already registered")
		var d preregData
		r.decodeData(t, &d)
		if d != (preregData{"Already registered", "NIK is already registered"}) {
			t.Fatalf("data %+v", d)
		}
	})
}

// The 3rd failed check for one registered email within the window answers
// 423 and locks that email for 3 hours (Retry-After set), whatever NIK it
// is sent with; the unregistered NIK sent with it is not locked (issue 10,
// item 7), nor are other emails; after 3 hours it works again.
func TestPreregThirdFailureLocksEmailForThreeHours(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.register(t, testNIK(1), "owner@example.com")
	check := func(t *testing.T, nik, email string) response {
		return s.forT(t).do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": nik, "email": email}})
	}
	for i := 0; i < 2; i++ {
		check(t, testNIK(5), "owner@example.com").expect(t, http.StatusBadRequest, "email: "+msgEmailRegistered)
	}
	r := check(t, testNIK(5), "owner@example.com").expect(t, http.StatusLocked)
	// Locked at 09:00 UTC for 3 hours.
	expectErrors(t, r, "email: "+msgPreregLocked+"; coba lagi setelah 2026-11-24T12:00:00Z")
	if ra := r.Header.Get("Retry-After"); ra != "10800" {
		t.Fatalf("Retry-After %q, want 10800", ra)
	}

	// Another unregistered NIK, the same email in another case: locked.
	r = check(t, testNIK(6), "Owner@Example.com").expect(t, http.StatusLocked, msgPreregLocked)
	if r.Header.Get("Retry-After") != "10800" {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Another email is not locked, nor the NIK sent with the locked one.
	check(t, testNIK(5), "bystander@example.com").expect(t, http.StatusOK)

	s.Clock.Add(time.Hour)
	r = check(t, testNIK(6), "owner@example.com").expect(t, http.StatusLocked)
	if r.Header.Get("Retry-After") != "7200" {
		t.Fatalf("Retry-After %q after an hour, want 7200", r.Header.Get("Retry-After"))
	}
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(6), "email": "owner@example.com"},
		Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusLocked, "email: Too many failed checks for this email; try again after 2026-11-24T12:00:00Z")

	s.Clock.Add(2*time.Hour - time.Second)
	check(t, testNIK(6), "owner@example.com").expect(t, http.StatusLocked)
	s.Clock.Add(time.Second)
	check(t, testNIK(6), "owner@example.com").expect(t, http.StatusBadRequest, "email: "+msgEmailRegistered)
	// The count started again: that was one failure, a plain 400.
	check(t, testNIK(6), "owner@example.com").expect(t, http.StatusBadRequest)
	// The guard holds no address: its keys are HMACs.
	var keys []string
	rows, err := s.sqlDB().Query(`SELECT email_key FROM prereg_guard`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if len(keys) == 0 || strings.Contains(strings.Join(keys, " "), "owner") {
		t.Fatalf("guard keys %q", keys)
	}
}

// Failures only lock when they fall within the window: two failures, a day
// later a third, is still a plain 400.
func TestPreregFailuresOutsideWindowDoNotLock(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.register(t, testNIK(1), "owner@example.com")
	body := map[string]any{"nik": testNIK(1), "email": "slow@example.com"}
	s.do(req{Method: "POST", Path: pathPrereg, Body: body}).expect(t, http.StatusBadRequest)
	s.do(req{Method: "POST", Path: pathPrereg, Body: body}).expect(t, http.StatusBadRequest)
	s.Clock.Add(25 * time.Hour)
	s.do(req{Method: "POST", Path: pathPrereg, Body: body}).expect(t, http.StatusBadRequest, "nik: "+msgNIKRegistered)
	s.do(req{Method: "POST", Path: pathPrereg, Body: body}).expect(t, http.StatusBadRequest)
	s.do(req{Method: "POST", Path: pathPrereg, Body: body}).expect(t, http.StatusLocked)
}

// An invalid or missing NIK or email is a 400 naming the field, counts no
// failure and stores nothing; a 17-digit or non-numeric NIK is never a 500.
func TestPreregInvalidInputNamesField(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	cases := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"17-digit NIK", map[string]any{"nik": "32030215059000011", "email": "a@example.com"}, []string{"nik: " + msgNIKFormat}},
		{"non-numeric NIK", map[string]any{"nik": "320302150590000X", "email": "a@example.com"}, []string{"nik: " + msgNIKFormat}},
		{"NIK with a bad date", map[string]any{"nik": "3203023002920001", "email": "a@example.com"}, []string{"nik: " + msgNIKDate}},
		{"NIK as an object", map[string]any{"nik": map[string]any{"v": "3203021505900001"}, "email": "a@example.com"}, []string{"nik: " + msgTypeString}},
		{"invalid email", map[string]any{"nik": testNIK(1), "email": "not-an-email"}, []string{"email: " + msgEmailInvalid}},
		{"blocked email", map[string]any{"nik": testNIK(1), "email": "a@hotmail.com"}, []string{"email: " + fmt.Sprintf(msgEmailBlocked, "hotmail.com")}},
		{"both missing", map[string]any{}, []string{"nik: " + msgRequired, "email: " + msgRequired}},
		{"both invalid", map[string]any{"nik": "123", "email": "x"}, []string{"nik: " + msgNIKFormat, "email: " + msgEmailInvalid}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.unchanged(t, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathPrereg, Body: c.body, Invalid: c.name == "NIK as an object"}).expect(t, http.StatusBadRequest)
				expectErrors(t, r, c.want...)
			})
		})
	}
	// Invalid requests counted no failure: the email is not locked.
	for i := 0; i < 3; i++ {
		s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": "1", "email": "a@example.com"}}).expect(t, http.StatusBadRequest)
	}
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "a@example.com"}}).expect(t, http.StatusOK)
}

// Probing one registered NIK with ever new emails is locked like probing one
// email: the third failure within the window locks the NIK for 3 hours.
func TestPreregLocksANIKProbedWithManyEmails(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.register(t, testNIK(1), "one@example.com")
	for i, want := range []int{400, 400, 423, 423} {
		r := s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": fmt.Sprintf("probe%d@example.com", i)}}).expect(t, want)
		if want == 423 {
			expectErrors(t, r, "nik: Terlalu banyak pengecekan gagal untuk NIK ini; coba lagi setelah 2026-11-24T12:00:00Z")
			if r.Header.Get("Retry-After") != "10800" {
				t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
			}
		}
	}
	// An unregistered NIK is unaffected, and the lock ends after 3 hours.
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(5), "email": "free@example.com"}}).expect(t, 200)
	s.Clock.Add(3 * time.Hour)
	s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "later@example.com"}}).expect(t, 400)
}
