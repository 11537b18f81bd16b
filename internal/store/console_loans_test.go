package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// The console's loans list on a real database: each filter (status, any
// of several statuses, partner, application, older than a row) alone and
// together, newest first, and the console's paging (a page and one more
// row to know whether a next page exists) at its boundaries: exactly a
// page of matches has no next page, one more has a next page of one.
func TestConsoleLoansFiltersOrderAndPages(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		db := d.migrated(t)
		appA, appB := loanAccount(t, db, 3_000_000), loanAccount(t, db, 3_000_000)
		partner := func(id int64) string {
			t.Helper()
			var name string
			if err := db.r.QueryRow(`SELECT username FROM partners WHERE id = $1`, id).Scan(&name); err != nil {
				t.Fatal(err)
			}
			return name
		}
		pa, pb := partner(appA.PartnerID), partner(appB.PartnerID)

		// Seven loans, the two partners' interleaved, created in xid order;
		// some moved on (210 -> 211, 210 -> 216).
		type made struct {
			id, xid int64
			app     int64 // application xid
			partner string
			status  julo.LoanStatus
		}
		var loans []made
		for k, c := range []struct {
			a  bool
			to julo.LoanStatus
		}{{true, 0}, {false, julo.LoanWaitingApproval}, {true, julo.LoanCancelledByUser}, {false, 0}, {true, julo.LoanWaitingApproval},
			{true, 0}, {false, julo.LoanCancelledByUser}} {
			app, p := appB, pb
			if c.a {
				app, p = appA, pa
			}
			xid := int64(4_100_000_001 + k)
			l, err := db.CreateLoan(ctx, app.ID, func(lending.Facts) (lending.Loan, error) { return testLoan(app, xid, 100_000), nil })
			if err != nil {
				t.Fatal(err)
			}
			st := julo.LoanCreated
			if c.to != 0 {
				if _, err := db.MoveLoan(ctx, lending.LoanMove{LoanID: l.ID, To: c.to, At: at.Add(time.Minute), Reason: "test"}); err != nil {
					t.Fatal(err)
				}
				st = c.to
			}
			loans = append(loans, made{l.ID, xid, app.XID, p, st})
		}
		// want is the xids of the loans that match, newest first.
		want := func(match func(made) bool) []int64 {
			var out []int64
			for _, l := range slices.Backward(loans) {
				if match(l) {
					out = append(out, l.xid)
				}
			}
			return out
		}
		xids := func(rows []backoffice.LoanRow) []int64 {
			var out []int64
			for _, r := range rows {
				out = append(out, r.XID)
			}
			return out
		}
		list := func(f backoffice.LoanFilter) []backoffice.LoanRow {
			t.Helper()
			rows, err := db.ConsoleLoans(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			for k := 1; k < len(rows); k++ {
				if rows[k].ID >= rows[k-1].ID {
					t.Fatalf("%+v: not newest first: %+v", f, rows)
				}
			}
			return rows
		}

		// One row read in full.
		rows := list(backoffice.LoanFilter{ApplicationXID: appB.XID, Status: int(julo.LoanWaitingApproval)})
		if len(rows) != 1 {
			t.Fatalf("%+v", rows)
		}
		if r := rows[0]; r.ID != loans[1].id || r.XID != loans[1].xid || r.ApplicationXID != appB.XID || r.Partner != pb ||
			r.Status != julo.LoanWaitingApproval || r.LoanAmount != 100_000 || r.Duration != 2 || !r.CreatedAt.Equal(at) ||
			!r.UpdatedAt.Equal(at.Add(time.Minute)) {
			t.Fatalf("row %+v, loan %+v", r, loans[1])
		}

		created, waiting, cancelled := int(julo.LoanCreated), int(julo.LoanWaitingApproval), int(julo.LoanCancelledByUser)
		for _, c := range []struct {
			name  string
			f     backoffice.LoanFilter
			match func(made) bool
		}{
			{"all", backoffice.LoanFilter{}, func(made) bool { return true }},
			{"status", backoffice.LoanFilter{Status: created}, func(l made) bool { return l.status == julo.LoanCreated }},
			{"statuses", backoffice.LoanFilter{Statuses: []int{waiting, cancelled}},
				func(l made) bool { return l.status != julo.LoanCreated }},
			// Status, when given, wins over Statuses.
			{"status over statuses", backoffice.LoanFilter{Status: cancelled, Statuses: []int{created, waiting}},
				func(l made) bool { return l.status == julo.LoanCancelledByUser }},
			{"no such status", backoffice.LoanFilter{Status: int(julo.LoanPaidOff)}, func(made) bool { return false }},
			{"partner", backoffice.LoanFilter{Partner: pa}, func(l made) bool { return l.partner == pa }},
			{"no such partner", backoffice.LoanFilter{Partner: "nobody"}, func(made) bool { return false }},
			{"application", backoffice.LoanFilter{ApplicationXID: appB.XID}, func(l made) bool { return l.app == appB.XID }},
			{"partner and status", backoffice.LoanFilter{Partner: pa, Status: created},
				func(l made) bool { return l.partner == pa && l.status == julo.LoanCreated }},
			{"partner and statuses", backoffice.LoanFilter{Partner: pb, Statuses: []int{created, cancelled}},
				func(l made) bool { return l.partner == pb && l.status != julo.LoanWaitingApproval }},
			{"another partner's application", backoffice.LoanFilter{Partner: pa, ApplicationXID: appB.XID}, func(made) bool { return false }},
			{"before", backoffice.LoanFilter{BeforeID: loans[4].id}, func(l made) bool { return l.id < loans[4].id }},
			{"before and partner", backoffice.LoanFilter{BeforeID: loans[4].id, Partner: pa},
				func(l made) bool { return l.id < loans[4].id && l.partner == pa }},
			{"before the first", backoffice.LoanFilter{BeforeID: loans[0].id}, func(made) bool { return false }},
		} {
			if got, w := xids(list(c.f)), want(c.match); !slices.Equal(got, w) {
				t.Errorf("%s: %v, want %v", c.name, got, w)
			}
		}

		// pages lists the filter's matches as the console does: size rows a
		// page, one more asked to know whether a next page exists, the next
		// page below the last row shown.
		pages := func(f backoffice.LoanFilter, size int) [][]int64 {
			t.Helper()
			var out [][]int64
			for range len(loans) + 2 {
				f.Limit = size + 1
				rows := list(f)
				more := len(rows) > size
				if more {
					rows = rows[:size]
				}
				out = append(out, xids(rows))
				if !more {
					return out
				}
				f.BeforeID = rows[len(rows)-1].ID
			}
			t.Fatalf("%+v: paging does not end: %v", f, out)
			return nil
		}
		all := want(func(made) bool { return true })
		ofA := want(func(l made) bool { return l.partner == pa })
		for _, c := range []struct {
			name string
			f    backoffice.LoanFilter
			size int
			want [][]int64
		}{
			{"exactly a page", backoffice.LoanFilter{}, len(all), [][]int64{all}},
			{"a page and one more", backoffice.LoanFilter{}, len(all) - 1, [][]int64{all[:len(all)-1], all[len(all)-1:]}},
			{"pages of two", backoffice.LoanFilter{}, 2, [][]int64{all[0:2], all[2:4], all[4:6], all[6:]}},
			{"pages of one", backoffice.LoanFilter{Partner: pa}, 1, [][]int64{ofA[0:1], ofA[1:2], ofA[2:3], ofA[3:]}},
			{"a partner's exact page", backoffice.LoanFilter{Partner: pa}, len(ofA), [][]int64{ofA}},
			{"a partner's page and one more", backoffice.LoanFilter{Partner: pa}, len(ofA) - 1, [][]int64{ofA[:len(ofA)-1], ofA[len(ofA)-1:]}},
			{"nothing", backoffice.LoanFilter{Partner: "nobody"}, 2, [][]int64{nil}},
		} {
			if got := pages(c.f, c.size); !slices.EqualFunc(got, c.want, slices.Equal) {
				t.Errorf("%s: pages %v, want %v", c.name, got, c.want)
			}
		}

		// A limit of 0 or above 500 is 50, here all of them.
		for _, limit := range []int{0, -1, 501} {
			if got := xids(list(backoffice.LoanFilter{Limit: limit})); !slices.Equal(got, all) {
				t.Errorf("limit %d: %v", limit, got)
			}
		}
		if got := xids(list(backoffice.LoanFilter{Limit: 3})); !slices.Equal(got, all[:3]) {
			t.Errorf("limit 3: %v", got)
		}
		// The counts agree with the list.
		counts, err := db.ConsoleLoanStatusCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []int{created, waiting, cancelled} {
			if n := len(list(backoffice.LoanFilter{Status: st})); counts[st] != n {
				t.Errorf("status %d: counted %d, listed %d", st, counts[st], n)
			}
		}
	})
}
