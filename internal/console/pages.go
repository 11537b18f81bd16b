package console

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

func asErr(err error, target **julo.Error) bool { return errors.As(err, target) }

func (s *Server) routes() {
	m := s.mux
	static, _ := fsSub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("GET /login/totp", s.session(true, s.totpPage))
	m.HandleFunc("POST /login/totp", s.session(true, s.totp))
	m.HandleFunc("GET /account/password", s.session(true, s.passwordPage))
	m.HandleFunc("POST /account/password", s.session(true, s.password))
	m.HandleFunc("GET /account/totp", s.session(true, s.enrolPage))
	m.HandleFunc("POST /account/totp", s.session(true, s.enrol))
	m.HandleFunc("POST /logout", s.session(true, s.logout))
	m.HandleFunc("POST /logout/everywhere", s.page(backoffice.RoleViewer, s.logoutEverywhere))

	m.HandleFunc("GET /{$}", s.page(backoffice.RoleViewer, s.dashboard))
	m.HandleFunc("GET /applications", s.page(backoffice.RoleViewer, s.applications))
	m.HandleFunc("POST /applications/search", s.page(backoffice.RoleViewer, s.search))
	m.HandleFunc("GET /applications/{xid}", s.page(backoffice.RoleViewer, s.application))
	m.HandleFunc("GET /applications/{xid}/images/{id}", s.page(backoffice.RoleReviewer, s.image))
	m.HandleFunc("POST /applications/{xid}/decide", s.page(backoffice.RoleReviewer, s.decide))
	m.HandleFunc("POST /applications/{xid}/export", s.page(backoffice.RoleAdmin, s.exportCustomer))
	m.HandleFunc("POST /applications/{xid}/erase", s.page(backoffice.RoleAdmin, s.eraseCustomer))
	m.HandleFunc("GET /loans", s.page(backoffice.RoleViewer, s.loans))
	m.HandleFunc("GET /loans/{xid}", s.page(backoffice.RoleViewer, s.loan))
	m.HandleFunc("GET /loans/{xid}/agreement", s.page(backoffice.RoleViewer, s.loanAgreement))
	m.HandleFunc("POST /loans/{xid}/decide", s.page(backoffice.RoleReviewer, s.loanDecide))
	m.HandleFunc("POST /loans/{xid}/disbursement", s.page(backoffice.RoleAdmin, s.loanDisbursement))
	m.HandleFunc("GET /requests", s.page(backoffice.RoleAdmin, s.requests))
	m.HandleFunc("POST /requests/{id}", s.page(backoffice.RoleAdmin, s.check))
	m.HandleFunc("GET /partners", s.page(backoffice.RoleAdmin, s.partners))
	m.HandleFunc("POST /partners", s.page(backoffice.RoleAdmin, s.partnerAction))
	m.HandleFunc("GET /partners/{name}", s.page(backoffice.RoleAdmin, s.partner))
	m.HandleFunc("POST /partners/{name}/redeliver", s.page(backoffice.RoleAdmin, s.redeliver))
	m.HandleFunc("GET /operators", s.page(backoffice.RoleAdmin, s.operators))
	m.HandleFunc("POST /operators", s.page(backoffice.RoleAdmin, s.createOperator))
	m.HandleFunc("POST /operators/{id}/disable", s.page(backoffice.RoleAdmin, s.setOperatorDisabled(true)))
	m.HandleFunc("POST /operators/{id}/enable", s.page(backoffice.RoleAdmin, s.setOperatorDisabled(false)))
	m.HandleFunc("GET /audit", s.page(backoffice.RoleAdmin, s.auditLog))
	m.HandleFunc("GET /audit.csv", s.page(backoffice.RoleAdmin, s.auditCSV))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, http.StatusNotFound, "console_not_found") })
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"status": func(v any) string {
		var st julo.AppStatus
		switch x := v.(type) {
		case int:
			st = julo.AppStatus(x)
		case julo.AppStatus:
			st = x
		case *julo.AppStatus:
			if x == nil {
				return "-"
			}
			st = *x
		}
		return strconv.Itoa(int(st)) + " " + st.Name()
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"loanStatus": loanStatusText,
	"day":        func(t time.Time) string { return t.Format("2006-01-02") },
	"rupiah":     rupiah,
	"msg":        message,
	"json": func(v any) string {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err.Error()
		}
		return string(b)
	},
	"atLeast": func(op backoffice.Operator, role string) bool { return op.Role.AtLeast(backoffice.Role(role)) },
}

// rupiah formats integer rupiah with dot thousands separators (Indonesian
// usage): no rounding, the value is whole rupiah.
func rupiah(m julo.Money) string {
	s := strconv.FormatInt(int64(m), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-Rp " + b.String()
	}
	return "Rp " + b.String()
}

// mask keeps the first keep and last tail characters of v and hides the
// rest: what a viewer sees of a NIK, a phone or an account number.
func mask(v string, keep, tail int) string {
	n := utf8.RuneCountInString(v)
	if v == "" {
		return ""
	}
	if n <= keep+tail {
		return strings.Repeat("•", n)
	}
	r := []rune(v)
	return string(r[:keep]) + strings.Repeat("•", n-keep-tail) + string(r[n-tail:])
}

// page size of the applications and loans lists.
const pageSize = 50

// reasonCodeRE is a reason code's form (the credit service's and the
// loans service's).
var reasonCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,49}$`)

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, u who) {
	ctx := r.Context()
	counts, err := s.d.Reads.ConsoleStatusCounts(ctx)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	type count struct {
		Status julo.AppStatus
		N      int
	}
	var cs []count
	for st, n := range counts {
		cs = append(cs, count{julo.AppStatus(st), n})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Status < cs[j].Status })
	now := s.d.Office.Now()
	funnel, err := s.d.Reads.ConsoleFunnel(ctx, now.AddDate(0, 0, -30))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	queue, err := s.d.Reads.ConsoleApplications(ctx, backoffice.ApplicationFilter{Status: int(julo.AppManualReview), Limit: 20})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	docs, err := s.d.Reads.ConsoleApplications(ctx, backoffice.ApplicationFilter{Status: int(julo.AppDocumentsSubmitted), Limit: 20})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	failed, err := s.d.Reads.ConsoleFailedDeliveries(ctx, 20)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	loanCounts, loans, err := s.loansAttention(ctx)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, "dashboard", map[string]any{"Counts": cs, "Funnel": funnelChart(funnel), "Queue": append(queue, docs...),
		"Failed": failed, "LoanCounts": loanCounts, "Loans": loans, "Title": "Dashboard"})
}

// bar is one bar of the funnel's SVG chart.
type bar struct {
	Name         string
	Count        int
	Y, Width, TY int
}

// funnelChart lays the funnel out as horizontal bars of a 600-wide chart,
// each as long as its share of the first step (integer pixels: a bar of
// a non-zero count is at least 1 pixel).
func funnelChart(steps []backoffice.FunnelStep) []bar {
	const full = 400
	max := 0
	for _, s := range steps {
		if s.Count > max {
			max = s.Count
		}
	}
	var out []bar
	for i, s := range steps {
		wd := 0
		if max > 0 {
			wd = s.Count * full / max
			if wd == 0 && s.Count > 0 {
				wd = 1
			}
		}
		out = append(out, bar{Name: s.Name, Count: s.Count, Y: 10 + i*34, Width: wd, TY: 10 + i*34 + 18})
	}
	return out
}

var lookupKinds = map[string]string{"nik": "nik", "email": "email", "phone": "phone"}

// search finds applications by xid, or by an exact NIK, email or phone
// through the blind indexes (only reviewers and admins may look customers
// up by their data: a viewer's search is by xid). It is a POST, so that
// the term (personal data) is in no address, log or browser history; its
// answer is the results' page itself.
func (s *Server) search(w http.ResponseWriter, r *http.Request, u who) {
	f := r.PostForm
	term, by := strings.TrimSpace(f.Get("q")), f.Get("by")
	data := map[string]any{"Title": "Applications", "Q": url.Values{}, "By": by}
	if by == "" || by == "xid" {
		xid := atoi(term)
		if xid <= 0 {
			w.WriteHeader(http.StatusBadRequest)
			data["Error"] = "console_bad_xid"
			s.render(w, r, "applications", data)
			return
		}
		http.Redirect(w, r, "/applications/"+strconv.FormatInt(xid, 10), http.StatusSeeOther)
		return
	}
	kind, ok := lookupKinds[by]
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "console_bad_search")
		return
	}
	if !u.op.Role.AtLeast(backoffice.RoleReviewer) {
		s.audit(r, u.op.ID, "forbidden", "search:"+kind, "")
		s.fail(w, r, http.StatusForbidden, "console_forbidden")
		return
	}
	if kind == "email" {
		term = strings.ToLower(term)
	}
	xids, err := s.d.Reads.ConsoleLookup(r.Context(), kind, term)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	// The search term is personal data: the log has its kind only.
	s.audit(r, u.op.ID, "search", "by:"+kind, strconv.Itoa(len(xids))+" found")
	data["Found"] = xids
	data["Searched"] = true
	s.render(w, r, "applications", data)
}

func (s *Server) applications(w http.ResponseWriter, r *http.Request, u who) {
	q := r.URL.Query()
	data := map[string]any{"Title": "Applications", "Q": q}
	// A search term in the address (an old bookmark, a hand-made link) is
	// refused, not run: the search is the form's POST.
	if q.Has("q") {
		w.WriteHeader(http.StatusBadRequest)
		data["Error"] = "console_search_post"
		data["Q"] = url.Values{}
		data["Statuses"] = allStatuses()
		s.render(w, r, "applications", data)
		return
	}
	f := backoffice.ApplicationFilter{Status: int(atoi(q.Get("status"))), Partner: strings.TrimSpace(q.Get("partner")),
		BeforeID: atoi(q.Get("before")), Limit: pageSize + 1}
	for _, d := range []struct {
		key string
		to  *time.Time
		add int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		if v := q.Get(d.key); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				data["Error"] = "console_bad_date"
				s.render(w, r, "applications", data)
				return
			}
			*d.to = t.AddDate(0, 0, d.add) // "to" includes its day
		}
	}
	rows, err := s.d.Reads.ConsoleApplications(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		data["Next"] = "/applications?" + next.Encode()
	}
	data["Rows"] = rows
	data["Statuses"] = allStatuses()
	s.render(w, r, "applications", data)
}

func allStatuses() []julo.AppStatus {
	var out []julo.AppStatus
	for st := julo.AppStatus(100); st < 200; st++ {
		if st.Name() != "" && !strings.HasPrefix(st.Name(), "UNKNOWN") {
			out = append(out, st)
		}
	}
	return out
}

// computedLimit is the set limit of the latest offer among the decisions
// (0: none), the most an operator approves without a checker.
func computedLimit(ds []credit.Decision) julo.Money {
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].Offer != nil && ds[i].DecidedBy == credit.DecidedByEngine {
			return ds[i].Offer.SetLimit
		}
	}
	return 0
}

func (s *Server) application(w http.ResponseWriter, r *http.Request, u who) {
	xid := atoi(r.PathValue("xid"))
	v, err := s.d.Reads.ConsoleApplication(r.Context(), xid)
	if julo.ErrorCode(err) == julo.ENOTFOUND || xid <= 0 {
		s.fail(w, r, http.StatusNotFound, "console_application_missing")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	unmasked := u.op.Role.AtLeast(backoffice.RoleReviewer)
	target := "application:" + strconv.FormatInt(xid, 10)
	if unmasked {
		// Written before the page: no unmasked view goes unrecorded.
		if !s.mustAudit(w, r, u.op.ID, "application.view_unmasked", target) {
			return
		}
	} else {
		v.NIK, v.Phone, v.BankAccount = mask(v.NIK, 4, 2), mask(v.Phone, 4, 2), mask(v.BankAccount, 0, 4)
		for i := range v.ReviewRequests {
			v.ReviewRequests[i].Reason = "(hidden)"
		}
		s.audit(r, u.op.ID, "application.view", target, "masked")
	}
	pending, err := s.d.Office.PendingRequests(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var mine []backoffice.Request
	for _, p := range pending {
		if p.ApplicationXID == xid {
			mine = append(mine, p)
		}
	}
	loans, err := s.d.LoanReads.ConsoleLoans(r.Context(), backoffice.LoanFilter{ApplicationXID: xid, Limit: 500})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	deliveries, err := s.d.PartnerReads.ConsoleApplicationDeliveries(r.Context(), xid, 500)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	decidable := v.Status == julo.AppManualReview || v.Status == julo.AppDocumentsSubmitted || v.Status == julo.AppRejected && hasOpenReview(v)
	s.render(w, r, "application", map[string]any{"Title": "Application " + strconv.FormatInt(xid, 10), "A": v, "Unmasked": unmasked,
		"Decidable": decidable && unmasked, "Computed": computedLimit(v.Decisions), "MaxLimit": s.d.Policy.Product.MaxLimit,
		"Review": v.Status == julo.AppRejected, "Pending": mine, "Done": r.URL.Query().Get("done"),
		"CanRequestDocuments": unmasked && (v.Status == julo.AppManualReview || v.Status == julo.AppDocumentsSubmitted),
		"CanSendBack":         unmasked && (v.Status == julo.AppDocumentsSubmitted || v.Status == julo.AppResubmission),
		"Loans":               loans, "Deliveries": deliveries})
}

func hasOpenReview(v ApplicationView) bool {
	for _, rr := range v.ReviewRequests {
		if rr.Resolution == "" {
			return true
		}
	}
	return false
}

func (s *Server) image(w http.ResponseWriter, r *http.Request, u who) {
	xid, id := atoi(r.PathValue("xid")), atoi(r.PathValue("id"))
	ct, body, err := s.d.Reads.ConsoleImage(r.Context(), xid, id)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		s.fail(w, r, http.StatusNotFound, "console_image_missing")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer body.Close()
	if !s.mustAudit(w, r, u.op.ID, "image.view", "application:"+strconv.FormatInt(xid, 10)+"/image:"+strconv.FormatInt(id, 10)) {
		return
	}
	switch ct {
	case "image/jpeg", "image/png", "image/webp":
	default:
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", "inline")
	io.Copy(w, body)
}

// decisionParams is a maker-checker request's decision.
type decisionParams struct {
	Action     string     `json:"action"`
	Limit      julo.Money `json:"limit"`
	ReasonCode string     `json:"reason_code,omitempty"`
	Reason     string     `json:"reason"`
}

// operatorName is how a decision record names a console operator: by id
// (decision records carry ids, not personal data).
func operatorName(op backoffice.Operator) string { return "console:" + strconv.FormatInt(op.ID, 10) }

func (s *Server) decide(w http.ResponseWriter, r *http.Request, u who) {
	xid := atoi(r.PathValue("xid"))
	target := "application:" + strconv.FormatInt(xid, 10)
	v, err := s.d.Reads.ConsoleApplication(r.Context(), xid)
	if julo.ErrorCode(err) == julo.ENOTFOUND || xid <= 0 {
		s.fail(w, r, http.StatusNotFound, "console_application_missing")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	f := r.PostForm
	p := decisionParams{Action: f.Get("action"), ReasonCode: strings.TrimSpace(f.Get("reason_code")), Reason: strings.TrimSpace(f.Get("reason"))}
	refuse := func(msg string) {
		s.audit(r, u.op.ID, "decide_refused", target, msg)
		s.fail(w, r, http.StatusBadRequest, msg)
	}
	if lim := strings.TrimSpace(f.Get("limit")); lim != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(lim, ".", ""), 10, 64)
		if err != nil || n <= 0 {
			refuse("console_bad_limit")
			return
		}
		p.Limit = julo.Money(n)
	}
	if p.Reason == "" || utf8.RuneCountInString(p.Reason) > 1000 {
		refuse("console_reason_required")
		return
	}
	if p.Action == "documents" || p.Action == "review" {
		s.operatorMove(w, r, u, v, p)
		return
	}
	computed := computedLimit(v.Decisions)
	var kind string
	switch {
	case p.Action == "approve" && v.Status == julo.AppRejected:
		if p.Limit == 0 {
			refuse("console_bad_limit")
			return
		}
		kind = backoffice.KindOverturn
	case p.Action == "approve" && (p.Limit > computed && computed > 0 || computed == 0 && p.Limit > 0):
		kind = backoffice.KindLimitAbove
	case p.Action == "approve", p.Action == "reject":
	default:
		refuse("console_bad_action")
		return
	}
	if kind != "" {
		b, _ := json.Marshal(p)
		req, err := s.d.Office.Propose(r.Context(), u.op, kind, xid, string(b))
		if err != nil {
			s.internal(w, r, err)
			return
		}
		s.audit(r, u.op.ID, "request_created", target, kind+" request:"+strconv.FormatInt(req.ID, 10))
		http.Redirect(w, r, "/applications/"+strconv.FormatInt(xid, 10)+"?done=requested", http.StatusSeeOther)
		return
	}
	d, err := s.carry(r, v.Status, xid, p, operatorName(u.op))
	if err != nil {
		s.audit(r, u.op.ID, "decide_refused", target, err.Error())
		w.WriteHeader(http.StatusConflict)
		s.render(w, r, "error", map[string]any{"Status": http.StatusConflict, "Message": "console_decision_refused", "Detail": err.Error()})
		return
	}
	s.audit(r, u.op.ID, "decide", target, string(d.Outcome)+" to "+strconv.Itoa(int(d.ToStatus)))
	http.Redirect(w, r, "/applications/"+strconv.FormatInt(xid, 10)+"?done=decided", http.StatusSeeOther)
}

// operatorMove requests documents (125 or 120 -> 131) or sends the
// application back to review (120 or 131 -> 125) through the credit
// service (the status machine, with its history and event); no checker:
// neither grants nor refuses credit.
func (s *Server) operatorMove(w http.ResponseWriter, r *http.Request, u who, v ApplicationView, p decisionParams) {
	target := "application:" + strconv.FormatInt(v.XID, 10)
	n := credit.OperatorNote{Reason: p.Reason, Operator: operatorName(u.op)}
	var d credit.Decision
	var err error
	switch {
	case p.Action == "documents" && (v.Status == julo.AppManualReview || v.Status == julo.AppDocumentsSubmitted):
		d, err = s.d.Moves.RequestDocuments(r.Context(), v.XID, n)
	case p.Action == "review" && (v.Status == julo.AppDocumentsSubmitted || v.Status == julo.AppResubmission):
		d, err = s.d.Moves.SendBackToReview(r.Context(), v.XID, n)
	default:
		s.audit(r, u.op.ID, "decide_refused", target, "console_not_decidable")
		s.fail(w, r, http.StatusConflict, "console_not_decidable")
		return
	}
	if err != nil {
		s.audit(r, u.op.ID, "decide_refused", target, err.Error())
		w.WriteHeader(http.StatusConflict)
		s.render(w, r, "error", map[string]any{"Status": http.StatusConflict, "Message": "console_decision_refused", "Detail": err.Error()})
		return
	}
	action := "decide_documents"
	if p.Action == "review" {
		action = "decide_review"
	}
	s.audit(r, u.op.ID, action, target, string(d.Outcome)+" to "+strconv.Itoa(int(d.ToStatus)))
	http.Redirect(w, r, "/applications/"+strconv.FormatInt(v.XID, 10)+"?done=decided", http.StatusSeeOther)
}

// carry runs a decision through the credit service: at 135 on the
// customer's review request, else the operator's decision of 125 or 120.
func (s *Server) carry(r *http.Request, status julo.AppStatus, xid int64, p decisionParams, name string) (credit.Decision, error) {
	if status == julo.AppRejected {
		return s.d.Reviewer.DecideReview(r.Context(), xid, credit.ReviewDecision{Overturn: p.Action == "approve", Limit: p.Limit,
			Reason: p.Reason, Operator: name})
	}
	return s.d.Decider.Decide(r.Context(), xid, credit.OperatorDecision{Approve: p.Action == "approve", Limit: p.Limit,
		ReasonCode: p.ReasonCode, Reason: p.Reason, Operator: name})
}

func (s *Server) requests(w http.ResponseWriter, r *http.Request, u who) {
	rs, err := s.d.Office.PendingRequests(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	type view struct {
		backoffice.Request
		P   decisionParams
		Own bool
	}
	var out []view
	for _, x := range rs {
		var p decisionParams
		_ = json.Unmarshal([]byte(x.Params), &p)
		out = append(out, view{x, p, x.MakerID == u.op.ID})
	}
	s.render(w, r, "requests", map[string]any{"Title": "Approvals", "Requests": out, "Done": r.URL.Query().Get("done")})
}

func (s *Server) check(w http.ResponseWriter, r *http.Request, u who) {
	id := atoi(r.PathValue("id"))
	approve := r.PostForm.Get("verdict") == "approve"
	if !approve && r.PostForm.Get("verdict") != "refuse" {
		s.fail(w, r, http.StatusBadRequest, "console_bad_action")
		return
	}
	req, err := s.d.Office.Check(r.Context(), u.op, id, approve, func(req backoffice.Request) (string, error) {
		var p decisionParams
		if err := json.Unmarshal([]byte(req.Params), &p); err != nil {
			return "", err
		}
		v, err := s.d.Reads.ConsoleApplication(r.Context(), req.ApplicationXID)
		if err != nil {
			return "", err
		}
		d, err := s.carry(r, v.Status, req.ApplicationXID, p, "console:"+strconv.FormatInt(req.MakerID, 10)+" checked by "+operatorName(u.op))
		if err != nil {
			return "", err
		}
		return string(d.Outcome) + " to " + strconv.Itoa(int(d.ToStatus)), nil
	})
	target := "request:" + strconv.FormatInt(id, 10)
	if err != nil {
		if msg := backoffice.Message(err); msg != "" {
			s.audit(r, u.op.ID, "check_refused", target, msg)
			status := http.StatusConflict
			if julo.ErrorCode(err) == julo.EFORBIDDEN {
				status = http.StatusForbidden
			}
			s.fail(w, r, status, msg)
			return
		}
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			s.fail(w, r, http.StatusNotFound, "console_not_found")
			return
		}
		if req.State == backoffice.RequestFailed {
			s.audit(r, u.op.ID, "check_failed", target, "application:"+strconv.FormatInt(req.ApplicationXID, 10))
			w.WriteHeader(http.StatusConflict)
			s.render(w, r, "error", map[string]any{"Status": http.StatusConflict, "Message": "console_decision_refused", "Detail": err.Error()})
			return
		}
		s.internal(w, r, err)
		return
	}
	s.audit(r, u.op.ID, "check_"+req.State, target, "application:"+strconv.FormatInt(req.ApplicationXID, 10))
	http.Redirect(w, r, "/requests?done="+req.State, http.StatusSeeOther)
}

func (s *Server) operators(w http.ResponseWriter, r *http.Request, u who) {
	ops, err := s.d.Office.Operators(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, "operators", map[string]any{"Title": "Operators", "Operators": ops})
}

func (s *Server) createOperator(w http.ResponseWriter, r *http.Request, u who) {
	op, pw, err := s.d.Office.CreateOperator(r.Context(), r.PostForm.Get("email"), backoffice.Role(r.PostForm.Get("role")))
	if err != nil {
		if msg := backoffice.Message(err); msg != "" {
			s.fail(w, r, http.StatusBadRequest, msg)
			return
		}
		s.internal(w, r, err)
		return
	}
	s.audit(r, u.op.ID, "operator_created", "operator:"+strconv.FormatInt(op.ID, 10), string(op.Role))
	ops, err := s.d.Office.Operators(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, "operators", map[string]any{"Title": "Operators", "Operators": ops, "Created": op, "Password": pw})
}

func (s *Server) setOperatorDisabled(disabled bool) func(http.ResponseWriter, *http.Request, who) {
	return func(w http.ResponseWriter, r *http.Request, u who) {
		target, err := s.d.Office.OperatorByID(r.Context(), atoi(r.PathValue("id")))
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			s.fail(w, r, http.StatusNotFound, backoffice.MsgOperatorMissing)
			return
		}
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if target.ID == u.op.ID {
			s.fail(w, r, http.StatusBadRequest, "console_own_account")
			return
		}
		if _, err := s.d.Office.SetDisabled(r.Context(), target.Email, disabled); err != nil {
			s.internal(w, r, err)
			return
		}
		action := "operator_enabled"
		if disabled {
			action = "operator_disabled"
		}
		s.audit(r, u.op.ID, action, "operator:"+strconv.FormatInt(target.ID, 10), "")
		http.Redirect(w, r, "/operators", http.StatusSeeOther)
	}
}

func (s *Server) auditFilter(r *http.Request) (backoffice.AuditFilter, error) {
	q := r.URL.Query()
	f := backoffice.AuditFilter{OperatorID: atoi(q.Get("operator")), Action: strings.TrimSpace(q.Get("action")), BeforeID: atoi(q.Get("before")), Limit: 100}
	for _, d := range []struct {
		key string
		to  *time.Time
		add int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		if v := q.Get(d.key); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, err
			}
			*d.to = t.AddDate(0, 0, d.add)
		}
	}
	return f, nil
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, u who) {
	f, err := s.auditFilter(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "console_bad_date")
		return
	}
	es, err := s.d.Office.AuditLog(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	data := map[string]any{"Title": "Audit log", "Entries": es, "Q": r.URL.Query(), "CSV": "/audit.csv?" + r.URL.RawQuery}
	if len(es) == f.Limit {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(es[len(es)-1].ID, 10))
		data["Next"] = "/audit?" + next.Encode()
	}
	s.render(w, r, "audit", data)
}

// auditCSV exports the filtered audit log (every page of it) as CSV.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request, u who) {
	f, err := s.auditFilter(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "console_bad_date")
		return
	}
	s.audit(r, u.op.ID, "audit_exported", "", "")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="console-audit.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "operator_id", "action", "target", "detail", "remote_addr"})
	f.Limit = 1000
	for {
		es, err := s.d.Office.AuditLog(r.Context(), f)
		if err != nil {
			s.log.Error("console audit export", "error", err.Error())
			return
		}
		for _, e := range es {
			cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), strconv.FormatInt(e.OperatorID, 10),
				csvSafe(e.Action), csvSafe(e.Target), csvSafe(e.Detail), csvSafe(e.RemoteAddr)})
		}
		if len(es) < f.Limit {
			break
		}
		f.BeforeID = es[len(es)-1].ID
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (OWASP CSV
// injection): a leading =, +, -, @, tab or CR gets a quote before it.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// exportCustomer sends everything held about the application's customer
// as a JSON download (admins only; audited before the data leaves).
func (s *Server) exportCustomer(w http.ResponseWriter, r *http.Request, u who) {
	xid := atoi(r.PathValue("xid"))
	target := "application:" + strconv.FormatInt(xid, 10)
	b, err := s.d.Rights.ExportCustomer(r.Context(), xid)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		s.fail(w, r, http.StatusNotFound, "console_customer_missing")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !s.mustAudit(w, r, u.op.ID, "customer.export", target) {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="customer-of-application-`+strconv.FormatInt(xid, 10)+`.json"`)
	w.Write(b)
}

// eraseCustomer erases the application's customer's personal data
// (admins only, with the word ERASE typed as confirmation; audited).
func (s *Server) eraseCustomer(w http.ResponseWriter, r *http.Request, u who) {
	xid := atoi(r.PathValue("xid"))
	target := "application:" + strconv.FormatInt(xid, 10)
	if r.PostForm.Get("confirm") != "ERASE" {
		s.fail(w, r, http.StatusBadRequest, "console_erase_confirm")
		return
	}
	id, err := s.d.Rights.EraseCustomer(r.Context(), xid)
	if err != nil {
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			s.fail(w, r, http.StatusNotFound, "console_customer_missing")
			return
		}
		if msg := backoffice.Message(err); msg != "" {
			s.audit(r, u.op.ID, "customer.erase_refused", target, msg)
			s.fail(w, r, http.StatusConflict, msg)
			return
		}
		s.internal(w, r, err)
		return
	}
	s.audit(r, u.op.ID, "customer.erase", target, "erasure:"+strconv.FormatInt(id, 10))
	http.Redirect(w, r, "/applications/"+strconv.FormatInt(xid, 10)+"?done=erased", http.StatusSeeOther)
}

func (s *Server) partnersPage(w http.ResponseWriter, r *http.Request, data map[string]any) {
	ps, err := s.d.Partners.ListPartners(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	data["Title"], data["Partners"] = "Partners", ps
	s.render(w, r, "partners", data)
}

func (s *Server) partners(w http.ResponseWriter, r *http.Request, u who) {
	s.partnersPage(w, r, map[string]any{})
}

// partnerAction creates a partner, disables or enables one, or rotates its
// secret (admins only, audited); a new secret is shown on this answer only.
func (s *Server) partnerAction(w http.ResponseWriter, r *http.Request, u who) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	action := r.PostForm.Get("action")
	var secret string
	var err error
	switch action {
	case "create":
		secret, err = s.d.Partners.CreatePartner(r.Context(), name)
	case "disable", "enable":
		err = s.d.Partners.SetPartnerDisabled(r.Context(), name, action == "disable")
	case "rotate":
		secret, err = s.d.Partners.RotatePartnerSecret(r.Context(), name)
	default:
		s.fail(w, r, http.StatusBadRequest, "console_bad_action")
		return
	}
	target := "partner:" + name
	if err != nil {
		if msg := backoffice.Message(err); msg != "" {
			s.audit(r, u.op.ID, "partner_"+action+"_refused", target, msg)
			status := http.StatusBadRequest
			switch julo.ErrorCode(err) {
			case julo.ENOTFOUND:
				status = http.StatusNotFound
			case julo.ECONFLICT:
				status = http.StatusConflict
			}
			w.WriteHeader(status)
			s.partnersPage(w, r, map[string]any{"Error": msg})
			return
		}
		s.internal(w, r, err)
		return
	}
	s.audit(r, u.op.ID, "partner_"+action, target, "")
	s.partnersPage(w, r, map[string]any{"Done": action, "Name": name, "Secret": secret})
}
