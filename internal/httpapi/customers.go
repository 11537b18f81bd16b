package httpapi

import (
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
)

func (s *Server) handleRegister(c Customers) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req registerRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := c.Register(r.Context(), partnerFrom(r.Context()), req.input())
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
		if err := c.PreregisterCheck(r.Context(), req.input()); err != nil {
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
		respond(w, http.StatusOK, i18n.T(i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")), i18n.PINStrong))
	})
}
