package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
)

// checkKeys refuses keys other than the ones the database was first used
// with: partner secrets, PINs, lookups and OTP codes stored there would
// never verify, so every request would fail (a 401 for every partner)
// instead of the process refusing to start. The first use of a key with a
// database records its check value (see keyring.Checks).
func checkKeys(ctx context.Context, db *store.DB, keys onboarding.Keys, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	var checks []store.KeyCheck
	for _, c := range keyring.Checks(keys) {
		checks = append(checks, store.KeyCheck(c))
	}
	bad, err := db.CheckKeys(ctx, checks, now())
	if err != nil {
		return fmt.Errorf("checking the server keys against the database: %w", err)
	}
	if len(bad) == 0 {
		return nil
	}
	var what []string
	for _, m := range bad {
		if len(m.Differ) > 0 {
			what = append(what, fmt.Sprintf("%s key %s differs", m.Set, strings.Join(m.Differ, ", ")))
		} else {
			what = append(what, fmt.Sprintf("%s keys: the database knows %s, this instance has none of them", m.Set, strings.Join(m.Known, ", ")))
		}
	}
	return fmt.Errorf("the server keys are not the ones this database was used with (%s): the partner secrets, PINs and codes "+
		"stored in it would not verify. Give every instance on one database the same key file with JULO_KEYS_FILE (or JULO_KEYS); "+
		"in the sandbox, point JULO_KEYS_FILE at the keys.json in the data dir of the instance that first used the database",
		strings.Join(what, "; "))
}
