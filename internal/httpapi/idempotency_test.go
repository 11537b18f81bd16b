package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// memIdempotency is IdempotencyStore in memory, with the database's rules
// (store.DB's are tested on both dialects in internal/store).
type memIdempotency struct {
	mu     sync.Mutex
	rows   map[string]*memIdemRow
	n      int
	renews atomic.Int64
	failOn string // "claim", "save": that call fails
}

type memIdemRow struct {
	fp, token      string
	lease, created time.Time
	answer         []byte
}

func newMemIdempotency() *memIdempotency { return &memIdempotency{rows: map[string]*memIdemRow{}} }

func memKey(p int64, key string) string { return strconv.FormatInt(p, 10) + "\x00" + key }

func (m *memIdempotency) ClaimIdempotencyKey(_ context.Context, p int64, key, fp string, at time.Time, lease, keep time.Duration) (julo.IdempotencyClaim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failOn == "claim" {
		return julo.IdempotencyClaim{}, fmt.Errorf("database down")
	}
	row := m.rows[memKey(p, key)]
	if row == nil || row.answer == nil && !row.lease.After(at) || row.answer != nil && !row.created.After(at.Add(-keep)) {
		m.n++
		tok := fmt.Sprintf("token-%d", m.n)
		m.rows[memKey(p, key)] = &memIdemRow{fp: fp, token: tok, lease: at.Add(lease), created: at}
		return julo.IdempotencyClaim{Outcome: julo.IdemClaimed, Token: tok}, nil
	}
	switch {
	case row.fp != fp:
		return julo.IdempotencyClaim{Outcome: julo.IdemMismatch}, nil
	case row.answer == nil:
		return julo.IdempotencyClaim{Outcome: julo.IdemRunning}, nil
	}
	return julo.IdempotencyClaim{Outcome: julo.IdemReplay, Answer: bytes.Clone(row.answer)}, nil
}

func (m *memIdempotency) RenewIdempotencyKey(_ context.Context, p int64, key, token string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.renews.Add(1)
	row := m.rows[memKey(p, key)]
	if row == nil || row.token != token || row.answer != nil {
		return false, nil
	}
	row.lease = until
	return true, nil
}

func (m *memIdempotency) SaveIdempotentAnswer(_ context.Context, p int64, key, token string, answer []byte, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failOn == "save" {
		return false, fmt.Errorf("database down")
	}
	row := m.rows[memKey(p, key)]
	if row == nil || row.token != token || row.answer != nil {
		return false, nil
	}
	row.answer, row.token = bytes.Clone(answer), ""
	return true, nil
}

func (m *memIdempotency) ReleaseIdempotencyKey(_ context.Context, p int64, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if row := m.rows[memKey(p, key)]; row != nil && row.token == token && row.answer == nil {
		delete(m.rows, memKey(p, key))
	}
	return nil
}

func (m *memIdempotency) held() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

// idemRig is the middleware around a test handler, with a clock, for the
// partner the "partner" header names (1 when absent).
type idemRig struct {
	s     *Server
	store *memIdempotency
	now   time.Time
	mu    sync.Mutex
	h     http.Handler
}

func newIdemRig(t *testing.T, h http.HandlerFunc) *idemRig {
	t.Helper()
	g := &idemRig{store: newMemIdempotency(), now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	svc := ServicesOf(onboarding.New(onboarding.Deps{}))
	svc.Idempotency = g.store
	g.s = New(svc, slog.New(slog.DiscardHandler), Config{SpoolDir: t.TempDir(), MaxBodyBytes: 8 << 20,
		Idempotency: IdempotencyConfig{Now: g.clock}})
	inner := g.s.idempotent(h)
	g.h = g.s.limitBody(g.s.cfg.MaxBodyBytes, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.Header.Get("partner"), 10, 64)
		if err != nil {
			id = 1
		}
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), partnerKey{}, julo.Partner{ID: id})))
	}))
	return g
}

func (g *idemRig) clock() time.Time { g.mu.Lock(); defer g.mu.Unlock(); return g.now }

func (g *idemRig) advance(d time.Duration) { g.mu.Lock(); g.now = g.now.Add(d); g.mu.Unlock() }

// send makes a request: header pairs after the body ("Idempotency-Key",
// "k", "Content-Type", ...).
func (g *idemRig) send(method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Content-Type" {
			r.Header.Set(hdr[i], hdr[i+1])
		} else {
			r.Header.Add(hdr[i], hdr[i+1])
		}
	}
	w := httptest.NewRecorder()
	g.h.ServeHTTP(w, r)
	return w
}

func codeOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || len(e.Details) != 1 {
		t.Fatalf("not a failure of one problem: %d %s", w.Code, w.Body)
	}
	return e.Details[0].Code
}

// A handler that answers 201 with a body naming its run, counting runs.
func countingHandler(runs *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := runs.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Location", "/things/"+strconv.FormatInt(n, 10))
		respond(w, http.StatusCreated, map[string]any{"run": n, "body_bytes": len(b)})
	}
}

// The first request runs; the same request again is its answer byte for
// byte, marked, without a second run; the same key with another request is
// a 422 naming the key; another partner's equal key is another key; a
// request without the header, or a GET, runs every time.
func TestIdempotentReplayIsTheFirstAnswer(t *testing.T) {
	var runs atomic.Int64
	g := newIdemRig(t, countingHandler(&runs))
	first := g.send("POST", "/x", `{"a":1}`, "Idempotency-Key", "k-1")
	if first.Code != 201 || first.Header().Get(IdempotentReplayedHeader) != "" {
		t.Fatalf("first: %d %v", first.Code, first.Header())
	}
	g.advance(23 * time.Hour)
	again := g.send("POST", "/x", `{"a":1}`, "Idempotency-Key", "k-1")
	if again.Code != 201 || again.Body.String() != first.Body.String() || again.Header().Get(IdempotentReplayedHeader) != "true" ||
		again.Header().Get("Location") != "/things/1" || again.Header().Get("Content-Type") != first.Header().Get("Content-Type") ||
		again.Header().Get("Cache-Control") != "no-store" || runs.Load() != 1 {
		t.Fatalf("replay: %d %v %s (runs %d)", again.Code, again.Header(), again.Body, runs.Load())
	}
	other := g.send("POST", "/x", `{"a":2}`, "Idempotency-Key", "k-1", "Accept-Language", "en")
	if other.Code != 422 || codeOf(t, other) != i18n.IdempotencyKeyReused || !strings.Contains(other.Body.String(), `Idempotency-Key \"k-1\"`) {
		t.Fatalf("another request: %d %s", other.Code, other.Body)
	}
	if w := g.send("PATCH", "/x", `{"a":1}`, "Idempotency-Key", "k-1"); w.Code != 422 {
		t.Fatalf("another method: %d", w.Code)
	}
	if w := g.send("POST", "/y", `{"a":1}`, "Idempotency-Key", "k-1"); w.Code != 422 {
		t.Fatalf("another path: %d", w.Code)
	}
	if w := g.send("POST", "/x", `{"a":1}`, "Idempotency-Key", "k-1", "partner", "2"); w.Code != 201 || w.Header().Get(IdempotentReplayedHeader) != "" {
		t.Fatalf("another partner: %d %v", w.Code, w.Header())
	}
	for range 2 {
		g.send("POST", "/x", `{"a":1}`)
		g.send("GET", "/x", ``, "Idempotency-Key", "k-1")
	}
	if runs.Load() != 6 {
		t.Fatalf("%d runs, want 6", runs.Load())
	}
	// Past the window the key is new again.
	g.advance(time.Hour)
	if w := g.send("POST", "/x", `{"a":2}`, "Idempotency-Key", "k-1"); w.Code != 201 || w.Header().Get(IdempotentReplayedHeader) != "" {
		t.Fatalf("after 24 h: %d %s", w.Code, w.Body)
	}
}

// The key must be 1-255 printable ASCII characters and sent once; else a
// 400 naming the header, before the body is read or anything runs.
func TestIdempotencyKeyMustBePrintableASCII(t *testing.T) {
	var runs atomic.Int64
	g := newIdemRig(t, countingHandler(&runs))
	for _, bad := range []string{"", strings.Repeat("k", 256), "kunci-é", "tab\there", "nul\x00", "del\x7f"} {
		w := g.send("POST", "/x", `{}`, "Idempotency-Key", bad, "Accept-Language", "en")
		if w.Code != 400 || codeOf(t, w) != i18n.IdempotencyKeyInvalid || !strings.Contains(w.Body.String(), "Idempotency-Key") {
			t.Fatalf("key %q: %d %s", bad, w.Code, w.Body)
		}
	}
	w := g.send("POST", "/x", `{}`, "Idempotency-Key", "a", "Idempotency-Key", "b", "Accept-Language", "en")
	if w.Code != 400 || codeOf(t, w) != i18n.DuplicateHeader || !strings.Contains(w.Body.String(), "Idempotency-Key") {
		t.Fatalf("twice: %d %s", w.Code, w.Body)
	}
	if runs.Load() != 0 || g.store.held() != 0 {
		t.Fatalf("%d runs, %d keys held after refusals", runs.Load(), g.store.held())
	}
	for _, good := range []string{"k", strings.Repeat("k", 255), `a b~!"#$%&'()*+,-./:;<=>?@[\]^_{|}`, "550e8400-e29b-41d4-a716-446655440000"} {
		if w := g.send("POST", "/x", `{}`, "Idempotency-Key", good); w.Code != 201 {
			t.Fatalf("key %q: %d %s", good, w.Code, w.Body)
		}
	}
}

// The fingerprint reads the request as the routes do: JSON in any key
// order and spacing, a form in any field order, the query's fields in any
// order, the path with or without its trailing slash, a multipart body
// under any boundary, are the same request; a changed value, file byte or
// media type is another.
func TestIdempotencyFingerprintIsOfTheCanonicalRequest(t *testing.T) {
	var runs atomic.Int64
	g := newIdemRig(t, countingHandler(&runs))
	form := "application/x-www-form-urlencoded"
	mp := func(boundary string, file []byte, ct string) (string, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.SetBoundary(boundary)
		mw.WriteField("image_type", "selfie")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="upload"; filename="x.png"`)
		h.Set("Content-Type", ct)
		pw, _ := mw.CreatePart(h)
		pw.Write(file)
		mw.Close()
		return b.String(), mw.FormDataContentType()
	}
	big := bytes.Repeat([]byte{0xAB}, 3<<20) // spooled, not held in memory
	type r struct{ method, target, body, ct string }
	for i, tc := range []struct {
		first, same, other r
	}{
		{r{"POST", "/x", `{"a":1,"b":{"y":"2","x":[1,2]}}`, "application/json"},
			r{"POST", "/x/", " {\"b\": {\"x\": [1, 2], \"y\": \"2\"},\n \"a\": 1} ", "application/json"},
			r{"POST", "/x", `{"a":1,"b":{"y":"2","x":[2,1]}}`, "application/json"}},
		{r{"POST", "/x", `{"a":1,"a":2}`, ""}, r{"POST", "/x", `{"a":2}`, ""}, r{"POST", "/x", `{"a":2}`, "application/json"}},
		{r{"POST", "/x?b=2&a=1", "p=1&q=2", form}, r{"POST", "/x?a=1&b=2", "q=2&p=1", form + "; charset=utf-8"},
			r{"POST", "/x?a=1&b=3", "q=2&p=1", form}},
		{r{"PATCH", "/x", "p=1&q=2", form}, r{"PATCH", "/x", "q=2&p=1", form}, r{"PATCH", "/x", "p=1&q=3", form}},
		{r{"POST", "/x", "not { json", "text/plain"}, r{"POST", "/x", "not { json", "text/plain"},
			r{"POST", "/x", "not  { json", "text/plain"}},
	} {
		key := fmt.Sprintf("case-%d", i)
		if w := g.send(tc.first.method, tc.first.target, tc.first.body, "Idempotency-Key", key, "Content-Type", tc.first.ct); w.Code != 201 {
			t.Fatalf("%d first: %d %s", i, w.Code, w.Body)
		}
		if w := g.send(tc.same.method, tc.same.target, tc.same.body, "Idempotency-Key", key, "Content-Type", tc.same.ct); w.Header().Get(IdempotentReplayedHeader) != "true" {
			t.Fatalf("%d: %+v is not taken as %+v: %d %s", i, tc.same, tc.first, w.Code, w.Body)
		}
		if w := g.send(tc.other.method, tc.other.target, tc.other.body, "Idempotency-Key", key, "Content-Type", tc.other.ct); w.Code != 422 {
			t.Fatalf("%d: %+v is taken as %+v: %d %s", i, tc.other, tc.first, w.Code, w.Body)
		}
	}
	for _, file := range [][]byte{[]byte("small image"), big} {
		key := fmt.Sprintf("upload-%d", len(file))
		b1, ct1 := mp("boundary-one", file, "image/png")
		w := g.send("POST", "/x", b1, "Idempotency-Key", key, "Content-Type", ct1)
		var d struct {
			Data struct {
				BodyBytes int `json:"body_bytes"`
			}
		}
		json.Unmarshal(w.Body.Bytes(), &d)
		if w.Code != 201 || d.Data.BodyBytes != len(b1) {
			t.Fatalf("upload of %d: %d %s (the handler read %d of %d bytes)", len(file), w.Code, w.Body, d.Data.BodyBytes, len(b1))
		}
		b2, ct2 := mp("another-boundary-entirely", file, "image/png")
		if w := g.send("POST", "/x", b2, "Idempotency-Key", key, "Content-Type", ct2); w.Header().Get(IdempotentReplayedHeader) != "true" {
			t.Fatalf("the same upload under another boundary: %d %s", w.Code, w.Body)
		}
		changed := append(bytes.Clone(file[:len(file)-1]), file[len(file)-1]+1)
		b3, ct3 := mp("boundary-one", changed, "image/png")
		if w := g.send("POST", "/x", b3, "Idempotency-Key", key, "Content-Type", ct3); w.Code != 422 {
			t.Fatalf("another file byte: %d %s", w.Code, w.Body)
		}
	}
}

// While the key's first request runs, the same request is a 409 with
// Retry-After: 1, and nothing runs twice; its lease is renewed as it runs.
func TestIdempotencyKeyInUseIs409(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	var runs atomic.Int64
	g := newIdemRig(t, func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		entered <- struct{}{}
		<-release
		respond(w, http.StatusCreated, "done")
	})
	g.s.cfg.Idempotency.Lease = 30 * time.Millisecond
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- g.send("POST", "/x", `{}`, "Idempotency-Key", "slow") }()
	<-entered
	for range 3 {
		w := g.send("POST", "/x", `{}`, "Idempotency-Key", "slow")
		if w.Code != 409 || w.Header().Get("Retry-After") != "1" || codeOf(t, w) != i18n.IdempotencyKeyInUse {
			t.Fatalf("while running: %d %v %s", w.Code, w.Header(), w.Body)
		}
	}
	// The ticker renews every 10 ms; wait (bounded) for two renewals.
	for deadline := time.Now().Add(5 * time.Second); g.store.renews.Load() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the lease was not renewed while the request ran")
		}
	}
	close(release)
	if w := <-done; w.Code != 201 {
		t.Fatalf("first: %d", w.Code)
	}
	if w := g.send("POST", "/x", `{}`, "Idempotency-Key", "slow"); w.Code != 201 || w.Header().Get(IdempotentReplayedHeader) != "true" || runs.Load() != 1 {
		t.Fatalf("after: %d %v (runs %d)", w.Code, w.Header(), runs.Load())
	}
}

// 2xx and 409 answers are kept; 5xx, 429, 423, 400 and 404 are not (the
// claim is released and the retry runs); a handler that panics releases
// it too; an answer the store fails to keep is still given.
func TestIdempotencyKeepsOnly2xxAnd409(t *testing.T) {
	var status atomic.Int64
	var runs atomic.Int64
	g := newIdemRig(t, func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		switch s := int(status.Load()); {
		case s == 0:
			panic("boom")
		case s < 300:
			respond(w, s, "ok")
		default:
			writeJSON(w, s, envelope{Errors: []string{"x"}, Details: []errorDetail{{Code: "x", Message: "x"}}})
		}
	})
	for _, tc := range []struct {
		status int
		kept   bool
	}{{200, true}, {201, true}, {409, true}, {400, false}, {404, false}, {423, false}, {429, false}, {500, false}, {502, false}, {503, false}} {
		status.Store(int64(tc.status))
		key := "k-" + strconv.Itoa(tc.status)
		before := runs.Load()
		w1 := g.send("POST", "/x", `{}`, "Idempotency-Key", key)
		w2 := g.send("POST", "/x", `{}`, "Idempotency-Key", key)
		if w1.Code != tc.status || w2.Code != tc.status {
			t.Fatalf("%d: answered %d, %d", tc.status, w1.Code, w2.Code)
		}
		if replayed := w2.Header().Get(IdempotentReplayedHeader) == "true"; replayed != tc.kept || runs.Load()-before != map[bool]int64{true: 1, false: 2}[tc.kept] {
			t.Fatalf("%d: replayed %v, runs %d", tc.status, replayed, runs.Load()-before)
		}
	}
	status.Store(0)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		g.send("POST", "/x", `{}`, "Idempotency-Key", "panics")
	}()
	status.Store(201)
	if w := g.send("POST", "/x", `{}`, "Idempotency-Key", "panics"); w.Code != 201 || w.Header().Get(IdempotentReplayedHeader) != "" {
		t.Fatalf("after a panic: %d %v", w.Code, w.Header())
	}
	g.store.failOn = "save"
	if w := g.send("POST", "/x", `{}`, "Idempotency-Key", "unsaved"); w.Code != 201 {
		t.Fatalf("an answer that could not be kept: %d", w.Code)
	}
	g.store.failOn = "claim"
	if w := g.send("POST", "/x", `{}`, "Idempotency-Key", "no-db"); w.Code != 500 {
		t.Fatalf("a claim that failed: %d", w.Code)
	}
}

// Every partner POST and PATCH route honours Idempotency-Key (the rule
// for new routes: register them with s.write): each answers a malformed
// key with the 400 naming the header. A POST route without partner
// authentication (the vendors' callbacks, the sandbox BPJS page) is not a
// partner write.
func TestEveryPartnerWriteRouteHonoursIdempotencyKey(t *testing.T) {
	svc := ServicesOf(onboarding.New(onboarding.Deps{}))
	svc.Auth = anyPartner{}
	s := New(svc, slog.New(slog.DiscardHandler), Config{Sandbox: true})
	checked := 0
	for _, pattern := range s.Patterns() {
		method, p, _ := strings.Cut(pattern, " ")
		if method != "POST" && method != "PATCH" || strings.HasSuffix(p, "/{$}") {
			continue
		}
		target := p
		for strings.Contains(target, "{") {
			i, j := strings.Index(target, "{"), strings.Index(target, "}")
			target = target[:i] + "7040253099" + target[j+1:]
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(method, target, strings.NewReader(`{}`)))
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), `"code":"`+i18n.Unauthorized+`"`) {
			continue // not a partner route (a vendor's callback is refused by its signature)
		}
		w = httptest.NewRecorder()
		r := httptest.NewRequest(method, target, strings.NewReader(`{}`))
		r.Header.Set("username", "p")
		r.Header.Set("secret-key", "s")
		r.Header.Set(IdempotencyKeyHeader, "bad\x01key")
		s.ServeHTTP(w, r)
		if w.Code != 400 || !strings.Contains(w.Body.String(), i18n.IdempotencyKeyInvalid) {
			t.Errorf("%s: a malformed Idempotency-Key answered %d %s", pattern, w.Code, w.Body)
		}
		checked++
	}
	if checked < 8 {
		t.Fatalf("checked %d partner write routes", checked)
	}
}

// anyPartner authenticates username "p" (any secret) and counts nothing.
type anyPartner struct{}

func (anyPartner) Authenticate(_ context.Context, u, _ string) (julo.Partner, error) {
	if u != "p" {
		return julo.Partner{}, julo.Errorf(julo.EUNAUTHORIZED, "", i18n.Unauthorized)
	}
	return julo.Partner{ID: 1, Username: "p"}, nil
}

func (anyPartner) CountRequest(context.Context, julo.Partner) error { return nil }

// Every partner POST and PATCH operation of the document says what the
// middleware does: the Idempotency-Key parameter, Idempotent-Replayed on
// each 2xx, the 409 (with its Retry-After) and the 422. The vendors'
// callbacks and the sandbox's BPJS page are not partner writes.
func TestOpenAPIDocumentsIdempotencyOnEveryPartnerWrite(t *testing.T) {
	doc, err := libopenapi.NewDocument(openapiYAML)
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for path, item := range m.Model.Paths.PathItems.FromOldest() {
		if !strings.HasPrefix(path, "/api/partnership/v1/") || strings.HasPrefix(path, "/api/partnership/v1/sandbox/bpjs/") {
			continue
		}
		for method, op := range item.GetOperations().FromOldest() {
			if method != "post" && method != "patch" {
				continue
			}
			where := strings.ToUpper(method) + " " + path
			checked++
			hasParam := false
			for _, p := range append(append([]*v3.Parameter(nil), item.Parameters...), op.Parameters...) {
				if p.In == "header" && p.Name == IdempotencyKeyHeader {
					hasParam = true
				}
			}
			if !hasParam {
				t.Errorf("%s: no Idempotency-Key parameter", where)
			}
			for _, code := range []string{"409", "422"} {
				if _, ok := op.Responses.Codes.Get(code); !ok {
					t.Errorf("%s: no %s answer", where, code)
				}
			}
			for code, resp := range op.Responses.Codes.FromOldest() {
				if !strings.HasPrefix(code, "2") && code != "409" {
					continue
				}
				if _, ok := resp.Headers.Get(IdempotentReplayedHeader); !ok {
					t.Errorf("%s %s: no Idempotent-Replayed header", where, code)
				}
				if _, ok := resp.Headers.Get("Retry-After"); code == "409" && !ok {
					t.Errorf("%s 409: no Retry-After header", where)
				}
			}
		}
	}
	if checked < 9 {
		t.Fatalf("checked only %d operations", checked)
	}
}
