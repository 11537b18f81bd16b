package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Issue 10, item 11: an application holds at most one pending BPJS task.
func TestBPJSTaskOnePendingPerApplication(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		app := applications(t, db, 1)[0]
		never := func(onboarding.BPJSTask) bool { return false }
		pending := func(t onboarding.BPJSTask) bool { return t.Status == onboarding.BPJSPending }
		task := func(token, appType, redirect string) onboarding.BPJSTask {
			return onboarding.BPJSTask{ApplicationID: app.ID, Token: token, AppType: appType, RedirectURL: redirect}
		}
		t1, reused, err := db.OpenBPJSTask(ctx, task("t1", "web", ""), at, never)
		if err != nil || reused || t1.Token != "t1" || t1.Status != onboarding.BPJSPending || !t1.CreatedAt.Equal(at) {
			t.Fatalf("first login: %+v reused %v, %v", t1, reused, err)
		}
		// Reused: the same task, now with the second call's app type and redirect.
		got, reused, err := db.OpenBPJSTask(ctx, task("t1b", "android", "https://p.example/back"), at.Add(time.Minute), pending)
		if err != nil || !reused || got.Token != "t1" || got.AppType != "android" || got.RedirectURL != "https://p.example/back" {
			t.Fatalf("second login: %+v reused %v, %v", got, reused, err)
		}
		if stored, _ := db.BPJSTask(ctx, "t1"); stored.AppType != "android" || stored.RedirectURL != "https://p.example/back" {
			t.Fatalf("stored %+v", stored)
		}
		if _, err := db.BPJSTask(ctx, "t1b"); code(err) != julo.ENOTFOUND {
			t.Fatalf("the reused call's token was recorded: %v", err)
		}
		// The database itself refuses a second pending task.
		_, err = db.w.ExecContext(ctx, `INSERT INTO bpjs_tasks (application_id, token, app_type, status, created_at, updated_at)
			VALUES ($1, 'sneaky', 'web', 'pending', 1, 1)`, app.ID)
		if key, ok := db.dialect.uniqueViolation(err); !ok || key != onboarding.UniquePendingBPJSTask {
			t.Fatalf("a second pending task: %v (%q)", err, key)
		}
		// Not reused (its hour passed): a new task; the old one is closed.
		t2, reused, err := db.OpenBPJSTask(ctx, task("t2", "web", ""), at.Add(2*time.Hour), never)
		if err != nil || reused || t2.Token != "t2" {
			t.Fatalf("login after expiry: %+v reused %v, %v", t2, reused, err)
		}
		if old, _ := db.BPJSTask(ctx, "t1"); old.Status != onboarding.BPJSExpired {
			t.Fatalf("the expired task is %q", old.Status)
		}
		// The closed task cannot become pending again beside the new one.
		err = db.SubmitBPJSTask(ctx, "t1", at.Add(2*time.Hour), func(onboarding.BPJSTask) (bool, error) { return true, nil })
		if key := conflictKey(t, err); key != string(onboarding.UniquePendingBPJSTask) {
			t.Fatalf("resubmitting the closed task: %s", key)
		}
		if n := countPending(t, db, app.ID); n != 1 {
			t.Fatalf("%d pending tasks", n)
		}
		// A task that ended (failed) is not pending: a new one may be added
		// beside it (when the caller does not reuse it).
		if err := db.FinishBPJSTask(ctx, "t2", onboarding.BPJSFailed, "wrong password", at.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, reused, err := db.OpenBPJSTask(ctx, task("t3", "web", ""), at.Add(4*time.Hour), never); err != nil || reused {
			t.Fatalf("login after a failed one: reused %v, %v", reused, err)
		}
		if old, _ := db.BPJSTask(ctx, "t2"); old.Status != onboarding.BPJSFailed {
			t.Fatalf("the failed task became %q", old.Status)
		}
	})
}

func countPending(t *testing.T, db *DB, applicationID int64) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT COUNT(*) FROM bpjs_tasks WHERE application_id = $1 AND status = 'pending'`, applicationID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Racing logins of one application (each with a token of its own, each
// reusing a pending task) make one task: every racer gets its token.
func TestBPJSTaskRacingLoginsMakeOneTask(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		app := applications(t, db, 1)[0]
		pgSlowWrites(t, db, "bpjs_tasks")
		tokens := make([]string, racers)
		errs := race(t, db, racers, func(ctx context.Context, i int) error {
			got, _, err := db.OpenBPJSTask(ctx, onboarding.BPJSTask{ApplicationID: app.ID, Token: fmt.Sprintf("racer-%d", i), AppType: "web"}, at,
				func(t onboarding.BPJSTask) bool { return t.Status == onboarding.BPJSPending })
			tokens[i] = got.Token
			return err
		})
		for i, err := range errs {
			if err != nil || tokens[i] != tokens[0] {
				t.Fatalf("racer %d: token %q (racer 0 %q), %v", i, tokens[i], tokens[0], err)
			}
		}
		var n int
		db.r.QueryRow(`SELECT COUNT(*) FROM bpjs_tasks WHERE application_id = $1`, app.ID).Scan(&n)
		if n != 1 {
			t.Fatalf("%d tasks", n)
		}
	})
}

// Migration 0007 closes the pending tasks earlier versions piled up, all
// but each application's newest, before its index forbids them.
func TestBPJSTaskMigrationKeepsTheNewestPendingTask(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		ctx := context.Background()
		apps := applications(t, db, 2)
		// Back to version 6, with the state version 6 allowed.
		execAll(t, db, `DROP INDEX bpjs_tasks_pending`, `DELETE FROM schema_migrations WHERE version = 7`)
		for i, tok := range []string{"a1", "a2", "a3", "b1"} {
			app, status := apps[0].ID, "pending"
			if tok == "b1" {
				app = apps[1].ID
			}
			if tok == "a2" {
				status = "failed"
			}
			if _, err := db.w.ExecContext(ctx, `INSERT INTO bpjs_tasks (application_id, token, app_type, status, created_at, updated_at)
				VALUES ($1, $2, 'web', $3, $4, $4)`, app, tok, status, int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		// Migration 7 alone: the later ones are applied already.
		ms, err := loadMigrations(d.dialect())
		if err != nil || ms[6].version != 7 {
			t.Fatalf("migrations %v, %v", ms, err)
		}
		execAll(t, db, ms[6].sql)
		for tok, want := range map[string]string{"a1": "expired", "a2": "failed", "a3": "pending", "b1": "pending"} {
			if got, _ := db.BPJSTask(ctx, tok); got.Status != want {
				t.Errorf("%s: %q, want %q", tok, got.Status, want)
			}
		}
	})
}
