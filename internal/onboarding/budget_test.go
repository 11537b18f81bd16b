package onboarding

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// memBudgets counts budgets in memory as the store does (what is left up
// to what is asked), shared by the services that stand for instances.
type memBudgets struct {
	Store
	mu    sync.Mutex
	used  map[string]int64
	own   map[Budget]int64
	calls int
}

func newMemBudgets() *memBudgets {
	return &memBudgets{used: map[string]int64{}, own: map[Budget]int64{}}
}

func (m *memBudgets) SpendBudget(_ context.Context, partnerID int64, b Budget, window time.Time, n, def int64) (BudgetGrant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	limit := def
	if own := m.own[b]; own > 0 {
		limit = own
	}
	key := fmt.Sprint(partnerID, b, window.UnixMilli())
	used := m.used[key]
	g := max(0, min(n, limit-used))
	m.used[key] = used + g
	return BudgetGrant{Granted: g, Used: used + g, Limit: limit}, nil
}

func (m *memBudgets) RefundBudget(_ context.Context, partnerID int64, b Budget, window time.Time, n int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := fmt.Sprint(partnerID, b, window.UnixMilli())
	m.used[key] = max(0, m.used[key]-n)
	return nil
}

// otpFakeStore's sms_per_day budget always has a unit left: the OTP tests
// are about the OTP limits.
func (f *otpFakeStore) SpendBudget(_ context.Context, _ int64, _ Budget, _ time.Time, n, def int64) (BudgetGrant, error) {
	return BudgetGrant{Granted: 1, Used: 1, Limit: def}, nil
}

func (f *otpFakeStore) RefundBudget(context.Context, int64, Budget, time.Time, int64) error {
	return nil
}

// Windows: the day of WIB (UTC+7), and the clock's hours, minutes, seconds.
func TestBudgetWindows(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		b          Budget
		t          string
		start, end string
	}{
		{BudgetSMS, "2026-11-24T16:59:59.999Z", "2026-11-23T17:00:00Z", "2026-11-24T17:00:00Z"}, // 23:59:59 WIB
		{BudgetSMS, "2026-11-24T17:00:00Z", "2026-11-24T17:00:00Z", "2026-11-25T17:00:00Z"},     // 00:00 WIB
		{BudgetSMS, "2026-12-31T20:00:00Z", "2026-12-31T17:00:00Z", "2027-01-01T17:00:00Z"},
		{BudgetRegistrations, "2026-11-24T09:59:59.5Z", "2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"},
		{BudgetPreregChecks, "2026-11-24T09:07:30Z", "2026-11-24T09:07:00Z", "2026-11-24T09:08:00Z"},
		{BudgetRequests, "2026-11-24T09:07:30.25Z", "2026-11-24T09:07:30Z", "2026-11-24T09:07:31Z"},
	} {
		start, end := c.b.Window(at(c.t))
		if !start.Equal(at(c.start)) || !end.Equal(at(c.end)) {
			t.Errorf("%s at %s: window %v-%v, want %s-%s", c.b, c.t, start, end, c.start, c.end)
		}
	}
}

// An instance leases a tenth of the requests_per_second limit at a time,
// serves requests from it, reports what is left and, with none left,
// refuses until the second ends without asking the database again.
func TestCountRequestLeasesSlicesOfTheSecond(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 250_000_000, time.UTC)
	st := newMemBudgets()
	s := New(Deps{Store: st, Now: func() time.Time { return now }, Config: Config{Budgets: BudgetConfig{Limits: map[Budget]int64{BudgetRequests: 50}}}})
	p := julo.Partner{ID: 7}
	var got []Quota
	ctx := WithQuotaReport(context.Background(), func(q Quota) { got = append(got, q) })
	for i := range 50 {
		if err := s.CountRequest(ctx, p); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		q := got[len(got)-1]
		if q != (Quota{Budget: BudgetRequests, Limit: 50, Remaining: int64(49 - i), Reset: 750 * time.Millisecond}) {
			t.Fatalf("request %d reported %+v", i+1, q)
		}
	}
	if st.calls != 10 {
		t.Fatalf("50 requests took %d leases, want 10 of 5", st.calls)
	}
	for range 3 {
		err := s.CountRequest(ctx, p)
		var e *julo.Error
		if !errors.As(err, &e) || e.Code != julo.ETOOMANY || e.Problems[0].Msg != i18n.BudgetRequestsPerSecond || e.RetryAfter != 750*time.Millisecond {
			t.Fatalf("past the limit: %v", err)
		}
		if q := got[len(got)-1]; q.Remaining != 0 || q.Limit != 50 {
			t.Fatalf("a refusal reported %+v", q)
		}
	}
	if st.calls != 11 {
		t.Fatalf("refusals asked the database %d times, want once", st.calls-10)
	}
	// Another partner has its own budget; the next second is a new one.
	if err := s.CountRequest(ctx, julo.Partner{ID: 8}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if err := s.CountRequest(ctx, p); err != nil {
		t.Fatalf("the next second: %v", err)
	}

	// With a lease of 1, every request is a write.
	one := New(Deps{Store: newMemBudgets(), Now: func() time.Time { return now }, Config: Config{Budgets: BudgetConfig{MaxRequestLease: 1}}})
	for range 5 {
		one.CountRequest(context.Background(), p)
	}
	if n := one.store.(*memBudgets).calls; n != 5 {
		t.Fatalf("lease of 1: %d writes for 5 requests", n)
	}
}

// Two instances never get more than the limit between them; a slice one
// leased and did not use is lost to the other for that second.
func TestCountRequestAcrossInstancesNeverPassesTheLimit(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st := newMemBudgets()
	cfg := Config{Budgets: BudgetConfig{Limits: map[Budget]int64{BudgetRequests: 50}}}
	a := New(Deps{Store: st, Now: func() time.Time { return now }, Config: cfg})
	b := New(Deps{Store: st, Now: func() time.Time { return now }, Config: cfg})
	p := julo.Partner{ID: 7}
	ok := 0
	for range 3 {
		if a.CountRequest(context.Background(), p) == nil {
			ok++
		}
	}
	for range 60 {
		if b.CountRequest(context.Background(), p) == nil {
			ok++
		}
	}
	if ok != 48 {
		t.Fatalf("%d requests served, want 48: 50 less the 2 that A leased and did not use", ok)
	}
	if n := st.used[fmt.Sprint(7, BudgetRequests, now.UnixMilli())]; n != 50 {
		t.Fatalf("the database granted %d, want the limit", n)
	}
}

// A budget refusal comes before anything else; spend and refund report
// the budget's state.
func TestSpendRefusesAndRefundGivesBack(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	st := newMemBudgets()
	st.own[BudgetRegistrations] = 2
	s := New(Deps{Store: st, Now: func() time.Time { return now }})
	var got []Quota
	ctx := WithQuotaReport(context.Background(), func(q Quota) { got = append(got, q) })
	p := julo.Partner{ID: 3}
	u, err := s.spend(ctx, p, BudgetRegistrations)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.spend(ctx, p, BudgetRegistrations); err != nil {
		t.Fatal(err)
	}
	_, err = s.spend(ctx, p, BudgetRegistrations)
	var e *julo.Error
	if !errors.As(err, &e) || e.Code != julo.ETOOMANY || e.RetryAfter != 30*time.Minute || e.Problems[0].Msg != i18n.BudgetRegistrationsPerHour {
		t.Fatalf("third registration: %v", err)
	}
	if want := []any{int64(2), 1800, "2026-11-24T10:00:00Z"}; fmt.Sprint(e.Problems[0].Args) != fmt.Sprint(want) {
		t.Fatalf("message args %v, want %v", e.Problems[0].Args, want)
	}
	cause := errors.New("refused")
	if err := s.refund(ctx, u, cause); err != cause {
		t.Fatalf("refund returned %v", err)
	}
	if q := got[len(got)-1]; q != (Quota{Budget: BudgetRegistrations, Limit: 2, Remaining: 2, Reset: 30 * time.Minute}) {
		t.Fatalf("after the refund reported %+v", q)
	}
	if _, err := s.spend(ctx, p, BudgetRegistrations); err != nil {
		t.Fatalf("after a refund: %v", err)
	}
	// The default when the partner has none of its own.
	if _, err := s.spend(ctx, p, BudgetSMS); err != nil {
		t.Fatal(err)
	}
	if q := got[len(got)-1]; q.Limit != DefaultBudgets[BudgetSMS] || q.Remaining != DefaultBudgets[BudgetSMS]-1 {
		t.Fatalf("SMS reported %+v", q)
	}
}

// The operator's limits: 1 to MaxBudgetLimit or 0 (the default); anything
// else, or an unknown budget, is refused before the store is asked.
func TestSetPartnerBudgetsRefusesLimitsOutOfRange(t *testing.T) {
	s := New(Deps{Store: newMemBudgets()})
	for _, limits := range []map[Budget]int64{
		{BudgetSMS: -1},
		{BudgetRequests: MaxBudgetLimit + 1},
		{"sms_per_week": 5},
	} {
		if _, err := s.SetPartnerBudgets(context.Background(), "acme", limits); julo.ErrorCode(err) != julo.EINVALID {
			t.Errorf("%v: %v", limits, err)
		}
	}
}

// A busy instance's leases double within a second (100, 200, ... up to 64
// times the first, never past a tenth of the limit) and start again at the
// first size the next second; a small limit keeps its tenth.
func TestRequestLeasesGrowWithinASecond(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	p := julo.Partner{ID: 7}
	for _, tc := range []struct {
		limit, requests int64
		writes          int
	}{
		{MaxBudgetLimit, 10_000, 7},   // 100+200+400+800+1,600+3,200+6,400 = 12,700
		{MaxBudgetLimit, 100_000, 21}, // 12,700 in 7, then 6,400 at a time: 14 more
		{MaxBudgetLimit, 100, 1},      // one lease of 100
		{50, 50, 10},                  // a tenth of the limit: 5 at a time
		{20_000, 20_000, 14},          // 3,100 in 5 (to 1,600), then a tenth, 2,000: 9 more (the last one partial)
	} {
		st := newMemBudgets()
		s := New(Deps{Store: st, Now: func() time.Time { return now }, Config: Config{Budgets: BudgetConfig{Limits: map[Budget]int64{BudgetRequests: tc.limit}}}})
		for i := range tc.requests {
			if err := s.CountRequest(ctx, p); err != nil {
				t.Fatalf("limit %d: request %d: %v", tc.limit, i, err)
			}
		}
		if st.calls != tc.writes {
			t.Errorf("limit %d, %d requests: %d writes, want %d", tc.limit, tc.requests, st.calls, tc.writes)
		}
	}
}
