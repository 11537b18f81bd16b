package httpapi

import (
	"context"
	"net/http"
)

// routes is the map of the API: every route is listed here, with the part
// of svc its handler calls.
func (s *Server) routes(svc Services) {
	const v1 = "/api/partnership/v1"
	s.mux.Handle("GET /healthz", s.handleHealth())
	s.mux.Handle("GET /readyz", s.handleReady(svc.Health))
	s.docsRoutes()
	// The OpenAPI document, without authentication (see openapi.go).
	s.handle("GET "+v1+"/openapi.json", s.handleOpenAPI(true))
	s.handle("GET "+v1+"/openapi.yaml", s.handleOpenAPI(false))

	// Every partner POST and PATCH is a write: s.write puts the
	// Idempotency-Key rules (idempotency.go) in front of its handler.
	s.handle("POST "+v1+"/customer", s.write(s.handleRegister(svc.Customers)))
	s.handle("POST "+v1+"/preregister-check", s.write(s.handlePreregisterCheck(svc.Customers)))
	s.handle("POST "+v1+"/check-strong-pin", s.write(s.handleCheckStrongPIN(svc.Customers)))
	s.handle("GET "+v1+"/dropdown-data", s.authenticated(s.handleDropdown(svc.Reference)))
	s.handle("GET "+v1+"/dropdowns", s.authenticated(s.handleDropdown(svc.Reference)))
	s.handle("GET "+v1+"/address", s.authenticated(s.handleAddress(svc.Reference)))

	// The upload slots are taken before the idempotency middleware reads
	// the body (see uploadSlots).
	s.handleUpload("POST "+v1+"/applications/{application_xid}/images",
		s.authenticated(s.uploadSlots(s.idempotent(s.handleUploadImage(svc.Images)))))
	s.handle("GET "+v1+"/applications/{application_xid}/images", s.authenticated(s.handleListImages(svc.Images)))
	s.handle("GET "+v1+"/applications/{application_xid}/images/{image_id}", s.authenticated(s.handleGetImage(svc.Images)))

	s.handle("POST "+v1+"/application/otp/{xid}", s.write(s.handleSendOTP(svc.OTP)))
	s.handle("POST "+v1+"/application/otp/validate/{xid}", s.write(s.handleValidateOTP(svc.OTP)))
	// Complete customer data: the table's PATCH form is canonical; the curl
	// example's POST on the singular path, and PATCH there, work too (errata 9).
	s.handle("PATCH "+v1+"/applications/{xid}", s.write(s.handleCompleteApplication(svc.Applications)))
	s.handle("PATCH "+v1+"/application/{xid}", s.write(s.handleCompleteApplication(svc.Applications)))
	s.handle("POST "+v1+"/application/{xid}", s.write(s.handleCompleteApplication(svc.Applications)))
	s.handle("GET "+v1+"/application/status/{xid}", s.authenticated(s.handleApplicationStatus(svc.Applications, svc.Credit, svc.Loans)))
	// Documents in after a request: 105 -> 120 and a new assessment.
	s.handle("POST "+v1+"/submit-document-flag/{application_xid}", s.write(s.handleSubmitDocumentFlag(svc.Credit)))
	// Activation (issue 12 items 6-8): the PIN window, accepting or
	// declining the limit, and the objection to an automatic rejection.
	s.handle("POST "+v1+"/input-pin", s.write(s.handleInputPIN(svc.Activation)))
	s.handle("POST "+v1+"/limit-activation/{application_xid}", s.write(s.handleLimitActivation(svc.Activation)))
	// .../application/{application_xid}/review-request: the action is a
	// wildcard because a literal there would conflict with
	// POST application/otp/{xid} in net/http's mux (both would match
	// application/otp/review-request); review-request is its one value.
	s.handle("POST "+v1+"/application/{application_xid}/{action}", s.write(s.handleReviewRequest(svc.Activation)))

	// Loans (issue 13): production's LeadGen loan routes.
	s.handle("GET "+v1+"/range-loan-amount/{application_xid}", s.authenticated(s.handleRangeLoanAmount(svc.Loans)))
	s.handle("POST "+v1+"/loan-duration/{application_xid}", s.write(s.handleLoanDuration(svc.Loans)))
	s.handle("GET "+v1+"/loan-offer", s.authenticated(s.handleLoanOffer(svc.Loans)))
	s.handle("POST "+v1+"/loan/{application_xid}", s.write(s.handleCreateLoan(svc.Loans)))
	s.handle("GET "+v1+"/agreement/content/{loan_xid}", s.authenticated(s.handleAgreementContent(svc.Loans)))
	// loan/{loan_xid}/images: a wildcard for "images", because a literal
	// would conflict with GET loan/status/{loan_xid} in net/http's mux
	// (both would match loan/status/images); images is its one value, any
	// other a 404 (after the Idempotency-Key's checks, as every write).
	s.handleUpload("POST "+v1+"/loan/{loan_xid}/{view}",
		s.authenticated(s.uploadSlots(s.idempotent(onlyView("images", s.handleUploadLoanImage(svc.Loans))))))
	s.handle("GET "+v1+"/loan/{loan_xid}/{view}", s.authenticated(onlyView("images", s.handleLoanView(svc.Loans))))
	s.handle("GET "+v1+"/loan/{loan_xid}/images/{image_id}", s.authenticated(s.handleGetLoanImage(svc.Loans)))
	s.handle("POST "+v1+"/agreement/loan/status/{loan_xid}", s.write(s.handleAgreementStatus(svc.Loans)))
	s.handle("GET "+v1+"/loan/status/{loan_xid}", s.authenticated(s.handleLoanStatus(svc.Loans)))
	// Repayment (issue 14): production's account payment read.
	s.handle("GET "+v1+"/account-payment/{application_xid}", s.authenticated(s.handleAccountPayment(svc.Loans)))

	s.handle("GET "+v1+"/bpjs/login/{xid}/{app_type}", s.authenticated(s.handleBPJSLogin(svc.External)))
	s.handle("POST "+v1+"/external-data-imports/{xid}", s.write(s.handleBankImport(svc.External)))
	s.handle("GET "+v1+"/scraping-status/{xid}", s.authenticated(s.handleScrapingStatus(svc.External)))
	// The events feed (issue 11): the fallback when callbacks were missed.
	s.handle("GET "+v1+"/events", s.authenticated(s.handleEvents(svc.Events)))
	s.handle("GET "+v1+"/events/{event_id}", s.authenticated(s.handleEvent(svc.Events)))
	s.handle("POST "+v1+"/events/{event_id}/redeliver", s.write(s.handleRedeliver(svc.Events)))
	// Vendors' callbacks: authenticated by their signature, not partner headers.
	s.handleLimited("POST /vendor/v1/bpjs/callback", 64<<10, s.handleVendorCallback(svc.Vendors.BPJSCallback))
	s.handleLimited("POST /vendor/v1/bank-scrape/callback", 64<<10, s.handleVendorCallback(svc.Vendors.BankCallback))
	s.handleLimited("POST /vendor/v1/disbursements/callback", 64<<10, s.handleVendorCallback(
		func(ctx context.Context, signature string, body []byte) error {
			return svc.Loans.DisbursementCallback(ctx, signature, body)
		}))
	s.handleLimited("POST /vendor/v1/payments/callback", 64<<10, s.handlePaymentCallback(svc.Loans))

	if s.cfg.Sandbox {
		// Sandbox only: what the log SMS provider "sent" to a phone.
		s.handle("GET "+v1+"/sandbox/sms", s.authenticated(s.handleSandboxSMS(svc.Sandbox)))
		// Sandbox only: a signed test callback to the partner's URL, now.
		s.handle("POST "+v1+"/sandbox/webhook-test", s.write(s.handleWebhookTest(svc.Events)))
		// Sandbox only: the BPJS login page the sandbox provider sends
		// customers to (reached without partner headers, like the vendor's).
		s.handle("GET "+v1+"/sandbox/bpjs/login", s.handleSandboxBPJSPage())
		s.handle("POST "+v1+"/sandbox/bpjs/login", s.handleSandboxBPJSSubmit(svc.Sandbox))
		// Sandbox only (issue 14): a simulated bank transfer to a virtual
		// account, and a loan's own test clock.
		s.handle("POST "+v1+"/sandbox/payments", s.write(s.handleSandboxPayment(svc.Loans)))
		s.handle("POST "+v1+"/sandbox/test-clock/{loan_xid}", s.write(s.handleTestClock(svc.Loans)))
	}
}

// write is a partner write route's handler h: authenticated, then the
// Idempotency-Key rules.
func (s *Server) write(h http.Handler) http.Handler { return s.authenticated(s.idempotent(h)) }

var _ http.Handler = (*Server)(nil)
