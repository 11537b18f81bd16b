package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/julo-partnership/julo/internal/blob"
	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/httpapi"
	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/metrics"
	"github.com/julo-partnership/julo/internal/notify"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/refdata"
	"github.com/julo-partnership/julo/internal/sms"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/vendors"
	"github.com/julo-partnership/julo/internal/worker"
	"github.com/riverqueue/river"
)

// hooks lets tests fix what is otherwise taken from the world.
type hooks struct {
	now func() time.Time
	// jobPoll is how often workers look for due jobs (0: River's 1 s).
	jobPoll time.Duration
}

const usage = `usage: julo COMMAND [flags]

commands:
  serve                              run the partner API and the background workers
  worker                             run the background workers only (scale them apart from the API)
  migrate                            apply database migrations and exit
  partner create NAME                create a partner and print its secret (shown once)
  partner list                       list partners
  partner disable NAME | enable NAME
  partner rotate NAME                issue a new secret; the previous one keeps working
  partner rotate --revoke-old NAME   end a rotation: only the newest secret keeps working
  partner webhook NAME [--url URL] [--token TOKEN] [--rotate-secret] [--disable]
                                     set where the partner's callbacks go; prints the signing secret once
  partner set NAME [--return-url-prefix URL]... [--sms-per-day N] [--registrations-per-hour N]
              [--prereg-checks-per-minute N] [--requests-per-second N]
              [--settlement-bank NAME --settlement-account NUMBER] [--loan-signature-required BOOL]
              [--loan-hold-for-operator BOOL]
                                     set where BPJS logins may return to, the partner's own budgets (N or default)
                                     and its loan settings
  keys generate                      print a new key file (for JULO_KEYS_FILE in production)
  keys seal-images                   queue the job that seals the images stored before images were encrypted
  keys rotate-data                   queue the jobs that rewrap customer and image keys with the current data key
  customer export NIK                print everything held about a customer as JSON
  customer erase NIK                 erase a customer's personal data (crypto-shred; refused while a credit line is active)
  application show XID               print an application's evidence and credit decision records as JSON
  application decide XID --approve [--limit N] --reason TEXT --operator NAME
  application decide XID --reject --reason-code CODE --reason TEXT --operator NAME
                                     record an operator's decision on an application in manual review (125) or at 120,
                                     or on a review request at 135 (--approve --limit N overturns to 130, --reject upholds)
  application reviews                list the open review requests (objections to automatic rejections) with their reasons
  loan show XID                      print a loan with its terms, caps and schedule as JSON
  loan approve XID | reject XID      decide a loan held at 211 for the lender's approval (partner set --loan-hold-for-operator)
  loan retry XID | fail XID [--reason CODE]
                                     a loan stuck at 212 (the provider was down for all of its job's attempts): queue the
                                     disbursement again, or record that it failed (218, the amount back to the limit)
  operator create EMAIL --role admin|reviewer|viewer
                                     create an operator of the console and print its one-time password (shown once)
  operator disable EMAIL | enable EMAIL | list

Run "julo COMMAND -h" for the flags of a command.`

func runWith(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stderr, h)
	case "worker":
		return runWorker(ctx, args[1:], getenv, stderr, h)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "partner":
		return partner(ctx, args[1:], getenv, stdout, stderr, h)
	case "keys":
		if len(args) >= 2 && args[1] == "seal-images" {
			return sealImages(ctx, args[2:], getenv, stdout, stderr, h)
		}
		if len(args) >= 2 && args[1] == "rotate-data" {
			return rotateData(ctx, args[2:], getenv, stdout, stderr, h)
		}
		if len(args) == 2 && args[1] == "generate" {
			b, err := keyring.Generate()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "%s\n", b)
			return err
		}
		return errors.New("usage: julo keys generate | julo keys seal-images | julo keys rotate-data")
	case "customer":
		return customer(ctx, args[1:], getenv, stdout, stderr, h)
	case "application":
		return application(ctx, args[1:], getenv, stdout, stderr, h)
	case "loan":
		return loanCommand(ctx, args[1:], getenv, stdout, stderr, h)
	case "operator":
		return operator(ctx, args[1:], getenv, stdout, stderr, h)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// openService opens the store (migrating it), loads the keys and builds the
// domain service, telling obs (nil: nobody) of its events; callers close the
// store.
func openService(ctx context.Context, c config, getenv func(string) string, h hooks, area *refdata.Area, log *slog.Logger, obs onboarding.Observer) (*onboarding.Service, *store.DB, error) {
	svc, db, _, err := openServiceSealed(ctx, c, getenv, h, area, log, obs)
	return svc, db, err
}

// openServiceSealed is openService that also returns the blob store the
// service writes to, which seals every blob with the keys' data set (see
// blob.Sealed), for the job that seals the blobs stored before.
func openServiceSealed(ctx context.Context, c config, getenv func(string) string, h hooks, area *refdata.Area, log *slog.Logger, obs onboarding.Observer) (*onboarding.Service, *store.DB, *blob.Sealed, error) {
	if err := c.validate(); err != nil {
		return nil, nil, nil, err
	}
	db, keys, err := openStore(ctx, c, getenv)
	if err != nil {
		return nil, nil, nil, err
	}
	if h.now != nil {
		db.SetClock(h.now)
	}
	for _, w := range keyring.Warnings(c.production(), c.data, getenv) {
		log.Warn(w)
	}
	blobs, err := blob.Open(ctx, c.blobURL, c.data, withAWSFromProcess(getenv))
	if err != nil {
		db.Close()
		return nil, nil, nil, fmt.Errorf("opening the blob store (--blob-url): %w", err)
	}
	// Images are encrypted before they reach the store (issue 10, item 2).
	sealed, err := blob.NewSealed(blobs, blob.SealKeys(keys.Data))
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	sealed.Bind = onboarding.PendingBlobFinalKey
	// Last, so that a start refused for another reason records no keys.
	if err := checkKeys(ctx, db, keys, h.now); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	cfg := onboarding.DefaultConfig()
	cfg.BlockedEmailDomains = c.blockedDomains()
	cfg.FormExpiry, cfg.RefusalCoolingOff = days(c.formExpiryDays), days(c.coolingOffDays)
	cfg.Budgets = onboarding.BudgetConfig{Limits: c.budgets.limits()}
	cfg.TermsVersion = c.termsVersion
	cfg.CredentialCheck = c.credentialCheck
	if cfg.CredentialCheck == 0 {
		cfg.CredentialCheck = -1 // 0s: no cache
	}
	bpjs, scraper := c.vendorProviders()
	cfg.External.PublicURL = c.publicURL
	cfg.External.BPJSCallbackSecret = callbackSecret(c.vendors.bpjsSecret, keys, "bpjs")
	cfg.External.ScraperCallbackSecret = callbackSecret(c.vendors.scraperSecret, keys, "scraper")
	svc := onboarding.New(onboarding.Deps{Callbacks: notifier(c, db, h), Store: db, Area: area, Keys: keys, Blobs: sealed, SMS: c.smsSender(db, log, h),
		BPJS: bpjs, Bank: scraper, Config: cfg, Now: h.now, Observer: obs})
	return svc, db, sealed, nil
}

// openStore opens the store with the keys (it seals personal data with
// them: issue 10 item 1) and migrates it.
func openStore(ctx context.Context, c config, getenv func(string) string) (*store.DB, onboarding.Keys, error) {
	db, keys, _, err := openStoreMigrated(ctx, c, getenv)
	return db, keys, err
}

// openStoreMigrated is openStore that also says how many migrations it applied.
func openStoreMigrated(ctx context.Context, c config, getenv func(string) string) (*store.DB, onboarding.Keys, int, error) {
	keys, err := keyring.Load(c.production(), c.data, getenv)
	if err != nil {
		return nil, keys, 0, err
	}
	db, err := store.Open(ctx, c.databaseURL, c.data)
	if err != nil {
		return nil, keys, 0, err
	}
	if err := db.SetKeys(keys); err != nil {
		db.Close()
		return nil, keys, 0, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, keys, 0, fmt.Errorf("migrating: %w", err)
	}
	if err := db.PinBlindIndexKey(ctx); err != nil {
		db.Close()
		return nil, keys, 0, err
	}
	return db, keys, n, nil
}

// withAWSFromProcess reads the AWS_* credentials from getenv, else from the
// process environment, where every AWS tool looks for them: in production
// both are the same, and test servers, whose environment is their own, use
// the test process's S3 credentials.
func withAWSFromProcess(getenv func(string) string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" || !strings.HasPrefix(k, "AWS_") {
			return v
		}
		return os.Getenv(k)
	}
}

// serverSettings parses and checks the settings of serve and worker, and
// loads the area data both need.
func serverSettings(command string, args []string, getenv func(string) string, stderr io.Writer) (config, *refdata.Area, error) {
	var c config
	fs := newFlagSet(command, stderr)
	c.flags(fs, getenv, true)
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	if fs.NArg() > 0 {
		return c, nil, fmt.Errorf("%s takes no arguments, got %q", command, fs.Args())
	}
	area, err := refdata.LoadArea()
	if err != nil {
		return c, nil, fmt.Errorf("loading area data: %w", err)
	}
	return c, area, c.validateServe()
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, h hooks) error {
	c, area, err := serverSettings("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if c.publicURL == "" {
		c.publicURL = "http://" + ln.Addr().String()
	}
	c.publicURL = strings.TrimRight(c.publicURL, "/")
	// Metrics are counted only when they are served.
	var met *metrics.Metrics
	var domainObs onboarding.Observer
	var httpObs httpapi.Observer
	if c.metricsAddr != "" {
		met = metrics.New()
		domainObs, httpObs = met, met
	}
	svc, db, sealed, err := openServiceSealed(ctx, c, getenv, h, area, log, domainObs)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := c.creditService(db, h)
	if err != nil {
		return err
	}
	as, err := c.activationService(db, svc, h)
	if err != nil {
		return err
	}

	ls, err := c.lendingService(db, svc, h)
	if err != nil {
		return err
	}

	jobs, err := startJobs(ctx, c, svc, cs, ls, db, sealed, h, log)
	if err != nil {
		return err
	}
	// On every way out the workers stop before the store closes; on a
	// signal, below, they get the same deadline as the requests.
	stopJobs := sync.OnceValue(func() error {
		sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
		defer cancel()
		return jobs.Stop(sctx)
	})
	defer stopJobs()
	api := httpapi.New(withLoans(withEvents(withActivation(apiServices(svc, cs, db), as), notifier(c, db, h)), ls), log, httpapi.Config{MaxBodyBytes: c.maxBody, MaxUploadBytes: c.maxUpload,
		MaxHeaderBytes: c.conn.maxHeaderBytes, MinBodyRate: c.conn.minBodyRate, BodyGrace: c.conn.bodyGrace, MaxBodyTime: requestTimeout,
		HSTS: c.production(), Sandbox: !c.production(), Observer: httpObs,
		Idempotency: httpapi.IdempotencyConfig{Keep: c.idempotencyKeep, Now: h.now}})
	// The listener caps open connections (closing idle ones first) and puts
	// the envelope on net/http's own refusals; see httpapi.Listener.
	apiLn := api.Listen(ln, c.conn.maxConns)
	srv := &http.Server{
		Handler:           api,
		ConnState:         apiLn.ConnState,
		ReadHeaderTimeout: c.conn.headerTimeout,
		// A body's own floor (--min-body-rate) replaces this bound once
		// its handler runs, within the same time (MaxBodyTime).
		ReadTimeout:  requestTimeout,
		WriteTimeout: requestTimeout,
		IdleTimeout:  c.conn.idleTimeout,
		// net/http reads up to 4 KiB past this; httpapi answers between
		// the two, and the listener past them, both in the envelope (431).
		MaxHeaderBytes: c.conn.maxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// The operator console, on its own listener (console.go).
	if csrv, err := startConsole(c, db, svc, cs, ls, h, log); err != nil {
		return err
	} else if csrv != nil {
		defer csrv.Close()
	}
	if met != nil {
		msrv, err := serveMetrics(c.metricsAddr, met, api, c.pprof, log)
		if err != nil {
			return err
		}
		defer msrv.Close()
	}
	// The start parses the area data, the OpenAPI document and the
	// templates: give the garbage of it back to the system before serving,
	// so the idle server's resident set is what it keeps (issue 17 item 5).
	debug.FreeOSMemory()
	log.Info("listening", "addr", ln.Addr().String(), "env", c.env, "database", dbKind(c.databaseURL), "data", c.data,
		"sms", map[bool]string{true: c.smsProvider, false: "log"}[c.smsProvider != ""])
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(apiLn) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", c.shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
	defer cancel()
	// Requests and running jobs finish side by side, each within the
	// timeout; a job cut off is run again later.
	jobsDone := make(chan error, 1)
	go func() { jobsDone <- stopJobs() }()
	err = srv.Shutdown(sctx)
	if jerr := <-jobsDone; jerr != nil {
		log.Warn("stopping workers", "error", jerr.Error())
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// runWorker runs the background workers without the partner API, so that
// they scale apart from it: same settings as serve (the jobs send SMS, call
// vendors and sign callbacks like requests do), no listener.
func runWorker(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, h hooks) error {
	c, area, err := serverSettings("worker", args, getenv, stderr)
	if err != nil {
		return err
	}
	if c.publicURL == "" {
		c.publicURL = "http://" + c.addr
	}
	c.publicURL = strings.TrimRight(c.publicURL, "/")
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	svc, db, sealed, err := openServiceSealed(ctx, c, getenv, h, area, log, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := c.creditService(db, h)
	if err != nil {
		return err
	}
	ls, err := c.lendingService(db, svc, h)
	if err != nil {
		return err
	}
	jobs, err := startJobs(ctx, c, svc, cs, ls, db, sealed, h, log)
	if err != nil {
		return err
	}
	log.Info("working", "env", c.env, "database", dbKind(c.databaseURL), "job_workers", c.jobWorkers)
	<-ctx.Done()
	log.Info("shutting down: finishing running jobs", "timeout", c.shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
	defer cancel()
	if err := jobs.Stop(sctx); err != nil {
		return fmt.Errorf("stopping workers: %w", err)
	}
	log.Info("stopped")
	return nil
}

// startJobs starts River's client with every worker on the store's
// database. Its log lines go to log at warning level and above (River's
// info lines are per job).
func startJobs(ctx context.Context, c config, svc *onboarding.Service, cs *credit.Service, ls *lending.Service, db *store.DB, sealed *blob.Sealed, h hooks, log *slog.Logger) (*store.Jobs, error) {
	ws := river.NewWorkers()
	if err := worker.Register(ws, svc); err != nil {
		return nil, err
	}
	if err := worker.RegisterCredit(ws, cs); err != nil {
		return nil, err
	}
	if err := registerActivation(ws, c, svc, db, h); err != nil {
		return nil, err
	}
	if err := registerLending(ws, ls); err != nil {
		return nil, err
	}
	if err := worker.RegisterBlobSealing(ws, blobSealer{sealed}, db.Enqueue); err != nil {
		return nil, err
	}
	now := time.Now
	if h.now != nil {
		now = h.now
	}
	if err := worker.RegisterDataRotation(ws, db, now, db.Enqueue); err != nil {
		return nil, err
	}
	if err := worker.RegisterRetentionPurge(ws, db, days(c.retentionDays), now, sweepJob); err != nil {
		return nil, err
	}
	if err := worker.RegisterIdempotencyPrune(ws, db, c.idempotencyKeep, now); err != nil {
		return nil, err
	}
	// Partner callbacks: a delivery's attempts, and the events' pruning.
	if err := worker.RegisterCallbacks(ws, notifier(c, db, h)); err != nil {
		return nil, err
	}
	jobs, err := db.NewJobs(store.WorkerConfig{Workers: ws, Periodic: periodicJobs(), MaxWorkers: c.jobWorkers,
		Now: h.now, PollInterval: h.jobPoll, Logger: slog.New(warnOnly{log.Handler()})})
	if err != nil {
		return nil, err
	}
	// The workers run until Stop, not until ctx ends: a signal must let
	// running jobs finish (Stop's timeout bounds that).
	if err := jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("starting workers: %w", err)
	}
	return jobs, nil
}

// periodic is every job River inserts on a schedule (the elected leader
// among all instances does), with its interval; each has its worker in
// internal/worker.
var periodic = []struct {
	job   julo.Job
	every time.Duration
	// at, when set, is the schedule instead of every.
	at river.PeriodicSchedule
}{
	// Removes (or promotes) what killed uploads left under pending names.
	{onboarding.PendingBlobSweepJob{}, onboarding.PendingBlobSweepEvery, nil},
	// Expires applications at 100 without a successful step for
	// --form-expiry-days (issue 10, item 5).
	{onboarding.FormExpiryJob{}, onboarding.FormExpiryEvery, nil},
	// Deletes the per-partner budgets' ended windows (issue 10, item 8).
	{onboarding.BudgetWindowsJob{}, onboarding.BudgetWindowsEvery, nil},
	// Erases customers none of whose applications reached 105 within
	// --retention-days (issue 10, item 4).
	{worker.RetentionPurgeJob{}, worker.RetentionPurgeEvery, nil},
	// Expires credit offers not accepted within the policy's
	// offer_valid_days: 130 -> 139 (issue 12, item 7).
	{credit.OfferExpiryJob{}, credit.OfferExpiryEvery, nil},
	// Expires loans not signed within the policy's loan_expiry_hours:
	// 210 -> 217, the limit given back (issue 13, item 11).
	{lending.ExpiryJob{}, lending.ExpiryEvery, nil},
	// The daily lateness of loans being repaid: late fees and DPD statuses
	// (issue 14, item 7), at 00:05 Asia/Jakarta.
	{lending.LatenessJob{}, 0, dailyAt{hour: 0, minute: 5, loc: lending.Jakarta()}},
	// Deletes the partners' Idempotency-Keys and kept answers past
	// --idempotency-keep (issue 11, item 5).
	{worker.IdempotencyPruneJob{}, worker.IdempotencyPruneEvery, nil},
	// Deletes the events past the feed's 30 days, with their deliveries
	// (issue 11).
	{notify.PruneJob{}, notify.PruneEvery, nil},
}

// periodicJobs are the periodic jobs as River takes them: not run at start
// (the first run comes one interval later), a few attempts each, since the
// next run tries again anyway.
func periodicJobs() []*river.PeriodicJob {
	var out []*river.PeriodicJob
	for _, p := range periodic {
		sched := p.at
		if sched == nil {
			sched = river.PeriodicInterval(p.every)
		}
		out = append(out, river.NewPeriodicJob(sched,
			func() (river.JobArgs, *river.InsertOpts) { return p.job, &river.InsertOpts{MaxAttempts: 3} },
			&river.PeriodicJobOpts{ID: p.job.Kind()}))
	}
	return out
}

// warnOnly passes on records at warning level and above.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(as []slog.Attr) slog.Handler { return warnOnly{w.Handler.WithAttrs(as)} }

func (w warnOnly) WithGroup(g string) slog.Handler { return warnOnly{w.Handler.WithGroup(g)} }

// apiServices is the domain service behind every part of the partner API.
func apiServices(svc *onboarding.Service, cs *credit.Service, idem httpapi.IdempotencyStore) httpapi.Services {
	return httpapi.Services{Auth: svc, Health: svc, Customers: svc, Reference: svc, Images: svc, OTP: svc,
		Applications: svc, External: svc, Vendors: svc, Sandbox: svc, Credit: cs,
		Idempotency: idem}
}

// requestTimeout bounds the reading of a request and the writing of its
// answer on the partner API.
const requestTimeout = 2 * time.Minute

// serveMetrics serves /metrics on its own listener at addr, apart from the
// partner API, and logs the address it bound ("metrics listening"). The
// caller closes the returned server. A metrics listener that fails later is
// logged and leaves the API running. The API's /healthz and /readyz answer
// there too (api serves them), so that a probe sees a live process even when
// clients hold every connection of the API's port.
func serveMetrics(addr string, met *metrics.Metrics, api http.Handler, profile bool, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", met.Handler())
	mux.Handle("GET /healthz", api)
	mux.Handle("GET /readyz", api)
	if profile {
		// The profiler's own handlers (net/http/pprof registers them on
		// http.DefaultServeMux, which nothing of ours serves).
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      65 * time.Second, // a CPU profile of up to a minute
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics")
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "error", err)
		}
	}()
	return srv, nil
}

// smsSender builds the configured SMS provider: webhook, or log (in the
// sandbox with the outbox and the code shown; in production the code masked).
func (c config) smsSender(outbox sms.Outbox, log *slog.Logger, h hooks) onboarding.SMSSender {
	if c.smsProvider == "webhook" {
		return &sms.Webhook{URL: c.smsURL, Token: c.smsToken, Client: &http.Client{Timeout: c.smsTimeout}}
	}
	l := &sms.Log{Logger: log, Now: h.now}
	if !c.production() {
		l.Outbox, l.RevealSecret = outbox, true
	}
	return l
}

// vendorProviders picks the BPJS and scraper providers: sandbox providers in
// the sandbox unless "vendor" is asked for; in production the vendor when
// its URL is set, else an answer that the feature is not configured.
func (c config) vendorProviders() (onboarding.BPJSProvider, onboarding.BankScraper) {
	v := c.vendors
	var bpjs onboarding.BPJSProvider = vendors.Unconfigured{What: "BPJS"}
	var scraper onboarding.BankScraper = vendors.Unconfigured{What: "Bank scrape"}
	bpjsVendor, scraperVendor := v.vendorChoice(c.production())
	switch {
	case bpjsVendor:
		bpjs = &vendors.BPJSVendor{LoginURLBase: v.bpjsLoginURL,
			BoxTokens: map[string]string{"web": v.bpjsTokenWeb, "android": v.bpjsTokenAndroid}}
	case !c.production():
		bpjs = &vendors.SandboxBPJS{PublicURL: c.publicURL}
	}
	switch {
	case scraperVendor:
		scraper = &vendors.Scraper{URL: v.scraperURL, Token: v.scraperToken, Client: &http.Client{Timeout: v.scraperTimeout}}
	case !c.production():
		scraper = vendors.SandboxScraper{}
	}
	return bpjs, scraper
}

// callbackSecret is the configured secret, or one derived from the server's
// lookup key (stable across restarts and instances), which the sandbox's own
// providers sign with.
func callbackSecret(configured string, keys onboarding.Keys, vendor string) []byte {
	if configured != "" {
		return []byte(configured)
	}
	return keys.CallbackSecret(vendor)
}

func dbKind(url string) string {
	if url == "" {
		return "sqlite"
	}
	return "url"
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("migrate", stderr)
	c.flags(fs, getenv, false)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	db, _, n, err := openStoreMigrated(ctx, c, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	have, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]int{"applied": n, "schema_version": have})
}

func partner(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	if len(args) > 0 && args[0] == "webhook" {
		return partnerWebhook(ctx, args[1:], getenv, stdout, stderr, h)
	}
	var c config
	fs := newFlagSet("partner", stderr)
	c.flags(fs, getenv, false)
	revokeOld := fs.Bool("revoke-old", false, "with rotate: revoke every secret but the newest instead of issuing a new one")
	var returnURLs []string
	returnURLsSet := false
	fs.Func("return-url-prefix", "with set, repeatable: a prefix a BPJS login's redirect_url may start with (the list replaces the old one; an empty value clears it)",
		func(v string) error {
			returnURLsSet = true
			if v != "" {
				returnURLs = append(returnURLs, v)
			}
			return nil
		})
	budgets := map[onboarding.Budget]int64{}
	partnerBudgetFlags(fs, budgets)
	var loanFlags loanSettingFlags
	loanFlags.declare(fs)
	// The defaults, to show the limits in force as serve would apply them.
	c.budgets.flags(fs, getenv, &c.envErrs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New("usage: julo partner create|list|disable|enable|rotate|set [NAME]")
	}
	if (pos[0] == "set") != (returnURLsSet || len(budgets) > 0 || loanFlags.any()) {
		return errors.New("usage: julo partner set NAME [--return-url-prefix https://...]... [--sms-per-day N] [--registrations-per-hour N] " +
			"[--prereg-checks-per-minute N] [--requests-per-second N] (N: a limit, or default) " +
			"[--settlement-bank NAME --settlement-account NUMBER] [--loan-signature-required BOOL] [--loan-hold-for-operator BOOL]")
	}
	if err := loanFlags.validate(); err != nil {
		return err
	}
	if err := c.budgets.validate(); err != nil {
		return err
	}
	verb := pos[0]
	needName := verb != "list"
	if needName && len(pos) != 2 || !needName && len(pos) != 1 {
		return fmt.Errorf("usage: julo partner %s%s", verb, map[bool]string{true: " NAME"}[needName])
	}
	svc, db, err := openService(ctx, c, getenv, h, nil, slog.New(slog.NewJSONHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer db.Close()
	// The operations' refusals carry catalogue messages: the operator reads
	// them in English (a bad name, an existing or unknown partner).
	explain := func(err error) error {
		var e *julo.Error
		if !errors.As(err, &e) || e.Code == julo.EINTERNAL || len(e.Problems) == 0 {
			return err
		}
		msgs := make([]string, len(e.Problems))
		for i, p := range e.Problems {
			msgs[i] = i18n.T(i18n.EN, p.Msg, p.Args...)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	out := json.NewEncoder(stdout)
	switch verb {
	case "create":
		secret, err := svc.CreatePartner(ctx, pos[1])
		if err != nil {
			return explain(err)
		}
		return out.Encode(newSecret{pos[1], secret})
	case "list":
		ps, err := svc.ListPartners(ctx)
		if err != nil {
			return err
		}
		list := make([]partnerJSON, 0, len(ps))
		for _, p := range ps {
			bs, err := svc.PartnerBudgets(ctx, p.Username)
			if err != nil {
				return err
			}
			list = append(list, partnerJSON{Username: p.Username, Disabled: p.Disabled, ActiveSecrets: p.ActiveSecrets,
				CreatedAt: p.CreatedAt, DisabledAt: p.DisabledAt, Budgets: budgetsJSON(bs)})
		}
		return out.Encode(list)
	case "disable", "enable":
		if err := svc.SetPartnerDisabled(ctx, pos[1], verb == "disable"); err != nil {
			return explain(err)
		}
		return out.Encode(map[string]any{"username": pos[1], "disabled": verb == "disable"})
	case "rotate":
		if *revokeOld {
			n, err := svc.RevokeOldPartnerSecrets(ctx, pos[1])
			if err != nil {
				return explain(err)
			}
			return out.Encode(map[string]any{"username": pos[1], "revoked": n})
		}
		secret, err := svc.RotatePartnerSecret(ctx, pos[1])
		if err != nil {
			return explain(err)
		}
		return out.Encode(newSecret{pos[1], secret})
	case "set":
		// The prefixes first: they are the setting that may be refused.
		printed := map[string]any{"username": pos[1]}
		if returnURLsSet {
			prefixes, err := svc.SetPartnerReturnURLs(ctx, pos[1], returnURLs)
			if err != nil {
				return explain(err)
			}
			printed["return_url_prefixes"] = prefixes
		}
		bs, err := svc.SetPartnerBudgets(ctx, pos[1], budgets)
		if err != nil {
			return explain(err)
		}
		printed["budgets"] = budgetsJSON(bs)
		now := time.Now
		if h.now != nil {
			now = h.now
		}
		ls, err := loanFlags.apply(ctx, db, pos[1], now())
		if err != nil {
			return explain(err)
		}
		printed["loans"] = loanSettingsJSON(ls)
		return out.Encode(printed)
	}
	return fmt.Errorf("unknown partner command %q: use create, list, disable, enable, rotate or set", verb)
}

// partnerJSON is one partner as partner list prints it, with its budgets.
type partnerJSON struct {
	Username      string                `json:"username"`
	Disabled      bool                  `json:"disabled"`
	ActiveSecrets int                   `json:"active_secrets"`
	CreatedAt     time.Time             `json:"created_at"`
	DisabledAt    *time.Time            `json:"disabled_at,omitempty"`
	Budgets       map[string]budgetJSON `json:"budgets"`
}

// newSecret is printed by partner create and rotate, in the documented key order.
type newSecret struct {
	Username  string `json:"username"`
	SecretKey string `json:"secret_key"`
}

// dailyAt is a River schedule: every day at hour:minute in loc.
type dailyAt struct {
	hour, minute int
	loc          *time.Location
}

// Next implements river.PeriodicSchedule: the first hour:minute in loc
// after t.
func (d dailyAt) Next(t time.Time) time.Time {
	l := t.In(d.loc)
	n := time.Date(l.Year(), l.Month(), l.Day(), d.hour, d.minute, 0, 0, d.loc)
	if !n.After(t) {
		n = time.Date(l.Year(), l.Month(), l.Day()+1, d.hour, d.minute, 0, 0, d.loc)
	}
	return n
}
