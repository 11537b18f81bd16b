package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"
)

// KeyCheck is a server key's check value (see keyring.Checks): the store
// compares values, it never sees a key.
type KeyCheck struct {
	Set, ID, Value string
}

// KeyMismatch is a key set that the database knows with other keys.
type KeyMismatch struct {
	Set string
	// Differ are the key ids the database knows with another value.
	Differ []string
	// Known are the ids the database knows for the set, when none of the
	// given keys of the set is among them.
	Known []string
}

// errKeyMismatch rolls back CheckKeys' transaction on a mismatch.
var errKeyMismatch = errors.New("key mismatch")

// CheckKeys compares checks with the values recorded when each key was
// first used with this database, and records the keys it has not seen. A
// set is refused when one of its keys has another value here, or when the
// database knows keys of the set and none of the given ones. On any refusal
// nothing is recorded and the mismatches are returned. Instances starting
// together take turns (the migration lock), so two with different keys on
// a fresh database cannot both record theirs.
func (db *DB) CheckKeys(ctx context.Context, checks []KeyCheck, at time.Time) ([]KeyMismatch, error) {
	var bad []KeyMismatch
	err := db.migrationTx(ctx, func(tx *sql.Tx) error {
		known := map[string]map[string]string{} // set -> id -> value
		rows, err := tx.QueryContext(ctx, `SELECT key_set, key_id, check_value FROM key_checks`+db.dialect.forUpdate)
		if err != nil {
			return err
		}
		for rows.Next() {
			var set, id, v string
			if err := rows.Scan(&set, &id, &v); err != nil {
				rows.Close()
				return err
			}
			if known[set] == nil {
				known[set] = map[string]string{}
			}
			known[set][id] = v
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		var sets []string
		matched := map[string]bool{}
		differ := map[string][]string{}
		var fresh []KeyCheck
		for _, c := range checks {
			if !slices.Contains(sets, c.Set) {
				sets = append(sets, c.Set)
			}
			switch v, ok := known[c.Set][c.ID]; {
			case !ok:
				fresh = append(fresh, c)
			case v == c.Value:
				matched[c.Set] = true
			default:
				differ[c.Set] = append(differ[c.Set], c.ID)
			}
		}
		for _, set := range sets {
			m := KeyMismatch{Set: set, Differ: differ[set]}
			if len(known[set]) > 0 && !matched[set] && len(m.Differ) == 0 {
				for id := range known[set] {
					m.Known = append(m.Known, id)
				}
				slices.Sort(m.Known)
			}
			if len(m.Differ) > 0 || len(m.Known) > 0 {
				bad = append(bad, m)
			}
		}
		if len(bad) > 0 {
			return errKeyMismatch
		}
		for _, c := range fresh {
			if _, err := tx.ExecContext(ctx, `INSERT INTO key_checks (key_set, key_id, check_value, created_at) VALUES ($1, $2, $3, $4)`,
				c.Set, c.ID, c.Value, ms(at)); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errKeyMismatch) {
		return bad, nil
	}
	return nil, err
}
