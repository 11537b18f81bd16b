package httpapi

import (
	"net/http"

	"github.com/julo-partnership/julo/internal/onboarding"
)

func (s *Server) handleCompleteApplication() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.CompleteInput
		if !decode(w, r, &in) {
			return
		}
		out, err := s.svc.CompleteApplication(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), in)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}

func (s *Server) handleApplicationStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.svc.ApplicationStatus(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}
