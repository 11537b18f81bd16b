package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// Repayment's routes (issue 14): the partner's view of the dues, the
// payment gateway's callback, and the sandbox's payments and test clock.

// Repayment serves them (package lending).
type Repayment interface {
	AccountPayments(ctx context.Context, p julo.Partner, xid string, in lending.AccountPaymentsInput) (lending.AccountPayments, error)
	PaymentCallback(ctx context.Context, signature string, body []byte) (lending.Payment, error)
	SandboxPayment(ctx context.Context, p julo.Partner, virtualAccount *string, amount *int64) (lending.Payment, error)
	AdvanceClock(ctx context.Context, p julo.Partner, xid string, days *int64) (lending.LoanState, error)
	LoanStatus(ctx context.Context, p julo.Partner, xid string) (lending.LoanView, error)
}

type accountPaymentRequest struct {
	Problems julo.Problems
	PaidOff  *bool  `form:"is_paid_off"`
	Page     *int64 `form:"page"`
	Limit    *int64 `form:"limit"`
}

// pagedEnvelope is production's paginated answer: the envelope with the
// links of the next and previous pages (relative URLs, null at the ends).
type pagedEnvelope struct {
	Success  bool     `json:"success"`
	Next     *string  `json:"next"`
	Previous *string  `json:"previous"`
	Data     any      `json:"data"`
	Errors   []string `json:"errors"`
}

// handleAccountPayment answers GET account-payment/{application_xid}.
func (s *Server) handleAccountPayment(rp Repayment) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req accountPaymentRequest
		if !decode(w, r, &req) {
			return
		}
		a, err := rp.AccountPayments(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"),
			lending.AccountPaymentsInput{Problems: req.Problems, PaidOff: req.PaidOff, Page: req.Page, Limit: req.Limit})
		if err != nil {
			fail(w, r, err)
			return
		}
		link := func(page int) *string {
			q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(a.Limit)}}
			if req.PaidOff != nil {
				q.Set("is_paid_off", strconv.FormatBool(*req.PaidOff))
			}
			u := r.URL.Path + "?" + q.Encode()
			return &u
		}
		out := pagedEnvelope{Success: true, Errors: []string{}, Data: newAccountPaymentsJSON(a)}
		if a.Page < a.Pages {
			out.Next = link(a.Page + 1)
		}
		if a.Page > 1 {
			out.Previous = link(a.Page - 1)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handlePaymentCallback takes the payment gateway's signed report of a
// transfer: 200 with the payment (duplicate true on a repeat).
func (s *Server) handlePaymentCallback(rp Repayment) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, r, bodyErr(err, i18n.MalformedJSON))
			return
		}
		p, err := rp.PaymentCallback(r.Context(), r.Header.Get("X-Julo-Signature"), body)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newPaymentJSON(p))
	})
}

type sandboxPaymentRequest struct {
	Problems       julo.Problems
	VirtualAccount *string `form:"virtual_account"`
	Amount         *int64  `form:"amount"`
}

// handleSandboxPayment answers POST sandbox/payments: a simulated transfer.
func (s *Server) handleSandboxPayment(rp Repayment) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req sandboxPaymentRequest
		if !decode(w, r, &req) {
			return
		}
		if err := req.Problems.Err(); err != nil {
			fail(w, r, err)
			return
		}
		p, err := rp.SandboxPayment(r.Context(), partnerFrom(r.Context()), req.VirtualAccount, req.Amount)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusCreated, newPaymentJSON(p))
	})
}

type testClockRequest struct {
	Problems    julo.Problems
	AdvanceDays *int64 `form:"advance_days"`
}

// handleTestClock answers POST sandbox/test-clock/{loan_xid}: the loan's
// status read after its clock moved.
func (s *Server) handleTestClock(rp Repayment) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req testClockRequest
		if !decode(w, r, &req) {
			return
		}
		if err := req.Problems.Err(); err != nil {
			fail(w, r, err)
			return
		}
		p, xid := partnerFrom(r.Context()), r.PathValue("loan_xid")
		if _, err := rp.AdvanceClock(r.Context(), p, xid, req.AdvanceDays); err != nil {
			fail(w, r, err)
			return
		}
		v, err := rp.LoanStatus(r.Context(), p, xid)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newLoanStatusJSON(v))
	})
}
