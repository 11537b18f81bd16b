package httpapi

import (
	"net/http"

	"github.com/julo-partnership/julo/internal/onboarding"
)

func (s *Server) handleSendOTP() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.SendOTPInput
		if !decode(w, r, &in) {
			return
		}
		if err := s.svc.SendOTP(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), in); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

func (s *Server) handleValidateOTP() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.ValidateOTPInput
		if !decode(w, r, &in) {
			return
		}
		if err := s.svc.ValidateOTP(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), in); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

func (s *Server) handleSandboxSMS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.SandboxSMSInput
		if !decode(w, r, &in) {
			return
		}
		out, err := s.svc.SandboxSMS(r.Context(), partnerFrom(r.Context()), in)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}
