package httpapi

import (
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/onboarding"
)

func (s *Server) handleRegister() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.RegisterInput
		if !decode(w, r, &in) {
			return
		}
		out, err := s.svc.Register(r.Context(), partnerFrom(r.Context()), in)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusCreated, out)
	})
}

func (s *Server) handlePreregisterCheck() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.PreregisterInput
		if !decode(w, r, &in) {
			return
		}
		if err := s.svc.PreregisterCheck(r.Context(), in); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

func (s *Server) handleCheckStrongPIN() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.PINCheckInput
		if !decode(w, r, &in) {
			return
		}
		if err := s.svc.CheckStrongPIN(r.Context(), in); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, i18n.T(i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")), i18n.PINStrong))
	})
}
