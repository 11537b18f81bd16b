// Command seed fills a julo database with many customers and applications,
// written through the store's own operations, for the scale benchmark
// (bench/scale) and for trying the console or the API on a big database:
//
//	seed --data DIR [--database-url URL] --applications N [--partners K] [--seed S] [--days D] [--writers W]
//
// It opens the store as `julo serve --data DIR --database-url URL` does in
// the sandbox (the keys file of the data dir, created when missing; the
// migrations; the key check), so that the server started afterwards on the
// same flags serves the seeded data. It creates the partners seed-1 ... seed-K
// (their secrets are written to DIR/seed-partners.txt, mode 0600) and then,
// for each application, the steps the domain takes, each through the store
// operation the service calls, in its own transaction:
//
//   - Register: customer (NIK, email, position sealed under a customer key),
//     application, status 100 with its history row and event;
//   - SubmitApplication: the customer data (sealed), status 105, the credit
//     assessment's first round and its job;
//   - RecordDecision: 130 with an offer, or 135;
//   - PINVerified and ActivateLimit: 190 with a credit account;
//   - CreateLoan: a loan drawn on the account (210);
//   - MoveApplication: 106 (expired idle forms) and 137 (cancelled).
//
// The spread (fixed by --seed; each application's own values come from a
// generator seeded with --seed and its number, so they do not depend on the
// order writers commit in): 25% stay at 100, 10% expire (106), 3% cancel at
// 100 (137), 27% stay at 105, 13% are rejected (135), 8% stay at 130, 14%
// reach 190, and half of those take a loan. Registrations are spread over
// the last --days days, oldest first.
//
// What it does not do as the domain does: the PIN hash. An argon2id hash
// costs ~30 ms of a core, a million of them hours, so it computes one hash
// (the PIN 147258 under the data dir's current pepper key, as the service
// would) and gives it to every customer. Nothing else is skipped; the
// credit decisions are written as the engine's would be (RecordDecision)
// without running the engine, and the assessment jobs SubmitApplication
// enqueues stay queued: a `julo serve` started on the database runs them
// (in the sandbox, against the vendors' sandboxes).
//
// Seeding is bounded: N at most 5,000,000; SQLite has one writer, so
// --writers (default 2 on SQLite, 4 on PostgreSQL) only overlaps the Go side
// of one transaction with the commit of another. It prints progress and
// rows/s every few seconds. When --days is over 30, it prunes the events
// older than the feed's 30 days at the end (PruneEvents), as the server's
// job would on its first run.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/refdata"
	"github.com/julo-partnership/julo/internal/store"
	"golang.org/x/crypto/argon2"
)

// MaxApplications bounds a seeding.
const MaxApplications = 5_000_000

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

type options struct {
	data, databaseURL string
	n, partners       int
	seed              uint64
	days              int
	writers           int
}

func run(ctx context.Context, args []string) error {
	var o options
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.StringVar(&o.data, "data", "", "data directory (as julo serve --data): SQLite database, sandbox keys")
	fs.StringVar(&o.databaseURL, "database-url", os.Getenv("JULO_DATABASE_URL"), "database URL; empty = SQLite in the data dir")
	fs.IntVar(&o.n, "applications", 0, "applications to write (at most 5,000,000)")
	fs.IntVar(&o.partners, "partners", 5, "partners the applications are spread over")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the spread")
	fs.IntVar(&o.days, "days", 28, "registrations are spread over the last D days")
	fs.IntVar(&o.writers, "writers", 0, "concurrent writers (0: 2 on SQLite, 4 on PostgreSQL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.data == "":
		return errors.New("--data is required")
	case o.n < 1 || o.n > MaxApplications:
		return fmt.Errorf("--applications must be 1 to %d, got %d", MaxApplications, o.n)
	case o.partners < 1 || o.partners > 1000:
		return errors.New("--partners must be 1 to 1000")
	case o.days < 1:
		return errors.New("--days must be at least 1")
	}
	if o.writers <= 0 {
		o.writers = 2
		if strings.HasPrefix(o.databaseURL, "postgres") {
			o.writers = 4
		}
	}
	db, keys, err := Open(ctx, o.data, o.databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	area, err := refdata.LoadArea()
	if err != nil {
		return err
	}
	s := &seeder{db: db, o: o, now: time.Now().UTC(), pinKeyID: keys.PINPepper.Current}
	if s.pinHash, err = pinHash(keys, "147258"); err != nil {
		return err
	}
	for _, code := range provinceCodes {
		if !area.ProvinceCode(code) {
			return fmt.Errorf("province %s is not in the area data", code)
		}
	}
	if err := s.createPartners(ctx, keys); err != nil {
		return err
	}
	return s.seed(ctx, area)
}

// Open opens, migrates and key-checks the store as `julo serve` does in the
// sandbox (cmd/julo openStoreMigrated and checkKeys): the keys of the data
// dir's keys.json (created when missing) or of JULO_KEYS_FILE / JULO_KEYS.
func Open(ctx context.Context, data, databaseURL string) (*store.DB, onboarding.Keys, error) {
	keys, err := keyring.Load(false, data, os.Getenv)
	if err != nil {
		return nil, keys, err
	}
	db, err := store.Open(ctx, databaseURL, data)
	if err != nil {
		return nil, keys, err
	}
	fail := func(err error) (*store.DB, onboarding.Keys, error) {
		db.Close()
		return nil, keys, err
	}
	if err := db.SetKeys(keys); err != nil {
		return fail(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("migrating: %w", err))
	}
	if err := db.PinBlindIndexKey(ctx); err != nil {
		return fail(err)
	}
	var checks []store.KeyCheck
	for _, c := range keyring.Checks(keys) {
		checks = append(checks, store.KeyCheck(c))
	}
	bad, err := db.CheckKeys(ctx, checks, time.Now())
	if err != nil {
		return fail(err)
	}
	if len(bad) > 0 {
		return fail(fmt.Errorf("the keys of %s are not the ones this database was first used with: %+v", data, bad))
	}
	return db, keys, nil
}

// pinHash is the service's PIN hash (onboarding's hashPIN): argon2id over
// the PIN peppered with the current pepper key, in PHC form.
func pinHash(keys onboarding.Keys, pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, keys.PINPepper.Keys[keys.PINPepper.Current])
	m.Write([]byte(pin))
	sum := argon2.IDKey(m.Sum(nil), salt, 2, 19*1024, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, 19*1024, 2, 1,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

type seeder struct {
	db       *store.DB
	o        options
	now      time.Time
	pinHash  string
	pinKeyID string
	partners []int64
	counts   sync.Map // julo.AppStatus -> *atomic.Int64
	loans    atomic.Int64
}

// createPartners creates seed-1 ... seed-K through the service (as `julo
// partner create` does), keeping those that exist, and writes the new
// secrets to DIR/seed-partners.txt.
func (s *seeder) createPartners(ctx context.Context, keys onboarding.Keys) error {
	svc := onboarding.New(onboarding.Deps{Store: s.db, Keys: keys, Config: onboarding.DefaultConfig()})
	var lines []string
	for i := 1; i <= s.o.partners; i++ {
		name := fmt.Sprintf("seed-%d", i)
		p, _, err := s.db.PartnerCredentials(ctx, name)
		if julo.ErrorCode(err) == julo.ENOTFOUND || err == nil && p.ID == 0 {
			secret, err := svc.CreatePartner(ctx, name)
			if err != nil {
				return fmt.Errorf("creating partner %s: %w", name, err)
			}
			lines = append(lines, name+" "+secret)
			if p, _, err = s.db.PartnerCredentials(ctx, name); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		s.partners = append(s.partners, p.ID)
	}
	if len(lines) == 0 {
		return nil
	}
	path := filepath.Join(s.o.data, "seed-partners.txt")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, strings.Join(lines, "\n"))
	return errors.Join(err, f.Close())
}

func (s *seeder) count(st julo.AppStatus) {
	v, _ := s.counts.LoadOrStore(st, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// seed writes the applications 0..N-1, writers at a time, printing
// progress.
func (s *seeder) seed(ctx context.Context, area *refdata.Area) error {
	start := time.Now()
	var next, done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < s.o.writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(s.o.n) || ctx.Err() != nil {
					return
				}
				if err := s.application(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("application %d: %w", i, err); cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		last, lastAt := int64(0), time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				d := done.Load()
				fmt.Fprintf(os.Stderr, "seed: %d/%d applications, %.0f/s now, %.0f/s overall, %s\n", d, s.o.n,
					float64(d-last)/now.Sub(lastAt).Seconds(), float64(d)/now.Sub(start).Seconds(), now.Sub(start).Round(time.Second))
				last, lastAt = d, now
			}
		}
	}()
	wg.Wait()
	close(stop)
	if firstErr != nil {
		return firstErr
	}
	el := time.Since(start)
	fmt.Printf("seeded %d applications (%d loans) over %d partners in %s: %.0f applications/s, %d writers\n",
		s.o.n, s.loans.Load(), len(s.partners), el.Round(time.Millisecond), float64(s.o.n)/el.Seconds(), s.o.writers)
	var parts []string
	for _, st := range julo.AppStatuses() {
		if v, ok := s.counts.Load(st); ok {
			parts = append(parts, fmt.Sprintf("%d: %d", st, v.(*atomic.Int64).Load()))
		}
	}
	fmt.Println("statuses:", strings.Join(parts, ", "))
	if s.o.days > 30 {
		pruned := 0
		before := s.now.Add(-30 * 24 * time.Hour)
		for {
			n, err := s.db.PruneEvents(ctx, before, 5000)
			if err != nil {
				return err
			}
			if pruned += n; n == 0 {
				break
			}
		}
		fmt.Printf("pruned %d events older than the feed's 30 days\n", pruned)
	}
	return nil
}

// provinceCodes are the provinces (BPS codes) the NIKs are spread over.
var provinceCodes = []string{"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
	"51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "94"}

// nik is application i's NIK: a province, then regency, district and
// serial made of i (unique for i < 98,000,000), and a birth date of age
// 21-55 (women: day + 40).
func nik(r *mrand.Rand, i int64, now time.Time) (string, time.Time, bool) {
	serial := i%9999 + 1
	rest := i / 9999
	regency, district := rest%99+1, rest/99%99+1
	dob := now.AddDate(-21, 0, 0).AddDate(0, 0, -r.IntN(34*365))
	female := r.IntN(2) == 0
	day := dob.Day()
	if female {
		day += 40
	}
	return fmt.Sprintf("%s%02d%02d%02d%02d%02d%04d", provinceCodes[r.IntN(len(provinceCodes))], regency, district,
		day, int(dob.Month()), dob.Year()%100, serial), dob, female
}

// xid maps i to a 10-digit xid, a bijection on 0..9e9-1 (7919 is prime to
// 9e9), so xids are unique and scattered.
func xid(i, offset int64) int64 { return 1_000_000_000 + (i*7919+offset)%9_000_000_000 }

var firstNames = []string{"Budi", "Siti", "Agus", "Dewi", "Rudi", "Sri", "Andi", "Rina", "Joko", "Ayu", "Hendra", "Putri", "Wahyu", "Indah"}
var lastNames = []string{"Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Kusuma", "Pratama", "Rahayu", "Nugroho", "Setiawan"}

// application writes application i and moves it as far as its draw says.
func (s *seeder) application(ctx context.Context, i int64) error {
	r := mrand.New(mrand.NewPCG(s.o.seed, uint64(i)))
	span := time.Duration(s.o.days) * 24 * time.Hour
	at := s.now.Add(-span + time.Duration(float64(span)*float64(i)/float64(s.o.n))).Truncate(time.Millisecond)
	number, dob, female := nik(r, i, s.now)
	email := fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(firstNames[r.IntN(len(firstNames))]), strings.ToLower(lastNames[r.IntN(len(lastNames))]),
		i, []string{"gmail.com", "yahoo.co.id", "outlook.com", "mail.com"}[r.IntN(4)])
	pid := s.partners[r.IntN(len(s.partners))]
	app, err := s.db.Register(ctx, onboarding.Registration{PartnerID: pid, NIK: number, Email: email, PINHash: s.pinHash, PINKeyID: s.pinKeyID,
		Latitude: -6.2 + r.Float64()*0.5, Longitude: 106.8 + r.Float64()*0.5, XID: xid(i, 0), Status: julo.AppFormCreated, At: at})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	draw := r.IntN(100)
	step := func(min int) time.Time { at = at.Add(time.Duration(min+r.IntN(min+1)) * time.Minute); return at }
	switch {
	case draw < 25:
		s.count(julo.AppFormCreated)
		return nil
	case draw < 35:
		s.count(julo.AppFormExpired)
		_, err := s.db.MoveApplication(ctx, store.AppMove{ApplicationID: app.ID, To: julo.AppFormExpired, At: step(3 * 24 * 60), Reason: onboarding.ReasonNoProgress})
		return err
	case draw < 38:
		s.count(julo.AppCancelledByCustomer)
		_, err := s.db.MoveApplication(ctx, store.AppMove{ApplicationID: app.ID, To: julo.AppCancelledByCustomer, At: step(30)})
		return err
	}
	phone := fmt.Sprintf("08%d%08d", 11+r.IntN(9), i)
	if err := s.db.SubmitApplication(ctx, app.ID, details(r, number, dob, female, phone), step(10), nil); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	switch {
	case draw < 65:
		s.count(julo.AppFormSubmitted)
		return nil
	case draw < 78:
		s.count(julo.AppRejected)
		return s.db.RecordDecision(ctx, app.ID, credit.Decision{PolicyVersion: "seed", Round: 1, Outcome: credit.OutcomeRejected,
			FromStatus: julo.AppFormSubmitted, ToStatus: julo.AppRejected, ReasonCodes: []string{"score_too_low"}, Inputs: []credit.Input{},
			Knockouts: []credit.Check{}, DecidedBy: credit.DecidedByEngine, DecidedAt: step(1)})
	}
	limit := julo.Money(1_000_000 * (1 + r.IntN(10)))
	if err := s.db.RecordDecision(ctx, app.ID, credit.Decision{PolicyVersion: "seed", Round: 1, Outcome: credit.OutcomeApproved,
		FromStatus: julo.AppFormSubmitted, ToStatus: julo.AppLimitGenerated, ReasonCodes: []string{"limit_generated"}, Inputs: []credit.Input{},
		Knockouts: []credit.Check{}, Offer: &credit.Offer{MaxLimit: limit, SetLimit: limit}, DecidedBy: credit.DecidedByEngine, DecidedAt: step(1)}); err != nil {
		return fmt.Errorf("decision: %w", err)
	}
	if draw < 86 {
		s.count(julo.AppLimitGenerated)
		return nil
	}
	at = step(60)
	if err := s.db.PINVerified(ctx, app.ID, app.CustomerID, at, at.Add(5*time.Minute)); err != nil {
		return fmt.Errorf("pin verified: %w", err)
	}
	activated := at.Add(time.Minute)
	if _, err := s.db.ActivateLimit(ctx, app.ID, true, activated, func(f credit.ActivationFacts) error {
		return credit.CheckActivation(f, activated)
	}); err != nil {
		return fmt.Errorf("activate: %w", err)
	}
	s.count(julo.AppLimitReady)
	if r.IntN(2) == 0 {
		return nil
	}
	amount := julo.Money(500_000 * (1 + r.IntN(int(limit/500_000))))
	created := step(60 * 24)
	if _, err := s.db.CreateLoan(ctx, app.ID, func(f lending.Facts) (lending.Loan, error) {
		return loan(f, xid(i, 17), amount, created), nil
	}); err != nil {
		return fmt.Errorf("loan: %w", err)
	}
	s.loans.Add(1)
	return nil
}

// loan is a two-installment loan of amount for the application of f, to
// the partner's account (as the store's own tests build one).
func loan(f lending.Facts, xid int64, amount julo.Money, at time.Time) lending.Loan {
	half := amount / 2
	q := lending.Quote{Requested: amount, LoanAmount: amount, Duration: 2, Installment: half + 1000, FirstInstallment: half + 1000,
		Disbursement: amount, TotalInterest: 2000, InterestBPS: 10, Days: 60, DailyCostPPM: 1,
		Cap: lending.BenefitCap{From: at, DailyPPM: 3000, Source: "seed"},
		Schedule: []lending.Installment{
			{Number: 1, Due: lending.Day(at).AddDate(0, 1, 0), Principal: half, Interest: 1000, Total: half + 1000},
			{Number: 2, Due: lending.Day(at).AddDate(0, 2, 0), Principal: amount - half, Interest: 1000, Total: amount - half + 1000}}}
	a := f.Application
	return lending.Loan{XID: xid, ApplicationID: a.ID, ApplicationXID: a.XID, PartnerID: a.PartnerID, CustomerID: a.CustomerID,
		Quote: q, DebtCap: lending.ShareCap{From: at, MaxShareBPS: 3000, Source: "seed"}, PolicyVersion: "seed",
		TransactionType: 2, Destination: lending.Destination{Kind: lending.DestinationPartner, BankName: "BCA", Account: "8001234567"},
		CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
}

// details is a plausible complete-data step for the customer.
func details(r *mrand.Rand, nik string, dob time.Time, female bool, phone string) onboarding.Details {
	gender := onboarding.GenderMale
	if female {
		gender = onboarding.GenderFemale
	}
	str := func(s string) *string { return &s }
	payday := int64(1 + r.IntN(28))
	income := int64(3_000_000 + 500_000*r.IntN(30))
	return onboarding.Details{
		Fullname: firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))], BirthPlace: "Jakarta",
		DOB: dob.Format("2006-01-02"), Gender: gender, MotherMaidenName: firstNames[r.IntN(len(firstNames))],
		AddressStreetNum: fmt.Sprintf("Jl. Merdeka No. %d", 1+r.IntN(200)), AddressProvinsi: "DKI Jakarta",
		AddressKabupaten: "Jakarta Selatan", AddressKecamatan: "Kebayoran Baru", AddressKelurahan: "Senayan", AddressKodepos: "12190",
		OccupiedSince: str("2015-01-01"), HomeStatus: "Milik sendiri, lunas", MaritalStatus: "Menikah", Dependent: int64(r.IntN(4)),
		MobilePhone1: phone, KinRelationship: "Orang tua", KinName: firstNames[r.IntN(len(firstNames))], KinMobilePhone: "0812" + nik[8:16],
		JobType: "Pegawai swasta", JobIndustry: str("Perbankan"), JobDescription: str("Staf"), CompanyName: str("PT Maju Jaya"),
		CompanyPhoneNumber: str("0215550123"), JobStart: str("2018-03-01"), Payday: &payday, LastEducation: "S1",
		MonthlyIncome: income, MonthlyExpenses: income / 3, MonthlyHousingCost: income / 5, TotalCurrentDebt: int64(r.IntN(3)) * 500_000,
		BankName: "BANK CENTRAL ASIA, Tbk (BCA)", BankAccountNumber: fmt.Sprintf("%010d", 1_000_000_000+r.Int64N(8_999_999_999)),
		LoanPurpose: "Modal usaha", LoanPurposeDesc: "Menambah stok barang", IsVerificationAgreed: true, IsTermAccepted: true,
		TermsVersion: onboarding.DefaultTermsVersion,
	}
}
