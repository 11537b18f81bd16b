package store

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// fixturePublicIDs hands the store tests distinct public ids; the service
// draws random ones (onboarding.newPublicID), which the store only keeps.
var fixturePublicIDs atomic.Int64

func fixturePublicID() int64 { return onboarding.PublicIDMin + 1000 + fixturePublicIDs.Add(1) }

func acceptAny(julo.AppStatus, int) error { return nil }

// Issue 10, item 13: the public ids of images and imports are unique (a
// duplicate is the conflict the service retries with a fresh id), and an
// image is found by its public id only within its own application.
func TestPublicIDsAreUniqueAndScoped(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		apps := applications(t, db, 2)
		img := image(apps[0].ID, "selfie", "blob-a")
		in, err := db.AddImage(ctx, img, acceptAny)
		if err != nil {
			t.Fatal(err)
		}
		if in.PublicID != img.PublicID || in.ID == in.PublicID {
			t.Fatalf("recorded %+v", in)
		}
		dup := image(apps[1].ID, "ktp_self", "blob-b")
		dup.PublicID = img.PublicID
		if _, err := db.AddImage(ctx, dup, acceptAny); conflictKey(t, err) != string(onboarding.UniqueImageID) {
			t.Fatalf("a taken image id: %v", err)
		}
		got, err := db.Image(ctx, apps[0].ID, img.PublicID)
		if err != nil || got.ID != in.ID || got.PublicID != img.PublicID || got.BlobKey != "blob-a" {
			t.Fatalf("by public id: %+v, %v", got, err)
		}
		// Another application's image, and the internal key, are not found.
		if _, err := db.Image(ctx, apps[1].ID, img.PublicID); code(err) != julo.ENOTFOUND {
			t.Fatalf("another application's image: %v", err)
		}
		if _, err := db.Image(ctx, apps[0].ID, in.ID); code(err) != julo.ENOTFOUND {
			t.Fatalf("the internal id: %v", err)
		}
		if cur, err := db.CurrentImages(ctx, apps[0].ID); err != nil || len(cur) != 1 || cur[0].PublicID != img.PublicID {
			t.Fatalf("current images %+v, %v", cur, err)
		}

		imp := onboarding.BankImport{PublicID: fixturePublicID(), ApplicationID: apps[0].ID, Bank: "bca", Ref: "pub-1",
			Status: onboarding.ImportInitiated, CreatedAt: at}
		first, err := db.CreateBankImport(ctx, imp, nil)
		if err != nil || first.PublicID != imp.PublicID {
			t.Fatalf("import %+v, %v", first, err)
		}
		again := imp
		again.ApplicationID, again.Ref = apps[1].ID, "pub-2"
		if _, err := db.CreateBankImport(ctx, again, nil); conflictKey(t, err) != string(onboarding.UniqueImportID) {
			t.Fatalf("a taken import id: %v", err)
		}
		if active, err := db.ActiveBankImport(ctx, apps[0].ID, "bca"); err != nil || active.PublicID != imp.PublicID {
			t.Fatalf("active import %+v, %v", active, err)
		}
	})
}

// Migration 0009 gives the images and imports recorded before it random
// public ids: in range, distinct, not in the order of the rows.
func TestPublicIDMigrationBackfillsRandomIDs(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		app := applications(t, db, 1)[0]
		// Back to version 8.
		execAll(t, db, `DROP INDEX images_public_id`, `ALTER TABLE images DROP COLUMN public_id`,
			`DROP INDEX bank_imports_public_id`, `ALTER TABLE bank_imports DROP COLUMN public_id`,
			`DELETE FROM schema_migrations WHERE version = 9`)
		const n = 40
		for i := 0; i < n; i++ {
			if _, err := db.w.ExecContext(ctx, `INSERT INTO images (application_id, image_type, blob_key, content_type,
				size_bytes, sha256, width, height, created_at, superseded_at) VALUES ($1, 'selfie', $2, 'image/png', 1, 'x', 1, 1, $3, $3)`,
				app.ID, fmt.Sprint("blob-", i), int64(i)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.w.ExecContext(ctx, `INSERT INTO bank_imports (application_id, bank, ref, status, created_at, updated_at, finished_at)
				VALUES ($1, 'bca', $2, 'load_failed', $3, $3, $3)`, app.ID, fmt.Sprint("ref-", i), int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := loadMigrations(d.dialect())
		if err != nil || len(ms) < 9 || ms[8].version != 9 {
			t.Fatalf("migrations %v, %v", ms, err)
		}
		execAll(t, db, ms[8].sql)
		for _, table := range []string{"images", "bank_imports"} {
			rows, err := db.r.QueryContext(ctx, `SELECT public_id FROM `+table+` ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for rows.Next() {
				var id *int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				if id == nil {
					t.Fatalf("%s: a row without a public id", table)
				}
				ids = append(ids, *id)
			}
			rows.Close()
			if len(ids) != n {
				t.Fatalf("%s: %d rows", table, len(ids))
			}
			checkRandomIDs(t, table, ids)
		}
	})
}

// checkRandomIDs fails unless ids (in the order they were made) are in the
// public range, distinct, and neither ascending nor close together: the
// 1-in-n! chance that n random ids come out ascending is nil for n >= 20,
// as is (below 1e-7) two of 40 ids of 2^52 lying within 2^16 of each other.
func checkRandomIDs(t *testing.T, what string, ids []int64) {
	t.Helper()
	for _, id := range ids {
		if id < onboarding.PublicIDMin || id > onboarding.PublicIDMax {
			t.Fatalf("%s: id %d outside [2^52, 2^53)", what, id)
		}
	}
	if slices.IsSorted(ids) {
		t.Fatalf("%s: ids in order of the rows: %v", what, ids)
	}
	s := slices.Clone(ids)
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i]-s[i-1] < 1<<16 {
			t.Fatalf("%s: ids %d and %d close together (or equal): %v", what, s[i-1], s[i], ids)
		}
	}
}
