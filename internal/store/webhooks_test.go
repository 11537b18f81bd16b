package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/notify"
	"github.com/julo-partnership/julo/internal/onboarding"
)

func strp(s string) *string { return &s }

func testSecret(id string, b byte) *notify.Secret {
	return &notify.Secret{ID: id, Key: bytes.Repeat([]byte{b}, 32), CreatedAt: at}
}

// webhookPartner creates a partner with an endpoint (URL u, token tok) and
// returns its id.
func webhookPartner(t *testing.T, db *DB, name, u, tok string) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, name, onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	if err != nil {
		t.Fatal(err)
	}
	c := notify.EndpointChange{URL: &u, Secret: testSecret("whk_"+name, 1), Enable: true}
	if tok != "" {
		c.Token = &tok
	}
	if _, stored, err := db.SetWebhookEndpoint(ctx, name, c, at); err != nil || !stored {
		t.Fatalf("endpoint of %s: stored %v, %v", name, stored, err)
	}
	return p.ID
}

// deliveriesOf lists the deliveries of the application's events as
// "sequence:target:state", oldest first.
func deliveriesOf(t *testing.T, db *DB, applicationID int64) []string {
	t.Helper()
	var out []string
	err := scanAll(context.Background(), db.r, `SELECT e.sequence, d.target, d.state FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
		WHERE e.application_id = $1 ORDER BY d.id`, []any{applicationID}, func(rs *sql.Rows) error {
		var seq int
		var target, state string
		if err := rs.Scan(&seq, &target, &state); err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%d:%s:%s", seq, target, state))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func deliveryIDs(t *testing.T, db *DB, applicationID int64) []int64 {
	t.Helper()
	var out []int64
	err := scanAll(context.Background(), db.r, `SELECT d.id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
		WHERE e.application_id = $1 ORDER BY d.id`, []any{applicationID}, func(rs *sql.Rows) error {
		var id int64
		out = append(out, id)
		return rs.Scan(&out[len(out)-1])
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWebhookEndpoints(t *testing.T) { eachDatabase(t, testWebhookEndpoints) }

// An endpoint is made with its first secret; a change without a rotation
// stores no secret; a rotation keeps the old secret signing until RetireAt;
// the token and the secrets are stored sealed.
func testWebhookEndpoints(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, "hooked", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SetWebhookEndpoint(ctx, "hooked", notify.EndpointChange{Token: strp("x"), Secret: testSecret("whk_0", 9)}, at); !errors.Is(err, notify.ErrNoEndpoint) {
		t.Fatalf("no URL, no endpoint: %v", err)
	}
	if _, _, err := db.SetWebhookEndpoint(ctx, "nobody", notify.EndpointChange{URL: strp("https://x.example/")}, at); code(err) != julo.ENOTFOUND {
		t.Fatalf("unknown partner: %v", err)
	}
	if _, _, err := db.WebhookEndpoint(ctx, p.ID, at); code(err) != julo.ENOTFOUND {
		t.Fatalf("no endpoint yet: %v", err)
	}
	e, stored, err := db.SetWebhookEndpoint(ctx, "hooked", notify.EndpointChange{URL: strp("https://hooks.example/a"),
		Token: strp("the-token-value"), Secret: testSecret("whk_1", 1), Enable: true}, at)
	if err != nil || !stored || e.URL != "https://hooks.example/a" || e.Token != "the-token-value" || e.Disabled || !e.CreatedAt.Equal(at) {
		t.Fatalf("created %+v, stored %v, %v", e, stored, err)
	}
	// A change stores no secret.
	e, stored, err = db.SetWebhookEndpoint(ctx, "hooked", notify.EndpointChange{URL: strp("https://hooks.example/b"),
		Secret: testSecret("whk_2", 2), Enable: true}, at.Add(time.Minute))
	if err != nil || stored || e.URL != "https://hooks.example/b" || e.Token != "the-token-value" {
		t.Fatalf("changed %+v, stored %v, %v", e, stored, err)
	}
	if _, keys, _ := db.WebhookEndpoint(ctx, p.ID, at); len(keys) != 1 || keys[0][0] != 1 {
		t.Fatalf("keys after a change: %v", keys)
	}
	// A rotation: the old key signs until RetireAt, newest first.
	retire := at.Add(24 * time.Hour)
	if _, stored, err := db.SetWebhookEndpoint(ctx, "hooked", notify.EndpointChange{Secret: testSecret("whk_3", 3), Rotate: true, RetireAt: retire},
		at.Add(time.Hour)); err != nil || !stored {
		t.Fatalf("rotation: stored %v, %v", stored, err)
	}
	for when, want := range map[time.Time]string{at.Add(2 * time.Hour): "3,1", retire.Add(-time.Millisecond): "3,1", retire: "3"} {
		_, keys, err := db.WebhookEndpoint(ctx, p.ID, when)
		var got []string
		for _, k := range keys {
			got = append(got, fmt.Sprint(k[0]))
		}
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("keys at %s: %v, want %s (%v)", when, got, want, err)
		}
	}
	// A second rotation drops the expired secret and retires the current.
	if _, _, err := db.SetWebhookEndpoint(ctx, "hooked", notify.EndpointChange{Secret: testSecret("whk_4", 4), Rotate: true,
		RetireAt: retire.Add(48 * time.Hour)}, retire.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM webhook_secrets WHERE partner_id = $1`, p.ID); n != 2 {
		t.Fatalf("%d secrets kept after the second rotation", n)
	}
	// Disabled and enabled again; the token removed.
	if e, _, err := db.SetWebhookEndpoint(ctx, "hooked", notify.EndpointChange{Disable: true}, at); err != nil || !e.Disabled ||
		e.DisabledReason != notify.DisabledByOperator {
		t.Fatalf("disabled: %+v, %v", e, err)
	}
	if e, _, err := db.SetWebhookEndpoint(ctx, "hooked", notify.EndpointChange{URL: strp("https://hooks.example/b"), Token: strp(""), Enable: true}, at); err != nil ||
		e.Disabled || e.Token != "" {
		t.Fatalf("enabled: %+v, %v", e, err)
	}
	// Nothing secret is stored in the clear.
	var all strings.Builder
	scanAll(ctx, db.r, `SELECT COALESCE(token_sealed, '') FROM webhook_endpoints UNION ALL SELECT secret_sealed FROM webhook_secrets`, nil,
		func(rs *sql.Rows) error {
			var v string
			rs.Scan(&v)
			all.WriteString(v)
			return nil
		})
	if strings.Contains(all.String(), "the-token") || !strings.Contains(all.String(), "d1.d1.") {
		t.Fatalf("stored values: %s", all.String())
	}
}

func TestDeliveriesAreQueuedWithTheirEvents(t *testing.T) {
	eachDatabase(t, testDeliveriesAreQueuedWithTheirEvents)
}

// An event of a partner with an enabled endpoint gets one delivery and one
// job in its own transaction; to the application's own callback_url when
// the registration gave one, with its own token. Without an endpoint, or
// with a disabled one, nothing is queued.
func testDeliveriesAreQueuedWithTheirEvents(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	quiet := applications(t, db, 1)[0]
	if n := count(t, db, `SELECT COUNT(*) FROM webhook_deliveries`); n != 0 {
		t.Fatalf("%d deliveries without an endpoint", n)
	}
	pid := webhookPartner(t, db, "hooks1", "https://hooks.example/julo", "partner-token")
	r := registration(pid, "3203020101990001", "own@test.com", 3999000001)
	r.CallbackURL, r.CallbackToken = "https://hooks.example/customers/42", "customer-token"
	own, err := db.Register(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := db.Register(ctx, registration(pid, "3203020101990002", "plain@test.com", 3999000002))
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveriesOf(t, db, own.ID); len(got) != 1 || got[0] != "1:application:pending" {
		t.Fatalf("own callback: %v", got)
	}
	if got := deliveriesOf(t, db, plain.ID); len(got) != 1 || got[0] != "1:partner:pending" {
		t.Fatalf("partner callback: %v", got)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM river_job WHERE kind = 'partner_callback'`); n != 2 {
		t.Fatalf("%d delivery jobs", n)
	}
	// A verification is an event too, and so gets a delivery.
	if err := db.tx(ctx, func(tx *sql.Tx) error {
		return db.recordVerification(ctx, tx, plain.ID, "bank:bca", julo.VerificationVerified, at)
	}); err != nil {
		t.Fatal(err)
	}
	// A rolled-back move leaves neither its event nor its delivery.
	db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: plain.ID, To: julo.AppFormSubmitted, At: at}); err != nil {
			return err
		}
		return errors.New("later failure")
	})
	if got := deliveriesOf(t, db, plain.ID); strings.Join(got, " ") != "1:partner:pending 2:partner:pending" {
		t.Fatalf("after a verification and a rolled-back move: %v", got)
	}

	// What a delivery's attempt needs: the application's URL and token,
	// the partner's keys; the callback values are sealed.
	ids := deliveryIDs(t, db, own.ID)
	dl, err := db.Delivery(ctx, ids[0], at)
	if err != nil || dl.URL != "https://hooks.example/customers/42" || dl.Token != "customer-token" || dl.Target != notify.TargetApplication ||
		dl.State != notify.StatePending || dl.Attempts != 0 || len(dl.Keys) != 1 || dl.Event.ApplicationXID != own.XID || dl.Event.To != 100 ||
		dl.AppStatus != julo.AppFormCreated || dl.Disabled || !dl.NextAt.Equal(at) {
		t.Fatalf("delivery %+v, %v", dl, err)
	}
	var sealedURL string
	db.r.QueryRow(`SELECT url_sealed FROM application_callbacks WHERE application_id = $1`, own.ID).Scan(&sealedURL)
	if sealedURL == "" || strings.Contains(sealedURL, "hooks.example") {
		t.Fatalf("callback url stored as %q", sealedURL)
	}
	pd, err := db.Delivery(ctx, deliveryIDs(t, db, plain.ID)[0], at)
	if err != nil || pd.URL != "https://hooks.example/julo" || pd.Token != "partner-token" || pd.Target != notify.TargetPartner {
		t.Fatalf("partner delivery %+v, %v", pd, err)
	}
	if _, err := db.Delivery(ctx, 999999, at); code(err) != julo.ENOTFOUND {
		t.Fatalf("missing delivery: %v", err)
	}

	// Disabled: no new deliveries; a pending one reads as disabled.
	if _, _, err := db.SetWebhookEndpoint(ctx, "hooks1", notify.EndpointChange{Disable: true}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: plain.ID, To: julo.AppFormSubmitted, At: at})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := deliveriesOf(t, db, plain.ID); len(got) != 2 {
		t.Fatalf("a disabled endpoint got a delivery: %v", got)
	}
	if dl, _ := db.Delivery(ctx, ids[0], at); !dl.Disabled {
		t.Fatal("a pending delivery of a disabled partner does not say so")
	}
	_ = quiet
}

func TestDeliveryAttempts(t *testing.T) { eachDatabase(t, testDeliveryAttempts) }

// Attempts are recorded in order and move the delivery; a stale record is
// ignored; a 410 disables the target it came from: the application's own
// URL (its events then go to the partner's) or the partner's endpoint
// (nothing more is queued).
func testDeliveryAttempts(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	pid := webhookPartner(t, db, "hooks2", "https://hooks.example/julo", "")
	r := registration(pid, "3203020101990011", "a11@test.com", 3999000011)
	r.CallbackURL = "https://hooks.example/c/11"
	app, err := db.Register(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	id := deliveryIDs(t, db, app.ID)[0]
	a1 := notify.Attempt{N: 1, At: at, Duration: 1500 * time.Millisecond, StatusCode: 500, Error: "HTTP 500"}
	if err := db.RecordAttempt(ctx, id, &a1, notify.Outcome{State: notify.StatePending, NextAt: at.Add(5 * time.Second)}, at); err != nil {
		t.Fatal(err)
	}
	// The same attempt again (a lost race) changes nothing.
	if err := db.RecordAttempt(ctx, id, &a1, notify.Outcome{State: notify.StateDelivered}, at); err != nil {
		t.Fatal(err)
	}
	dl, _ := db.Delivery(ctx, id, at)
	if dl.State != notify.StatePending || dl.Attempts != 1 || !dl.NextAt.Equal(at.Add(5*time.Second)) {
		t.Fatalf("after a failed attempt: %+v", dl)
	}
	a2 := notify.Attempt{N: 2, At: at.Add(5 * time.Second), Error: "connection refused"}
	if err := db.RecordAttempt(ctx, id, &a2, notify.Outcome{State: notify.StatePending, NextAt: at.Add(5 * time.Minute)}, a2.At); err != nil {
		t.Fatal(err)
	}
	a3 := notify.Attempt{N: 3, At: at.Add(5 * time.Minute), StatusCode: 410, Error: "HTTP 410"}
	if err := db.RecordAttempt(ctx, id, &a3, notify.Outcome{State: notify.StateFailed, Disable: notify.TargetApplication}, a3.At); err != nil {
		t.Fatal(err)
	}
	e, ds, err := db.PartnerEvent(ctx, pid, dl.Event.ID, at.Add(-time.Hour))
	if err != nil || e.ID != dl.Event.ID || len(ds) != 1 || ds[0].State != notify.StateFailed || ds[0].Attempts != 3 || len(ds[0].Tried) != 3 {
		t.Fatalf("event %+v, deliveries %+v, %v", e, ds, err)
	}
	if got := ds[0].Tried; got[0].StatusCode != 500 || got[0].Duration != 1500*time.Millisecond || got[1].StatusCode != 0 ||
		got[1].Error != "connection refused" || got[2].StatusCode != 410 || !got[2].At.Equal(a3.At) {
		t.Fatalf("attempts %+v", got)
	}
	// The application's URL is gone: its next event goes to the partner.
	if err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: app.ID, To: julo.AppFormSubmitted, At: at})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ids := deliveryIDs(t, db, app.ID)
	next, err := db.Delivery(ctx, ids[1], at)
	if err != nil || next.Target != notify.TargetPartner || next.URL != "https://hooks.example/julo" {
		t.Fatalf("after the application's 410: %+v, %v", next, err)
	}
	// The partner's URL answers 410: its endpoint is disabled.
	if err := db.RecordAttempt(ctx, ids[1], &notify.Attempt{N: 1, At: at, StatusCode: 410},
		notify.Outcome{State: notify.StateFailed, Disable: notify.TargetPartner}, at); err != nil {
		t.Fatal(err)
	}
	if ep, _, err := db.WebhookEndpoint(ctx, pid, at); err != nil || !ep.Disabled || ep.DisabledReason != notify.DisabledGone {
		t.Fatalf("endpoint after a 410: %+v, %v", ep, err)
	}
	// A cancellation records no attempt.
	other, err := db.Register(ctx, registration(pid, "3203020101990012", "a12@test.com", 3999000012))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(deliveryIDs(t, db, other.ID)); n != 0 {
		t.Fatalf("%d deliveries after the 410", n)
	}
	if _, err := db.Redeliver(ctx, pid, dl.Event.ID, at.Add(-time.Hour), at); code(err) != julo.ECONFLICT {
		t.Fatalf("redelivery to a disabled endpoint: %v", err)
	}
}

func TestEventsFeed(t *testing.T) { eachDatabase(t, testEventsFeed) }

// The feed lists one partner's events in order, pages with after, never
// shows another partner's, and forgets what is older than since; a
// redelivery queues a new delivery; pruning deletes old events with their
// deliveries and attempts.
func testEventsFeed(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	pa := webhookPartner(t, db, "feed-a", "https://a.example/", "")
	pb := webhookPartner(t, db, "feed-b", "https://b.example/", "")
	var ids []string
	for i := 0; i < 3; i++ {
		a, err := db.Register(ctx, registration(pa, fmt.Sprintf("32030201019921%02d", i), fmt.Sprintf("fa%d@test.com", i), 3999100000+int64(i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Register(ctx, registration(pb, fmt.Sprintf("32030201019922%02d", i), fmt.Sprintf("fb%d@test.com", i), 3999200000+int64(i))); err != nil {
			t.Fatal(err)
		}
		if err := db.tx(ctx, func(tx *sql.Tx) error {
			return db.recordVerification(ctx, tx, a.ID, "bpjs", julo.VerificationFailed, at.Add(time.Duration(i)*time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
	}
	since := at.Add(-24 * time.Hour)
	all, err := db.PartnerEvents(ctx, pa, "", since, 100)
	if err != nil || len(all) != 6 {
		t.Fatalf("%d events of A, %v", len(all), err)
	}
	for i, e := range all {
		if e.PartnerID != pa {
			t.Fatalf("A's feed has %+v", e)
		}
		if want := julo.EventAppStatus; i%2 == 1 {
			if e.Type != julo.EventAppVerification {
				t.Fatalf("event %d is %s", i, e.Type)
			}
		} else if e.Type != want {
			t.Fatalf("event %d is %s", i, e.Type)
		}
		ids = append(ids, e.ID)
	}
	// Pages of two, following after.
	var paged []string
	after := ""
	for {
		page, err := db.PartnerEvents(ctx, pa, after, since, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			paged = append(paged, e.ID)
		}
		after = page[len(page)-1].ID
	}
	if strings.Join(paged, ",") != strings.Join(ids, ",") {
		t.Fatalf("paged %v, want %v", paged, ids)
	}
	// B's event is not a cursor of A, and not one of A's events.
	bs, _ := db.PartnerEvents(ctx, pb, "", since, 100)
	if _, err := db.PartnerEvents(ctx, pa, bs[0].ID, since, 10); code(err) != julo.ENOTFOUND {
		t.Fatalf("B's event as A's cursor: %v", err)
	}
	if _, _, err := db.PartnerEvent(ctx, pa, bs[0].ID, since); code(err) != julo.ENOTFOUND {
		t.Fatalf("B's event read by A: %v", err)
	}
	if _, err := db.Redeliver(ctx, pa, bs[0].ID, since, at); code(err) != julo.ENOTFOUND {
		t.Fatalf("B's event redelivered by A: %v", err)
	}
	// Events before since are neither listed nor read.
	if late, _ := db.PartnerEvents(ctx, pa, "", at.Add(time.Minute), 100); len(late) != 2 {
		t.Fatalf("%d events since a minute later", len(late))
	}
	if _, _, err := db.PartnerEvent(ctx, pa, ids[0], at.Add(time.Minute)); code(err) != julo.ENOTFOUND {
		t.Fatalf("an event before since: %v", err)
	}
	// A redelivery is one more delivery of the event.
	dl, err := db.Redeliver(ctx, pa, ids[0], since, at.Add(time.Hour))
	if err != nil || dl.State != notify.StatePending || dl.Event.ID != ids[0] {
		t.Fatalf("redelivery %+v, %v", dl, err)
	}
	if _, ds, _ := db.PartnerEvent(ctx, pa, ids[0], since); len(ds) != 2 || ds[1].ID != dl.ID || len(ds[1].Tried) != 0 {
		t.Fatalf("deliveries after the redelivery: %+v", ds)
	}
	if err := db.RecordAttempt(ctx, dl.ID, &notify.Attempt{N: 1, At: at, StatusCode: 200}, notify.Outcome{State: notify.StateDelivered}, at); err != nil {
		t.Fatal(err)
	}
	// Pruning: the events at `at` (registrations), in batches, with their
	// deliveries and attempts; the later ones stay.
	before := count(t, db, `SELECT COUNT(*) FROM events`)
	n1, err1 := db.PruneEvents(ctx, at.Add(time.Second), 4)
	n2, err2 := db.PruneEvents(ctx, at.Add(time.Second), 4)
	n3, err3 := db.PruneEvents(ctx, at.Add(time.Second), 4)
	if err := errors.Join(err1, err2, err3); err != nil || n1 != 4 || n2 != 3 || n3 != 0 {
		t.Fatalf("pruned %d, %d, %d: %v", n1, n2, n3, err)
	}
	if left := count(t, db, `SELECT COUNT(*) FROM events`); left != before-7 {
		t.Fatalf("%d events left of %d", left, before)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM webhook_deliveries d LEFT JOIN events e ON e.id = d.event_id WHERE e.id IS NULL`); n != 0 {
		t.Fatalf("%d deliveries of pruned events", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM webhook_attempts`); n != 0 {
		t.Fatalf("%d attempts left", n)
	}
}

// Racing events of one partner's applications get consecutive feed
// positions, so a reader paging with after misses none.
func TestFeedPositionsHaveNoGapsUnderRaces(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		apps := applications(t, db, racers)
		errs := race(t, db, racers, func(ctx context.Context, i int) error {
			return db.tx(ctx, func(tx *sql.Tx) error {
				return db.recordVerification(ctx, tx, apps[i].ID, "bpjs", julo.VerificationFailed, at)
			})
		})
		if ok := wantOnly(t, errs, julo.ECONFLICT); ok != racers {
			t.Fatalf("%d of %d events recorded", ok, racers)
		}
		var seqs []int64
		scanAll(context.Background(), db.r, `SELECT feed_seq FROM events WHERE partner_id = $1 ORDER BY feed_seq`, []any{apps[0].PartnerID},
			func(rs *sql.Rows) error {
				var s int64
				seqs = append(seqs, s)
				return rs.Scan(&seqs[len(seqs)-1])
			})
		if len(seqs) != 2*racers {
			t.Fatalf("%d events", len(seqs))
		}
		for i, s := range seqs {
			if s != int64(i+1) {
				t.Fatalf("feed positions %v", seqs)
			}
		}
	})
}

// Rotating the data set (RewrapCustomerKeys, a batch of julo keys
// rotate-data) seals the partners' signing secrets and tokens again with
// the new key, so that the old one can leave the key file.
func TestRotateDataRewrapsWebhookSecrets(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		pid := webhookPartner(t, db, "rotating", "https://hooks.example/", "tok")
		rotated := testKeys
		rotated.Data = onboarding.KeySet{Current: "d2", Keys: map[string][]byte{
			"d1": testKeys.Data.Keys["d1"], "d2": []byte("fedcba9876543210fedcba9876543210")}}
		db2 := d.open(t)
		if err := db2.SetKeys(rotated); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db2.RewrapCustomerKeys(ctx, 10, at); err != nil {
			t.Fatal(err)
		}
		only2 := testKeys
		only2.Data = onboarding.KeySet{Current: "d2", Keys: map[string][]byte{"d2": rotated.Data.Keys["d2"]}}
		db3 := d.open(t)
		if err := db3.SetKeys(only2); err != nil {
			t.Fatal(err)
		}
		e, keys, err := db3.WebhookEndpoint(ctx, pid, at)
		if err != nil || e.Token != "tok" || len(keys) != 1 || keys[0][0] != 1 {
			t.Fatalf("after the rotation, without the old key: %+v %v, %v", e, keys, err)
		}
	})
}
