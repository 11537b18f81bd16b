package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/julo-partnership/julo/internal/julo"
)

// No SQL in the tree but store/status.go writes an application's status:
// the status machine is the one way to change it.
func TestOnlyStatusMachineWritesStatus(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// UPDATE applications [alias] SET ... status = (also "a.status =").
	writes := regexp.MustCompile(`(?is)UPDATE\s+(applications|loans)(\s+(AS\s+)?\w+)?\s+SET\s[^;` + "`" + `]*?\bstatus\s*=`)
	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".sql") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		rel, _ := filepath.Rel(root, path)
		if rel == filepath.Join("internal", "store", "status.go") || rel == filepath.Join("internal", "store", "status_test.go") {
			if rel == filepath.Join("internal", "store", "status.go") && !writes.Match(b) {
				t.Errorf("%s no longer writes the status: the test looks for the wrong statement", rel)
			}
			return nil
		}
		for _, m := range writes.FindAll(b, -1) {
			t.Errorf("%s writes a status outside the status machine: %q", rel, m)
		}
		return nil
	})
	if err != nil || scanned < 50 {
		t.Fatalf("scanned %d files: %v", scanned, err)
	}
}

func TestStatusMachine(t *testing.T) { eachDatabase(t, testStatusMachine) }

func testStatusMachine(t *testing.T, d testDB) {
	db := d.migrated(t)
	ctx := context.Background()
	app := applications(t, db, 1)[0]
	moveApp := func(id int64, to julo.AppStatus, refuse func(julo.AppStatus) error) (julo.Event, error) {
		var ev julo.Event
		err := db.tx(ctx, func(tx *sql.Tx) error {
			var err error
			ev, err = db.moveApplication(ctx, tx, AppMove{ApplicationID: id, To: to, At: at, Reason: "test", Refuse: refuse})
			return err
		})
		return ev, err
	}
	move := func(to julo.AppStatus, refuse func(julo.AppStatus) error) (julo.Event, error) {
		return moveApp(app.ID, to, refuse)
	}
	historyRows := func() int {
		return count(t, db, `SELECT COUNT(*) FROM application_status_history WHERE application_id = $1`, app.ID)
	}
	eventRows := func() int { return count(t, db, `SELECT COUNT(*) FROM events WHERE application_id = $1`, app.ID) }

	// Registration recorded the first move, 0 -> 100, with its event.
	evs, err := db.Events(ctx, app.ID, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].Type != julo.EventAppStatus || evs[0].From != 0 || evs[0].To != 100 ||
		evs[0].ToName != "FORM_CREATED" || evs[0].FromName != "" || evs[0].Sequence != 1 || evs[0].ApplicationXID != app.XID ||
		evs[0].PartnerID != app.PartnerID || !regexp.MustCompile(`^evt_[0-9a-f]{32}$`).MatchString(evs[0].ID) || !evs[0].OccurredAt.Equal(at) {
		t.Fatalf("registration events %+v, %v", evs, err)
	}

	// A move the table forbids is a coded conflict and writes nothing.
	for _, to := range []julo.AppStatus{julo.AppLimitReady, julo.AppFormCreated, julo.AppStatus(101)} {
		_, err := move(to, nil)
		if code(err) != julo.ECONFLICT || julo.ErrorReason(err) != julo.ReasonTransition {
			t.Fatalf("100 -> %d: %v", to, err)
		}
	}
	if h, e := historyRows(), eventRows(); h != 1 || e != 1 {
		t.Fatalf("refused moves wrote %d history rows and %d events", h-1, e-1)
	}
	// The caller's refusal is returned with the transition reason.
	sentinel := julo.Errorf(julo.ECONFLICT, "", "already_submitted")
	if _, err := move(julo.AppLimitReady, func(from julo.AppStatus) error {
		if from != julo.AppFormCreated {
			t.Errorf("refuse called with %d", from)
		}
		return sentinel
	}); julo.ErrorReason(err) != julo.ReasonTransition || err.(*julo.Error).Problems[0].Msg != "already_submitted" {
		t.Fatalf("custom refusal: %v", err)
	}

	// An allowed move writes the status, its history row and its event.
	ev, err := move(julo.AppFormSubmitted, nil)
	if err != nil || ev.From != 100 || ev.To != 105 || ev.Sequence != 2 || ev.ToName != "FORM_SUBMITTED" {
		t.Fatalf("100 -> 105: %+v, %v", ev, err)
	}
	if a, err := db.ApplicationByXID(ctx, app.XID); err != nil || a.Status != julo.AppFormSubmitted {
		t.Fatalf("status %v, %v", a.Status, err)
	}
	var from, to int
	var reason string
	if err := db.r.QueryRow(`SELECT from_status, to_status, reason FROM application_status_history
		WHERE application_id = $1 ORDER BY id DESC LIMIT 1`, app.ID).Scan(&from, &to, &reason); err != nil ||
		from != 100 || to != 105 || reason != "test" {
		t.Fatalf("history %d -> %d %q, %v", from, to, reason, err)
	}

	// A move that fails later in its transaction leaves no history and no event.
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.moveApplication(ctx, tx, AppMove{ApplicationID: app.ID, To: julo.AppManualReview, At: at}); err != nil {
			return err
		}
		return julo.Errorf(julo.EINVALID, "", "later_failure")
	})
	if code(err) != julo.EINVALID || historyRows() != 2 || eventRows() != 2 {
		t.Fatalf("rolled back move: %v, %d history rows, %d events", err, historyRows(), eventRows())
	}

	// Verification outcomes are events too, numbered after the moves.
	if err := db.tx(ctx, func(tx *sql.Tx) error {
		return db.recordVerification(ctx, tx, app.ID, "bank:bca", julo.VerificationVerified, at)
	}); err != nil {
		t.Fatal(err)
	}
	evs, err = db.Events(ctx, app.ID, 2, 10)
	if err != nil || len(evs) != 1 || evs[0].Type != julo.EventAppVerification || evs[0].Sequence != 3 ||
		evs[0].Subject != "bank:bca" || evs[0].Outcome != "verified" || evs[0].To != 105 {
		t.Fatalf("verification event %+v, %v", evs, err)
	}

	// A missing application is not found, not a conflict.
	if _, err := moveApp(999999, julo.AppFormSubmitted, nil); code(err) != julo.ENOTFOUND {
		t.Fatalf("missing application: %v", err)
	}
}

// Racing events of one application get consecutive sequence numbers: none
// twice, none skipped.
func TestEventSequencesHaveNoGapsUnderRaces(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		app := applications(t, db, 1)[0]
		errs := race(t, db, racers, func(ctx context.Context, i int) error {
			return db.tx(ctx, func(tx *sql.Tx) error {
				return db.recordVerification(ctx, tx, app.ID, "bpjs", julo.VerificationFailed, at)
			})
		})
		if ok := wantOnly(t, errs, julo.ECONFLICT); ok != racers {
			t.Fatalf("%d of %d events recorded", ok, racers)
		}
		evs, err := db.Events(context.Background(), app.ID, 0, 1000)
		if err != nil || len(evs) != racers+1 {
			t.Fatalf("%d events, %v", len(evs), err)
		}
		for i, e := range evs {
			if e.Sequence != int64(i+1) {
				t.Fatalf("event %d has sequence %d", i, e.Sequence)
			}
		}
	})
}
