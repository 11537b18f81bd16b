package onboarding

import (
	"context"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Banks whose data can be imported (the data_type values).
var ImportBanks = []string{"bri", "bca", "mandiri", "bni"}

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

// BPJS task states.
const (
	BPJSPending = "pending"
	BPJSSuccess = "success"
	BPJSFailed  = "failed"
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
// (queued in an ImportPlanJob).
type PlannedEvent struct {
	Status, Message string
	After           time.Duration
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
	Status        string
}

// BankImport is one import as stored.
type BankImport struct {
	ID            int64
	ApplicationID int64
	Bank, Ref     string
	Status        string
	Message       string
	CreatedAt     time.Time
}

// ExternalStore is the storage of BPJS tasks and bank imports.
type ExternalStore interface {
	CreateBPJSTask(ctx context.Context, applicationID int64, token, appType string, at time.Time) error
	// FinishBPJSTask moves a pending task to status; ENOTFOUND for an unknown
	// token; ECONFLICT when the task already ended with another status.
	FinishBPJSTask(ctx context.Context, token, status, message string, at time.Time) error
	// BPJSSummary says whether any of the application's tasks succeeded, and
	// whether one created since pendingSince is still pending.
	BPJSSummary(ctx context.Context, applicationID int64, pendingSince time.Time) (success, pending bool, err error)
	// BPJSTask returns the task with token, or ENOTFOUND.
	BPJSTask(ctx context.Context, token string) (BPJSTask, error)
	// CreateBankImport inserts an import at initiated, with jobs (the
	// sandbox's planned progress) in the same transaction; a duplicate of
	// UniqueActiveImport while another import of the bank is unfinished.
	CreateBankImport(ctx context.Context, imp BankImport, jobs []julo.Scheduled) (BankImport, error)
	// DeleteBankImport removes an import that never started.
	DeleteBankImport(ctx context.Context, id int64) error
	ActiveBankImport(ctx context.Context, applicationID int64, bank string) (BankImport, error)
	// AdvanceImport runs next on the import with ref (ENOTFOUND if none) and
	// stores the state it returns, in one transaction.
	AdvanceImport(ctx context.Context, ref string, at time.Time, next func(BankImport) (string, string, error)) error
	// BankSummary says, per bank, whether an import succeeded and whether
	// one is unfinished.
	BankSummary(ctx context.Context, applicationID int64) (map[string]BankState, error)
}

// BankState summarises a bank's imports for one application.
type BankState struct {
	Verified, Ongoing bool
}

// ExternalConfig configures the external-data steps.
type ExternalConfig struct {
	// PublicURL is where vendors and customers reach this server.
	PublicURL string
	// Callback secrets: vendors sign their callbacks with them.
	BPJSCallbackSecret, ScraperCallbackSecret []byte
	// CallbackSkew is how old (or new) a callback's timestamp may be.
	CallbackSkew time.Duration
	// BPJSPendingFor is how long a login task counts as ongoing; a customer
	// who never logs in does not leave BPJS "ongoing" for ever.
	BPJSPendingFor time.Duration
}
