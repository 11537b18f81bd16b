package store

import (
	"context"
	"testing"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// Holders names, for a NIK and an email, the customer holding each: its
// partner and its newest application's xid; nil for a free one.
func TestHoldersNameThePartnerAndApplication(t *testing.T) { eachDatabase(t, testHolders) }

func testHolders(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	acme, _ := db.CreatePartner(ctx, "acme", onboarding.PartnerSecret{KeyID: "k1", Hash: "h1"}, at)
	beta, _ := db.CreatePartner(ctx, "beta", onboarding.PartnerSecret{KeyID: "k1", Hash: "h2"}, at)
	if _, err := db.Register(ctx, registration(acme.ID, "3203020101930001", "a@test.com", 1234567890)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Register(ctx, registration(beta.ID, "3203020101930002", "b@test.com", 1234567891)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		nik, email      string
		wantNIK, wantEm *onboarding.Holder
	}{
		{"3203020101930009", "z@test.com", nil, nil},
		{"3203020101930001", "a@test.com", &onboarding.Holder{PartnerID: acme.ID, XID: 1234567890}, &onboarding.Holder{PartnerID: acme.ID, XID: 1234567890}},
		{"3203020101930001", "b@test.com", &onboarding.Holder{PartnerID: acme.ID, XID: 1234567890}, &onboarding.Holder{PartnerID: beta.ID, XID: 1234567891}},
		{"3203020101930009", "b@test.com", nil, &onboarding.Holder{PartnerID: beta.ID, XID: 1234567891}},
		{"3203020101930002", "z@test.com", &onboarding.Holder{PartnerID: beta.ID, XID: 1234567891}, nil},
	} {
		n, e, err := db.Holders(ctx, c.nik, c.email)
		if err != nil {
			t.Fatal(err)
		}
		// The holder's customer, its newest application's status and since
		// when are tested with the claims (claims_test.go).
		same := func(a, b *onboarding.Holder) bool {
			return (a == nil) == (b == nil) && (a == nil || a.PartnerID == b.PartnerID && a.XID == b.XID)
		}
		if !same(n, c.wantNIK) || !same(e, c.wantEm) {
			t.Errorf("Holders(%s, %s) = %+v, %+v; want %+v, %+v", c.nik, c.email, n, e, c.wantNIK, c.wantEm)
		}
	}
}
