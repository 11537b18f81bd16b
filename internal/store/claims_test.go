package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Issue 10, item 5, the store's part. Only applications at 100 whose last
// successful step (registration, an image, a verified phone, a BPJS login
// that succeeded, a completed bank import) is at or before the cutoff are
// idle; a failed step counts for nothing. Expiring moves the application to
// 106 through the status machine (history with its reason, an event) and
// only while it is still idle.
func TestIdleApplicationsExpireThroughTheStatusMachine(t *testing.T) {
	eachDatabase(t, testIdleApplicationsExpire)
}

func testIdleApplicationsExpire(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	p, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	ids := map[string]int64{}
	for i, name := range []string{"idle", "image", "phone", "bpjs", "import", "failed steps", "submitted"} {
		app, err := db.Register(ctx, registration(p.ID, "320302010193000"+string(rune('1'+i)), name+"@test.com", int64(1234567890+i)))
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = app.ID
	}
	later := ms(at.Add(24 * time.Hour))
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.w.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO images (public_id, application_id, image_type, blob_key, content_type, size_bytes, sha256, width, height, created_at)
		VALUES (4503599627370497, $1, 'selfie', 'k', 'image/png', 1, 'x', 1, 1, $2)`, ids["image"], later)
	exec(`INSERT INTO verified_phones (application_id, phone_bidx, phone_sealed, verified_at) VALUES ($1, 'b', 's', $2)`, ids["phone"], later)
	exec(`INSERT INTO bpjs_tasks (application_id, token, app_type, status, created_at, updated_at) VALUES ($1, 't1', 'web', 'success', $2, $2)`,
		ids["bpjs"], later)
	exec(`INSERT INTO bank_imports (public_id, application_id, bank, ref, status, created_at, updated_at, finished_at)
		VALUES (4503599627370497, $1, 'bca', 'r1', 'load_success', $2, $2, $2)`, ids["import"], later)
	// What does not count: a code sent but not verified, a failed BPJS
	// login, a failed import.
	exec(`INSERT INTO otp_codes (application_id, phone_bidx, phone_sealed, code_hash, key_id, sent_at, expires_at, attempts) VALUES ($1, 'b2', 's2', 'h', 'k', $2, $2, 0)`,
		ids["failed steps"], later)
	exec(`INSERT INTO bpjs_tasks (application_id, token, app_type, status, created_at, updated_at) VALUES ($1, 't2', 'web', 'failed', $2, $2)`,
		ids["failed steps"], later)
	exec(`INSERT INTO bank_imports (public_id, application_id, bank, ref, status, created_at, updated_at, finished_at)
		VALUES (4503599627370498, $1, 'bca', 'r2', 'load_failed', $2, $2, $2)`, ids["failed steps"], later)
	if _, err := db.MoveApplication(ctx, AppMove{ApplicationID: ids["submitted"], To: julo.AppFormSubmitted, At: at}); err != nil {
		t.Fatal(err)
	}

	if got, err := db.IdleApplications(ctx, at.Add(-time.Millisecond), 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("idle before anything was registered: %v, %v", got, err)
	}
	cutoff := at.Add(12 * time.Hour)
	got, err := db.IdleApplications(ctx, cutoff, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{ids["idle"], ids["failed steps"]}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("idle since %v: %v, want %v", cutoff, got, want)
	}
	if got, _ := db.IdleApplications(ctx, cutoff, ids["idle"], 10); len(got) != 1 || got[0] != ids["failed steps"] {
		t.Fatalf("idle after the first: %v", got)
	}
	if got, _ := db.IdleApplications(ctx, at.Add(25*time.Hour), 0, 10); len(got) != 6 {
		t.Fatalf("idle a day after every step: %v, want all six at 100", got)
	}

	now := at.Add(14 * 24 * time.Hour)
	if moved, err := db.ExpireIdleApplication(ctx, ids["image"], cutoff, now); err != nil || moved {
		t.Fatalf("expired an application with a step after the cutoff: %v, %v", moved, err)
	}
	if moved, err := db.ExpireIdleApplication(ctx, ids["idle"], cutoff, now); err != nil || !moved {
		t.Fatalf("expire: %v, %v", moved, err)
	}
	if moved, err := db.ExpireIdleApplication(ctx, ids["idle"], cutoff, now); err != nil || moved {
		t.Fatalf("expired twice: %v, %v", moved, err)
	}
	var status, from int
	var reason string
	var changed int64
	if err := db.r.QueryRow(`SELECT a.status, h.from_status, h.reason, h.changed_at FROM applications a
		JOIN application_status_history h ON h.application_id = a.id AND h.to_status = 106 WHERE a.id = $1`, ids["idle"]).
		Scan(&status, &from, &reason, &changed); err != nil {
		t.Fatal(err)
	}
	if status != 106 || from != 100 || reason != onboarding.ReasonNoProgress || changed != ms(now) {
		t.Fatalf("expired: status %d, history from %d reason %q at %d", status, from, reason, changed)
	}
	evs, err := db.Events(ctx, ids["idle"], 0, 10)
	if err != nil || len(evs) != 2 || evs[1].To != 106 || evs[1].ToName != "FORM_EXPIRED" || !evs[1].OccurredAt.Equal(now) {
		t.Fatalf("events %+v, %v", evs, err)
	}
}

// A registration takes over lapsed claims: with Release naming the holder
// of a NIK, the same customer gets a new application (with the new email
// and partner), and the email it held before is free for someone else. A
// claim that changed since the domain looked fails the registration whole;
// a customer still holding its NIK or email is the uniqueness conflict.
func TestRegisterTakesOverReleasedClaims(t *testing.T) {
	eachDatabase(t, testRegisterTakesOverReleasedClaims)
}

func testRegisterTakesOverReleasedClaims(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	acme, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
	beta, _ := db.CreatePartner(ctx, "beta", onboarding.PartnerSecret{KeyID: "k1", Hash: "h2"}, at)
	const nik1, nik2, nik3 = "3203020101930001", "3203020101930002", "3203020101930003"
	first, err := db.Register(ctx, registration(acme.ID, nik1, "one@test.com", 1234567890))
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := db.Holders(ctx, nik1, "")
	if err != nil || h == nil || h.CustomerID != first.CustomerID || h.Status != julo.AppFormCreated || !h.Since.Equal(at) {
		t.Fatalf("holder %+v, %v", h, err)
	}
	// Still held: the NIK is taken.
	if _, err := db.Register(ctx, registration(beta.ID, nik1, "other@test.com", 1234567891)); conflictKey(t, err) != string(onboarding.UniqueNIK) {
		t.Fatalf("registered a held NIK: %v", err)
	}
	// A release naming a status the application is no longer at changes nothing.
	stale := *h
	stale.Status = julo.AppFormExpired
	r := registration(beta.ID, nik1, "one-again@test.com", 1234567891)
	r.Release = []onboarding.Holder{stale}
	if _, err := db.Register(ctx, r); !errors.Is(err, onboarding.ErrClaimChanged) {
		t.Fatalf("a stale release: %v", err)
	}

	later := at.Add(15 * 24 * time.Hour)
	if moved, err := db.ExpireIdleApplication(ctx, first.ID, at, later); err != nil || !moved {
		t.Fatal(moved, err)
	}
	h, _, _ = db.Holders(ctx, nik1, "")
	if h.Status != julo.AppFormExpired || !h.Since.Equal(later) {
		t.Fatalf("holder after expiry %+v", h)
	}
	// The NIK comes back through another partner, with another email.
	r = registration(beta.ID, nik1, "one-again@test.com", 1234567892)
	r.At, r.Release = later, []onboarding.Holder{*h}
	second, err := db.Register(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if second.CustomerID != first.CustomerID {
		t.Fatalf("a new customer %d for the same NIK (was %d)", second.CustomerID, first.CustomerID)
	}
	h, eh, _ := db.Holders(ctx, nik1, "one@test.com")
	if h == nil || h.PartnerID != beta.ID || h.XID != 1234567892 || h.Status != julo.AppFormCreated || eh != nil {
		t.Fatalf("holders after coming back: %+v, %+v (the old email is held by nobody)", h, eh)
	}
	var customers, apps, oldStatus int
	db.r.QueryRow(`SELECT COUNT(*) FROM customers`).Scan(&customers)
	db.r.QueryRow(`SELECT COUNT(*) FROM applications WHERE customer_id = $1`, first.CustomerID).Scan(&apps)
	db.r.QueryRow(`SELECT status FROM applications WHERE id = $1`, first.ID).Scan(&oldStatus)
	if customers != 1 || apps != 2 || oldStatus != 106 {
		t.Fatalf("%d customers, %d applications of the customer, the old one at %d", customers, apps, oldStatus)
	}

	// An email whose customer let it go goes to another customer.
	c2, err := db.Register(ctx, registration(acme.ID, nik2, "two@test.com", 1234567893))
	if err != nil {
		t.Fatal(err)
	}
	if moved, err := db.ExpireIdleApplication(ctx, c2.ID, at, later); err != nil || !moved {
		t.Fatal(moved, err)
	}
	_, eh, _ = db.Holders(ctx, "", "two@test.com")
	r = registration(acme.ID, nik3, "two@test.com", 1234567894)
	r.Release = []onboarding.Holder{*eh}
	if _, err := db.Register(ctx, r); err != nil {
		t.Fatal(err)
	}
	// Its old customer coming back with it is now the email's conflict.
	if _, err := db.Register(ctx, registration(acme.ID, nik2, "two@test.com", 1234567895)); conflictKey(t, err) != string(onboarding.UniqueEmail) {
		t.Fatalf("two customers hold one email: %v", err)
	}
	if _, err := db.Register(ctx, registration(acme.ID, nik2, "two-new@test.com", 1234567895)); err != nil {
		t.Fatal(err)
	}
}
