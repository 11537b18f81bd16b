package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/client"
)

// readyForLoans takes a fresh customer (with bank account number account,
// "" for completeRequest's) through the journey to 190 with its account
// open (9,000,000) and the PIN window open; before the activation it
// checks that the loan routes refuse an application at 130.
func readyForLoans(t *testing.T, c *client.Client, account string) (xid int64, cu customer) {
	t.Helper()
	ctx := context.Background()
	cu = newCustomer(t)
	if account != "" {
		xid = submittedWith(t, c, cu, func(in *client.CompleteApplicationRequest) { in.BankAccountNumber = account })
	} else {
		xid = submitted(t, c, cu)
	}
	if st := decided(t, c, xid, func(*client.ApplicationStatus) bool { return true }); st.StatusCode != client.StatusLimitGenerated {
		t.Fatalf("not offered: %+v", st)
	}
	// At 130 there is no account to lend on: production's 400.
	if _, err := c.RangeLoanAmount(ctx, xid, client.LoanTransfer{}); client.StatusCode(err) != http.StatusBadRequest ||
		!client.HasCode(err, "loan_account_not_ready") {
		t.Fatalf("RangeLoanAmount at 130: %v", err)
	}
	if _, err := c.InputPIN(ctx, xid, "482915"); err != nil {
		t.Fatalf("InputPIN: %v", err)
	}
	if act, err := c.ActivateLimit(ctx, xid, true); err != nil || act.StatusCode != client.StatusLimitReadyToUse {
		t.Fatalf("ActivateLimit = %+v, %v", act, err)
	}
	return xid, cu
}

// submittedWith is submitted with the customer data changed by change.
func submittedWith(t *testing.T, c *client.Client, cu customer, change func(*client.CompleteApplicationRequest)) int64 {
	t.Helper()
	ctx := context.Background()
	xid := cu.register(t, c)
	for i, typ := range []string{client.ImageKTPSelf, client.ImageSelfie} {
		if _, err := c.UploadImage(ctx, xid, typ, typ+".jpg", bytes.NewReader(photo(t, uint8(i+10)))); err != nil {
			t.Fatalf("UploadImage(%s): %v", typ, err)
		}
	}
	if err := c.SendOTP(ctx, xid, cu.phone); err != nil {
		t.Fatalf("SendOTP: %v", err)
	}
	if err := c.ValidateOTP(ctx, xid, lastOTP(t, c, cu.phone)); err != nil {
		t.Fatalf("ValidateOTP: %v", err)
	}
	in := completeRequest(cu.phone)
	in.MonthlyIncome, in.MonthlyExpenses, in.MonthlyHousingCost = client.Int64(4_000_000), client.Int64(1_500_000), client.Int64(500_000)
	in.Dependent, in.LastEducation = client.Int64(0), "S1"
	change(&in)
	if _, err := c.CompleteApplication(ctx, xid, in); err != nil {
		t.Fatalf("CompleteApplication: %v", err)
	}
	return xid
}

// settled polls the loan's status until the disbursement has an outcome
// (the sandbox's transfer is confirmed about 2 s after the signing, by a
// job of the server's), for at most a minute.
func settled(t *testing.T, c *client.Client, loanXID int64) *client.LoanStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := c.LoanStatus(ctx, loanXID)
		if err != nil {
			t.Fatalf("LoanStatus: %v", err)
		}
		if st.Loan.Done() {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the loan has no outcome in a minute: %+v", st.Loan)
		case <-tick.C:
		}
	}
}

// wantCode fails unless err is an *Error of status with code.
func wantCode(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	if client.StatusCode(err) != status || !client.HasCode(err, code) {
		t.Fatalf("%s: got %v, want %d %s", what, err, status, code)
	}
}

// A loan from the offers to the disbursement on the real server: the
// range, the offers (both reads agree), the loan created once under one
// Idempotency-Key (drawn on the limit once), its status, the agreement
// page, signing refused without the signature, the signature (listed and
// read back), signing, the sandbox transfer's 220, the application's
// existing_loans, and what a disbursed loan refuses.
func TestLoanJourneyToDisbursed(t *testing.T) {
	ctx := context.Background()
	c := newClient(client.WithAcceptLanguage("en"))
	xid, cu := readyForLoans(t, c, "")

	rg, err := c.RangeLoanAmount(ctx, xid, client.LoanTransfer{})
	if err != nil || *rg != (client.LoanRange{MinAmountThreshold: 300_000, MinAmount: 300_000, MaxAmount: 9_000_000}) {
		t.Fatalf("RangeLoanAmount = %+v, %v", rg, err)
	}
	// To a third party the provision comes off the maximum.
	tp, err := c.RangeLoanAmount(ctx, xid, client.LoanTransfer{SelfBankAccount: client.Bool(false), TransactionType: client.TransactionThirdParty})
	if err != nil || tp.MaxAmount >= 9_000_000 || tp.MaxAmount < 8_000_000 {
		t.Fatalf("RangeLoanAmount(third party) = %+v, %v", tp, err)
	}

	const amount = 1_000_000
	offers, err := c.LoanDuration(ctx, xid, client.LoanOffersRequest{Amount: amount})
	if err != nil || len(offers) == 0 || len(offers) > 4 {
		t.Fatalf("LoanDuration = %+v, %v", offers, err)
	}
	for i, o := range offers {
		if o.LoanAmount != amount || o.Disbursement != o.LoanAmount-o.Provision || o.Provision <= 0 || o.AvailableLimit != 9_000_000 ||
			o.AvailableAfter != 8_000_000 || o.MonthlyInstallment <= 0 || i > 0 && o.Duration != offers[i-1].Duration+1 {
			t.Fatalf("offer %d: %+v", i, o)
		}
	}
	lo, err := c.LoanOffer(ctx, xid, client.LoanOffersRequest{Amount: amount})
	if err != nil || lo.MinAmount != 300_000 || lo.MaxAmount != 9_000_000 || lo.SelectedAmount != amount || len(lo.Offers) != len(offers) {
		t.Fatalf("LoanOffer = %+v, %v", lo, err)
	}
	for i := range offers {
		if lo.Offers[i] != offers[i] {
			t.Fatalf("LoanOffer's offer %d %+v, LoanDuration's %+v", i, lo.Offers[i], offers[i])
		}
	}

	// The longest tenor: the smallest installment.
	chosen := offers[len(offers)-1]
	in := client.CreateLoanRequest{Amount: amount, Duration: chosen.Duration, Purpose: "Modal usaha"}
	key := client.NewIdempotencyKey()
	loan, err := c.CreateLoan(client.WithIdempotencyKey(ctx, key), xid, in)
	if err != nil {
		t.Fatalf("CreateLoan: %v", err)
	}
	rate, ok := loan.MonthlyInterest.Units(4)
	if loan.LoanStatus != "LOAN_CREATED" || loan.LoanAmount != amount || loan.DisbursementAmount != chosen.Disbursement ||
		loan.LoanDuration != chosen.Duration || loan.InstallmentAmount != chosen.MonthlyInstallment || loan.LoanXID < 1_000_000_000 ||
		!ok || rate <= 0 || rate > 400 {
		t.Fatalf("CreateLoan = %+v (rate %d bps, exact %v)", loan, rate, ok)
	}
	// The same request under the same key: the first answer, one loan.
	again, err := c.CreateLoan(client.WithIdempotencyKey(ctx, key), xid, in)
	if err != nil || *again != *loan {
		t.Fatalf("CreateLoan again with its key = %+v, %v; first %+v", again, err, loan)
	}

	st, err := c.LoanStatus(ctx, loan.LoanXID)
	if err != nil {
		t.Fatalf("LoanStatus: %v", err)
	}
	l := st.Loan
	if l.LoanXID != loan.LoanXID || l.StatusCode != client.LoanCreated || l.Status != "LOAN_CREATED" || l.LoanAmount != amount ||
		l.LoanDuration != chosen.Duration || l.InterestRateMonthly != loan.MonthlyInterest || l.DisbursementAmount != chosen.Disbursement ||
		l.ProvisionAmount != chosen.Provision || l.SignatureStatus || l.FundTransferAt != nil || l.Done() ||
		l.AgreementExpiresAt.Before(time.Now().Add(23*time.Hour)) || l.Bank.Destination != client.DestinationSelf ||
		l.Bank.AccountNumber != "******2764" || st.Limit != (client.LoanLimit{AvailableLimit: 8_000_000, UsedLimit: amount}) {
		t.Fatalf("status at 210: %+v", st)
	}
	var principals int64
	for i, p := range st.Payments {
		principals += p.Principal
		if p.Number != i+1 || p.DueAmount != p.Principal+p.Interest || len(p.DueDate) != len("2006-01-02") {
			t.Fatalf("payment %+v", p)
		}
	}
	if len(st.Payments) != chosen.Duration || principals != amount {
		t.Fatalf("schedule %+v", st.Payments)
	}

	// The agreement: the page's bytes, from the stored loan.
	page, err := c.LoanAgreement(ctx, loan.LoanXID)
	if err != nil {
		t.Fatalf("LoanAgreement: %v", err)
	}
	for _, want := range []string{"<html", "Surat Perjanjian", "Rp1.000.000", "budi ismail", cu.nik, st.Payments[0].DueDate, "membatalkan pinjaman"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Fatalf("the agreement lacks %q:\n%s", want, page)
		}
	}

	// Signing needs the signature.
	_, err = c.SignLoan(ctx, loan.LoanXID)
	wantCode(t, "SignLoan without a signature", err, http.StatusBadRequest, "loan_signature_missing")
	sig := photo(t, 40)
	img, err := c.UploadLoanSignature(ctx, loan.LoanXID, "signature.jpg", bytes.NewReader(sig))
	if err != nil || img.ImageType != client.ImageSignature || img.ID <= 0 || img.CreatedAt.IsZero() {
		t.Fatalf("UploadLoanSignature = %+v, %v", img, err)
	}
	imgs, err := c.LoanImages(ctx, loan.LoanXID)
	if err != nil || len(imgs) != 1 || imgs[0].ID != img.ID || imgs[0].URL != img.URL {
		t.Fatalf("LoanImages = %+v, %v", imgs, err)
	}
	f, err := c.GetLoanImage(ctx, loan.LoanXID, img.ID)
	if err != nil || f.ContentType != "image/jpeg" || f.Filename != "signature.jpg" || !bytes.Equal(f.Data, sig) {
		t.Fatalf("GetLoanImage = %+v, %v", f, err)
	}

	signed, err := c.SignLoan(ctx, loan.LoanXID)
	if err != nil || *signed != (client.AgreementStatus{Status: "LOAN_WAITING_FOR_APPROVAL", LoanXID: loan.LoanXID}) {
		t.Fatalf("SignLoan = %+v, %v", signed, err)
	}
	// Approved automatically; the sandbox's transfer is confirmed ~2 s on.
	st = settled(t, c, loan.LoanXID)
	if l := st.Loan; l.StatusCode != client.LoanDisbursed || l.Status != "LOAN_DISBURSAL_SUCCESS" || l.FundTransferAt == nil ||
		!l.SignatureStatus || st.Limit != (client.LoanLimit{AvailableLimit: 8_000_000, UsedLimit: amount}) {
		t.Fatalf("after the transfer: %+v", st)
	}
	app, err := c.ApplicationStatus(ctx, xid)
	if err != nil {
		t.Fatal(err)
	}
	if len(app.ExistingLoans) != 1 || app.ExistingLoans[0] != (client.ExistingLoan{LoanXID: loan.LoanXID, LoanStatus: "LOAN_DISBURSAL_SUCCESS"}) ||
		val(app.CreditInfo.AvailableLimit) != 8_000_000 || val(app.CreditInfo.UsedLimit) != amount {
		t.Fatalf("application status: existing_loans %+v, credit_info available %d used %d",
			app.ExistingLoans, val(app.CreditInfo.AvailableLimit), val(app.CreditInfo.UsedLimit))
	}

	// After the money moved: no cancel, no second signing, no more images.
	_, err = c.CancelLoan(ctx, loan.LoanXID)
	wantCode(t, "CancelLoan at 220", err, http.StatusConflict, "loan_not_cancellable")
	_, err = c.SignLoan(ctx, loan.LoanXID)
	wantCode(t, "SignLoan at 220", err, http.StatusConflict, "loan_not_signable")
	_, err = c.UploadLoanSignature(ctx, loan.LoanXID, "signature.jpg", bytes.NewReader(sig))
	wantCode(t, "UploadLoanSignature at 220", err, http.StatusConflict, "loan_images_closed")
}

// Cancel at 210 gives the amount back; a sandbox transfer to an account
// ending in 000 fails (218) and gives it back too; the refusals of the
// loan routes, each with its code; and a third-party loan once the
// partner has a settlement account.
func TestLoanCancelFailureRefusalsAndThirdParty(t *testing.T) {
	ctx := context.Background()
	c := newClient(client.WithAcceptLanguage("en"))
	xid, _ := readyForLoans(t, c, "1234567000")
	offers, err := c.LoanDuration(ctx, xid, client.LoanOffersRequest{Amount: 1_000_000})
	if err != nil {
		t.Fatalf("LoanDuration: %v", err)
	}
	tenor := offers[len(offers)-1].Duration
	create := func() *client.CreatedLoan {
		t.Helper()
		l, err := c.CreateLoan(ctx, xid, client.CreateLoanRequest{Amount: 1_000_000, Duration: tenor})
		if err != nil {
			t.Fatalf("CreateLoan: %v", err)
		}
		return l
	}
	fullLimit := client.LoanLimit{AvailableLimit: 9_000_000}

	// Cancel at 210: 216, the limit whole again; a cancelled loan is not signed.
	cancelled := create()
	r, err := c.CancelLoan(ctx, cancelled.LoanXID)
	if err != nil || *r != (client.AgreementStatus{Status: "LOAN_CANCELLED_BY_CUSTOMER", LoanXID: cancelled.LoanXID}) {
		t.Fatalf("CancelLoan = %+v, %v", r, err)
	}
	st, err := c.LoanStatus(ctx, cancelled.LoanXID)
	if err != nil || st.Loan.StatusCode != client.LoanCancelledByCustomer || !st.Loan.Done() || st.Limit != fullLimit {
		t.Fatalf("after cancel: %+v, %v", st, err)
	}
	_, err = c.SignLoan(ctx, cancelled.LoanXID)
	wantCode(t, "SignLoan at 216", err, http.StatusConflict, "loan_not_signable")
	_, err = c.SetAgreementStatus(ctx, cancelled.LoanXID, "approve")
	wantCode(t, "SetAgreementStatus(approve)", err, http.StatusBadRequest, "loan_agreement_action")

	// The transfer to ...000 fails: 218, the amount back.
	failing := create()
	if _, err := c.UploadLoanSignature(ctx, failing.LoanXID, "signature.jpg", bytes.NewReader(photo(t, 41))); err != nil {
		t.Fatalf("UploadLoanSignature: %v", err)
	}
	if _, err := c.SignLoan(ctx, failing.LoanXID); err != nil {
		t.Fatalf("SignLoan: %v", err)
	}
	st = settled(t, c, failing.LoanXID)
	if st.Loan.StatusCode != client.LoanDisbursalFailed || st.Loan.Status != "LOAN_DISBURSAL_FAILED" || st.Loan.FundTransferAt != nil ||
		st.Limit != fullLimit || st.Loan.Bank.AccountNumber != "******7000" {
		t.Fatalf("failed transfer: %+v", st)
	}
	app, err := c.ApplicationStatus(ctx, xid)
	if err != nil || len(app.ExistingLoans) != 2 || app.ExistingLoans[0].LoanXID != cancelled.LoanXID ||
		app.ExistingLoans[0].LoanStatus != "LOAN_CANCELLED_BY_CUSTOMER" || app.ExistingLoans[1].LoanStatus != "LOAN_DISBURSAL_FAILED" {
		t.Fatalf("existing_loans %+v, %v", app, err)
	}

	// Refusals, each a coded 4xx.
	thirdParty := client.LoanTransfer{TransactionType: client.TransactionThirdParty}
	_, err = c.LoanDuration(ctx, xid, client.LoanOffersRequest{Amount: 299_999})
	wantCode(t, "LoanDuration below the threshold", err, http.StatusBadRequest, "loan_amount_below_threshold")
	_, err = c.LoanOffer(ctx, xid, client.LoanOffersRequest{Amount: 9_000_001})
	wantCode(t, "LoanOffer above the range", err, http.StatusBadRequest, "loan_amount_out_of_range")
	_, err = c.RangeLoanAmount(ctx, xid, client.LoanTransfer{SelfBankAccount: client.Bool(true), TransactionType: client.TransactionThirdParty})
	wantCode(t, "RangeLoanAmount type 2 to the own account", err, http.StatusBadRequest, "loan_transaction_type_mismatch")
	_, err = c.CreateLoan(ctx, xid, client.CreateLoanRequest{Amount: 1_000_000, Duration: 12})
	wantCode(t, "CreateLoan with a tenor not offered", err, http.StatusBadRequest, "loan_duration_not_offered")
	tpOffers, err := c.LoanDuration(ctx, xid, client.LoanOffersRequest{Amount: 1_000_000, LoanTransfer: thirdParty})
	if err != nil || len(tpOffers) == 0 || tpOffers[0].LoanAmount <= 1_000_000 || tpOffers[0].Disbursement != tpOffers[0].LoanAmount-tpOffers[0].Provision {
		t.Fatalf("third-party offers %+v, %v", tpOffers, err)
	}
	tpTenor := tpOffers[len(tpOffers)-1]
	tpIn := client.CreateLoanRequest{Amount: 1_000_000, Duration: tpTenor.Duration, LoanTransfer: thirdParty}
	_, err = c.CreateLoan(ctx, xid, tpIn)
	wantCode(t, "CreateLoan to a third party without a settlement account", err, http.StatusBadRequest, "loan_no_settlement_account")
	const unknown = 1_000_000_000
	_, err = c.CreateLoan(ctx, unknown, client.CreateLoanRequest{Amount: 1_000_000, Duration: tenor})
	wantCode(t, "CreateLoan on an unknown application", err, http.StatusNotFound, "application_missing")
	_, err = c.LoanStatus(ctx, unknown)
	wantCode(t, "LoanStatus of an unknown loan", err, http.StatusNotFound, "loan_missing")
	_, err = c.LoanAgreement(ctx, unknown)
	wantCode(t, "LoanAgreement of an unknown loan", err, http.StatusNotFound, "loan_missing")
	_, err = c.LoanImages(ctx, unknown)
	wantCode(t, "LoanImages of an unknown loan", err, http.StatusNotFound, "loan_missing")
	_, err = c.CancelLoan(ctx, unknown)
	wantCode(t, "CancelLoan of an unknown loan", err, http.StatusNotFound, "loan_missing")
	if st, err := c.LoanStatus(ctx, failing.LoanXID); err != nil || st.Limit != fullLimit {
		t.Fatalf("the refusals changed the limit: %+v, %v", st, err)
	}

	// With a settlement account, the third-party loan is grossed up and
	// paid to the partner's account (shown whole).
	var set map[string]any
	cli(t, &set, "partner", "set", srv.user, "--settlement-bank", "BANK CENTRAL ASIA, Tbk (BCA)", "--settlement-account", "8001234567")
	t.Cleanup(func() {
		var out map[string]any
		cli(t, &out, "partner", "set", srv.user, "--settlement-bank", "", "--settlement-account", "")
	})
	tl, err := c.CreateLoan(ctx, xid, tpIn)
	if err != nil || tl.LoanAmount != tpTenor.LoanAmount || tl.DisbursementAmount != tpTenor.Disbursement {
		t.Fatalf("third-party CreateLoan = %+v, %v (offer %+v)", tl, err, tpTenor)
	}
	st, err = c.LoanStatus(ctx, tl.LoanXID)
	if err != nil || st.Loan.Bank != (client.LoanBank{BankName: "BANK CENTRAL ASIA, Tbk (BCA)", AccountNumber: "8001234567", Destination: client.DestinationPartner}) ||
		st.Limit.UsedLimit != tpTenor.LoanAmount {
		t.Fatalf("third-party loan %+v, %v", st, err)
	}

	// Another partner sees none of it.
	other, _ := newPartner(t, "client-loans-other")
	_, err = other.LoanStatus(ctx, tl.LoanXID)
	wantCode(t, "LoanStatus as another partner", err, http.StatusNotFound, "loan_missing")
	_, err = other.CancelLoan(ctx, tl.LoanXID)
	wantCode(t, "CancelLoan as another partner", err, http.StatusNotFound, "loan_missing")
}

// newPartner creates a partner of its own (a new one on every call) and
// returns its client.
func newPartner(t *testing.T, name string) (*client.Client, string) {
	t.Helper()
	user := fmt.Sprintf("%s-%s-%x", name, run, mrand.Uint32())
	var p struct {
		Username  string `json:"username"`
		SecretKey string `json:"secret_key"`
	}
	cli(t, &p, "partner", "create", user)
	return client.New(srv.url, user, p.SecretKey, client.WithAcceptLanguage("en")), user
}

// Decimal keeps the server's exact text and converts it without rounding:
// at the scale boundaries, a value finer than the scale, overflow, and what
// is not a JSON number.
func TestDecimal(t *testing.T) {
	var v struct {
		R client.Decimal `json:"r"`
	}
	for _, c := range []struct {
		in    string
		scale int
		units int64
		ok    bool
	}{
		{`0.04`, 4, 400, true},
		{`0.04`, 2, 4, true},
		{`0.04`, 1, 0, false}, // 0.4 units: not whole, not rounded
		{`0.003`, 6, 3000, true},
		{`0.00015`, 4, 0, false},
		{`0.0001`, 4, 1, true},
		{`0`, 4, 0, true},
		{`1`, 0, 1, true},
		{`-0.5`, 1, -5, true},
		{`"0.04"`, 4, 400, true},
		{`4e-2`, 4, 400, true},
		{`9223372036854775807`, 0, 9223372036854775807, true},
		{`9223372036854775808`, 0, 0, false},
		{`0.04`, 18, 40_000_000_000_000_000, true},
		{`0.04`, 19, 0, false},
		{`0.04`, -1, 0, false},
	} {
		if err := json.Unmarshal([]byte(`{"r":`+c.in+`}`), &v); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if want := strings.Trim(c.in, `"`); v.R.String() != want {
			t.Fatalf("%s kept as %q", c.in, v.R)
		}
		if n, ok := v.R.Units(c.scale); n != c.units || ok != c.ok {
			t.Fatalf("%s.Units(%d) = %d, %v; want %d, %v", c.in, c.scale, n, ok, c.units, c.ok)
		}
	}
	for _, bad := range []string{`"abc"`, `01`, `1.`, `.5`, `-`, `"1/3"`, `true`, `"0x10"`, `"1e"`, `" 1"`, `""`} {
		if err := json.Unmarshal([]byte(`{"r":`+bad+`}`), &v); err == nil {
			t.Fatalf("%s accepted as %q", bad, v.R)
		}
	}
	v.R = "0.04"
	if err := json.Unmarshal([]byte(`{"r":null}`), &v); err != nil || v.R != "0.04" {
		t.Fatalf("null: %q, %v", v.R, err)
	}
	if _, ok := client.Decimal("1/3").Rat(); ok {
		t.Fatal("1/3 taken as a decimal")
	}
	b, err := json.Marshal(struct {
		A, B client.Decimal
	}{"0.04", ""})
	if err != nil || string(b) != `{"A":0.04,"B":0}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	if _, err := json.Marshal(client.Decimal("1/3")); err == nil {
		t.Fatal("1/3 marshalled")
	}
}
