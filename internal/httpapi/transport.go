package httpapi

import (
	"bytes"
	"container/list"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// The transport's defences (issue 10 item 9): a cap on open connections
// that sheds idle ones first (Listener), a floor under the rate a body
// arrives at (pacedBody), and the envelope for the answers net/http writes
// itself before any handler runs.

// hstsValue is the Strict-Transport-Security of every answer in production
// (Config.HSTS): a year, for the API's host and its subdomains.
const hstsValue = "max-age=31536000; includeSubDomains"

// Listener caps the connections open on the API's port. A connection over
// the cap takes the slot of the one that has waited longest without a
// request in progress (a new connection that has not sent its headers yet,
// or a keep-alive one between requests), as nginx reuses its idle
// connections; when every open connection is in the middle of a request,
// the new one is closed at once. Closing it costs nothing and frees the
// port's backlog for clients that retry; a 503 could not be relied on,
// since a server that writes before reading the request and then closes
// makes the client's kernel reset the connection, often before the client
// has read the answer, and reading the request first is what the cap
// exists to refuse.
//
// It also puts the envelope in place of net/http's own plain-text answers
// to what it refuses before a handler runs: request headers over
// http.Server's MaxHeaderBytes (431) and a request line or headers that
// are not HTTP/1.1 (400, 501, 505), whose text is Go's.
//
// Pass its ConnState to the http.Server that serves it.
type Listener struct {
	net.Listener
	s   *Server
	max int

	mu      sync.Mutex
	open    int
	waiting list.List // *conn without a request in progress, longest-waiting first
	// What the cap did since it was last logged (at most every logEvery).
	refused, evicted int
	logged           time.Time
}

// logEvery bounds how often the cap's work is logged.
const logEvery = 10 * time.Second

// Listen wraps ln for the partner API: at most maxConns connections open at
// once (0 or less: no cap), and the envelope for net/http's own refusals.
func (s *Server) Listen(ln net.Listener, maxConns int) *Listener {
	return &Listener{Listener: ln, s: s, max: maxConns}
}

// conn is an accepted connection; its Close gives its slot back.
type conn struct {
	net.Conn
	l        *Listener
	elem     *list.Element // in l.waiting, or nil (guarded by l.mu)
	released bool          // guarded by l.mu
	once     sync.Once
}

// Accept returns the next connection within the cap, closing those it
// refuses.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if c := l.admit(nc); c != nil {
			return c, nil
		}
		nc.Close()
	}
}

// admit takes a slot for nc, freeing the longest-waiting connection's when
// none is left; nil when every open connection has a request in progress.
func (l *Listener) admit(nc net.Conn) *conn {
	l.mu.Lock()
	if l.max > 0 && l.open >= l.max {
		var victim *conn
		if e := l.waiting.Front(); e != nil {
			victim = l.waiting.Remove(e).(*conn)
			victim.elem = nil
			l.evicted++
		} else {
			l.refused++
		}
		l.logCap()
		l.mu.Unlock()
		if victim == nil {
			return nil
		}
		victim.Close() // gives its slot back; only Accept's goroutine takes one
		l.mu.Lock()
	}
	l.open++
	c := &conn{Conn: nc, l: l}
	c.elem = l.waiting.PushBack(c)
	l.mu.Unlock()
	return c
}

// logCap logs what the cap did, at most every logEvery (l.mu held).
func (l *Listener) logCap() {
	if now := time.Now(); now.Sub(l.logged) >= logEvery {
		l.s.log.Warn("connection cap reached", "max_conns", l.max,
			"idle_closed", l.evicted, "refused", l.refused, "since", l.logged)
		l.logged, l.evicted, l.refused = now, 0, 0
	}
}

// ConnState follows the connections' states: one that waits for a request
// may give its slot to a new connection, one with a request in progress
// never does.
func (l *Listener) ConnState(nc net.Conn, st http.ConnState) {
	c, ok := nc.(*conn)
	if !ok || c.l != l {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.elem != nil {
		l.waiting.Remove(c.elem)
		c.elem = nil
	}
	if (st == http.StateNew || st == http.StateIdle) && !c.released {
		c.elem = l.waiting.PushBack(c)
	}
}

// Open is the number of connections open now.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

func (c *conn) Close() error {
	c.once.Do(func() {
		l := c.l
		l.mu.Lock()
		if c.elem != nil {
			l.waiting.Remove(c.elem)
			c.elem = nil
		}
		c.released = true
		l.open--
		l.mu.Unlock()
	})
	return c.Conn.Close()
}

// netHTTPErrorHeaders are the headers of the answers net/http writes
// itself, straight to the connection and in one write, when it refuses a
// request before any handler runs (see net/http's conn.serve). An answer
// of a handler never starts this way: the server's handler sets
// X-Request-Id, and net/http adds Date, before these.
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// Write passes everything on but net/http's own plain-text refusals, which
// it answers in the envelope instead.
func (c *conn) Write(p []byte) (int, error) {
	if status, ok := netHTTPRefusal(p); ok {
		if _, err := c.Conn.Write(c.l.s.refusal(status)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// netHTTPRefusal reports whether p is one of net/http's own refusals
// (see netHTTPErrorHeaders), and its status.
func netHTTPRefusal(p []byte) (int, bool) {
	const proto = "HTTP/1.1 "
	if !bytes.HasPrefix(p, []byte(proto)) || len(p) < len(proto)+3 {
		return 0, false
	}
	i := bytes.Index(p, []byte(netHTTPErrorHeaders))
	if i < 0 || bytes.IndexByte(p[:i], '\n') >= 0 {
		return 0, false
	}
	status, err := strconv.Atoi(string(p[len(proto) : len(proto)+3]))
	if err != nil || status < 400 || status > 599 {
		return 0, false
	}
	return status, true
}

// refusal is the whole answer, in the envelope, that replaces net/http's
// own refusal with status: 431 for headers over the limit, else a request
// that is not HTTP/1.1. The request's headers are not known, so it is in
// the default language, with a new request id; the connection closes.
func (s *Server) refusal(status int) []byte {
	p := julo.Problem{Msg: i18n.MalformedRequest}
	if status == http.StatusRequestHeaderFieldsTooLarge {
		p = julo.Problem{Msg: i18n.HeadersTooLarge, Args: []any{s.cfg.MaxHeaderBytes}}
	}
	m := i18n.T(i18n.ID, p.Msg, p.Args...)
	body, _ := json.Marshal(envelope{Errors: []string{m}, Details: []errorDetail{{Code: p.Msg, Message: m}}})
	body = append(body, '\n')
	id := make([]byte, 8)
	rand.Read(id)
	rid := hex.EncodeToString(id)
	s.log.Info("request refused before routing", "request_id", rid, "status", status, "code", p.Msg)
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	b.WriteString("Cache-Control: no-store\r\nConnection: close\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	b.WriteString("Content-Type: application/json; charset=utf-8\r\n")
	if s.cfg.HSTS {
		b.WriteString("Strict-Transport-Security: " + hstsValue + "\r\n")
	}
	b.WriteString("X-Content-Type-Options: nosniff\r\n")
	b.WriteString("X-Request-Id: " + rid + "\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}

// slowBodyError is a body that arrived slower than the floor (408).
type slowBodyError struct{ rate int64 }

func (e *slowBodyError) Error() string {
	return fmt.Sprintf("request body slower than %d bytes per second", e.rate)
}

// bodyReadError is the connection failing while a body is read (the client
// hung up, or a chunk was malformed): not the content's fault.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading the request body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// pacedBody is a request body that must arrive at rate bytes per second or
// faster, on average since start, once grace has passed: before each read
// the connection's read deadline is set to the moment the bytes received
// so far stop covering the time taken, and never past end. A body slower
// than that fails with a slowBodyError (and the answer closes the
// connection).
type pacedBody struct {
	io.ReadCloser
	w     http.ResponseWriter
	rc    *http.ResponseController
	rate  int64
	start time.Time
	grace time.Duration
	end   time.Time // zero: no bound
	n     int64
	done  bool
}

func newPacedBody(w http.ResponseWriter, body io.ReadCloser, cfg Config) *pacedBody {
	b := &pacedBody{ReadCloser: body, w: w, rc: http.NewResponseController(w), rate: cfg.MinBodyRate,
		start: time.Now(), grace: cfg.BodyGrace}
	if cfg.MaxBodyTime > 0 {
		b.end = b.start.Add(cfg.MaxBodyTime)
	}
	return b
}

func (b *pacedBody) Read(p []byte) (int, error) {
	if b.rate > 0 && !b.done {
		d := b.start.Add(b.grace + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second)))
		if !b.end.IsZero() && d.After(b.end) {
			d = b.end
		}
		// Without a connection (a test's recorder) there is no deadline.
		b.rc.SetReadDeadline(d)
	}
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF {
		// The deadline stays: net/http's reading of what is left of the
		// body, after the answer, must fail as fast as this read did.
		b.done = true
		if errors.Is(err, os.ErrDeadlineExceeded) && b.rate > 0 {
			b.w.Header().Set("Connection", "close")
			return n, &slowBodyError{rate: b.rate}
		}
		return n, &bodyReadError{err}
	}
	// At io.EOF net/http lifts the deadline itself, as it starts waiting
	// for the client to go away while the handler works.
	b.done = b.done || err == io.EOF
	return n, err
}
