package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// BankImportInput is the external-data-imports request. Credentials is a
// JSON object (map[string]any), or a string holding one in JSON or Python
// quoting (errata 25). Problems are the decoder's, reported with the
// rules' own.
type BankImportInput struct {
	Problems    julo.Problems
	DataType    *string
	Credentials *any
}

// BankImportStarted is the answer to an import request.
type BankImportStarted struct {
	Status   string
	XID      int64
	DataType string
	ID       int64
}

// StartBankImport hands the credentials to the scraper, which keeps them;
// this server stores, logs and returns none of them. One import per bank and
// application runs at a time (ECONFLICT); a scraper that fails or does not
// answer in time is EUPSTREAM and leaves no import behind. The sandbox
// scraper's planned progress is queued as one ImportPlanJob.
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
	ref, err := s.randomHex(16)
	if err != nil {
		return BankImportStarted{}, err
	}
	now := s.now()
	// The import is recorded first: its unique index claims the bank, so
	// two requests racing cannot both hand the credentials to the scraper,
	// and a vendor that calls back at once finds the import.
	imp, err := s.createBankImport(ctx, BankImport{ApplicationID: app.ID, Bank: bank, Ref: ref, Status: ImportInitiated, CreatedAt: now})
	if julo.IsDuplicate(err, UniqueActiveImport) {
		active, aerr := s.store.ActiveBankImport(ctx, app.ID, bank)
		if aerr != nil {
			return BankImportStarted{}, aerr
		}
		return BankImportStarted{}, julo.Errorf(julo.ECONFLICT, "data_type", i18n.ImportInProgress, bank, active.PublicID)
	}
	if err != nil {
		return BankImportStarted{}, err
	}
	planned, err := s.scraper.StartImport(ctx, BankJob{Ref: ref, Bank: bank, Username: user, Password: pass,
		CallbackURL: s.cfg.External.PublicURL + "/vendor/v1/bank-scrape/callback"})
	if e := (*julo.Error)(nil); err != nil && !errors.As(err, &e) {
		err = &julo.Error{Code: julo.EUPSTREAM, Problems: []julo.Problem{{Msg: i18n.ScraperFailed}}, Err: err}
	}
	// The sandbox's planned progress: one job, scheduled for its first step.
	if err == nil && len(planned) > 0 {
		plan := ImportPlanJob{Ref: ref}
		for _, e := range planned {
			plan.Events = append(plan.Events, PlannedStep{Status: e.Status, Message: e.Message, Reason: e.Reason, At: now.Add(e.After)})
		}
		err = s.store.Enqueue(ctx, julo.Scheduled{Job: plan, At: plan.Events[0].At})
	}
	if err != nil {
		// No transaction can hold a call to the scraper: the import that
		// never started is removed again, so the partner can simply retry.
		if derr := s.store.DeleteBankImport(context.WithoutCancel(ctx), imp.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		return BankImportStarted{}, err
	}
	return BankImportStarted{Status: ImportInitiated, XID: app.XID, DataType: bank, ID: imp.PublicID}, nil
}

// createBankImport records imp under a fresh random public id, drawing
// another if the unique index finds the id taken (odds of volume/2^52).
func (s *Service) createBankImport(ctx context.Context, imp BankImport) (BankImport, error) {
	for try := 1; ; try++ {
		id, err := s.newPublicID()
		if err != nil {
			return BankImport{}, err
		}
		imp.PublicID = id
		out, err := s.store.CreateBankImport(ctx, imp, nil)
		if julo.IsDuplicate(err, UniqueImportID) && try < 5 {
			continue
		}
		return out, err
	}
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
	// The optional reason of a failed state (bank_unavailable, ...).
	var extra struct {
		Reason string `json:"reason"`
	}
	json.Unmarshal(body, &extra) // parseCallback accepted the body as an object
	return s.advanceImport(ctx, c.Import, ImportStep{Status: c.Status, Message: c.Message, Reason: extra.Reason})
}

// checkReason returns the reason to record for step: the step's own, when
// importReasons allows it for the step's state, else the state's default
// ("" for a state that is no failure). A reason that does not fit is
// EINVALID.
func checkReason(step ImportStep) (string, error) {
	allowed := importReasons[step.Status]
	switch {
	case step.Reason == "" && len(allowed) > 0:
		return allowed[0], nil
	case step.Reason == "" || contains(allowed, step.Reason):
		return step.Reason, nil
	}
	return "", julo.Errorf(julo.EINVALID, "", i18n.ImportReasonInvalid, step.Reason, step.Status)
}

// importTransition is the state machine of bank imports: a state may
// follow the current one as importNext says; repeating it changes nothing.
func importTransition(imp BankImport, step ImportStep) (ImportStep, error) {
	if imp.Status == step.Status {
		return ImportStep{Status: imp.Status, Message: imp.Message, Reason: imp.Reason}, nil
	}
	if !contains(importNext[imp.Status], step.Status) {
		return ImportStep{}, julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, step.Status, imp.Status)
	}
	return step, nil
}

func (s *Service) advanceImport(ctx context.Context, ref string, step ImportStep) error {
	reason, err := checkReason(step)
	if err != nil {
		return err
	}
	step.Reason = reason
	err = s.store.AdvanceImport(ctx, ref, s.now(), func(imp BankImport) (ImportStep, error) {
		return importTransition(imp, step)
	})
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return julo.Errorf(julo.ENOTFOUND, "", i18n.CallbackUnknownTask, ref)
	}
	return err
}

// ImportPlanJob is the progress the sandbox scraper planned for an import:
// its events in order, each with the time it is due.
type ImportPlanJob struct {
	Ref    string        `json:"ref"`
	Events []PlannedStep `json:"events"`
}

// PlannedStep is one planned progress report.
type PlannedStep struct {
	Status  string    `json:"status"`
	Message string    `json:"message"`
	Reason  string    `json:"reason,omitempty"` // "": the state's default
	At      time.Time `json:"at"`
}

// Kind names the job.
func (ImportPlanJob) Kind() string { return "sandbox_bank_import" }

// PlayImportPlan runs an ImportPlanJob: it applies every event that is due,
// in order, through the same state machine as a vendor's callbacks, and
// asks to run again (julo.RunLater) when the next one is due. One job per
// import keeps the order even when several events fall due together (a
// restart after downtime). Re-applying an event already applied changes
// nothing (the state machine accepts the current state and refuses an
// earlier one), so a run cut short is simply run again. An event the state
// machine refuses is dropped.
func (s *Service) PlayImportPlan(ctx context.Context, j ImportPlanJob) error {
	now := s.now()
	for _, e := range j.Events {
		if e.At.After(now) {
			return &julo.RunLater{After: e.At.Sub(now)}
		}
		err := s.advanceImport(ctx, j.Ref, ImportStep{Status: e.Status, Message: e.Message, Reason: e.Reason})
		switch julo.ErrorCode(err) {
		case julo.ENOTFOUND:
			return nil
		case julo.ECONFLICT, julo.EINVALID:
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}
