package httpapi

import "net/http"

// routes is the map of the API: every route is listed here.
func (s *Server) routes() {
	const v1 = "/api/partnership/v1"
	s.mux.Handle("GET /healthz", s.handleHealth())
	s.mux.Handle("GET /readyz", s.handleReady())

	s.handle("POST "+v1+"/customer", s.authenticated(s.handleRegister()))
	s.handle("POST "+v1+"/preregister-check", s.authenticated(s.handlePreregisterCheck()))
	s.handle("POST "+v1+"/check-strong-pin", s.authenticated(s.handleCheckStrongPIN()))
	s.handle("GET "+v1+"/dropdown-data", s.authenticated(s.handleDropdown()))
	s.handle("GET "+v1+"/dropdowns", s.authenticated(s.handleDropdown()))
	s.handle("GET "+v1+"/address", s.authenticated(s.handleAddress()))

	s.handleUpload("POST "+v1+"/applications/{application_xid}/images", s.authenticated(s.handleUploadImage()))
	s.handle("GET "+v1+"/applications/{application_xid}/images", s.authenticated(s.handleListImages()))
	s.handle("GET "+v1+"/applications/{application_xid}/images/{image_id}", s.authenticated(s.handleGetImage()))

	s.handle("POST "+v1+"/application/otp/{xid}", s.authenticated(s.handleSendOTP()))
	s.handle("POST "+v1+"/application/otp/validate/{xid}", s.authenticated(s.handleValidateOTP()))
	// Complete customer data: the table's PATCH form is canonical; the curl
	// example's POST on the singular path, and PATCH there, work too (errata 9).
	s.handle("PATCH "+v1+"/applications/{xid}", s.authenticated(s.handleCompleteApplication()))
	s.handle("PATCH "+v1+"/application/{xid}", s.authenticated(s.handleCompleteApplication()))
	s.handle("POST "+v1+"/application/{xid}", s.authenticated(s.handleCompleteApplication()))
	s.handle("GET "+v1+"/application/status/{xid}", s.authenticated(s.handleApplicationStatus()))

	s.handle("GET "+v1+"/bpjs/login/{xid}/{app_type}", s.authenticated(s.handleBPJSLogin()))
	s.handle("POST "+v1+"/external-data-imports/{xid}", s.authenticated(s.handleBankImport()))
	s.handle("GET "+v1+"/scraping-status/{xid}", s.authenticated(s.handleScrapingStatus()))
	// Vendors' callbacks: authenticated by their signature, not partner headers.
	s.handleLimited("POST /vendor/v1/bpjs/callback", 64<<10, s.handleVendorCallback(bpjsCallback))
	s.handleLimited("POST /vendor/v1/bank-scrape/callback", 64<<10, s.handleVendorCallback(bankCallback))

	if s.cfg.Sandbox {
		// Sandbox only: what the log SMS provider "sent" to a phone.
		s.handle("GET "+v1+"/sandbox/sms", s.authenticated(s.handleSandboxSMS()))
		// Sandbox only: the BPJS login page the sandbox provider sends
		// customers to (reached without partner headers, like the vendor's).
		s.handle("GET "+v1+"/sandbox/bpjs/login", s.handleSandboxBPJSPage())
		s.handle("POST "+v1+"/sandbox/bpjs/login", s.handleSandboxBPJSSubmit())
	}
}

var _ http.Handler = (*Server)(nil)
