// Command scale measures, in process, the latency of the operations whose
// cost must not grow with the database (issue 17 item 4) on databases
// seeded by bench/seed, and compares two of them side by side:
//
//	scale --data DIR [--database-url URL] [--n 600]
//	scale --data SMALL [--database-url U1] --vs-data BIG [--vs-database-url U2] [--n 600] [--max-ratio 1.2]
//
// Each operation runs through the service a request reaches (onboarding's
// PreregisterCheck and ApplicationStatus, notify's Events) or, where the
// service adds nothing that depends on the rows or cannot be had without
// the PIN hash, through the store calls it makes (registration: Holders and
// Register with a precomputed hash; the console's list: ConsoleApplications
// as its page asks). No HTTP: authentication, the envelope and the log
// line cost the same at any size, and bench/run.sh measures them.
//
// With two databases, every operation runs in blocks of 50 alternating
// between them, so that what else runs on the shared machine weighs on both
// alike, and the table gives each one's p50 and p99 and the ratio big/small.
// The registration block, which adds rows, runs last. Exit status 1 when a
// ratio exceeds --max-ratio (0: never).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/notify"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/refdata"
	"github.com/julo-partnership/julo/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	data := fs.String("data", "", "data directory of the (first) seeded database")
	url := fs.String("database-url", "", "its database URL; empty = SQLite in the data dir")
	vsData := fs.String("vs-data", "", "data directory of the database to compare with (the big one)")
	vsURL := fs.String("vs-database-url", "", "its database URL")
	n := fs.Int("n", 2000, "samples per read operation and database")
	nWrites := fs.Int("n-writes", 400, "samples of the operations that write (each registration adds an application)")
	maxRatio := fs.Float64("max-ratio", 0, "exit 1 when a p50 or p99 ratio exceeds this (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("--data is required")
	}
	area, err := refdata.LoadArea()
	if err != nil {
		return err
	}
	var ts []*target
	for _, d := range [][2]string{{*data, *url}, {*vsData, *vsURL}} {
		if d[0] == "" {
			continue
		}
		t, err := open(ctx, d[0], d[1], area, len(ts))
		if err != nil {
			return err
		}
		defer t.db.Close()
		ts = append(ts, t)
		fmt.Printf("%s: %d applications, %d partners, %d events sampled\n", t.name, t.maxID, len(t.partners), len(t.eventIDs))
	}
	fmt.Println()
	const block = 50
	results := make([]map[string][]time.Duration, len(ts))
	for i := range results {
		results[i] = map[string][]time.Duration{}
	}
	for _, op := range ops {
		n := *n
		if op.writes() {
			n = *nWrites
		}
		for done := 0; done < n; done += block {
			for i, t := range ts {
				for k := 0; k < block && done+k < n; k++ {
					start := time.Now()
					if err := op.run(ctx, t); err != nil {
						return fmt.Errorf("%s on %s: %w", op.name, t.name, err)
					}
					results[i][op.name] = append(results[i][op.name], time.Since(start))
				}
			}
		}
	}
	over := false
	if len(ts) == 1 {
		fmt.Printf("%-34s %9s %9s\n", "operation ("+ts[0].name+")", "p50 ms", "p99 ms")
	} else {
		fmt.Printf("%-34s %9s %9s %9s %9s %7s %7s\n", "operation", "p50 A", "p50 B", "p99 A", "p99 B", "p50 x", "p99 x")
		fmt.Printf("A = %d applications, B = %d (latencies in ms)\n", ts[0].maxID, ts[1].maxID)
	}
	for _, op := range ops {
		a := results[0][op.name]
		if len(ts) == 1 {
			fmt.Printf("%-34s %9.3f %9.3f\n", op.name, ms(pct(a, 50)), ms(pct(a, 99)))
			continue
		}
		b := results[1][op.name]
		r50, r99 := ms(pct(b, 50))/ms(pct(a, 50)), ms(pct(b, 99))/ms(pct(a, 99))
		mark := ""
		if *maxRatio > 0 && (r50 > *maxRatio || r99 > *maxRatio) {
			mark, over = "  > "+strconv.FormatFloat(*maxRatio, 'f', -1, 64), true
		}
		fmt.Printf("%-34s %9.3f %9.3f %9.3f %9.3f %7.2f %7.2f%s\n", op.name, ms(pct(a, 50)), ms(pct(b, 50)),
			ms(pct(a, 99)), ms(pct(b, 99)), r50, r99, mark)
	}
	if over {
		return fmt.Errorf("a ratio exceeds %v", *maxRatio)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

// target is one seeded database with its services and a sample of its
// applications and events.
type target struct {
	name     string
	db       *store.DB
	svc      *onboarding.Service
	feed     *notify.Service
	partners []julo.Partner
	maxID    int64
	apps     []sampled
	rnd      *mrand.Rand
	fresh    int64 // next unregistered NIK/email number
	pinHash  string
	pinKeyID string
	area     *refdata.Area
	// events are event ids (and their partner) from the feed's 30 days.
	eventsOf map[string]julo.Partner
	eventIDs []string
	// midDay is the day (UTC midnight) of the middle application's
	// registration.
	midDay time.Time
}

type sampled struct {
	xid     string
	partner julo.Partner
}

func open(ctx context.Context, data, url string, area *refdata.Area, idx int) (*target, error) {
	keys, err := keyring.Load(false, data, os.Getenv)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, url, data)
	if err != nil {
		return nil, err
	}
	if err := db.SetKeys(keys); err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := db.PinBlindIndexKey(ctx); err != nil {
		return nil, err
	}
	cfg := onboarding.DefaultConfig()
	cfg.Budgets = onboarding.BudgetConfig{Limits: map[onboarding.Budget]int64{
		onboarding.BudgetPreregChecks: 1 << 40, onboarding.BudgetRegistrations: 1 << 40, onboarding.BudgetRequests: 1 << 40}}
	t := &target{name: string(rune('A' + idx)), db: db, area: area, rnd: mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(idx))),
		svc:  onboarding.New(onboarding.Deps{Store: db, Area: area, Keys: keys, Config: cfg}),
		feed: notify.New(notify.Deps{Store: db}), eventsOf: map[string]julo.Partner{},
		fresh: 90_000_000 + int64(idx)*1_000_000 + time.Now().UnixMilli()%500_000, pinKeyID: keys.PINPepper.Current,
		// Any string: the store keeps the hash, it does not read it.
		pinHash: "$argon2id$v=19$m=19456,t=2,p=1$c2NhbGVzY2FsZXNjYWxl$c2NhbGVzY2FsZXNjYWxlc2NhbGVzY2FsZXNjYWxl"}
	ps, err := db.ListPartners(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if strings.HasPrefix(p.Username, "seed-") {
			jp, _, err := db.PartnerCredentials(ctx, p.Username)
			if err != nil {
				return nil, err
			}
			t.partners = append(t.partners, jp)
		}
	}
	if len(t.partners) == 0 {
		return nil, fmt.Errorf("%s: no seed-* partners: seed it with bench/seed first", data)
	}
	byName := map[string]julo.Partner{}
	for _, p := range t.partners {
		byName[p.Username] = p
	}
	top, err := db.ConsoleApplications(ctx, backoffice.ApplicationFilter{Limit: 1})
	if err != nil || len(top) == 0 {
		return nil, errors.Join(err, errors.New("no applications"))
	}
	t.maxID = top[0].ID
	mid, err := db.ConsoleApplications(ctx, backoffice.ApplicationFilter{BeforeID: t.maxID/2 + 1, Limit: 1})
	if err != nil || len(mid) == 0 {
		return nil, errors.Join(err, errors.New("no middle application"))
	}
	t.midDay = mid[0].CreatedAt.UTC().Truncate(24 * time.Hour)
	// A sample of applications anywhere in the table, and of the events
	// within the feed's 30 days of some of them.
	since := time.Now().Add(-notify.DefaultRetention)
	for len(t.apps) < 1000 {
		rows, err := db.ConsoleApplications(ctx, backoffice.ApplicationFilter{BeforeID: 1 + t.rnd.Int64N(t.maxID) + 1, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			continue
		}
		p, ok := byName[rows[0].Partner]
		if !ok {
			continue
		}
		t.apps = append(t.apps, sampled{xid: strconv.FormatInt(rows[0].XID, 10), partner: p})
		// Events of the older half only, so that a page after one is full
		// (100 events) on a small database too.
		if len(t.eventIDs) < 500 && rows[0].ID < t.maxID/2 {
			evs, err := db.Events(ctx, rows[0].ID, 0, 10)
			if err != nil {
				return nil, err
			}
			for _, e := range evs {
				if !e.OccurredAt.Before(since) {
					t.eventIDs = append(t.eventIDs, e.ID)
					t.eventsOf[e.ID] = p
				}
			}
		}
	}
	return t, nil
}

// freshNIK is a valid NIK and email nobody registered (bench/seed's NIKs
// use regency/district numbers below 90,000,000 / 9,999).
func (t *target) freshNIK() (string, string) {
	i := t.fresh
	t.fresh++
	rest := i / 9999
	return fmt.Sprintf("32%02d%02d150890%04d", rest%99+1, rest/99%99+1, i%9999+1), fmt.Sprintf("scale.%d.%d@gmail.com", i, time.Now().UnixNano())
}

type op struct {
	name string
	run  func(ctx context.Context, t *target) error
}

// writes: the registration, which adds an application each time.
func (o op) writes() bool { return strings.HasPrefix(o.name, "registration") }

func str(s string) *string { return &s }

var ops = []op{
	{"pre-register check (free)", func(ctx context.Context, t *target) error {
		nik, email := t.freshNIK()
		return t.svc.PreregisterCheck(ctx, t.partners[t.rnd.IntN(len(t.partners))], onboarding.PreregisterInput{NIK: &nik, Email: &email})
	}},
	{"application status", func(ctx context.Context, t *target) error {
		a := t.apps[t.rnd.IntN(len(t.apps))]
		_, err := t.svc.ApplicationStatus(ctx, a.partner, a.xid)
		return err
	}},
	{"events feed: first page", func(ctx context.Context, t *target) error {
		_, err := t.feed.Events(ctx, t.partners[t.rnd.IntN(len(t.partners))], notify.EventsInput{})
		return err
	}},
	{"events feed: page after an event", func(ctx context.Context, t *target) error {
		if len(t.eventIDs) == 0 {
			return errors.New("no event within 30 days sampled")
		}
		id := t.eventIDs[t.rnd.IntN(len(t.eventIDs))]
		_, err := t.feed.Events(ctx, t.eventsOf[id], notify.EventsInput{After: str(id)})
		return err
	}},
	{"console list: first page", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleApplications(ctx, backoffice.ApplicationFilter{Limit: 51})
		return err
	}},
	{"console list: status 190", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleApplications(ctx, backoffice.ApplicationFilter{Status: int(julo.AppLimitReady), Limit: 51})
		return err
	}},
	{"console list: partner", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleApplications(ctx, backoffice.ApplicationFilter{Partner: t.partners[t.rnd.IntN(len(t.partners))].Username, Limit: 51})
		return err
	}},
	{"console list: partner + status 105", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleApplications(ctx, backoffice.ApplicationFilter{Partner: t.partners[t.rnd.IntN(len(t.partners))].Username,
			Status: int(julo.AppFormSubmitted), Limit: 51})
		return err
	}},
	{"console list: a deep page", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleApplications(ctx, backoffice.ApplicationFilter{BeforeID: 1 + t.rnd.Int64N(t.maxID), Limit: 51})
		return err
	}},
	{"console list: dashboard queue (125)", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleApplications(ctx, backoffice.ApplicationFilter{Status: int(julo.AppManualReview), Limit: 20})
		return err
	}},
	{"console list: one day (from, to)", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleApplications(ctx, backoffice.ApplicationFilter{From: t.midDay, To: t.midDay.AddDate(0, 0, 1), Limit: 51})
		return err
	}},
	{"console dashboard: status counts", func(ctx context.Context, t *target) error {
		_, err := t.db.ConsoleStatusCounts(ctx)
		return err
	}},
	{"registration (store, no hash)", func(ctx context.Context, t *target) error {
		nik, email := t.freshNIK()
		if _, _, err := t.db.Holders(ctx, nik, email); err != nil {
			return err
		}
		// A NIK an earlier run registered: the next one (rare; timed too).
		_, err := t.db.Register(ctx, onboarding.Registration{PartnerID: t.partners[t.rnd.IntN(len(t.partners))].ID, NIK: nik, Email: email,
			PINHash: t.pinHash, PINKeyID: t.pinKeyID, Latitude: -6.2, Longitude: 106.8, XID: 1_000_000_000 + t.rnd.Int64N(9_000_000_000),
			Status: julo.AppFormCreated, At: time.Now()})
		if julo.IsDuplicate(err, onboarding.UniqueNIK) {
			return nil
		}
		return err
	}},
}
