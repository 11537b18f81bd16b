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
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/vendors"
	"github.com/julo-partnership/julo/internal/worker"
)

// lendingConfig is the loans' settings (issue 13): the lender as the
// agreement names it, and the disbursement provider. The provider's token
// comes from the environment only (flags show in ps).
type lendingConfig struct {
	lender               lending.Lender
	provider, url, token string
	secret               string // verifies the provider's callbacks (JULO_DISBURSEMENT_CALLBACK_SECRET)
	timeout              time.Duration
	// The payment gateway (issue 14): its name (JULO_PAYMENT_GATEWAY) and
	// the secret its callbacks are signed with
	// (JULO_PAYMENT_CALLBACK_SECRET).
	paymentGateway, paymentSecret string
}

// flags declares the lender's identity flags on fs and reads the
// disbursement provider's settings from the environment.
func (lc *lendingConfig) flags(fs *flag.FlagSet, getenv func(string) string, errs *[]error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&lc.lender.Name, "lender-name", env("JULO_LENDER_NAME", ""),
		"the lender's legal name, as loan agreements name it; sandbox default: a sandbox placeholder (JULO_LENDER_NAME)")
	fs.StringVar(&lc.lender.Address, "lender-address", env("JULO_LENDER_ADDRESS", ""), "the lender's address in loan agreements (JULO_LENDER_ADDRESS)")
	fs.StringVar(&lc.lender.License, "lender-license", env("JULO_LENDER_LICENSE", ""),
		"the lender's OJK licence, as loan agreements cite it (JULO_LENDER_LICENSE)")
	fs.StringVar(&lc.lender.Complaints, "lender-complaints", env("JULO_LENDER_COMPLAINTS", ""),
		"where customers complain (email, phone), as loan agreements name it (JULO_LENDER_COMPLAINTS)")
	lc.provider, lc.url, lc.token = getenv("JULO_DISBURSEMENT_PROVIDER"), getenv("JULO_DISBURSEMENT_URL"), getenv("JULO_DISBURSEMENT_TOKEN")
	lc.secret = getenv("JULO_DISBURSEMENT_CALLBACK_SECRET")
	lc.paymentGateway, lc.paymentSecret = getenv("JULO_PAYMENT_GATEWAY"), getenv("JULO_PAYMENT_CALLBACK_SECRET")
	v := env("JULO_DISBURSEMENT_TIMEOUT", "15s")
	d, err := time.ParseDuration(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("JULO_DISBURSEMENT_TIMEOUT=%q is not a duration (like 15s)", v))
	}
	lc.timeout = d
}

// validate checks the settings: production names a real lender and pays
// through a configured https provider; the sandbox fills placeholders.
func (lc lendingConfig) validate(production bool) error {
	vendor := lc.provider == "vendor" || lc.provider == "" && production && lc.url != ""
	switch {
	case lc.provider != "" && lc.provider != "sandbox" && lc.provider != "vendor":
		return fmt.Errorf("JULO_DISBURSEMENT_PROVIDER=%q: use sandbox or vendor", lc.provider)
	case lc.provider == "sandbox" && production:
		return errors.New("JULO_DISBURSEMENT_PROVIDER=sandbox is not allowed in production: it pays nothing")
	case vendor && (lc.url == "" || lc.token == ""):
		return errors.New("the disbursement vendor needs JULO_DISBURSEMENT_URL and JULO_DISBURSEMENT_TOKEN")
	case vendor && production && lc.secret == "":
		return errors.New("the disbursement vendor needs JULO_DISBURSEMENT_CALLBACK_SECRET in production: its callbacks move money's state")
	case vendor && production && !strings.HasPrefix(lc.url, "https://"):
		return errors.New("JULO_DISBURSEMENT_URL must be https:// in production: transfers carry account numbers")
	case lc.timeout <= 0 || lc.timeout > time.Minute:
		return fmt.Errorf("JULO_DISBURSEMENT_TIMEOUT %s: use more than 0 and at most 1m", lc.timeout)
	case production && lc.paymentGateway != "" && len(lc.paymentSecret) < 32:
		return fmt.Errorf("JULO_PAYMENT_GATEWAY=%s needs JULO_PAYMENT_CALLBACK_SECRET (at least 32 characters) in production: its callbacks apply payments", lc.paymentGateway)
	}
	return nil
}

// checkLender refuses production without the lender's identity: loan
// agreements name it. (Checked when the loans' service is built, after the
// keys, so that a key problem is reported first.)
func (lc lendingConfig) checkLender(production bool) error {
	if production && (lc.lender.Name == "" || lc.lender.License == "" || lc.lender.Complaints == "") {
		return errors.New("production needs --lender-name, --lender-license and --lender-complaints (JULO_LENDER_*): loan agreements name the lender")
	}
	// Without a provider every signed loan would reach 212 and wait there,
	// its amount held, with nothing to pay it.
	if _, none := lc.disburser(production).(vendors.UnconfiguredDisbursement); none {
		return errors.New("production needs a disbursement provider: set JULO_DISBURSEMENT_URL, JULO_DISBURSEMENT_TOKEN and JULO_DISBURSEMENT_CALLBACK_SECRET")
	}
	return nil
}

// lenderNamed is the lender the agreements name: the configured one, or in
// the sandbox (validate refuses production without one) a placeholder that
// says it is not a lender.
func (lc lendingConfig) lenderNamed() lending.Lender {
	if lc.lender.Name != "" {
		return lc.lender
	}
	return lending.Lender{Name: "PT Pemberi Pinjaman Sandbox (bukan pemberi pinjaman sungguhan)",
		Address: "Jakarta, Indonesia", License: "Sandbox: tanpa izin OJK", Complaints: "sandbox@example.invalid"}
}

// disburser picks the disbursement provider: the sandbox's unless
// "vendor" is asked for; in production the vendor when its URL is set,
// else "not configured", with which production refuses to start
// (checkLender).
func (lc lendingConfig) disburser(production bool) lending.Disburser {
	switch {
	case lc.provider == "vendor" || lc.provider == "" && production && lc.url != "":
		return &vendors.Disbursement{URL: lc.url, Token: lc.token, Client: &http.Client{Timeout: lc.timeout, CheckRedirect: refuseRedirect}}
	case !production:
		return vendors.SandboxDisbursement{}
	}
	return vendors.UnconfiguredDisbursement{}
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// lendingService builds the loans' service on the store.
func (c config) lendingService(db *store.DB, svc *onboarding.Service, h hooks) (*lending.Service, error) {
	if err := c.lending.checkLender(c.production()); err != nil {
		return nil, err
	}
	p, err := c.credit.policy()
	if err != nil {
		return nil, err
	}
	terms, err := lending.ParseTerms(p)
	if err != nil {
		return nil, err
	}
	secret := []byte(c.lending.secret)
	if len(secret) == 0 {
		secret = svc.CallbackSecret("disbursement")
	}
	// The payment gateway's secret: the configured one; in the sandbox a
	// derived one, so partners can try the callback; in production none
	// without a gateway (every payment callback is refused).
	paySecret := []byte(c.lending.paymentSecret)
	if len(paySecret) == 0 && !c.production() {
		paySecret = svc.CallbackSecret("payments")
	}
	return lending.New(lending.Deps{Store: db, Images: loanImages{svc: svc, db: db}, Disburser: c.lending.disburser(c.production()),
		Terms: terms, Lender: c.lending.lenderNamed(), CallbackSecret: secret, PaymentSecret: paySecret, Enqueue: db.Enqueue,
		Now: h.now}), nil
}

// loanImages stores loan images through onboarding's image pipeline into
// the loans' table.
type loanImages struct {
	svc *onboarding.Service
	db  *store.DB
}

func (li loanImages) UploadLoanImage(ctx context.Context, app onboarding.Application, loanID, loanXID int64, typ string,
	in onboarding.ImageUploadInput) (lending.Image, error) {
	return li.svc.UploadLoanImage(ctx, app, loanXID, typ, in, lending.UniqueLoanImageID, func(img onboarding.Image) (onboarding.Image, error) {
		return li.db.AddLoanImage(ctx, loanID, img)
	})
}

func (li loanImages) OpenLoanImage(ctx context.Context, img lending.Image) (io.ReadCloser, error) {
	return li.svc.OpenLoanImage(ctx, img)
}

// registerLending adds the loans' workers: the disbursement, its checks,
// the expiry of unsigned loans.
func registerLending(ws *river.Workers, ls *lending.Service) error {
	return worker.RegisterLending(ws, ls)
}

// loanSettingFlags are partner set's loan settings; nil fields are not
// changed.
type loanSettingFlags struct {
	signature, hold           *bool
	settleBank, settleAccount *string
}

func (f *loanSettingFlags) declare(fs *flag.FlagSet) {
	boolFlag := func(name, usage string, dst **bool) {
		fs.Func(name, usage, func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("use true or false")
			}
			*dst = &b
			return nil
		})
	}
	boolFlag("loan-signature-required", "with set: whether signing a loan needs a signature image (true, the default, or false)", &f.signature)
	boolFlag("loan-hold-for-operator", "with set: whether signed loans wait at 211 for an operator's approval (false, the default: approved automatically)", &f.hold)
	fs.Func("settlement-bank", "with set: the bank of the partner's settlement account, where third-party loans are paid", func(v string) error {
		f.settleBank = &v
		return nil
	})
	fs.Func("settlement-account", "with set: the partner's settlement account number (6 to 20 digits)", func(v string) error {
		f.settleAccount = &v
		return nil
	})
}

func (f loanSettingFlags) any() bool {
	return f.signature != nil || f.hold != nil || f.settleBank != nil || f.settleAccount != nil
}

var accountNumberRE = regexp.MustCompile(`^[0-9]{6,20}$`)

func (f loanSettingFlags) validate() error {
	if f.settleAccount != nil && *f.settleAccount != "" && !accountNumberRE.MatchString(*f.settleAccount) {
		return fmt.Errorf("--settlement-account %q: use 6 to 20 digits", *f.settleAccount)
	}
	if (f.settleBank == nil) != (f.settleAccount == nil) {
		return errors.New("--settlement-bank and --settlement-account go together")
	}
	if f.settleBank != nil && (*f.settleBank == "") != (*f.settleAccount == "") {
		return errors.New("--settlement-bank and --settlement-account are both set or both empty (clearing them)")
	}
	return nil
}

// apply stores the changed settings and returns the partner's settings.
func (f loanSettingFlags) apply(ctx context.Context, db *store.DB, username string, at time.Time) (lending.PartnerSettings, error) {
	return db.SetPartnerLoanSettings(ctx, username, at, func(s *lending.PartnerSettings) {
		if f.signature != nil {
			s.SignatureRequired = *f.signature
		}
		if f.hold != nil {
			s.HoldForOperator = *f.hold
		}
		if f.settleBank != nil {
			s.SettlementBank, s.SettlementAccount = *f.settleBank, *f.settleAccount
		}
	})
}

func loanSettingsJSON(s lending.PartnerSettings) map[string]any {
	return map[string]any{"signature_required": s.SignatureRequired, "hold_for_operator": s.HoldForOperator,
		"settlement_bank": s.SettlementBank, "settlement_account": s.SettlementAccount}
}

// loanCommand is `julo loan show|approve|reject XID`: an operator reads a
// loan, or decides one held for approval at 211.
func loanCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	var c config
	fs := newFlagSet("loan", stderr)
	c.flags(fs, getenv, false)
	reason := fs.String("reason", "", "with fail: why the transfer failed (a short code, as the provider confirmed it)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "show" && pos[0] != "approve" && pos[0] != "reject" && pos[0] != "retry" && pos[0] != "fail" {
		return errors.New("usage: julo loan show|approve|reject|retry|fail LOAN_XID [--reason CODE]")
	}
	xid, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil {
		return fmt.Errorf("loan xid %q: not a number", pos[1])
	}
	if err := c.validate(); err != nil {
		return err
	}
	if err := c.lending.validate(c.production()); err != nil {
		return err
	}
	svc, db, err := openService(ctx, c, getenv, h, nil, slog.New(slog.NewJSONHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer db.Close()
	ls, err := c.lendingService(db, svc, h)
	if err != nil {
		return err
	}
	var l lending.Loan
	switch pos[0] {
	case "show":
		l, err = db.LoanByXID(ctx, xid)
	case "retry":
		l, err = ls.RetryDisbursement(ctx, xid)
	case "fail":
		l, err = ls.FailDisbursement(ctx, xid, *reason)
	default:
		l, err = ls.Decide(ctx, xid, pos[0] == "approve")
	}
	if err != nil {
		return operatorError(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(loanRecord(l))
}

// loanRecord is a loan as the CLI prints it (the customer's account
// number masked).
func loanRecord(l lending.Loan) map[string]any {
	q := l.Quote
	sched := make([]map[string]any, 0, len(q.Schedule))
	for _, in := range q.Schedule {
		sched = append(sched, map[string]any{"number": in.Number, "due_date": in.Due.Format("2006-01-02"),
			"principal": in.Principal, "interest": in.Interest, "total": in.Total})
	}
	return map[string]any{"loan_xid": l.XID, "application_xid": l.ApplicationXID, "status": int(l.Status),
		"status_name": l.Status.Name(), "loan_amount": q.LoanAmount, "requested_amount": q.Requested,
		"provision_amount": q.Provision, "disbursement_amount": q.Disbursement, "duration": q.Duration,
		"interest_bps": q.InterestBPS, "provision_bps": q.ProvisionBPS, "daily_cost_ppm": q.DailyCostPPM,
		"benefit_cap":      map[string]any{"from": q.Cap.From.Format("2006-01-02"), "daily_ppm": q.Cap.DailyPPM, "source": q.Cap.Source},
		"debt_service_cap": map[string]any{"from": l.DebtCap.From.Format("2006-01-02"), "max_share_bps": l.DebtCap.MaxShareBPS, "source": l.DebtCap.Source},
		"policy_version":   l.PolicyVersion, "destination": map[string]any{"kind": l.Destination.Kind, "bank": l.Destination.BankName, "account": l.Destination.Masked()},
		"created_at": l.CreatedAt, "expires_at": l.ExpiresAt, "disbursement_ref": l.DisbursementRef,
		"failure_reason": l.FailureReason, "schedule": sched}
}
