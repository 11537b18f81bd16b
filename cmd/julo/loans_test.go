package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// The loans of issue 13, through the whole server: offers, the loan and
// its draw on the limit, the agreement, the signature, signing and the
// sandbox disbursement, cancel, failure and expiry giving the amount back.

const v1 = "/api/partnership/v1"

// ready is an application at 190 with its account open (9,000,000) by a
// real journey, and the PIN window open (5 minutes by the test clock).
func (s *testServer) ready(t *testing.T, serial string, changes map[string]any) string {
	t.Helper()
	xid := s.submitCredit(t, creditNIK(serial), creditBody(t, changes))
	s.settle(t)
	if st := s.creditStatus(t, xid); st.Code != 130 {
		t.Fatalf("not offered: %+v", st)
	}
	s.inputPIN(xid, readyPIN).expect(t, 200)
	s.activate(xid, true).expect(t, 200)
	return xid
}

// offer is one offer of loan-duration.
type offer struct {
	LoanAmount     int64 `json:"loan_amount"`
	Duration       int   `json:"duration"`
	Installment    int64 `json:"monthly_installment"`
	Provision      int64 `json:"provision_amount"`
	Disbursement   int64 `json:"disbursement_amount"`
	Cashback       int64 `json:"cashback"`
	Available      int64 `json:"available_limit"`
	AvailableAfter int64 `json:"available_limit_after_transaction"`
}

func (s *testServer) offers(t *testing.T, xid string, amount int64, self bool) []offer {
	t.Helper()
	typ := 1
	if !self {
		typ = 2
	}
	var out []offer
	s.do(req{Method: "POST", Path: v1 + "/loan-duration/" + xid, Body: map[string]any{"loan_amount_request": amount,
		"self_bank_account": self, "transaction_type_code": typ}}).expect(t, 200).decodeData(t, &out)
	return out
}

type createdLoan struct {
	Status          string  `json:"loan_status"`
	Amount          int64   `json:"loan_amount"`
	Disbursement    int64   `json:"disbursement_amount"`
	Duration        int     `json:"loan_duration"`
	Installment     int64   `json:"installment_amount"`
	MonthlyInterest float64 `json:"monthly_interest"`
	XID             int64   `json:"loan_xid"`
}

func (s *testServer) createLoan(xid string, amount int64, duration int, self bool) response {
	typ := 1
	if !self {
		typ = 2
	}
	return s.do(req{Method: "POST", Path: v1 + "/loan/" + xid, Body: map[string]any{"loan_amount_request": amount,
		"loan_duration": duration, "self_bank_account": self, "transaction_type_code": typ, "loan_purpose": "Modal usaha"}})
}

// loanStatusOut is GET loan/status.
type loanStatusOut struct {
	Loan struct {
		XID             int64      `json:"loan_xid"`
		Status          string     `json:"status"`
		Code            int        `json:"status_code"`
		Amount          int64      `json:"loan_amount"`
		Duration        int        `json:"loan_duration"`
		Disbursement    int64      `json:"loan_disbursement_amount"`
		FundTransfer    *time.Time `json:"fund_transfer_ts"`
		SignatureStatus bool       `json:"signature_status"`
		Bank            struct {
			Name        string `json:"bank_name"`
			Account     string `json:"account_number"`
			Destination string `json:"destination"`
		} `json:"bank"`
	} `json:"loan"`
	Payments []struct {
		Number    int    `json:"payment_number"`
		Due       string `json:"due_date"`
		DueAmount int64  `json:"due_amount"`
		Principal int64  `json:"principal_amount"`
		Interest  int64  `json:"principal_interest"`
	} `json:"payments"`
	Limit struct {
		Available int64 `json:"available_limit"`
		Used      int64 `json:"used_limit"`
	} `json:"limit"`
}

func (s *testServer) loanStatus(t *testing.T, loanXID int64) loanStatusOut {
	t.Helper()
	var out loanStatusOut
	s.do(req{Method: "GET", Path: fmt.Sprintf("%s/loan/status/%d/", v1, loanXID)}).expect(t, 200).decodeData(t, &out)
	return out
}

// account reads the application's credit account from the database.
func (s *testServer) account(t *testing.T, xid string) (set, available, used int64) {
	t.Helper()
	s.query(t, `SELECT c.set_limit, c.available_limit, c.used_limit FROM credit_accounts c JOIN applications a ON a.id = c.application_id
		WHERE a.xid = $1`, []any{mustAtoi(xid)}, &set, &available, &used)
	return
}

func (s *testServer) uploadSignature(t *testing.T, loanXID int64) response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("image_type", "signature")
	f, _ := w.CreateFormFile("upload", "signature.png")
	f.Write(pngBytes(t))
	w.Close()
	return s.do(req{Method: "POST", Path: fmt.Sprintf("%s/loan/%d/images", v1, loanXID), Body: b.String(), ContentType: w.FormDataContentType()})
}

func (s *testServer) agreementAction(loanXID int64, action string) response {
	return s.do(req{Method: "POST", Path: fmt.Sprintf("%s/agreement/loan/status/%d/", v1, loanXID), Body: map[string]any{"status": action}})
}

// fetch GETs a page or a file (not an envelope) with the partner's
// headers, validated against the document like every request.
func (s *testServer) fetch(t *testing.T, path string) response {
	t.Helper()
	hr, _ := http.NewRequest("GET", s.URL+path, nil)
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	resp, err := http.DefaultClient.Do(withOpenAPITest(hr, t))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Raw: string(b)}
}

// loanEvents are the loan's status changes in the events table, "from>to".
func (s *testServer) loanEvents(t *testing.T, loanXID int64) string {
	t.Helper()
	rows, err := s.sqlDB().Query(`SELECT COALESCE(from_code, 0), to_code FROM events WHERE type = 'loan.status_changed' AND loan_xid = $1
		ORDER BY sequence`, loanXID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var from, to int
		if err := rows.Scan(&from, &to); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d>%d", from, to))
	}
	return strings.Join(out, ",")
}

// A loan from offer to disbursement: the offers, the loan drawing on the
// limit at 210, the status read, the agreement page, signing refused
// without a signature, the signature, signing (211), the automatic
// approval and the sandbox transfer (212), its confirmation 2 s later
// (220), every move an event, and the status read's existing_loans.
func TestLoanJourneyToDisbursed(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", nil)

	var rg map[string]int64
	s.do(req{Method: "GET", Path: v1 + "/range-loan-amount/" + xid + "?self_bank_account=true&transaction_type_code=1"}).
		expect(t, 200).decodeData(t, &rg)
	if rg["min_amount_threshold"] != 300_000 || rg["min_amount"] != 300_000 || rg["max_amount"] != 9_000_000 {
		t.Fatalf("range %v", rg)
	}
	// To a third party the provision comes off the maximum.
	s.do(req{Method: "GET", Path: v1 + "/range-loan-amount/" + xid + "?self_bank_account=false&transaction_type_code=2"}).
		expect(t, 200).decodeData(t, &rg)
	if rg["max_amount"] >= 9_000_000 || rg["max_amount"] < 8_500_000 {
		t.Fatalf("third-party range %v", rg)
	}

	offers := s.offers(t, xid, 3_000_000, true)
	if len(offers) == 0 || len(offers) > 4 {
		t.Fatalf("offers %+v", offers)
	}
	for i, o := range offers {
		if o.LoanAmount != 3_000_000 || o.Disbursement != o.LoanAmount-o.Provision || o.Available != 9_000_000 ||
			o.AvailableAfter != 6_000_000 || o.Installment <= 0 || i > 0 && o.Duration != offers[i-1].Duration+1 {
			t.Fatalf("offer %d: %+v", i, o)
		}
	}
	var lo struct {
		Min, Max, Selected int64
		Durations          []offer `json:"loan_duration"`
	}
	s.do(req{Method: "GET", Path: v1 + "/loan-offer?application_xid=" + xid + "&loan_amount_request=3000000"}).expect(t, 200).decodeData(t, &lo)
	if len(lo.Durations) != len(offers) || lo.Durations[0] != offers[0] {
		t.Fatalf("loan-offer %+v", lo)
	}

	chosen := offers[0]
	var c createdLoan
	s.createLoan(xid, 3_000_000, chosen.Duration, true).expect(t, http.StatusCreated).decodeData(t, &c)
	if c.Status != "LOAN_CREATED" || c.Amount != 3_000_000 || c.Disbursement != chosen.Disbursement || c.Duration != chosen.Duration ||
		c.Installment != chosen.Installment || c.XID < 1_000_000_000 || c.MonthlyInterest <= 0 || c.MonthlyInterest > 0.04 {
		t.Fatalf("created %+v", c)
	}
	if set, avail, used := s.account(t, xid); set != 9_000_000 || avail != 6_000_000 || used != 3_000_000 {
		t.Fatalf("account after the loan: %d %d %d", set, avail, used)
	}
	st := s.loanStatus(t, c.XID)
	var principals, dues int64
	for _, p := range st.Payments {
		principals += p.Principal
		dues += p.DueAmount
		if p.DueAmount != p.Principal+p.Interest {
			t.Fatalf("payment %+v", p)
		}
	}
	if st.Loan.Status != "LOAN_CREATED" || st.Loan.Code != 210 || len(st.Payments) != chosen.Duration || principals != 3_000_000 ||
		st.Limit.Available != 6_000_000 || st.Limit.Used != 3_000_000 || st.Loan.SignatureStatus || st.Loan.FundTransfer != nil ||
		st.Loan.Bank.Destination != "self" || st.Loan.Bank.Account != "******2764" {
		t.Fatalf("status %+v", st)
	}
	// The first due date is on the payday (24), at least 15 days on.
	if st.Payments[0].Due != "2026-12-24" {
		t.Fatalf("first due %s", st.Payments[0].Due)
	}

	// The agreement: Indonesian HTML from the stored loan.
	page := s.fetch(t, fmt.Sprintf("%s/agreement/content/%d/", v1, c.XID))
	if ct := page.Header.Get("Content-Type"); page.Status != 200 || !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %s", ct)
	}
	for _, want := range []string{"Surat Perjanjian", "Rp3.000.000", "budi ismail", creditNIK("0001"), "2026-12-24",
		"membatalkan pinjaman", "Pengaduan", "per hari", "Denda keterlambatan"} {
		if !strings.Contains(page.Raw, want) {
			t.Fatalf("the agreement lacks %q:\n%s", want, page.Raw)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}

	// Signing needs the signature: a 400, nothing changes.
	s.unchanged(t, func() {
		r := s.agreementAction(c.XID, "sign").expect(t, 400)
		if codes := errorCodes(t, r); len(codes) != 1 || codes[0] != "loan_signature_missing" {
			t.Fatal(r.Raw)
		}
	})
	s.uploadSignature(t, c.XID).expect(t, http.StatusCreated)
	var imgs []struct {
		Type string `json:"image_type"`
		URL  string `json:"url"`
	}
	s.do(req{Method: "GET", Path: fmt.Sprintf("%s/loan/%d/images", v1, c.XID)}).expect(t, 200).decodeData(t, &imgs)
	if len(imgs) != 1 || imgs[0].Type != "signature" {
		t.Fatalf("images %+v", imgs)
	}
	if r := s.fetch(t, imgs[0].URL); r.Status != 200 || r.Header.Get("Content-Type") != "image/png" || r.Raw != string(pngBytes(t)) {
		t.Fatalf("signature fetch %d %s", r.Status, r.Header.Get("Content-Type"))
	}

	var signed struct {
		Status string `json:"status"`
		XID    int64  `json:"loan_xid"`
	}
	s.agreementAction(c.XID, "sign").expect(t, 200).decodeData(t, &signed)
	if signed.Status != "LOAN_WAITING_FOR_APPROVAL" || signed.XID != c.XID {
		t.Fatalf("sign %+v", signed)
	}
	// Approved automatically and sent to the sandbox provider.
	s.settle(t)
	if st := s.loanStatus(t, c.XID); st.Loan.Code != 212 {
		t.Fatalf("after approval %+v", st.Loan)
	}
	// The sandbox transfer is confirmed 2 s later.
	s.Clock.Add(2 * time.Second)
	s.settle(t)
	st = s.loanStatus(t, c.XID)
	if st.Loan.Code != 220 || st.Loan.Status != "LOAN_DISBURSAL_SUCCESS" || st.Loan.FundTransfer == nil || !st.Loan.SignatureStatus {
		t.Fatalf("after the transfer %+v", st.Loan)
	}
	if ev := s.loanEvents(t, c.XID); ev != "0>210,210>211,211>212,212>220" {
		t.Fatalf("events %s", ev)
	}
	if set, avail, used := s.account(t, xid); set != 9_000_000 || avail != 6_000_000 || used != 3_000_000 {
		t.Fatalf("account after disbursement: %d %d %d", set, avail, used)
	}
	app := s.status(t, xid)
	loans, _ := app["existing_loans"].([]any)
	if len(loans) != 1 || loans[0].(map[string]any)["loan_status"] != "LOAN_DISBURSAL_SUCCESS" {
		t.Fatalf("existing_loans %v", app["existing_loans"])
	}
	// Cancelling after the money moved is refused.
	s.unchanged(t, func() { s.agreementAction(c.XID, "cancel").expect(t, 409) })
}

// Cancel before disbursement, a failing sandbox transfer (an account
// ending in 000) and the expiry of an unsigned loan each give the amount
// back to the limit, with their events.
func TestLoanCancelFailureAndExpiryRestoreTheLimit(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", map[string]any{"bank_account_number": "1234567000"})
	o := s.offers(t, xid, 1_000_000, true)[0]
	var c createdLoan

	// Cancel at 210.
	s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 201).decodeData(t, &c)
	if _, avail, _ := s.account(t, xid); avail != 8_000_000 {
		t.Fatalf("available %d", avail)
	}
	var r struct{ Status string }
	s.agreementAction(c.XID, "cancel").expect(t, 200).decodeData(t, &r)
	if r.Status != "LOAN_CANCELLED_BY_CUSTOMER" {
		t.Fatal(r)
	}
	if set, avail, used := s.account(t, xid); avail != set || used != 0 {
		t.Fatalf("after cancel %d %d %d", set, avail, used)
	}
	if ev := s.loanEvents(t, c.XID); ev != "0>210,210>216" {
		t.Fatalf("events %s", ev)
	}
	// A cancelled loan cannot be signed.
	s.unchanged(t, func() { s.agreementAction(c.XID, "sign").expect(t, 409) })

	// A transfer to ...000 fails: 218, the amount back.
	s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 201).decodeData(t, &c)
	s.uploadSignature(t, c.XID).expect(t, 201)
	s.agreementAction(c.XID, "sign").expect(t, 200)
	s.settle(t)
	s.Clock.Add(2 * time.Second)
	s.settle(t)
	if st := s.loanStatus(t, c.XID); st.Loan.Code != 218 || st.Loan.Status != "LOAN_DISBURSAL_FAILED" {
		t.Fatalf("failed transfer %+v", st.Loan)
	}
	if set, avail, used := s.account(t, xid); avail != set || used != 0 {
		t.Fatalf("after the failure %d %d %d", set, avail, used)
	}
	if ev := s.loanEvents(t, c.XID); ev != "0>210,210>211,211>212,212>218" {
		t.Fatalf("events %s", ev)
	}

	// Unsigned for 24 hours: 217 by the periodic expiry. The PIN window
	// is opened again first (5 minutes have not passed, but be explicit).
	s.inputPIN(xid, readyPIN).expect(t, 200)
	s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 201).decodeData(t, &c)
	s.Clock.Add(23*time.Hour + 59*time.Minute)
	runLoanExpiry(t, s)
	if st := s.loanStatus(t, c.XID); st.Loan.Code != 210 {
		t.Fatalf("expired early: %+v", st.Loan)
	}
	s.Clock.Add(time.Minute)
	// Signing at the expiry instant is refused (409, before the missing
	// signature), then the sweep expires it.
	s.unchanged(t, func() {
		r := s.agreementAction(c.XID, "sign").expect(t, 409)
		if errorCodes(t, r)[0] != "loan_agreement_expired" {
			t.Fatal(r.Raw)
		}
	})
	runLoanExpiry(t, s)
	if st := s.loanStatus(t, c.XID); st.Loan.Code != 217 || st.Loan.Status != "LOAN_EXPIRED" {
		t.Fatalf("not expired: %+v", st.Loan)
	}
	if set, avail, used := s.account(t, xid); avail != set || used != 0 {
		t.Fatalf("after expiry %d %d %d", set, avail, used)
	}
}

// runLoanExpiry runs the loan expiry as its schedule would by the server's
// clock now.
func runLoanExpiry(t *testing.T, s *testServer) {
	t.Helper()
	if err := storeOf(t, s).Enqueue(context.Background(), julo.Scheduled{Job: lending.ExpiryJob{}, At: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	if s.countWhere("river_job", "kind = 'loan_expiry' AND state <> 'completed'") != 0 {
		t.Fatalf("the expiry did not complete: %s", s.jobDumpAll())
	}
}

// The refusals: each a coded 4xx that changes nothing.
func TestLoanRefusals(t *testing.T) {
	s := startServer(t, nil)
	offered := s.offered(t, "0002")
	// Not at 190: production's "akun belum dapat mengajukan loan".
	s.unchanged(t, func() {
		r := s.do(req{Method: "GET", Path: v1 + "/range-loan-amount/" + offered}).expect(t, 400)
		if codes := errorCodes(t, r); codes[0] != "loan_account_not_ready" || !strings.Contains(r.Raw, "akun belum dapat mengajukan loan") {
			t.Fatal(r.Raw)
		}
	})
	xid := s.ready(t, "0001", nil)
	cases := []struct {
		name   string
		r      req
		status int
		code   string
	}{
		{"type 2 to own account", req{Method: "GET", Path: v1 + "/range-loan-amount/" + xid + "?self_bank_account=true&transaction_type_code=2"},
			400, "loan_transaction_type_mismatch"},
		{"type 3", req{Method: "GET", Path: v1 + "/range-loan-amount/" + xid + "?transaction_type_code=3", Invalid: true},
			400, "loan_transaction_type_invalid"},
		{"below the threshold", req{Method: "POST", Path: v1 + "/loan-duration/" + xid, Body: map[string]any{"loan_amount_request": 299_999}},
			400, "loan_amount_below_threshold"},
		{"above the range", req{Method: "POST", Path: v1 + "/loan-duration/" + xid, Body: map[string]any{"loan_amount_request": 9_000_001}},
			400, "loan_amount_out_of_range"},
		{"amount missing", req{Method: "POST", Path: v1 + "/loan-duration/" + xid, Body: map[string]any{}}, 400, "required"},
		{"tenor not offered", req{Method: "POST", Path: v1 + "/loan/" + xid, Body: map[string]any{"loan_amount_request": 1_000_000, "loan_duration": 12}},
			400, "loan_duration_not_offered"},
		{"third party without a settlement account", req{Method: "POST", Path: v1 + "/loan/" + xid, Body: map[string]any{
			"loan_amount_request": 1_000_000, "loan_duration": s.offers(t, xid, 1_000_000, false)[0].Duration,
			"self_bank_account": false, "transaction_type_code": 2}}, 400, "loan_no_settlement_account"},
		{"another partner's application", req{Method: "POST", Path: v1 + "/loan/1000000000", Body: map[string]any{
			"loan_amount_request": 1_000_000, "loan_duration": 3}}, 404, "application_missing"},
		{"unknown loan", req{Method: "GET", Path: v1 + "/loan/status/1000000000"}, 404, "loan_missing"},
		{"bad agreement action", req{Method: "POST", Path: v1 + "/agreement/loan/status/1000000000", Body: map[string]any{"status": "approve"}},
			404, "loan_missing"},
	}
	for _, c := range cases {
		s.unchanged(t, func() {
			r := s.do(c.r).expect(t, c.status)
			if codes := errorCodes(t, r); len(codes) == 0 || codes[0] != c.code {
				t.Fatalf("%s: %s", c.name, r.Raw)
			}
		})
	}
	// A loan needs the PIN window: 403 once it has closed.
	o := s.offers(t, xid, 1_000_000, true)[0]
	s.Clock.Add(5 * time.Minute)
	s.unchanged(t, func() {
		r := s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 403)
		if errorCodes(t, r)[0] != "pin_not_verified" {
			t.Fatal(r.Raw)
		}
	})
	// With a settlement account, a third-party loan is grossed up and paid
	// to the partner's account.
	if _, err := s.cli("partner", "set", "acme", "--settlement-bank", "BANK CENTRAL ASIA, Tbk (BCA)", "--settlement-account", "8001234567"); err != nil {
		t.Fatal(err)
	}
	s.inputPIN(xid, readyPIN).expect(t, 200)
	tp := s.offers(t, xid, 1_000_000, false)[0]
	if tp.LoanAmount <= 1_000_000 || tp.Disbursement != tp.LoanAmount-tp.Provision {
		t.Fatalf("third-party offer %+v", tp)
	}
	var c createdLoan
	s.createLoan(xid, 1_000_000, tp.Duration, false).expect(t, 201).decodeData(t, &c)
	st := s.loanStatus(t, c.XID)
	if st.Loan.Bank.Destination != "partner" || st.Loan.Bank.Account != "8001234567" || st.Loan.Amount != tp.LoanAmount {
		t.Fatalf("third-party loan %+v", st.Loan)
	}
	// Any status but sign or cancel is production's 400.
	s.unchanged(t, func() {
		r := s.agreementAction(c.XID, "approve").expect(t, 400)
		if errorCodes(t, r)[0] != "loan_agreement_action" {
			t.Fatal(r.Raw)
		}
	})
	// Another partner sees none of it.
	other := s.as("beta", s.createPartner("beta"))
	other.do(req{Method: "GET", Path: fmt.Sprintf("%s/loan/status/%d", v1, c.XID)}).expect(t, 404)
	other.agreementAction(c.XID, "cancel").expect(t, 404)
}

// No overdraw: 50 concurrent loans whose total is far above the limit;
// the sum of those created never exceeds it, every refusal is a coded 4xx,
// and available + used = set after.
func TestLoanConcurrentRequestsNeverOverdraw(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", wellPaid)
	o := s.offers(t, xid, 1_000_000, true)[0]
	created := concurrentLoans(t, []*testServer{s}, xid, 50, o.Duration)
	if created != 9 {
		t.Fatalf("%d loans of 1,000,000 created on a 9,000,000 limit", created)
	}
	if set, avail, used := s.account(t, xid); used != 9_000_000 || avail != 0 || set != avail+used {
		t.Fatalf("account %d %d %d", set, avail, used)
	}
}

// wellPaid is creditBody's customer with the same 9,000,000 limit (the
// same affordability, 1,200,000) but an income of 20,000,000, so that the
// debt-service rule (30% of income) leaves room for nine loans of
// 1,000,000 and the limit is what binds.
var wellPaid = map[string]any{"monthly_income": 20_000_000, "monthly_expenses": 18_150_000}

// concurrentLoans sends n loan requests of 1,000,000 at once, spread over
// servers, and returns how many were created; each refusal must be a 4xx
// envelope with a code.
func concurrentLoans(t *testing.T, servers []*testServer, xid string, n, duration int) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := servers[i%len(servers)].createLoan(xid, 1_000_000, duration, true)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case r.Status == 201:
				created++
			case r.Status >= 400 && r.Status < 500 && strings.Contains(r.Raw, `"code"`):
			default:
				t.Errorf("request %d: %d %s", i, r.Status, r.Raw)
			}
		}()
	}
	wg.Wait()
	return created
}

// No overdraw across instances: on PostgreSQL, two server processes take
// the 50 requests between them.
func TestLoanConcurrentRequestsOnTwoInstancesNeverOverdraw(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	data := t.TempDir()
	args := []string{"--data", data, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	p := createPartnerIn(t, args)
	a := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	b := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	xid := a.submitCredit(t, creditNIK("0001"), creditBody(t, wellPaid))
	waitJobs(t, a, "credit_assessment", 1, 60*time.Second)
	if st := b.creditStatus(t, xid); st.Code != 130 || st.CreditInfo["set_limit"] != 9_000_000 {
		t.Fatalf("not offered: %+v", st)
	}
	a.inputPIN(xid, readyPIN).expect(t, 200)
	b.activate(xid, true).expect(t, 200)
	o := b.offers(t, xid, 1_000_000, true)[0]
	if created := concurrentLoans(t, []*testServer{a, b}, xid, 50, o.Duration); created != 9 {
		t.Fatalf("%d loans of 1,000,000 created on a 9,000,000 limit", created)
	}
	var sum, n int64
	a.query(t, `SELECT COALESCE(SUM(l.loan_amount), 0), COUNT(*) FROM loans l JOIN applications x ON x.id = l.application_id
		WHERE x.xid = $1`, []any{mustAtoi(xid)}, &sum, &n)
	if set, avail, used := a.account(t, xid); sum != 9_000_000 || n != 9 || used != sum || avail != 0 || set != avail+used {
		t.Fatalf("loans %d (%d), account %d %d %d", sum, n, set, avail, used)
	}
}

// Production refuses to start without the lender's identity: its loan
// agreements must name the lender.
func TestLoanProductionNeedsTheLender(t *testing.T) {
	keys, _ := (&testServer{}).keysJSON()
	env := map[string]string{"JULO_SMS_PROVIDER": "log", "JULO_KEYS": keys}
	args := []string{"serve", "--env", "production", "--addr", "127.0.0.1:0", "--data", t.TempDir()}
	if u := testDatabaseURL(t); u != "" {
		args = append(args, "--database-url", u)
	}
	err := run(context.Background(), args, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--lender-name") {
		t.Fatalf("got %v, want a refusal naming the lender flags", err)
	}
}

const disbursementSecret = "disbursement-callback-secret-0123456789"

// fakeDisburser is a disbursement provider on 127.0.0.1: it records what
// it is asked and answers pending.
type fakeDisburser struct {
	mu    sync.Mutex
	calls []map[string]any
	auth  []string
	down  bool // answer 503
}

func (f *fakeDisburser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	json.NewDecoder(r.Body).Decode(&m)
	m["path"] = r.URL.Path
	f.mu.Lock()
	f.calls = append(f.calls, m)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	down := f.down
	f.mu.Unlock()
	if down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, `{"state": "pending"}`)
}

// The production adapter: the transfer goes to the configured URL with
// its token and the loan's reference, amount and account; the provider's
// signed callback then moves the loan (succeeded: 220), once; a bad
// signature or an unknown reference changes nothing.
func TestLoanDisbursementVendorAndSignedCallback(t *testing.T) {
	fake := &fakeDisburser{}
	vendor := httptest.NewServer(fake)
	defer vendor.Close()
	s := startServer(t, nil, withEnv("JULO_DISBURSEMENT_PROVIDER", "vendor"), withEnv("JULO_DISBURSEMENT_URL", vendor.URL+"/transfers"),
		withEnv("JULO_DISBURSEMENT_TOKEN", "disb-token"), withEnv("JULO_DISBURSEMENT_CALLBACK_SECRET", disbursementSecret))
	xid := s.ready(t, "0001", nil)
	o := s.offers(t, xid, 2_000_000, true)[0]
	var c createdLoan
	s.createLoan(xid, 2_000_000, o.Duration, true).expect(t, 201).decodeData(t, &c)
	s.uploadSignature(t, c.XID).expect(t, 201)
	s.agreementAction(c.XID, "sign").expect(t, 200)
	s.settle(t)
	fake.mu.Lock()
	calls, auth := fake.calls, fake.auth
	fake.mu.Unlock()
	if len(calls) != 1 || auth[0] != "Bearer disb-token" || calls[0]["path"] != "/transfers" ||
		calls[0]["amount"] != float64(o.Disbursement) || calls[0]["account_number"] != "0672272764" {
		t.Fatalf("provider saw %v %v", calls, auth)
	}
	ref, _ := calls[0]["reference"].(string)
	if !strings.HasPrefix(ref, fmt.Sprintf("loan-%d-", c.XID)) {
		t.Fatalf("reference %q", ref)
	}
	if st := s.loanStatus(t, c.XID); st.Loan.Code != 212 {
		t.Fatalf("pending transfer: %+v", st.Loan)
	}
	path := "/vendor/v1/disbursements/callback"
	body := fmt.Sprintf(`{"reference": %q, "state": "succeeded"}`, ref)
	// A wrong signature and an unknown reference change nothing.
	s.unchanged(t, func() {
		s.callback(path, sign("another-secret", s.Clock.Now(), body), body).expect(t, 401)
		other := `{"reference": "loan-1-00", "state": "succeeded"}`
		s.callback(path, sign(disbursementSecret, s.Clock.Now(), other), other).expect(t, 404)
	})
	s.callback(path, sign(disbursementSecret, s.Clock.Now(), body), body).expect(t, 200)
	// A repeat is accepted and changes nothing.
	s.unchanged(t, func() { s.callback(path, sign(disbursementSecret, s.Clock.Now(), body), body).expect(t, 200) })
	if st := s.loanStatus(t, c.XID); st.Loan.Code != 220 || st.Loan.FundTransfer == nil {
		t.Fatalf("after the callback: %+v", st.Loan)
	}
	if ev := s.loanEvents(t, c.XID); ev != "0>210,210>211,211>212,212>220" {
		t.Fatalf("events %s", ev)
	}
}

// A partner whose loans the lender holds: signed loans wait at 211 for an
// operator (`julo loan approve` -> disbursed; `julo loan reject` -> 219,
// the amount back); a partner that needs no signature image signs without.
func TestLoanHeldForTheOperator(t *testing.T) {
	s := startServer(t, nil)
	if _, err := s.cli("partner", "set", "acme", "--loan-hold-for-operator", "true", "--loan-signature-required", "false"); err != nil {
		t.Fatal(err)
	}
	xid := s.ready(t, "0001", nil)
	o := s.offers(t, xid, 1_000_000, true)[0]
	var a, b createdLoan
	s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 201).decodeData(t, &a)
	s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 201).decodeData(t, &b)
	for _, l := range []createdLoan{a, b} {
		s.agreementAction(l.XID, "sign").expect(t, 200) // no signature needed
	}
	s.settle(t)
	if st := s.loanStatus(t, a.XID); st.Loan.Code != 211 {
		t.Fatalf("not held: %+v", st.Loan)
	}
	out, err := s.cli("loan", "approve", fmt.Sprint(a.XID))
	if err != nil || !strings.Contains(out, `"status": 212`) {
		t.Fatalf("approve: %s %v", out, err)
	}
	s.settle(t)
	s.Clock.Add(2 * time.Second)
	s.settle(t)
	if st := s.loanStatus(t, a.XID); st.Loan.Code != 220 {
		t.Fatalf("approved loan: %+v", st.Loan)
	}
	if _, err := s.cli("loan", "reject", fmt.Sprint(b.XID)); err != nil {
		t.Fatal(err)
	}
	if st := s.loanStatus(t, b.XID); st.Loan.Code != 219 || st.Loan.Status != "LOAN_LENDER_REJECTED" {
		t.Fatalf("rejected loan: %+v", st.Loan)
	}
	if _, avail, used := s.account(t, xid); avail != 8_000_000 || used != 1_000_000 {
		t.Fatalf("account %d %d", avail, used)
	}
	// Deciding a loan that no longer waits is refused.
	if _, err := s.cli("loan", "approve", fmt.Sprint(b.XID)); err == nil || !strings.Contains(err.Error(), "does not wait") {
		t.Fatalf("approve a rejected loan: %v", err)
	}
	if ev := s.loanEvents(t, a.XID); ev != "0>210,210>211,211>212,212>220" {
		t.Fatalf("events %s", ev)
	}
}

// A provider that is down leaves the loan at 212 (the job retries); an
// operator queues it again once the provider is back (julo loan retry) or
// records that it failed (julo loan fail: 218, the amount back).
func TestLoanStuckDisbursementRetriedOrFailedByTheOperator(t *testing.T) {
	fake := &fakeDisburser{down: true}
	vendor := httptest.NewServer(fake)
	defer vendor.Close()
	s := startServer(t, nil, withEnv("JULO_DISBURSEMENT_PROVIDER", "vendor"), withEnv("JULO_DISBURSEMENT_URL", vendor.URL+"/transfers"),
		withEnv("JULO_DISBURSEMENT_TOKEN", "disb-token"), withEnv("JULO_DISBURSEMENT_CALLBACK_SECRET", disbursementSecret))
	xid := s.ready(t, "0001", nil)
	o := s.offers(t, xid, 1_000_000, true)[0]
	var a, b createdLoan
	for _, l := range []*createdLoan{&a, &b} {
		s.createLoan(xid, 1_000_000, o.Duration, true).expect(t, 201).decodeData(t, l)
		s.uploadSignature(t, l.XID).expect(t, 201)
		s.agreementAction(l.XID, "sign").expect(t, 200)
	}
	s.settle(t)
	for _, l := range []createdLoan{a, b} {
		if st := s.loanStatus(t, l.XID); st.Loan.Code != 212 {
			t.Fatalf("with the provider down: %+v", st.Loan)
		}
	}
	// Not at 212: refused.
	if _, err := s.cli("loan", "fail", "1000000000"); err == nil {
		t.Fatal("an unknown loan was failed")
	}
	out, err := s.cli("loan", "fail", fmt.Sprint(b.XID), "--reason", "provider_confirmed_not_sent")
	if err != nil || !strings.Contains(out, `"status": 218`) || !strings.Contains(out, "provider_confirmed_not_sent") {
		t.Fatalf("fail: %s %v", out, err)
	}
	if _, avail, used := s.account(t, xid); avail != 8_000_000 || used != 1_000_000 {
		t.Fatalf("after fail: %d %d", avail, used)
	}
	if _, err := s.cli("loan", "retry", fmt.Sprint(b.XID)); err == nil || !strings.Contains(err.Error(), "not being disbursed") {
		t.Fatalf("retry of a failed loan: %v", err)
	}
	// The provider is back: a retry sends the transfer under the same reference.
	fake.mu.Lock()
	fake.down = false
	fake.mu.Unlock()
	if _, err := s.cli("loan", "retry", fmt.Sprint(a.XID)); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	fake.mu.Lock()
	refs := map[any]bool{}
	for _, c := range fake.calls {
		if strings.HasPrefix(fmt.Sprint(c["reference"]), fmt.Sprintf("loan-%d-", a.XID)) {
			refs[c["reference"]] = true
		}
	}
	last := fake.calls[len(fake.calls)-1]
	fake.mu.Unlock()
	if len(refs) != 1 || !refs[last["reference"]] {
		t.Fatalf("references sent for the loan: %v", refs)
	}
	body := fmt.Sprintf(`{"reference": %q, "state": "succeeded"}`, last["reference"])
	s.callback("/vendor/v1/disbursements/callback", sign(disbursementSecret, s.Clock.Now(), body), body).expect(t, 200)
	if st := s.loanStatus(t, a.XID); st.Loan.Code != 220 {
		t.Fatalf("after the retry: %+v", st.Loan)
	}
}
