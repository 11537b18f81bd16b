package httpapi

import "net/http"

func (s *Server) handleCompleteApplication() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req completeRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := s.svc.CompleteApplication(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newCompletedJSON(out))
	})
}

func (s *Server) handleApplicationStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.svc.ApplicationStatus(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newApplicationStatusJSON(out))
	})
}
