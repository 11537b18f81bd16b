package httpapi

import (
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

func (s *Server) handleDropdown() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.DropdownInput
		if !decode(w, r, &in) {
			return
		}
		out, err := s.svc.Dropdown(in)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}

func (s *Server) handleAddress() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.AddressInput
		if !decode(w, r, &in) {
			return
		}
		out, err := s.svc.Address(in)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}

func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func (s *Server) handleReady() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.svc.Ready(r.Context()); err != nil {
			s.log.Error("not ready", "error", err)
			fail(w, r, &julo.Error{Code: julo.EUNAVAILABLE, Problems: []julo.Problem{{Msg: i18n.Unavailable}}})
			return
		}
		respond(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
