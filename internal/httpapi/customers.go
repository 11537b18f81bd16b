package httpapi

import (
	"errors"
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/onboarding"
)

func (s *Server) handleRegister(c Customers) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req registerRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := c.Register(r.Context(), partnerFrom(r.Context()), req.input())
		var own *onboarding.ExistingApplicationError
		if errors.As(err, &own) {
			// The partner's own application: name it, so that a partner
			// whose 201 was lost can continue it.
			failWith(w, r, err, existingApplicationJSON{XID: own.XID})
			return
		}
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusCreated, newRegisteredJSON(out))
	})
}

func (s *Server) handlePreregisterCheck(c Customers) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req preregisterRequest
		if !decode(w, r, &req) {
			return
		}
		if err := c.PreregisterCheck(r.Context(), partnerFrom(r.Context()), req.input()); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

func (s *Server) handleCheckStrongPIN(c Customers) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req pinCheckRequest
		if !decode(w, r, &req) {
			return
		}
		if err := c.CheckStrongPIN(r.Context(), req.input()); err != nil {
			fail(w, r, err)
			return
		}
		// The documented success string, in every language: only failures
		// are translated.
		respond(w, http.StatusOK, i18n.T(i18n.ID, i18n.StrongPINDocumented))
	})
}
