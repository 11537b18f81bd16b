package onboarding

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/webhook"
)

// BPJSLoginInput is the BPJS login request: the app type (web or android)
// and, optionally, where to send the customer after the login page.
type BPJSLoginInput struct {
	Problems    julo.Problems // the decoder's
	AppType     string
	RedirectURL string // "": stay on the page; else under a registered return-URL prefix
}

// BPJSExpired is the status of a pending task closed because its time
// (BPJSPendingFor) passed before a new login replaced it: it takes no
// submission or outcome any more.
const BPJSExpired = "expired"

// UniquePendingBPJSTask is the rule of at most one pending BPJS task per
// application.
const UniquePendingBPJSTask julo.UniqueKey = "pending_bpjs_task"

// BPJSLoginURL returns the URL the customer opens to log in to BPJS for the
// application (app_type web or android). A redirect_url must start with one
// of the partner's return-URL prefixes (EINVALID otherwise, and nothing is
// recorded): the login page never redirects elsewhere.
//
// Calls for one application share one task while it lives: the latest
// task, pending or failed (the customer may try again on the same URL),
// until BPJSPendingFor after it was created, is reused with this call's
// app_type and redirect_url, and the answer is a URL of that task. Only
// when there is none (never, succeeded, expired) is a new task made, and the
// expired pending one closed: an application never holds two pending tasks,
// however often a partner calls.
func (s *Service) BPJSLoginURL(ctx context.Context, p julo.Partner, xid string, in BPJSLoginInput) (map[string]string, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return nil, err
	}
	ps := in.Problems
	if in.AppType != "web" && in.AppType != "android" {
		ps.Add("app_type", i18n.AppTypeValue, in.AppType)
	}
	if in.RedirectURL != "" && !ps.Has("redirect_url") {
		prefixes, err := s.store.ReturnURLPrefixes(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if msg := redirectProblem(prefixes, in.RedirectURL); msg != "" {
			ps.Add("redirect_url", msg)
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	token, err := s.randomHex(16)
	if err != nil {
		return nil, err
	}
	login := BPJSLogin{Token: token, AppType: in.AppType, RedirectURL: in.RedirectURL,
		CallbackURL: s.cfg.External.PublicURL + "/vendor/v1/bpjs/callback"}
	// The URL first: a provider that fails must leave no pending task.
	url, err := s.bpjs.LoginURL(ctx, login)
	if err != nil {
		return nil, err
	}
	now := s.now()
	live := func(t BPJSTask) bool {
		return (t.Status == BPJSPending || t.Status == BPJSFailed) && now.Before(t.CreatedAt.Add(s.cfg.External.BPJSPendingFor))
	}
	task, reused, err := s.store.OpenBPJSTask(ctx, BPJSTask{ApplicationID: app.ID, Token: token, AppType: in.AppType,
		RedirectURL: in.RedirectURL}, now, live)
	if err != nil {
		return nil, err
	}
	if reused {
		// The provider gave a URL for the new token; the same provider
		// gives one for the task's own.
		login.Token = task.Token
		if url, err = s.bpjs.LoginURL(ctx, login); err != nil {
			return nil, err
		}
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
	if c.Task == "" || c.Status != BPJSSuccess && c.Status != BPJSFailed && c.Status != BPJSSubmitted {
		return julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, `need "task" and "status": submitted, success or failed`)
	}
	if c.Status == BPJSSubmitted {
		// The customer submitted the login (again, after a failure): BPJS
		// is ongoing until the outcome arrives.
		err = s.store.SubmitBPJSTask(ctx, c.Task, s.now(), func(t BPJSTask) (bool, error) {
			switch {
			case t.Status == BPJSSuccess:
				return false, julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, c.Status, t.Status)
			case t.Status == BPJSPending && !t.SubmittedAt.IsZero():
				return false, nil // a repeat
			case t.Status == BPJSExpired:
				return false, julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, c.Status, t.Status)
			}
			return true, nil
		})
		if julo.IsDuplicate(err, UniquePendingBPJSTask) {
			// An old task the customer came back to while a newer one is
			// pending: the newer login is the one that counts.
			err = julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, c.Status, BPJSExpired)
		}
	} else {
		err = s.store.FinishBPJSTask(ctx, c.Task, c.Status, c.Message, s.now())
		if julo.ErrorCode(err) == julo.ECONFLICT {
			err = julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, c.Status, "final")
		}
	}
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return julo.Errorf(julo.ENOTFOUND, "", i18n.CallbackUnknownTask, c.Task)
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

// BPJSLoginOutcome is what a login on the sandbox BPJS page led to: the
// outcome the vendor will report (BPJSSuccess or BPJSFailed), and where the
// customer goes next ("": nowhere, the page stays): the task's redirect_url
// with bpjs_status=success or failed added to its query.
type BPJSLoginOutcome struct {
	Outcome     string
	RedirectURL string
}

// withBPJSStatus adds bpjs_status=outcome to u's query, before any
// fragment, leaving the rest of u as the partner wrote it.
func withBPJSStatus(u, outcome string) string {
	if u == "" {
		return ""
	}
	u, frag, hasFrag := strings.Cut(u, "#")
	sep := "?"
	switch {
	case strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&"):
		sep = ""
	case strings.Contains(u, "?"):
		sep = "&"
	}
	u += sep + "bpjs_status=" + outcome
	if hasFrag {
		u += "#" + frag
	}
	return u
}

// SandboxBPJSLogin takes a login on the sandbox BPJS page: an unknown test
// login changes nothing (EINVALID); a task that is unknown is ENOTFOUND;
// one that succeeded takes no other outcome, one whose login is being
// checked takes no second one, and one older than BPJSPendingFor takes none
// (ECONFLICT). Otherwise the task is submitted (again, after a failed
// login) and the outcome queued to be reported as the vendor would
// (CompleteSandboxBPJS). Every refusal has a message for the page.
func (s *Service) SandboxBPJSLogin(ctx context.Context, token, email, password string) (BPJSLoginOutcome, error) {
	outcome, ok := SandboxBPJSLogins[strings.ToLower(strings.TrimSpace(email))]
	if !ok || password == "" {
		return BPJSLoginOutcome{}, julo.Errorf(julo.EINVALID, "username", i18n.BPJSPageUnknownLogin, "sukses@bpjs.sandbox", "gagal@bpjs.sandbox")
	}
	now := s.now()
	var out BPJSLoginOutcome
	err := s.store.SubmitBPJSTask(ctx, token, now, func(t BPJSTask) (bool, error) {
		out = BPJSLoginOutcome{Outcome: outcome, RedirectURL: withBPJSStatus(t.RedirectURL, outcome)}
		switch {
		case t.Status == BPJSSuccess && outcome == BPJSSuccess:
			return false, nil // a repeat of the login that succeeded
		case t.Status == BPJSSuccess:
			return false, julo.Errorf(julo.ECONFLICT, "", i18n.BPJSPageAlreadyVerified)
		case t.Status == BPJSExpired || !now.Before(t.CreatedAt.Add(s.cfg.External.BPJSPendingFor)):
			return false, julo.Errorf(julo.ECONFLICT, "", i18n.BPJSPageExpired)
		case t.Status == BPJSPending && !t.SubmittedAt.IsZero():
			return false, julo.Errorf(julo.ECONFLICT, "", i18n.BPJSPageChecking)
		}
		return true, nil
	}, julo.Scheduled{Job: SandboxBPJSCompletion{Token: token, Outcome: outcome}, At: now})
	if julo.IsDuplicate(err, UniquePendingBPJSTask) {
		return BPJSLoginOutcome{}, julo.Errorf(julo.ECONFLICT, "", i18n.BPJSPageExpired) // a newer login replaced this one
	}
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return BPJSLoginOutcome{}, julo.Errorf(julo.ENOTFOUND, "", i18n.BPJSPageUnknownTask)
	}
	if err != nil {
		return BPJSLoginOutcome{}, err
	}
	return out, nil
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
