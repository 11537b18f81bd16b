package httpapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Loans serves the loan routes (package lending): production's LeadGen
// loan API (issue 13).
type Loans interface {
	Range(ctx context.Context, p julo.Partner, xid string, in lending.RangeInput) (lending.Range, error)
	Offers(ctx context.Context, p julo.Partner, xid string, in lending.OffersInput) (lending.Offers, error)
	CreateLoan(ctx context.Context, p julo.Partner, xid string, in lending.CreateInput) (lending.Loan, error)
	Agreement(ctx context.Context, p julo.Partner, xid string) (lending.Agreement, error)
	UploadImage(ctx context.Context, p julo.Partner, xid string, in onboarding.ImageUploadInput) (lending.Image, error)
	Images(ctx context.Context, p julo.Partner, xid string) (lending.Loan, []lending.Image, error)
	OpenLoanImage(ctx context.Context, p julo.Partner, xid, imageID string) (lending.Image, io.ReadCloser, error)
	SetAgreementStatus(ctx context.Context, p julo.Partner, xid string, status *string) (lending.Loan, error)
	LoanStatus(ctx context.Context, p julo.Partner, xid string) (lending.LoanView, error)
	ExistingLoans(ctx context.Context, p julo.Partner, applicationXID string) ([]lending.Loan, error)
	// DisbursementCallback takes the disbursement provider's signed report.
	DisbursementCallback(ctx context.Context, signature string, body []byte) error
	Repayment
}

// handleRangeLoanAmount answers GET range-loan-amount/{application_xid}.
func (s *Server) handleRangeLoanAmount(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req transferRequest
		if !decode(w, r, &req) {
			return
		}
		rg, err := l.Range(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"),
			lending.RangeInput{Problems: req.Problems, TransferInput: req.input()})
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, rangeJSON{Threshold: rg.MinThreshold, Min: rg.Min, Max: rg.Max})
	})
}

// handleLoanDuration answers POST loan-duration/{application_xid}.
func (s *Server) handleLoanDuration(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req offersRequest
		if !decode(w, r, &req) {
			return
		}
		o, err := l.Offers(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newOffersJSON(o))
	})
}

// handleLoanOffer answers GET loan-offer?application_xid=&loan_amount_request=.
func (s *Server) handleLoanOffer(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req loanOfferRequest
		if !decode(w, r, &req) {
			return
		}
		xid := ""
		if req.ApplicationXID != nil {
			xid = *req.ApplicationXID
		}
		o, err := l.Offers(r.Context(), partnerFrom(r.Context()), xid, req.offersRequest.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, loanOfferJSON{Min: o.Range.Min, Max: o.Range.Max, Selected: o.Requested, Durations: newOffersJSON(o)})
	})
}

// handleCreateLoan answers POST loan/{application_xid}: 201 with the loan.
func (s *Server) handleCreateLoan(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createLoanRequest
		if !decode(w, r, &req) {
			return
		}
		loan, err := l.CreateLoan(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		q := loan.Quote
		respond(w, http.StatusCreated, loanCreatedJSON{Status: loan.Status.Name(), Amount: q.LoanAmount,
			Disbursement: q.Disbursement, Duration: q.Duration, Installment: q.Installment,
			MonthlyInterest: bpsRate(q.InterestBPS), XID: loan.XID})
	})
}

// handleAgreementContent answers GET agreement/content/{loan_xid}/: the
// agreement as an HTML page for a webview (failures in the envelope).
func (s *Server) handleAgreementContent(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := l.Agreement(r.Context(), partnerFrom(r.Context()), r.PathValue("loan_xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		renderAgreement(w, r, a)
	})
}

// handleUploadLoanImage answers POST loan/{loan_xid}/images: the
// signature, read as the KYC uploads are (readImageUpload).
func (s *Server) handleUploadLoanImage(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, cleanup, err := s.readImageUpload(r)
		defer cleanup()
		if err != nil {
			fail(w, r, err)
			return
		}
		xid := r.PathValue("loan_xid")
		img, err := l.UploadImage(r.Context(), partnerFrom(r.Context()), xid, in)
		if err != nil {
			fail(w, r, err)
			return
		}
		n, _ := strconv.ParseInt(xid, 10, 64) // the domain accepted it
		respond(w, http.StatusCreated, newLoanImageJSON(n, img))
	})
}

// onlyView serves h for the {view} segment value only; any other is a 404.
func onlyView(value string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("view") != value {
			fail(w, r, julo.Errorf(julo.ENOTFOUND, "", i18n.NotFound))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// handleLoanView answers GET loan/{loan_xid}/images (see routes.go).
func (s *Server) handleLoanView(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loan, imgs, err := l.Images(r.Context(), partnerFrom(r.Context()), r.PathValue("loan_xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		list := make([]loanImageJSON, 0, len(imgs))
		for _, img := range imgs {
			list = append(list, newLoanImageJSON(loan.XID, img))
		}
		respond(w, http.StatusOK, list)
	})
}

// handleGetLoanImage answers a loan image's bytes.
func (s *Server) handleGetLoanImage(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		img, rc, err := l.OpenLoanImage(r.Context(), partnerFrom(r.Context()), r.PathValue("loan_xid"), r.PathValue("image_id"))
		if err != nil {
			fail(w, r, err)
			return
		}
		s.writeImage(w, r, img, rc)
	})
}

// handleAgreementStatus answers POST agreement/loan/status/{loan_xid}/.
func (s *Server) handleAgreementStatus(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req agreementStatusRequest
		if !decode(w, r, &req) {
			return
		}
		if err := req.Problems.Err(); err != nil {
			fail(w, r, err)
			return
		}
		loan, err := l.SetAgreementStatus(r.Context(), partnerFrom(r.Context()), r.PathValue("loan_xid"), req.Status)
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, agreementStatusJSON{Status: loan.Status.Name(), XID: loan.XID})
	})
}

// handleLoanStatus answers GET loan/status/{loan_xid}/.
func (s *Server) handleLoanStatus(l Loans) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := l.LoanStatus(r.Context(), partnerFrom(r.Context()), r.PathValue("loan_xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newLoanStatusJSON(v))
	})
}

// bpsRate is a rate in basis points as an exact decimal JSON number
// (400 -> 0.04): never a float.
func bpsRate(bps int64) decimalJSON { return decimalJSON{units: bps, scale: 4} }

// ppmRate is a rate in parts per million as an exact decimal.
func ppmRate(ppm int64) decimalJSON { return decimalJSON{units: ppm, scale: 6} }

// decimalJSON is units x 10^-scale written as a JSON number with no
// trailing zeros ("0.04", "0.003", "0").
type decimalJSON struct {
	units int64
	scale int
}

func (d decimalJSON) String() string {
	neg := d.units < 0
	u := d.units
	if neg {
		u = -u
	}
	s := strconv.FormatInt(u, 10)
	for len(s) <= d.scale {
		s = "0" + s
	}
	whole, frac := s[:len(s)-d.scale], s[len(s)-d.scale:]
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// MarshalJSON implements json.Marshaler.
func (d decimalJSON) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}
