package main

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/lending"
)

// The loan page's repayment section (issue 15 item 7): for a disbursed
// loan paid in part and made late by the sandbox test clock, the console
// shows each installment's charged, paid and left parts, the late fee,
// the payoff today, the days past due and every payment with what it paid
// of this loan, the same rupiah figures the partner API's loan status
// answers; a viewer sees the same figures with the account number masked;
// both views are audited. Paid off, the page shows the waived interest
// and nothing left.
func TestConsoleLoanRepaymentAgreesWithTheStatusRead(t *testing.T) {
	s := startServer(t, nil)
	xid := s.ready(t, "0001", nil)
	loan := s.disbursedLoan(t, xid, 3_000_000)
	// A second loan of the same customer: one payment to their virtual
	// account can pay both.
	other := s.disbursedLoan(t, xid, 1_000_000)
	lx, ox := strconv.FormatInt(loan, 10), strconv.FormatInt(other, 10)
	va := s.accountPayments(t, xid, "").Data.VirtualAccounts[0].Number
	before := s.repayStatus(t, loan)
	if len(before.Payments) < 2 {
		t.Fatalf("a loan of %d installments: the test needs a later one to waive", len(before.Payments))
	}
	first := before.Payments[0]
	due1, _ := time.Parse("2006-01-02", first.Due)
	today := lending.Day(s.Clock.Now())

	// A part of the first installment before its due date: its interest,
	// then some of its principal.
	var p1 paymentOut
	s.sandboxPay(va, first.Interest+100_000).expect(t, 201).decodeData(t, &p1)
	if a := p1.Allocations; p1.Status != "applied" || len(a) != 1 || a[0].LoanXID != loan || a[0].Number != 1 ||
		a[0].Interest != first.Interest || a[0].Principal != 100_000 {
		t.Fatalf("the first payment %+v", p1)
	}
	// Seven days past the first due date: 231, seven days' late fee.
	const late = 7
	days := int(due1.Sub(today)/(24*time.Hour)) + late
	s.advanceClock(loan, days).expect(t, 200)
	mid := s.repayStatus(t, loan)
	fee := mid.Payments[0].LateFee
	if mid.Loan.Code != 231 || *mid.Loan.DPD != late || fee <= 0 {
		t.Fatalf("after %d days: %+v", days, mid)
	}
	// The late fee and a little principal: the late fee first.
	var p2 paymentOut
	s.sandboxPay(va, fee+50_000).expect(t, 201).decodeData(t, &p2)
	if a := p2.Allocations; len(a) != 1 || a[0].LoanXID != loan || a[0].Number != 1 || a[0].LateFee != fee || a[0].Interest != 0 ||
		a[0].Principal != 50_000 {
		t.Fatalf("the second payment %+v", p2)
	}
	st := s.repayStatus(t, loan)
	if st.Loan.Code != 231 || *st.Loan.DPD != late || st.Payments[0].PaidLateFee != fee || st.Payments[0].DueAmount <= 0 {
		t.Fatalf("after the second payment: %+v", st)
	}
	const pw = "a long enough secret phrase"
	reviewer := s.loggedIn(t, "reviewer@lender.example", "reviewer", pw)
	viewer := s.loggedIn(t, "viewer@lender.example", "viewer", pw)
	const account = "0672272764"
	check := func(who string, p consolePage, loan int64, st repayStatus, waived []int64, payments []paymentOut) {
		t.Helper()
		if got, api := pageText(p.body, "loan-status"), s.loanStatus(t, loan).Loan; got != fmt.Sprintf("%d %s", api.Code, api.Status) ||
			api.Code != st.Loan.Code {
			t.Errorf("%s: status %q, API %d %s", who, got, api.Code, api.Status)
		}
		var outstanding, fees int64
		for _, in := range st.Payments {
			outstanding += in.DueAmount
			fees += in.LateFee
		}
		for id, want := range map[string]string{"payoff": rupiahText(*st.Loan.Payoff), "dpd": strconv.Itoa(*st.Loan.DPD),
			"outstanding": rupiahText(outstanding), "late-fees": rupiahText(fees)} {
			if got := pageText(p.body, id); got != want {
				t.Errorf("%s: %s %q, API %q", who, id, got, want)
			}
		}
		// The loan's own day: the test clock moves one loan's, not another's.
		loanDay := today.AddDate(0, 0, st.Loan.Offset)
		if !strings.Contains(p.body, "<dd>"+loanDay.Format("2006-01-02")+"</dd>") {
			t.Errorf("%s: the loan's day %s is not shown", who, loanDay.Format("2006-01-02"))
		}
		rows := pageTable(t, p.body, "installments")
		if len(rows) != len(st.Payments) {
			t.Fatalf("%s: %d installment rows, the API %d", who, len(rows), len(st.Payments))
		}
		for k, in := range st.Payments {
			paidOff := "-"
			if in.PaidDate != nil {
				paidOff = *in.PaidDate
			}
			// The API answers the interest less what was waived; the
			// console shows both.
			want := []string{strconv.Itoa(in.Number), in.Due, rupiahText(in.Principal), rupiahText(in.Interest + waived[k]),
				rupiahText(in.LateFee), rupiahText(waived[k]), rupiahText(in.Paid), rupiahText(in.DueAmount), paidOff}
			if !slices.Equal(rows[k], want) {
				t.Errorf("%s: installment %d\n console %q\n API     %q", who, in.Number, rows[k], want)
			}
			if in.Paid != in.PaidPrincipal+in.PaidInterest+in.PaidLateFee {
				t.Errorf("installment %d: paid %d is not its parts %+v", in.Number, in.Paid, in)
			}
		}
		prow := pageTable(t, p.body, "payments")
		if len(prow) != len(payments) {
			t.Fatalf("%s: payments %q, want %d", who, prow, len(payments))
		}
		for k, pay := range payments {
			// The parts of the payment that went to this loan.
			var a allocationOut
			for _, x := range pay.Allocations {
				if x.LoanXID == loan {
					a.LateFee, a.Interest = a.LateFee+x.LateFee, a.Interest+x.Interest
					a.Principal, a.Waived = a.Principal+x.Principal, a.Waived+x.Waived
				}
			}
			want := []string{"sandbox " + pay.PaymentID, pay.PaidAt.UTC().Format("2006-01-02 15:04:05Z"), rupiahText(pay.Amount),
				rupiahText(a.LateFee + a.Interest + a.Principal), rupiahText(a.LateFee), rupiahText(a.Interest), rupiahText(a.Principal),
				rupiahText(a.Waived)}
			if !slices.Equal(prow[k], want) {
				t.Errorf("%s: payment %d\n console %q\n API     %q", who, k+1, prow[k], want)
			}
		}
	}
	none := make([]int64, len(st.Payments))

	rp := reviewer.get("/loans/"+lx).expect(t, 200, "Repayment", account)
	check("reviewer", rp, loan, st, none, []paymentOut{p1, p2})
	vp := viewer.get("/loans/"+lx).expect(t, 200, "Repayment", "masked for your role", "******2764")
	check("viewer", vp, loan, st, none, []paymentOut{p1, p2})
	if strings.Contains(vp.body, account) {
		t.Fatal("a viewer's loan page shows the account number")
	}
	// The same page but for the account.
	if strip := func(b string) string {
		b = strings.Replace(b, account, "", 1)
		b = strings.Replace(b, "******2764", "", 1)
		return pageMain(b)
	}; strip(rp.body) != strings.Replace(strip(vp.body), `<p class="note">Personal data is masked for your role.</p>`, "", 1) {
		t.Errorf("the viewer's page differs from the reviewer's beyond the account:\nreviewer:\n%s\nviewer:\n%s",
			pageMain(rp.body), pageMain(vp.body))
	}
	var unmasked, masked int
	s.query(t, `SELECT COUNT(*) FROM console_audit WHERE action = 'loan.view_unmasked' AND target = $1`, []any{"loan:" + lx}, &unmasked)
	s.query(t, `SELECT COUNT(*) FROM console_audit WHERE action = 'loan.view' AND target = $1 AND detail = 'masked'`, []any{"loan:" + lx}, &masked)
	if unmasked != 1 || masked != 1 {
		t.Fatalf("audited %d unmasked and %d masked views of the loan", unmasked, masked)
	}

	// The first loan's payoff and 100.000 more: the first loan is paid
	// off (the later installments' interest waived), the rest pays the
	// second loan; each loan's page shows the whole payment and its part.
	var p3 paymentOut
	s.sandboxPay(va, *st.Loan.Payoff+100_000).expect(t, 201).decodeData(t, &p3)
	final := s.repayStatus(t, loan)
	if final.Loan.Code != 250 || *final.Loan.Payoff != 0 || *final.Loan.DPD != 0 {
		t.Fatalf("after the payoff %+v", final.Loan)
	}
	waived := make([]int64, len(final.Payments))
	var waivedSum int64
	for k, in := range final.Payments {
		waived[k] = before.Payments[k].Interest - in.Interest
		waivedSum += waived[k]
	}
	if waivedSum == 0 {
		t.Fatal("the payoff waived no interest")
	}
	toLoan := map[int64]int64{}
	var allocWaived int64
	for _, a := range p3.Allocations {
		toLoan[a.LoanXID] += a.LateFee + a.Interest + a.Principal
		allocWaived += a.Waived
	}
	if toLoan[loan] != *st.Loan.Payoff || toLoan[other] != 100_000 || allocWaived != waivedSum {
		t.Fatalf("the payment's allocations %+v, waived %d", p3.Allocations, waivedSum)
	}
	fp := reviewer.get("/loans/"+lx).expect(t, 200, "Paid off")
	check("reviewer, paid off", fp, loan, final, waived, []paymentOut{p1, p2, p3})
	check("viewer, paid off", viewer.get("/loans/"+lx).expect(t, 200), loan, final, waived, []paymentOut{p1, p2, p3})
	ost := s.repayStatus(t, other)
	if ost.Loan.Code != 220 || ost.Payments[0].Paid != 100_000 {
		t.Fatalf("the second loan %+v", ost)
	}
	check("viewer, second loan", viewer.get("/loans/"+ox).expect(t, 200), other, ost, make([]int64, len(ost.Payments)),
		[]paymentOut{p3})
}

// rupiahText writes an amount as the console does: "Rp 1.234.567".
func rupiahText(n int64) string {
	s := strconv.FormatInt(max(n, -n), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if n < 0 {
		return "-Rp " + b.String()
	}
	return "Rp " + b.String()
}

var (
	pageRow  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	pageCell = regexp.MustCompile(`(?s)<t[dh][^>]*>(.*?)</t[dh]>`)
	pageTag  = regexp.MustCompile(`<[^>]+>`)
)

// pageTable is the text of each cell of each body row of the page's
// table of id.
func pageTable(t *testing.T, body, id string) [][]string {
	t.Helper()
	start := strings.Index(body, `<table id="`+id+`">`)
	if start < 0 {
		t.Fatalf("no table %s in\n%s", id, body)
	}
	table := body[start:]
	table = table[:strings.Index(table, "</table>")]
	tb := table[strings.Index(table, "<tbody>"):]
	var out [][]string
	for _, r := range pageRow.FindAllStringSubmatch(tb, -1) {
		var cells []string
		for _, c := range pageCell.FindAllStringSubmatch(r[1], -1) {
			cells = append(cells, html.UnescapeString(strings.TrimSpace(pageTag.ReplaceAllString(c[1], ""))))
		}
		if len(cells) == 1 && strings.HasPrefix(cells[0], "No payments") {
			continue
		}
		out = append(out, cells)
	}
	return out
}

// pageText is the text of the page's element of id.
func pageText(body, id string) string {
	m := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(strings.TrimSpace(pageTag.ReplaceAllString(m[1], "")))
}

// pageMain is the page's main content (without the layout, whose CSRF
// token and operator differ between sessions).
func pageMain(body string) string {
	start, end := strings.Index(body, "<h1>"), strings.LastIndex(body, "</main>")
	if start < 0 || end < start {
		return body
	}
	return body[start:end]
}
