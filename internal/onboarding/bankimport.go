package onboarding

import (
	"context"
	"errors"
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// BankImportInput is the external-data-imports request. Credentials is a
// JSON object, or a string holding one in JSON or Python quoting (errata 25).
type BankImportInput struct {
	julo.Problems
	DataType    *string `form:"data_type"`
	Credentials *any    `form:"credentials"`
}

// BankImportStarted is the answer to an import request (errata 26).
type BankImportStarted struct {
	Status   string `json:"status"`
	XID      int64  `json:"application_xid"`
	DataType string `json:"data_type"`
	ID       int64  `json:"id"`
}

// StartBankImport hands the credentials to the scraper, which keeps them;
// this server stores, logs and returns none of them. One import per bank and
// application runs at a time (ECONFLICT); a scraper that fails or does not
// answer in time is EUPSTREAM and leaves no import behind. The sandbox
// scraper's planned progress is queued as ImportEventJobs.
func (s *Service) StartBankImport(ctx context.Context, p julo.Partner, xid string, in BankImportInput) (BankImportStarted, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return BankImportStarted{}, err
	}
	ps := in.Problems
	bank, ok := required(&ps, "data_type", in.DataType)
	bank = strings.ToLower(bank)
	if ok && !contains(ImportBanks, bank) {
		ps.Add("data_type", i18n.DataTypeValue)
	}
	var user, pass string
	if !ps.Has("credentials") {
		if in.Credentials == nil {
			ps.Add("credentials", i18n.Required)
		} else {
			user, pass = parseCredentials(&ps, *in.Credentials)
		}
	}
	if err := ps.Err(); err != nil {
		return BankImportStarted{}, err
	}
	// A running import of the bank is refused before the scraper is
	// called; a race past this check is decided by the unique index.
	if active, err := s.store.ActiveBankImport(ctx, app.ID, bank); err == nil {
		return BankImportStarted{}, julo.Errorf(julo.ECONFLICT, "data_type", i18n.ImportInProgress, bank, active.ID)
	} else if julo.ErrorCode(err) != julo.ENOTFOUND {
		return BankImportStarted{}, err
	}
	ref, err := s.randomHex(16)
	if err != nil {
		return BankImportStarted{}, err
	}
	now := s.now()
	// The scraper first, so that a scraper that fails leaves nothing to
	// undo; then the import and the sandbox's planned progress (jobs, each
	// scheduled for its time) in one transaction.
	planned, err := s.scraper.StartImport(ctx, BankJob{Ref: ref, Bank: bank, Username: user, Password: pass,
		CallbackURL: s.cfg.External.PublicURL + "/vendor/v1/bank-scrape/callback"})
	if e := (*julo.Error)(nil); err != nil && !errors.As(err, &e) {
		err = &julo.Error{Code: julo.EUPSTREAM, Problems: []julo.Problem{{Msg: i18n.ScraperFailed}}, Err: err}
	}
	if err != nil {
		return BankImportStarted{}, err
	}
	jobs := make([]julo.Scheduled, len(planned))
	for i, e := range planned {
		jobs[i] = julo.Scheduled{Job: ImportEventJob{Ref: ref, Status: e.Status, Message: e.Message}, At: now.Add(e.After)}
	}
	imp, err := s.store.CreateBankImport(ctx, BankImport{ApplicationID: app.ID, Bank: bank, Ref: ref, Status: ImportInitiated, CreatedAt: now}, jobs)
	if julo.IsDuplicate(err, UniqueActiveImport) {
		active, aerr := s.store.ActiveBankImport(ctx, app.ID, bank)
		if aerr != nil {
			return BankImportStarted{}, aerr
		}
		return BankImportStarted{}, julo.Errorf(julo.ECONFLICT, "data_type", i18n.ImportInProgress, bank, active.ID)
	}
	if err != nil {
		return BankImportStarted{}, err
	}
	return BankImportStarted{Status: ImportInitiated, XID: app.XID, DataType: bank, ID: imp.ID}, nil
}

// BankCallback records an import's progress that the scraper service
// reports, after checking its signature. A state that cannot follow the
// current one is ECONFLICT; repeating the current state is accepted.
func (s *Service) BankCallback(ctx context.Context, signature string, body []byte) error {
	if err := s.verifyCallback(s.cfg.External.ScraperCallbackSecret, signature, body); err != nil {
		return err
	}
	c, err := parseCallback(body)
	if err != nil {
		return err
	}
	if c.Import == "" || c.Status == "" {
		return julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, `need "import_id" and "status"`)
	}
	return s.advanceImport(ctx, c.Import, c.Status, c.Message)
}

// importTransition is the state machine of bank imports: a state may
// follow the current one as importNext says; repeating it changes nothing.
func importTransition(imp BankImport, status, message string) (string, string, error) {
	if imp.Status == status {
		return status, imp.Message, nil
	}
	if !contains(importNext[imp.Status], status) {
		return "", "", julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, status, imp.Status)
	}
	return status, message, nil
}

func (s *Service) advanceImport(ctx context.Context, ref, status, message string) error {
	err := s.store.AdvanceImport(ctx, ref, s.now(), func(imp BankImport) (string, string, error) {
		return importTransition(imp, status, message)
	})
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return julo.Errorf(julo.ENOTFOUND, "", i18n.CallbackUnknownTask, ref)
	}
	return err
}

// ImportEventJob is one progress report the sandbox scraper planned for an
// import, run when it is due.
type ImportEventJob struct {
	Ref     string `json:"ref"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Kind names the job.
func (ImportEventJob) Kind() string { return "sandbox_bank_import_event" }

// ApplyImportEvent runs an ImportEventJob through the same state machine as
// a vendor's callback. An event the state machine refuses (the import moved
// on meanwhile) is dropped: the job is done, not retried.
func (s *Service) ApplyImportEvent(ctx context.Context, j ImportEventJob) error {
	err := s.advanceImport(ctx, j.Ref, j.Status, j.Message)
	if c := julo.ErrorCode(err); c == julo.ECONFLICT || c == julo.ENOTFOUND {
		return nil
	}
	return err
}
