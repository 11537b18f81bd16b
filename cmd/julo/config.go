package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// config is every setting, each from a flag or its environment variable
// (the flag wins). See the README's configuration table.
type config struct {
	addr        string
	metricsAddr string
	// pprof adds Go's profiler (net/http/pprof) to the metrics listener.
	pprof bool
	// consoleAddr is the operator console's listener (console.go).
	consoleAddr string
	data        string
	databaseURL string
	blobURL     string
	env         string
	maxBody     int64
	maxUpload   int64
	blocked     string
	shutdown    time.Duration
	smsProvider string
	smsURL      string
	smsToken    string
	smsTimeout  time.Duration
	publicURL   string
	jobWorkers  int
	// formExpiryDays and coolingOffDays are registration policy (issue 10,
	// item 5), in whole days.
	formExpiryDays int
	coolingOffDays int
	// retentionDays: customers whose applications never reached 105 are
	// erased this long after their last change; termsVersion is recorded
	// with each consent (issue 10, item 4).
	retentionDays int
	termsVersion  string
	// idempotencyKeep is how long partners' Idempotency-Keys and their
	// kept answers live (issue 11, item 5).
	idempotencyKeep time.Duration
	// credentialCheck: how often an instance reads the credentials version
	// (issue 17; onboarding's credential cache), 0s: no cache.
	credentialCheck time.Duration
	vendors         vendorConfig
	conn            connConfig
	// budgets are the per-partner budgets' defaults (budgets.go).
	budgets budgetDefaults
	// credit is the credit decision's policy and vendors (credit.go).
	credit creditConfig
	// lending is the loans' lender identity and disbursement provider
	// (lending.go).
	lending lendingConfig
	// callbackTimeout bounds one attempt of a partner callback (issue 11).
	callbackTimeout time.Duration
	// envErrs are environment values that do not parse; validate reports them.
	envErrs []error
}

// connConfig bounds what a client may hold of the partner API's listener
// (issue 10 item 9).
type connConfig struct {
	maxConns       int           // open connections at most; past it idle ones are closed first
	idleTimeout    time.Duration // a keep-alive connection without a request is closed after this
	headerTimeout  time.Duration // the request line and headers must arrive within this
	maxHeaderBytes int           // the request line and headers at most (431 past it)
	minBodyRate    int64         // bytes per second a body must average (0: no floor)
	bodyGrace      time.Duration // before the floor applies
}

// vendorConfig configures the BPJS and bank-scraper providers; their secrets
// come from the environment only (flags show in ps).
type vendorConfig struct {
	bpjsProvider, bpjsLoginURL, bpjsTokenWeb, bpjsTokenAndroid, bpjsSecret string
	scraperProvider, scraperURL, scraperToken, scraperSecret               string
	scraperTimeout                                                         time.Duration
}

func (c config) production() bool { return c.env == "production" }

// flags declares the settings on fs with defaults taken from the environment.
func (c *config) flags(fs *flag.FlagSet, getenv func(string) string, serve bool) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	// A value that does not parse is an error, never a silent zero (a zero
	// timeout would mean no timeout at all).
	envInt := func(name, def string) int64 {
		n, err := strconv.ParseInt(env(name, def), 10, 64)
		if err != nil {
			c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q is not a whole number", name, getenv(name)))
		}
		return n
	}
	envDuration := func(name, def string) time.Duration {
		d, err := time.ParseDuration(env(name, def))
		if err != nil {
			c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q is not a duration (like 10s or 1m)", name, getenv(name)))
		}
		return d
	}
	fs.StringVar(&c.data, "data", env("JULO_DATA", "./data"), "data directory: SQLite database, stored files, sandbox keys (JULO_DATA)")
	fs.StringVar(&c.databaseURL, "database-url", env("JULO_DATABASE_URL", ""), "database URL; empty = SQLite in the data dir (JULO_DATABASE_URL)")
	fs.StringVar(&c.blobURL, "blob-url", env("JULO_BLOB_URL", ""),
		"where stored files go: empty or file:// (DATA/files), file:///ABS/PATH, or s3://BUCKET?endpoint=URL&region=R; "+
			"S3 credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (JULO_BLOB_URL)")
	fs.StringVar(&c.env, "env", env("JULO_ENV", "sandbox"), "environment: sandbox or production (JULO_ENV)")
	c.credit.flags(fs, getenv, &c.envErrs)
	c.lending.flags(fs, getenv, &c.envErrs)
	if !serve {
		return
	}
	fs.StringVar(&c.addr, "addr", env("JULO_ADDR", "127.0.0.1:8080"), "listen address of the partner API (JULO_ADDR)")
	fs.StringVar(&c.consoleAddr, "console-addr", env("JULO_CONSOLE_ADDR", consoleAddrDefault),
		"listen address of the operator console, apart from the API; default: 127.0.0.1:8081 in the sandbox, off in production; off: none (JULO_CONSOLE_ADDR)")
	fs.StringVar(&c.metricsAddr, "metrics-addr", env("JULO_METRICS_ADDR", ""),
		"listen address of /metrics (Prometheus), apart from the API; empty: no metrics (JULO_METRICS_ADDR)")
	fs.BoolVar(&c.pprof, "pprof", env("JULO_PPROF", "") == "1",
		"serve Go's profiler at /debug/pprof/ on the metrics listener (never on the API's port); for measuring, not for a server open to others (JULO_PPROF=1)")
	fs.Int64Var(&c.maxBody, "max-body-bytes", envInt("JULO_MAX_BODY_BYTES", "1048576"), "largest accepted request body, uploads excepted (JULO_MAX_BODY_BYTES)")
	fs.Int64Var(&c.maxUpload, "max-upload-bytes", envInt("JULO_MAX_UPLOAD_BYTES", "10485760"), "largest accepted image upload (JULO_MAX_UPLOAD_BYTES)")
	fs.StringVar(&c.blocked, "blocked-email-domains", env("JULO_BLOCKED_EMAIL_DOMAINS", "yahoo.,ymail.,rocketmail.,hotmail."),
		"comma-separated email domain prefixes refused at registration; empty refuses none (JULO_BLOCKED_EMAIL_DOMAINS)")
	fs.StringVar(&c.smsProvider, "sms-provider", env("JULO_SMS_PROVIDER", ""),
		"SMS delivery: log (sandbox default: log and sandbox outbox) or webhook (JULO_SMS_PROVIDER)")
	fs.StringVar(&c.smsURL, "sms-webhook-url", env("JULO_SMS_WEBHOOK_URL", ""), "URL the webhook provider POSTs to (JULO_SMS_WEBHOOK_URL)")
	c.smsToken = getenv("JULO_SMS_WEBHOOK_TOKEN") // a secret: environment only, never a flag (flags show in ps)
	fs.DurationVar(&c.smsTimeout, "sms-timeout", envDuration("JULO_SMS_TIMEOUT", "10s"), "how long a webhook send may take (JULO_SMS_TIMEOUT)")
	fs.DurationVar(&c.callbackTimeout, "callback-timeout", envDuration("JULO_CALLBACK_TIMEOUT", "15s"),
		"how long one attempt of a partner callback may take, 100ms to 30s; a slower receiver's attempt fails and is retried (JULO_CALLBACK_TIMEOUT)")
	fs.StringVar(&c.publicURL, "public-url", env("JULO_PUBLIC_URL", ""),
		"the URL customers and vendors reach this server at (callbacks, sandbox pages); empty: http://ADDR (JULO_PUBLIC_URL)")
	v := &c.vendors
	v.bpjsProvider, v.bpjsLoginURL = getenv("JULO_BPJS_PROVIDER"), getenv("JULO_BPJS_LOGIN_URL")
	v.bpjsTokenWeb, v.bpjsTokenAndroid = getenv("JULO_BPJS_BOX_TOKEN_WEB"), getenv("JULO_BPJS_BOX_TOKEN_ANDROID")
	v.bpjsSecret = getenv("JULO_BPJS_CALLBACK_SECRET")
	v.scraperProvider, v.scraperURL = getenv("JULO_SCRAPER_PROVIDER"), getenv("JULO_SCRAPER_URL")
	v.scraperToken, v.scraperSecret = getenv("JULO_SCRAPER_TOKEN"), getenv("JULO_SCRAPER_CALLBACK_SECRET")
	v.scraperTimeout = envDuration("JULO_SCRAPER_TIMEOUT", "10s")
	fs.IntVar(&c.jobWorkers, "job-workers", int(envInt("JULO_JOB_WORKERS", "4")), "background jobs run at once by this process (JULO_JOB_WORKERS)")
	fs.IntVar(&c.formExpiryDays, "form-expiry-days", int(envInt("JULO_FORM_EXPIRY_DAYS", "14")),
		"an application at 100 FORM_CREATED without a successful step for this many days expires (106 FORM_EXPIRED), freeing its NIK and email (JULO_FORM_EXPIRY_DAYS)")
	fs.IntVar(&c.coolingOffDays, "refusal-cooling-off-days", int(envInt("JULO_REFUSAL_COOLING_OFF_DAYS", "30")),
		"a refused customer may register again this many days after the refusal (JULO_REFUSAL_COOLING_OFF_DAYS)")
	fs.IntVar(&c.retentionDays, "retention-days", int(envInt("JULO_RETENTION_DAYS", "90")),
		"a customer none of whose applications reached 105 FORM_SUBMITTED is erased this many days after its last change (JULO_RETENTION_DAYS)")
	fs.StringVar(&c.termsVersion, "terms-version", env("JULO_TERMS_VERSION", onboarding.DefaultTermsVersion),
		"the version of the terms and privacy notice customers accept, recorded with each consent (JULO_TERMS_VERSION)")
	fs.DurationVar(&c.idempotencyKeep, "idempotency-keep", envDuration("JULO_IDEMPOTENCY_KEEP", "24h"),
		"how long a write's Idempotency-Key and its kept answer are kept for replays, 1m to 168h; give serve and worker the same (JULO_IDEMPOTENCY_KEEP)")
	fs.DurationVar(&c.credentialCheck, "credential-check", envDuration("JULO_CREDENTIAL_CHECK", onboarding.DefaultCredentialCheck.String()),
		"verified partner credentials are kept in memory and trusted while the shared credentials version is unchanged, which each instance reads this often: the longest a disabled partner or a revoked secret is still accepted by another instance; 0s: verify every request against the database, up to 10s (JULO_CREDENTIAL_CHECK)")
	c.budgets.flags(fs, getenv, &c.envErrs)
	cc := &c.conn
	fs.IntVar(&cc.maxConns, "max-conns", int(envInt("JULO_MAX_CONNS", "4096")),
		"open connections the partner API keeps at most; past it the longest-idle one is closed, or the new one when none is idle (JULO_MAX_CONNS)")
	fs.DurationVar(&cc.idleTimeout, "idle-timeout", envDuration("JULO_IDLE_TIMEOUT", "30s"),
		"how long a keep-alive connection may wait for its next request (JULO_IDLE_TIMEOUT)")
	fs.DurationVar(&cc.headerTimeout, "read-header-timeout", envDuration("JULO_READ_HEADER_TIMEOUT", "5s"),
		"how long a client may take to send a request's line and headers (JULO_READ_HEADER_TIMEOUT)")
	fs.IntVar(&cc.maxHeaderBytes, "max-header-bytes", int(envInt("JULO_MAX_HEADER_BYTES", "65536")),
		"largest accepted request line and headers; larger is a 431 (JULO_MAX_HEADER_BYTES)")
	fs.Int64Var(&cc.minBodyRate, "min-body-rate", envInt("JULO_MIN_BODY_RATE", "4096"),
		"bytes per second a request body must average once the grace has passed; slower is a 408; 0: no floor (JULO_MIN_BODY_RATE)")
	fs.DurationVar(&cc.bodyGrace, "body-rate-grace", envDuration("JULO_BODY_RATE_GRACE", "5s"),
		"how long a body may take before --min-body-rate applies (JULO_BODY_RATE_GRACE)")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", envDuration("JULO_SHUTDOWN_TIMEOUT", "30s"), "how long in-flight requests may finish after SIGTERM (JULO_SHUTDOWN_TIMEOUT)")
}

func (c config) validate() error {
	if c.env != "sandbox" && c.env != "production" {
		return fmt.Errorf("--env %q: use sandbox or production", c.env)
	}
	if err := errors.Join(c.envErrs...); err != nil {
		return err
	}
	if c.maxBody < 0 || c.maxUpload < 0 {
		return fmt.Errorf("--max-body-bytes and --max-upload-bytes must be positive")
	}
	return nil
}

// validateServe checks the settings only serve uses.
func (c config) validateServe() error {
	if err := c.validate(); err != nil {
		return err
	}
	switch {
	case c.smsProvider == "" && c.production():
		return fmt.Errorf("production needs an SMS provider: set JULO_SMS_PROVIDER=webhook and JULO_SMS_WEBHOOK_URL (or =log to only log messages)")
	case c.smsProvider == "webhook" && c.smsURL == "":
		return fmt.Errorf("--sms-provider webhook needs --sms-webhook-url (JULO_SMS_WEBHOOK_URL)")
	case c.consoleListenAddr() != "" && samePort(c.consoleListenAddr(), c.addr):
		return fmt.Errorf("--console-addr %s: the operator console is never served on the partner API's port (%s)", c.consoleListenAddr(), c.addr)
	case c.metricsAddr != "" && samePort(c.metricsAddr, c.addr):
		return fmt.Errorf("--metrics-addr %s: metrics are never served on the partner API's port (%s)", c.metricsAddr, c.addr)
	case c.smsProvider != "" && c.smsProvider != "log" && c.smsProvider != "webhook":
		return fmt.Errorf("--sms-provider %q: use log or webhook", c.smsProvider)
	case c.smsProvider == "webhook" && c.production() && !strings.HasPrefix(c.smsURL, "https://"):
		return fmt.Errorf("--sms-webhook-url must be https:// in production: the messages carry OTP codes")
	case c.smsTimeout <= 0 || c.vendors.scraperTimeout <= 0 || c.shutdown <= 0:
		return fmt.Errorf("--sms-timeout, JULO_SCRAPER_TIMEOUT and --shutdown-timeout must be more than 0")
	case c.callbackTimeout < 100*time.Millisecond || c.callbackTimeout > 30*time.Second:
		// Well within a job's timeout (a minute), which cuts an attempt off.
		return fmt.Errorf("--callback-timeout %s: use 100ms to 30s", c.callbackTimeout)
	case c.jobWorkers < 1 || c.jobWorkers > 1000:
		return fmt.Errorf("--job-workers %d: use 1 to 1000", c.jobWorkers)
	case c.formExpiryDays < 1 || c.formExpiryDays > 3650 || c.coolingOffDays < 1 || c.coolingOffDays > 3650:
		return fmt.Errorf("--form-expiry-days %d, --refusal-cooling-off-days %d: use 1 to 3650", c.formExpiryDays, c.coolingOffDays)
	case c.retentionDays < 1 || c.retentionDays > 3650:
		return fmt.Errorf("--retention-days %d: use 1 to 3650", c.retentionDays)
	case len(c.termsVersion) == 0 || len(c.termsVersion) > 100:
		return fmt.Errorf("--terms-version: give 1 to 100 characters")
	case c.idempotencyKeep < time.Minute || c.idempotencyKeep > 7*24*time.Hour:
		// The kept answers are personal data: a week at most.
		return fmt.Errorf("--idempotency-keep %s: use 1m to 168h", c.idempotencyKeep)
	case c.credentialCheck < 0 || c.credentialCheck > 10*time.Second:
		return fmt.Errorf("--credential-check %s: use 0s (no cache) to 10s", c.credentialCheck)
	}
	if err := c.conn.validate(); err != nil {
		return err
	}
	if err := c.budgets.validate(); err != nil {
		return err
	}
	if err := c.credit.validate(c.production()); err != nil {
		return err
	}
	if err := c.lending.validate(c.production()); err != nil {
		return err
	}
	return c.vendors.validate(c.production())
}

// validate keeps the connection settings within what still protects the
// listener (a zero timeout would mean none at all).
func (cc connConfig) validate() error {
	switch {
	case cc.maxConns < 1 || cc.maxConns > 1_000_000:
		return fmt.Errorf("--max-conns %d: use 1 to 1000000", cc.maxConns)
	case cc.idleTimeout <= 0 || cc.headerTimeout <= 0 || cc.bodyGrace <= 0:
		return fmt.Errorf("--idle-timeout, --read-header-timeout and --body-rate-grace must be more than 0")
	case cc.headerTimeout > time.Minute:
		return fmt.Errorf("--read-header-timeout %s: at most 1m (a slow client holds a connection that long)", cc.headerTimeout)
	case cc.maxHeaderBytes < 4<<10 || cc.maxHeaderBytes > 16<<20:
		return fmt.Errorf("--max-header-bytes %d: use 4096 to 16777216", cc.maxHeaderBytes)
	case cc.minBodyRate < 0:
		return fmt.Errorf("--min-body-rate %d: use 0 (no floor) or more", cc.minBodyRate)
	}
	return nil
}

// vendorChoice says which vendors run as the real vendor (else the
// sandbox provider, or "not configured" in production): asked for with
// "vendor", or, in production, chosen by their URL being set.
func (v vendorConfig) vendorChoice(production bool) (bpjs, scraper bool) {
	bpjs = v.bpjsProvider == "vendor" || v.bpjsProvider == "" && production && v.bpjsLoginURL != ""
	scraper = v.scraperProvider == "vendor" || v.scraperProvider == "" && production && v.scraperURL != ""
	return bpjs, scraper
}

// validate checks the vendor settings. A provider is "sandbox" (the sandbox
// environment's default) or "vendor", which needs its URL and callback secret.
func (v vendorConfig) validate(production bool) error {
	bpjs, scraper := v.vendorChoice(production)
	for _, p := range []struct {
		name, provider, url, secret, urlVar, secretVar string
		vendor, needsTLS                               bool
	}{
		{"JULO_BPJS_PROVIDER", v.bpjsProvider, v.bpjsLoginURL, v.bpjsSecret, "JULO_BPJS_LOGIN_URL", "JULO_BPJS_CALLBACK_SECRET", bpjs, false},
		// The scraper is sent the customers' bank credentials.
		{"JULO_SCRAPER_PROVIDER", v.scraperProvider, v.scraperURL, v.scraperSecret, "JULO_SCRAPER_URL", "JULO_SCRAPER_CALLBACK_SECRET", scraper, true},
	} {
		switch {
		case p.provider != "" && p.provider != "sandbox" && p.provider != "vendor":
			return fmt.Errorf("%s=%q: use sandbox or vendor", p.name, p.provider)
		case p.provider == "sandbox" && production:
			return fmt.Errorf("%s=sandbox is not allowed in production", p.name)
		case p.vendor && (p.url == "" || len(p.secret) < 32):
			// Without its own secret the vendor could not sign a callback
			// this server accepts: nothing would ever be verified.
			return fmt.Errorf("the %s vendor needs %s and %s (32+ characters)", strings.TrimSuffix(p.name, "_PROVIDER"), p.urlVar, p.secretVar)
		case p.vendor && p.needsTLS && production && !strings.HasPrefix(p.url, "https://"):
			return fmt.Errorf("%s must be https:// in production: the jobs carry bank credentials", p.urlVar)
		}
	}
	return nil
}

// samePort reports whether two listen addresses name the same fixed port
// (port 0 picks a free one each time).
func samePort(a, b string) bool {
	_, pa, errA := net.SplitHostPort(a)
	_, pb, errB := net.SplitHostPort(b)
	return errA == nil && errB == nil && pa == pb && pa != "0"
}

// days is n whole days (0: unset, the domain's default).
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func (c config) blockedDomains() []string {
	var out []string
	for _, d := range strings.Split(c.blocked, ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// parseInterleaved parses flags that may stand before, between or after the
// positional arguments ("partner rotate NAME --revoke-old").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
