package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serveDocs(t *testing.T, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	testServer(&bytes.Buffer{}).ServeHTTP(w, r)
	return w
}

// The page needs no credentials, sends the strict CSP and links only to its
// own assets by content hash, with no inline script.
func TestDocsPage(t *testing.T) {
	for _, target := range []string{"/docs", "/docs/"} {
		w := serveDocs(t, "GET", target, nil)
		if w.Code != 200 || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: %d %q", target, w.Code, w.Header().Get("Content-Type"))
		}
		csp := w.Header().Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "img-src 'self' data:",
			"base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("CSP %q lacks %q", csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") || strings.Contains(csp, "*") {
			t.Errorf("CSP too loose: %q", csp)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("headers: %v", w.Header())
		}
		body := w.Body.String()
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+=`).MatchString(body) {
			t.Errorf("inline script in the page:\n%s", body)
		}
		for _, src := range []string{"/docs/redoc.standalone.js?v=", "/docs/docs.js?v=", "/docs/docs.css?v=", "/docs/getting-started.md?v=",
			`data-spec-url="/api/partnership/v1/openapi.json"`} {
			if !strings.Contains(body, src) {
				t.Errorf("the page does not name %s:\n%s", src, body)
			}
		}
	}
}

func TestDocsAssets(t *testing.T) {
	page := serveDocs(t, "GET", "/docs", nil).Body.String()
	for name, ctype := range map[string]string{
		"redoc.standalone.js": "text/javascript; charset=utf-8",
		"docs.js":             "text/javascript; charset=utf-8",
		"docs.css":            "text/css; charset=utf-8",
		"getting-started.md":  "text/markdown; charset=utf-8",
	} {
		link := regexp.MustCompile(`/docs/` + regexp.QuoteMeta(name) + `\?v=([0-9a-f]{16})`).FindStringSubmatch(page)
		if link == nil {
			t.Fatalf("no link to %s in the page", name)
		}
		want, _ := docsFiles.ReadFile("docs/" + name)

		// The page's own link: the content, cached for a year.
		w := serveDocs(t, "GET", link[0], nil)
		if w.Code != 200 || w.Header().Get("Content-Type") != ctype || !bytes.Equal(w.Body.Bytes(), want) {
			t.Fatalf("GET %s: %d %q, %d bytes", link[0], w.Code, w.Header().Get("Content-Type"), w.Body.Len())
		}
		if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", link[0], cc)
		}
		etag := w.Header().Get("ETag")
		if etag != `"`+link[1]+`"` {
			t.Errorf("%s: ETag %q", name, etag)
		}
		// Without the hash (or with a stale one): revalidated, by ETag.
		w = serveDocs(t, "GET", "/docs/"+name+"?v=0123456789abcdef", nil)
		if w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s with a stale hash: %d %q", name, w.Code, w.Header().Get("Cache-Control"))
		}
		w = serveDocs(t, "GET", "/docs/"+name, http.Header{"If-None-Match": {etag}})
		if w.Code != 304 || w.Body.Len() != 0 {
			t.Errorf("%s If-None-Match: %d, %d bytes", name, w.Code, w.Body.Len())
		}
		// Compressed for clients that take gzip.
		w = serveDocs(t, "GET", link[0], http.Header{"Accept-Encoding": {"br, gzip"}})
		if len(want) > 1024 {
			if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("ETag") == etag {
				t.Fatalf("%s gzip: %v", name, w.Header())
			}
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s gzip: %v, %d bytes", name, err, len(got))
			}
		}
	}
	// HEAD: the headers alone.
	w := serveDocs(t, "HEAD", "/docs/docs.js", nil)
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	// Only the page's files are served.
	if w := serveDocs(t, "GET", "/docs/LICENSE.redoc", nil); w.Code != 404 {
		t.Errorf("GET /docs/LICENSE.redoc: %d", w.Code)
	}
}

// The bundle is the vendored one: patched to load nothing from another host.
func TestDocsBundleIsPatched(t *testing.T) {
	b, _ := docsFiles.ReadFile("docs/redoc.standalone.js")
	if bytes.Contains(b, []byte("cdn.redoc.ly/redoc/logo")) || !bytes.Contains(b, []byte("exports.Redoc=")) {
		t.Error("docs/redoc.standalone.js is not tools/docsgen's output")
	}
	if !docsAcceptsGzip(&http.Request{Header: http.Header{"Accept-Encoding": {"gzip;q=0.5"}}}) ||
		docsAcceptsGzip(&http.Request{Header: http.Header{"Accept-Encoding": {"gzip;q=0"}}}) {
		t.Error("docsAcceptsGzip")
	}
}
