package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// The cost of field encryption (issue 10 item 1) where it is paid: a
// registration (a customer key made and wrapped, NIK, email and position
// sealed, two blind indexes) and the read of an application with its NIK
// and email (the customer key unwrapped, two values opened). SQLite in a
// temp dir; the same benchmarks ran on the commit before encryption for the
// note's "before".
//
//	go test -run x -bench 'Register|ApplicationByXID' -benchtime 2000x ./internal/store
func BenchmarkRegister(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, "bench", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := registration(p.ID, fmt.Sprintf("3173%012d", i), fmt.Sprintf("b%d@test.com", i), int64(1000000000+i))
		if _, err := db.Register(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplicationByXID(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, "bench", onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	if err != nil {
		b.Fatal(err)
	}
	const n = 1000
	for i := 0; i < n; i++ {
		if _, err := db.Register(ctx, registration(p.ID, fmt.Sprintf("3173%012d", i), fmt.Sprintf("b%d@test.com", i), int64(1000000000+i))); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, err := db.ApplicationByXID(ctx, int64(1000000000+i%n))
		if err != nil || a.NIK == "" {
			b.Fatal(a, err)
		}
	}
}

func benchDB(b *testing.B) *DB {
	db, err := Open(context.Background(), "", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	// (The "before" run had no SetKeys: the store had no encryption.)
	if err := db.SetKeys(testKeys); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}
