package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The loans on an activated limit (production's LeadGen loan routes): the
// range and the offers for an amount, the loan (210), its agreement page,
// the signature, signing (211) or cancelling (216), and its status through
// the disbursement (212, then 220 or 218). Every amount is whole rupiah
// (int64); the rates are exact decimals (Decimal), never floats.

// Loan transaction types (LoanTransfer.TransactionType).
const (
	TransactionBankAccount = 1 // the money goes to a bank account (the default)
	TransactionThirdParty  = 2 // to a third party: the partner's settlement account, for a purchase
)

// Agreement actions (SetAgreementStatus).
const (
	AgreementSign   = "sign"
	AgreementCancel = "cancel"
)

// ImageSignature is the image type of a loan's signature (UploadLoanSignature).
const ImageSignature = "signature"

// Loan status codes (LoanDetails.StatusCode); the names are
// LoanDetails.Status and ExistingLoan.LoanStatus.
const (
	LoanCreated             = 210 // LOAN_CREATED: the amount is drawn from the limit; sign (or cancel) it
	LoanWaitingForApproval  = 211 // LOAN_WAITING_FOR_APPROVAL: signed; the lender approves
	LoanDisbursing          = 212 // LOAN_DISBURSAL_ON_PROCESS: the transfer is under way
	LoanTransactionFailed   = 215 // LOAN_TRANSACTION_FAILED: the amount is given back
	LoanCancelledByCustomer = 216 // LOAN_CANCELLED_BY_CUSTOMER: the amount is given back
	LoanExpired             = 217 // LOAN_EXPIRED: not signed in time, the amount is given back
	LoanDisbursalFailed     = 218 // LOAN_DISBURSAL_FAILED: the transfer failed, the amount is given back
	LoanLenderRejected      = 219 // LOAN_LENDER_REJECTED: the amount is given back
	LoanDisbursed           = 220 // LOAN_DISBURSAL_SUCCESS: the money moved; the loan is current
	LoanPaidOff             = 250 // LOAN_PAID_OFF
)

// Loan destinations (LoanBank.Destination).
const (
	DestinationSelf    = "self"    // the customer's own bank account (from the application)
	DestinationPartner = "partner" // the partner's settlement account (a third-party loan)
)

// Bool is a pointer to v, for LoanTransfer.SelfBankAccount (where false is
// a value, not "not sent").
func Bool(v bool) *bool { return &v }

// LoanTransfer says where a loan's money goes. The zero value sends
// neither field: the server's defaults, type 1 to the customer's own
// account. Type 2 (TransactionThirdParty) goes to the partner's settlement
// account, grossed up for the provision; SelfBankAccount true with type 2
// is a 400 (loan_transaction_type_mismatch).
type LoanTransfer struct {
	// SelfBankAccount: nil for the default (true for type 1, false for 2).
	SelfBankAccount *bool `json:"self_bank_account,omitempty"`
	// TransactionType: 0 for the default (TransactionBankAccount).
	TransactionType int `json:"transaction_type_code,omitempty"`
}

func (t LoanTransfer) query(q url.Values) url.Values {
	if t.SelfBankAccount != nil {
		q.Set("self_bank_account", strconv.FormatBool(*t.SelfBankAccount))
	}
	if t.TransactionType != 0 {
		q.Set("transaction_type_code", strconv.Itoa(t.TransactionType))
	}
	return q
}

// LoanRange is the amounts a loan may have now (RangeLoanAmount), whole
// rupiah. MinAmount and MaxAmount are both 0 when no loan fits.
type LoanRange struct {
	MinAmountThreshold int64 `json:"min_amount_threshold"` // the policy's minimum, 300,000
	MinAmount          int64 `json:"min_amount"`
	MaxAmount          int64 `json:"max_amount"`
}

// LoanOffersRequest asks for the offers (tenors) for an amount.
type LoanOffersRequest struct {
	Amount int64 `json:"loan_amount_request"` // whole rupiah
	LoanTransfer
}

// LoanOffer is one offer: a tenor with its amounts, whole rupiah.
type LoanOffer struct {
	// LoanAmount is the request, or grossed up for the provision for a
	// third-party loan.
	LoanAmount         int64 `json:"loan_amount"`
	Duration           int   `json:"duration"` // months
	MonthlyInstallment int64 `json:"monthly_installment"`
	Provision          int64 `json:"provision_amount"`
	Disbursement       int64 `json:"disbursement_amount"` // LoanAmount - Provision
	Cashback           int64 `json:"cashback"`
	AvailableLimit     int64 `json:"available_limit"`                   // now
	AvailableAfter     int64 `json:"available_limit_after_transaction"` // after this loan
}

// LoanOffers is the answer of LoanOffer: the range and the offers for the
// requested amount together.
type LoanOffers struct {
	MinAmount      int64       `json:"min_amount"`
	MaxAmount      int64       `json:"max_amount"`
	SelectedAmount int64       `json:"selected_amount"`
	Offers         []LoanOffer `json:"loan_duration"` // shortest tenor first
}

// CreateLoanRequest creates a loan: Amount and Duration must be one of the
// offers computed now (LoanDuration with the same Amount and transfer).
type CreateLoanRequest struct {
	Amount   int64 `json:"loan_amount_request"` // whole rupiah
	Duration int   `json:"loan_duration"`       // months
	LoanTransfer
	Purpose string `json:"loan_purpose,omitempty"` // at most 100 characters
}

// CreatedLoan is the answer of CreateLoan: the loan at 210 LOAN_CREATED.
type CreatedLoan struct {
	LoanXID            int64   `json:"loan_xid"` // every later call names the loan by it
	LoanStatus         string  `json:"loan_status"`
	LoanAmount         int64   `json:"loan_amount"`
	DisbursementAmount int64   `json:"disbursement_amount"`
	LoanDuration       int     `json:"loan_duration"`
	InstallmentAmount  int64   `json:"installment_amount"`
	MonthlyInterest    Decimal `json:"monthly_interest"` // e.g. 0.04
}

// AgreementStatus is the answer of SetAgreementStatus: the loan's status
// after the action.
type AgreementStatus struct {
	Status  string `json:"status"` // LOAN_WAITING_FOR_APPROVAL after sign, LOAN_CANCELLED_BY_CUSTOMER after cancel
	LoanXID int64  `json:"loan_xid"`
}

// LoanStatus is a loan with its schedule and the credit account now (GET
// /loan/status/{loan_xid}).
type LoanStatus struct {
	Loan     LoanDetails   `json:"loan"`
	Payments []LoanPayment `json:"payments"`
	Limit    LoanLimit     `json:"limit"`
}

// LoanDetails is the loan object of LoanStatus, production's keys.
type LoanDetails struct {
	LoanXID                int64      `json:"loan_xid"`
	Status                 string     `json:"status"`      // e.g. LOAN_DISBURSAL_SUCCESS
	StatusCode             int        `json:"status_code"` // one of the Loan... constants
	LoanAmount             int64      `json:"loan_amount"`
	LoanDuration           int        `json:"loan_duration"`
	InterestRateMonthly    Decimal    `json:"interest_rate_monthly"`
	FirstInstallmentAmount int64      `json:"first_installment_amount"`
	InstallmentAmount      int64      `json:"installment_amount"`
	DisbursementAmount     int64      `json:"loan_disbursement_amount"`
	ProvisionAmount        int64      `json:"provision_amount"`
	AgreementExpiresAt     time.Time  `json:"sphp_exp_date"`    // until when it can be signed
	FundTransferAt         *time.Time `json:"fund_transfer_ts"` // nil until the money moved
	SignatureStatus        bool       `json:"signature_status"` // a signature image is in
	Bank                   LoanBank   `json:"bank"`
}

// LoanBank is where the money goes: the customer's own account (its number
// masked but for the last 4 digits) or the partner's settlement account.
type LoanBank struct {
	BankName      string `json:"bank_name"`
	AccountNumber string `json:"account_number"`
	Destination   string `json:"destination"` // DestinationSelf or DestinationPartner
}

// LoanPayment is one installment of the schedule; the principals add up to
// the loan amount exactly.
type LoanPayment struct {
	Number    int    `json:"payment_number"`
	DueDate   string `json:"due_date"` // YYYY-MM-DD, in Asia/Jakarta
	DueAmount int64  `json:"due_amount"`
	Principal int64  `json:"principal_amount"`
	Interest  int64  `json:"principal_interest"`
}

// LoanLimit is the credit account as the loan status shows it.
type LoanLimit struct {
	AvailableLimit int64 `json:"available_limit"`
	UsedLimit      int64 `json:"used_limit"`
}

// ExistingLoan is one of ApplicationStatus's ExistingLoans.
type ExistingLoan struct {
	LoanXID    int64  `json:"loan_xid"`
	LoanStatus string `json:"loan_status"` // e.g. LOAN_CREATED
}

// Decimal is an exact decimal number of the API (a rate: "0.04" is 4%) as
// the text the server sent, never passed through a float. Compare and
// compute with Units or Rat.
type Decimal string

// UnmarshalJSON takes a JSON number (or a string holding one) as its exact
// text; null leaves d as it is.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if !isJSONNumber(s) {
		return fmt.Errorf("julo: %s is not a decimal number", b)
	}
	*d = Decimal(s)
	return nil
}

// MarshalJSON writes d as a JSON number ("0" when empty).
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("0"), nil
	}
	if !isJSONNumber(string(d)) {
		return nil, fmt.Errorf("julo: %q is not a decimal number", string(d))
	}
	return []byte(d), nil
}

// String is the number's text as the server sent it.
func (d Decimal) String() string { return string(d) }

// Rat is d as an exact rational; ok is false when d is not a number.
func (d Decimal) Rat() (r *big.Rat, ok bool) {
	if !isJSONNumber(string(d)) {
		return nil, false
	}
	return new(big.Rat).SetString(string(d))
}

// Units is d in units of 10^-scale, exactly: Units(4) of 0.04 is 400 (basis
// points), Units(6) of 0.003 is 3000 (parts per million). ok is false when
// d is not a whole number of such units (0.00015 at scale 4), does not fit
// an int64, or is not a number. Nothing is rounded.
func (d Decimal) Units(scale int) (n int64, ok bool) {
	r, ok := d.Rat()
	if !ok || scale < 0 || scale > 18 {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// isJSONNumber: s is a number as JSON writes one (-?int(.frac)?(e[+-]?exp)?).
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	start := i
	if n := digits(); n == 0 || n > 1 && s[start] == '0' {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// RangeLoanAmount is the range a loan of the application may have now (GET
// /range-loan-amount/{application_xid}). The application must be at 190
// with its account open, else a 400 (loan_account_not_ready); a third-party
// transfer's MaxAmount leaves room for the provision.
func (c *Client) RangeLoanAmount(ctx context.Context, xid int64, in LoanTransfer) (*LoanRange, error) {
	var out LoanRange
	if err := c.call(ctx, request{method: http.MethodGet, path: xidPath("/range-loan-amount", xid), query: in.query(url.Values{})}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// LoanDuration lists the offers for in.Amount (POST
// /loan-duration/{application_xid}): at most 4 consecutive tenors,
// shortest first. Below the policy's minimum it is a 400
// (loan_amount_below_threshold), outside the range a 400
// (loan_amount_out_of_range).
func (c *Client) LoanDuration(ctx context.Context, xid int64, in LoanOffersRequest) ([]LoanOffer, error) {
	body, err := jsonBody(in)
	if err != nil {
		return nil, err
	}
	out := []LoanOffer{}
	if err := c.call(ctx, request{method: http.MethodPost, path: xidPath("/loan-duration", xid), body: body}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// LoanOffer is RangeLoanAmount and LoanDuration in one read (GET
// /loan-offer), with the same refusals.
func (c *Client) LoanOffer(ctx context.Context, xid int64, in LoanOffersRequest) (*LoanOffers, error) {
	q := url.Values{}
	q.Set("application_xid", strconv.FormatInt(xid, 10))
	q.Set("loan_amount_request", strconv.FormatInt(in.Amount, 10))
	var out LoanOffers
	if err := c.call(ctx, request{method: http.MethodGet, path: "/loan-offer", query: in.LoanTransfer.query(q)}, &out); err != nil {
		return nil, err
	}
	if out.Offers == nil {
		out.Offers = []LoanOffer{}
	}
	return &out, nil
}

// CreateLoan creates a loan on the application's limit (POST
// /loan/{application_xid}; 201 at 210 LOAN_CREATED): the amount moves from
// available to used at once. It needs the PIN window open (InputPIN; else
// a 403, pin_not_verified); an amount or tenor not among the offers now is
// a 400 (loan_duration_not_offered, ...), as is one whose installments
// with the customer's other loans pass the share of income the policy
// allows (loan_debt_service_exceeded), a third-party loan of a partner
// without a settlement account (loan_no_settlement_account) and an amount
// the limit no longer holds (loan_limit_exceeded). Sign it (SignLoan)
// before it expires (24 hours by default: 217 LOAN_EXPIRED).
func (c *Client) CreateLoan(ctx context.Context, xid int64, in CreateLoanRequest) (*CreatedLoan, error) {
	body, err := jsonBody(in)
	if err != nil {
		return nil, err
	}
	var out CreatedLoan
	if err := c.call(ctx, request{method: http.MethodPost, path: xidPath("/loan", xid), body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// LoanAgreement returns the loan's agreement (SPHP) page (GET
// /agreement/content/{loan_xid}): a self-contained Indonesian HTML page,
// UTF-8, to show in a webview before the customer signs. A failure is an
// *Error as everywhere.
func (c *Client) LoanAgreement(ctx context.Context, loanXID int64) ([]byte, error) {
	r := request{method: http.MethodGet, path: xidPath("/agreement/content", loanXID), accept: "text/html, application/json"}
	a, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if media, _, _ := mime.ParseMediaType(a.header.Get("Content-Type")); a.status != http.StatusOK || media != "text/html" {
		if err := c.decode(r, a, nil); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("julo: %s %s: a %q answer where the agreement page was expected", r.method, r.path, a.header.Get("Content-Type"))
	}
	return a.body, nil
}

// UploadLoanSignature uploads the customer's signature for the loan (POST
// /loan/{loan_xid}/images, multipart: image_type signature and the file
// part upload, streamed from r) and returns its entry. The file rules are
// UploadImage's (JPEG, PNG or WebP, at most 10 MiB; filename's extension
// sets the part's Content-Type), and so are the retries: with
// WithWriteRetries only when r is an io.Seeker. Only while the loan is at
// 210 (a 409, loan_images_closed, after); the newest signature is the
// loan's.
func (c *Client) UploadLoanSignature(ctx context.Context, loanXID int64, filename string, r io.Reader) (*Image, error) {
	var out Image
	if err := c.call(ctx, uploadRequest(xidPath("/loan", loanXID, "images"), ImageSignature, filename, r), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// uploadRequest is a multipart upload of r as the file part upload with
// image_type, streamed: retried (each attempt reading r again from where it
// stood) only when r can seek.
func uploadRequest(path, imageType, filename string, r io.Reader) request {
	seeker, canSeek := r.(io.Seeker)
	var start int64
	if canSeek {
		var err error
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			canSeek = false
		}
	}
	// An attempt's writer reads r until the attempt's pipe closes: the
	// next attempt's waits for it before it seeks r back.
	var reading sync.Mutex
	body := func() (io.ReadCloser, string) {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			reading.Lock()
			defer reading.Unlock()
			if canSeek {
				if _, err := seeker.Seek(start, io.SeekStart); err != nil {
					pw.CloseWithError(fmt.Errorf("reading the image again: %w", err))
					return
				}
			}
			pw.CloseWithError(writeUpload(mw, imageType, filename, r))
		}()
		return pr, mw.FormDataContentType()
	}
	return request{method: http.MethodPost, path: path, body: body, oneShot: !canSeek}
}

// LoanImages lists the loan's images, oldest first (GET
// /loan/{loan_xid}/images); GetLoanImage reads one by its ID.
func (c *Client) LoanImages(ctx context.Context, loanXID int64) ([]Image, error) {
	out := []Image{}
	if err := c.call(ctx, request{method: http.MethodGet, path: xidPath("/loan", loanXID, "images")}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetLoanImage reads one of the loan's images (GET
// /loan/{loan_xid}/images/{id}; id is Image.ID from LoanImages).
func (c *Client) GetLoanImage(ctx context.Context, loanXID, imageID int64) (*ImageFile, error) {
	return c.imageFile(ctx, fmt.Sprintf("/loan/%d/images/%d", loanXID, imageID))
}

// imageFile GETs an image's bytes at path; a failure is the envelope's
// *Error, and an answer that is not an image an error.
func (c *Client) imageFile(ctx context.Context, path string) (*ImageFile, error) {
	r := request{method: http.MethodGet, path: path, accept: "image/*, application/json"}
	a, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	ct := a.header.Get("Content-Type")
	if media, _, _ := mime.ParseMediaType(ct); a.status != http.StatusOK || !strings.HasPrefix(media, "image/") {
		if err := c.decode(r, a, nil); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("julo: %s %s: a %q answer where an image was expected", r.method, r.path, ct)
	}
	f := &ImageFile{ContentType: ct, Data: a.body}
	if _, params, err := mime.ParseMediaType(a.header.Get("Content-Disposition")); err == nil {
		f.Filename = params["filename"]
	}
	return f, nil
}

// SetAgreementStatus signs (AgreementSign) or cancels (AgreementCancel)
// the loan's agreement (POST /agreement/loan/status/{loan_xid}). Signing
// needs the loan at 210 and its signature uploaded (a 400,
// loan_signature_missing, unless JULO waived it for the partner) and moves
// it to 211; the lender approves and the money is paid out: 212, then 220
// LOAN_DISBURSAL_SUCCESS or 218 LOAN_DISBURSAL_FAILED (the amount given
// back); follow it with LoanStatus. Cancelling before the disbursement (210
// or 211) moves it to 216 and gives the amount back. Signing a loan not at
// 210 (loan_not_signable) or past its expiry (loan_agreement_expired), or
// cancelling one past 211 (loan_not_cancellable), is a 409; another action
// a 400 (loan_agreement_action).
func (c *Client) SetAgreementStatus(ctx context.Context, loanXID int64, action string) (*AgreementStatus, error) {
	body, err := jsonBody(map[string]string{"status": action})
	if err != nil {
		return nil, err
	}
	var out AgreementStatus
	if err := c.call(ctx, request{method: http.MethodPost, path: xidPath("/agreement/loan/status", loanXID), body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SignLoan is SetAgreementStatus(ctx, loanXID, AgreementSign).
func (c *Client) SignLoan(ctx context.Context, loanXID int64) (*AgreementStatus, error) {
	return c.SetAgreementStatus(ctx, loanXID, AgreementSign)
}

// CancelLoan is SetAgreementStatus(ctx, loanXID, AgreementCancel).
func (c *Client) CancelLoan(ctx context.Context, loanXID int64) (*AgreementStatus, error) {
	return c.SetAgreementStatus(ctx, loanXID, AgreementCancel)
}

// LoanStatus reads the loan, its schedule and the credit account now (GET
// /loan/status/{loan_xid}). Another partner's loan, or none, is a 404
// (loan_missing).
func (c *Client) LoanStatus(ctx context.Context, loanXID int64) (*LoanStatus, error) {
	var out LoanStatus
	if err := c.call(ctx, request{method: http.MethodGet, path: xidPath("/loan/status", loanXID)}, &out); err != nil {
		return nil, err
	}
	if out.Payments == nil {
		out.Payments = []LoanPayment{}
	}
	return &out, nil
}

// Done reports whether the loan is past the disbursement's outcome:
// disbursed (220 and on) or ended (215-219). At 210 it waits for the
// customer, at 211 for the lender, at 212 for the transfer.
func (d LoanDetails) Done() bool {
	return d.StatusCode >= LoanTransactionFailed
}
