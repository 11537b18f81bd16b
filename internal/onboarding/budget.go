package onboarding

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Per-partner budgets (issue 10, item 8): how much of the server one
// partner may use, so that a partner's bug or a stolen secret cannot send
// SMS without end, squat NIKs in bulk, probe who is a customer at speed or
// crowd out the other partners. Each budget is a count per fixed window:
//
//   - sms_per_day: OTP SMS sent (a send the gateway certainly did not take,
//     or that another limit refused, gives its unit back); the day is
//     Indonesia's western time (WIB, UTC+7), 00:00 to 00:00;
//   - registrations_per_hour: customers registered (a refused registration
//     gives its unit back);
//   - prereg_checks_per_minute: pre-register checks with a valid NIK and
//     email, whatever their answer;
//   - requests_per_second: every authenticated request.
//
// Windows start on the clock's whole seconds, minutes and hours. The
// server's defaults (Config.Budgets) apply to a partner without a limit of
// its own (SetPartnerBudgets). A budget is counted in the database, in one
// statement per spend that never grants past the limit, so it holds however
// many instances serve the partner. A request refused for a budget is
// refused before anything else happens: it changes nothing but the count of
// the budgets spent before it (the request itself, in the second it came).
//
// Requests are too many to write each one: an instance leases a slice of
// the second's budget (a tenth of the limit, at least 1 and at most
// BudgetConfig.MaxRequestLease) in one write and serves requests from it.
// The database still never grants more than the limit in a second; a slice
// an instance leased and did not use by the end of the second is lost to
// the others, so with several instances a partner may get slightly fewer
// than the limit, never more.

// Budget names a per-partner budget; its value is the name the CLI, the
// database and the README use.
type Budget string

const (
	BudgetSMS           Budget = "sms_per_day"
	BudgetRegistrations Budget = "registrations_per_hour"
	BudgetPreregChecks  Budget = "prereg_checks_per_minute"
	BudgetRequests      Budget = "requests_per_second"
)

// Budgets are every budget, in the order they are listed.
var Budgets = []Budget{BudgetSMS, BudgetRegistrations, BudgetPreregChecks, BudgetRequests}

// DefaultBudgets are the limits of a partner without its own: what a
// partner in production onboarding a few thousand customers a day uses with
// room to spare (see the README's Limits and rules). An operator raises them
// for a larger partner with julo partner set.
var DefaultBudgets = map[Budget]int64{
	BudgetSMS:           5000,
	BudgetRegistrations: 300,
	BudgetPreregChecks:  60,
	BudgetRequests:      50,
}

// MaxBudgetLimit bounds a limit, default or a partner's.
const MaxBudgetLimit = 1_000_000_000

// DefaultMaxRequestLease is the most requests an instance leases at once.
const DefaultMaxRequestLease = 100

// BudgetConfig configures the budgets.
type BudgetConfig struct {
	// Limits are the defaults by budget; a missing or 0 entry is
	// DefaultBudgets'.
	Limits map[Budget]int64
	// MaxRequestLease bounds the requests an instance leases from the
	// database at once (a tenth of the limit, at least 1); 0:
	// DefaultMaxRequestLease, 1: a write per request.
	MaxRequestLease int64
}

// BudgetWindowsEvery is how often the ended windows are deleted.
const BudgetWindowsEvery = 5 * time.Minute

// budgetWindowsKept is how long after its end a window is kept: an
// instance whose clock is a little behind still finds the window it counts
// in, instead of starting it afresh.
const budgetWindowsKept = time.Minute

// wib is Indonesia's western time, where a budget's day begins (no daylight
// saving: a fixed offset).
var wib = time.FixedZone("WIB", 7*60*60)

// valid reports whether b is one of Budgets.
func (b Budget) valid() bool {
	_, ok := DefaultBudgets[b]
	return ok
}

// Window is the start and end of b's window that holds t.
func (b Budget) Window(t time.Time) (start, end time.Time) {
	switch b {
	case BudgetSMS:
		w := t.In(wib)
		start = time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, wib).UTC()
		return start, start.AddDate(0, 0, 1)
	case BudgetRegistrations:
		start = t.UTC().Truncate(time.Hour)
		return start, start.Add(time.Hour)
	case BudgetPreregChecks:
		start = t.UTC().Truncate(time.Minute)
		return start, start.Add(time.Minute)
	}
	start = t.UTC().Truncate(time.Second)
	return start, start.Add(time.Second)
}

// BudgetGrant is what a spend got: Granted units (0: none left), and the
// window's Used units (Granted included) out of Limit after it.
type BudgetGrant struct {
	Granted, Used, Limit int64
}

// BudgetStore counts the budgets and keeps the partners' own limits.
type BudgetStore interface {
	// SpendBudget grants up to n units of budget b of the partner in the
	// window starting at window, as many as are left of the partner's own
	// limit (def when it has none), in one atomic statement.
	SpendBudget(ctx context.Context, partnerID int64, b Budget, window time.Time, n, def int64) (BudgetGrant, error)
	// RefundBudget gives n units spent in the window back (never below 0).
	RefundBudget(ctx context.Context, partnerID int64, b Budget, window time.Time, n int64) error
	// PartnerBudgets returns the partner's own limits; ENOTFOUND for an
	// unknown partner.
	PartnerBudgets(ctx context.Context, username string) (map[Budget]int64, error)
	// SetPartnerBudgets sets the partner's own limits (a limit of 0 removes
	// the partner's own, so the default applies), in one transaction;
	// ENOTFOUND for an unknown partner.
	SetPartnerBudgets(ctx context.Context, username string, limits map[Budget]int64, at time.Time) error
	// DeleteBudgetWindows deletes the windows of b that start before
	// before, and returns how many.
	DeleteBudgetWindows(ctx context.Context, b Budget, before time.Time) (int64, error)
}

// Quota is the state of a budget in its window after a request spent it
// (or was refused by it): what the RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset headers say.
type Quota struct {
	Budget    Budget
	Limit     int64
	Remaining int64
	Reset     time.Duration // until the window ends
}

type quotaReportKey struct{}

// WithQuotaReport returns ctx in which every budget an operation spends, or
// is refused by, is reported to report with its state afterwards (in the
// goroutine of the operation). The HTTP layer turns the reports into the
// RateLimit-* headers of the answer.
func WithQuotaReport(ctx context.Context, report func(Quota)) context.Context {
	return context.WithValue(ctx, quotaReportKey{}, report)
}

func reportQuota(ctx context.Context, q Quota) {
	if report, ok := ctx.Value(quotaReportKey{}).(func(Quota)); ok {
		report(q)
	}
}

// budgetLimit is the server's default for b.
func (s *Service) budgetLimit(b Budget) int64 {
	if n := s.cfg.Budgets.Limits[b]; n > 0 {
		return n
	}
	return DefaultBudgets[b]
}

// budgetMsg is the refusal's message of each budget.
var budgetMsg = map[Budget]i18n.Msg{
	BudgetSMS:           i18n.BudgetSMSPerDay,
	BudgetRegistrations: i18n.BudgetRegistrationsPerHour,
	BudgetPreregChecks:  i18n.BudgetPreregChecksPerMinute,
	BudgetRequests:      i18n.BudgetRequestsPerSecond,
}

// budgetRefusal is the 429 of budget b with limit, until its window ends.
func budgetRefusal(b Budget, limit int64, end, now time.Time) error {
	return tooMany(budgetMsg[b], end, now, limit)
}

// budgetUnit is a unit spent, to give back when what it was spent for did
// not happen.
type budgetUnit struct {
	partnerID int64
	budget    Budget
	window    time.Time
	quota     Quota
}

// spend takes one unit of budget b for partner p, or refuses with ETOOMANY
// saying until when. Either way the budget's state is reported (see
// WithQuotaReport).
func (s *Service) spend(ctx context.Context, p julo.Partner, b Budget) (budgetUnit, error) {
	now := s.now()
	start, end := b.Window(now)
	g, err := s.store.SpendBudget(ctx, p.ID, b, start, 1, s.budgetLimit(b))
	if err != nil {
		return budgetUnit{}, err
	}
	q := Quota{Budget: b, Limit: g.Limit, Remaining: max(g.Limit-g.Used, 0), Reset: end.Sub(now)}
	reportQuota(ctx, q)
	if g.Granted == 0 {
		return budgetUnit{}, budgetRefusal(b, g.Limit, end, now)
	}
	return budgetUnit{partnerID: p.ID, budget: b, window: start, quota: q}, nil
}

// refund gives u back, also when the caller has hung up (the unit would
// otherwise stay spent), and reports the budget's state again. Its error
// is joined to cause, the reason for the refund.
func (s *Service) refund(ctx context.Context, u budgetUnit, cause error) error {
	if err := s.store.RefundBudget(context.WithoutCancel(ctx), u.partnerID, u.budget, u.window, 1); err != nil {
		return errors.Join(cause, err)
	}
	q := u.quota
	q.Remaining = min(q.Remaining+1, q.Limit)
	reportQuota(ctx, q)
	return cause
}

// requestLeases are the slices of the requests_per_second budget this
// instance leased, by partner id.
type requestLeases struct {
	mu sync.Mutex
	m  map[int64]*requestLease
}

// requestLease is one partner's slice of one second.
type requestLease struct {
	mu        sync.Mutex
	window    time.Time // the second leased in
	left      int64     // units leased and not used yet
	used      int64     // the second's units granted in all, after this instance's last lease
	limit     int64     // the limit the last lease was decided on (0: none yet)
	exhausted bool      // the database had none left for the last lease
	leases    int       // leases taken in this second
}

func (l *requestLeases) of(partnerID int64) *requestLease {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[int64]*requestLease{}
	}
	r := l.m[partnerID]
	if r == nil {
		r = &requestLease{}
		l.m[partnerID] = r
	}
	return r
}

// CountRequest spends one unit of the partner's requests_per_second
// budget for an authenticated request, from this instance's lease (taking
// a new one from the database when it is used up), or refuses with
// ETOOMANY until the second ends. The budget's state is reported (see
// WithQuotaReport).
func (s *Service) CountRequest(ctx context.Context, p julo.Partner) error {
	now := s.now()
	start, end := BudgetRequests.Window(now)
	l := s.leases.of(p.ID)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.window.Equal(start) {
		l.window, l.left, l.used, l.exhausted, l.leases = start, 0, 0, false, 0
	}
	if l.left == 0 && !l.exhausted {
		limit := l.limit
		if limit == 0 {
			limit = s.budgetLimit(BudgetRequests)
		}
		g, err := s.store.SpendBudget(ctx, p.ID, BudgetRequests, start, s.leaseSize(limit, l.leases), s.budgetLimit(BudgetRequests))
		if err != nil {
			return err
		}
		l.left, l.used, l.limit, l.exhausted = g.Granted, g.Used, g.Limit, g.Granted == 0
		l.leases++
	}
	q := Quota{Budget: BudgetRequests, Limit: l.limit, Reset: end.Sub(now)}
	if l.left == 0 {
		reportQuota(ctx, q)
		return budgetRefusal(BudgetRequests, l.limit, end, now)
	}
	l.left--
	q.Remaining = max(l.limit-l.used, 0) + l.left
	reportQuota(ctx, q)
	return nil
}

// leaseSize is how many requests to lease under limit after n leases in
// the same second: a tenth of the limit at most, at least 1; the first at
// most MaxRequestLease, and each further one in the same second twice the
// one before (up to 64 times MaxRequestLease). A quiet instance holds no
// more than it needs; a busy one writes a few times a second instead of
// once per MaxRequestLease requests (a lease is a write transaction: at
// 30,000 requests/s a fixed lease of 100 was a fifth of a read's time).
// MaxRequestLease 1 does not grow: a write per request.
func (s *Service) leaseSize(limit int64, n int) int64 {
	most := s.cfg.Budgets.MaxRequestLease
	if most <= 0 {
		most = DefaultMaxRequestLease
	}
	if most > 1 {
		most <<= min(n, maxLeaseDoublings)
	}
	return max(1, min(limit/10, most))
}

// maxLeaseDoublings bounds a lease's growth within a second.
const maxLeaseDoublings = 6

// PartnerBudget is one budget of a partner as an operator sees it: the
// limit in force, and whether it is the server's default.
type PartnerBudget struct {
	Budget  Budget
	Limit   int64
	Default bool
}

// PartnerBudgets lists the partner's budgets, in the order of Budgets;
// ENOTFOUND for an unknown partner.
func (s *Service) PartnerBudgets(ctx context.Context, username string) ([]PartnerBudget, error) {
	own, err := s.store.PartnerBudgets(ctx, username)
	if err != nil {
		return nil, partnerErr(username, err)
	}
	out := make([]PartnerBudget, 0, len(Budgets))
	for _, b := range Budgets {
		pb := PartnerBudget{Budget: b, Limit: own[b]}
		if pb.Limit == 0 {
			pb.Limit, pb.Default = s.budgetLimit(b), true
		}
		out = append(out, pb)
	}
	return out, nil
}

// SetPartnerBudgets gives the partner its own limits for the budgets in
// limits (1 to MaxBudgetLimit; 0: back to the server's default), leaving
// the others as they are, and returns every budget as PartnerBudgets does.
// An unknown budget or a limit out of range is EINVALID; an unknown partner
// ENOTFOUND. A window under way keeps its count: a lower limit refuses
// what is past it at once, a higher one grants the difference.
func (s *Service) SetPartnerBudgets(ctx context.Context, username string, limits map[Budget]int64) ([]PartnerBudget, error) {
	for _, b := range Budgets {
		n, ok := limits[b]
		if ok && (n < 0 || n > MaxBudgetLimit) {
			return nil, julo.Errorf(julo.EINVALID, string(b), i18n.BudgetLimitInvalid, string(b), MaxBudgetLimit)
		}
	}
	for b := range limits {
		if !b.valid() {
			return nil, julo.Errorf(julo.EINVALID, string(b), i18n.BudgetLimitInvalid, string(b), MaxBudgetLimit)
		}
	}
	if err := s.store.SetPartnerBudgets(ctx, username, limits, s.now()); err != nil {
		return nil, partnerErr(username, err)
	}
	return s.PartnerBudgets(ctx, username)
}

// BudgetWindowsJob deletes the budget windows that have ended; River
// inserts it every BudgetWindowsEvery.
type BudgetWindowsJob struct{}

// Kind names the job.
func (BudgetWindowsJob) Kind() string { return "budget_windows_cleanup" }

// DeleteEndedBudgetWindows runs a BudgetWindowsJob: every window that
// ended more than a minute ago is deleted (a budget counts only in its
// current window).
func (s *Service) DeleteEndedBudgetWindows(ctx context.Context, _ BudgetWindowsJob) error {
	now := s.now()
	var errs []error
	for _, b := range Budgets {
		// The window that held this moment a minute ago, and every later
		// one, may still be counted in; those before it have ended.
		keep, _ := b.Window(now.Add(-budgetWindowsKept))
		if _, err := s.store.DeleteBudgetWindows(ctx, b, keep); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
