package main

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// The console's loans (issue 15 item 7): the list with its filters, the
// loan's page (terms, schedule, history, the destination masked for
// viewers), the agreement's numbers, the dashboard's loans that need an
// eye, the application's loans; hold/release of loans a partner holds for
// an operator (reviewers and admins) and a stuck disbursement retried or
// failed (admins), each audited and refused to the roles below.
func TestConsoleLoansRolesMaskingHoldAndStuckDisbursement(t *testing.T) {
	// The provider is down: an approved loan stays at 212.
	fake := &fakeDisburser{down: true}
	vendor := httptest.NewServer(fake)
	defer vendor.Close()
	s := startServer(t, nil, withEnv("JULO_DISBURSEMENT_PROVIDER", "vendor"), withEnv("JULO_DISBURSEMENT_URL", vendor.URL+"/transfers"),
		withEnv("JULO_DISBURSEMENT_TOKEN", "disb-token"), withEnv("JULO_DISBURSEMENT_CALLBACK_SECRET", disbursementSecret))
	if _, err := s.cli("partner", "set", "acme", "--loan-hold-for-operator", "true", "--loan-signature-required", "false"); err != nil {
		t.Fatal(err)
	}
	xid := s.ready(t, "0001", nil)
	o := s.offers(t, xid, 1_000_000, true)[0]
	var a, b createdLoan
	for _, l := range []*createdLoan{&a, &b} {
		s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 201).decodeData(t, l)
		s.agreementAction(l.XID, "sign").expect(t, 200)
	}
	s.settle(t)
	ax, bx := fmt.Sprint(a.XID), fmt.Sprint(b.XID)
	const pw = "a long enough secret phrase"
	admin := s.loggedIn(t, "admin@lender.example", "admin", pw)
	reviewer := s.loggedIn(t, "reviewer@lender.example", "reviewer", pw)
	viewer := s.loggedIn(t, "viewer@lender.example", "viewer", pw)

	// The dashboard counts and lists the held loans; the list filters.
	viewer.get("/").expect(t, 200, "Loans disbursing or late", "211 LOAN_WAITING_FOR_APPROVAL", "/loans/"+ax, "/loans/"+bx)
	viewer.get("/loans").expect(t, 200, `<a href="/loans">Loans</a>`, "/loans/"+ax, "/loans/"+bx, "Rp 1.000.000", "/applications/"+xid)
	viewer.get("/loans?status=211&partner=acme").expect(t, 200, "/loans/"+ax, "/loans/"+bx)
	for _, q := range []string{"status=220", "partner=nobody", "application=1000000001"} {
		if p := viewer.get("/loans?"+q).expect(t, 200, "No loans."); strings.Contains(p.body, "/loans/"+ax) {
			t.Fatalf("/loans?%s lists %s", q, ax)
		}
	}
	viewer.get("/loans/1000000001").expect(t, 404, "console_loan_missing", "JULO console")
	// The application's page links its loans.
	viewer.get("/applications/"+xid).expect(t, 200, `id="application-loans"`, "/loans/"+ax, "/loans/"+bx)

	// A viewer reads the loan masked and decides nothing.
	const account = "0672272764"
	vp := viewer.get("/loans/"+ax).expect(t, 200, "masked for your role", "******2764", "Schedule", "210 LOAN_CREATED → 211 LOAN_WAITING_FOR_APPROVAL",
		"(signed)", "Waiting for an operator", "/loans/"+ax+"/agreement")
	if strings.Contains(vp.body, account) || strings.Contains(vp.body, "loan-decide-form") || strings.Contains(vp.body, "loan-retry") {
		t.Fatalf("a viewer's loan page shows the account or the actions:\n%s", vp.body)
	}
	nik := creditNIK("0001")
	va := viewer.get("/loans/"+ax+"/agreement").expect(t, 200, "Agreement (SPHP)", "3173", "******2764", "Total cost cap", "Rp 1.000.000")
	if strings.Contains(va.body, nik) || strings.Contains(va.body, account) {
		t.Fatal("a viewer's agreement shows the NIK or the account")
	}
	viewer.post("/loans/"+ax+"/decide", "action", "approve").expect(t, 403, "console_forbidden", "JULO console")
	viewer.post("/loans/"+ax+"/disbursement", "action", "retry").expect(t, 403, "console_forbidden")

	// A reviewer sees them unmasked (audited) and decides the held loans.
	reviewer.get("/loans/"+ax).expect(t, 200, account, "loan-decide-form", "Approve and disburse")
	reviewer.get("/loans/"+ax+"/agreement").expect(t, 200, nik, account)
	reviewer.post("/loans/"+ax+"/decide", "csrf", "forged", "action", "approve").expect(t, 403, "console_csrf")
	reviewer.post("/loans/"+ax+"/decide", "action", "maybe").expect(t, 400, "console_bad_action")
	if st := s.loanStatus(t, a.XID); st.Loan.Code != 211 {
		t.Fatalf("refused decisions moved the loan to %d", st.Loan.Code)
	}
	reviewer.post("/loans/"+ax+"/decide", "action", "approve").expect(t, 303, "done=approve")
	reviewer.post("/loans/"+bx+"/decide", "action", "reject").expect(t, 303, "done=reject")
	s.settle(t) // the provider is down: a stays at 212
	if st := s.loanStatus(t, a.XID); st.Loan.Code != 212 {
		t.Fatalf("approved: %+v", st.Loan)
	}
	if st := s.loanStatus(t, b.XID); st.Loan.Code != 219 {
		t.Fatalf("rejected: %+v", st.Loan)
	}
	reviewer.post("/loans/"+bx+"/decide", "action", "approve").expect(t, 409, "console_loan_not_held")
	if ev := s.loanEvents(t, b.XID); ev != "0>210,210>211,211>219" {
		t.Fatalf("the rejected loan's events %s", ev)
	}

	// The stuck loan: on the dashboard; retried or failed by admins only.
	viewer.get("/").expect(t, 200, "212 LOAN_DISBURSAL_ON_PROCESS")
	if strings.Contains(reviewer.get("/loans/"+ax).body, "loan-retry") {
		t.Fatal("a reviewer is offered the retry")
	}
	reviewer.post("/loans/"+ax+"/disbursement", "action", "retry").expect(t, 403, "console_forbidden")
	admin.get("/loans/"+ax).expect(t, 200, "loan-retry", "loan-fail-form", "loan-"+ax+"-")
	admin.post("/loans/"+ax+"/disbursement", "action", "retry").expect(t, 303, "done=retry")
	admin.post("/loans/"+ax+"/disbursement", "action", "fail", "reason", "Not A Code").expect(t, 400, "console_bad_reason_code")
	admin.post("/loans/"+ax+"/disbursement", "action", "fail", "reason", "provider_confirmed_not_sent").expect(t, 303, "done=fail")
	if st := s.loanStatus(t, a.XID); st.Loan.Code != 218 {
		t.Fatalf("failed: %+v", st.Loan)
	}
	if _, avail, used := s.account(t, xid); avail != 9_000_000 || used != 0 {
		t.Fatalf("account after the rejection and the failure: %d %d", avail, used)
	}
	admin.post("/loans/"+ax+"/disbursement", "action", "retry").expect(t, 409, "console_loan_refused")
	admin.get("/loans/"+ax).expect(t, 200, "218 LOAN_DISBURSAL_FAILED", "provider_confirmed_not_sent", "(disbursal_failed_by_operator)")
	viewer.get("/").expect(t, 200, "No loan waits, is being disbursed or is late.")

	acts := s.auditActions(t)
	for _, want := range []string{"loan.view", "loan.view_unmasked", "loan.agreement_view", "loan.agreement_view_unmasked", "forbidden",
		"csrf_refused", "loan.decide_refused", "loan.approve", "loan.reject", "loan.retry", "loan.fail_refused", "loan.fail", "loan.retry_refused"} {
		if !slices.Contains(acts, want) {
			t.Errorf("no %s in the audit log %v", want, acts)
		}
	}
	var targets int
	s.query(t, `SELECT COUNT(*) FROM console_audit WHERE target = $1 AND action = 'loan.approve' AND operator_id IS NOT NULL`, []any{"loan:" + ax}, &targets)
	if targets != 1 {
		t.Fatalf("%d approvals of loan:%s audited", targets, ax)
	}
	var leaks int
	s.query(t, `SELECT COUNT(*) FROM console_audit WHERE target LIKE $1 OR detail LIKE $1 OR target LIKE $2 OR detail LIKE $2`,
		[]any{"%" + account + "%", "%" + nik + "%"}, &leaks)
	if leaks != 0 {
		t.Fatal("personal data in the audit log")
	}
}

// Item 6's other decisions: an operator requests documents (125 -> 131)
// and sends an application back to review (120 or 131 -> 125), through
// the status machine, with their history rows, events and audit lines;
// the documents then come in at 131 as at 105.
func TestConsoleRequestDocumentsAndSendBackToReview(t *testing.T) {
	s := startServer(t, nil)
	xid := s.submitCredit(t, creditNIK("9004"), creditBody(t, nil))
	other := s.submitCredit(t, "3173010101929004", creditBody(t, nil))
	s.settle(t)
	for _, x := range []string{xid, other} {
		if st := s.creditStatus(t, x); st.Code != 125 {
			t.Fatalf("%s at %d", x, st.Code)
		}
	}
	const pw = "a long enough secret phrase"
	reviewer := s.loggedIn(t, "reviewer@lender.example", "reviewer", pw)
	viewer := s.loggedIn(t, "viewer@lender.example", "viewer", pw)
	if strings.Contains(viewer.get("/applications/"+xid).body, "documents-form") {
		t.Fatal("a viewer is offered the documents request")
	}
	reviewer.get("/applications/"+xid).expect(t, 200, "documents-form", "Request documents")
	viewer.post("/applications/"+xid+"/decide", "action", "documents", "reason", "payslip needed").expect(t, 403, "console_forbidden")
	reviewer.post("/applications/"+xid+"/decide", "action", "documents").expect(t, 400, "console_reason_required")
	// Sending back is for 120 and 131: at 125 it is refused, nothing moves.
	reviewer.post("/applications/"+xid+"/decide", "action", "review", "reason", "look again").expect(t, 409, "console_not_decidable")
	reviewer.post("/applications/"+xid+"/decide", "action", "documents", "reason", "payslip needed").expect(t, 303, "done=decided")
	st := s.creditStatus(t, xid)
	if st.Code != 131 || !st.FlagReady {
		t.Fatalf("after the request: %+v", st)
	}
	reviewer.post("/applications/"+xid+"/decide", "action", "documents", "reason", "again").expect(t, 409, "console_not_decidable")
	reviewer.get("/applications/"+xid).expect(t, 200, "131 RESUBMISSION_APPLICATION_REQUESTED", "review-form", "documents_requested")

	// The documents come in at 131 and the flag moves it to 120 (a new round).
	s.uploadImage(t, xid, "ktp_self").expect(t, 409)
	s.uploadImage(t, xid, "paystub").expect(t, 200)
	s.do(req{Method: "POST", Path: "/api/partnership/v1/submit-document-flag/" + xid}).expect(t, 200)
	if st := s.creditStatus(t, xid); st.Code != 120 {
		t.Fatalf("after the flag: %d", st.Code)
	}
	// Before the new round is assessed, a reviewer sends it back to review.
	reviewer.post("/applications/"+xid+"/decide", "action", "review", "reason", "documents to read by a person").expect(t, 303, "done=decided")
	s.settle(t) // the round's assessment finds it in review and leaves it
	if st := s.creditStatus(t, xid); st.Code != 125 {
		t.Fatalf("sent back: %d", st.Code)
	}
	hist := s.historyReasons(t, xid)
	if want := []string{"125>131:documents_requested_by_operator", "131>120:documents_submitted", "120>125:sent_back_to_review"}; !slices.Equal(hist[len(hist)-3:], want) {
		t.Fatalf("history %v", hist)
	}
	// From 131 straight back to review (the request withdrawn).
	reviewer.post("/applications/"+other+"/decide", "action", "documents", "reason", "bank statement needed").expect(t, 303)
	reviewer.post("/applications/"+other+"/decide", "action", "review", "reason", "withdrawn").expect(t, 303)
	if st := s.creditStatus(t, other); st.Code != 125 {
		t.Fatalf("withdrawn: %d", st.Code)
	}
	var events int
	s.query(t, `SELECT COUNT(*) FROM events e JOIN applications a ON a.id = e.application_id WHERE a.xid = $1 AND e.type = 'application.status_changed'
		AND e.to_code IN (131, 125) AND e.from_code IN (125, 131)`, []any{mustAtoi(other)}, &events)
	if events != 2 {
		t.Fatalf("%d events of the moves", events)
	}
	if r := s.review(t, other); !strings.Contains(string(r.Decisions[len(r.Decisions)-1]), `"decided_by":"operator:console:`) {
		t.Fatalf("decision record %s", r.Decisions[len(r.Decisions)-1])
	}
	acts := s.auditActions(t)
	for _, want := range []string{"decide_documents", "decide_review", "decide_refused", "forbidden"} {
		if !slices.Contains(acts, want) {
			t.Errorf("no %s in the audit log %v", want, acts)
		}
	}
}

// Item 8: a partner's page (admins) shows its budgets, loan settings and
// callback endpoint (the token masked, no secret), its recent deliveries
// with a redeliver button that queues a new delivery through the
// partner's own mechanism; the application's page lists its events'
// deliveries.
func TestConsolePartnerPageDeliveriesAndRedeliver(t *testing.T) {
	s := startServer(t, nil)
	recv := newReceiver(t, s.Clock)
	w := s.webhook(t, "acme", "--url", recv.URL()+"/julo", "--token", "tok-secret-9876")
	recv.setKeys(swKey(t, w.Secret))
	xid := s.submitCredit(t, creditNIK("0003"), creditBody(t, nil))
	s.settle(t)
	evs := s.partnerEvents(t, "acme")
	recv.waitCalls(t, len(evs), 30*time.Second)
	s.settle(t)
	const pw = "a long enough secret phrase"
	admin := s.loggedIn(t, "admin@lender.example", "admin", pw)
	reviewer := s.loggedIn(t, "reviewer@lender.example", "reviewer", pw)
	viewer := s.loggedIn(t, "viewer@lender.example", "viewer", pw)

	admin.get("/partners").expect(t, 200, `<a href="/partners/acme">acme</a>`)
	p := admin.get("/partners/acme").expect(t, 200, "Budgets", "registrations", "Loan settings", recv.URL()+"/julo", "••••9876",
		"1 signing now", evs[0].ID, "delivered", "204", "Redeliver")
	if strings.Contains(p.body, "tok-secret-9876") || strings.Contains(p.body, w.Secret) {
		t.Fatal("the partner's page shows the token or the signing secret")
	}
	admin.get("/partners/nobody").expect(t, 404, "console_partner_missing")
	reviewer.get("/partners/acme").expect(t, 403, "console_forbidden", "JULO console")
	viewer.post("/partners/acme/redeliver", "event", evs[0].ID).expect(t, 403, "console_forbidden")
	admin.post("/partners/acme/redeliver", "csrf", "forged", "event", evs[0].ID).expect(t, 403, "console_csrf")
	admin.post("/partners/acme/redeliver", "event", "evt_nope").expect(t, 404, "console_event_missing")

	before := len(recv.got())
	admin.post("/partners/acme/redeliver", "event", evs[0].ID).expect(t, 303, "done=redelivered")
	s.settle(t)
	calls := recv.waitCalls(t, before+1, 30*time.Second)
	if last := calls[len(calls)-1]; last.ID != evs[0].ID {
		t.Fatalf("the redelivery carried %s, want %s", last.ID, evs[0].ID)
	}
	var n int
	s.query(t, `SELECT COUNT(*) FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE e.event_id = $1`, []any{evs[0].ID}, &n)
	if n != 2 {
		t.Fatalf("%d deliveries of the event", n)
	}
	// The application's page lists its events' deliveries (every role).
	viewer.get("/applications/"+xid).expect(t, 200, `id="application-deliveries"`, evs[0].ID, "delivered")

	// Callbacks off: a redelivery is refused, nothing queued.
	s.webhook(t, "acme", "--disable")
	admin.post("/partners/acme/redeliver", "event", evs[0].ID).expect(t, 409, "console_callbacks_off")
	acts := s.auditActions(t)
	for _, want := range []string{"redeliver", "redeliver_refused", "forbidden", "csrf_refused"} {
		if !slices.Contains(acts, want) {
			t.Errorf("no %s in the audit log %v", want, acts)
		}
	}
	var leaks int
	s.query(t, `SELECT COUNT(*) FROM console_audit WHERE detail LIKE '%tok-secret%' OR target LIKE '%tok-secret%'`, nil, &leaks)
	if leaks != 0 {
		t.Fatal("the token in the audit log")
	}
}
