package httpapi

import (
	"net/http"
)

// handleApplicationStatus answers GET application/status: onboarding's
// status (the application's own keys, what is missing, the optional steps)
// and the credit decision's part (production's application, credit_info,
// documents keys, and our decision).
func (s *Server) handleApplicationStatus(a Applications, c Credit, l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, xid := partnerFrom(r.Context()), r.PathValue("xid")
		st, err := a.ApplicationStatus(r.Context(), p, xid)
		if err != nil {
			fail(w, r, err)
			return
		}
		cv, err := c.CreditStatus(r.Context(), p, xid)
		if err != nil {
			fail(w, r, err)
			return
		}
		out := newStatusWithCreditJSON(st, cv)
		if l != nil {
			loans, err := l.ExistingLoans(r.Context(), p, xid)
			if err != nil {
				fail(w, r, err)
				return
			}
			for _, loan := range loans {
				out.ExistingLoans = append(out.ExistingLoans, existingLoanJSON{XID: loan.XID, Status: loan.Status.Name()})
			}
		}
		respond(w, http.StatusOK, out)
	})
}

// handleSubmitDocumentFlag answers POST submit-document-flag/{xid}.
func (s *Server) handleSubmitDocumentFlag(c Credit) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.SubmitDocumentFlag(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid")); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, map[string]bool{"is_document_submitted": true})
	})
}
