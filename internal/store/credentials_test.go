package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Two instances (two handles on one database, each with its own service
// and credential cache) and each way a credential stops working, made on
// the second: the first refuses the dead credential once the check
// interval has passed since the change, the second at once, and the live
// ones keep working on both.
func TestCredentialCachesForgetAcrossInstances(t *testing.T) {
	eachDatabase(t, testCredentialCachesForgetAcrossInstances)
}

func testCredentialCachesForgetAcrossInstances(t *testing.T, d testDB) {
	ctx := context.Background()
	clock := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	keys := testKeys
	keys.Partner = onboarding.KeySet{Current: "p1", Keys: map[string][]byte{"p1": bytes.Repeat([]byte("p"), 32)}}
	instance := func(db *DB) *onboarding.Service {
		return onboarding.New(onboarding.Deps{Store: db, Keys: keys, Now: func() time.Time { return clock }})
	}
	a, b := instance(d.migrated(t)), instance(d.open(t))
	auth := func(s *onboarding.Service, secret string) error {
		_, err := s.Authenticate(ctx, "acme", secret)
		return err
	}
	first, err := a.CreatePartner(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	var previous string // the secret before first, still active after a rotation
	for _, tc := range []struct {
		name   string
		change func() (refused, working []string)
	}{
		{"rotated twice (the oldest revoked)", func() ([]string, []string) {
			s2, err1 := b.RotatePartnerSecret(ctx, "acme")
			s3, err2 := b.RotatePartnerSecret(ctx, "acme")
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			defer func() { previous, first = s2, s3 }()
			return []string{first}, []string{s2, s3}
		}},
		{"old secrets revoked", func() ([]string, []string) {
			if n, err := b.RevokeOldPartnerSecrets(ctx, "acme"); err != nil || n != 1 {
				t.Fatalf("revoked %d, %v", n, err)
			}
			defer func() { previous = "" }()
			return []string{previous}, []string{first}
		}},
		{"partner disabled", func() ([]string, []string) {
			if err := b.SetPartnerDisabled(ctx, "acme", true); err != nil {
				t.Fatal(err)
			}
			return []string{first}, nil
		}},
	} {
		// Both instances hold the live credentials in their caches.
		for _, s := range []*onboarding.Service{a, b} {
			for _, sec := range []string{first, previous} {
				if err := auth(s, sec); sec != "" && err != nil {
					t.Fatalf("%s: before: %v", tc.name, err)
				}
			}
		}
		changedAt := clock
		refused, working := tc.change()
		check := func(s *onboarding.Service, who string) {
			t.Helper()
			for _, sec := range refused {
				if err := auth(s, sec); julo.ErrorCode(err) != julo.EUNAUTHORIZED {
					t.Errorf("%s: %s at +%v accepts a dead credential: %v", tc.name, who, clock.Sub(changedAt), err)
				}
			}
			for _, sec := range working {
				if err := auth(s, sec); err != nil {
					t.Errorf("%s: %s at +%v refuses a live credential: %v", tc.name, who, clock.Sub(changedAt), err)
				}
			}
		}
		check(b, "the changing instance")
		clock = changedAt.Add(onboarding.DefaultCredentialCheck)
		check(a, "the other instance")
		check(b, "the changing instance")
	}
	// Enabled again on b: a verifies afresh (a refusal is never cached).
	if err := b.SetPartnerDisabled(ctx, "acme", false); err != nil {
		t.Fatal(err)
	}
	if err := auth(a, first); err != nil {
		t.Fatalf("enabled again: %v", err)
	}
}
