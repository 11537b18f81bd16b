package store

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// A key's life: claimed once, running for the same request, refused for
// another one, replayed byte for byte once answered; scoped to its partner;
// a released claim is claimed again; a lapsed lease is taken over (and the
// old holder can neither renew nor save); an answer older than the window
// counts as absent, and the prune deletes it but never a running claim.
func TestIdempotencyKeyLifecycle(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db := d.migrated(t)
		acme, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
		beta, _ := db.CreatePartner(ctx, "beta", onboarding.PartnerSecret{KeyID: "k1", Hash: "h2"}, at)
		const lease, keep = time.Minute, 24 * time.Hour
		claim := func(p julo.Partner, key, fp string, when time.Time) julo.IdempotencyClaim {
			t.Helper()
			c, err := db.ClaimIdempotencyKey(ctx, p.ID, key, fp, when, lease, keep)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		outcome := func(c julo.IdempotencyClaim, want julo.IdempotencyOutcome) {
			t.Helper()
			if c.Outcome != want {
				t.Fatalf("outcome %v, want %v (%+v)", c.Outcome, want, c)
			}
		}

		first := claim(acme, "key-1", "fp-a", at)
		outcome(first, julo.IdemClaimed)
		if len(first.Token) != 32 {
			t.Fatalf("token %q", first.Token)
		}
		outcome(claim(acme, "key-1", "fp-a", at), julo.IdemRunning)
		outcome(claim(acme, "key-1", "fp-b", at), julo.IdemMismatch)
		// Another partner's key of the same text is another key.
		outcome(claim(beta, "key-1", "fp-b", at), julo.IdemClaimed)

		answer := []byte(`{"status":201,"body":"secret answer"}`)
		if ok, err := db.SaveIdempotentAnswer(ctx, acme.ID, "key-1", first.Token, answer, at); err != nil || !ok {
			t.Fatalf("save: %v %v", ok, err)
		}
		// Saved once: the token's claim is over.
		if ok, err := db.SaveIdempotentAnswer(ctx, acme.ID, "key-1", first.Token, []byte("again"), at); err != nil || ok {
			t.Fatalf("second save: %v %v", ok, err)
		}
		r := claim(acme, "key-1", "fp-a", at.Add(time.Hour))
		outcome(r, julo.IdemReplay)
		if !bytes.Equal(r.Answer, answer) {
			t.Fatalf("replayed %q", r.Answer)
		}
		outcome(claim(acme, "key-1", "fp-b", at.Add(time.Hour)), julo.IdemMismatch)

		// Released: the next request runs.
		c := claim(acme, "key-2", "fp-a", at)
		if err := db.ReleaseIdempotencyKey(ctx, acme.ID, "key-2", c.Token); err != nil {
			t.Fatal(err)
		}
		outcome(claim(acme, "key-2", "fp-c", at), julo.IdemClaimed)

		// A lapsed lease is taken over, by any request; the old holder
		// has lost it.
		old := claim(acme, "key-3", "fp-a", at)
		outcome(claim(acme, "key-3", "fp-a", at.Add(lease-time.Millisecond)), julo.IdemRunning)
		renewed, err := db.RenewIdempotencyKey(ctx, acme.ID, "key-3", old.Token, at.Add(2*lease))
		if err != nil || !renewed {
			t.Fatalf("renew: %v %v", renewed, err)
		}
		outcome(claim(acme, "key-3", "fp-a", at.Add(lease)), julo.IdemRunning)
		taken := claim(acme, "key-3", "fp-d", at.Add(2*lease))
		outcome(taken, julo.IdemClaimed)
		if taken.Token == old.Token {
			t.Fatal("the takeover kept the old token")
		}
		if ok, err := db.RenewIdempotencyKey(ctx, acme.ID, "key-3", old.Token, at.Add(3*lease)); err != nil || ok {
			t.Fatalf("the old holder renewed: %v %v", ok, err)
		}
		if ok, err := db.SaveIdempotentAnswer(ctx, acme.ID, "key-3", old.Token, answer, at); err != nil || ok {
			t.Fatalf("the old holder saved: %v %v", ok, err)
		}
		if err := db.ReleaseIdempotencyKey(ctx, acme.ID, "key-3", old.Token); err != nil {
			t.Fatal(err)
		}
		outcome(claim(acme, "key-3", "fp-d", at.Add(2*lease)), julo.IdemRunning) // the old release left it alone

		// Past the window an answer counts as absent: the key runs again.
		outcome(claim(acme, "key-1", "fp-b", at.Add(keep)), julo.IdemClaimed)

		// The prune: answered keys and lapsed claims first claimed before
		// the cut go; a claim whose lease still runs stays.
		c5 := claim(acme, "key-5", "fp", at)
		db.SaveIdempotentAnswer(ctx, acme.ID, "key-5", c5.Token, answer, at)
		claim(acme, "key-6", "fp", at) // lapses at at+lease
		long := claim(acme, "key-7", "fp", at)
		db.RenewIdempotencyKey(ctx, acme.ID, "key-7", long.Token, at.Add(48*time.Hour))
		n, err := db.DeleteIdempotencyKeys(ctx, at.Add(time.Second), at.Add(keep))
		if err != nil {
			t.Fatal(err)
		}
		// key-2 (claimed at at, running, lapsed), key-5, key-6; beta's key-1 too.
		if n != 4 {
			t.Fatalf("pruned %d rows, want 4", n)
		}
		outcome(claim(acme, "key-7", "fp", at.Add(keep)), julo.IdemRunning)
		outcome(claim(acme, "key-5", "fp-other", at.Add(keep)), julo.IdemClaimed)
	})
}

// Of many requests claiming one key at once, exactly one runs; once it is
// answered every later one replays it.
func TestIdempotencyClaimRaceHasOneWinner(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db := d.migrated(t)
		other := d.open(t) // a second handle: another instance
		acme, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
		const n = 20
		for round := range 3 {
			key := "race-" + string(rune('a'+round))
			var wg sync.WaitGroup
			got := make([]julo.IdempotencyClaim, n)
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					got[i], errs[i] = []*DB{db, other}[i%2].ClaimIdempotencyKey(ctx, acme.ID, key, "fp", at, time.Minute, 24*time.Hour)
				}()
			}
			close(start)
			wg.Wait()
			winners := 0
			var token string
			for i, c := range got {
				if errs[i] != nil {
					t.Fatalf("claim %d: %v", i, errs[i])
				}
				switch c.Outcome {
				case julo.IdemClaimed:
					winners++
					token = c.Token
				case julo.IdemRunning:
				default:
					t.Fatalf("claim %d: %+v", i, c)
				}
			}
			if winners != 1 {
				t.Fatalf("round %d: %d claims won, want 1", round, winners)
			}
			if ok, err := db.SaveIdempotentAnswer(ctx, acme.ID, key, token, []byte("the answer"), at); !ok || err != nil {
				t.Fatalf("save: %v %v", ok, err)
			}
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = db.ClaimIdempotencyKey(ctx, acme.ID, key, "fp", at, time.Minute, 24*time.Hour)
				}()
			}
			wg.Wait()
			for i, c := range got {
				if errs[i] != nil || c.Outcome != julo.IdemReplay || string(c.Answer) != "the answer" {
					t.Fatalf("replay %d: %+v %v", i, c, errs[i])
				}
			}
		}
	})
}

// Two handles on one database (two instances) racing for lapsed claims:
// each lapsed key is taken over by exactly one of them.
func TestIdempotencyTakeoverRaceHasOneWinner(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		a := d.migrated(t)
		b := d.open(t)
		acme, _ := a.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
		const lease = time.Minute
		for i := range 10 {
			key := "lapsed-" + string(rune('a'+i))
			if c, err := a.ClaimIdempotencyKey(ctx, acme.ID, key, "fp", at, lease, time.Hour); err != nil || c.Outcome != julo.IdemClaimed {
				t.Fatalf("%+v %v", c, err)
			}
			later := at.Add(2 * lease)
			var wg sync.WaitGroup
			got := make([]julo.IdempotencyClaim, 8)
			errs := make([]error, 8)
			for j := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db := []*DB{a, b}[j%2]
					got[j], errs[j] = db.ClaimIdempotencyKey(ctx, acme.ID, key, "fp", later, lease, time.Hour)
				}()
			}
			wg.Wait()
			winners := 0
			for j, c := range got {
				if errs[j] != nil {
					t.Fatal(errs[j])
				}
				if c.Outcome == julo.IdemClaimed {
					winners++
				} else if c.Outcome != julo.IdemRunning {
					t.Fatalf("%+v", c)
				}
			}
			if winners != 1 {
				t.Fatalf("%s: %d takeovers won, want 1", key, winners)
			}
		}
	})
}

// What is stored is not readable: neither the key nor the fingerprint
// appears, the answer is sealed, and a sealed answer moved to another
// row does not open there.
func TestIdempotencyRowsHoldNothingReadable(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db := d.migrated(t)
		acme, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
		key, fp := "nik-3203021505900001", "fingerprint-0123456789"
		for _, k := range []string{key, key + "-other"} {
			c, err := db.ClaimIdempotencyKey(ctx, acme.ID, k, fp, at, time.Minute, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := db.SaveIdempotentAnswer(ctx, acme.ID, k, c.Token, []byte("ktp 3203021505900001 "+k), at); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
		rows, err := db.r.QueryContext(ctx, `SELECT key_hash, request_hash, response FROM idempotency_keys ORDER BY key_hash`)
		if err != nil {
			t.Fatal(err)
		}
		var responses, hashes []string
		for rows.Next() {
			var kh, rh, resp string
			rows.Scan(&kh, &rh, &resp)
			all := kh + rh + resp
			if strings.Contains(all, "3203021505900001") || strings.Contains(all, "fingerprint") {
				t.Fatalf("readable row: %s", all)
			}
			if !strings.HasPrefix(resp, "d1.d1.") {
				t.Fatalf("response not sealed with the data key: %q", resp)
			}
			responses, hashes = append(responses, resp), append(hashes, kh)
		}
		rows.Close()
		if len(responses) != 2 {
			t.Fatalf("%d rows", len(responses))
		}
		if n, err := db.IdempotentAnswersByDataKey(ctx); err != nil || n["d1"] != 2 {
			t.Fatalf("answers by data key: %v %v", n, err)
		}
		// The other key's answer moved into this key's row does not open.
		kh, _, err := db.idemHashes(ctx, acme.ID, key, "")
		if err != nil {
			t.Fatal(err)
		}
		other := responses[0]
		if hashes[0] == kh {
			other = responses[1]
		}
		execAll(t, db, `UPDATE idempotency_keys SET response = '`+other+`' WHERE key_hash = '`+kh+`'`)
		if c, err := db.ClaimIdempotencyKey(ctx, acme.ID, key, fp, at, time.Minute, time.Hour); err == nil {
			t.Fatalf("a moved answer opened: %+v", c)
		}
		if c, err := db.ClaimIdempotencyKey(ctx, acme.ID, key+"-other", fp, at, time.Minute, time.Hour); err != nil || c.Outcome != julo.IdemReplay {
			t.Fatalf("the other key: %+v %v", c, err)
		}
	})
}
