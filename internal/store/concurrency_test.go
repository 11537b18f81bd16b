package store

// Concurrency tests: the rules that several instances of the server must
// keep together. On SQLite they hold because BEGIN IMMEDIATE lets one writer
// in at a time; on PostgreSQL (READ COMMITTED) only because a transaction
// reads the row it will update with db.dialect.forUpdate. Each race
// releases racers goroutines together and widens the window between a
// transaction's read and its write (a pause in the domain callback, or on
// PostgreSQL a trigger that pauses), so that without the row lock every
// racer reads the same state and the rule visibly breaks. Removing the
// FOR UPDATE of CreateOTP (either lock), CheckOTP, AddImage,
// AdvanceImport or FinishBPJSTask fails a race here (UpdatePreregGuard's is
// raced in store_test.go). The status machine's (moveApplication) cannot be
// seen missing, as other rules keep the submission's race: the primary key
// of application_details and AddImage's lock.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

const (
	// racers is how many goroutines race; below the PostgreSQL pool size
	// (pgMaxConns), so they all hold a connection at once.
	racers = 12
	// window is how long a racer pauses between reading and writing. With
	// the locks the racers take turns, so a race costs about racers*window.
	window = 10 * time.Millisecond
	// raceTimeout bounds a race: a lock never released fails the test.
	raceTimeout = 30 * time.Second
)

// race runs fn(ctx, i) for i in [0, n) in n goroutines released together
// and returns their errors by i. It fails the test when they have not all
// returned within raceTimeout.
func race(t *testing.T, db *DB, n int, fn func(ctx context.Context, i int) error) []error {
	t.Helper()
	warm(t, db, n)
	ctx, cancel := context.WithTimeout(context.Background(), raceTimeout)
	defer cancel()
	errs := make([]error, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = fn(ctx, i)
		}()
	}
	ready.Wait()
	close(start)
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
		return errs
	case <-ctx.Done():
	}
	cancel()
	select { // the cancelled calls return; do not leave them running
	case <-finished:
	case <-time.After(10 * time.Second):
	}
	t.Fatalf("the %d racers did not finish within %v: a lock is held forever", n, raceTimeout)
	return nil
}

// warm opens up to n connections of the write pool before a race, so that
// the racers start their transactions together rather than one by one as
// connections are dialled.
func warm(t *testing.T, db *DB, n int) {
	t.Helper()
	if m := db.w.Stats().MaxOpenConnections; m > 0 && m < n {
		n = m
	}
	var conns []*sql.Conn
	for range n {
		c, err := db.w.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

// pgSlowWrites makes every INSERT and UPDATE of table pause for window on
// PostgreSQL, where racers would otherwise pass each other too fast to
// show a missing lock. SQLite needs none: its writers run one at a time.
func pgSlowWrites(t *testing.T, db *DB, table string) {
	t.Helper()
	if db.dialect.name != "postgres" {
		return
	}
	fn := "concurrency_test_slow_" + table
	execAll(t, db, fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(%f); RETURN NEW; END $$`, fn, window.Seconds()),
		fmt.Sprintf(`CREATE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s()`, fn, table, fn))
	t.Cleanup(func() { execAll(t, db, fmt.Sprintf(`DROP TRIGGER %s ON %s`, fn, table), `DROP FUNCTION `+fn) })
}

// execAll runs the statements of a test's own schema changes.
func execAll(t *testing.T, db *DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// holdKey is the advisory lock by which the held upload (blob key "hold")
// tells the test that it has read the application's status and is about
// to insert its image.
const holdKey = 704025310 // below 2^32: pg_locks shows it as objid

// guardImagesAtStatus makes the database refuse, with an error that is not
// ECONFLICT, an image inserted while its application is not at status (as
// committed when the insert runs: a statement of a PL/pgSQL function sees
// what is committed when it starts). On PostgreSQL the upload of blob key
// "hold" also takes the advisory lock holdKey before inserting, then waits
// until the application leaves status (it read the status without locking
// the row: the guard refuses it) or another transaction waits for its
// locks (it holds the row, as it should: it goes on).
func guardImagesAtStatus(t *testing.T, db *DB, status julo.AppStatus) {
	t.Helper()
	if db.dialect.name != "postgres" {
		execAll(t, db, fmt.Sprintf(`CREATE TRIGGER concurrency_test_image_guard BEFORE INSERT ON images
		WHEN (SELECT status FROM applications WHERE id = NEW.application_id) <> %d
		BEGIN SELECT RAISE(ABORT, 'image recorded while the application was not at status %d'); END`, status, status))
		t.Cleanup(func() { execAll(t, db, `DROP TRIGGER concurrency_test_image_guard`) })
		return
	}
	execAll(t, db, fmt.Sprintf(`CREATE FUNCTION concurrency_test_image_guard() RETURNS trigger LANGUAGE plpgsql AS $$
		DECLARE s integer;
		BEGIN
			IF NEW.blob_key = 'hold' THEN
				PERFORM pg_advisory_xact_lock(%[1]d);
				FOR i IN 1..5000 LOOP
					EXIT WHEN (SELECT status FROM applications WHERE id = NEW.application_id) <> %[2]d
						OR EXISTS (SELECT 1 FROM pg_stat_activity
							WHERE datname = current_database() AND pg_backend_pid() = ANY (pg_blocking_pids(pid)));
					PERFORM pg_sleep(0.001);
				END LOOP;
			END IF;
			SELECT status INTO s FROM applications WHERE id = NEW.application_id;
			IF s <> %[2]d THEN
				RAISE EXCEPTION 'image %% recorded while the application was at status %%, not %[2]d', NEW.image_type, s;
			END IF;
			RETURN NEW;
		END $$`, holdKey, status),
		`CREATE TRIGGER concurrency_test_image_guard BEFORE INSERT ON images
		FOR EACH ROW EXECUTE FUNCTION concurrency_test_image_guard()`)
	t.Cleanup(func() {
		execAll(t, db, `DROP TRIGGER concurrency_test_image_guard ON images`, `DROP FUNCTION concurrency_test_image_guard`)
	})
}

// waitForHeldUpload returns once the held upload holds holdKey or is done
// (it lets go at once when others wait for it), and at once on SQLite,
// where the guard holds no upload.
func waitForHeldUpload(ctx context.Context, db *DB, done <-chan struct{}) error {
	for db.dialect.name == "postgres" {
		select {
		case <-done:
			return nil
		default:
		}
		var held bool
		if err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted AND d.datname = current_database())`,
			holdKey).Scan(&held); err != nil || held {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// registered numbers the partners and applications that races register,
// so that races sharing a database do not clash.
var registered atomic.Int64

// applications registers n applications (at status 100) of a new partner.
func applications(t *testing.T, db *DB, n int) []onboarding.Application {
	t.Helper()
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, fmt.Sprintf("racer%d", registered.Add(1)), onboarding.PartnerSecret{KeyID: "k1", Hash: "h"}, at)
	if err != nil {
		t.Fatal(err)
	}
	apps := make([]onboarding.Application, n)
	for i := range apps {
		k := registered.Add(1)
		r := registration(p.ID, fmt.Sprintf("3203020101%06d", k), fmt.Sprintf("c%d@test.com", k), 3000000000+k)
		if apps[i], err = db.Register(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return apps
}

func image(applicationID int64, typ, blob string) onboarding.Image {
	return onboarding.Image{PublicID: fixturePublicID(), ApplicationID: applicationID, Type: typ, BlobKey: blob, ContentType: "image/jpeg",
		Size: 1, SHA256: "sha", Width: 1, Height: 1, CreatedAt: at}
}

func otpCode(applicationID int64, phone string, sent time.Time) onboarding.OTPCode {
	return onboarding.OTPCode{ApplicationID: applicationID, Phone: phone, Hash: "hash", KeyID: "k1",
		SentAt: sent, ExpiresAt: sent.Add(5 * time.Minute)}
}

// wantOnly fails the test unless every error is nil or has code want, and
// returns how many are nil.
func wantOnly(t *testing.T, errs []error, want julo.Code) int {
	t.Helper()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case code(err) != want:
			t.Fatalf("racer %d: %v, want nil or %s", i, err, want)
		}
	}
	return ok
}

func count(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRacesKeepTheRules runs each race on one database per dialect (a
// fresh PostgreSQL database costs more than all the races together), one
// after another; each race registers applications of its own.
func TestRacesKeepTheRules(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		db := d.migrated(t)
		for _, r := range []struct {
			name string
			fn   func(*testing.T, *DB)
		}{
			{"OTPSendsKeepTheApplicationLimit", otpSendsKeepTheApplicationLimit},
			{"OTPSendsKeepThePhoneLimit", otpSendsKeepThePhoneLimit},
			{"OTPChecksCountEveryAttempt", otpChecksCountEveryAttempt},
			{"UploadsRacingTheSubmissionAreRecordedBeforeItOrRefused", uploadsRacingTheSubmissionAreRecordedBeforeItOrRefused},
			{"UploadsKeepTheImageCap", uploadsKeepTheImageCap},
			{"SubmissionsLetExactlyOneWin", submissionsLetExactlyOneWin},
			{"ImportCallbacksLetExactlyOneTransitionWin", importCallbacksLetExactlyOneTransitionWin},
			{"BPJSCallbacksLetExactlyOneOutcomeWin", bpjsCallbacksLetExactlyOneOutcomeWin},
			{"BankImportsOfOneBankLetExactlyOneIn", bankImportsOfOneBankLetExactlyOneIn},
		} {
			t.Run(r.name, func(t *testing.T) { r.fn(t, db) })
		}
	})
}

// CreateOTP holds the application: racing sends of one application (each
// to another phone, so only the application's lock is in play) see each
// other's codes, and the per-application limit lets exactly limit through.
func otpSendsKeepTheApplicationLimit(t *testing.T, db *DB) {
	app := applications(t, db, 1)[0]
	const limit = 3
	errs := race(t, db, racers, func(ctx context.Context, i int) error {
		c := otpCode(app.ID, fmt.Sprintf("08120000%04d", i), at)
		_, err := db.CreateOTP(ctx, c, at.Add(-30*time.Minute), at.Add(-24*time.Hour), func(k onboarding.OTPCounters) error {
			time.Sleep(window)
			if k.AppSends >= limit {
				return &julo.Error{Code: julo.ETOOMANY}
			}
			return nil
		})
		return err
	})
	if sent := wantOnly(t, errs, julo.ETOOMANY); sent != limit {
		t.Fatalf("%d of %d racing sends passed a limit of %d per application", sent, racers, limit)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM otp_codes WHERE application_id = $1`, app.ID); n != limit {
		t.Fatalf("%d codes stored, want %d", n, limit)
	}
}

// CreateOTP holds the phone: racing sends to one phone from as many
// applications see each other's codes, and the daily cap per phone lets
// exactly limit through.
func otpSendsKeepThePhoneLimit(t *testing.T, db *DB) {
	ctx := context.Background()
	apps := applications(t, db, racers+1)
	const phone, limit = "081234567890", 4
	phoneSince := at.Add(-24 * time.Hour)
	// The phone had a code two days ago (outside the window), so its row
	// exists before the race: what the racers contend for is the lock on
	// it, not its creation.
	old := at.Add(-48 * time.Hour)
	if _, err := db.CreateOTP(ctx, otpCode(apps[racers].ID, phone, old), old, old,
		func(onboarding.OTPCounters) error { return nil }); err != nil {
		t.Fatal(err)
	}
	errs := race(t, db, racers, func(ctx context.Context, i int) error {
		_, err := db.CreateOTP(ctx, otpCode(apps[i].ID, phone, at), at.Add(-30*time.Minute), phoneSince, func(k onboarding.OTPCounters) error {
			time.Sleep(window)
			if k.AppSends != 0 {
				return fmt.Errorf("application %d already has %d sends", apps[i].ID, k.AppSends)
			}
			if k.PhoneSends >= limit {
				return &julo.Error{Code: julo.ETOOMANY}
			}
			return nil
		})
		return err
	})
	if sent := wantOnly(t, errs, julo.ETOOMANY); sent != limit {
		t.Fatalf("%d of %d racing sends to one phone passed a limit of %d per phone", sent, racers, limit)
	}
	bidx, err := db.blindIndexes(ctx, db.w)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM otp_codes WHERE phone_bidx = $1 AND sent_at > $2`, bidx(bidxPhone, phone), ms(phoneSince)); n != limit {
		t.Fatalf("%d codes stored for the phone, want %d", n, limit)
	}
}

// CheckOTP holds the application: racing wrong tries are each counted,
// against the code and the application, none lost to another's write.
func otpChecksCountEveryAttempt(t *testing.T, db *DB) {
	ctx := context.Background()
	app := applications(t, db, 1)[0]
	id, err := db.CreateOTP(ctx, otpCode(app.ID, "081234567890", at), at.Add(-30*time.Minute), at.Add(-24*time.Hour),
		func(onboarding.OTPCounters) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	attempts := make([]int, racers) // what each racer read
	failures := make([]int, racers)
	errs := race(t, db, racers, func(ctx context.Context, i int) error {
		var bad error
		err := db.CheckOTP(ctx, app.ID, at, func(st *onboarding.OTPState, c *onboarding.OTPCode) {
			time.Sleep(window)
			if c == nil || c.ID != id {
				bad = fmt.Errorf("racer %d: open code %+v, want id %d", i, c, id)
				return
			}
			attempts[i], failures[i] = c.Attempts, st.ConsecutiveFailures
			c.Attempts++
			st.ConsecutiveFailures++
		})
		if err != nil {
			return err
		}
		return bad
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Taking turns, the racers read 0, 1, ... racers-1 in some order.
	slices.Sort(attempts)
	slices.Sort(failures)
	for i := range racers {
		if attempts[i] != i || failures[i] != i {
			t.Fatalf("racers read attempts %v and failures %v, want each of 0..%d once", attempts, failures, racers-1)
		}
	}
	var gotAttempts, gotFailures int
	if err := db.CheckOTP(ctx, app.ID, at, func(st *onboarding.OTPState, c *onboarding.OTPCode) {
		gotFailures = st.ConsecutiveFailures
		if c != nil {
			gotAttempts = c.Attempts
		}
	}); err != nil {
		t.Fatal(err)
	}
	if gotAttempts != racers || gotFailures != racers {
		t.Fatalf("after %d wrong tries: %d attempts on the code, %d consecutive failures", racers, gotAttempts, gotFailures)
	}
}

// AddImage holds the application: an upload racing the submission
// is recorded wholly before it or refused, never after the status moved.
// On PostgreSQL the submission starts once the held upload has read the
// status and is about to insert: with the lock it waits for that upload,
// without it it commits first and the guard sees the late image.
func uploadsRacingTheSubmissionAreRecordedBeforeItOrRefused(t *testing.T, db *DB) {
	ctx := context.Background()
	app := applications(t, db, 1)[0]
	guardImagesAtStatus(t, db, julo.AppFormCreated)
	uploads := min(racers, len(onboarding.ImageTypes)) // one type each: none supersedes another
	heldDone := make(chan struct{})
	errs := race(t, db, uploads+1, func(ctx context.Context, i int) error {
		if i == uploads {
			if err := waitForHeldUpload(ctx, db, heldDone); err != nil {
				return err
			}
			return db.SubmitApplication(ctx, app.ID, onboarding.Details{Fullname: "Budi"}, at, refuseSubmit)
		}
		blob := fmt.Sprintf("blob-%d", i)
		if i == 0 {
			blob = "hold"
			defer close(heldDone)
		}
		_, err := db.AddImage(ctx, image(app.ID, onboarding.ImageTypes[i], blob),
			acceptAt(julo.AppFormCreated, onboarding.DefaultMaxImagesPerApplication))
		return err
	})
	if errs[uploads] != nil {
		t.Fatalf("submission: %v", errs[uploads])
	}
	recorded := 0
	for i, err := range errs[:uploads] {
		switch {
		case err == nil:
			recorded++
		case code(err) == julo.ECONFLICT:
			if f := conflictKey(t, err); f != string(julo.ReasonStatus) {
				t.Fatalf("upload %d: conflict on %q, want status", i, f)
			}
		default:
			t.Fatalf("upload %d: %v", i, err)
		}
	}
	imgs, err := db.CurrentImages(ctx, app.ID)
	if err != nil || len(imgs) != recorded {
		t.Fatalf("%d images stored (%v), %d uploads accepted", len(imgs), err, recorded)
	}
	if a, err := db.ApplicationByXID(ctx, app.XID); err != nil || a.Status != julo.AppFormSubmitted {
		t.Fatalf("application %+v, %v", a, err)
	}
	t.Logf("%d of %d uploads came before the submission", recorded, uploads)
}

// AddImage holds the application: racing uploads see each other's
// images, and the cap on an application's images lets exactly limit in.
func uploadsKeepTheImageCap(t *testing.T, db *DB) {
	ctx := context.Background()
	app := applications(t, db, 1)[0]
	pgSlowWrites(t, db, "images")
	const limit = 3
	uploads := min(racers, len(onboarding.ImageTypes))
	errs := race(t, db, uploads, func(ctx context.Context, i int) error {
		_, err := db.AddImage(ctx, image(app.ID, onboarding.ImageTypes[i], fmt.Sprintf("blob-%d", i)),
			acceptAt(julo.AppFormCreated, limit))
		return err
	})
	if in := wantOnly(t, errs, julo.ECONFLICT); in != limit {
		t.Fatalf("%d of %d racing uploads passed a cap of %d images", in, uploads, limit)
	}
	for i, err := range errs {
		if err != nil {
			if f := conflictKey(t, err); f != string(julo.ReasonLimit) {
				t.Fatalf("upload %d: conflict on %q, want images", i, f)
			}
		}
	}
	if imgs, err := db.CurrentImages(ctx, app.ID); err != nil || len(imgs) != limit {
		t.Fatalf("%d images stored (%v), want %d", len(imgs), err, limit)
	}
}

// Racing submissions of one application: exactly one stores its data and
// moves the application, the others are ECONFLICT.
func submissionsLetExactlyOneWin(t *testing.T, db *DB) {
	app := applications(t, db, 1)[0]
	errs := race(t, db, racers, func(ctx context.Context, i int) error {
		return db.SubmitApplication(ctx, app.ID, onboarding.Details{Fullname: fmt.Sprintf("Budi %d", i)}, at, refuseSubmit)
	})
	if wins := wantOnly(t, errs, julo.ECONFLICT); wins != 1 {
		t.Fatalf("%d of %d racing submissions won", wins, racers)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM application_details WHERE application_id = $1`, app.ID); n != 1 {
		t.Fatalf("%d details rows", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM application_status_history WHERE application_id = $1 AND to_status = $2`,
		app.ID, julo.AppFormSubmitted); n != 1 {
		t.Fatalf("%d history rows to %d", n, julo.AppFormSubmitted)
	}
}

// AdvanceImport holds the import: of racing callbacks moving it out of
// initiated (half to auth_success, half to auth_failed), exactly one sees
// initiated and moves it; the others see its outcome.
func importCallbacksLetExactlyOneTransitionWin(t *testing.T, db *DB) {
	ctx := context.Background()
	app := applications(t, db, 1)[0]
	if _, err := db.CreateBankImport(ctx, onboarding.BankImport{PublicID: fixturePublicID(), ApplicationID: app.ID, Bank: "bca", Ref: "advance-1",
		Status: onboarding.ImportInitiated, CreatedAt: at}, nil); err != nil {
		t.Fatal(err)
	}
	target := func(i int) string { return []string{onboarding.ImportAuthSuccess, onboarding.ImportAuthFailed}[i%2] }
	var moved atomic.Int32
	errs := race(t, db, racers, func(ctx context.Context, i int) error {
		return db.AdvanceImport(ctx, "advance-1", at, func(imp onboarding.BankImport) (onboarding.ImportStep, error) {
			time.Sleep(window)
			switch imp.Status {
			case onboarding.ImportInitiated:
				moved.Add(1)
				return onboarding.ImportStep{Status: target(i), Message: fmt.Sprintf("racer %d", i)}, nil
			case target(i):
				return onboarding.ImportStep{Status: imp.Status, Message: imp.Message}, nil // a repeat: no change
			}
			return onboarding.ImportStep{}, &julo.Error{Code: julo.ECONFLICT}
		})
	})
	if n := moved.Load(); n != 1 {
		t.Fatalf("%d of %d racing callbacks saw the import initiated and moved it", n, racers)
	}
	var final string
	if err := db.r.QueryRow(`SELECT status FROM bank_imports WHERE ref = 'advance-1'`).Scan(&final); err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if want := target(i) == final; want != (err == nil) || err != nil && code(err) != julo.ECONFLICT {
			t.Fatalf("import ended %s; racer %d asking %s got %v", final, i, target(i), err)
		}
	}
}

// FinishBPJSTask holds the task: of racing outcomes (half success, half
// failed) exactly one is recorded; repeating it is accepted, the other
// outcome is ECONFLICT.
func bpjsCallbacksLetExactlyOneOutcomeWin(t *testing.T, db *DB) {
	ctx := context.Background()
	app := applications(t, db, 1)[0]
	if _, _, err := db.OpenBPJSTask(ctx, onboarding.BPJSTask{ApplicationID: app.ID, Token: "tok", AppType: "web"}, at, func(onboarding.BPJSTask) bool { return false }); err != nil {
		t.Fatal(err)
	}
	pgSlowWrites(t, db, "bpjs_tasks")
	outcome := func(i int) string { return []string{onboarding.BPJSSuccess, onboarding.BPJSFailed}[i%2] }
	errs := race(t, db, racers, func(ctx context.Context, i int) error {
		return db.FinishBPJSTask(ctx, "tok", outcome(i), fmt.Sprintf("racer %d", i), at)
	})
	var final string
	if err := db.r.QueryRow(`SELECT status FROM bpjs_tasks WHERE token = 'tok'`).Scan(&final); err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if want := outcome(i) == final; want != (err == nil) || err != nil && code(err) != julo.ECONFLICT {
			t.Fatalf("task ended %s; racer %d reporting %s got %v", final, i, outcome(i), err)
		}
	}
}

// CreateBankImport: of racing imports of one bank, the unique index on
// unfinished imports lets exactly one in.
func bankImportsOfOneBankLetExactlyOneIn(t *testing.T, db *DB) {
	app := applications(t, db, 1)[0]
	errs := race(t, db, racers, func(ctx context.Context, i int) error {
		_, err := db.CreateBankImport(ctx, onboarding.BankImport{PublicID: fixturePublicID(), ApplicationID: app.ID, Bank: "bri",
			Ref: fmt.Sprintf("import-%d", i), Status: onboarding.ImportInitiated, CreatedAt: at}, nil)
		return err
	})
	if in := wantOnly(t, errs, julo.ECONFLICT); in != 1 {
		t.Fatalf("%d of %d racing imports of one bank went in", in, racers)
	}
	for i, err := range errs {
		if err != nil {
			if f := conflictKey(t, err); f != string(onboarding.UniqueActiveImport) {
				t.Fatalf("racer %d: conflict on %q, want data_type", i, f)
			}
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM bank_imports WHERE application_id = $1 AND finished_at IS NULL`, app.ID); n != 1 {
		t.Fatalf("%d unfinished imports of one bank", n)
	}
}
