package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

func TestConsoleOperatorsSessionsAuditAndRequests(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db := d.migrated(t)
		a, err := db.CreateOperator(ctx, "ana@lender.example", backoffice.RoleAdmin, "$argon2id$h", at)
		if err != nil {
			t.Fatal(err)
		}
		if !a.MustChange || a.Role != backoffice.RoleAdmin || a.TOTPSecret != nil || a.Failed != 0 || a.Disabled {
			t.Fatalf("new operator %+v", a)
		}
		if _, err := db.CreateOperator(ctx, "ana@lender.example", backoffice.RoleViewer, "x", at); !julo.IsDuplicate(err, uniqueOperatorEmail) {
			t.Fatalf("a second operator of one email: %v", err)
		}
		b, err := db.CreateOperator(ctx, "budi@lender.example", backoffice.RoleReviewer, "$argon2id$h", at)
		if err != nil {
			t.Fatal(err)
		}

		// Four failures count, the fifth locks for the lock and starts again.
		for i := 1; i <= 5; i++ {
			locked, err := db.RecordLoginFailure(ctx, a.ID, at, 5, 15*time.Minute)
			if err != nil || locked != (i == 5) {
				t.Fatalf("failure %d: locked %v, %v", i, locked, err)
			}
		}
		a, _ = db.OperatorByID(ctx, a.ID)
		if a.Failed != 0 || !a.LockedUntil.Equal(at.Add(15*time.Minute)) {
			t.Fatalf("after 5 failures: failed %d locked until %v", a.Failed, a.LockedUntil)
		}
		if err := db.RecordLoginSuccess(ctx, a.ID, at); err != nil {
			t.Fatal(err)
		}
		if a, _ = db.OperatorByID(ctx, a.ID); !a.LockedUntil.IsZero() || a.Failed != 0 {
			t.Fatalf("after a success: %+v", a)
		}

		// The TOTP secret is sealed, bound to its row, and a step is accepted once.
		secret := []byte("totp-secret-20-bytes")
		if err := db.SetOperatorTOTP(ctx, a.ID, secret, true, at); err != nil {
			t.Fatal(err)
		}
		var sealed string
		if err := db.r.QueryRow(`SELECT totp_sealed FROM operators WHERE id = $1`, a.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "d1.d1.") || strings.Contains(sealed, string(secret)) {
			t.Fatalf("stored TOTP secret %q", sealed)
		}
		if _, err := db.w.Exec(`UPDATE operators SET totp_sealed = $1 WHERE id = $2`, sealed, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OperatorByID(ctx, b.ID); err == nil {
			t.Fatal("another operator's sealed secret opened")
		}
		if _, err := db.w.Exec(`UPDATE operators SET totp_sealed = NULL WHERE id = $1`, b.ID); err != nil {
			t.Fatal(err)
		}
		if a, err = db.OperatorByID(ctx, a.ID); err != nil || string(a.TOTPSecret) != string(secret) || !a.TOTPEnabled {
			t.Fatalf("opened TOTP %q %v %v", a.TOTPSecret, a.TOTPEnabled, err)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{100, true}, {100, false}, {99, false}, {101, true}} {
			if ok, err := db.AcceptTOTPStep(ctx, a.ID, c.step); err != nil || ok != c.ok {
				t.Fatalf("step %d: %v %v, want %v", c.step, ok, err, c.ok)
			}
		}

		// Sessions are found by their id, stored only as a keyed hash.
		s := backoffice.Session{OperatorID: a.ID, Stage: backoffice.StagePassword, CSRF: "csrf-token", CreatedAt: at, LastSeen: at, ExpiresAt: at.Add(12 * time.Hour)}
		const sid = "session-id-of-the-cookie"
		if err := db.CreateSession(ctx, sid, s); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "second-session", s); err != nil {
			t.Fatal(err)
		}
		if n := d.countWhere(t, db, `operator_sessions WHERE id_hash = 'session-id-of-the-cookie'`); n != 0 {
			t.Fatal("the session id is stored as it is")
		}
		if err := db.TouchSession(ctx, sid, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.SetSessionStage(ctx, sid, backoffice.StageFull); err != nil {
			t.Fatal(err)
		}
		got, err := db.SessionByID(ctx, sid)
		if err != nil || got.Stage != backoffice.StageFull || !got.LastSeen.Equal(at.Add(time.Minute)) || got.CSRF != "csrf-token" || !got.ExpiresAt.Equal(s.ExpiresAt) {
			t.Fatalf("session %+v %v", got, err)
		}
		if _, err := db.SessionByID(ctx, "not-a-session"); julo.ErrorCode(err) != julo.ENOTFOUND {
			t.Fatalf("unknown session: %v", err)
		}
		if n, err := db.DeleteOperatorSessions(ctx, a.ID); err != nil || n != 2 {
			t.Fatalf("logout everywhere ended %d: %v", n, err)
		}
		if _, err := db.SessionByID(ctx, sid); julo.ErrorCode(err) != julo.ENOTFOUND {
			t.Fatalf("ended session: %v", err)
		}

		// The audit log appends, filters and refuses changes.
		for i, action := range []string{"login", "application.view_unmasked", "login"} {
			if err := db.AppendAudit(ctx, backoffice.AuditEntry{At: at.Add(time.Duration(i) * time.Second), OperatorID: a.ID, Action: action,
				Target: "application:1", RemoteAddr: "127.0.0.1"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.AppendAudit(ctx, backoffice.AuditEntry{At: at, Action: "login_failed"}); err != nil {
			t.Fatal(err)
		}
		logins, err := db.Audit(ctx, backoffice.AuditFilter{OperatorID: a.ID, Action: "login", Limit: 10})
		if err != nil || len(logins) != 2 || !logins[0].At.After(logins[1].At) {
			t.Fatalf("filtered audit %+v %v", logins, err)
		}
		page, err := db.Audit(ctx, backoffice.AuditFilter{BeforeID: logins[0].ID, From: at.Add(time.Second), Limit: 10})
		if err != nil || len(page) != 1 || page[0].Action != "application.view_unmasked" {
			t.Fatalf("paged audit %+v %v", page, err)
		}
		for _, q := range []string{`UPDATE console_audit SET action = 'x'`, `DELETE FROM console_audit`} {
			if _, err := db.w.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: %v", q, err)
			}
		}

		// Maker-checker: the maker never checks its own request; a request
		// is decided once.
		r, err := db.CreateRequest(ctx, backoffice.Request{Kind: backoffice.KindLimitAbove, ApplicationXID: 42, Params: `{"limit":1}`, MakerID: b.ID, CreatedAt: at})
		if err != nil || r.State != backoffice.RequestPending {
			t.Fatalf("request %+v %v", r, err)
		}
		if ok, err := db.DecideRequest(ctx, r.ID, b.ID, backoffice.RequestApproved, "", at); err != nil || ok {
			t.Fatalf("the maker checked its own request: %v %v", ok, err)
		}
		if ok, err := db.DecideRequest(ctx, r.ID, a.ID, backoffice.RequestApproved, "", at); err != nil || !ok {
			t.Fatalf("checker: %v %v", ok, err)
		}
		if ok, err := db.DecideRequest(ctx, r.ID, a.ID, backoffice.RequestRefused, "", at); err != nil || ok {
			t.Fatalf("decided twice: %v %v", ok, err)
		}
		if err := db.FinishRequest(ctx, r.ID, backoffice.RequestApproved, "approved at 130"); err != nil {
			t.Fatal(err)
		}
		if r, err = db.RequestByID(ctx, r.ID); err != nil || r.CheckerID != a.ID || r.Outcome != "approved at 130" || !r.DecidedAt.Equal(at) {
			t.Fatalf("decided request %+v %v", r, err)
		}
		if p, err := db.PendingRequests(ctx); err != nil || len(p) != 0 {
			t.Fatalf("pending %+v %v", p, err)
		}
		if err := db.SetOperatorDisabled(ctx, b.ID, true, at); err != nil {
			t.Fatal(err)
		}
		if ops, err := db.Operators(ctx); err != nil || len(ops) != 2 || ops[0].Disabled || !ops[1].Disabled {
			t.Fatalf("operators %+v %v", ops, err)
		}
	})
}

func (d testDB) countWhere(t *testing.T, db *DB, from string) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT COUNT(*) FROM ` + from).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// keys rotate-data reseals the operators' TOTP secrets with the current
// data key, so the old key can leave the key file.
func TestRewrapResealsOperatorTOTPSecrets(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db := d.migrated(t)
		op, err := db.CreateOperator(ctx, "ana@lender.example", backoffice.RoleAdmin, "h", at)
		if err != nil {
			t.Fatal(err)
		}
		secret := []byte("totp-secret-20-bytes")
		if err := db.SetOperatorTOTP(ctx, op.ID, secret, true, at); err != nil {
			t.Fatal(err)
		}
		rotated := testKeys
		rotated.Data = onboarding.KeySet{Current: "d2", Keys: map[string][]byte{
			"d1": testKeys.Data.Keys["d1"], "d2": []byte("fedcba9876543210fedcba9876543210")}}
		db2 := d.open(t)
		if err := db2.SetKeys(rotated); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db2.RewrapCustomerKeys(ctx, 10, at); err != nil {
			t.Fatal(err)
		}
		onlyNew := rotated
		onlyNew.Data = onboarding.KeySet{Current: "d2", Keys: map[string][]byte{"d2": rotated.Data.Keys["d2"]}}
		db3 := d.open(t)
		if err := db3.SetKeys(onlyNew); err != nil {
			t.Fatal(err)
		}
		got, err := db3.OperatorByID(ctx, op.ID)
		if err != nil || string(got.TOTPSecret) != string(secret) {
			t.Fatalf("after the rotation without d1: %q %v", got.TOTPSecret, err)
		}
	})
}
