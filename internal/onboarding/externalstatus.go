package onboarding

import (
	"context"

	"github.com/julo-partnership/julo/internal/julo"
)

// ExternalStatus is the partner-facing state of the optional steps.
type ExternalStatus struct {
	BankStatus map[string]string // bank (ImportBanks) -> Verified, Ongoing or NotVerified
	BPJSStatus string
}

// ScrapingStatus returns, for each bank, whether its data is verified, not
// verified or being imported, and the same for BPJS.
func (s *Service) ScrapingStatus(ctx context.Context, p julo.Partner, xid string) (ExternalStatus, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return ExternalStatus{}, err
	}
	return s.externalStatus(ctx, app.ID)
}

// externalStatus: a bank (or BPJS) is verified once any import (login)
// succeeded, so a later failed retry cannot hide it; ongoing while one runs.
func (s *Service) externalStatus(ctx context.Context, applicationID int64) (ExternalStatus, error) {
	now := s.now()
	st := ExternalStatus{BankStatus: map[string]string{}, BPJSStatus: NotVerified}
	banks, err := s.store.BankSummary(ctx, applicationID)
	if err != nil {
		return ExternalStatus{}, err
	}
	for _, b := range ImportBanks {
		switch {
		case banks[b].Verified:
			st.BankStatus[b] = Verified
		case banks[b].Ongoing:
			st.BankStatus[b] = Ongoing
		default:
			st.BankStatus[b] = NotVerified
		}
	}
	success, pending, err := s.store.BPJSSummary(ctx, applicationID, now.Add(-s.cfg.External.BPJSPendingFor))
	switch {
	case err != nil:
		return ExternalStatus{}, err
	case success:
		st.BPJSStatus = Verified
	case pending:
		st.BPJSStatus = Ongoing
	}
	return st, nil
}
