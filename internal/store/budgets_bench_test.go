package store

import (
	"context"
	"testing"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// What a spend costs: one statement (an upsert on the window's row), here
// one unit at a time under a limit never reached, on SQLite in a temp dir
// and, with JULO_TEST_DATABASE_URL, on PostgreSQL; Parallel has every
// goroutine spend the same partner's window, the hot row of a busy partner.
// The numbers behind the requests_per_second lease (see onboarding's
// budget.go):
//
//	go test -run x -bench SpendBudget -benchtime 2000x ./internal/store
func BenchmarkSpendBudget(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			db := budgetBenchDB(b, d)
			ctx := context.Background()
			p, err := db.CreatePartner(ctx, "bench", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("serial", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := db.SpendBudget(ctx, p.ID, onboarding.BudgetRequests, at, 1, onboarding.MaxBudgetLimit); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := db.SpendBudget(ctx, p.ID, onboarding.BudgetSMS, at, 1, onboarding.MaxBudgetLimit); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// budgetBenchDB is a migrated database of dialect d (skipped: PostgreSQL
// without JULO_TEST_DATABASE_URL).
func budgetBenchDB(b *testing.B, d string) *DB {
	b.Helper()
	td := testDB{dir: b.TempDir()}
	if d == "postgres" {
		td.url = freshPostgres(b)
	}
	ctx := context.Background()
	db, err := Open(ctx, td.url, td.dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}
