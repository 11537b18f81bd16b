package client

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// One method per partner endpoint, in the order of a customer's journey.
// Each returns an *Error for a failure answer (see the package doc) and a
// wrapped transport error when no answer came.

// PreregisterCheck asks whether NIK and email are free to register (POST
// /preregister-check). nil means both are; a 400 names the field taken
// (codes nik_registered, email_registered), and after repeated refusals a
// 423 locks the NIK or email for a while (RetryAfter says how long).
func (c *Client) PreregisterCheck(ctx context.Context, in PreregisterCheckRequest) error {
	body, err := jsonBody(in)
	if err != nil {
		return err
	}
	return c.call(ctx, request{method: http.MethodPost, path: "/preregister-check", body: body}, nil)
}

// CheckStrongPIN asks whether in.PIN is strong enough for in.NIK's owner
// (POST /check-strong-pin). It returns the server's documented success
// text ("Strong password"); a weak PIN is a 400 with the rule it breaks
// (codes pin_format, pin_weak_sequence, pin_birth_date, pin_common,
// pin_nik_tail).
func (c *Client) CheckStrongPIN(ctx context.Context, in CheckStrongPINRequest) (string, error) {
	body, err := jsonBody(in)
	if err != nil {
		return "", err
	}
	var msg string
	err = c.call(ctx, request{method: http.MethodPost, path: "/check-strong-pin", body: body}, &msg)
	return msg, err
}

// Register registers a customer and creates the application (POST
// /customer; 201). A NIK or email already registered is a 409: when the
// partner's own application holds it, (*Error).ExistingApplicationXID
// names that application. Register is retried only with WithWriteRetries,
// with its Idempotency-Key: a retry whose first attempt registered gets
// that 201 again, not the 409.
func (c *Client) Register(ctx context.Context, in RegisterRequest) (*Registration, error) {
	body, err := jsonBody(in)
	if err != nil {
		return nil, err
	}
	var out Registration
	if err := c.call(ctx, request{method: http.MethodPost, path: "/customer", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Dropdown returns a reference list (GET /dropdown-data; the server's
// /dropdowns is the same route): in.List is one of the List constants,
// and ListJobs needs in.JobIndustry.
func (c *Client) Dropdown(ctx context.Context, in DropdownRequest) (*DropdownList, error) {
	q := url.Values{}
	q.Set("data_selected", in.List)
	if in.JobIndustry != "" {
		q.Set("job_industry", in.JobIndustry)
	}
	var out DropdownList
	if err := c.call(ctx, request{method: http.MethodGet, path: "/dropdown-data", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Address returns one level of the area hierarchy (GET /address): in.Level
// is one of the Level constants, with the parents it needs.
func (c *Client) Address(ctx context.Context, in AddressRequest) (*AddressList, error) {
	q := url.Values{}
	q.Set("get_address", in.Level)
	for k, v := range map[string]string{"province": in.Province, "city": in.City, "district": in.District} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out AddressList
	if err := c.call(ctx, request{method: http.MethodGet, path: "/address", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UploadImage uploads an image of the application (POST
// /applications/{xid}/images, multipart: image_type and the file part
// upload, streamed from r). imageType is ImageKTPSelf or ImageSelfie (or
// another type the documentation lists); filename's extension sets the
// part's Content-Type. It returns the documented success text ("success
// upload image"). The server takes JPEG, PNG and WebP up to 10 MiB, and at
// most 4 uploads in flight per partner (a 429 beyond, with RetryAfter).
//
// r is read until it ends or the request fails; a Read of r that blocks is
// waited for by a goroutine that ends when it returns. With
// WithWriteRetries, an upload is retried only when r is an io.Seeker (an
// *os.File, a *bytes.Reader): each attempt reads it again from where it
// stood at the call. Every attempt sends the same Idempotency-Key, and the
// server counts the same file under a new multipart boundary as the same
// request.
func (c *Client) UploadImage(ctx context.Context, xid int64, imageType, filename string, r io.Reader) (string, error) {
	var msg string
	err := c.call(ctx, uploadRequest(xidPath("/applications", xid, "images"), imageType, filename, r), &msg)
	return msg, err
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func writeUpload(mw *multipart.Writer, imageType, filename string, r io.Reader) error {
	if err := mw.WriteField("image_type", imageType); err != nil {
		return err
	}
	ct := mime.TypeByExtension(strings.ToLower(path.Ext(filename)))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="upload"; filename="%s"`, quoteEscaper.Replace(filename)))
	h.Set("Content-Type", ct)
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("reading the image: %w", err)
	}
	return mw.Close()
}

// ListImages lists the application's current images (GET
// /applications/{xid}/images), an empty list when there are none.
func (c *Client) ListImages(ctx context.Context, xid int64) ([]Image, error) {
	out := []Image{}
	if err := c.call(ctx, request{method: http.MethodGet, path: xidPath("/applications", xid, "images")}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetImage reads one of the application's images (GET
// /applications/{xid}/images/{id}; id is Image.ID).
func (c *Client) GetImage(ctx context.Context, xid, imageID int64) (*ImageFile, error) {
	return c.imageFile(ctx, fmt.Sprintf("/applications/%d/images/%d", xid, imageID))
}

// SendOTP sends an OTP code by SMS to phone (POST /application/otp/{xid}).
// A resend within a minute is a 429 (code otp_resend_too_soon, RetryAfter
// set), as are the send limits per application and per phone. In the
// sandbox, SandboxSMS shows the message.
func (c *Client) SendOTP(ctx context.Context, xid int64, phone string) error {
	body, err := jsonBody(map[string]string{"phone": phone})
	if err != nil {
		return err
	}
	return c.call(ctx, request{method: http.MethodPost, path: xidPath("/application/otp", xid), body: body}, nil)
}

// ValidateOTP checks the code the customer received (POST
// /application/otp/validate/{xid}); nil means the phone is verified. A
// wrong or old code is a 400 (codes otp_wrong, otp_expired, otp_burned,
// otp_none), too many wrong codes a 429 (otp_locked).
func (c *Client) ValidateOTP(ctx context.Context, xid int64, token string) error {
	body, err := jsonBody(map[string]string{"otp_token": token})
	if err != nil {
		return err
	}
	return c.call(ctx, request{method: http.MethodPost, path: xidPath("/application/otp/validate", xid), body: body}, nil)
}

// SandboxSMS lists what the sandbox's SMS provider "sent" to phone (GET
// /sandbox/sms; sandbox only, a 404 in production): its newest messages,
// newest first; SandboxMessage.OTP is the code.
func (c *Client) SandboxSMS(ctx context.Context, phone string) ([]SandboxMessage, error) {
	out := []SandboxMessage{}
	q := url.Values{"phone": {phone}}
	if err := c.call(ctx, request{method: http.MethodGet, path: "/sandbox/sms", query: q}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CompleteApplication submits the customer data (PATCH
// /applications/{xid}) once the KTP and selfie images are uploaded and
// in.MobilePhone1 is verified by OTP; the application moves to 105
// (StatusFormSubmitted). Every problem is answered together (a 400); a
// second submission is a 409 (already_submitted).
func (c *Client) CompleteApplication(ctx context.Context, xid int64, in CompleteApplicationRequest) (*CompletedApplication, error) {
	body, err := jsonBody(in)
	if err != nil {
		return nil, err
	}
	var out CompletedApplication
	if err := c.call(ctx, request{method: http.MethodPatch, path: xidPath("/applications", xid), body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ApplicationStatus tells where the application stands (GET
// /application/status/{xid}), what it still misses, and the optional
// steps' state. An xid that is not the partner's is a 404.
func (c *Client) ApplicationStatus(ctx context.Context, xid int64) (*ApplicationStatus, error) {
	var out ApplicationStatus
	if err := c.call(ctx, request{method: http.MethodGet, path: xidPath("/application/status", xid)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BPJSLogin returns a BPJS login URL to open in the customer's browser
// (GET /bpjs/login/{xid}/{app_type}). In the sandbox it is the server's
// own login page (test logins sukses@bpjs.sandbox and gagal@bpjs.sandbox).
func (c *Client) BPJSLogin(ctx context.Context, xid int64, in BPJSLoginRequest) (*BPJSLogin, error) {
	q := url.Values{}
	if in.RedirectURL != "" {
		q.Set("redirect_url", in.RedirectURL)
	}
	var out BPJSLogin
	if err := c.call(ctx, request{method: http.MethodGet, path: xidPath("/bpjs/login", xid, in.AppType), query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// StartBankImport starts importing the customer's data from a bank (POST
// /external-data-imports/{xid}; 201). It runs in the background: follow it
// with ScrapingStatus. A second import of the same bank while one runs is
// a 409.
func (c *Client) StartBankImport(ctx context.Context, xid int64, in BankImportRequest) (*BankImport, error) {
	body, err := jsonBody(in)
	if err != nil {
		return nil, err
	}
	var out BankImport
	if err := c.call(ctx, request{method: http.MethodPost, path: xidPath("/external-data-imports", xid), body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ScrapingStatus is the state of the application's bank imports and BPJS
// login (GET /scraping-status/{xid}).
func (c *Client) ScrapingStatus(ctx context.Context, xid int64) (*ExternalStatus, error) {
	var out ExternalStatus
	if err := c.call(ctx, request{method: http.MethodGet, path: xidPath("/scraping-status", xid)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// The credit decision and the activation (the status read shows the
// decision: ApplicationStatus's Decision, CreditInfo and documents).

// SubmitDocumentFlag tells the server the requested documents are in (POST
// /submit-document-flag/{xid}): the application moves 105 -> 120
// (StatusDocumentsSubmitted) and is assessed again with them. Before
// documents are requested it is a 400 (code document_flag_not_ready), with
// none of them in yet a 400 (documents_missing).
func (c *Client) SubmitDocumentFlag(ctx context.Context, xid int64) error {
	var out struct {
		Submitted bool `json:"is_document_submitted"`
	}
	if err := c.call(ctx, request{method: http.MethodPost, path: xidPath("/submit-document-flag", xid)}, &out); err != nil {
		return err
	}
	if !out.Submitted {
		return fmt.Errorf("julo: submit-document-flag answered is_document_submitted false")
	}
	return nil
}

// InputPIN checks the customer's PIN (POST /input-pin) and opens the
// application's 5-minute PIN window, inside which ActivateLimit acts. A
// wrong PIN is a 400 (code pin_wrong, the message says how many tries
// remain); the fifth wrong one in a row locks PIN use for the customer for
// an hour: a 423 (pin_locked) with RetryAfter.
func (c *Client) InputPIN(ctx context.Context, xid int64, pin string) (*PINWindow, error) {
	body, err := jsonBody(map[string]string{"application_xid": strconv.FormatInt(xid, 10), "pin": pin})
	if err != nil {
		return nil, err
	}
	var out PINWindow
	if err := c.call(ctx, request{method: http.MethodPost, path: "/input-pin", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ActivateLimit accepts (accept true: 130 -> 190, StatusLimitReadyToUse,
// and the credit account opens) or declines (142,
// StatusActivationRejected) the offered limit (POST
// /limit-activation/{xid}). Without an open PIN window (InputPIN) it is a
// 403 (pin_not_verified); away from 130 a 409 (limit_not_offered).
func (c *Client) ActivateLimit(ctx context.Context, xid int64, accept bool) (*LimitActivation, error) {
	body, err := jsonBody(map[string]bool{"accept": accept})
	if err != nil {
		return nil, err
	}
	var out LimitActivation
	if err := c.call(ctx, request{method: http.MethodPost, path: xidPath("/limit-activation", xid), body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RequestReview is the customer's objection to an automatic rejection
// (POST /application/{xid}/review-request), in their words (at most 1000
// characters): within the credit policy's review days of the rejection the
// application joins the operators' queue and stays at 135 until one
// decides. A 409 otherwise (review_not_available, review_window_closed,
// review_already_requested).
func (c *Client) RequestReview(ctx context.Context, xid int64, reason string) (*ReviewRequested, error) {
	body, err := jsonBody(map[string]string{"reason": reason})
	if err != nil {
		return nil, err
	}
	var out ReviewRequested
	if err := c.call(ctx, request{method: http.MethodPost, path: xidPath("/application", xid, "review-request"), body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
