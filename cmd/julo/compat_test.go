package main

// Partner compatibility (issue 16): documented success strings, registration
// retries, the outbox's code field and the blocked-domain message.

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Where the documentation gives a success data string, it is returned
// exactly, whatever Accept-Language says; only failures are translated.
func TestDocumentedSuccessStringsInEveryLanguage(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	for i, lang := range []string{"", "en", "id", "id-ID,en;q=0.8", "en-US"} {
		t.Run("Accept-Language "+lang, func(t *testing.T) {
			h := map[string]string{"Accept-Language": lang}
			r := s.forT(t).do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": "3203020101930001", "pin": "159357"},
				Header: h}).expect(t, http.StatusOK)
			if string(r.Data) != `"Strong password"` {
				t.Fatalf("check-strong-pin data %s, want \"Strong password\"", r.Data)
			}
			r = imgUpload(t, s.forT(t), xid, "selfie", "s.png", imgPNG(t, 8, 8, uint64(i+1)), h).expect(t, http.StatusOK)
			if string(r.Data) != `"success upload image"` {
				t.Fatalf("image upload data %s, want \"success upload image\"", r.Data)
			}
		})
	}
	// A failure is still translated.
	s.do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": "3203020101930001", "pin": "12"},
		Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest, "pin: PIN must be exactly 6 digits")
	s.do(req{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": "3203020101930001", "pin": "12"}}).
		expect(t, http.StatusBadRequest, "pin: "+msgPINFormat)
}

// conflictXID is the application_xid in a 409's data, 0 when data is null.
func conflictXID(t *testing.T, r response) int64 {
	t.Helper()
	if string(r.Data) == "null" {
		return 0
	}
	var d map[string]json.RawMessage
	r.decodeData(t, &d)
	if len(d) != 1 {
		t.Fatalf("409 data %s, want only application_xid", r.Data)
	}
	var xid int64
	if err := json.Unmarshal(d["application_xid"], &xid); err != nil || xid == 0 {
		t.Fatalf("409 data %s", r.Data)
	}
	return xid
}

// A registration that conflicts with an application of the same partner
// (its NIK, its email, or both) answers 409 with that application's xid in
// data, so a partner whose 201 was lost can continue; a conflict with
// another partner's customer answers data null naming one field (the NIK
// if it is held, issue 10 item 6), and so does one that touches two
// applications. Nothing is stored.
func TestRegisterRetryNamesTheSamePartnersApplication(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	first := s.register(t, testNIK(1), "first@example.com")
	s.register(t, testNIK(2), "second@example.com")
	beta := s.createPartner("beta")
	asBeta := map[string]string{"username": "beta", "secret-key": beta}
	theirs := s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(3), "theirs@example.com"), Header: asBeta}).
		expect(t, http.StatusCreated)
	var their registered
	theirs.decodeData(t, &their)

	cases := []struct {
		name, nik, email string
		header           map[string]string
		wantXID          int64
		want             []string
	}{
		{"retry: same NIK and email", testNIK(1), "first@example.com", nil, first.XID,
			[]string{"username: " + msgNIKRegistered, "email: " + msgEmailRegistered}},
		{"retry, email in another case", testNIK(1), "First@Example.COM", nil, first.XID,
			[]string{"username: " + msgNIKRegistered, "email: " + msgEmailRegistered}},
		{"same NIK, new email", testNIK(1), "fixed-typo@example.com", nil, first.XID, []string{"username: " + msgNIKRegistered}},
		{"same email, new NIK", testNIK(9), "first@example.com", nil, first.XID, []string{"email: " + msgEmailRegistered}},
		{"NIK of one application, email of another", testNIK(1), "second@example.com", nil, 0,
			[]string{"username: " + msgNIKRegistered, "email: " + msgEmailRegistered}},
		// What another partner's customer holds is not named beside what
		// the partner's own holds (issue 10, item 6).
		{"own NIK, another partner's email", testNIK(1), "theirs@example.com", nil, first.XID, []string{"username: " + msgNIKRegistered}},
		// Of another partner's, only the NIK is named.
		{"another partner's NIK and email", testNIK(3), "theirs@example.com", nil, 0, []string{"username: " + msgNIKRegistered}},
		{"another partner's NIK", testNIK(3), "fresh@example.com", nil, 0, []string{"username: " + msgNIKRegistered}},
		{"beta retries its own", testNIK(3), "theirs@example.com", asBeta, their.XID,
			[]string{"username: " + msgNIKRegistered, "email: " + msgEmailRegistered}},
		{"beta hits ours", testNIK(1), "first@example.com", asBeta, 0, []string{"username: " + msgNIKRegistered}},
		{"beta hits our email", testNIK(8), "second@example.com", asBeta, 0, []string{"email: " + msgEmailRegistered}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A refusal over another partner's customer counts a failed
			// check (prereg_guard); nothing else is stored.
			storedOnly(t, s, func() {
				r := s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(c.nik, c.email), Header: c.header}).
					expect(t, http.StatusConflict)
				expectErrors(t, r, c.want...)
				if got := conflictXID(t, r); got != c.wantXID {
					t.Fatalf("409 names application %d, want %d: %s", got, c.wantXID, r.Raw)
				}
				if c.wantXID == 0 && !strings.Contains(r.Raw, `"data":null`) {
					t.Fatalf("answer %s", r.Raw)
				}
			})
		})
	}
	// The name is usable: the partner continues the application.
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + strconv.FormatInt(first.XID, 10)}).expect(t, http.StatusOK)
	// In English too.
	r := s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "first@example.com"),
		Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusConflict)
	expectErrors(t, r, "username: NIK is already registered", "email: Email is already registered")
	if conflictXID(t, r) != first.XID {
		t.Fatalf("answer %s", r.Raw)
	}
}

// Concurrent retries of one registration by one partner: one 201, and every
// other answer is the 409 naming that application, whether it lost before
// or at the insert.
func TestRegisterConcurrentRetriesAllNameTheWinner(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	rs := make([]response, 6)
	var wg sync.WaitGroup
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i] = s.forT(t).do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(5), "retry@example.com")})
		}()
	}
	wg.Wait()
	var won registered
	for _, r := range rs {
		if r.Status == http.StatusCreated {
			if won.XID != 0 {
				t.Fatal("two registrations succeeded")
			}
			r.decodeData(t, &won)
		}
	}
	if won.XID == 0 {
		t.Fatal("no registration succeeded")
	}
	for _, r := range rs {
		if r.Status == http.StatusCreated {
			continue
		}
		r.expect(t, http.StatusConflict)
		if got := conflictXID(t, r); got != won.XID {
			t.Fatalf("409 names %d, want %d: %s", got, won.XID, r.Raw)
		}
	}
	if c := s.count("customers"); c != 1 {
		t.Fatalf("%d customers", c)
	}
}

// Each sandbox outbox message carries its code as a field of its own: the
// code in the text, and the one that validates.
func TestSandboxOutboxMessageHasTheCodeAsAField(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := s.newApplication(t)
	s.sendOTP(xid, "085330838909").expect(t, http.StatusOK)
	s.Clock.Add(61 * time.Second)
	s.sendOTP(xid, "+6285330838909").expect(t, http.StatusOK)
	r := s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=085330838909"}).expect(t, http.StatusOK)
	var msgs []map[string]any
	r.decodeData(t, &msgs)
	if len(msgs) != 2 {
		t.Fatalf("outbox %s", r.Data)
	}
	var keys []string
	for k := range msgs[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "application_xid,created_at,message,otp,phone" {
		t.Fatalf("message keys %v", keys)
	}
	six := regexp.MustCompile(`^\d{6}$`)
	for _, m := range msgs {
		code, _ := m["otp"].(string)
		if !six.MatchString(code) || !strings.Contains(m["message"].(string), code) {
			t.Fatalf("message %v", m)
		}
	}
	newest := msgs[0]["otp"].(string)
	if newest == msgs[1]["otp"] {
		t.Fatalf("both messages carry %s", newest)
	}
	s.validateOTP(xid, newest).expect(t, http.StatusOK)
}

// The blocked-domain message says what is refused (the domain), in both
// languages, at registration and at the pre-register check; other domains
// pass.
func TestBlockedEmailMessageNamesTheDomain(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.unchanged(t, func() {
		r := s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "budi@yahoo.com"),
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "email: the email domain yahoo.com is not accepted")
		r = s.do(req{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "budi@Hotmail.co.id")}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "email: domain email hotmail.co.id tidak diterima")
		r = s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "a@ymail.com"},
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, "email: the email domain ymail.com is not accepted")
		if strings.Contains(r.Raw, "Google") || strings.Contains(r.Raw, "google") {
			t.Fatalf("answer %s", r.Raw)
		}
	})
	s.register(t, testNIK(2), "budi@outlook.com")
}
