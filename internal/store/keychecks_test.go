package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestCheckKeysRecordsFirstUseAndRefusesOthers(t *testing.T) {
	eachDatabase(t, testCheckKeysRecordsFirstUseAndRefusesOthers)
}

func testCheckKeysRecordsFirstUseAndRefusesOthers(t *testing.T, d testDB) {
	ctx := context.Background()
	db := d.migrated(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	check := func(checks ...KeyCheck) []KeyMismatch {
		t.Helper()
		bad, err := db.CheckKeys(ctx, checks, at)
		if err != nil {
			t.Fatal(err)
		}
		return bad
	}
	rows := func() int {
		var n int
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM key_checks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	k1 := KeyCheck{"partner", "k1", "aa"}
	otp := KeyCheck{"otp", "k1", "bb"}
	if bad := check(k1, otp); len(bad) != 0 || rows() != 2 {
		t.Fatalf("first use: %v, %d rows", bad, rows())
	}
	if bad := check(k1, otp); len(bad) != 0 || rows() != 2 {
		t.Fatalf("same keys again: %v, %d rows", bad, rows())
	}
	// Another value under a known id; other ids only: refused, nothing recorded.
	bad := check(KeyCheck{"partner", "k1", "cc"}, otp, KeyCheck{"lookup", "k1", "dd"})
	if len(bad) != 1 || bad[0].Set != "partner" || len(bad[0].Differ) != 1 || bad[0].Differ[0] != "k1" || rows() != 2 {
		t.Fatalf("other value: %+v, %d rows", bad, rows())
	}
	bad = check(KeyCheck{"partner", "k9", "ee"}, otp)
	if len(bad) != 1 || bad[0].Set != "partner" || len(bad[0].Known) != 1 || bad[0].Known[0] != "k1" || rows() != 2 {
		t.Fatalf("other ids: %+v, %d rows", bad, rows())
	}
	// A rotation (a new key beside a known one) and a new set: recorded.
	if bad := check(k1, KeyCheck{"partner", "k2", "ff"}, otp, KeyCheck{"lookup", "k1", "dd"}); len(bad) != 0 || rows() != 4 {
		t.Fatalf("rotation: %v, %d rows", bad, rows())
	}
	// Later the old key may go: the new one is known.
	if bad := check(KeyCheck{"partner", "k2", "ff"}, otp); len(bad) != 0 {
		t.Fatalf("old key dropped: %v", bad)
	}
}

// Two instances with different keys starting together on a fresh
// database: exactly one records its keys, the other is refused.
func TestCheckKeysOfConcurrentStartsLetsOneWin(t *testing.T) {
	eachDatabase(t, testCheckKeysOfConcurrentStartsLetsOneWin)
}

func testCheckKeysOfConcurrentStartsLetsOneWin(t *testing.T, d testDB) {
	d.migrated(t)
	for round := 0; round < 5; round++ {
		dbs := []*DB{d.open(t), d.open(t)}
		if round > 0 {
			if _, err := dbs[0].w.Exec(`DELETE FROM key_checks`); err != nil {
				t.Fatal(err)
			}
		}
		refused := make([]bool, 2)
		var wg sync.WaitGroup
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := []string{"ka", "kb"}[i]
				bad, err := db.CheckKeys(context.Background(), []KeyCheck{{"partner", id, id}}, time.Now())
				if err != nil {
					t.Error(err)
				}
				refused[i] = len(bad) > 0
			}()
		}
		wg.Wait()
		if refused[0] == refused[1] {
			t.Fatalf("round %d: refused %v, want exactly one", round, refused)
		}
	}
}
