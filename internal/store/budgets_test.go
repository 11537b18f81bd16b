package store

import (
	"context"
	"fmt"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// A budget grants what is left of the limit and no more, per partner and
// window: one unit at a time or a lease of several, the partner's own limit
// in place of the default, a refund given back, ended windows deleted.
func TestBudgetGrantsUpToTheLimitPerPartnerAndWindow(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db := d.migrated(t)
		acme, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
		beta, _ := db.CreatePartner(ctx, "beta", onboarding.PartnerSecret{KeyID: "k1", Hash: "h2"}, at)
		sms := onboarding.BudgetSMS
		spend := func(p julo.Partner, b onboarding.Budget, w time.Time, n, def int64) onboarding.BudgetGrant {
			t.Helper()
			g, err := db.SpendBudget(ctx, p.ID, b, w, n, def)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		want := func(got, want onboarding.BudgetGrant) {
			t.Helper()
			if got != want {
				t.Fatalf("grant %+v, want %+v", got, want)
			}
		}
		w1, w2 := at, at.Add(24*time.Hour)
		for i := int64(1); i <= 3; i++ {
			want(spend(acme, sms, w1, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: i, Limit: 3})
		}
		want(spend(acme, sms, w1, 1, 3), onboarding.BudgetGrant{Granted: 0, Used: 3, Limit: 3})
		// Another partner, another budget, another window: untouched.
		want(spend(beta, sms, w1, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 1, Limit: 3})
		want(spend(acme, onboarding.BudgetRegistrations, w1, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 1, Limit: 3})
		want(spend(acme, sms, w2, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 1, Limit: 3})

		// A lease gets what is asked, then what is left, then nothing; a
		// first lease over the limit gets the limit.
		rps := onboarding.BudgetRequests
		want(spend(acme, rps, w1, 5, 7), onboarding.BudgetGrant{Granted: 5, Used: 5, Limit: 7})
		want(spend(acme, rps, w1, 5, 7), onboarding.BudgetGrant{Granted: 2, Used: 7, Limit: 7})
		want(spend(acme, rps, w1, 5, 7), onboarding.BudgetGrant{Granted: 0, Used: 7, Limit: 7})
		want(spend(beta, rps, w1, 10, 7), onboarding.BudgetGrant{Granted: 7, Used: 7, Limit: 7})

		// The partner's own limit replaces the default, also in a window
		// under way; lowered below what was used, it grants nothing (and
		// never a negative number).
		if err := db.SetPartnerBudgets(ctx, "acme", map[onboarding.Budget]int64{sms: 5, rps: 2}, at); err != nil {
			t.Fatal(err)
		}
		want(spend(acme, sms, w1, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 4, Limit: 5})
		want(spend(acme, rps, w1, 5, 7), onboarding.BudgetGrant{Granted: 0, Used: 7, Limit: 2})
		want(spend(beta, sms, w1, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 2, Limit: 3})
		own, err := db.PartnerBudgets(ctx, "acme")
		if err != nil || !maps.Equal(own, map[onboarding.Budget]int64{sms: 5, rps: 2}) {
			t.Fatalf("own budgets %v, %v", own, err)
		}
		// 0 removes the partner's own limit; others stay.
		if err := db.SetPartnerBudgets(ctx, "acme", map[onboarding.Budget]int64{rps: 0, sms: 4}, at); err != nil {
			t.Fatal(err)
		}
		if own, _ := db.PartnerBudgets(ctx, "acme"); !maps.Equal(own, map[onboarding.Budget]int64{sms: 4}) {
			t.Fatalf("own budgets %v", own)
		}
		if own, err := db.PartnerBudgets(ctx, "beta"); err != nil || len(own) != 0 {
			t.Fatalf("beta's own budgets %v, %v", own, err)
		}
		if _, err := db.PartnerBudgets(ctx, "nobody"); code(err) != julo.ENOTFOUND {
			t.Fatalf("unknown partner: %v", err)
		}
		if err := db.SetPartnerBudgets(ctx, "nobody", map[onboarding.Budget]int64{sms: 4}, at); code(err) != julo.ENOTFOUND {
			t.Fatalf("unknown partner: %v", err)
		}

		// A refund gives a unit back, never below 0.
		want(spend(acme, sms, w1, 1, 3), onboarding.BudgetGrant{Granted: 0, Used: 4, Limit: 4})
		if err := db.RefundBudget(ctx, acme.ID, sms, w1, 1); err != nil {
			t.Fatal(err)
		}
		want(spend(acme, sms, w1, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 4, Limit: 4})
		for range 3 {
			if err := db.RefundBudget(ctx, acme.ID, sms, w2, 1); err != nil {
				t.Fatal(err)
			}
		}
		want(spend(acme, sms, w2, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 1, Limit: 4})

		// Deleting the windows before w2 leaves w2's and other budgets'.
		n, err := db.DeleteBudgetWindows(ctx, sms, w2)
		if err != nil || n != 2 {
			t.Fatalf("deleted %d windows, %v; want acme's and beta's of w1", n, err)
		}
		want(spend(acme, sms, w2, 1, 3), onboarding.BudgetGrant{Granted: 1, Used: 2, Limit: 4})
		// Back on the default, the requests' window stays spent.
		want(spend(acme, rps, w1, 1, 7), onboarding.BudgetGrant{Granted: 0, Used: 7, Limit: 7})
	})
}

// Racers spending one budget at once, on two handles (two instances), get
// exactly the limit between them: each unit alone, and in leases of
// several.
func TestBudgetRaceGrantsExactlyTheLimit(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db, other := d.migrated(t), d.open(t)
		p, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
		pgSlowWrites(t, db, "budget_windows")
		handles := []*DB{db, other}
		for _, tc := range []struct {
			budget   onboarding.Budget
			n, limit int64
		}{
			{onboarding.BudgetRegistrations, 1, 5},
			{onboarding.BudgetRequests, 3, 20},
		} {
			var granted atomic.Int64
			errs := race(t, db, racers, func(ctx context.Context, i int) error {
				g, err := handles[i%2].SpendBudget(ctx, p.ID, tc.budget, at, tc.n, tc.limit)
				if err != nil {
					return err
				}
				if g.Used > tc.limit || g.Granted < 0 || g.Granted > tc.n {
					return fmt.Errorf("grant %+v", g)
				}
				granted.Add(g.Granted)
				return nil
			})
			for i, err := range errs {
				if err != nil {
					t.Fatalf("racer %d: %v", i, err)
				}
			}
			if got := granted.Load(); got != tc.limit {
				t.Fatalf("%s: %d racers asking %d each were granted %d, want exactly the limit %d", tc.budget, racers, tc.n, got, tc.limit)
			}
		}
	})
}
