package httpapi

import (
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The wire forms of the external-data routes: BPJS login, bank-data
// imports and the scraping status.

// bankImportRequest is POST /external-data-imports/{xid}. credentials is a
// JSON object, or a string holding one in JSON or Python quoting (errata 25).
type bankImportRequest struct {
	Problems    julo.Problems
	DataType    *string `form:"data_type"`
	Credentials *any    `form:"credentials"`
}

func (r bankImportRequest) domain() onboarding.BankImportInput {
	return onboarding.BankImportInput{Problems: r.Problems, DataType: r.DataType, Credentials: r.Credentials}
}

// bankImportJSON is the answer to an import request (errata 26: also at the
// envelope's top level).
type bankImportJSON struct {
	Status   string `json:"status"`
	XID      int64  `json:"application_xid"`
	DataType string `json:"data_type"`
	ID       int64  `json:"id"` // random, not a count (issue 10, item 13)
}

// externalStatusJSON is the state of the optional steps, in the scraping
// status and at the end of the application status: bank_status is a list,
// one entry per bank in a fixed order, as the production lender answers.
type externalStatusJSON struct {
	BankStatus []bankStatusJSON `json:"bank_status"`
	BPJSStatus string           `json:"bpjs_status"`
}

// bankStatusJSON is one bank's entry: reason is null unless the bank's last
// import failed (wrong_credentials, bank_unavailable, scrape_failed,
// load_failed); updated_at is null for a bank never tried.
type bankStatusJSON struct {
	BankName  string     `json:"bank_name"`
	Status    string     `json:"status"`
	Reason    *string    `json:"reason"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func newExternalStatusJSON(st onboarding.ExternalStatus) externalStatusJSON {
	out := externalStatusJSON{BankStatus: make([]bankStatusJSON, 0, len(st.Banks)), BPJSStatus: st.BPJSStatus}
	for _, b := range st.Banks {
		e := bankStatusJSON{BankName: b.Bank, Status: b.Status}
		if b.Reason != "" {
			e.Reason = &b.Reason
		}
		if !b.UpdatedAt.IsZero() {
			at := b.UpdatedAt.UTC()
			e.UpdatedAt = &at
		}
		out.BankStatus = append(out.BankStatus, e)
	}
	return out
}

// bpjsLoginRequest is GET /bpjs/login/{xid}/{app_type}'s query:
// redirect_url, where the login page sends the customer afterwards.
type bpjsLoginRequest struct {
	Problems    julo.Problems
	RedirectURL *string `form:"redirect_url"`
}

func (r bpjsLoginRequest) input(appType string) onboarding.BPJSLoginInput {
	in := onboarding.BPJSLoginInput{Problems: r.Problems, AppType: appType}
	if r.RedirectURL != nil {
		in.RedirectURL = *r.RedirectURL
	}
	return in
}
