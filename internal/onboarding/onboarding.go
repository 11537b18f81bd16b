// Package onboarding is the domain of the partner API: partners, customers,
// applications and their statuses, the rules that guard them, and the
// operations the HTTP layer calls. It knows no HTTP and no SQL: storage and
// keys reach it through the small interfaces and types defined here.
package onboarding

import (
	"context"
	"crypto/rand"
	"io"
	"runtime"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/refdata"
)

// PartnerSummary is what an operator sees of a partner: how many secrets
// are active (never the secrets), and since when it is disabled (nil: it is
// not).
type PartnerSummary struct {
	Username      string
	Disabled      bool
	ActiveSecrets int
	CreatedAt     time.Time
	DisabledAt    *time.Time
}

// PartnerSecret is one stored credential: only its keyed hash is kept.
type PartnerSecret struct {
	KeyID string // which server key made Hash
	Hash  string // hex HMAC-SHA256 of the secret
}

// Registration is what Register stores: a customer and its first application,
// together or not at all.
type Registration struct {
	PartnerID           int64
	NIK                 string
	Email               string
	PINHash, PINKeyID   string
	Latitude, Longitude float64
	XID                 int64
	Status              julo.AppStatus
	At                  time.Time
	// Release are the holders whose lapsed claims on the NIK or email the
	// registration takes over (see claimOf).
	Release []Holder
	// CallbackURL and CallbackToken are the application's own callback
	// target ("" none), checked by the Callbacks port.
	CallbackURL, CallbackToken string
}

// Application is a customer's application as the partner sees it.
type Application struct {
	ID         int64
	XID        int64
	PartnerID  int64
	CustomerID int64
	Status     julo.AppStatus
	NIK        string
	Email      string
	CreatedAt  time.Time
}

// PreregGuard counts failed pre-register checks for one email (keyed by a hash
// of the email, so the table holds no address).
type PreregGuard struct {
	Failures    int
	WindowStart time.Time
	LockedUntil time.Time
}

// Store is the storage the domain needs. Every method is one transaction.
// Methods return *Error with ENOTFOUND for a missing row and ECONFLICT (Field
// naming the clashing field) for a uniqueness violation.
type Store interface {
	CreatePartner(ctx context.Context, username string, s PartnerSecret, at time.Time) (julo.Partner, error)
	PartnerCredentials(ctx context.Context, username string) (julo.Partner, []PartnerSecret, error)
	ListPartners(ctx context.Context) ([]PartnerSummary, error)
	SetPartnerDisabled(ctx context.Context, username string, disabled bool, at time.Time) error
	// AddPartnerSecret stores s and revokes every active secret but the newest
	// keepOld ones that were there before.
	AddPartnerSecret(ctx context.Context, username string, s PartnerSecret, keepOld int, at time.Time) error
	// RevokePartnerSecrets revokes every active secret but the newest; it returns
	// how many it revoked.
	RevokePartnerSecrets(ctx context.Context, username string, at time.Time) (int, error)
	// CredentialsVersion returns a number that moves in the transaction of
	// every SetPartnerDisabled, AddPartnerSecret and RevokePartnerSecrets
	// (the credential cache's check).
	CredentialsVersion(ctx context.Context) (int64, error)

	Register(ctx context.Context, r Registration) (Application, error)
	// ApplicationByXID returns the application with its customer's NIK and
	// email, or ENOTFOUND.
	ApplicationByXID(ctx context.Context, xid int64) (Application, error)
	// UpdatePreregGuard runs fn on the guard of key (zero if absent) and stores
	// the result, atomically with respect to other instances.
	UpdatePreregGuard(ctx context.Context, key string, fn func(*PreregGuard) error) error
	PreregGuard(ctx context.Context, key string) (PreregGuard, error)

	Ping(ctx context.Context) error
	// Enqueue inserts background jobs in a transaction of their own.
	Enqueue(ctx context.Context, jobs ...julo.Scheduled) error

	RegistrationStore
	ImageStore
	OTPStore
	OutboxStore
	CompleteStore
	ExternalStore
	BudgetStore
}

// Config holds the tunable rules.
type Config struct {
	BlockedEmailDomains []string
	// PreregFailures failed pre-register checks of one email within PreregWindow
	// lock it for PreregLock.
	PreregFailures int
	PreregWindow   time.Duration
	PreregLock     time.Duration
	OTP            OTPConfig
	External       ExternalConfig
	// FormExpiry: an application at 100 with no successful step for this
	// long expires (106); RefusalCoolingOff: a refused customer may register
	// again this long after the refusal. 0: DefaultFormExpiry,
	// DefaultRefusalCoolingOff.
	FormExpiry        time.Duration
	RefusalCoolingOff time.Duration
	// MaxImagesPerApplication bounds the images (current and superseded) of an application; 0: DefaultMaxImagesPerApplication.
	MaxImagesPerApplication int
	// Budgets are the per-partner budgets' defaults (see budget.go).
	Budgets BudgetConfig
	// CredentialCheck is how often this instance reads the credentials
	// version, and so the longest a disabled partner or a revoked secret is
	// still accepted here after another instance or the CLI changed it
	// (credcache.go). 0: DefaultCredentialCheck; negative: no cache, every
	// request verified against the store.
	CredentialCheck time.Duration
	// TermsVersion names the terms and privacy notice a customer accepts
	// with is_term_accepted and is_verification_agreed (the lender's
	// document version); it is stored with the consent and its time.
	// "": DefaultTermsVersion.
	TermsVersion string
}

// DefaultTermsVersion is the terms version recorded when none is configured.
const DefaultTermsVersion = "unversioned"

// DefaultConfig is the configuration documented in the README.
func DefaultConfig() Config {
	return Config{
		BlockedEmailDomains: DefaultBlockedEmailDomains,
		PreregFailures:      3,
		PreregWindow:        time.Hour,
		PreregLock:          3 * time.Hour,
		OTP:                 DefaultOTPConfig(),
		External:            ExternalConfig{CallbackSkew: 5 * time.Minute, BPJSPendingFor: time.Hour},
		FormExpiry:          DefaultFormExpiry,
		RefusalCoolingOff:   DefaultRefusalCoolingOff,
	}
}

// Deps are the service's collaborators. Now and Rand default to the clock and
// crypto/rand; tests inject fixed ones.
type Deps struct {
	Store  Store
	Area   *refdata.Area
	Keys   Keys
	Blobs  Blobs
	SMS    SMSSender
	BPJS   BPJSProvider
	Bank   BankScraper
	Config Config
	Now    func() time.Time
	Rand   io.Reader
	// Observer is told of OTP sends, refusals and validations and of
	// uploads (metrics); nil: nobody.
	Observer Observer
	// Callbacks checks a registration's callback_url and callback_token;
	// nil: they are ignored.
	Callbacks Callbacks
}

// Service carries out the domain operations.
type Service struct {
	store     Store
	area      *refdata.Area
	keys      Keys
	blobs     Blobs
	sms       SMSSender
	bpjs      BPJSProvider
	scraper   BankScraper
	cfg       Config
	now       func() time.Time
	rand      io.Reader
	obs       Observer
	hashes    chan struct{} // bounds concurrent argon2id hashes (memory-hungry)
	leases    requestLeases // this instance's slices of the partners' requests_per_second budgets
	callbacks Callbacks
	creds     *credentialCache // nil: every request verified against the store
}

// New returns a Service.
func New(d Deps) *Service {
	s := &Service{store: d.Store, area: d.Area, keys: d.Keys, blobs: d.Blobs, sms: d.SMS, bpjs: d.BPJS, scraper: d.Bank, cfg: d.Config, now: d.Now, rand: d.Rand,
		callbacks: d.Callbacks}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.obs = d.Observer; s.obs == nil {
		s.obs = nopObserver{}
	}
	s.hashes = make(chan struct{}, runtime.GOMAXPROCS(0))
	s.creds = newCredentialCache(s.cfg.CredentialCheck, s.rand)
	return s
}

// Ready reports whether the store answers.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }
