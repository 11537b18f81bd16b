package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/blob"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/worker"
)

// The personal data of a full flow, each value unique to this test, so
// that finding one anywhere is a leak.
var piiValues = map[string]string{
	"nik":            docNIK,
	"email":          "wibisono.pii@example.com",
	"phone":          "085712345678",
	"name":           "Wibisono Hadiprojo",
	"mother":         "Sumarsih Pertiwi",
	"kin":            "Bramantyo Kusumo",
	"account number": "0698812345",
	"street":         "Jalan Kenanga Nomor 17",
}

// fullPIIFlow takes a customer with piiValues to 105 and reads back what
// a partner reads.
func fullPIIFlow(t *testing.T, s *testServer) string {
	t.Helper()
	xid := s.readyApplication(t, piiValues["nik"], piiValues["email"], piiValues["phone"])
	s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: docWith(map[string]any{
		"fullname": piiValues["name"], "mother_maiden_name": piiValues["mother"], "kin_name": piiValues["kin"],
		"bank_account_number": piiValues["account number"], "address_street_num": piiValues["street"],
		"mobile_phone_1": piiValues["phone"],
	})}).expect(t, http.StatusOK)
	if st := s.status(t, xid); st["application_status"] == nil && st["status"] == nil {
		t.Fatalf("status %v", st)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/sandbox/sms?phone=" + piiValues["phone"]}).expect(t, http.StatusOK)
	return xid
}

// findPII reports each value of piiValues found in b (case-insensitive).
func findPII(t *testing.T, where string, b []byte) {
	t.Helper()
	lower := bytes.ToLower(b)
	for what, v := range piiValues {
		if bytes.Contains(lower, []byte(strings.ToLower(v))) {
			t.Errorf("the %s %q is readable in %s", what, v, where)
		}
	}
}

// Issue 10 item 1: after a full flow, no NIK, email, phone, name or account
// number is readable in the database files (SQLite's with its WAL, or a
// PostgreSQL dump), the blob store or the log. The export opens them all.
func TestDataProtectionNoPersonalDataAtRest(t *testing.T) {
	s := startServer(t, nil)
	xid := fullPIIFlow(t, s)

	// What the store holds still opens, with the keys.
	rec := customerOf(t, s, piiValues["nik"])
	if rec.Email != piiValues["email"] || len(rec.Applications) != 1 || rec.Applications[0].Details == nil {
		t.Fatalf("export %+v", rec)
	}
	d := rec.Applications[0].Details
	if d.Fullname != piiValues["name"] || d.BankAccountNumber != piiValues["account number"] || d.MotherMaidenName != piiValues["mother"] ||
		strconv.FormatInt(rec.Applications[0].XID, 10) != xid || len(rec.Applications[0].VerifiedPhones) != 1 ||
		rec.Applications[0].VerifiedPhones[0].Phone != piiValues["phone"] {
		t.Fatalf("export details %+v", rec.Applications[0])
	}
	if d.TermsVersion != onboarding.DefaultTermsVersion || rec.Applications[0].Details.ConsentedAt == nil ||
		!rec.Applications[0].Details.ConsentedAt.Equal(s.Clock.Now()) {
		t.Fatalf("consent: terms %q at %v", d.TermsVersion, rec.Applications[0].Details.ConsentedAt)
	}

	if s.dbURL == "" {
		// The server is running: its WAL holds the recent writes.
		files, _ := filepath.Glob(filepath.Join(s.Data, "julo.db*"))
		if len(files) < 2 {
			t.Fatalf("SQLite files %v: want the database and its WAL", files)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			findPII(t, filepath.Base(f), b)
		}
	} else {
		findPII(t, "a pg_dump of the database", pgDump(t, s.dbURL))
	}
	// Everything else in the data dir (keys, files) and the blob store.
	findPII(t, "the data dir", readAllFiles(t, s.Data))
	ctx := context.Background()
	st, err := blob.Open(ctx, s.blobURL, s.Data, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	keys := s.blobKeys(t)
	if len(keys) < 2 {
		t.Fatalf("%d blobs", len(keys))
	}
	for _, k := range keys {
		rc, err := st.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		findPII(t, "blob "+k, b)
	}
	findPII(t, "the server's log", []byte(s.logs.String()))
}

// pgDump is a plain-text dump of the database at url.
func pgDump(t *testing.T, url string) []byte {
	t.Helper()
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
		if len(found) == 0 {
			if os.Getenv("CI") != "" {
				t.Fatal("pg_dump not found: CI installs postgresql, which has it")
			}
			t.Skip("pg_dump not found")
		}
		bin = found[len(found)-1]
	}
	out, err := exec.Command(bin, "--no-owner", "--dbname", url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(out, []byte("customer_keys")) {
		t.Fatalf("the dump has no customer_keys table: %.500s", out)
	}
	return out
}

// Issue 10 item 4: julo customer export prints everything held; julo
// customer erase crypto-shreds it: the application is gone for the partner,
// the export finds nothing, the images' blobs are deleted, the NIK and
// email may register again (a new customer), and the audit row holds no
// personal data.
func TestDataProtectionCustomerExportAndErase(t *testing.T) {
	s := startServer(t, nil)
	xid := fullPIIFlow(t, s)
	// The assessment runs in the background (105 -> 125 for this data):
	// let it finish, or the history's length depends on the machine's speed.
	s.settle(t)
	blobsBefore := s.blobCount(t)
	out, err := s.cli("customer", "export", piiValues["nik"])
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	var rec store.CustomerRecord
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	if rec.NIK != piiValues["nik"] || rec.Email != piiValues["email"] || len(rec.Applications) != 1 ||
		rec.Applications[0].Details.Fullname != piiValues["name"] || len(rec.Applications[0].Images) != 2 ||
		len(rec.Applications[0].History) != 3 || len(rec.Applications[0].OTPSends) != 1 {
		t.Fatalf("export %s", out)
	}

	out, err = s.cli("customer", "erase", piiValues["nik"])
	if err != nil {
		t.Fatalf("erase: %v\n%s", err, out)
	}
	var e store.Erasure
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.Applications != 1 || e.Cancelled != 1 || e.Images != 2 {
		t.Fatalf("erasure %s (%v)", out, err)
	}
	s.settle(t) // the blob sweeps
	if n := s.blobCount(t); n != blobsBefore-2 {
		t.Fatalf("%d blobs after the erasure, %d before", n, blobsBefore)
	}
	// The partner no longer finds the application; the record is gone.
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + xid}).expect(t, http.StatusNotFound)
	if out, err := s.cli("customer", "export", piiValues["nik"]); err == nil {
		t.Fatalf("export after the erasure: %s", out)
	}
	if _, err := s.cli("customer", "erase", piiValues["nik"]); err == nil {
		t.Fatal("a second erasure succeeded")
	}
	// The rows stay (accounting), their key is gone, the history says why.
	var wrapped *string
	var shredded *int64
	s.query(t, `SELECT wrapped, shredded_at FROM customer_keys WHERE customer_id = $1`, []any{rec.CustomerID}, &wrapped, &shredded)
	if wrapped != nil || shredded == nil {
		t.Fatalf("customer key after the erasure: wrapped %v shredded %v", wrapped, shredded)
	}
	if n := s.countWhere("application_status_history", "to_status = 137 AND reason = 'erased'"); n != 1 {
		t.Fatalf("%d history rows of the cancellation", n)
	}
	if n := s.countWhere("applications", "status = 137"); n != 1 {
		t.Fatalf("%d cancelled applications", n)
	}
	var reason string
	s.query(t, `SELECT reason FROM customer_erasures WHERE customer_id = $1`, []any{rec.CustomerID}, &reason)
	if reason != store.ErasureRequest {
		t.Fatalf("erasure reason %q", reason)
	}
	findPII(t, "customer_erasures", []byte(s.dumpTable(t, "customer_erasures")))
	// The person may register again: a new customer.
	s.do(req{Method: "POST", Path: pathRegister, Body: regBody(piiValues["nik"], piiValues["email"])}).expect(t, http.StatusCreated)
	if again := customerOf(t, s, piiValues["nik"]); again.CustomerID == rec.CustomerID || len(again.Applications) != 1 {
		t.Fatalf("registered again: %+v", again)
	}
}

// An active credit line is an obligation: its customer is not erased.
func TestDataProtectionEraseRefusedWhileACreditLineIsActive(t *testing.T) {
	s := startServer(t, nil)
	xid := fullPIIFlow(t, s)
	db := storeOf(t, s)
	ctx := context.Background()
	x, _ := strconv.ParseInt(xid, 10, 64)
	a, err := db.ApplicationByXID(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []julo.AppStatus{julo.AppVerified, julo.AppLimitGenerated, julo.AppLimitActivation} {
		if _, err := db.MoveApplication(ctx, store.AppMove{ApplicationID: a.ID, To: to, At: s.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	before := s.rowCounts()
	out, err := s.cli("customer", "erase", piiValues["nik"])
	if err == nil || !strings.Contains(err.Error(), "obligation") {
		t.Fatalf("erase of a customer at 141: %v %s", err, out)
	}
	if after := s.rowCounts(); !equalCounts(before, after) {
		t.Fatalf("a refused erasure changed rows: %v -> %v", before, after)
	}
	customerOf(t, s, piiValues["nik"]) // still readable
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Issue 10 item 4: a customer none of whose applications reached 105 is
// erased by the periodic purge 90 days (--retention-days) after its last
// change; one that reached 105 is kept.
func TestDataProtectionRetentionPurgesApplicationsThatNeverReached105(t *testing.T) {
	s := startServer(t, nil)
	fullPIIFlow(t, s)
	idle := s.register(t, testNIK(41), "idle41@example.com")
	_ = idle
	// 14 days: the idle application expires (106); 90 days after that
	// change it is purged.
	s.Clock.Add(15 * 24 * time.Hour)
	runFormExpiry(t, s)
	runPurge := func() {
		t.Helper()
		if err := storeOf(t, s).Enqueue(context.Background(), julo.Scheduled{Job: worker.RetentionPurgeJob{}, At: s.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		s.settle(t)
	}
	s.Clock.Add(89 * 24 * time.Hour)
	runPurge()
	customerOf(t, s, testNIK(41)) // not yet
	s.Clock.Add(2 * 24 * time.Hour)
	runPurge()
	if _, err := storeOf(t, s).CustomerByNIK(context.Background(), testNIK(41)); julo.ErrorCode(err) != julo.ENOTFOUND {
		t.Fatalf("the idle customer after 90 days: %v", err)
	}
	var reason string
	s.query(t, `SELECT reason FROM customer_erasures`, nil, &reason)
	if reason != store.ErasureRetention {
		t.Fatalf("reason %q", reason)
	}
	// The submitted one stays.
	customerOf(t, s, piiValues["nik"])
}

// dumpTable is every row of table as text.
func (s *testServer) dumpTable(t *testing.T, table string) string {
	t.Helper()
	rows, err := s.sqlDB().Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			b.WriteString(cols[i] + "=" + strings.TrimSpace(strings.ReplaceAll(fmtAny(v), "\n", " ")) + " ")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fmtAny(v any) string { b, _ := json.Marshal(v); return string(b) }

// editDataKeys rewrites the data set of the server's sandbox key file.
func editDataKeys(t *testing.T, s *testServer, edit func(current *string, keys map[string]string)) {
	t.Helper()
	path := filepath.Join(s.Data, "keys.json")
	var f map[string]struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	set := f["data"]
	edit(&set.Current, set.Keys)
	f["data"] = set
	b, _ = json.Marshal(f)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Issue 10 item 1's rotation: a new current data key seals new customers at
// once; julo keys rotate-data rewraps the old customers' keys and the
// images' keys in background batches; then the old key can leave the key
// file and everything still opens.
func TestDataProtectionRotateDataKeys(t *testing.T) {
	s := startServer(t, nil)
	xid := fullPIIFlow(t, s)
	_, ktp := imgFetch(t, s, imgPath(xid)+"/"+strconv.FormatInt(s.applicationRecord(t, xid).Images[0].ID, 10))
	s.stop()
	var old string
	editDataKeys(t, s, func(cur *string, keys map[string]string) {
		old = *cur
		keys["rotated"] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // 32 bytes
		*cur = "rotated"
	})
	s2 := startServer(t, nil, withData(s.Data), withPartner(s.Partner, s.Secret))
	s2.register(t, testNIK(51), "after.rotation@example.com")
	out, err := s2.cli("keys", "rotate-data")
	if err != nil {
		t.Fatalf("rotate-data: %v %s", err, out)
	}
	var got struct {
		Current string         `json:"current_data_key"`
		Counts  map[string]int `json:"customer_keys_by_data_key"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Current != "rotated" || got.Counts[old] != 1 || got.Counts["rotated"] != 1 {
		t.Fatalf("rotate-data said %s (%v)", out, err)
	}
	s2.settle(t)
	// The credit assessment decided the application by now (its job ran
	// under the old key); the status must read the same after it leaves.
	decided := s2.status(t, xid)["application_status_code"]
	counts, err := storeOf(t, s2).CustomerKeysByDataKey(context.Background())
	if err != nil || len(counts) != 1 || counts["rotated"] != 2 {
		t.Fatalf("after the rotation: %v %v", counts, err)
	}
	s2.stop()
	editDataKeys(t, s, func(cur *string, keys map[string]string) { delete(keys, old) })
	s3 := startServer(t, nil, withData(s.Data), withPartner(s.Partner, s.Secret))
	if st := s3.status(t, xid); st["application_status_code"] != decided || decided == float64(105) {
		t.Fatalf("status after the old key left: %v", st)
	}
	resp, again := imgFetch(t, s3, imgPath(xid)+"/"+strconv.FormatInt(s3.applicationRecord(t, xid).Images[0].ID, 10))
	if resp.StatusCode != http.StatusOK || !bytes.Equal(again, ktp) {
		t.Fatalf("image after the old key left: %d, %d bytes (was %d)", resp.StatusCode, len(again), len(ktp))
	}
	if c := customerOf(t, s3, piiValues["nik"]); c.Applications[0].Details.Fullname != piiValues["name"] {
		t.Fatalf("export after the old key left: %+v", c)
	}
}
