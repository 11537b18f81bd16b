package httpapi

import "net/http"

func (s *Server) handleCompleteApplication(a Applications) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req completeRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := a.CompleteApplication(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newCompletedJSON(out))
	})
}
