package onboarding

import (
	"context"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Banks whose data can be imported (the data_type values).
var ImportBanks = []string{"bri", "bca", "mandiri", "bni"}

// StatusBanks is the order of the banks in a status's bank list (one entry
// each): alphabetical, as the production lender lists them.
var StatusBanks = []string{"bca", "bni", "bri", "mandiri"}

// Bank import states. An import starts at initiated and ends at one of the
// failed states or at load_success.
const (
	ImportInitiated     = "initiated"
	ImportAuthSuccess   = "auth_success"
	ImportAuthFailed    = "auth_failed"
	ImportScrapeSuccess = "scrape_success"
	ImportScrapeFailed  = "scrape_failed"
	ImportLoadSuccess   = "load_success"
	ImportLoadFailed    = "load_failed"
)

// importNext lists the states each state may move to.
var importNext = map[string][]string{
	ImportInitiated:     {ImportAuthSuccess, ImportAuthFailed},
	ImportAuthSuccess:   {ImportScrapeSuccess, ImportScrapeFailed},
	ImportScrapeSuccess: {ImportLoadSuccess, ImportLoadFailed},
}

// ImportFinal reports whether an import state is final.
func ImportFinal(state string) bool { _, more := importNext[state]; return !more }

// Why an import ended without data: the reason a bank's status shows, so
// that a partner can tell the customer "wrong password" from "the bank is
// down" from "never tried" (no reason).
const (
	ReasonWrongCredentials = "wrong_credentials" // the bank refused the login
	ReasonBankUnavailable  = "bank_unavailable"  // the bank did not answer (at login or while reading)
	ReasonScrapeFailed     = "scrape_failed"     // logged in, but reading the data failed
	ReasonLoadFailed       = "load_failed"       // the data was read but could not be loaded
)

// importReasons lists, for each failed state, the reasons it may carry; the
// first is the one a report without a reason gets.
var importReasons = map[string][]string{
	ImportAuthFailed:   {ReasonWrongCredentials, ReasonBankUnavailable},
	ImportScrapeFailed: {ReasonScrapeFailed, ReasonBankUnavailable},
	ImportLoadFailed:   {ReasonLoadFailed},
}

// BPJS task states. A task is pending until the vendor reports the login's
// outcome; a failed login may be submitted again (the task is then pending
// again) until the task expires; success is final.
const (
	BPJSPending = "pending"
	BPJSSuccess = "success"
	BPJSFailed  = "failed"
	// BPJSSubmitted is not a state but the vendor's report that the
	// customer submitted the login (SubmittedAt is set; BPJS is ongoing).
	BPJSSubmitted = "submitted"
)

// Partner-facing verification states of scraping-status.
const (
	Verified    = "verified"
	NotVerified = "not verified"
	Ongoing     = "ongoing"
)

// BPJSLogin is what a BPJS provider needs to build a login URL.
type BPJSLogin struct {
	Token       string // opaque pass-back value identifying the task
	AppType     string // web or android
	CallbackURL string // where the vendor reports the outcome
	RedirectURL string // where the customer goes after the login page ("": nowhere)
}

// BPJSProvider builds the URL where the customer logs in to BPJS.
type BPJSProvider interface {
	LoginURL(ctx context.Context, l BPJSLogin) (string, error)
}

// BankJob is an import handed to a scraper. Username and Password are the
// customer's bank credentials: the scraper uses them and keeps nothing.
type BankJob struct {
	Ref, Bank, Username, Password, CallbackURL string
}

// PlannedEvent is a state the sandbox scraper will report After the start
// (queued in an ImportPlanJob). Reason ("": the state's default) is one of
// importReasons' for a failed state.
type PlannedEvent struct {
	Status, Message, Reason string
	After                   time.Duration
}

// BankScraper starts imports. A sandbox scraper returns its planned
// progress; a real one reports progress through the callback.
type BankScraper interface {
	StartImport(ctx context.Context, j BankJob) ([]PlannedEvent, error)
}

// BPJSTask is one BPJS login task as stored.
type BPJSTask struct {
	ApplicationID int64
	Token         string
	AppType       string
	Status        string
	RedirectURL   string // "": none
	CreatedAt     time.Time
	SubmittedAt   time.Time // zero: the customer has not submitted the login
}

// BankImport is one import as stored.
type BankImport struct {
	ID            int64 // the store's own key, never shown
	PublicID      int64 // the id a partner sees: random (see newPublicID)
	ApplicationID int64
	Bank, Ref     string
	Status        string
	Message       string
	Reason        string // a failed import's Reason* ("": running or verified)
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ImportStep is the state an import moves to, as AdvanceImport stores it.
type ImportStep struct {
	Status, Message, Reason string
}

// ExternalStore is the storage of BPJS tasks and bank imports.
type ExternalStore interface {
	// OpenBPJSTask returns the task a BPJS login of t.ApplicationID uses, in
	// one transaction: the application's latest task if reuse accepts it
	// (updated to t's AppType and RedirectURL; reused), else t (Token,
	// AppType, RedirectURL) recorded as its pending task, the application's
	// other pending tasks closed as BPJSExpired. An application has at most
	// one pending task (UniquePendingBPJSTask).
	OpenBPJSTask(ctx context.Context, t BPJSTask, at time.Time, reuse func(BPJSTask) bool) (_ BPJSTask, reused bool, _ error)
	// FinishBPJSTask moves a pending task to status; ENOTFOUND for an unknown
	// token; ECONFLICT when the task already ended with another status.
	FinishBPJSTask(ctx context.Context, token, status, message string, at time.Time) error
	// SubmitBPJSTask records that the customer submitted the task's login:
	// in one transaction it runs check on the task (ENOTFOUND if none); if
	// check says so, the task is pending again with SubmittedAt at, and
	// jobs are queued; check's error refuses the submission.
	SubmitBPJSTask(ctx context.Context, token string, at time.Time, check func(BPJSTask) (bool, error), jobs ...julo.Scheduled) error
	// BPJSSummary says whether any of the application's tasks succeeded, and
	// whether one submitted since pendingSince is still pending.
	BPJSSummary(ctx context.Context, applicationID int64, pendingSince time.Time) (success, pending bool, err error)
	// BPJSTask returns the task with token, or ENOTFOUND.
	BPJSTask(ctx context.Context, token string) (BPJSTask, error)
	// ReturnURLPrefixes are the partner's registered return-URL prefixes.
	ReturnURLPrefixes(ctx context.Context, partnerID int64) ([]string, error)
	// SetReturnURLPrefixes replaces the return-URL prefixes of the partner
	// named username (ENOTFOUND if none) with prefixes.
	SetReturnURLPrefixes(ctx context.Context, username string, prefixes []string, at time.Time) error
	// CreateBankImport inserts an import at initiated, with jobs (the
	// sandbox's planned progress) in the same transaction; a duplicate of
	// UniqueActiveImport while another import of the bank is unfinished, of
	// UniqueImportID when imp.PublicID is taken.
	CreateBankImport(ctx context.Context, imp BankImport, jobs []julo.Scheduled) (BankImport, error)
	// DeleteBankImport removes an import that never started.
	DeleteBankImport(ctx context.Context, id int64) error
	ActiveBankImport(ctx context.Context, applicationID int64, bank string) (BankImport, error)
	// AdvanceImport runs next on the import with ref (ENOTFOUND if none) and
	// stores the step it returns, in one transaction; a step with the
	// current status changes nothing.
	AdvanceImport(ctx context.Context, ref string, at time.Time, next func(BankImport) (ImportStep, error)) error
	// BankSummary returns, per bank with imports, its newest import and its
	// newest successful one.
	BankSummary(ctx context.Context, applicationID int64) (map[string]BankState, error)
}

// BankState summarises a bank's imports for one application.
type BankState struct {
	Latest  BankImport // the newest import
	Success BankImport // the newest that reached load_success (ID 0: none)
}

// ExternalConfig configures the external-data steps.
type ExternalConfig struct {
	// PublicURL is where vendors and customers reach this server.
	PublicURL string
	// Callback secrets: vendors sign their callbacks with them.
	BPJSCallbackSecret, ScraperCallbackSecret []byte
	// CallbackSkew is how old (or new) a callback's timestamp may be.
	CallbackSkew time.Duration
	// BPJSPendingFor is how long a BPJS login task lives: a failed login
	// may be submitted again on the same URL until then, and a submitted
	// login whose outcome never arrives stops counting as ongoing then.
	BPJSPendingFor time.Duration
}
