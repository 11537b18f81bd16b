package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium (never a downloaded browser).
const chromiumPath = "/usr/bin/chromium"

// docsArtifact is where a screenshot of the docs page is saved:
// $JULO_TEST_ARTIFACTS when set, else the temp dir (a stable path, to look at).
func docsArtifact(t *testing.T, name string) string {
	dir := os.Getenv("JULO_TEST_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// pageProblems collects, from the browser's events, what must not happen on
// the docs page: console errors, exceptions, error log entries (a CSP
// violation is one) and requests to any host but the server's.
type pageProblems struct {
	mu       sync.Mutex
	origin   string // scheme://host:port of the server
	problems []string
	requests []string // every URL requested (for the failure message)
}

func (p *pageProblems) add(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

func (p *pageProblems) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			p.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		p.add("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			p.add("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		u := ev.Request.URL
		p.mu.Lock()
		p.requests = append(p.requests, u)
		p.mu.Unlock()
		if !p.ownURL(u) {
			p.add("request to another host: %s %s", ev.Request.Method, u)
		}
	case *network.EventLoadingFailed:
		if ev.BlockedReason != "" || !ev.Canceled {
			p.add("request %s failed: %s (blocked: %s)", ev.RequestID, ev.ErrorText, ev.BlockedReason)
		}
	}
}

// ownURL: the server itself, or the page's own data: and blob: URLs.
func (p *pageProblems) ownURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data":
		return true
	case "blob":
		// blob:http://127.0.0.1:PORT/uuid
		return strings.HasPrefix(u.Opaque, p.origin+"/")
	case "http", "https":
		return u.Scheme+"://"+u.Host == p.origin
	}
	return false
}

func (p *pageProblems) check(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.problems {
		t.Errorf("docs page: %s", pr)
	}
	if len(p.problems) > 0 {
		t.Logf("requests of the page:\n%s", strings.Join(p.requests, "\n"))
	}
}

// registrationExample is the NIK (username) of the request example of the
// registration (POST .../customer) in the server's own OpenAPI document, and
// that operation's id.
func registrationExample(t *testing.T, base string) (opID, nik string) {
	t.Helper()
	res, err := http.Get(base + "/api/partnership/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc map[string]any
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&doc) != nil {
		t.Fatalf("GET openapi.json: %s", res.Status)
	}
	// deref follows a local $ref ("#/components/...").
	deref := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		for i := 0; m != nil && i < 10; i++ {
			ref, ok := m["$ref"].(string)
			if !ok {
				break
			}
			var cur any = doc
			for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
				cm, _ := cur.(map[string]any)
				cur = cm[part]
			}
			m, _ = cur.(map[string]any)
		}
		return m
	}
	paths := deref(doc["paths"])
	for path, item := range paths {
		if !strings.HasSuffix(path, "/customer") {
			continue
		}
		op := deref(deref(item)["post"])
		opID, _ = op["operationId"].(string)
		content := deref(deref(op["requestBody"])["content"])
		body := deref(content["application/json"])
		ex := deref(body["example"])
		if ex == nil {
			for _, e := range deref(body["examples"]) {
				if ex = deref(deref(e)["value"]); ex != nil {
					break
				}
			}
		}
		nik, _ = ex["username"].(string)
	}
	if opID == "" || len(nik) != 16 {
		t.Fatalf("openapi.json: POST /customer needs an operationId and an application/json request example with a 16-digit username (NIK); got %q, %q", opID, nik)
	}
	return opID, nik
}

// TestDocsPageInBrowser loads /docs of the real program in Debian's
// chromium: Redoc renders the server's OpenAPI document with the registration
// and its request example, under the page's CSP, with no console error and
// no request to another host. It saves screenshots (see docsArtifact).
func TestDocsPageInBrowser(t *testing.T) {
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI installs Debian's chromium): %v", chromiumPath, err)
		}
		t.Skipf("%s is missing: apt-get install chromium to run the docs page's browser test", chromiumPath)
	}
	s := startServer(t, nil)
	opID, nik := registrationExample(t, s.URL)
	origin := strings.TrimSuffix(s.URL, "/")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
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
		chromedp.WindowSize(1366, 900),
	)
	defer cancelAlloc()
	problems := &pageProblems{origin: origin}
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithListener(problems.listen))
	defer cancelBrowser()

	if _, err := chromedp.Call(browser, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Do(browser, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(s.URL+"/docs")); err != nil {
		t.Fatalf("open /docs: %v", err)
	}
	// docs.js sets data-docs when Redoc is done (or failed).
	state, err := chromedp.Run(browser, chromedp.Poll[string](`document.documentElement.getAttribute("data-docs")`,
		chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil || state != "ready" {
		status, _ := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById("docs-status").textContent`))
		problems.check(t)
		t.Fatalf("the page did not render: state %q, %v, status %q", state, err, status)
	}

	saveShot := func(name, what string) {
		t.Helper()
		shot, err := chromedp.Run(browser, chromedp.CaptureScreenshot())
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
	saveShot("julo-docs-top.png", "the top of the page")

	// The registration: its section, with the path and the example's NIK
	// shown (visible, not only in the DOM).
	section := `[data-section-id="operation/` + opID + `"]`
	if err := chromedp.Do(browser, chromedp.WaitVisible(chromedp.CSS(section))); err != nil {
		t.Fatalf("no section %s: %v", section, err)
	}
	found, err := chromedp.Run(browser, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const sec = document.querySelector(%q);
		const text = sec.innerText;
		if (!text.includes("/customer")) return "the section does not show the path /customer";
		// The deepest visible element holding the NIK: the request sample.
		let hit = null;
		for (const el of sec.querySelectorAll("*")) {
			if (el.children.length === 0 && el.textContent.includes(%q)) { hit = el; break; }
		}
		if (!hit) return "the section has no request example with the NIK";
		hit.scrollIntoView({block: "center"});
		const r = hit.getBoundingClientRect(), st = getComputedStyle(hit);
		if (r.width === 0 || r.height === 0 || st.visibility !== "visible") return "the NIK is not visible";
		return "ok";
	})()`, section, nik)))
	if err != nil || found != "ok" {
		t.Errorf("registration %s: %q, %v", opID, found, err)
	}
	// The getting-started guide leads the description (and the side menu).
	guide, err := chromedp.Run(browser, chromedp.Evaluate[bool](
		`document.body.innerText.includes("Getting started") && document.body.innerText.includes("error_details")`))
	if err != nil || !guide {
		t.Errorf("the Getting started section is missing: %v", err)
	}
	saveShot("julo-docs-register.png", "the registration")

	// No full-page screenshot: with the loan routes the document's page is
	// taller than chromium can capture in one image ("Page is too large");
	// the two above show the top and an operation.
	// Search runs in Redoc's worker (worker-src blob:): it finds the registration.
	sctx, cancelSearch := context.WithTimeout(browser, 15*time.Second)
	defer cancelSearch()
	if err := chromedp.Do(sctx,
		chromedp.SendKeys(chromedp.CSS(`input[aria-label="Search"]`), "Register a customer"),
		chromedp.WaitVisible(chromedp.CSS(`ul[data-role="search:results"] li`)),
	); err != nil {
		t.Errorf("search: %v", err)
	}
	// A last round trip: every event sent before its answer has been seen.
	if _, err := chromedp.Run(browser, chromedp.Evaluate[int](`1`)); err != nil {
		t.Error(err)
	}
	problems.check(t)
}

// The page and its assets over plain HTTP (no browser), as the program serves
// them: no credentials, the CSP, the assets' types.
func TestDocsPageHTTP(t *testing.T) {
	s := startServer(t, nil)
	res, err := http.Get(s.URL + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") {
		t.Fatalf("GET /docs: %s %q, CSP %q", res.Status, res.Header.Get("Content-Type"), csp)
	}
	res, err = http.Get(s.URL + "/docs/redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || res.Header.Get("ETag") == "" {
		t.Fatalf("GET /docs/redoc.standalone.js: %s %q %q", res.Status, res.Header.Get("Content-Type"), res.Header.Get("ETag"))
	}
}
