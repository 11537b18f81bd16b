package httpapi

import (
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
	ID       int64  `json:"id"`
}

// externalStatusJSON is the state of the optional steps, in the scraping
// status and at the end of the application status.
type externalStatusJSON struct {
	BankStatus map[string]string `json:"bank_status"`
	BPJSStatus string            `json:"bpjs_status"`
}
