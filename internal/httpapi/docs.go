package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The documentation page (GET /docs): Redoc renders the server's own OpenAPI
// document in the browser, with nothing loaded from another host. The Redoc
// bundle is vendored by tools/docsgen (pinned version and integrity there;
// its licenses are docs/LICENSE.redoc and docs/redoc.standalone.js.LICENSE.txt,
// see NOTICE).

//go:embed docs/index.html docs/docs.js docs/docs.css docs/getting-started.md docs/redoc.standalone.js
var docsFiles embed.FS

const (
	docsSpecJSON = "/api/partnership/v1/openapi.json"
	docsSpecYAML = "/api/partnership/v1/openapi.yaml"
)

// docsCSP is the page's Content-Security-Policy, as strict as Redoc allows:
//   - script-src 'self': Redoc's bundle and the page's docs.js, no inline
//     script and no eval;
//   - style-src 'self' 'unsafe-inline': Redoc styles itself with
//     styled-components, which inserts <style> elements at run time and has
//     no nonce hook in the standalone bundle; this allows CSS only, never
//     script;
//   - img-src 'self' data:: Redoc's icons are inline data: images;
//   - connect-src 'self': docs.js fetches the OpenAPI document and the guide
//     from this server;
//   - worker-src 'self' blob:: Redoc's search index runs in a Web Worker that
//     the bundle creates from a blob: URL of its own code (no request is made).
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docsAsset is one embedded file of the page, served with an ETag of its
// content hash; a request carrying ?v=HASH (the page's own links) may be
// cached for a year, since another content has another URL.
type docsAsset struct {
	ctype string
	body  []byte
	hash  string // hex SHA-256, 16 digits

	gzOnce sync.Once
	gz     []byte
}

func newDocsAsset(name, ctype string) *docsAsset {
	b, err := docsFiles.ReadFile("docs/" + name)
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	sum := sha256.Sum256(b)
	return &docsAsset{ctype: ctype, body: b, hash: hex.EncodeToString(sum[:8])}
}

// gzipped is the asset gzip-compressed, computed on first use.
func (a *docsAsset) gzipped() []byte {
	a.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(a.body)
		zw.Close()
		a.gz = buf.Bytes()
	})
	return a.gz
}

func (a *docsAsset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	body, etag := a.body, `"`+a.hash+`"`
	if docsAcceptsGzip(r) && len(a.body) > 1024 {
		body, etag = a.gzipped(), `"`+a.hash+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// docsAcceptsGzip reports whether Accept-Encoding lists gzip with a non-zero q.
func docsAcceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

var docsPage = template.Must(template.ParseFS(docsFiles, "docs/index.html"))

// docsRoutes registers the documentation page and its assets; like the
// OpenAPI document, they need no partner credentials.
func (s *Server) docsRoutes() {
	assets := map[string]*docsAsset{
		"redoc.standalone.js": newDocsAsset("redoc.standalone.js", "text/javascript; charset=utf-8"),
		"docs.js":             newDocsAsset("docs.js", "text/javascript; charset=utf-8"),
		"docs.css":            newDocsAsset("docs.css", "text/css; charset=utf-8"),
		"getting-started.md":  newDocsAsset("getting-started.md", "text/markdown; charset=utf-8"),
	}
	url := func(name string) string { return "/docs/" + name + "?v=" + assets[name].hash }
	var buf bytes.Buffer
	err := docsPage.Execute(&buf, map[string]string{
		"CSS": url("docs.css"), "Redoc": url("redoc.standalone.js"), "JS": url("docs.js"),
		"Guide": url("getting-started.md"), "SpecJSON": docsSpecJSON, "SpecYAML": docsSpecYAML,
	})
	if err != nil {
		panic(err) // embedded template and fixed data: cannot happen
	}
	html := buf.Bytes()
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// The page names its assets by content hash: revalidate it, cache them.
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", strconv.Itoa(len(html)))
		if r.Method != http.MethodHead {
			w.Write(html)
		}
	})
	s.mux.Handle("GET /docs", page)
	s.mux.Handle("GET /docs/{$}", page)
	for name, a := range assets {
		s.mux.Handle("GET /docs/"+name, a)
	}
}
