package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/store"
)

// exportCustomer is julo customer export NIK, decoded.
func (s *testServer) exportCustomer(t *testing.T, nik string) store.CustomerRecord {
	t.Helper()
	out, err := s.cli("customer", "export", nik)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	var rec store.CustomerRecord
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	return rec
}

// eraseCustomer is julo customer erase NIK, decoded.
func (s *testServer) eraseCustomer(t *testing.T, nik string) store.Erasure {
	t.Helper()
	out, err := s.cli("customer", "erase", nik)
	if err != nil {
		t.Fatalf("erase: %v\n%s", err, out)
	}
	var e store.Erasure
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("erasure %s: %v", out, err)
	}
	return e
}

// Issue 12 with issue 10 item 4: the export holds the credit decision and
// the activation (decision records, assessment rounds, the PIN guard and
// window, the credit account, review requests with their reasons opened),
// and the erasure of a customer at 130 (an offer: cancelled) or 135 (a
// rejection with a review request) deletes the PIN state and leaves the
// sealed reason unreadable.
func TestDataProtectionExportAndEraseOfCreditAndActivation(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()

	// 190: the account is in the export (and the customer is kept).
	ready := s.offered(t, "0001")
	s.inputPIN(ready, readyPIN).expect(t, 200)
	s.activate(ready, true).expect(t, 200)
	rec := s.exportCustomer(t, creditNIK("0001"))
	a := rec.Applications[0]
	if a.CreditAccount == nil || a.CreditAccount.SetLimit != 9_000_000 || a.CreditAccount.AvailableLimit != 9_000_000 ||
		a.CreditAccount.UsedLimit != 0 || a.CreditAccount.PolicyVersion != "j1-2026-01" || !a.CreditAccount.OpenedAt.Equal(s.Clock.Now()) {
		t.Fatalf("credit account %+v", a.CreditAccount)
	}
	if len(a.CreditDecisions) != 1 || a.CreditDecisions[0].Outcome != credit.OutcomeApproved || a.CreditDecisions[0].Limit == nil ||
		a.CreditDecisions[0].Offer.SetLimit != 9_000_000 || len(a.Assessments) != 1 || a.Assessments[0].DecidedAt == nil {
		t.Fatalf("decisions %+v rounds %+v", a.CreditDecisions, a.Assessments)
	}
	if a.PINVerified == nil || !a.PINVerified.VerifiedUntil.Equal(s.Clock.Now().Add(5*time.Minute)) ||
		rec.PINGuard == nil || rec.PINGuard.Wrong != 0 || rec.PINGuard.LockedUntil != nil {
		t.Fatalf("pin window %+v guard %+v", a.PINVerified, rec.PINGuard)
	}

	// 130: the PIN guard with its lock in the export, then the erasure.
	offered := s.offered(t, "0002")
	for range 5 {
		s.inputPIN(offered, "000001")
	}
	lockedAt := s.Clock.Now()
	rec = s.exportCustomer(t, creditNIK("0002"))
	if g := rec.PINGuard; g == nil || g.Wrong != 5 || g.LockedUntil == nil || !g.LockedUntil.Equal(lockedAt.Add(time.Hour)) {
		t.Fatalf("pin guard %+v", g)
	}
	if a := rec.Applications[0]; a.PINVerified != nil || a.CreditAccount != nil || len(a.CreditDecisions) != 1 || len(a.ReviewRequests) != 0 {
		t.Fatalf("application at 130: %+v", a)
	}
	s.Clock.Add(time.Hour)
	s.inputPIN(offered, readyPIN).expect(t, 200)
	if rec = s.exportCustomer(t, creditNIK("0002")); rec.Applications[0].PINVerified == nil {
		t.Fatalf("no pin window: %+v", rec.Applications[0])
	}
	if e := s.eraseCustomer(t, creditNIK("0002")); e.Applications != 1 || e.Cancelled != 1 {
		t.Fatalf("erasure at 130: %+v", e)
	}
	if h := s.historyReasons(t, offered); h[len(h)-1] != "130>137:erased" {
		t.Fatalf("history %v", h)
	}
	pinRows := func(customerID int64) int {
		var n int
		s.query(t, `SELECT (SELECT COUNT(*) FROM pin_guards WHERE customer_id = $1) + (SELECT COUNT(*) FROM pin_windows w
			JOIN applications a ON a.id = w.application_id WHERE a.customer_id = $1)`, []any{customerID}, &n)
		return n
	}
	if n := pinRows(rec.CustomerID); n != 0 {
		t.Fatalf("%d PIN rows of the erased customer", n)
	}
	if n := pinRows(s.exportCustomer(t, creditNIK("0001")).CustomerID); n != 2 {
		t.Fatalf("the other customer's PIN rows: %d", n)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + offered}).expect(t, http.StatusNotFound)

	// 135 with a review request: its reason is in the export, opened.
	rejected := s.submitCredit(t, creditNIK("9002"), creditBody(t, nil))
	s.settle(t)
	s.do(req{Method: "POST", Path: "/api/partnership/v1/application/" + rejected + "/review-request",
		Body: map[string]any{"reason": "Penghasilan saya naik"}}).expect(t, 200)
	rec = s.exportCustomer(t, creditNIK("9002"))
	a = rec.Applications[0]
	if len(a.ReviewRequests) != 1 || a.ReviewRequests[0].Reason != "Penghasilan saya naik" || a.ReviewRequests[0].Resolution != "" ||
		!a.ReviewRequests[0].RequestedAt.Equal(s.Clock.Now()) {
		t.Fatalf("review requests %+v", a.ReviewRequests)
	}
	if len(a.CreditDecisions) != 1 || a.CreditDecisions[0].Outcome != credit.OutcomeRejected ||
		a.CreditDecisions[0].ReasonCodes[0] != "bureau_delinquent" {
		t.Fatalf("decisions %+v", a.CreditDecisions)
	}
	if e := s.eraseCustomer(t, creditNIK("9002")); e.Applications != 1 || e.Cancelled != 0 {
		t.Fatalf("erasure at 135: %+v", e)
	}
	// The sealed reason stays (accounting) and never opens: the export
	// finds no customer, by NIK or by the application, and the request
	// left the operator's queue.
	if out, err := s.cli("customer", "export", creditNIK("9002")); err == nil {
		t.Fatalf("export after the erasure: %s", out)
	}
	db := storeOf(t, s)
	if _, err := db.CustomerByApplicationXID(ctx, int64(mustAtoi(rejected))); julo.ErrorCode(err) != julo.ENOTFOUND {
		t.Fatalf("the erased customer's record: %v", err)
	}
	var resolution string
	s.query(t, `SELECT r.resolution FROM review_requests r JOIN applications a ON a.id = r.application_id WHERE a.xid = $1`,
		[]any{mustAtoi(rejected)}, &resolution)
	if resolution != credit.ReviewOutcomeErased {
		t.Fatalf("review request resolution %q", resolution)
	}
	if n := s.countWhere("review_requests", "reason_sealed LIKE '%Penghasilan%'"); n != 0 {
		t.Fatal("the reason is stored in the clear")
	}
	if out, err := s.cli("application", "reviews"); err != nil || strings.Contains(out, rejected) {
		t.Fatalf("queue after the erasure: %v %s", err, out)
	}
	if n := pinRows(rec.CustomerID); n != 0 {
		t.Fatalf("%d PIN rows of the erased customer", n)
	}
}
