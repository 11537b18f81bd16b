package httpapi

import (
	"context"
	"net/http"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// handleApplicationStatus answers GET application/status: onboarding's
// status (the application's own keys, what is missing, the optional steps)
// and the credit decision's part (production's application, credit_info,
// documents keys, and our decision).
func (s *Server) handleApplicationStatus(a Applications, c Credit, l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, xid := partnerFrom(r.Context()), r.PathValue("xid")
		st, cv, err := consistentStatus(r.Context(), a, c, p, xid)
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

// statusReads bounds how often consistentStatus reads the two parts.
const statusReads = 3

// consistentStatus reads onboarding's and credit's parts of an
// application's status. They are two reads: a decision committed between
// them would answer status 105 with application.status 130 and a decision,
// which a partner cannot make sense of. While the two disagree on the
// application's status (a transition landed between them) both are read
// again, at most statusReads times; statuses move a few times in an
// application's life, so the second read agrees but under a storm of
// transitions, and the last read is answered as it is.
func consistentStatus(ctx context.Context, a Applications, c Credit, p julo.Partner, xid string) (onboarding.ApplicationStatus, credit.StatusView, error) {
	for read := 1; ; read++ {
		st, err := a.ApplicationStatus(ctx, p, xid)
		if err != nil {
			return st, credit.StatusView{}, err
		}
		cv, err := c.CreditStatus(ctx, p, xid)
		if err != nil || cv.Application.Status == st.StatusCode || read == statusReads {
			return st, cv, err
		}
	}
}
