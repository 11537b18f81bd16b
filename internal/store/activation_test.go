package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

// offerApplication moves app to 130 with an approved decision offering
// setLimit, as the engine does.
func offerApplication(t *testing.T, db *DB, appID int64, setLimit julo.Money, when time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, to := range []julo.AppStatus{julo.AppFormSubmitted, julo.AppLimitGenerated} {
			if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: appID, To: to, At: when}); err != nil {
				return err
			}
		}
		return db.insertDecision(ctx, tx, appID, credit.Decision{PolicyVersion: "test", Round: 1, Outcome: credit.OutcomeApproved,
			FromStatus: 105, ToStatus: 130, ReasonCodes: []string{"limit_generated"}, DecidedBy: credit.DecidedByEngine,
			Offer: &credit.Offer{MaxLimit: setLimit + 1_000_000, SetLimit: setLimit}, DecidedAt: when})
	}); err != nil {
		t.Fatal(err)
	}
}

func TestPINAttemptsAreCountedPerCustomer(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		apps := applications(t, db, 2)
		a := apps[0]
		// Four wrong tries count up without a lock; the fifth locks for an hour.
		for i := 1; i <= 5; i++ {
			p, err := db.BeginPINAttempt(ctx, a.ID, at, 5, time.Hour)
			if err != nil || p.Wrong != i || !p.LockedUntil.IsZero() || p.CustomerID != a.CustomerID || p.Hash == "" || p.KeyID == "" {
				t.Fatalf("try %d: %+v %v", i, p, err)
			}
		}
		p, err := db.BeginPINAttempt(ctx, a.ID, at.Add(59*time.Minute), 5, time.Hour)
		if err != nil || !p.LockedUntil.Equal(at.Add(time.Hour)) {
			t.Fatalf("locked: %+v %v", p, err)
		}
		// The lock does not count tries and ends after the hour: the count starts again.
		p, err = db.BeginPINAttempt(ctx, a.ID, at.Add(time.Hour), 5, time.Hour)
		if err != nil || p.Wrong != 1 || !p.LockedUntil.IsZero() {
			t.Fatalf("after the lock: %+v %v", p, err)
		}
		// A right PIN clears the count and opens the window.
		if err := db.PINVerified(ctx, a.ID, a.CustomerID, at.Add(time.Hour), at.Add(time.Hour+5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if p, err = db.BeginPINAttempt(ctx, a.ID, at.Add(time.Hour), 5, time.Hour); err != nil || p.Wrong != 1 {
			t.Fatalf("after a right PIN: %+v %v", p, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM pin_windows WHERE application_id = $1 AND verified_until = $2`,
			a.ID, ms(at.Add(time.Hour+5*time.Minute))); n != 1 {
			t.Fatalf("window rows %d", n)
		}
		// Another customer's count is their own.
		if p, err = db.BeginPINAttempt(ctx, apps[1].ID, at, 5, time.Hour); err != nil || p.Wrong != 1 {
			t.Fatalf("other customer: %+v %v", p, err)
		}
		// Concurrent tries are counted one after another: of 12 racing
		// tries from a fresh count, exactly 5 are let through, the rest
		// find the lock.
		b := applications(t, db, 1)[0]
		var wg sync.WaitGroup
		var mu sync.Mutex
		through, locked := 0, 0
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := db.BeginPINAttempt(ctx, b.ID, at, 5, time.Hour)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case p.LockedUntil.IsZero():
					through++
				default:
					locked++
				}
			}()
		}
		wg.Wait()
		if through != 5 || locked != 7 {
			t.Fatalf("racing tries: %d through, %d locked", through, locked)
		}
	})
}

func TestActivateLimitOpensTheAccount(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		apps := applications(t, db, 2)
		for _, a := range apps {
			offerApplication(t, db, a.ID, 4_500_000, at)
		}
		// The check sees the facts and its refusal writes nothing.
		var seen credit.ActivationFacts
		refusal := julo.Errorf(julo.EFORBIDDEN, "", "pin_not_verified")
		if _, err := db.ActivateLimit(ctx, apps[0].ID, true, at, func(f credit.ActivationFacts) error { seen = f; return refusal }); err != refusal {
			t.Fatal(err)
		}
		if seen.Status != 130 || seen.Offer == nil || seen.Offer.SetLimit != 4_500_000 || !seen.PINVerifiedTo.IsZero() || seen.PolicyVersion != "test" {
			t.Fatalf("facts %+v", seen)
		}
		if err := db.PINVerified(ctx, apps[0].ID, apps[0].CustomerID, at, at.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		acc, err := db.ActivateLimit(ctx, apps[0].ID, true, at, func(f credit.ActivationFacts) error { return credit.CheckActivation(f, at) })
		if err != nil || acc.SetLimit != 4_500_000 || acc.AvailableLimit != 4_500_000 || acc.UsedLimit != 0 {
			t.Fatalf("accept: %+v %v", acc, err)
		}
		got, ok, err := db.CreditAccount(ctx, apps[0].ID)
		if err != nil || !ok || got.SetLimit != 4_500_000 || got.AvailableLimit != 4_500_000 || got.UsedLimit != 0 || !got.OpenedAt.Equal(at) {
			t.Fatalf("account %+v %v %v", got, ok, err)
		}
		hist := queryHistory(t, db, apps[0].ID)
		if !strings.HasSuffix(hist, "105>130,130>141:limit_accepted,141>190:credit_account_opened") {
			t.Fatalf("history %s", hist)
		}
		// A second activation finds 190: a refusal, nothing written.
		if _, err := db.ActivateLimit(ctx, apps[0].ID, true, at, func(f credit.ActivationFacts) error { return credit.CheckActivation(f, at) }); julo.ErrorCode(err) != julo.ECONFLICT {
			t.Fatalf("second activation: %v", err)
		}
		// A decline moves 130 -> 142 and opens no account.
		if err := db.PINVerified(ctx, apps[1].ID, apps[1].CustomerID, at, at.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ActivateLimit(ctx, apps[1].ID, false, at, func(f credit.ActivationFacts) error { return credit.CheckActivation(f, at) }); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := db.CreditAccount(ctx, apps[1].ID); ok || !strings.HasSuffix(queryHistory(t, db, apps[1].ID), "130>142:limit_declined") {
			t.Fatalf("decline: account %v, history %s", ok, queryHistory(t, db, apps[1].ID))
		}
		// The database holds the account's sum.
		if _, err := db.w.Exec(`UPDATE credit_accounts SET used_limit = 1 WHERE application_id = $1`, apps[0].ID); err == nil {
			t.Fatal("an account whose available and used limits do not add up to the set limit was stored")
		}
	})
}

func queryHistory(t *testing.T, db *DB, appID int64) string {
	t.Helper()
	rows, err := db.r.Query(`SELECT COALESCE(from_status, 0), to_status, reason FROM application_status_history
		WHERE application_id = $1 ORDER BY id`, appID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var from, to int
		var reason string
		if err := rows.Scan(&from, &to, &reason); err != nil {
			t.Fatal(err)
		}
		p := itoa(from) + ">" + itoa(to)
		if reason != "" {
			p += ":" + reason
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestStaleOffersExpire(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		apps := applications(t, db, 2)
		offerApplication(t, db, apps[0].ID, 1_000_000, at)
		offerApplication(t, db, apps[1].ID, 1_000_000, at.Add(time.Hour))
		cutoff := at.Add(30 * time.Minute)
		ids, err := db.StaleOffers(ctx, cutoff, 0, 10)
		if err != nil || len(ids) != 1 || ids[0] != apps[0].ID {
			t.Fatalf("stale %v %v", ids, err)
		}
		if moved, err := db.ExpireOffer(ctx, apps[1].ID, cutoff, cutoff); err != nil || moved {
			t.Fatalf("a fresh offer expired: %v %v", moved, err)
		}
		if moved, err := db.ExpireOffer(ctx, apps[0].ID, cutoff, cutoff); err != nil || !moved {
			t.Fatalf("expire: %v %v", moved, err)
		}
		if moved, err := db.ExpireOffer(ctx, apps[0].ID, cutoff, cutoff); err != nil || moved {
			t.Fatalf("expired twice: %v %v", moved, err)
		}
		if h := queryHistory(t, db, apps[0].ID); !strings.HasSuffix(h, "130>139:offer_expired") {
			t.Fatalf("history %s", h)
		}
	})
}

func TestReviewRequestsAreSealedAndResolved(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		a := applications(t, db, 1)[0]
		if err := db.tx(ctx, func(tx *sql.Tx) error {
			for _, to := range []julo.AppStatus{julo.AppFormSubmitted, julo.AppRejected} {
				if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: a.ID, To: to, At: at}); err != nil {
					return err
				}
			}
			return db.insertDecision(ctx, tx, a.ID, credit.Decision{PolicyVersion: "test", Round: 1, Outcome: credit.OutcomeRejected,
				FromStatus: 105, ToStatus: 135, ReasonCodes: []string{"low_score"}, DecidedBy: credit.DecidedByEngine, DecidedAt: at})
		}); err != nil {
			t.Fatal(err)
		}
		check := func(f credit.ReviewFacts) error { return credit.CheckReviewRequest(f, at.Add(time.Hour), 14) }
		const reason = "Gaji saya naik bulan ini"
		r, err := db.RequestReview(ctx, a.ID, reason, at.Add(time.Hour), check)
		if err != nil || r.ID == 0 {
			t.Fatalf("request: %+v %v", r, err)
		}
		// Sealed at rest; opened for the queue.
		if n := count(t, db, `SELECT COUNT(*) FROM review_requests WHERE reason_sealed LIKE '%Gaji%'`); n != 0 {
			t.Fatal("the reason is stored in the clear")
		}
		q, err := db.ReviewRequests(ctx)
		if err != nil || len(q) != 1 || q[0].Reason != reason || q[0].ApplicationXID != a.XID || !q[0].RequestedAt.Equal(at.Add(time.Hour)) {
			t.Fatalf("queue %+v %v", q, err)
		}
		// A second request while one is open is refused.
		if _, err := db.RequestReview(ctx, a.ID, reason, at.Add(time.Hour), check); julo.ErrorCode(err) != julo.ECONFLICT {
			t.Fatalf("second request: %v", err)
		}
		// The overturn: a decision, 135 -> 130, the request resolved.
		d2, err := db.DecideReview(ctx, a.ID, credit.ReviewOutcomeOverturn, func(f credit.ReviewFacts) (credit.Decision, error) {
			if f.Pending == nil || f.Pending.ID != r.ID || f.Status != julo.AppRejected || f.Last == nil || f.Last.ReasonCodes[0] != "low_score" {
				t.Errorf("facts %+v", f)
			}
			return credit.Decision{PolicyVersion: "test", Outcome: credit.OutcomeApproved, FromStatus: 135, ToStatus: 130,
				ReasonCodes: []string{credit.ReasonReviewOverturn}, DecidedBy: "operator:ani", Operator: &credit.OperatorReason{Name: "ani", Reason: "r"},
				Offer: &credit.Offer{MaxLimit: 2_000_000, SetLimit: 2_000_000}, DecidedAt: at.Add(2 * time.Hour)}, nil
		})
		if err != nil || d2.ToStatus != 130 {
			t.Fatal(err)
		}
		if q, err := db.ReviewRequests(ctx); err != nil || len(q) != 0 {
			t.Fatalf("queue after the decision %+v %v", q, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM review_requests WHERE resolution = 'overturned' AND operator = 'ani'`); n != 1 {
			t.Fatal("the request is not resolved")
		}
		if h := queryHistory(t, db, a.ID); !strings.HasSuffix(h, "135>130:review_overturned") {
			t.Fatalf("history %s", h)
		}
		ds, err := db.Decisions(ctx, a.ID)
		if err != nil || len(ds) != 2 || ds[1].Offer.SetLimit != 2_000_000 {
			t.Fatalf("decisions %+v %v", ds, err)
		}
	})
}
