package httpapi

import (
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// statusWithCreditJSON is the status answer: today's keys, then
// production's (application, credit_info, the documents' keys,
// existing_loans) and ours (decision).
type statusWithCreditJSON struct {
	applicationStatusJSON
	Application               statusApplicationJSON `json:"application"`
	CreditInfo                creditInfoJSON        `json:"credit_info"`
	IsCreditScoreGenerated    bool                  `json:"is_credit_score_generated"`
	CanContinue               bool                  `json:"can_continue"`
	DocumentsToBeUploaded     []documentJSON        `json:"documents_to_be_uploaded"`
	IsAnyDocumentUpload       bool                  `json:"is_any_document_upload"`
	IsSubmitDocumentFlagReady bool                  `json:"is_submit_document_flag_ready"`
	ExistingLoans             []existingLoanJSON    `json:"existing_loans"`
	Decision                  *decisionJSON         `json:"decision"`
}

// statusApplicationJSON is production's application object; fullname and
// mobile_phone_1 are null before the complete-data step.
type statusApplicationJSON struct {
	XID          int64   `json:"application_xid"`
	Email        string  `json:"email"`
	KTP          string  `json:"ktp"`
	Status       string  `json:"application_status"`
	Fullname     *string `json:"fullname"`
	MobilePhone1 *string `json:"mobile_phone_1"`
}

// creditInfoJSON is empty ({}) before an offer stands (130).
type creditInfoJSON struct {
	AvailableLimit *julo.Money `json:"available_limit,omitempty"`
	MaxLimit       *julo.Money `json:"max_limit,omitempty"`
	SetLimit       *julo.Money `json:"set_limit,omitempty"`
	UsedLimit      *julo.Money `json:"used_limit,omitempty"`
}

// documentJSON is one document the customer may provide (production's
// keys, DOCUMENT_TYPE in capitals).
type documentJSON struct {
	Kind   string `json:"DOCUMENT_TYPE"`
	Type   string `json:"document_type"`
	Status bool   `json:"document_upload_status"`
}

type decisionJSON struct {
	Outcome     string    `json:"outcome"`
	ReasonCodes []string  `json:"reason_codes"`
	DecidedAt   time.Time `json:"decided_at"`
}

func newStatusWithCreditJSON(st onboarding.ApplicationStatus, cv credit.StatusView) statusWithCreditJSON {
	out := statusWithCreditJSON{applicationStatusJSON: newApplicationStatusJSON(st),
		Application: statusApplicationJSON{XID: cv.Application.XID, Email: cv.Application.Email, KTP: cv.Application.NIK,
			Status: cv.Application.Status.Name()},
		IsCreditScoreGenerated: cv.IsCreditScoreGenerated, CanContinue: cv.CanContinue, DocumentsToBeUploaded: []documentJSON{},
		IsAnyDocumentUpload: cv.IsAnyDocumentIn, IsSubmitDocumentFlagReady: cv.DocumentsRequested, ExistingLoans: []existingLoanJSON{}}
	if cv.Fullname != "" {
		out.Application.Fullname, out.Application.MobilePhone1 = &cv.Fullname, &cv.MobilePhone1
	}
	if o := cv.Offer; o != nil {
		out.CreditInfo = creditInfoJSON{AvailableLimit: &cv.AvailableLimit, MaxLimit: &o.MaxLimit, SetLimit: &o.SetLimit, UsedLimit: &cv.UsedLimit}
	}
	for _, d := range cv.Documents {
		out.DocumentsToBeUploaded = append(out.DocumentsToBeUploaded, documentJSON{Kind: d.Kind, Type: d.Name, Status: d.In})
	}
	if d := cv.Decision; d != nil {
		out.Decision = &decisionJSON{Outcome: string(d.Outcome), ReasonCodes: d.ReasonCodes, DecidedAt: d.DecidedAt}
	}
	return out
}
