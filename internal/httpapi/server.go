// Package httpapi is the partner API over HTTP: routes, the request decoder,
// the envelope, partner authentication and the error-code table. Handlers
// decode, make one domain call and encode; no SQL and no rules live here.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Config tunes the HTTP layer.
type Config struct {
	// MaxBodyBytes bounds every request body (uploads have their own bound).
	MaxBodyBytes int64
	// MaxUploadBytes bounds an image upload request (default 10 MiB).
	MaxUploadBytes int64
	// SpoolDir is where image uploads are spooled while they are received
	// and checked (default os.TempDir()); each file is removed when its
	// request ends.
	SpoolDir string
	// MaxHeaderBytes bounds the request line and headers (default 64 KiB).
	// Give the http.Server the same limit: net/http reads up to 4 KiB
	// more, the answer past this one is the envelope's 431 (ServeHTTP),
	// and past net/http's a Listener puts the envelope in place of
	// net/http's plain text.
	MaxHeaderBytes int
	// MinBodyRate is the slowest a request body may arrive, in bytes per
	// second on average since the handler started, once BodyGrace has
	// passed: a slower client is answered 408 and its connection closed.
	// 0: no floor (the http.Server's ReadTimeout alone bounds a body).
	MinBodyRate int64
	// BodyGrace is how long a body may take before MinBodyRate applies.
	BodyGrace time.Duration
	// MaxBodyTime bounds the time a body may take in all, whatever its
	// rate, when MinBodyRate is set (0: no bound). Set it to the
	// http.Server's ReadTimeout, which the floor's deadlines replace.
	MaxBodyTime time.Duration
	// HSTS adds Strict-Transport-Security to every answer (production,
	// which is served over TLS).
	HSTS bool
	// Sandbox adds the sandbox-only routes.
	Sandbox bool
	// Observer is told of every answered request (metrics); nil: nobody.
	Observer Observer
	// Idempotency tunes the Idempotency-Key middleware (idempotency.go).
	Idempotency IdempotencyConfig
}

// Server is the partner API handler.
type Server struct {
	auth Authenticator
	idem IdempotencyStore
	log  *slog.Logger
	cfg  Config
	mux  *routeMux
	// static keeps the reference reads' encoded answers (static.go).
	static staticAnswers
}

// routeMux is the ServeMux that remembers every pattern registered on it,
// so that a test can hold the routes to the OpenAPI document.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// New returns the partner API as an http.Handler, calling svc. It panics
// when a field of svc that the routes need is nil (see Services).
func New(svc Services, log *slog.Logger, cfg Config) *Server {
	svc.check(cfg.Sandbox)
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 10 << 20
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 64 << 10
	}
	if cfg.MinBodyRate > 0 && cfg.BodyGrace <= 0 {
		cfg.BodyGrace = 5 * time.Second
	}
	cfg.Idempotency.defaults()
	s := &Server{auth: svc.Auth, idem: svc.Idempotency, log: log, cfg: cfg, mux: &routeMux{ServeMux: http.NewServeMux()}}
	s.routes(svc)
	return s
}

// handle registers h for pattern ("METHOD /path") and for the same path with a
// trailing slash (errata 1: both forms work, without a redirect), with the
// request body bounded by MaxBodyBytes.
func (s *Server) handle(pattern string, h http.Handler) {
	s.handleLimited(pattern, s.cfg.MaxBodyBytes, h)
}

// handleUpload is handle for routes that take a file, bounded by MaxUploadBytes.
func (s *Server) handleUpload(pattern string, h http.Handler) {
	s.handleLimited(pattern, s.cfg.MaxUploadBytes, h)
}

func (s *Server) handleLimited(pattern string, limit int64, h http.Handler) {
	h = s.limitBody(limit, h)
	s.mux.Handle(pattern, h)
	s.mux.Handle(pattern+"/{$}", h)
}

// limitBody refuses a body over limit: at once when Content-Length says so
// (before reading any of it), otherwise when reading passes the limit.
// Either way the connection closes after the 413, once the rest of the body
// is read and discarded (within linger's bounds), so that a client still
// writing it gets the answer rather than a reset. Below the bound, the body
// must arrive at MinBodyRate or faster (see pacedBody).
func (s *Server) limitBody(limit int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.Body
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			fail(w, r, julo.Errorf(julo.ETOOLARGE, "", i18n.BodyTooLarge, limit))
			if !expectsContinue(r) {
				linger(w, raw)
			}
			return
		}
		body := &limitedBody{ReadCloser: http.MaxBytesReader(w, newPacedBody(w, raw, s.cfg), limit), w: w}
		r.Body = body
		h.ServeHTTP(w, r)
		if body.hit {
			linger(w, raw)
		}
	})
}

// reqInfo is what the access log needs to know about a request; handlers
// deeper down fill in the partner.
type reqInfo struct {
	id       string
	partner  string
	log      *slog.Logger
	internal bool // it failed with an internal error (see fail)
}

type ctxKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	if i, ok := ctx.Value(ctxKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{log: slog.Default()}
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ServeHTTP adds the request id, the access log line, panic recovery, the body
// bound and the envelope for the mux's own 404 and 405 answers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &reqInfo{id: r.Header.Get("X-Request-Id"), log: s.log}
	if !requestIDRE.MatchString(info.id) {
		b := make([]byte, 8)
		rand.Read(b)
		info.id = hex.EncodeToString(b)
	}
	w.Header().Set("X-Request-Id", info.id)
	if s.cfg.HSTS {
		w.Header().Set("Strict-Transport-Security", hstsValue)
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, info))
	// Routes bound the body (see handle); unmatched requests never read it.
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic", "request_id", info.id, "panic", p)
			if sw.status == 0 {
				fail(sw, r, &julo.Error{Code: julo.EINTERNAL})
			}
		}
		// Only the route pattern is logged, never the path or query: they
		// can hold personal data (a NIK in a query string).
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.log.Info("request", "request_id", info.id, "method", r.Method, "route", route,
			"status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000,
			"partner", info.partner, "bytes", sw.bytes)
		s.observe(route, sw.status, time.Since(start), info)
	}()
	if n := headerBytes(r); n > s.cfg.MaxHeaderBytes {
		fail(sw, r, julo.Errorf(julo.EHEADERS, "", i18n.HeadersTooLarge, s.cfg.MaxHeaderBytes))
		return
	}
	// ServeMux would redirect an unclean path ("//", "/./"); a redirect
	// breaks POST clients (errata 1), so serve the clean path directly.
	if clean := cleanPath(r.URL.Path); clean != r.URL.Path {
		r.URL.Path, r.URL.RawPath = clean, ""
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unmatched(sw, r)
		return
	}
	s.mux.ServeHTTP(sw, r)
}

// headerBytes is about what the request line and headers took on the wire.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + 12
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// cleanPath is path.Clean keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// unmatched answers 404, or 405 with the methods the path has, in the envelope.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.WithContext(r.Context()) // a shallow copy, to ask about another method
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		fail(w, r, julo.Errorf(julo.ENOTFOUND, "", i18n.NotFound))
		return
	}
	methods := strings.Join(allow, ", ")
	if allow[0] == http.MethodGet {
		w.Header().Set("Allow", strings.Replace(methods, "GET", "GET, HEAD", 1))
	} else {
		w.Header().Set("Allow", methods)
	}
	fail(w, r, julo.Errorf(julo.EMETHOD, "", i18n.MethodNotAllowed, r.Method, methods))
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// partnerKey holds the authenticated partner in the request context.
type partnerKey struct{}

// authenticated wraps h so that it runs only for a valid username +
// secret-key pair (errata 2); any failure is the same 401. Either header
// sent twice is a 400 before any check: which of the two a proxy or a
// framework would pass on is anyone's guess, so neither is used. An
// authenticated request then spends a unit of the partner's
// requests_per_second budget (a 429 when none is left, before h runs), and
// its answer carries the RateLimit-* headers of the budgets it spent (see
// rateLimitHeaders).
func (s *Server) authenticated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ps julo.Problems
		for _, name := range []string{"username", "secret-key"} {
			if len(r.Header.Values(name)) > 1 {
				ps.Add("", i18n.DuplicateHeader, name)
			}
		}
		if err := ps.Err(); err != nil {
			fail(w, r, err)
			return
		}
		p, err := s.auth.Authenticate(r.Context(), r.Header.Get("username"), r.Header.Get("secret-key"))
		if err != nil {
			fail(w, r, err)
			return
		}
		infoFrom(r.Context()).partner = p.Username
		ctx := onboarding.WithQuotaReport(r.Context(), newRateLimitHeaders(w).report)
		if err := s.auth.CountRequest(ctx, p); err != nil {
			fail(w, r, err)
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(ctx, partnerKey{}, p)))
	})
}

func partnerFrom(ctx context.Context) julo.Partner {
	p, _ := ctx.Value(partnerKey{}).(julo.Partner)
	return p
}

// decode reads the request's fields into dst (see fields.decodeInto). On a
// malformed request it writes the failure and returns false.
func decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	f, err := readFields(r)
	if err != nil {
		fail(w, r, err)
		return false
	}
	f.decodeInto(dst)
	return true
}
