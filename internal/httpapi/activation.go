package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Activation serves the activation's routes (credit.Activation): the PIN
// window, the limit activation and the objection to an automatic
// rejection.
type Activation interface {
	InputPIN(ctx context.Context, p julo.Partner, in credit.InputPINInput) (time.Time, error)
	ActivateLimit(ctx context.Context, p julo.Partner, xid string, in credit.ActivateLimitInput) (credit.ActivationResult, error)
	RequestReview(ctx context.Context, p julo.Partner, xid string, in credit.ReviewRequestInput) (credit.ReviewRequest, error)
}

// handleInputPIN answers POST input-pin.
func (s *Server) handleInputPIN(a Activation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req inputPINRequest
		if !decode(w, r, &req) {
			return
		}
		until, err := a.InputPIN(r.Context(), partnerFrom(r.Context()), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, pinVerifiedJSON{Until: until.UTC()})
	})
}

// handleLimitActivation answers POST limit-activation/{application_xid}.
func (s *Server) handleLimitActivation(a Activation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req limitActivationRequest
		if !decode(w, r, &req) {
			return
		}
		xid := r.PathValue("application_xid")
		res, err := a.ActivateLimit(r.Context(), partnerFrom(r.Context()), xid, req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		n, _ := strconv.ParseInt(xid, 10, 64) // the domain accepted it
		respond(w, http.StatusOK, newLimitActivationJSON(n, res))
	})
}

// handleReviewRequest answers POST application/{application_xid}/review-request.
func (s *Server) handleReviewRequest(a Activation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("action") != "review-request" {
			fail(w, r, julo.Errorf(julo.ENOTFOUND, "", i18n.NotFound))
			return
		}
		var req reviewRequestRequest
		if !decode(w, r, &req) {
			return
		}
		rr, err := a.RequestReview(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, reviewRequestedJSON{XID: rr.ApplicationXID, Status: julo.AppRejected.Name(), RequestedAt: rr.RequestedAt.UTC()})
	})
}
