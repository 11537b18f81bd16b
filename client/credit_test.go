package client_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/julo-partnership/julo/client"
)

// submitted takes cu through registration, the two images, the OTP and
// the complete-data step with the worked example as the declared
// money (income 4,000,000, expenses 1,500,000, housing 500,000, no debt,
// no dependents, Pegawai swasta since 2010, S1): an ordinary serial is
// offered 9,000,000 at 130 by the credit assessment.
func submitted(t *testing.T, c *client.Client, cu customer) int64 {
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
	if _, err := c.CompleteApplication(ctx, xid, in); err != nil {
		t.Fatalf("CompleteApplication: %v", err)
	}
	return xid
}

// decided polls the status until the latest decision is done() (the
// assessment is a job of the server's, run in the background), for at
// most a minute.
func decided(t *testing.T, c *client.Client, xid int64, done func(*client.ApplicationStatus) bool) *client.ApplicationStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := c.ApplicationStatus(ctx, xid)
		if err != nil {
			t.Fatalf("ApplicationStatus: %v", err)
		}
		if st.Decision != nil && done(st) {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no decision in a minute: %+v", st)
		case <-tick.C:
		}
	}
}

func val(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

// The credit decision's part of the status read, and the activation: the
// offer at 130, the refusals before the PIN window, a wrong and a right
// PIN, and the acceptance that opens the account (190), which the status
// read then shows.
func TestCreditDecisionAndLimitActivation(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	cu := newCustomer(t)
	xid := submitted(t, c, cu)
	st := decided(t, c, xid, func(*client.ApplicationStatus) bool { return true })
	ci := st.CreditInfo
	if st.StatusCode != client.StatusLimitGenerated || st.Status != "LIMIT_GENERATED" || st.Decision.Outcome != client.OutcomeApproved ||
		!contains(st.Decision.ReasonCodes, "limit_generated") || st.Decision.DecidedAt.IsZero() {
		t.Fatalf("status %+v decision %+v", st, st.Decision)
	}
	if val(ci.MaxLimit) != 9_000_000 || val(ci.SetLimit) != 9_000_000 || val(ci.AvailableLimit) != 0 || val(ci.UsedLimit) != 0 {
		t.Fatalf("credit_info at 130: max %d set %d available %d used %d", val(ci.MaxLimit), val(ci.SetLimit), val(ci.AvailableLimit), val(ci.UsedLimit))
	}
	a := st.Application
	if a.ApplicationXID != xid || a.KTP != cu.nik || a.Email != cu.email || a.Status != "LIMIT_GENERATED" || a.Fullname == nil ||
		a.MobilePhone1 == nil || *a.MobilePhone1 != cu.phone || !st.CanContinue || !st.IsCreditScoreGenerated ||
		st.IsSubmitDocumentFlagReady || len(st.DocumentsToBeUploaded) != 0 || st.ExistingLoans == nil || len(st.ExistingLoans) != 0 {
		t.Fatalf("status at 130: %+v", st)
	}

	// Not the documents path, not a rejection.
	if err := c.SubmitDocumentFlag(ctx, xid); client.StatusCode(err) != http.StatusBadRequest || !client.HasCode(err, "document_flag_not_ready") {
		t.Fatalf("SubmitDocumentFlag at 130: %v", err)
	}
	if _, err := c.RequestReview(ctx, xid, "tolong"); client.StatusCode(err) != http.StatusConflict || !client.HasCode(err, "review_not_available") {
		t.Fatalf("RequestReview at 130: %v", err)
	}
	// No PIN window yet; a wrong PIN; the right one.
	if _, err := c.ActivateLimit(ctx, xid, true); client.StatusCode(err) != http.StatusForbidden || !client.HasCode(err, "pin_not_verified") {
		t.Fatalf("ActivateLimit without a PIN window: %v", err)
	}
	if _, err := c.InputPIN(ctx, xid, "111111"); client.StatusCode(err) != http.StatusBadRequest || !client.HasCode(err, "pin_wrong") {
		t.Fatalf("InputPIN with a wrong PIN: %v", err)
	}
	before := time.Now()
	w, err := c.InputPIN(ctx, xid, "482915")
	if err != nil {
		t.Fatalf("InputPIN: %v", err)
	}
	if w.Until.Before(before.Add(5*time.Minute-time.Second)) || w.Until.After(time.Now().Add(5*time.Minute+time.Second)) {
		t.Fatalf("PIN window until %s (asked at %s)", w.Until, before)
	}
	act, err := c.ActivateLimit(ctx, xid, true)
	if err != nil {
		t.Fatalf("ActivateLimit: %v", err)
	}
	if act.ApplicationXID != xid || act.StatusCode != client.StatusLimitReadyToUse || act.Status != "LIMIT_READY_TO_USE" ||
		val(act.CreditInfo.SetLimit) != 9_000_000 || val(act.CreditInfo.AvailableLimit) != 9_000_000 || val(act.CreditInfo.UsedLimit) != 0 {
		t.Fatalf("ActivateLimit = %+v", act)
	}
	if _, err := c.ActivateLimit(ctx, xid, true); client.StatusCode(err) != http.StatusConflict || !client.HasCode(err, "limit_not_offered") {
		t.Fatalf("a second ActivateLimit: %v", err)
	}
	st, err = c.ApplicationStatus(ctx, xid)
	if err != nil {
		t.Fatal(err)
	}
	if ci := st.CreditInfo; st.StatusCode != client.StatusLimitReadyToUse || val(ci.SetLimit) != 9_000_000 ||
		val(ci.AvailableLimit) != 9_000_000 || val(ci.UsedLimit) != 0 || st.CanContinue {
		t.Fatalf("status at 190: %+v available %d", st, val(ci.AvailableLimit))
	}

	// A decline: 142, nothing available.
	other := submitted(t, c, newCustomer(t))
	decided(t, c, other, func(*client.ApplicationStatus) bool { return true })
	if _, err := c.InputPIN(ctx, other, "482915"); err != nil {
		t.Fatalf("InputPIN: %v", err)
	}
	act, err = c.ActivateLimit(ctx, other, false)
	if err != nil || act.StatusCode != client.StatusActivationRejected || val(act.CreditInfo.AvailableLimit) != 0 {
		t.Fatalf("ActivateLimit(false) = %+v, %v", act, err)
	}
}

// The documents path (sandbox serial 9005: documents requested until one
// is in) through SubmitDocumentFlag, and the review request of an
// automatic rejection (serial 9002: bureau_delinquent).
func TestCreditDocumentsFlagAndReviewRequest(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	xid := submitted(t, c, newCustomerWithSerial(t, 9005))
	st := decided(t, c, xid, func(*client.ApplicationStatus) bool { return true })
	if st.StatusCode != client.StatusFormSubmitted || st.Decision.Outcome != client.OutcomeDocumentsRequested ||
		!st.IsSubmitDocumentFlagReady || !st.CanContinue || len(st.DocumentsToBeUploaded) != 4 || st.IsAnyDocumentUpload {
		t.Fatalf("documents requested: %+v", st)
	}
	for _, d := range st.DocumentsToBeUploaded {
		if d.Uploaded || d.Kind == "" || d.Type == "" {
			t.Fatalf("document %+v", d)
		}
	}
	if err := c.SubmitDocumentFlag(ctx, xid); client.StatusCode(err) != http.StatusBadRequest || !client.HasCode(err, "documents_missing") {
		t.Fatalf("SubmitDocumentFlag with no document in: %v", err)
	}
	if _, err := c.UploadImage(ctx, xid, "paystub", "paystub.jpg", bytes.NewReader(photo(t, 30))); err != nil {
		t.Fatalf("UploadImage(paystub): %v", err)
	}
	if err := c.SubmitDocumentFlag(ctx, xid); err != nil {
		t.Fatalf("SubmitDocumentFlag: %v", err)
	}
	st = decided(t, c, xid, func(st *client.ApplicationStatus) bool {
		return st.Decision.Outcome != client.OutcomeDocumentsRequested
	})
	if st.StatusCode != client.StatusLimitGenerated || val(st.CreditInfo.SetLimit) != 9_000_000 {
		t.Fatalf("after the documents: %+v", st)
	}

	rejected := submitted(t, c, newCustomerWithSerial(t, 9002))
	st = decided(t, c, rejected, func(*client.ApplicationStatus) bool { return true })
	if st.StatusCode != client.StatusRejected || st.Decision.Outcome != client.OutcomeRejected || !contains(st.Decision.ReasonCodes, "bureau_delinquent") {
		t.Fatalf("rejected: %+v", st)
	}
	before := time.Now().Add(-time.Second)
	rr, err := c.RequestReview(ctx, rejected, "Penghasilan saya naik")
	if err != nil {
		t.Fatalf("RequestReview: %v", err)
	}
	if rr.ApplicationXID != rejected || rr.Status != "APPLICATION_REJECTED" || rr.RequestedAt.Before(before) {
		t.Fatalf("RequestReview = %+v", rr)
	}
	if _, err := c.RequestReview(ctx, rejected, "lagi"); client.StatusCode(err) != http.StatusConflict || !client.HasCode(err, "review_already_requested") {
		t.Fatalf("a second RequestReview: %v", err)
	}
	if _, err := c.RequestReview(ctx, rejected, ""); client.StatusCode(err) != http.StatusBadRequest {
		t.Fatalf("RequestReview without a reason: %v", err)
	}
}
