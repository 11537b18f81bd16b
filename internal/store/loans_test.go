package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
)

var loanSeq atomic.Int64

// loanAccount registers a customer and opens a credit account of setLimit
// for it (130 by an approved decision, the PIN window, 190), as the
// activation does.
func loanAccount(tb testing.TB, db *DB, setLimit julo.Money) onboarding.Application {
	tb.Helper()
	ctx := context.Background()
	k := loanSeq.Add(1)
	p, err := db.CreatePartner(ctx, fmt.Sprintf("lender%d", k), onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	if err != nil {
		tb.Fatal(err)
	}
	app, err := db.Register(ctx, registration(p.ID, fmt.Sprintf("3203020202%06d", k), fmt.Sprintf("l%d@test.com", k), 3500000000+k))
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, to := range []julo.AppStatus{julo.AppFormSubmitted, julo.AppLimitGenerated} {
			if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: app.ID, To: to, At: at}); err != nil {
				return err
			}
		}
		return db.insertDecision(ctx, tx, app.ID, credit.Decision{PolicyVersion: "test", Round: 1, Outcome: credit.OutcomeApproved,
			FromStatus: 105, ToStatus: 130, ReasonCodes: []string{"limit_generated"}, DecidedBy: credit.DecidedByEngine,
			Offer: &credit.Offer{MaxLimit: setLimit, SetLimit: setLimit}, DecidedAt: at})
	}); err != nil {
		tb.Fatal(err)
	}
	if err := db.PINVerified(ctx, app.ID, app.CustomerID, at, at.Add(5*time.Minute)); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ActivateLimit(ctx, app.ID, true, at, func(f credit.ActivationFacts) error { return credit.CheckActivation(f, at) }); err != nil {
		tb.Fatal(err)
	}
	return app
}

// testLoan builds a loan of amount over 2 months for app (the schedule
// adding up), to the partner's account.
func testLoan(app onboarding.Application, xid int64, amount julo.Money) lending.Loan {
	half := amount / 2
	q := lending.Quote{Requested: amount, LoanAmount: amount, Duration: 2, Installment: half + 1000, FirstInstallment: half + 1000,
		Provision: 0, Disbursement: amount, TotalInterest: 2000, InterestBPS: 10, Days: 60, DailyCostPPM: 1,
		Cap: lending.BenefitCap{From: at, DailyPPM: 3000, Source: "test"},
		Schedule: []lending.Installment{
			{Number: 1, Due: lending.Day(at).AddDate(0, 1, 0), Principal: half, Interest: 1000, Total: half + 1000},
			{Number: 2, Due: lending.Day(at).AddDate(0, 2, 0), Principal: amount - half, Interest: 1000, Total: amount - half + 1000}}}
	return lending.Loan{XID: xid, ApplicationID: app.ID, ApplicationXID: app.XID, PartnerID: app.PartnerID, CustomerID: app.CustomerID,
		Quote: q, DebtCap: lending.ShareCap{From: at, MaxShareBPS: 3000, Source: "test"}, PolicyVersion: "test",
		TransactionType: 2, Destination: lending.Destination{Kind: lending.DestinationPartner, BankName: "BCA", Account: "8001234567"},
		CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
}

func TestLoansDrawOnTheAccountAndGiveItBack(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		app := loanAccount(t, db, 3_000_000)
		account := func() (avail, used julo.Money) {
			t.Helper()
			f, err := db.LoanFacts(ctx, app.ID)
			if err != nil {
				t.Fatal(err)
			}
			return f.Account.AvailableLimit, f.Account.UsedLimit
		}
		// A build refusal writes nothing.
		refusal := errors.New("refused")
		if _, err := db.CreateLoan(ctx, app.ID, func(lending.Facts) (lending.Loan, error) { return lending.Loan{}, refusal }); err != refusal {
			t.Fatal(err)
		}
		// A schedule that does not add up is refused by the store too.
		bad := testLoan(app, 4000000001, 1_000_000)
		bad.Quote.Schedule[1].Principal--
		bad.Quote.Schedule[1].Total--
		if _, err := db.CreateLoan(ctx, app.ID, func(lending.Facts) (lending.Loan, error) { return bad, nil }); err == nil {
			t.Fatal("a schedule summing to less than the loan was stored")
		}
		var seen lending.Facts
		l, err := db.CreateLoan(ctx, app.ID, func(f lending.Facts) (lending.Loan, error) {
			seen = f
			return testLoan(app, 4000000001, 1_000_000), nil
		})
		if err != nil || l.Status != julo.LoanCreated {
			t.Fatalf("%+v %v", l, err)
		}
		if seen.Account.AvailableLimit != 3_000_000 || seen.Application.Status != julo.AppLimitReady || !seen.HasAccount ||
			!seen.Settings.SignatureRequired || seen.ExistingMonthly != 0 {
			t.Fatalf("facts %+v", seen)
		}
		if avail, used := account(); avail != 2_000_000 || used != 1_000_000 {
			t.Fatalf("after the draw %d %d", avail, used)
		}
		// The next loan's facts count this one's installment.
		if f, _ := db.LoanFacts(ctx, app.ID); f.ExistingMonthly != 501_000 {
			t.Fatalf("existing monthly %d", f.ExistingMonthly)
		}
		// More than is available: refused by the conditional debit even
		// when the build lets it through.
		if _, err := db.CreateLoan(ctx, app.ID, func(lending.Facts) (lending.Loan, error) { return testLoan(app, 4000000002, 2_500_000), nil }); err == nil {
			t.Fatal("an overdraw was stored")
		}
		got, err := db.LoanByXID(ctx, 4000000001)
		if err != nil || got.Quote.LoanAmount != 1_000_000 || len(got.Quote.Schedule) != 2 || got.Destination.Account != "8001234567" ||
			!got.Quote.Schedule[0].Due.Equal(lending.Day(at).AddDate(0, 1, 0)) || got.Quote.Cap.Source != "test" {
			t.Fatalf("read back %+v %v", got, err)
		}
		// A move the table forbids (210 -> 220) is refused and changes nothing.
		if _, err := db.MoveLoan(ctx, lending.LoanMove{LoanID: l.ID, To: julo.LoanCurrent, At: at}); julo.ErrorCode(err) != julo.ECONFLICT {
			t.Fatalf("210 -> 220: %v", err)
		}
		// Cancel gives the amount back in the move's transaction.
		if _, err := db.MoveLoan(ctx, lending.LoanMove{LoanID: l.ID, To: julo.LoanCancelledByUser, At: at, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		if avail, used := account(); avail != 3_000_000 || used != 0 {
			t.Fatalf("after cancel %d %d", avail, used)
		}
		var events int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM events WHERE loan_xid = 4000000001`).Scan(&events); err != nil || events != 2 {
			t.Fatalf("%d events %v", events, err)
		}
	})
}

var errNoRoom = errors.New("no room")

// Concurrent creations on one account, each built to fit what it saw:
// the account's hold makes them take turns, so their sum never passes the
// limit.
func TestConcurrentLoansOfOneAccountNeverOverdraw(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		app := loanAccount(t, db, 5_000_000)
		var wg sync.WaitGroup
		var created atomic.Int64
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.CreateLoan(ctx, app.ID, func(f lending.Facts) (lending.Loan, error) {
					if f.Account.AvailableLimit < 1_000_000 {
						return lending.Loan{}, errNoRoom
					}
					return testLoan(app, 4100000000+int64(i), 1_000_000), nil
				})
				switch {
				case err == nil:
					created.Add(1)
				case !errors.Is(err, errNoRoom):
					// Only the build may refuse: without the hold, the
					// conditional debit would refuse some instead (an
					// uncoded error, a 500 to the partner).
					t.Errorf("creation %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		f, err := db.LoanFacts(ctx, app.ID)
		if err != nil || created.Load() != 5 || f.Account.AvailableLimit != 0 || f.Account.UsedLimit != 5_000_000 {
			t.Fatalf("%d created, account %+v %v", created.Load(), f.Account, err)
		}
	})
}

// BenchmarkCreateLoan is the loan creation's transaction (the facts read
// under the account's hold, the loan, its schedule, the draw, the status
// move with its history and event) on each database, each loan then
// cancelled (a second transaction: the amount back) so the limit never
// runs out: b.N creations and b.N cancellations.
//
//	go test -run x -bench CreateLoan -benchtime 500x ./internal/store
func BenchmarkCreateLoan(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			if d == "postgres" && testing.Short() {
				b.Skip()
			}
			db := budgetBenchDB(b, d)
			if err := db.SetKeys(testKeys); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			app := loanAccount(b, db, 5_000_000)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				l, err := db.CreateLoan(ctx, app.ID, func(lending.Facts) (lending.Loan, error) {
					return testLoan(app, 5000000000+int64(i), 1_000_000), nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.MoveLoan(ctx, lending.LoanMove{LoanID: l.ID, To: julo.LoanCancelledByUser, At: at}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
