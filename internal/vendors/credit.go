package vendors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/julo-partnership/julo/internal/credit"
)

// The credit decision's vendors: the identity check (NIK, name and birth
// date against the population registry, as Dukcapil offers lenders) and the
// credit bureau (other lenders' loans, as the FDC offers), each with a
// production adapter and a sandbox provider driven by magic NIK serials.

// Identity asks the identity vendor: POST URL with
// {"nik", "name", "birth_date"} and "Authorization: Bearer Token"; a 2xx
// answer is {"result": "matched" | "mismatch" | "partial"}. The call is
// bounded by the client's timeout. The request carries personal data:
// nothing of it appears in an error or a log.
type Identity struct {
	URL    string
	Token  string
	Client *http.Client // with a Timeout
}

// CheckIdentity implements credit.Identity.
func (v *Identity) CheckIdentity(ctx context.Context, q credit.IdentityQuery) (credit.IdentityMatch, error) {
	var out struct {
		Result credit.IdentityMatch `json:"result"`
	}
	if err := postJSON(ctx, v.Client, v.URL, v.Token, "identity", map[string]string{"nik": q.NIK, "name": q.Fullname, "birth_date": q.DOB}, &out); err != nil {
		return "", err
	}
	switch out.Result {
	case credit.IdentityMatched, credit.IdentityMismatch, credit.IdentityPartial:
		return out.Result, nil
	}
	return "", fmt.Errorf("identity vendor: unknown result %q", out.Result)
}

// Bureau asks the credit bureau: POST URL with {"nik"} and
// "Authorization: Bearer Token"; a 2xx answer is {"no_record": bool,
// "active_lenders": n, "worst_dpd_12m": n}.
type Bureau struct {
	URL    string
	Token  string
	Client *http.Client // with a Timeout
}

// CheckBureau implements credit.Bureau.
func (v *Bureau) CheckBureau(ctx context.Context, nik string) (credit.BureauReport, error) {
	var out struct {
		NoRecord      *bool `json:"no_record"`
		ActiveLenders *int  `json:"active_lenders"`
		WorstDPD12M   *int  `json:"worst_dpd_12m"`
	}
	if err := postJSON(ctx, v.Client, v.URL, v.Token, "bureau", map[string]string{"nik": nik}, &out); err != nil {
		return credit.BureauReport{}, err
	}
	if out.NoRecord == nil || out.ActiveLenders == nil || out.WorstDPD12M == nil || *out.ActiveLenders < 0 || *out.WorstDPD12M < 0 {
		return credit.BureauReport{}, errors.New("bureau vendor: the answer lacks no_record, active_lenders or worst_dpd_12m")
	}
	return credit.BureauReport{NoRecord: *out.NoRecord, ActiveLenders: *out.ActiveLenders, WorstDPD12M: *out.WorstDPD12M}, nil
}

// postJSON posts body to url and decodes a 2xx JSON answer into out. Its
// errors name the vendor and the status, never the body sent.
func postJSON(ctx context.Context, client *http.Client, url, token, vendor string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s vendor: %w", vendor, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := *client
	c.CheckRedirect = noRedirects
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%s vendor: %w", vendor, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxVendorAnswer+1))
	if err != nil {
		return fmt.Errorf("%s vendor: reading the answer: %w", vendor, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s vendor answered %s", vendor, resp.Status)
	}
	if len(raw) > maxVendorAnswer {
		return fmt.Errorf("%s vendor: answer larger than 64 KiB", vendor)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s vendor: the answer is not the documented JSON", vendor)
	}
	return nil
}

// Magic NIK serials of the sandbox (the NIK's last four digits), like a
// payment sandbox's test cards; the README's "Sandbox test data" lists them.
const (
	SerialIdentityMismatch  = "9001" // identity: mismatch -> 133 identity_mismatch
	SerialBureauDelinquent  = "9002" // bureau: 90+ days past due -> 135 bureau_delinquent
	SerialTooManyLenders    = "9003" // bureau: loans at 3 other lenders -> 135 too_many_lenders
	SerialManualReview      = "9004" // identity: a near match -> 125 manual_review_required
	SerialDocuments         = "9005" // bureau: no record -> documents requested (105)
	SerialBureauUnavailable = "9006" // bureau: unavailable -> retried, then 125 bureau_unavailable
)

func serial(nik string) string {
	if len(nik) < 4 {
		return ""
	}
	return nik[len(nik)-4:]
}

// SandboxIdentity answers by the NIK's serial: 9001 a mismatch, 9004 a
// near match; every other NIK matches.
type SandboxIdentity struct{}

// CheckIdentity implements credit.Identity.
func (SandboxIdentity) CheckIdentity(_ context.Context, q credit.IdentityQuery) (credit.IdentityMatch, error) {
	switch serial(q.NIK) {
	case SerialIdentityMismatch:
		return credit.IdentityMismatch, nil
	case SerialManualReview:
		return credit.IdentityPartial, nil
	}
	return credit.IdentityMatched, nil
}

// errSandboxBureauDown is the sandbox bureau's answer for serial 9006.
var errSandboxBureauDown = errors.New("sandbox bureau: unavailable (magic serial 9006)")

// SandboxBureau answers by the NIK's serial: 9002 a loan 95 days past due,
// 9003 loans at 3 other lenders, 9005 no record, 9006 unavailable; every
// other NIK has one current loan at one other lender.
type SandboxBureau struct{}

// CheckBureau implements credit.Bureau.
func (SandboxBureau) CheckBureau(_ context.Context, nik string) (credit.BureauReport, error) {
	switch serial(nik) {
	case SerialBureauDelinquent:
		return credit.BureauReport{ActiveLenders: 1, WorstDPD12M: 95}, nil
	case SerialTooManyLenders:
		return credit.BureauReport{ActiveLenders: 3}, nil
	case SerialDocuments:
		return credit.BureauReport{NoRecord: true}, nil
	case SerialBureauUnavailable:
		return credit.BureauReport{}, errSandboxBureauDown
	}
	return credit.BureauReport{ActiveLenders: 1}, nil
}

// CheckIdentity implements credit.Identity: not configured.
func (u Unconfigured) CheckIdentity(context.Context, credit.IdentityQuery) (credit.IdentityMatch, error) {
	return "", u.err()
}

// CheckBureau implements credit.Bureau: not configured.
func (u Unconfigured) CheckBureau(context.Context, string) (credit.BureauReport, error) {
	return credit.BureauReport{}, u.err()
}

var (
	_ credit.Identity = (*Identity)(nil)
	_ credit.Bureau   = (*Bureau)(nil)
	_ credit.Identity = SandboxIdentity{}
	_ credit.Bureau   = SandboxBureau{}
	_ credit.Identity = Unconfigured{}
	_ credit.Bureau   = Unconfigured{}
)
