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

	s.handle("POST "+v1+"/application/otp/{xid}", s.authenticated(s.handleSendOTP()))
	s.handle("POST "+v1+"/application/otp/validate/{xid}", s.authenticated(s.handleValidateOTP()))
	if s.cfg.Sandbox {
		// Sandbox only: what the log SMS provider "sent" to a phone.
		s.handle("GET "+v1+"/sandbox/sms", s.authenticated(s.handleSandboxSMS()))
	}
}

var _ http.Handler = (*Server)(nil)
