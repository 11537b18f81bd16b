package onboarding

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/webhook"
)

// BPJSLoginURL starts a BPJS login task for the application and returns the
// URL the customer opens (app_type web or android).
func (s *Service) BPJSLoginURL(ctx context.Context, p julo.Partner, xid, appType string) (map[string]string, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return nil, err
	}
	if appType != "web" && appType != "android" {
		return nil, julo.Errorf(julo.EINVALID, "app_type", i18n.AppTypeValue, appType)
	}
	token, err := s.randomHex(16)
	if err != nil {
		return nil, err
	}
	// The URL first: a provider that fails must leave no pending task.
	url, err := s.bpjs.LoginURL(ctx, BPJSLogin{Token: token, AppType: appType,
		CallbackURL: s.cfg.External.PublicURL + "/vendor/v1/bpjs/callback"})
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateBPJSTask(ctx, app.ID, token, appType, s.now()); err != nil {
		return nil, err
	}
	return map[string]string{"url": url}, nil
}

// BPJSCallback records the outcome of a BPJS login that the vendor (or the
// sandbox login page) reports, after checking its signature. Unsigned,
// wrongly signed or stale callbacks change nothing (EUNAUTHORIZED).
func (s *Service) BPJSCallback(ctx context.Context, signature string, body []byte) error {
	if err := s.verifyCallback(s.cfg.External.BPJSCallbackSecret, signature, body); err != nil {
		return err
	}
	c, err := parseCallback(body)
	if err != nil {
		return err
	}
	if c.Task == "" || c.Status != BPJSSuccess && c.Status != BPJSFailed {
		return julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, `need "task" and "status": success or failed`)
	}
	err = s.store.FinishBPJSTask(ctx, c.Task, c.Status, c.Message, s.now())
	switch julo.ErrorCode(err) {
	case julo.ENOTFOUND:
		return julo.Errorf(julo.ENOTFOUND, "", i18n.CallbackUnknownTask, c.Task)
	case julo.ECONFLICT:
		return julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, c.Status, "final")
	}
	return err
}

// SandboxBPJSLogins are the documented test logins of the sandbox BPJS page.
var SandboxBPJSLogins = map[string]string{
	"sukses@bpjs.sandbox": BPJSSuccess,
	"gagal@bpjs.sandbox":  BPJSFailed,
}

// SandboxBPJSCompletion is the sandbox vendor's callback for a login on its
// page: a job, so that the outcome arrives the way a vendor's does, after
// the page answered, through the signed-callback path.
type SandboxBPJSCompletion struct {
	Token   string `json:"token"`
	Outcome string `json:"outcome"`
}

// Kind names the job.
func (SandboxBPJSCompletion) Kind() string { return "sandbox_bpjs_completion" }

// SandboxBPJSLogin takes a login on the sandbox BPJS page: an unknown test
// login changes nothing (EINVALID), a task that is unknown or already ended
// is refused now (ENOTFOUND, ECONFLICT), and otherwise the outcome is queued
// to be reported as the vendor would (CompleteSandboxBPJS).
func (s *Service) SandboxBPJSLogin(ctx context.Context, token, email, password string) (string, error) {
	outcome, ok := SandboxBPJSLogins[strings.ToLower(strings.TrimSpace(email))]
	if !ok || password == "" {
		return "", julo.Errorf(julo.EINVALID, "username", i18n.CallbackMalformed, "use a sandbox test login: sukses@bpjs.sandbox or gagal@bpjs.sandbox, any password")
	}
	task, err := s.store.BPJSTask(ctx, token)
	switch {
	case julo.ErrorCode(err) == julo.ENOTFOUND:
		return "", julo.Errorf(julo.ENOTFOUND, "", i18n.CallbackUnknownTask, token)
	case err != nil:
		return "", err
	case task.Status != BPJSPending && task.Status != outcome:
		return "", julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, outcome, "final")
	}
	return outcome, s.store.Enqueue(ctx, julo.Scheduled{Job: SandboxBPJSCompletion{Token: token, Outcome: outcome}, At: s.now()})
}

// CompleteSandboxBPJS runs a SandboxBPJSCompletion: it signs the outcome as
// the vendor would and records it through BPJSCallback. A task that ended
// meanwhile with the other outcome keeps it (the job is done, not retried).
func (s *Service) CompleteSandboxBPJS(ctx context.Context, j SandboxBPJSCompletion) error {
	body, err := json.Marshal(callbackBody{Task: j.Token, Status: j.Outcome, Message: "sandbox login"})
	if err != nil {
		return err
	}
	err = s.BPJSCallback(ctx, webhook.Sign(s.cfg.External.BPJSCallbackSecret, s.now(), body), body)
	if c := julo.ErrorCode(err); c == julo.ECONFLICT || c == julo.ENOTFOUND {
		return nil
	}
	return err
}
