package credit

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/julo-partnership/julo/internal/julo"
)

// Reason codes of an operator's requests for documents and returns to
// review (also the status history's reasons).
const (
	ReasonOperatorDocuments = "documents_requested_by_operator"
	ReasonSentBackToReview  = "sent_back_to_review"
)

// OperatorNote is an operator's reason for a request for documents or a
// return to review.
type OperatorNote struct {
	Reason   string
	Operator string
}

// RequestDocuments records an operator's request for documents of an
// application in manual review (125) or with documents submitted (120):
// it moves to 131 RESUBMISSION_APPLICATION_REQUESTED through the status
// machine (its history row and its event in the same transaction), where
// the partner uploads the documents (paystub, bank_statement) and
// submit-document-flag moves it to 120 and a new assessment round.
func (s *Service) RequestDocuments(ctx context.Context, xid int64, n OperatorNote) (Decision, error) {
	return s.operatorMove(ctx, xid, n, OutcomeDocuments, julo.AppResubmission, ReasonOperatorDocuments,
		julo.AppManualReview, julo.AppDocumentsSubmitted)
}

// SendBackToReview puts an application with documents submitted (120) or
// waiting for documents (131) back in the manual review queue (125),
// through the status machine.
func (s *Service) SendBackToReview(ctx context.Context, xid int64, n OperatorNote) (Decision, error) {
	return s.operatorMove(ctx, xid, n, OutcomeManualReview, julo.AppManualReview, ReasonSentBackToReview,
		julo.AppDocumentsSubmitted, julo.AppResubmission)
}

// operatorMove records an operator's decision that moves the application
// from one of from to to, with the outcome and reason code.
func (s *Service) operatorMove(ctx context.Context, xid int64, n OperatorNote, o Outcome, to julo.AppStatus, reason string,
	from ...julo.AppStatus) (Decision, error) {
	n.Operator, n.Reason = strings.TrimSpace(n.Operator), strings.TrimSpace(n.Reason)
	if n.Operator == "" || n.Reason == "" || len(n.Operator) > 100 || len(n.Reason) > 1000 {
		return Decision{}, errors.New("an operator decision needs an operator (at most 100 characters) and a reason (at most 1000)")
	}
	app, err := s.store.ApplicationByXID(ctx, xid)
	if err != nil {
		return Decision{}, err
	}
	ok := false
	var names []string
	for _, f := range from {
		ok = ok || app.Status == f
		names = append(names, f.String())
	}
	if !ok {
		return Decision{}, errors.New("application " + strconv.FormatInt(xid, 10) + " is at " + app.Status.String() +
			": this decision is taken at " + strings.Join(names, " or "))
	}
	d := Decision{PolicyVersion: s.policy.Version, Outcome: o, FromStatus: app.Status, ToStatus: to, ReasonCodes: []string{reason},
		Inputs: []Input{}, Knockouts: []Check{}, DecidedBy: "operator:" + n.Operator,
		Operator: &OperatorReason{Name: n.Operator, Reason: n.Reason}, DecidedAt: s.now.Now()}
	if err := s.store.RecordDecision(ctx, app.ID, d); err != nil {
		if errors.Is(err, ErrDecided) {
			return Decision{}, errors.New("the application was decided meanwhile: show it again")
		}
		return Decision{}, err
	}
	return d, nil
}
