package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// creditNIK is a NIK of 1 January 1992 (a man, DKI Jakarta) with the
// serial given: the last four digits, which drive the sandbox's identity
// and bureau answers (README "Sandbox test data").
func creditNIK(serial string) string { return "317305010192" + serial }

var creditPhones atomic.Int64

// creditBody is the documentation's complete-data body with the issue's
// worked example as the declared money: income 4,000,000, expenses
// 1,500,000, housing 500,000, no debt, no dependents, Pegawai swasta for 2
// years (on the test clock's 24 November 2026) -> max_limit and set_limit
// 9,000,000, grade A, no manual review.
func creditBody(t *testing.T, changes map[string]any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(docCompleteBody), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"monthly_income": 4_000_000, "monthly_expenses": 1_500_000, "monthly_housing_cost": 500_000,
		"total_current_debt": 0, "dependent": 0, "job_type": "Pegawai swasta", "job_start": "2024-11-24", "last_education": "S1"} {
		m[k] = v
	}
	for k, v := range changes {
		m[k] = v
	}
	return m
}

// submitCredit registers nik, does the prerequisites and submits body;
// the assessment's job is then queued.
func (s *testServer) submitCredit(t *testing.T, nik string, body map[string]any) string {
	t.Helper()
	n := creditPhones.Add(1)
	phone := fmt.Sprintf("0853308%05d", n)
	xid := s.readyApplication(t, nik, fmt.Sprintf("credit%d@test.com", n), phone)
	body["mobile_phone_1"] = phone
	s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: body}).expect(t, 200)
	return xid
}

// creditStatus is the status read's credit keys.
type creditStatus struct {
	Code        int    `json:"application_status_code"`
	Name        string `json:"application_status"`
	Application struct {
		XID      int64   `json:"application_xid"`
		KTP      string  `json:"ktp"`
		Status   string  `json:"application_status"`
		Fullname *string `json:"fullname"`
	} `json:"application"`
	CreditInfo             map[string]int64 `json:"credit_info"`
	IsCreditScoreGenerated bool             `json:"is_credit_score_generated"`
	CanContinue            bool             `json:"can_continue"`
	Documents              []struct {
		Kind   string `json:"DOCUMENT_TYPE"`
		Type   string `json:"document_type"`
		Status bool   `json:"document_upload_status"`
	} `json:"documents_to_be_uploaded"`
	AnyDocument bool  `json:"is_any_document_upload"`
	FlagReady   bool  `json:"is_submit_document_flag_ready"`
	Loans       []any `json:"existing_loans"`
	Decision    *struct {
		Outcome     string    `json:"outcome"`
		ReasonCodes []string  `json:"reason_codes"`
		DecidedAt   time.Time `json:"decided_at"`
	} `json:"decision"`
}

func (s *testServer) creditStatus(t *testing.T, xid string) creditStatus {
	t.Helper()
	var st creditStatus
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + xid}).expect(t, 200).decodeData(t, &st)
	return st
}

// historyReasons lists the application's status moves as "from>to:reason".
func (s *testServer) historyReasons(t *testing.T, xid string) []string {
	t.Helper()
	rows, err := s.sqlDB().Query(`SELECT COALESCE(h.from_status, 0), h.to_status, h.reason FROM application_status_history h
		JOIN applications a ON a.id = h.application_id WHERE a.xid = $1 ORDER BY h.id`, mustAtoi(xid))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var from, to int
		var reason string
		if err := rows.Scan(&from, &to, &reason); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d>%d:%s", from, to, reason))
	}
	return out
}

// One journey per magic serial of the README's table, and an ordinary NIK
// decided by the policy: the status, the partner's keys, the history's
// reason, and decision records that hold no personal data.
func TestCreditMagicSerialJourneys(t *testing.T) {
	s := startServer(t, nil)
	for _, c := range []struct {
		serial, name string
		code         int
		outcome      string
		reason       string
		retries      int // vendor retries to wait through (60 s each)
	}{
		{"0001", "LIMIT_GENERATED", 130, "approved", "limit_generated", 0},
		{"9001", "APPLICATION_FRAUD", 133, "fraud", "identity_mismatch", 0},
		{"9002", "APPLICATION_REJECTED", 135, "rejected", "bureau_delinquent", 0},
		{"9003", "APPLICATION_REJECTED", 135, "rejected", "too_many_lenders", 0},
		{"9004", "MANUAL_REVIEW", 125, "manual_review", "manual_review_required", 0},
		{"9005", "FORM_SUBMITTED", 105, "documents_requested", "documents_required", 0},
		{"9006", "MANUAL_REVIEW", 125, "manual_review", "bureau_unavailable", 2},
	} {
		t.Run(c.serial, func(t *testing.T) {
			s := s.forT(t)
			xid := s.submitCredit(t, creditNIK(c.serial), creditBody(t, nil))
			s.settle(t)
			for i := 0; i < c.retries; i++ {
				if st := s.creditStatus(t, xid); st.Code != 105 || st.Decision != nil {
					t.Fatalf("before retry %d: %+v", i+1, st)
				}
				s.Clock.Add(time.Minute)
				s.settle(t)
			}
			st := s.creditStatus(t, xid)
			if st.Code != c.code || st.Name != c.name || st.Application.Status != c.name || st.Decision == nil ||
				st.Decision.Outcome != c.outcome || !slices.Equal(st.Decision.ReasonCodes, []string{c.reason}) ||
				st.Application.KTP != creditNIK(c.serial) || st.Application.Fullname == nil || *st.Application.Fullname != "budi ismail" ||
				st.Loans == nil || len(st.Loans) != 0 {
				t.Fatalf("status %+v", st)
			}
			if !st.Decision.DecidedAt.Equal(s.Clock.Now()) {
				t.Errorf("decided at %s, the clock says %s", st.Decision.DecidedAt, s.Clock.Now())
			}
			hist := s.historyReasons(t, xid)
			if c.code != 105 && hist[len(hist)-1] != fmt.Sprintf("105>%d:%s", c.code, c.reason) {
				t.Errorf("history %v", hist)
			}
			switch c.serial {
			case "0001":
				if st.CreditInfo["max_limit"] != 9_000_000 || st.CreditInfo["set_limit"] != 9_000_000 || st.CreditInfo["available_limit"] != 0 ||
					st.CreditInfo["used_limit"] != 0 || !st.IsCreditScoreGenerated || !st.CanContinue || st.FlagReady {
					t.Fatalf("offer %+v", st)
				}
			case "9005":
				var kinds []string
				for _, d := range st.Documents {
					kinds = append(kinds, d.Kind+":"+d.Type+":"+strconv.FormatBool(d.Status))
				}
				if strings.Join(kinds, ",") != "IMAGE:paystub:false,IMAGE:bank_statement:false,BANK_SCRAPE:bank:false,BPJS:bpjs:false" ||
					!st.FlagReady || !st.CanContinue || st.AnyDocument || len(st.CreditInfo) != 0 || len(hist) != 2 {
					t.Fatalf("documents %+v, history %v", st, hist)
				}
			default:
				if len(st.CreditInfo) != 0 || st.CanContinue || st.FlagReady || len(st.Documents) != 0 {
					t.Fatalf("status %+v", st)
				}
			}
			var records, rounds int
			s.query(t, `SELECT COUNT(*) FROM credit_decisions d JOIN applications a ON a.id = d.application_id WHERE a.xid = $1`,
				[]any{mustAtoi(xid)}, &records)
			s.query(t, `SELECT COUNT(*) FROM credit_assessments c JOIN applications a ON a.id = c.application_id
				WHERE a.xid = $1 AND c.decided_at IS NOT NULL`, []any{mustAtoi(xid)}, &rounds)
			if records != 1 || rounds != 1 {
				t.Fatalf("%d decision records, %d decided rounds", records, rounds)
			}
		})
	}
	// No decision record holds the NIK, the name or the birth date, and no
	// log line the NIK or the name.
	for _, banned := range []string{"317305010192", "budi ismail", "1992-01-01"} {
		if n := s.countWhere("credit_decisions", "record LIKE '%"+banned+"%'"); n != 0 {
			t.Errorf("%d decision records hold %q", n, banned)
		}
		if strings.Contains(s.logs.String(), banned) {
			t.Errorf("the log holds %q", banned)
		}
	}
}

// The documents path: requested (serial 9005: no bureau record), refused
// while none is in, a paystub uploaded at 105, submit-document-flag moves
// 105 -> 120 and a new assessment decides with the new evidence.
func TestCreditDocumentsPathThroughSubmitDocumentFlag(t *testing.T) {
	s := startServer(t, nil)
	flag := func(xid string) response {
		return s.do(req{Method: "POST", Path: "/api/partnership/v1/submit-document-flag/" + xid})
	}
	// Before documents are requested: production's message.
	early := s.readyApplication(t, creditNIK("0002"), "early@test.com", "085330838100")
	s.unchanged(t, func() {
		expectErrors(t, flag(early).expect(t, 400), "is_submit_document_flag_ready is not active")
	})
	flag("1000000001").expect(t, 404)

	xid := s.submitCredit(t, creditNIK("9005"), creditBody(t, nil))
	s.settle(t)
	if st := s.creditStatus(t, xid); st.Code != 105 || !st.FlagReady {
		t.Fatalf("status %+v", st)
	}
	s.unchanged(t, func() { flag(xid).expect(t, 400, "belum ada dokumen") })
	// Only the documents' image types open again.
	s.uploadImage(t, xid, "ktp_self").expect(t, 409)
	s.uploadImage(t, xid, "paystub").expect(t, 200)
	st := s.creditStatus(t, xid)
	if !st.AnyDocument || len(st.Documents) != 4 || !st.Documents[0].Status || st.Documents[1].Status {
		t.Fatalf("status after the paystub %+v", st)
	}
	var out map[string]bool
	flag(xid).expect(t, 200).decodeData(t, &out)
	if !out["is_document_submitted"] || len(out) != 1 {
		t.Fatalf("answer %v", out)
	}
	flag(xid).expect(t, 400, "is_submit_document_flag_ready is not active")
	s.uploadImage(t, xid, "bank_statement").expect(t, 409)
	s.settle(t)
	st = s.creditStatus(t, xid)
	if st.Code != 130 || st.Decision.Outcome != "approved" || st.CreditInfo["set_limit"] != 9_000_000 || st.FlagReady || len(st.Documents) != 0 {
		t.Fatalf("status after the new assessment %+v", st)
	}
	hist := s.historyReasons(t, xid)
	if want := []string{"105>120:documents_submitted", "120>130:limit_generated"}; !slices.Equal(hist[len(hist)-2:], want) {
		t.Fatalf("history %v", hist)
	}
	if n := s.countWhere("credit_decisions", "round = 2 AND outcome = 'approved'"); n != 1 {
		t.Fatalf("%d approved decisions of round 2", n)
	}
}

// reviewOut is what julo application show prints.
type reviewOut struct {
	Application struct {
		XID    int64 `json:"application_xid"`
		Status int   `json:"status"`
	} `json:"application"`
	Evidence struct {
		Round    int `json:"round"`
		Declared struct {
			MonthlyIncome int64 `json:"monthly_income"`
		} `json:"declared"`
	} `json:"evidence"`
	Decisions []json.RawMessage `json:"decisions"`
}

func (s *testServer) review(t *testing.T, xid string) reviewOut {
	t.Helper()
	out, err := s.cli("application", "show", xid)
	if err != nil {
		t.Fatal(err)
	}
	var r reviewOut
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for i, d := range r.Decisions {
		var b bytes.Buffer
		if err := json.Compact(&b, d); err != nil {
			t.Fatal(err)
		}
		r.Decisions[i] = b.Bytes()
	}
	return r
}

// Manual review through the CLI: show, approve with a limit (not above the
// product maximum), reject with a reason code; nothing else is decided.
func TestCreditManualReviewThroughTheCLI(t *testing.T) {
	s := startServer(t, nil)
	near := s.submitCredit(t, creditNIK("9004"), creditBody(t, nil))
	// Income 10,000,000: affordability 3,000,000 -> simple 24,324,324 ->
	// capped 15,000,000, above the 10,000,000 review threshold.
	big := s.submitCredit(t, creditNIK("0003"), creditBody(t, map[string]any{"monthly_income": 10_000_000}))
	fine := s.submitCredit(t, creditNIK("0004"), creditBody(t, nil))
	s.settle(t)
	r := s.review(t, big)
	if r.Application.Status != 125 || r.Evidence.Round != 1 || r.Evidence.Declared.MonthlyIncome != 10_000_000 || len(r.Decisions) != 1 ||
		!strings.Contains(string(r.Decisions[0]), `"limit_above_review_threshold"`) || !strings.Contains(string(r.Decisions[0]), `"set_limit":15000000`) {
		t.Fatalf("show: %+v %s", r, r.Decisions)
	}
	decide := func(args ...string) (string, error) {
		return s.cli(append([]string{"application", "decide"}, args...)...)
	}
	for _, bad := range [][]string{
		{near, "--approve", "--reason", "ok", "--operator", "ani"},                        // no limit computed
		{near, "--approve", "--limit", "15000001", "--reason", "ok", "--operator", "ani"}, // above the product maximum
		{near, "--approve", "--limit", "5000000", "--operator", "ani"},                    // no reason
		{near, "--approve", "--reject", "--limit", "5000000", "--reason", "x", "--operator", "ani"},
		{near, "--reject", "--reason-code", "Not A Code", "--reason", "x", "--operator", "ani"},
		{fine, "--reject", "--reason-code", "low_score", "--reason", "x", "--operator", "ani"}, // at 130: not in review
	} {
		if out, err := decide(bad...); err == nil {
			t.Fatalf("decide %v: accepted: %s", bad, out)
		}
	}
	if st := s.creditStatus(t, near); st.Code != 125 {
		t.Fatalf("refused decisions changed the status: %+v", st)
	}
	if _, err := decide(near, "--approve", "--limit", "5000000", "--reason", "identity checked by phone", "--operator", "ani"); err != nil {
		t.Fatal(err)
	}
	st := s.creditStatus(t, near)
	if st.Code != 130 || st.CreditInfo["set_limit"] != 5_000_000 || st.CreditInfo["max_limit"] != 5_000_000 ||
		st.Decision.Outcome != "approved" || !slices.Equal(st.Decision.ReasonCodes, []string{"operator_approved"}) {
		t.Fatalf("after approval %+v", st)
	}
	if _, err := decide(big, "--reject", "--reason-code", "income_unverified", "--reason", "no payslip", "--operator", "ani"); err != nil {
		t.Fatal(err)
	}
	if st := s.creditStatus(t, big); st.Code != 135 || !slices.Equal(st.Decision.ReasonCodes, []string{"income_unverified"}) {
		t.Fatalf("after rejection %+v", st)
	}
	r = s.review(t, big)
	if len(r.Decisions) != 2 || !strings.Contains(string(r.Decisions[1]), `"decided_by":"operator:ani"`) ||
		!strings.Contains(string(r.Decisions[1]), `"reason":"no payslip"`) {
		t.Fatalf("records %s", r.Decisions)
	}
	if h := s.historyReasons(t, near); h[len(h)-1] != "125>130:operator_approved" {
		t.Fatalf("history %v", h)
	}
	// The records are append-only, in the database itself.
	if _, err := s.sqlDB().Exec(`UPDATE credit_decisions SET set_limit = 1`); err == nil {
		t.Fatal("a decision record was updated")
	}
	if _, err := s.sqlDB().Exec(`DELETE FROM credit_decisions`); err == nil {
		t.Fatal("a decision record was deleted")
	}
}

// The decision record of an approved application explains its limit: the
// limit is recomputed here from the record alone (its inputs and the
// factors it names), with integer arithmetic that rounds down.
func TestCreditDecisionRecordExplainsTheLimit(t *testing.T) {
	s := startServer(t, nil)
	for _, body := range []map[string]any{
		creditBody(t, nil),
		// Job factor 0.9: 3,333,333 x 0.9 = 2,999,999.7 -> 2,999,999.
		creditBody(t, map[string]any{"monthly_income": 3_333_333, "job_type": "Pengusaha"}),
		// Tenure factor 0.9 (held 8 months).
		creditBody(t, map[string]any{"monthly_income": 2_750_000, "monthly_expenses": 900_000, "monthly_housing_cost": 150_000,
			"job_type": "Pegawai negeri", "job_start": "2026-03-01"}),
	} {
		xid := s.submitCredit(t, creditNIK(fmt.Sprintf("%04d", 10+creditPhones.Load())), body)
		s.settle(t)
		r := s.review(t, xid)
		if len(r.Decisions) != 1 {
			t.Fatalf("%d records", len(r.Decisions))
		}
		var d struct {
			PolicyVersion string `json:"policy_version"`
			Outcome       string `json:"outcome"`
			Inputs        []struct{ Name, Value, Source string }
			Limit         map[string]any `json:"limit"`
			Offer         struct {
				MaxLimit int64 `json:"max_limit"`
				SetLimit int64 `json:"set_limit"`
			} `json:"offer"`
		}
		if err := json.Unmarshal(r.Decisions[0], &d); err != nil {
			t.Fatal(err)
		}
		in := map[string]int64{}
		for _, i := range d.Inputs {
			if v, err := strconv.ParseInt(i.Value, 10, 64); err == nil && i.Source == "declared" {
				in[i.Name] = v
			}
		}
		f := func(k string) int64 {
			v, ok := d.Limit[k].(float64)
			if !ok {
				t.Fatalf("the record's limit lacks %s: %s", k, r.Decisions[0])
			}
			return int64(v)
		}
		if d.PolicyVersion != "j1-2026-01" || d.Outcome != "approved" {
			t.Fatalf("record %s", r.Decisions[0])
		}
		adjIncome := in["monthly_income"] * f("tenure_factor_bps") * f("job_factor_bps") / 100_000_000
		adjExpenses := in["monthly_expenses"] + in["monthly_housing_cost"] + in["total_current_debt"] + f("cost_per_person")*(in["dependents"]+1)
		aff := min(adjIncome-adjExpenses, adjIncome*f("max_share_bps")/10_000)
		n, rate := f("tenor_months"), f("monthly_interest_bps")
		simple := aff * n * 10_000 / (10_000 + n*rate)
		down := func(v int64) int64 {
			step := int64(500_000)
			if v > 5_000_000 {
				step = 1_000_000
			}
			return min(v-v%step, f("product_max_limit"))
		}
		maxLimit, setLimit := down(simple), down(simple*f("grade_factor_bps")/10_000)
		if maxLimit != d.Offer.MaxLimit || setLimit != d.Offer.SetLimit || simple != f("simple") || aff != f("affordability") {
			t.Fatalf("recomputed max %d set %d (simple %d, affordability %d); the record offers %+v: %s",
				maxLimit, setLimit, simple, aff, d.Offer, r.Decisions[0])
		}
		if st := s.creditStatus(t, xid); st.CreditInfo["max_limit"] != maxLimit || st.CreditInfo["set_limit"] != setLimit {
			t.Fatalf("status %+v", st)
		}
	}
}

// The server refuses to start on an invalid policy, and takes a valid one
// from --credit-policy or JULO_CREDIT_POLICY; its version is recorded.
func TestCreditPolicyFile(t *testing.T) {
	dir := t.TempDir()
	bad := dir + "/bad.json"
	writeFile(t, bad, `{"version": "x"}`)
	var out, errOut strings.Builder
	err := runWith(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--credit-policy", bad},
		func(string) string { return "" }, &out, &errOut, hooks{})
	if err == nil || !strings.Contains(err.Error(), "credit policy") {
		t.Fatalf("serve with an invalid policy: %v", err)
	}
	raw, err := readEmbeddedPolicy()
	if err != nil {
		t.Fatal(err)
	}
	good := dir + "/good.json"
	raw = strings.Replace(raw, `"version": "j1-2026-01"`, `"version": "lender-2026-12"`, 1)
	writeFile(t, good, strings.Replace(raw, `"review_request_days": 14`, `"review_request_days": 3`, 1))
	s := startServer(t, nil, withEnv("JULO_CREDIT_POLICY", good))
	xid := s.submitCredit(t, creditNIK("0005"), creditBody(t, nil))
	s.settle(t)
	if n := s.countWhere("credit_decisions", "policy_version = 'lender-2026-12'"); n != 1 {
		t.Fatalf("%d decisions under the file's policy: %s", n, s.review(t, xid).Decisions)
	}
	// The file's review_request_days (3) is the review window, to the
	// minute of the rejection.
	inTime := s.submitCredit(t, creditNIK("9002"), creditBody(t, nil))
	late := s.submitCredit(t, creditNIK("9003"), creditBody(t, nil))
	s.settle(t)
	path := func(xid string) string { return "/api/partnership/v1/application/" + xid + "/review-request" }
	s.Clock.Add(3*24*time.Hour - time.Minute)
	s.do(req{Method: "POST", Path: path(inTime), Body: map[string]any{"reason": "Penghasilan saya naik"}}).expect(t, 200)
	s.Clock.Add(time.Minute)
	r := s.do(req{Method: "POST", Path: path(late), Body: map[string]any{"reason": "late"}}).expect(t, 409, "3")
	if c := errorCodes(t, r); len(c) != 1 || c[0] != "review_window_closed" {
		t.Fatalf("codes %v: %s", c, r.Raw)
	}
}

func readEmbeddedPolicy() (string, error) {
	b, err := os.ReadFile("../../internal/credit/policy_default.json")
	return string(b), err
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Two server processes on one PostgreSQL database assess each application
// exactly once: one job per submission, run by one of the two workers, one
// decision record, one move out of 105.
func TestCreditTwoInstancesAssessEachApplicationOnce(t *testing.T) {
	db := testDatabaseURL(t)
	if db == "" {
		t.Skip("needs PostgreSQL: set JULO_TEST_DATABASE_URL (CI does)")
	}
	data := t.TempDir()
	args := []string{"--data", data, "--database-url", db}
	if u := testBlobURL(t); u != "" {
		args = append(args, "--blob-url", u)
	}
	p := createPartnerIn(t, args)
	a := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	b := &testServer{t: t, URL: startProcess(t, args...), Partner: "acme", Secret: p.SecretKey, dbURL: db, Data: data, Clock: newClock(time.Now())}
	var xids []string
	for i := 0; i < 6; i++ {
		s := []*testServer{a, b}[i%2]
		xids = append(xids, s.submitCredit(t, creditNIK(fmt.Sprintf("%04d", 100+i)), creditBody(t, nil)))
	}
	waitJobs(t, a, "credit_assessment", 6, 60*time.Second)
	if n := a.countWhere("river_job", "kind = 'credit_assessment' AND state = 'completed' AND attempt = 1"); n != 6 {
		t.Fatalf("%d of 6 assessments completed at their first attempt: %s", n, a.jobDump())
	}
	for _, xid := range xids {
		var records, moves int
		a.query(t, `SELECT COUNT(*) FROM credit_decisions d JOIN applications x ON x.id = d.application_id WHERE x.xid = $1`,
			[]any{mustAtoi(xid)}, &records)
		a.query(t, `SELECT COUNT(*) FROM application_status_history h JOIN applications x ON x.id = h.application_id
			WHERE x.xid = $1 AND h.from_status = 105`, []any{mustAtoi(xid)}, &moves)
		if records != 1 || moves != 1 {
			t.Fatalf("%s: %d decision records, %d moves out of 105", xid, records, moves)
		}
		// Either instance reads the same decision.
		if st := b.creditStatus(t, xid); st.Code != 130 || st.CreditInfo["set_limit"] != 9_000_000 {
			t.Fatalf("%s: %+v", xid, st)
		}
	}
}
