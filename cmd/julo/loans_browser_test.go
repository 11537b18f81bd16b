package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// cspWatch, run in every page before its own content, records the page's
// Content-Security-Policy violations (the page's CSP does not apply to a
// script the browser injects).
const cspWatch = `window.__csp = [];
document.addEventListener("securitypolicyviolation", e =>
	window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at line " + e.lineNumber));`

// browserFor starts Debian's chromium (as TestDocsPageInBrowser does) with
// problems listening to its first tab; it skips when chromium is missing,
// except in CI.
func browserFor(t *testing.T, problems *pageProblems) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI installs Debian's chromium): %v", chromiumPath, err)
		}
		t.Skipf("%s is missing: apt-get install chromium to run the browser tests", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 915), // a phone's webview
	)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithListener(problems.listen))
	t.Cleanup(cancelBrowser)
	return browser
}

// openWatched enables the network and the CSP watch in the tab, sets
// headers on its requests (nil: none) and opens url.
func openWatched(t *testing.T, tab context.Context, url string, headers network.Headers) {
	t.Helper()
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if headers != nil {
		if _, err := chromedp.Call(tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: headers}); err != nil {
			t.Fatalf("set the partner headers: %v", err)
		}
	}
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
		t.Fatalf("add the CSP watch: %v", err)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(412, 915), chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// violations are the CSP violations the watch saw, after a round trip (so
// that every event before it has been delivered).
func violations(t *testing.T, tab context.Context) []string {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`window.__csp || ["the CSP watch did not run"]`))
	if err != nil {
		t.Fatalf("read the CSP violations: %v", err)
	}
	return v
}

// TestLoanAgreementInBrowser opens the agreement page of a real loan in
// Debian's chromium, as a partner's webview would (with the partner's
// headers): the text shows the loan's parties, amounts, schedule and
// rights; the page's own style applies under its CSP (allowed by hash);
// no console error, CSP violation or request beyond the page itself. It
// saves a full-page screenshot as loan-agreement.png (see docsArtifact;
// and in /tmp outside CI, to look at). A control page with a blocked
// style proves that a violation would be seen.
func TestLoanAgreementInBrowser(t *testing.T) {
	problems := &pageProblems{}
	browser := browserFor(t, problems)
	s := startServer(t, nil)
	problems.origin = strings.TrimSuffix(s.URL, "/")
	xid := s.ready(t, "0001", nil)
	o := s.offers(t, xid, 3_000_000, true)[0]
	var c createdLoan
	s.createLoan(xid, 3_000_000, o.Duration, true).expect(t, http.StatusCreated).decodeData(t, &c)
	st := s.loanStatus(t, c.XID)

	openWatched(t, browser, fmt.Sprintf("%s%s/agreement/content/%d/", s.URL, v1, c.XID),
		network.Headers{"username": s.Partner, "secret-key": s.Secret})
	text, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	last := st.Payments[len(st.Payments)-1]
	for _, want := range []string{"Surat Perjanjian", "Rp3.000.000", "budi ismail", creditNIK("0001"), fmt.Sprint(c.XID),
		st.Payments[0].Due, last.Due, "per hari", "Denda keterlambatan", "membatalkan pinjaman", "Pengaduan"} {
		if !strings.Contains(text, want) {
			t.Errorf("the agreement page does not show %q", want)
		}
	}
	if t.Failed() {
		t.Logf("the page's text:\n%s", text)
	}
	// The style block applied: its hash is in the CSP (else the page is
	// unstyled, and a violation).
	styled, err := chromedp.Run(browser, chromedp.Evaluate[string](`(() => {
		const m = getComputedStyle(document.querySelector("main"));
		const t = document.querySelector("table");
		return m.maxWidth + " " + (t ? getComputedStyle(t).borderCollapse : "no table");
	})()`))
	if err != nil || styled != "736px collapse" {
		t.Errorf("the page's style did not apply: %q, %v", styled, err)
	}

	full, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("full-page screenshot: %v", err)
	} else {
		paths := []string{docsArtifact(t, "loan-agreement.png")}
		if os.Getenv("CI") != "true" {
			if p := filepath.Join("/tmp", "loan-agreement.png"); p != paths[0] {
				paths = append(paths, p)
			}
		}
		for _, p := range paths {
			if err := os.WriteFile(p, full, 0o644); err != nil {
				t.Error(err)
			} else {
				t.Logf("full-page screenshot of the agreement: %s", p)
			}
		}
	}
	for _, v := range violations(t, browser) {
		t.Errorf("agreement page: CSP violation: %s", v)
	}
	problems.mu.Lock()
	for _, p := range problems.problems {
		t.Errorf("agreement page: %s", p)
	}
	if len(problems.problems) > 0 {
		t.Logf("requests of the page:\n%s", strings.Join(problems.requests, "\n"))
	}
	// The page loads nothing: its own request only (a favicon request
	// would be a request of its own origin, and is allowed).
	for _, u := range problems.requests {
		if !strings.Contains(u, "/agreement/content/") && !strings.HasSuffix(u, "/favicon.ico") {
			t.Errorf("agreement page: it requested %s", u)
		}
	}
	problems.mu.Unlock()

	// The control: an inline style its CSP blocks is seen by the watch and
	// reported by the browser's log.
	ctl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><style>body{color:red}</style></head><body>control</body></html>`)
	}))
	defer ctl.Close()
	control := &pageProblems{origin: ctl.URL}
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithListener(control.listen))
	defer cancelTab()
	openWatched(t, tab, ctl.URL+"/", nil)
	if v := violations(t, tab); len(v) == 0 || !strings.Contains(v[0], "style-src") {
		t.Errorf("the control page's blocked style was not seen by the CSP watch: %q", v)
	}
	control.mu.Lock()
	defer control.mu.Unlock()
	if !strings.Contains(strings.Join(control.problems, "\n"), "Content Security Policy") {
		t.Errorf("the control page's blocked style was not reported by the browser: %q", control.problems)
	}
}
