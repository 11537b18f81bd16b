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
}

var _ http.Handler = (*Server)(nil)
