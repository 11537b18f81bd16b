package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Idempotency keys (issue 11 item 5). Every partner POST and PATCH honours
// an Idempotency-Key header: the first request with a key runs and its
// answer is kept; the same request sent again with the key gets that
// answer byte for byte, with Idempotent-Replayed: true, without running
// again. Keys are the partner's own (two partners' equal keys are two
// keys).
//
//   - A key is 1 to 255 printable ASCII characters (0x20-0x7E; HTTP drops
//     the white space around a header value). Anything else, or the header
//     sent twice, is a 400 naming the header.
//   - The request is fingerprinted (see fingerprint): the same key with
//     another fingerprint is a 422 naming the key.
//   - While the key's first request runs, the same request is a 409 with
//     Retry-After: 1.
//   - Kept: 2xx answers and 409 conflicts (decided: a retry would get the
//     same). Not kept: everything else (5xx, 429, 423, 400, 404, ...): the
//     claim is released and a retry runs again.
//   - Kept for IdempotencyConfig.Keep from the first request (24 h by
//     default); a store's periodic job deletes older keys.
//
// The key is claimed in the database before the request runs (one
// request of any number with one key, on any number of instances, runs),
// with a lease the running request renews; an instance that dies
// mid-request blocks its keys only until the lease lapses.
//
// Order with the budgets: the middleware runs after authentication and
// the requests_per_second budget (a replay, a 409 and a 422 are requests
// like any other and spend a unit of it) and before the handler, so that a
// replay never reaches the domain and never spends a route's budget
// (registrations, pre-register checks, SMS) a second time. The upload
// slots (images.go) are taken before it, since it reads the whole body.

// IdempotencyStore keeps the claims of the partners' keys and the answers
// kept for replays (store.DB). Its answers are opaque bytes to it; it
// hashes keys and fingerprints and seals answers.
type IdempotencyStore interface {
	// ClaimIdempotencyKey claims the partner's key for a request of
	// fingerprint at time at, for lease; answers older than keep count as
	// absent.
	ClaimIdempotencyKey(ctx context.Context, partnerID int64, key, fingerprint string, at time.Time, lease, keep time.Duration) (julo.IdempotencyClaim, error)
	// RenewIdempotencyKey moves the claim's lease to until; false when
	// the claim is no longer the token's.
	RenewIdempotencyKey(ctx context.Context, partnerID int64, key, token string, until time.Time) (bool, error)
	// SaveIdempotentAnswer keeps answer and ends the claim; false when
	// the claim is no longer the token's.
	SaveIdempotentAnswer(ctx context.Context, partnerID int64, key, token string, answer []byte, at time.Time) (bool, error)
	// ReleaseIdempotencyKey gives the claim up: the next request runs.
	ReleaseIdempotencyKey(ctx context.Context, partnerID int64, key, token string) error
}

// IdempotencyConfig tunes the Idempotency-Key middleware.
type IdempotencyConfig struct {
	// Keep is how long a key and its answer are kept from the first
	// request (default 24 h).
	Keep time.Duration
	// Lease is how long a claim holds without renewal (default 1 min);
	// a running request renews it every Lease/3.
	Lease time.Duration
	// Now is the clock of claims and leases (default time.Now).
	Now func() time.Time
}

func (c *IdempotencyConfig) defaults() {
	if c.Keep <= 0 {
		c.Keep = 24 * time.Hour
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

const (
	// IdempotencyKeyHeader is the request header naming a write's key.
	IdempotencyKeyHeader = "Idempotency-Key"
	// IdempotentReplayedHeader marks a replayed answer.
	IdempotentReplayedHeader = "Idempotent-Replayed"
	// maxIdempotencyKey is the longest key.
	maxIdempotencyKey = 255
	// maxKeptAnswer bounds an answer kept for replays; a larger one (no
	// route writes one) is not kept.
	maxKeptAnswer = 1 << 20
	// memoryBody is how much of a body is held in memory while it is
	// fingerprinted; the rest of a larger one (an upload) is spooled.
	memoryBody = 1 << 20
)

// keptHeaders are the headers of an answer kept with it: those that say
// what the body is. Per-request ones (X-Request-Id, the RateLimit-*
// headers, Retry-After, Connection) are the replay's own.
var keptHeaders = []string{"Content-Type", "Content-Language", "Content-Disposition", "Location", "Cache-Control", "X-Content-Type-Options"}

// validIdempotencyKey: 1 to 255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotent wraps a partner write route (after authenticated) with the
// Idempotency-Key rules; a request without the header passes through
// untouched.
func (s *Server) idempotent(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vals := r.Header.Values(IdempotencyKeyHeader)
		if len(vals) == 0 || r.Method != http.MethodPost && r.Method != http.MethodPatch {
			h.ServeHTTP(w, r)
			return
		}
		if len(vals) > 1 {
			fail(w, r, julo.Errorf(julo.EINVALID, "", i18n.DuplicateHeader, IdempotencyKeyHeader))
			return
		}
		key := vals[0]
		if !validIdempotencyKey(key) {
			fail(w, r, julo.Errorf(julo.EINVALID, "", i18n.IdempotencyKeyInvalid))
			return
		}
		fp, body, cleanup, err := s.fingerprint(r)
		defer cleanup()
		if err != nil {
			fail(w, r, err)
			return
		}
		r.Body = body
		cfg, p := s.cfg.Idempotency, partnerFrom(r.Context())
		// The bookkeeping outlives a partner that hangs up: a claim left
		// behind would block its key until the lease lapses.
		ctx := context.WithoutCancel(r.Context())
		c, err := s.idem.ClaimIdempotencyKey(ctx, p.ID, key, fp, cfg.Now(), cfg.Lease, cfg.Keep)
		if err != nil {
			fail(w, r, fmt.Errorf("claiming an idempotency key: %w", err))
			return
		}
		switch c.Outcome {
		case julo.IdemClaimed:
		case julo.IdemReplay:
			replay(w, r, c.Answer)
			return
		case julo.IdemRunning:
			fail(w, r, &julo.Error{Code: julo.ECONFLICT, RetryAfter: time.Second,
				Problems: []julo.Problem{{Msg: i18n.IdempotencyKeyInUse, Args: []any{key}}}})
			return
		case julo.IdemMismatch:
			fail(w, r, julo.Errorf(julo.EUNPROCESSABLE, "", i18n.IdempotencyKeyReused, key))
			return
		default:
			fail(w, r, fmt.Errorf("claiming an idempotency key: outcome %d", c.Outcome))
			return
		}
		log := infoFrom(r.Context())
		stopRenewing := s.renewWhileRunning(ctx, p.ID, key, c.Token, log)
		rec := &recorder{ResponseWriter: w}
		finished := false
		defer func() {
			stopRenewing()
			if !finished {
				// A panic: the answer is the recovery's 500, not kept.
				s.idem.ReleaseIdempotencyKey(ctx, p.ID, key, c.Token)
			}
		}()
		h.ServeHTTP(rec, r)
		finished = true
		stopRenewing()
		if status := rec.statusOr200(); keptStatus(status) && !rec.overflow {
			saved, err := s.idem.SaveIdempotentAnswer(ctx, p.ID, key, c.Token, rec.answer(), cfg.Now())
			switch {
			case err != nil:
				// The key stays claimed until its lease lapses; then a
				// retry runs again.
				log.log.Error("keeping an idempotent answer", "request_id", log.id, "error", err)
			case !saved:
				log.log.Warn("idempotency claim lost before its answer was kept (its lease lapsed)", "request_id", log.id)
			}
			return
		}
		if err := s.idem.ReleaseIdempotencyKey(ctx, p.ID, key, c.Token); err != nil {
			log.log.Error("releasing an idempotency key", "request_id", log.id, "error", err)
		}
	})
}

// keptStatus: 2xx answers and 409 conflicts are kept for replays.
func keptStatus(status int) bool {
	return status >= 200 && status <= 299 || status == http.StatusConflict
}

// renewWhileRunning renews the claim's lease every Lease/3 until the
// returned stop is called (stop waits for a renewal under way).
func (s *Server) renewWhileRunning(ctx context.Context, partnerID int64, key, token string, info *reqInfo) (stop func()) {
	cfg := s.cfg.Idempotency
	t := time.NewTicker(max(cfg.Lease/3, time.Millisecond))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			ok, err := s.idem.RenewIdempotencyKey(ctx, partnerID, key, token, cfg.Now().Add(cfg.Lease))
			if err != nil {
				info.log.Warn("renewing an idempotency claim", "request_id", info.id, "error", err)
			} else if !ok {
				info.log.Warn("idempotency claim lost while its request runs (its lease lapsed)", "request_id", info.id)
				return
			}
		}
	}()
	return sync.OnceFunc(func() {
		t.Stop()
		close(done)
		wg.Wait()
	})
}

// keptAnswer is an answer as it is kept: its status, the keptHeaders it
// had and its body.
type keptAnswer struct {
	Status int                 `json:"status"`
	Header map[string][]string `json:"header"`
	Body   []byte              `json:"body"`
}

// replay writes a kept answer again, marked Idempotent-Replayed.
func replay(w http.ResponseWriter, r *http.Request, kept []byte) {
	var a keptAnswer
	if err := json.Unmarshal(kept, &a); err != nil || a.Status < 200 || a.Status > 599 {
		fail(w, r, fmt.Errorf("a kept idempotent answer does not decode: %v", err))
		return
	}
	h := w.Header()
	for k, v := range a.Header {
		h[k] = v
	}
	h.Set(IdempotentReplayedHeader, "true")
	w.WriteHeader(a.Status)
	w.Write(a.Body)
}

// recorder passes an answer on and keeps a copy of it (up to
// maxKeptAnswer) for SaveIdempotentAnswer.
type recorder struct {
	http.ResponseWriter
	status   int
	header   map[string][]string
	body     bytes.Buffer
	overflow bool
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
		w.header = map[string][]string{}
		for _, k := range keptHeaders {
			if v := w.Header().Values(k); len(v) > 0 {
				w.header[k] = append([]string(nil), v...)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.overflow {
		if w.body.Len()+len(b) > maxKeptAnswer {
			w.overflow = true
			w.body = bytes.Buffer{}
		} else {
			w.body.Write(b)
		}
	}
	return w.ResponseWriter.Write(b)
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusOr200 is the answer's status (200 when the handler wrote nothing,
// as net/http then answers).
func (w *recorder) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *recorder) answer() []byte {
	a := keptAnswer{Status: w.statusOr200(), Header: w.header, Body: w.body.Bytes()}
	if a.Header == nil {
		a.Header = map[string][]string{}
	}
	b, _ := json.Marshal(a)
	return b
}

// fingerprint reads r's body whole (a small one into memory, the rest of
// a larger one, an upload, into a temporary file in SpoolDir, unlinked at
// once) and returns the request's fingerprint, the body to give the
// handler in place of r's, and the function that frees it. The
// fingerprint is SHA-256 over, each part length-prefixed:
//
//   - the method, and the path without a trailing slash (both forms are
//     the same route, errata 1);
//   - the query string, decoded and encoded again with its names sorted
//     (the query's fields are read like the body's, errata 4);
//   - the body's media type, lowercased, without parameters (a multipart
//     boundary is new on every retry);
//   - the canonical body:
//   - multipart/form-data: each part in order as its form name, its file
//     name (and whether it has one) and the SHA-256 of its bytes; other
//     part headers are not read by the routes and not part of it;
//   - a JSON object (any media type but multipart, as the decoder reads
//     one): its value decoded and encoded again: keys sorted at every
//     level, no white space, a key sent twice as its last value (what
//     the handler sees), numbers as written ("1" and "1.0" differ);
//   - an urlencoded form: decoded and encoded again, names sorted, the
//     values of one name in their order;
//   - anything else, or a body that does not parse (which its route
//     refuses, and such an answer is not kept): the raw bytes.
//
// Headers (Accept-Language among them) are not part of it: a replay is
// the first answer, in its language.
func (s *Server) fingerprint(r *http.Request) (fp string, body io.ReadCloser, cleanup func(), err error) {
	cleanup = func() {}
	var mem bytes.Buffer
	var file *os.File
	if r.Body != nil {
		n, err := io.Copy(&mem, io.LimitReader(r.Body, memoryBody))
		if err != nil {
			return "", nil, cleanup, bodyErr(err, "")
		}
		if n == memoryBody {
			if file, cleanup, err = s.spoolRest(&mem, r.Body); err != nil {
				return "", nil, cleanup, err
			}
		}
	}
	open := func() io.Reader {
		if file != nil {
			file.Seek(0, io.SeekStart)
			return file
		}
		return bytes.NewReader(mem.Bytes())
	}
	h := sha256.New()
	field(h, r.Method)
	field(h, strings.TrimSuffix(r.URL.Path, "/"))
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
		field(h, q.Encode())
	} else {
		field(h, "raw:"+r.URL.RawQuery)
	}
	media, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	field(h, strings.ToLower(media))
	if err := canonicalBody(h, open, media, params["boundary"], file == nil, mem.Bytes()); err != nil {
		return "", nil, cleanup, err
	}
	fp = hex.EncodeToString(h.Sum(nil))
	if file != nil {
		file.Seek(0, io.SeekStart)
		return fp, io.NopCloser(file), cleanup, nil
	}
	return fp, io.NopCloser(bytes.NewReader(mem.Bytes())), cleanup, nil
}

// spoolRest writes head and the rest of body to a new temporary file.
func (s *Server) spoolRest(head *bytes.Buffer, body io.Reader) (*os.File, func(), error) {
	dir := s.cfg.SpoolDir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "julo-idem-*")
	if err != nil {
		return nil, func() {}, fmt.Errorf("spooling a request body: %w", err)
	}
	unlinked := os.Remove(f.Name()) == nil
	cleanup := func() {
		f.Close()
		if !unlinked {
			os.Remove(f.Name())
		}
	}
	if _, err := f.Write(head.Bytes()); err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("spooling a request body: %w", err)
	}
	head.Reset()
	src := &onboarding.ReadErr{R: body}
	if _, err := io.Copy(f, src); err != nil {
		cleanup()
		if src.Err != nil {
			// The client's fault or the network's (413 past the bound).
			return nil, func() {}, bodyErr(src.Err, "")
		}
		return nil, func() {}, fmt.Errorf("spooling a request body: %w", err)
	}
	return f, cleanup, nil
}

// canonicalBody writes the canonical form of the body (see fingerprint)
// to h; open returns a reader from the body's start. inMemory says that
// raw is the whole body.
func canonicalBody(h hash.Hash, open func() io.Reader, media, boundary string, inMemory bool, raw []byte) error {
	if media == "multipart/form-data" && boundary != "" {
		ph := sha256.New()
		if multipartDigest(ph, multipart.NewReader(open(), boundary)) == nil {
			field(h, "multipart")
			h.Write(ph.Sum(nil))
			return nil
		}
	} else if inMemory {
		t, _ := trim(raw)
		if len(t) > 0 && t[0] == '{' {
			d := json.NewDecoder(bytes.NewReader(t))
			d.UseNumber()
			var v map[string]any
			if d.Decode(&v) == nil && d.InputOffset() == int64(len(t)) {
				if b, err := json.Marshal(v); err == nil {
					field(h, "json")
					field(h, string(b))
					return nil
				}
			}
		} else if q, err := url.ParseQuery(string(t)); err == nil && (media == "application/x-www-form-urlencoded" || media == "" || media == "text/plain") {
			field(h, "form")
			field(h, q.Encode())
			return nil
		}
	}
	field(h, "raw")
	_, err := io.Copy(h, open())
	if err != nil {
		return fmt.Errorf("hashing a request body: %w", err)
	}
	return nil
}

// multipartDigest writes each part of mr to h: its form name, its file
// name, whether it is a file, and the SHA-256 of its bytes.
func multipartDigest(h hash.Hash, mr *multipart.Reader) error {
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		field(h, p.FormName())
		if name, ok := params["filename"]; ok {
			field(h, "file:"+name)
		} else {
			field(h, "text")
		}
		c := sha256.New()
		if _, err := io.Copy(c, p); err != nil {
			return err
		}
		h.Write(c.Sum(nil))
	}
}

// field writes s length-prefixed, so that no two sequences of fields
// write the same bytes.
func field(h hash.Hash, s string) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	io.WriteString(h, s)
}
