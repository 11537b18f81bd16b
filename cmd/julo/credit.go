package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/vendors"
)

// creditConfig is the credit decision's settings (issue 12): the policy
// file and the identity and bureau vendors. Tokens come from the
// environment only (flags show in ps).
type creditConfig struct {
	policyPath                                   string
	identityProvider, identityURL, identityToken string
	bureauProvider, bureauURL, bureauToken       string
	identityTimeout, bureauTimeout               time.Duration
}

// flags declares --credit-policy on fs (every command: the operator's
// decisions check limits against the policy too) and reads the vendors'
// settings from the environment.
func (cc *creditConfig) flags(fs *flag.FlagSet, getenv func(string) string, errs *[]error) {
	fs.StringVar(&cc.policyPath, "credit-policy", getenv("JULO_CREDIT_POLICY"),
		"the credit policy, a JSON file (see internal/credit/policy_default.json); empty: the embedded default (JULO_CREDIT_POLICY)")
	cc.identityProvider, cc.identityURL, cc.identityToken = getenv("JULO_IDENTITY_PROVIDER"), getenv("JULO_IDENTITY_URL"), getenv("JULO_IDENTITY_TOKEN")
	cc.bureauProvider, cc.bureauURL, cc.bureauToken = getenv("JULO_BUREAU_PROVIDER"), getenv("JULO_BUREAU_URL"), getenv("JULO_BUREAU_TOKEN")
	timeout := func(name string) time.Duration {
		v := getenv(name)
		if v == "" {
			v = "10s"
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("%s=%q is not a duration (like 10s or 1m)", name, v))
		}
		return d
	}
	cc.identityTimeout, cc.bureauTimeout = timeout("JULO_IDENTITY_TIMEOUT"), timeout("JULO_BUREAU_TIMEOUT")
}

// policy loads the policy: the server refuses to start on an invalid one.
func (cc creditConfig) policy() (credit.Policy, error) {
	return credit.LoadPolicy(cc.policyPath)
}

// validate checks the vendor settings: a provider is "sandbox" (the
// sandbox's default) or "vendor" (production's, chosen by its URL being
// set), which needs its URL, https:// in production (the calls carry
// personal data).
func (cc creditConfig) validate(production bool) error {
	if _, err := cc.policy(); err != nil {
		return err
	}
	for _, v := range []struct{ name, provider, url, urlVar string }{
		{"JULO_IDENTITY_PROVIDER", cc.identityProvider, cc.identityURL, "JULO_IDENTITY_URL"},
		{"JULO_BUREAU_PROVIDER", cc.bureauProvider, cc.bureauURL, "JULO_BUREAU_URL"},
	} {
		vendor := v.provider == "vendor" || v.provider == "" && production && v.url != ""
		switch {
		case v.provider != "" && v.provider != "sandbox" && v.provider != "vendor":
			return fmt.Errorf("%s=%q: use sandbox or vendor", v.name, v.provider)
		case v.provider == "sandbox" && production:
			return fmt.Errorf("%s=sandbox is not allowed in production", v.name)
		case vendor && v.url == "":
			return fmt.Errorf("%s=vendor needs %s", v.name, v.urlVar)
		case vendor && production && !strings.HasPrefix(v.url, "https://"):
			return fmt.Errorf("%s must be https:// in production: the checks carry personal data", v.urlVar)
		}
	}
	if cc.identityTimeout <= 0 || cc.bureauTimeout <= 0 {
		return errors.New("JULO_IDENTITY_TIMEOUT and JULO_BUREAU_TIMEOUT must be more than 0")
	}
	return nil
}

// providers picks the identity and bureau providers as vendorProviders
// does for BPJS and the scraper: the sandbox's magic serials in the
// sandbox unless "vendor" is asked for; in production the vendor when its
// URL is set, else "not configured" (the assessment retries, then sends
// the application to manual review).
func (cc creditConfig) providers(production bool) (credit.Identity, credit.Bureau) {
	var id credit.Identity = vendors.Unconfigured{What: "Identity check"}
	var bureau credit.Bureau = vendors.Unconfigured{What: "Credit bureau"}
	switch {
	case cc.identityProvider == "vendor" || cc.identityProvider == "" && production && cc.identityURL != "":
		id = &vendors.Identity{URL: cc.identityURL, Token: cc.identityToken, Client: &http.Client{Timeout: cc.identityTimeout}}
	case !production:
		id = vendors.SandboxIdentity{}
	}
	switch {
	case cc.bureauProvider == "vendor" || cc.bureauProvider == "" && production && cc.bureauURL != "":
		bureau = &vendors.Bureau{URL: cc.bureauURL, Token: cc.bureauToken, Client: &http.Client{Timeout: cc.bureauTimeout}}
	case !production:
		bureau = vendors.SandboxBureau{}
	}
	return id, bureau
}

// creditService builds the credit decision's service on the store.
func (c config) creditService(db *store.DB, h hooks) (*credit.Service, error) {
	p, err := c.credit.policy()
	if err != nil {
		return nil, err
	}
	id, bureau := c.credit.providers(c.production())
	return credit.New(credit.Deps{Store: db, Identity: id, Bureau: bureau, Policy: p, Now: h.now}), nil
}

// application is `julo application show XID` and `julo application decide
// XID ...`: manual review until the operator console exists.
func application(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	var c config
	fs := newFlagSet("application", stderr)
	c.flags(fs, getenv, false)
	approve := fs.Bool("approve", false, "with decide: approve (moves to 130 LIMIT_GENERATED)")
	reject := fs.Bool("reject", false, "with decide: reject (moves to 135 APPLICATION_REJECTED)")
	limit := fs.Int64("limit", 0, "with decide --approve: the set limit in rupiah (default: the engine's offer; at most the product maximum)")
	reasonCode := fs.String("reason-code", "", "with decide --reject: the reason code (snake_case)")
	reason := fs.String("reason", "", "with decide: why (recorded)")
	operator := fs.String("operator", "", "with decide: who decides (recorded)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	const use = "usage: julo application show XID | julo application decide XID --approve [--limit N] --reason TEXT --operator NAME | " +
		"julo application decide XID --reject --reason-code CODE --reason TEXT --operator NAME | julo application reviews"
	if len(pos) == 1 && pos[0] == "reviews" { // the review requests' queue (activation.go)
		pos = append(pos, "0")
	}
	if len(pos) != 2 || pos[0] != "show" && pos[0] != "decide" && pos[0] != "reviews" {
		return errors.New(use)
	}
	xid, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not an application xid", pos[1])
	}
	if pos[0] == "decide" && *approve == *reject {
		return errors.New("decide needs exactly one of --approve and --reject; " + use)
	}
	if err := c.validate(); err != nil {
		return err
	}
	db, _, err := openStore(ctx, c, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if h.now != nil {
		db.SetClock(h.now)
	}
	cs, err := c.creditService(db, h)
	if err != nil {
		return err
	}
	notFound := func(err error) error {
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			return fmt.Errorf("no application %d", xid)
		}
		return err
	}
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	if pos[0] == "show" {
		r, err := cs.Show(ctx, xid)
		if err != nil {
			return notFound(err)
		}
		return out.Encode(reviewJSON(r))
	}
	if pos[0] == "reviews" {
		return reviewQueue(ctx, c, db, h, stdout)
	}
	// At 135 the decision is on the customer's review request (activation.go).
	if d, handled, err := decideReview(ctx, c, db, h, xid, *approve, julo.Money(*limit), *reason, *operator); handled {
		if err != nil {
			return err
		}
		slog.New(slog.NewJSONHandler(stderr, nil)).Info("operator review decision", "application_xid", xid, "outcome", d.Outcome,
			"to_status", int(d.ToStatus), "operator", *operator)
		return out.Encode(d)
	}
	d, err := cs.Decide(ctx, xid, credit.OperatorDecision{Approve: *approve, Limit: julo.Money(*limit), ReasonCode: *reasonCode,
		Reason: *reason, Operator: *operator})
	if err != nil {
		return notFound(err)
	}
	slog.New(slog.NewJSONHandler(stderr, nil)).Info("operator decision", "application_xid", xid, "outcome", d.Outcome,
		"to_status", int(d.ToStatus), "operator", *operator)
	return out.Encode(d)
}

// reviewJSON is what application show prints: the application (its status
// and partner-facing ids, no personal data beyond the NIK the operator
// looks up), the evidence an assessment reads, and every decision record.
func reviewJSON(r credit.Review) map[string]any {
	ev := r.Evidence
	evidence := map[string]any{}
	if ev.Round > 0 {
		evidence = map[string]any{
			"round": ev.Round, "round_decided": ev.Decided, "vendor_failures": ev.VendorFailures,
			"declared": map[string]any{
				"monthly_income": ev.Declared.MonthlyIncome, "monthly_expenses": ev.Declared.MonthlyExpenses,
				"monthly_housing_cost": ev.Declared.MonthlyHousingCost, "total_current_debt": ev.Declared.TotalCurrentDebt,
				"dependents": ev.Declared.Dependents, "job_type": ev.Declared.JobType, "job_start": ev.Declared.JobStart,
				"occupied_since": ev.Declared.OccupiedSince, "last_education": ev.Declared.LastEducation,
			},
			"phone_verified": ev.PhoneVerified, "bpjs_verified": ev.BPJSVerified, "bank_verified": ev.BankVerified,
			"documents": ev.Documents,
		}
	}
	decisions := r.Decisions
	if decisions == nil {
		decisions = []credit.Decision{}
	}
	a := r.Application
	return map[string]any{
		"application": map[string]any{"application_xid": a.XID, "status": int(a.Status), "status_name": a.Status.Name(),
			"created_at": a.CreatedAt},
		"evidence":  evidence,
		"decisions": decisions,
	}
}
