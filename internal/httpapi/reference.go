package httpapi

import (
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

func (s *Server) handleDropdown(ref ReferenceData) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.static.serve(w, r) {
			return
		}
		var req dropdownRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := ref.Dropdown(req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		s.static.respond(w, r, out)
	})
}

func (s *Server) handleAddress(ref ReferenceData) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.static.serve(w, r) {
			return
		}
		var req addressRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := ref.Address(req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		s.static.respond(w, r, out)
	})
}

func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func (s *Server) handleReady(h Readiness) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.Ready(r.Context()); err != nil {
			s.log.Error("not ready", "error", err)
			fail(w, r, &julo.Error{Code: julo.EUNAVAILABLE, Problems: []julo.Problem{{Msg: i18n.Unavailable}}})
			return
		}
		respond(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
