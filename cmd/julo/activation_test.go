package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

// readyPIN is the PIN readyApplication registers with.
const readyPIN = "482915"

func (s *testServer) inputPIN(xid, pin string) response {
	return s.do(req{Method: "POST", Path: "/api/partnership/v1/input-pin", Body: map[string]any{"application_xid": xid, "pin": pin}})
}

func (s *testServer) activate(xid string, accept bool) response {
	return s.do(req{Method: "POST", Path: "/api/partnership/v1/limit-activation/" + xid, Body: map[string]any{"accept": accept}})
}

func errorCodes(t *testing.T, r response) []string {
	t.Helper()
	var env struct {
		Details []struct {
			Code string `json:"code"`
		} `json:"error_details"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &env); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range env.Details {
		out = append(out, d.Code)
	}
	return out
}

// offered is an application at 130 by a real journey (serial 0001: the
// issue's worked example, 9,000,000).
func (s *testServer) offered(t *testing.T, serial string) string {
	t.Helper()
	xid := s.submitCredit(t, creditNIK(serial), creditBody(t, nil))
	s.settle(t)
	if st := s.creditStatus(t, xid); st.Code != 130 {
		t.Fatalf("not offered: %+v", st)
	}
	return xid
}

// Issue 12 items 6-7: input-pin right, wrong and locked (with
// Retry-After, for the customer), the window's end by the moved clock, the
// 403 without a window, and the activation's acceptance and decline.
func TestActivationPINWindowAndLimitActivation(t *testing.T) {
	s := startServer(t, nil)
	xid := s.offered(t, "0001")

	// Without a PIN window: 403 pin_not_verified, nothing changes.
	s.unchanged(t, func() {
		r := s.activate(xid, true).expect(t, http.StatusForbidden)
		if c := errorCodes(t, r); len(c) != 1 || c[0] != "pin_not_verified" {
			t.Fatalf("codes %v", c)
		}
	})
	// Right PIN: a 5-minute window.
	var w struct {
		Until time.Time `json:"pin_verified_until"`
	}
	s.inputPIN(xid, readyPIN).expect(t, 200).decodeData(t, &w)
	if !w.Until.Equal(s.Clock.Now().Add(5 * time.Minute)) {
		t.Fatalf("window until %s", w.Until)
	}
	// The window ends after 5 minutes by the moved clock.
	s.Clock.Add(5 * time.Minute)
	s.activate(xid, true).expect(t, http.StatusForbidden)

	// Wrong PINs: 4 ... 1 tries left, then a lock of an hour with Retry-After.
	for left := 4; left >= 1; left-- {
		r := s.inputPIN(xid, "000001").expect(t, http.StatusBadRequest, strconv.Itoa(left))
		if c := errorCodes(t, r); len(c) != 1 || c[0] != "pin_wrong" {
			t.Fatalf("codes %v", c)
		}
	}
	r := s.inputPIN(xid, "000001").expect(t, http.StatusLocked)
	if r.Header.Get("Retry-After") != "3600" || errorCodes(t, r)[0] != "pin_locked" {
		t.Fatalf("lock: %s %s", r.Header.Get("Retry-After"), r.Raw)
	}
	// Locked for the customer: the right PIN is refused too, with the time left.
	s.Clock.Add(30 * time.Minute)
	if r := s.inputPIN(xid, readyPIN).expect(t, http.StatusLocked); r.Header.Get("Retry-After") != "1800" {
		t.Fatalf("Retry-After %s", r.Header.Get("Retry-After"))
	}
	var wrong int
	s.query(t, `SELECT g.wrong FROM pin_guards g JOIN applications a ON a.customer_id = g.customer_id WHERE a.xid = $1`,
		[]any{mustAtoi(xid)}, &wrong)
	if wrong != 5 {
		t.Fatalf("the database counts %d wrong PINs", wrong)
	}
	// After the hour the right PIN opens a window, and acceptance opens the account.
	s.Clock.Add(30 * time.Minute)
	s.inputPIN(xid, readyPIN).expect(t, 200)
	var acc struct {
		XID        int64            `json:"application_xid"`
		Status     string           `json:"application_status"`
		Code       int              `json:"application_status_code"`
		CreditInfo map[string]int64 `json:"credit_info"`
	}
	s.activate(xid, true).expect(t, 200).decodeData(t, &acc)
	if acc.Code != 190 || acc.Status != "LIMIT_READY_TO_USE" || acc.CreditInfo["set_limit"] != 9_000_000 ||
		acc.CreditInfo["available_limit"] != 9_000_000 || acc.CreditInfo["used_limit"] != 0 || acc.CreditInfo["max_limit"] != 9_000_000 {
		t.Fatalf("activation %+v", acc)
	}
	hist := strings.Join(s.historyReasons(t, xid), ",")
	if !strings.HasSuffix(hist, "130>141:limit_accepted,141>190:credit_account_opened") {
		t.Fatalf("history %s", hist)
	}
	var set, avail, used int64
	s.query(t, `SELECT c.set_limit, c.available_limit, c.used_limit FROM credit_accounts c JOIN applications a ON a.id = c.application_id
		WHERE a.xid = $1`, []any{mustAtoi(xid)}, &set, &avail, &used)
	if set != 9_000_000 || avail != 9_000_000 || used != 0 {
		t.Fatalf("account %d %d %d", set, avail, used)
	}
	// A second activation: 409 limit_not_offered.
	s.unchanged(t, func() {
		r := s.activate(xid, true).expect(t, http.StatusConflict)
		if errorCodes(t, r)[0] != "limit_not_offered" {
			t.Fatal(r.Raw)
		}
	})

	// Decline: 130 -> 142, no account.
	other := s.offered(t, "0002")
	s.inputPIN(other, readyPIN).expect(t, 200)
	s.activate(other, false).expect(t, 200).decodeData(t, &acc)
	if acc.Code != 142 || acc.Status != "LIMIT_ACTIVATION_REJECTED" || acc.CreditInfo["available_limit"] != 0 {
		t.Fatalf("decline %+v", acc)
	}
	if h := s.historyReasons(t, other); h[len(h)-1] != "130>142:limit_declined" {
		t.Fatalf("history %v", h)
	}
	// A missing accept is a 400; another partner's application a 404.
	s.do(req{Method: "POST", Path: "/api/partnership/v1/limit-activation/" + other, Body: map[string]any{}, Invalid: true}).expect(t, 400)
	s.inputPIN("1000000000", readyPIN).expect(t, 404)
}

// runOfferExpiry runs the offer expiry as its hourly schedule would by the
// server's clock now.
func runOfferExpiry(t *testing.T, s *testServer) {
	t.Helper()
	if err := storeOf(t, s).Enqueue(context.Background(), julo.Scheduled{Job: credit.OfferExpiryJob{}, At: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	if s.countWhere("river_job", "kind = 'credit_offer_expiry' AND state <> 'completed'") != 0 {
		t.Fatalf("the expiry did not complete: %s", s.jobDumpAll())
	}
}

// Issue 12 item 7: an offer not accepted within the policy's 30 days
// expires, 130 -> 139, by the periodic job; one within them stays.
func TestActivationOfferExpiresAfterThirtyDays(t *testing.T) {
	s := startServer(t, nil)
	found := false
	for _, p := range periodic {
		found = found || p.job.Kind() == "credit_offer_expiry" && p.every == time.Hour
	}
	if !found {
		t.Fatal("the offer expiry is not a periodic job")
	}
	xid := s.offered(t, "0001")
	s.Clock.Add(30*24*time.Hour - time.Minute)
	runOfferExpiry(t, s)
	if st := s.creditStatus(t, xid); st.Code != 130 {
		t.Fatalf("expired early: %d", st.Code)
	}
	s.Clock.Add(time.Minute)
	runOfferExpiry(t, s)
	if st := s.creditStatus(t, xid); st.Code != 139 || st.Name != "LIMIT_OFFER_EXPIRED" {
		t.Fatalf("status %+v", st)
	}
	if h := s.historyReasons(t, xid); h[len(h)-1] != "130>139:offer_expired" {
		t.Fatalf("history %v", h)
	}
	s.inputPIN(xid, readyPIN).expect(t, 200)
	s.activate(xid, true).expect(t, http.StatusConflict)
}

// Issue 12 item 8: the review request within 14 days of an automatic
// rejection only, the queue, and the operator's overturn (135 -> 130) that
// the customer can then accept.
func TestActivationReviewRequestAndOverturn(t *testing.T) {
	s := startServer(t, nil)
	path := func(xid string) string { return "/api/partnership/v1/application/" + xid + "/review-request" }
	// Not rejected (130): refused.
	offered := s.offered(t, "0001")
	s.unchanged(t, func() {
		r := s.do(req{Method: "POST", Path: path(offered), Body: map[string]any{"reason": "x"}}).expect(t, 409)
		if errorCodes(t, r)[0] != "review_not_available" {
			t.Fatal(r.Raw)
		}
	})
	// Rejected automatically (9002): within 14 days the request is taken.
	xid := s.submitCredit(t, creditNIK("9002"), creditBody(t, nil))
	s.settle(t)
	late := s.submitCredit(t, creditNIK("9003"), creditBody(t, nil))
	s.settle(t)
	s.do(req{Method: "POST", Path: path(xid), Body: map[string]any{}, Invalid: true}).expect(t, 400)
	s.do(req{Method: "POST", Path: "/api/partnership/v1/application/" + xid + "/other", Body: map[string]any{"reason": "x"}, Invalid: true}).expect(t, 404)
	s.Clock.Add(14*24*time.Hour - time.Minute)
	var rr struct {
		XID    int64     `json:"application_xid"`
		Status string    `json:"application_status"`
		At     time.Time `json:"review_requested_at"`
	}
	s.do(req{Method: "POST", Path: path(xid), Body: map[string]any{"reason": "Penghasilan saya naik"}}).expect(t, 200).decodeData(t, &rr)
	if strconv.FormatInt(rr.XID, 10) != xid || rr.Status != "APPLICATION_REJECTED" || !rr.At.Equal(s.Clock.Now()) {
		t.Fatalf("review request %+v", rr)
	}
	if st := s.creditStatus(t, xid); st.Code != 135 {
		t.Fatalf("the status changed: %d", st.Code)
	}
	if n := s.countWhere("review_requests", "reason_sealed LIKE '%Penghasilan%'"); n != 0 {
		t.Fatal("the reason is stored in the clear")
	}
	s.do(req{Method: "POST", Path: path(xid), Body: map[string]any{"reason": "again"}}).expect(t, 409, "")
	// After 14 days: closed.
	s.Clock.Add(time.Minute)
	r := s.do(req{Method: "POST", Path: path(late), Body: map[string]any{"reason": "late"}}).expect(t, 409)
	if errorCodes(t, r)[0] != "review_window_closed" {
		t.Fatal(r.Raw)
	}
	// The queue lists it with the reason; the operator overturns it.
	out, err := s.cli("application", "reviews")
	if err != nil || !strings.Contains(out, xid) || !strings.Contains(out, "Penghasilan saya naik") || strings.Contains(out, late) {
		t.Fatalf("queue: %v %s", err, out)
	}
	if out, err := s.cli("application", "decide", offered, "--approve", "--limit", "5000000", "--reason", "r", "--operator", "ani"); err == nil {
		t.Fatalf("an approved offer was decided again: %s", out)
	}
	out, err = s.cli("application", "decide", xid, "--approve", "--limit", "5000000", "--reason", "income proven", "--operator", "ani")
	if err != nil {
		t.Fatalf("overturn: %v %s", err, out)
	}
	var d credit.Decision
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.ReasonCodes[0] != "review_overturned" || d.Offer.SetLimit != 5_000_000 ||
		d.DecidedBy != "operator:ani" || d.FromStatus != 135 || d.ToStatus != 130 {
		t.Fatalf("decision %s %v", out, err)
	}
	if h := s.historyReasons(t, xid); h[len(h)-1] != "135>130:review_overturned" {
		t.Fatalf("history %v", h)
	}
	st := s.creditStatus(t, xid)
	if st.Code != 130 || st.CreditInfo["set_limit"] != 5_000_000 {
		t.Fatalf("status %+v", st)
	}
	if out, _ := s.cli("application", "reviews"); strings.Contains(out, xid) {
		t.Fatalf("still queued: %s", out)
	}
	// The overturned offer is accepted like any other.
	s.inputPIN(xid, readyPIN).expect(t, 200)
	var acc struct {
		Code       int              `json:"application_status_code"`
		CreditInfo map[string]int64 `json:"credit_info"`
	}
	s.activate(xid, true).expect(t, 200).decodeData(t, &acc)
	if acc.Code != 190 || acc.CreditInfo["available_limit"] != 5_000_000 {
		t.Fatalf("activation %+v", acc)
	}
}

// Issue 12 item 9 at 190: once the offer is accepted the status read's
// credit_info is the credit account's (all of the set limit available,
// nothing used), not the offer's 0 available of 130.
func TestActivationStatusReadShowsTheAccount(t *testing.T) {
	s := startServer(t, nil)
	xid := s.offered(t, "0001")
	st := s.creditStatus(t, xid)
	if st.CreditInfo["available_limit"] != 0 || st.CreditInfo["used_limit"] != 0 || st.CreditInfo["set_limit"] != 9_000_000 {
		t.Fatalf("at 130: %+v", st.CreditInfo)
	}
	s.inputPIN(xid, readyPIN).expect(t, 200)
	s.activate(xid, true).expect(t, 200)
	st = s.creditStatus(t, xid)
	if st.Code != 190 || st.Name != "LIMIT_READY_TO_USE" || st.Application.Status != "LIMIT_READY_TO_USE" {
		t.Fatalf("status %+v", st)
	}
	ci := st.CreditInfo
	if ci["set_limit"] != 9_000_000 || ci["available_limit"] != ci["set_limit"] || ci["used_limit"] != 0 || ci["max_limit"] != 9_000_000 {
		t.Fatalf("credit_info at 190: %+v", ci)
	}
}
