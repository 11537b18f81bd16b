package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
)

// fakeLoans is a store of n loans (row ids n..1, newest first) that
// records the filters it was asked.
type fakeLoans struct {
	n       int
	filters []backoffice.LoanFilter
}

func (f *fakeLoans) ConsoleLoans(_ context.Context, lf backoffice.LoanFilter) ([]backoffice.LoanRow, error) {
	f.filters = append(f.filters, lf)
	var out []backoffice.LoanRow
	for id := int64(f.n); id >= 1 && len(out) < lf.Limit; id-- {
		if lf.BeforeID != 0 && id >= lf.BeforeID {
			continue
		}
		out = append(out, backoffice.LoanRow{ID: id, XID: 1_000_000_000 + id, ApplicationXID: 2_000_000_000, Partner: "acme",
			Status: julo.LoanCurrent, LoanAmount: 1_000_000, Duration: 3})
	}
	return out, nil
}

func (f *fakeLoans) ConsoleLoanStatusCounts(context.Context) (map[int]int, error) {
	return map[int]int{220: f.n}, nil
}
func (f *fakeLoans) ConsoleLoanHistory(context.Context, int64) ([]backoffice.LoanHistoryItem, error) {
	return nil, nil
}
func (f *fakeLoans) LoanByXID(context.Context, int64) (lending.Loan, error) {
	return lending.Loan{}, &julo.Error{Code: julo.ENOTFOUND}
}
func (f *fakeLoans) LoanSettings(context.Context, int64) (lending.PartnerSettings, error) {
	return lending.PartnerSettings{}, nil
}
func (f *fakeLoans) LoanState(context.Context, int64) (lending.LoanState, error) {
	return lending.LoanState{}, &julo.Error{Code: julo.ENOTFOUND}
}
func (f *fakeLoans) ConsoleLoanPayments(context.Context, int64) ([]backoffice.LoanPayment, error) {
	return nil, nil
}

// The loans list pages by row id like the applications list: 50 a page,
// the next page's link keeps the filters and starts below the last row.
func TestLoansListPages(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys := onboarding.Keys{
		Data:   onboarding.KeySet{Current: "d1", Keys: map[string][]byte{"d1": []byte("0123456789abcdef0123456789abcdef")}},
		Lookup: onboarding.KeySet{Current: "l1", Keys: map[string][]byte{"l1": []byte("lookup-key-lookup-key-lookup-key")}},
	}
	if err := db.SetKeys(keys); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	office := backoffice.New(backoffice.Deps{Store: db, Policy: backoffice.DefaultPolicy(false), Now: func() time.Time { return now }})
	op, _, err := office.CreateOperator(ctx, "vera@lender.example", backoffice.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a long enough secret phrase"
	hash, _ := backoffice.HashPassword(strings.NewReader(strings.Repeat("s", 16)), pw)
	if err := db.SetOperatorPassword(ctx, op.ID, hash, false, now); err != nil {
		t.Fatal(err)
	}
	loans := &fakeLoans{n: 120}
	con, err := New(Deps{Office: office, LoanReads: loans, Config: Config{Env: "sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(con)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"email": {op.Email}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	page := get("/loans?status=220&partner=acme")
	if n := strings.Count(page, `<tr><td><a href="/loans/`); n != pageSize {
		t.Fatalf("%d rows on the first page", n)
	}
	next := `href="/loans?before=71&amp;partner=acme&amp;status=220"`
	if !strings.Contains(page, next) || !strings.Contains(page, "/loans/1000000120") || strings.Contains(page, "/loans/1000000070\"") {
		t.Fatalf("first page:\n%s", page)
	}
	last := get("/loans?before=21&partner=acme&status=220")
	if n := strings.Count(last, `<tr><td><a href="/loans/`); n != 20 || strings.Contains(last, `rel="next"`) {
		t.Fatalf("last page has %d rows (or a next link):\n%s", n, last)
	}
	f := loans.filters[len(loans.filters)-1]
	if f.Status != 220 || f.Partner != "acme" || f.BeforeID != 21 || f.Limit != pageSize+1 {
		t.Fatalf("filter %+v", f)
	}
}

func TestPercentOf(t *testing.T) {
	for _, c := range []struct {
		n, div int64
		want   string
	}{{400, 100, "4%"}, {30, 100, "0,3%"}, {2000, 100, "20%"}, {3000, 10_000, "0,3%"}, {8000, 10_000, "0,8%"}, {1, 10_000, "0,0001%"},
		{125, 100, "1,25%"}, {0, 100, "0%"}} {
		if got := percentOf(c.n, c.div); got != c.want {
			t.Errorf("percentOf(%d, %d) = %q, want %q", c.n, c.div, got, c.want)
		}
	}
}
