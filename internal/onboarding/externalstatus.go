package onboarding

import (
	"context"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// ExternalStatus is the partner-facing state of the optional steps.
type ExternalStatus struct {
	Banks      []BankStatus // one per bank of StatusBanks, in its order
	BPJSStatus string       // Verified, Ongoing or NotVerified
}

// BankStatus is one bank's entry in ExternalStatus.
type BankStatus struct {
	Bank   string
	Status string // Verified, Ongoing or NotVerified
	// Reason says why the bank is not verified after an import: the last
	// import's Reason* ("" when the bank is verified, an import runs, or
	// none was ever started).
	Reason string
	// UpdatedAt is when the import the entry shows last changed: the newest
	// successful one for a verified bank, else the newest one (zero: never
	// tried).
	UpdatedAt time.Time
}

// ScrapingStatus returns, for each bank, whether its data is verified, not
// verified or being imported, why a failed import failed, and BPJS's state.
func (s *Service) ScrapingStatus(ctx context.Context, p julo.Partner, xid string) (ExternalStatus, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return ExternalStatus{}, err
	}
	return s.externalStatus(ctx, app.ID)
}

// externalStatus: a bank (or BPJS) is verified once any import (login)
// succeeded, so a later failed retry cannot hide it; ongoing while one runs
// (BPJS: once the customer submitted the login, not when a URL was issued).
func (s *Service) externalStatus(ctx context.Context, applicationID int64) (ExternalStatus, error) {
	now := s.now()
	st := ExternalStatus{Banks: make([]BankStatus, 0, len(StatusBanks)), BPJSStatus: NotVerified}
	banks, err := s.store.BankSummary(ctx, applicationID)
	if err != nil {
		return ExternalStatus{}, err
	}
	for _, b := range StatusBanks {
		st.Banks = append(st.Banks, bankStatus(b, banks[b]))
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

func bankStatus(bank string, b BankState) BankStatus {
	switch {
	case b.Success.ID != 0:
		return BankStatus{Bank: bank, Status: Verified, UpdatedAt: b.Success.UpdatedAt}
	case b.Latest.ID == 0:
		return BankStatus{Bank: bank, Status: NotVerified}
	case !ImportFinal(b.Latest.Status):
		return BankStatus{Bank: bank, Status: Ongoing, UpdatedAt: b.Latest.UpdatedAt}
	}
	return BankStatus{Bank: bank, Status: NotVerified, Reason: importReason(b.Latest.Status, b.Latest.Reason),
		UpdatedAt: b.Latest.UpdatedAt}
}

// importReason is the reason a failed state shows: the recorded one, or
// the state's default (imports that ended before reasons were recorded).
func importReason(status, recorded string) string {
	if recorded != "" {
		return recorded
	}
	if rs := importReasons[status]; len(rs) > 0 {
		return rs[0]
	}
	return ""
}
