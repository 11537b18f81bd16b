package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// consoleBrowser starts Debian's chromium on the console (skipped without
// it, failed in CI), logs the browser's problems (any console error, CSP
// violation or request elsewhere fails the test) and returns its context.
func consoleBrowser(t *testing.T, s *testServer) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI installs Debian's chromium): %v", chromiumPath, err)
		}
		t.Skipf("%s is missing: apt-get install chromium to run the console's browser tests", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-pings", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	t.Cleanup(cancelAlloc)
	problems := &pageProblems{origin: strings.TrimSuffix(s.ConsoleURL, "/")}
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithListener(problems.listen))
	t.Cleanup(cancelBrowser)
	t.Cleanup(func() { problems.check(t) })
	if _, err := chromedp.Call(browser, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browser
}

// browserLogin logs a new operator in through the forms, changing its
// one-time password, and ends on the dashboard.
func browserLogin(t *testing.T, s *testServer, b context.Context, email, role string) {
	t.Helper()
	otp := s.newOperator(t, email, role)
	const pw = "a long enough secret phrase"
	if err := chromedp.Do(b,
		chromedp.Navigate(s.ConsoleURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), otp),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.SendKeys(chromedp.CSS("#current"), otp),
		chromedp.SendKeys(chromedp.CSS("#new"), pw),
		chromedp.SendKeys(chromedp.CSS("#confirm"), pw),
		chromedp.Submit(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#queue-h")),
	); err != nil {
		t.Fatalf("login through the forms: %v", err)
	}
}

func screenshot(t *testing.T, b context.Context, name, what string) {
	t.Helper()
	shot, err := chromedp.Run(b, chromedp.FullScreenshot(100))
	if err == nil {
		p := docsArtifact(t, name)
		if err = os.WriteFile(p, shot, 0o644); err == nil {
			t.Logf("screenshot of %s: %s", what, p)
		}
	}
	if err != nil {
		t.Errorf("screenshot: %v", err)
	}
}

// An operator logs in, opens the review queue, looks at the images and
// approves; the partner API then shows 130.
func TestConsoleBrowserApprove(t *testing.T) {
	s := startServer(t, nil)
	xid := s.submitCredit(t, creditNIK("0003"), creditBody(t, map[string]any{"monthly_income": 10_000_000}))
	s.settle(t)
	b := consoleBrowser(t, s)
	browserLogin(t, s, b, "reviewer@lender.example", "reviewer")
	screenshot(t, b, "julo-console-dashboard.png", "the dashboard")
	link := `#main a[href="/applications/` + xid + `"]`
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(link)), chromedp.WaitVisible(chromedp.CSS("#approve-form"))); err != nil {
		t.Fatalf("open the application from the queue: %v", err)
	}
	// Both images loaded (through the session) and are shown.
	loaded, err := chromedp.Run(b, chromedp.Poll[bool](`(() => {
		const imgs = [...document.images].filter(i => i.src.includes("/images/"));
		return imgs.length === 2 && imgs.every(i => i.complete && i.naturalWidth > 0);
	})()`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !loaded {
		t.Fatalf("the images did not load: %v", err)
	}
	screenshot(t, b, "julo-console-application.png", "the application page")
	if err := chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS("#approve-reason"), "payslip and KTP checked"),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	); err != nil {
		t.Fatalf("approve: %v", err)
	}
	status, err := chromedp.Run(b, chromedp.Evaluate[string](`document.getElementById("status").textContent`))
	if err != nil || status != "130 LIMIT_GENERATED" {
		t.Errorf("the page shows %q after the approval: %v", status, err)
	}
	if st := s.creditStatus(t, xid); st.Code != 130 || st.CreditInfo["set_limit"] != 15_000_000 {
		t.Fatalf("the partner API shows %+v", st)
	}
}

// A second operator rejects with a reason code and a reason: 135.
func TestConsoleBrowserReject(t *testing.T) {
	s := startServer(t, nil)
	xid := s.submitCredit(t, creditNIK("9004"), creditBody(t, nil))
	s.settle(t)
	b := consoleBrowser(t, s)
	browserLogin(t, s, b, "admin@lender.example", "admin")
	if err := chromedp.Do(b,
		chromedp.Navigate(s.ConsoleURL+"/applications?status=125"),
		chromedp.Click(chromedp.CSS(`#applications a[href="/applications/`+xid+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#reject-form")),
		chromedp.SendKeys(chromedp.CSS("#reason-code"), "income_unverified"),
		chromedp.SendKeys(chromedp.CSS("#reject-reason"), "no payslip after two requests"),
		chromedp.Click(chromedp.CSS("#reject")),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	); err != nil {
		t.Fatalf("reject: %v", err)
	}
	if st := s.creditStatus(t, xid); st.Code != 135 || len(st.Decision.ReasonCodes) != 1 || st.Decision.ReasonCodes[0] != "income_unverified" {
		t.Fatalf("the partner API shows %+v", st)
	}
	if r := s.review(t, xid); !strings.Contains(string(r.Decisions[len(r.Decisions)-1]), `"reason":"no payslip after two requests"`) {
		t.Fatalf("decision record %s", r.Decisions[len(r.Decisions)-1])
	}
}
