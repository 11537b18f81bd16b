package console

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// LoanReads is what the loans' pages read from the store.
type LoanReads interface {
	ConsoleLoans(ctx context.Context, f backoffice.LoanFilter) ([]backoffice.LoanRow, error)
	ConsoleLoanStatusCounts(ctx context.Context) (map[int]int, error)
	ConsoleLoanHistory(ctx context.Context, loanXID int64) ([]backoffice.LoanHistoryItem, error)
	// LoanByXID is the loan with its schedule and its destination opened
	// (the console masks it for viewers); ENOTFOUND.
	LoanByXID(ctx context.Context, xid int64) (lending.Loan, error)
	// LoanSettings are the partner's loan settings (whether its signed
	// loans wait for an operator).
	LoanSettings(ctx context.Context, partnerID int64) (lending.PartnerSettings, error)
	// LoanState is a disbursed loan (220-237, 250) with its installments'
	// charged and paid parts; ENOTFOUND for one not disbursed.
	LoanState(ctx context.Context, loanID int64) (lending.LoanState, error)
	// ConsoleLoanPayments lists the payments allocated to the loan.
	ConsoleLoanPayments(ctx context.Context, loanXID int64) ([]backoffice.LoanPayment, error)
}

// Lender is the loans service's operator operations (as `julo loan`
// does them) and the agreement as the customer saw it.
type Lender interface {
	// Decide approves (queueing the disbursement) or rejects (219) a loan
	// held at 211 for an operator.
	Decide(ctx context.Context, loanXID int64, approve bool) (lending.Loan, error)
	// RetryDisbursement queues a stuck loan's disbursement again (212).
	RetryDisbursement(ctx context.Context, loanXID int64) (lending.Loan, error)
	// FailDisbursement records that a loan's transfer did not happen (212
	// -> 218, the amount back to the limit).
	FailDisbursement(ctx context.Context, loanXID int64, reason string) (lending.Loan, error)
	// Agreement is the loan agreement's content, of partner p's loan.
	Agreement(ctx context.Context, p julo.Partner, xid string) (lending.Agreement, error)
}

// attentionStatuses are the loans the dashboard lists: waiting for an
// operator or being disbursed (211, 212), or late (230-237).
var attentionStatuses = []int{int(julo.LoanWaitingApproval), int(julo.LoanDisbursing), int(julo.Loan1DPD), int(julo.Loan5DPD),
	int(julo.Loan30DPD), int(julo.Loan60DPD), int(julo.Loan90DPD), int(julo.Loan120DPD), int(julo.Loan150DPD), int(julo.Loan180DPD)}

func allLoanStatuses() []julo.LoanStatus {
	var out []julo.LoanStatus
	for st := julo.LoanStatus(200); st < 300; st++ {
		if st.Known() {
			out = append(out, st)
		}
	}
	return out
}

func loanStatusText(v any) string {
	var st julo.LoanStatus
	switch x := v.(type) {
	case int:
		st = julo.LoanStatus(x)
	case julo.LoanStatus:
		st = x
	case *julo.LoanStatus:
		if x == nil {
			return "-"
		}
		st = *x
	}
	return strconv.Itoa(int(st)) + " " + st.Name()
}

// loanCount is one line of the dashboard's loan counts.
type loanCount struct {
	Status julo.LoanStatus
	N      int
}

// loansAttention is the dashboard's loans part: the counts of the
// statuses that need an eye, and the newest of those loans.
func (s *Server) loansAttention(ctx context.Context) ([]loanCount, []backoffice.LoanRow, error) {
	counts, err := s.d.LoanReads.ConsoleLoanStatusCounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	var cs []loanCount
	for _, st := range attentionStatuses {
		if n := counts[st]; n > 0 {
			cs = append(cs, loanCount{julo.LoanStatus(st), n})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Status < cs[j].Status })
	rows, err := s.d.LoanReads.ConsoleLoans(ctx, backoffice.LoanFilter{Statuses: attentionStatuses, Limit: 20})
	return cs, rows, err
}

func (s *Server) loans(w http.ResponseWriter, r *http.Request, u who) {
	q := r.URL.Query()
	data := map[string]any{"Title": "Loans", "Q": q, "Statuses": allLoanStatuses()}
	f := backoffice.LoanFilter{Status: int(atoi(q.Get("status"))), Partner: strings.TrimSpace(q.Get("partner")),
		ApplicationXID: atoi(q.Get("application")), BeforeID: atoi(q.Get("before")), Limit: pageSize + 1}
	rows, err := s.d.LoanReads.ConsoleLoans(r.Context(), f)
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
		data["Next"] = "/loans?" + next.Encode()
	}
	data["Rows"] = rows
	s.render(w, r, "loans", data)
}

// loanPage reads the loan of the path's xid, or answers 404.
func (s *Server) loanPage(w http.ResponseWriter, r *http.Request) (lending.Loan, bool) {
	xid := atoi(r.PathValue("xid"))
	l, err := s.d.LoanReads.LoanByXID(r.Context(), xid)
	if julo.ErrorCode(err) == julo.ENOTFOUND || err == nil && xid <= 0 {
		s.fail(w, r, http.StatusNotFound, "console_loan_missing")
		return l, false
	}
	if err != nil {
		s.internal(w, r, err)
		return l, false
	}
	return l, true
}

// held reports whether the loan waits at 211 for an operator (its
// partner's loans are held; without the setting the disbursement job
// approves it on its own).
func (s *Server) held(ctx context.Context, l lending.Loan) (bool, error) {
	if l.Status != julo.LoanWaitingApproval {
		return false, nil
	}
	ps, err := s.d.LoanReads.LoanSettings(ctx, l.PartnerID)
	return ps.HoldForOperator, err
}

func (s *Server) loan(w http.ResponseWriter, r *http.Request, u who) {
	l, ok := s.loanPage(w, r)
	if !ok {
		return
	}
	target := "loan:" + strconv.FormatInt(l.XID, 10)
	unmasked := u.op.Role.AtLeast(backoffice.RoleReviewer)
	account := l.Destination.Account
	if unmasked && l.Destination.Kind == lending.DestinationSelf {
		// The customer's own account number is personal data: its view is
		// recorded before the page.
		if !s.mustAudit(w, r, u.op.ID, "loan.view_unmasked", target) {
			return
		}
	} else {
		detail := "" // the partner's settlement account: not personal data
		if !unmasked {
			account, detail = l.Destination.Masked(), "masked"
		}
		s.audit(r, u.op.ID, "loan.view", target, detail)
	}
	hist, err := s.d.LoanReads.ConsoleLoanHistory(r.Context(), l.XID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	held, err := s.held(r.Context(), l)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var due julo.Money
	for _, in := range l.Quote.Schedule {
		due += in.Total
	}
	rep, err := s.repayment(r.Context(), l)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, "loan", map[string]any{"Title": "Loan " + strconv.FormatInt(l.XID, 10), "L": l, "Account": account,
		"Unmasked": unmasked, "History": hist, "Held": held, "TotalDue": due, "R": rep,
		"CanDecide": held && unmasked, "CanDisburse": l.Status == julo.LoanDisbursing && u.op.Role.AtLeast(backoffice.RoleAdmin),
		"Done": r.URL.Query().Get("done")})
}

// repaymentView is a disbursed loan's repayment: each installment's
// charged and paid parts, the payments, and the figures of the loan's day.
type repaymentView struct {
	Installments []installmentRow
	Payments     []paymentRow
	Today        time.Time
	// Outstanding is everything left (late fees included); Payoff what
	// pays the loan off today; DPD the days past due.
	Outstanding, Payoff, LateFees julo.Money
	DPD                           int
	PaidOffAt                     time.Time
}

type installmentRow struct {
	lending.InstallmentState
	Paid, Outstanding julo.Money
}

// paymentRow is a payment allocated to the loan. One payment to the
// customer's virtual account can pay several of their loans: Amount is
// the whole payment, ToLoan what it paid of this loan (its parts' sum).
type paymentRow struct {
	backoffice.LoanPayment
	ToLoan julo.Money
}

// repayment reads the loan's repayment (nil before its disbursement).
func (s *Server) repayment(ctx context.Context, l lending.Loan) (*repaymentView, error) {
	if l.Status < julo.LoanCurrent {
		return nil, nil
	}
	st, err := s.d.LoanReads.LoanState(ctx, l.ID)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &repaymentView{Today: st.Today(s.d.Office.Now()), PaidOffAt: st.PaidOffAt}
	for _, in := range st.Installments {
		row := installmentRow{InstallmentState: in, Paid: in.PaidPrincipal + in.PaidInterest + in.PaidLateFee, Outstanding: in.Outstanding()}
		v.Installments = append(v.Installments, row)
		v.Outstanding += row.Outstanding
		v.LateFees += in.LateFee
	}
	v.Payoff, v.DPD = lending.PayoffAmount(st.Installments, v.Today), lending.DaysPastDue(st.Installments, v.Today)
	pays, err := s.d.LoanReads.ConsoleLoanPayments(ctx, l.XID)
	for _, p := range pays {
		v.Payments = append(v.Payments, paymentRow{p, p.LateFee + p.Interest + p.Principal})
	}
	return v, err
}

// agreementRow is one month of the agreement's schedule.
type agreementRow struct {
	Number                     int
	Due                        time.Time
	Principal, Interest, Total julo.Money
}

// loanAgreement shows the agreement (SPHP) with the numbers the customer
// saw: every number from the stored loan, through the loans service (the
// partner API's page is the partner's; the console renders its own,
// under its own policy). The borrower's NIK, phone and address are masked
// for viewers.
func (s *Server) loanAgreement(w http.ResponseWriter, r *http.Request, u who) {
	l, ok := s.loanPage(w, r)
	if !ok {
		return
	}
	a, err := s.d.Lender.Agreement(r.Context(), julo.Partner{ID: l.PartnerID}, strconv.FormatInt(l.XID, 10))
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		s.fail(w, r, http.StatusNotFound, "console_loan_missing")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	target := "loan:" + strconv.FormatInt(l.XID, 10)
	unmasked := u.op.Role.AtLeast(backoffice.RoleReviewer)
	account := a.Loan.Destination.Account
	if unmasked {
		if !s.mustAudit(w, r, u.op.ID, "loan.agreement_view_unmasked", target) {
			return
		}
	} else {
		b := &a.Borrower
		b.NIK, b.Phone, b.Address = mask(b.NIK, 4, 2), mask(b.Phone, 4, 2), "(hidden)"
		account = a.Loan.Destination.Masked()
		s.audit(r, u.op.ID, "loan.agreement_view", target, "masked")
	}
	q := a.Loan.Quote
	var due julo.Money
	rows := make([]agreementRow, 0, len(q.Schedule))
	for _, in := range q.Schedule {
		due += in.Total
		rows = append(rows, agreementRow{in.Number, in.Due, in.Principal, in.Interest, in.Total})
	}
	capAmount, _ := q.LoanAmount.MulDiv(a.TotalCostCapBPS, 10_000)
	s.render(w, r, "agreement", map[string]any{"Title": "Agreement of loan " + strconv.FormatInt(l.XID, 10), "A": a, "Q": q,
		"Account": account, "Unmasked": unmasked, "Rows": rows, "TotalDue": due, "Benefit": q.TotalInterest + q.Provision,
		"ProvisionRate": percentOf(q.ProvisionBPS, 100), "InterestRate": percentOf(q.InterestBPS, 100),
		"DailyRate": percentOf(q.DailyCostPPM, 10_000), "CapRate": percentOf(q.Cap.DailyPPM, 10_000),
		"LateRate": percentOf(a.LateFee.DailyPPM, 10_000), "TotalCap": percentOf(a.TotalCostCapBPS, 100), "TotalCapAmount": capAmount,
		"DebtRate": percentOf(a.Loan.DebtCap.MaxShareBPS, 100)})
}

// percentOf writes n/div percent exactly, with the Indonesian decimal
// comma: percentOf(400, 100) = "4%", percentOf(3000, 10000) = "0,3%".
func percentOf(n, div int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n/div, 10)
	if rem := n % div; rem != 0 {
		width := len(strconv.FormatInt(div, 10)) - 1
		frac := strconv.FormatInt(rem, 10)
		frac = strings.Repeat("0", width-len(frac)) + frac
		s += "," + strings.TrimRight(frac, "0")
	}
	if neg {
		s = "-" + s
	}
	return s + "%"
}

// loanDecide is an operator's approval or rejection of a loan held at 211
// (reviewers and admins).
func (s *Server) loanDecide(w http.ResponseWriter, r *http.Request, u who) {
	l, ok := s.loanPage(w, r)
	if !ok {
		return
	}
	target := "loan:" + strconv.FormatInt(l.XID, 10)
	action := r.PostForm.Get("action")
	if action != "approve" && action != "reject" {
		s.audit(r, u.op.ID, "loan.decide_refused", target, "console_bad_action")
		s.fail(w, r, http.StatusBadRequest, "console_bad_action")
		return
	}
	// Only a loan its partner holds for an operator is decided here: any
	// other at 211 is the disbursement job's to approve.
	held, err := s.held(r.Context(), l)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !held {
		s.audit(r, u.op.ID, "loan.decide_refused", target, "not held at "+strconv.Itoa(int(l.Status)))
		s.fail(w, r, http.StatusConflict, "console_loan_not_held")
		return
	}
	after, err := s.d.Lender.Decide(r.Context(), l.XID, action == "approve")
	if err != nil {
		s.loanRefused(w, r, u, "loan.decide_refused", target, err)
		return
	}
	s.audit(r, u.op.ID, "loan."+action, target, "to "+strconv.Itoa(int(after.Status)))
	http.Redirect(w, r, "/loans/"+strconv.FormatInt(l.XID, 10)+"?done="+action, http.StatusSeeOther)
}

// loanDisbursement retries a stuck disbursement or records that it
// failed (admins).
func (s *Server) loanDisbursement(w http.ResponseWriter, r *http.Request, u who) {
	l, ok := s.loanPage(w, r)
	if !ok {
		return
	}
	target := "loan:" + strconv.FormatInt(l.XID, 10)
	var after lending.Loan
	var err error
	switch action := r.PostForm.Get("action"); action {
	case "retry":
		after, err = s.d.Lender.RetryDisbursement(r.Context(), l.XID)
	case "fail":
		reason := strings.TrimSpace(r.PostForm.Get("reason"))
		if !reasonCodeRE.MatchString(reason) {
			s.audit(r, u.op.ID, "loan.fail_refused", target, "console_bad_reason_code")
			s.fail(w, r, http.StatusBadRequest, "console_bad_reason_code")
			return
		}
		after, err = s.d.Lender.FailDisbursement(r.Context(), l.XID, reason)
	default:
		s.fail(w, r, http.StatusBadRequest, "console_bad_action")
		return
	}
	action := r.PostForm.Get("action")
	if err != nil {
		s.loanRefused(w, r, u, "loan."+action+"_refused", target, err)
		return
	}
	detail := "at " + strconv.Itoa(int(after.Status))
	if action == "fail" {
		detail = "to " + strconv.Itoa(int(after.Status)) + " " + after.FailureReason
	}
	s.audit(r, u.op.ID, "loan."+action, target, detail)
	http.Redirect(w, r, "/loans/"+strconv.FormatInt(l.XID, 10)+"?done="+action, http.StatusSeeOther)
}

// loanRefused answers a refusal of the loans service (a loan that moved
// on meanwhile) with the console's error page, audited.
func (s *Server) loanRefused(w http.ResponseWriter, r *http.Request, u who, action, target string, err error) {
	switch julo.ErrorCode(err) {
	case julo.ECONFLICT, julo.EINVALID:
		s.audit(r, u.op.ID, action, target, string(julo.ErrorCode(err)))
		w.WriteHeader(http.StatusConflict)
		s.render(w, r, "error", map[string]any{"Status": http.StatusConflict, "Message": "console_loan_refused"})
	case julo.ENOTFOUND:
		s.fail(w, r, http.StatusNotFound, "console_loan_missing")
	default:
		s.internal(w, r, err)
	}
}
