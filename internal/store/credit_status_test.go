package store

import (
	"context"
	"testing"

	"github.com/julo-partnership/julo/internal/julo"
)

// The status read's credit facts are one snapshot: while the engine's
// decision and its move to 130 commit, a reader sees either neither (105
// or before, no decision) or both (130 and the decision), never the
// decision next to the status before it, which is what the client suite's
// loan test once read through two separate reads.
func TestCreditStatusFactsAreOneSnapshot(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		const reads = 2000 // at most, per application
		for _, app := range applications(t, db, 20) {
			done := make(chan error, 1)
			go func() {
				for range reads {
					f, err := db.CreditStatusFacts(ctx, app.ID)
					switch {
					case err != nil:
						done <- err
						return
					case len(f.Decisions) == 0 && f.Status >= julo.AppLimitGenerated,
						len(f.Decisions) > 0 && f.Status != julo.AppLimitGenerated:
						t.Errorf("application %d: status %d with %d decisions", app.ID, f.Status, len(f.Decisions))
						done <- nil
						return
					case len(f.Decisions) > 0:
						done <- nil
						return
					}
				}
				done <- nil
			}()
			offerApplication(t, db, app.ID, 5_000_000, at)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			f, err := db.CreditStatusFacts(ctx, app.ID)
			if err != nil || f.Status != julo.AppLimitGenerated || len(f.Decisions) != 1 || f.Decisions[0].Offer.SetLimit != 5_000_000 {
				t.Fatalf("after the decision: %+v, %v", f, err)
			}
		}
	})
}
