package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	// APIPrefix is the path of the partner API under the base URL.
	APIPrefix = "/api/partnership/v1"
	// DefaultTimeout bounds each request (its answer read in full) unless
	// WithTimeout says otherwise; the caller's context bounds it too.
	DefaultTimeout = 30 * time.Second
	// MaxResponseBytes bounds how much of an answer is read: the largest
	// answer, an image, is at most 10 MiB.
	MaxResponseBytes = 16 << 20
	// DefaultUserAgent is sent unless WithUserAgent says otherwise.
	DefaultUserAgent = "julo-go-client/1"

	snippetBytes = 512
	// maxRetryWait: a retry waits at most this long (a longer
	// Retry-After is returned to the caller as the *Error it is).
	maxRetryWait = 5 * time.Second

	// IdempotencyKeyHeader is the header of a write's idempotency key.
	IdempotencyKeyHeader = "Idempotency-Key"
)

// Client calls the partner API as one partner. It is safe for concurrent
// use; make one per partner and reuse it (it keeps connections open).
type Client struct {
	base     string // scheme://host[/prefix] + APIPrefix, no trailing slash
	baseErr  error
	username string
	secret   string

	http         *http.Client
	timeout      time.Duration
	lang         string
	userAgent    string
	getRetries   int
	writeRetries int
}

// Option configures a Client (see New).
type Option func(*Client)

// WithHTTPClient sends requests with h instead of a client on
// http.DefaultTransport (for a proxy, TLS settings or connection limits).
// Its Timeout, if any, applies as well as WithTimeout's.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithTimeout bounds each request, from sending it to reading its whole
// answer (DefaultTimeout unless set; 0 or less: no bound of the client's
// own, only the context's). A GET retry gets a bound of its own.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithAcceptLanguage sets the Accept-Language header: "en" for English
// error messages; the server's default is Indonesian. Error codes are the
// same in every language.
func WithAcceptLanguage(lang string) Option { return func(c *Client) { c.lang = lang } }

// WithUserAgent sets the User-Agent header (DefaultUserAgent otherwise).
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithGETRetries lets each GET be retried up to n times when the answer
// is a 502, 503 or 504, or the connection was reset before an answer, after
// a short backoff (100 ms, doubling, or the answer's Retry-After when that
// is at most 5 s). The default is 0: no retries. Writes have their own
// setting, WithWriteRetries.
func WithGETRetries(n int) Option { return func(c *Client) { c.getRetries = max(n, 0) } }

// WithWriteRetries lets each write (POST, PATCH) be retried up to n times,
// with the same Idempotency-Key, so that the server runs it at most once
// and a retry gets the first answer: when the connection failed or the
// attempt timed out (WithTimeout) before an answer came, when the answer is
// a 502, 503 or 504, and when it is the 409 idempotency_key_in_use (the
// first attempt still runs; Retry-After says 1 s), after the same backoff
// as GET retries. An upload is retried only when its reader is an
// io.Seeker (it is read again from where it stood). The default is 0: no
// retries, since a server that does not honour Idempotency-Key (one older
// than this client, or another implementation of the API) would run a
// retried write twice.
func WithWriteRetries(n int) Option { return func(c *Client) { c.writeRetries = max(n, 0) } }

type idempotencyKeyCtx struct{}

// WithIdempotencyKey makes the write called with the returned context send
// key as its Idempotency-Key instead of a new random one: to retry a write
// yourself (after a timeout, or after a restart of your process), call it
// again with the same key and the same input, and the server answers with
// the first answer instead of running it again. key is 1-255 printable
// ASCII characters (a UUID, say), new for each new request: the server
// answers the same key with another request with a 422
// (idempotency_key_reused). The keys are kept 24 hours by default.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// NewIdempotencyKey returns a new random key (a version 4 UUID, from
// crypto/rand), as the client makes for every write.
func NewIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// validIdempotencyKey: 1-255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// New returns a client of the server at baseURL (its root, e.g.
// "https://host" or "http://127.0.0.1:8080"; a URL that already ends in
// /api/partnership/v1 is taken as is) for the partner username with its
// secret key. A malformed baseURL is reported by every call.
func New(baseURL, username, secretKey string, opts ...Option) *Client {
	c := &Client{username: username, secret: secretKey, http: &http.Client{},
		timeout: DefaultTimeout, userAgent: DefaultUserAgent}
	for _, o := range opts {
		o(c)
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		c.baseErr = fmt.Errorf("julo: base URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		c.baseErr = fmt.Errorf("julo: base URL %q: want http(s)://host", baseURL)
	case u.RawQuery != "" || u.Fragment != "":
		c.baseErr = fmt.Errorf("julo: base URL %q: no query or fragment", baseURL)
	default:
		if !strings.HasSuffix(u.Path, APIPrefix) {
			u.Path += APIPrefix
			u.RawPath = ""
		}
		c.base = u.String()
	}
	return c
}

// request is one call: path is below APIPrefix.
type request struct {
	method, path string
	query        url.Values
	// body makes the request body and its Content-Type for an attempt;
	// nil: no body.
	body func() (io.ReadCloser, string)
	// oneShot: body can be made once only (an upload from a reader that
	// cannot seek), so the request is never retried.
	oneShot bool
	accept  string // "" means application/json
	// key is a write's Idempotency-Key, the same for every attempt.
	key string
}

// jsonBody is a body func sending v as JSON.
func jsonBody(v any) (func() (io.ReadCloser, string), error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return func() (io.ReadCloser, string) {
		return io.NopCloser(bytes.NewReader(b)), "application/json"
	}, nil
}

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call makes r and decodes a success envelope's data into out (nil: the
// data is not read). Any other answer is an *Error.
func (c *Client) call(ctx context.Context, r request, out any) error {
	a, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	return c.decode(r, a, out)
}

// decode reads answer a of r: a success envelope's data into out (nil:
// not read), anything else into an *Error.
func (c *Client) decode(r request, a *answer, out any) error {
	var env struct {
		Success *bool           `json:"success"`
		Data    json.RawMessage `json:"data"`
		Errors  []string        `json:"errors"`
		Details []ErrorDetail   `json:"error_details"`
	}
	if json.Unmarshal(a.body, &env) != nil || env.Success == nil {
		return c.notEnvelope(r, a)
	}
	if !*env.Success || a.status < 200 || a.status > 299 {
		e := c.apiError(r, a)
		e.Errors, e.Details = env.Errors, env.Details
		if len(env.Data) > 0 && string(env.Data) != "null" {
			e.Data = env.Data
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("julo: %s %s: decoding the answer's data: %w", r.method, r.path, err)
	}
	return nil
}

// apiError is the *Error of answer a, without the envelope's parts.
func (c *Client) apiError(r request, a *answer) *Error {
	e := &Error{Method: r.method, Path: r.path, StatusCode: a.status, RequestID: a.header.Get("X-Request-Id")}
	if s := a.header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(s); err == nil {
			e.RetryAfter = max(time.Until(t), 0)
		}
	}
	return e
}

// notEnvelope is the *Error of an answer that is not the API's envelope.
func (c *Client) notEnvelope(r request, a *answer) *Error {
	e := c.apiError(r, a)
	s := a.body
	if len(s) > snippetBytes {
		s = s[:snippetBytes]
	}
	e.Snippet = strings.ToValidUTF8(string(s), "?")
	if e.Snippet == "" {
		e.Snippet = "(empty body)"
	}
	return e
}

// send makes r, retrying a GET as WithGETRetries allows and a write as
// WithWriteRetries does, and returns the answer read in full whatever its
// status; err is a transport error. A write carries an Idempotency-Key
// (the context's, see WithIdempotencyKey, or a new one), the same on every
// attempt.
func (c *Client) send(ctx context.Context, r request) (*answer, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	tries := 1
	write := r.method == http.MethodPost || r.method == http.MethodPatch
	switch {
	case r.method == http.MethodGet:
		tries += c.getRetries
	case write:
		if k, ok := ctx.Value(idempotencyKeyCtx{}).(string); ok {
			if !validIdempotencyKey(k) {
				return nil, fmt.Errorf("julo: %s %s: Idempotency-Key %q: want 1-255 printable ASCII characters", r.method, r.path, k)
			}
			r.key = k
		} else {
			r.key = NewIdempotencyKey()
		}
		if !r.oneShot {
			tries += c.writeRetries
		}
	}
	wait := 100 * time.Millisecond
	for try := 1; ; try++ {
		a, err := c.once(ctx, r)
		again := retryable(a, err)
		if write {
			again = retryableWrite(a, err)
		}
		if try >= tries || !again || ctx.Err() != nil {
			return a, err
		}
		d := wait
		if a != nil {
			if ra := c.apiError(r, a).RetryAfter; ra > maxRetryWait {
				return a, err
			} else if ra > d {
				d = ra
			}
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return a, err
		case <-t.C:
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// retryableWrite: a write (with its Idempotency-Key) may be tried again
// when no answer came (the connection failed, or the attempt's own
// timeout ended it), after a gateway's or the server's "unavailable", and
// while its first attempt still runs on the server.
func retryableWrite(a *answer, err error) bool {
	if err != nil {
		return retryable(nil, err) || errors.Is(err, errAttemptTimeout)
	}
	if a.status == http.StatusConflict && hasCode(a.body, "idempotency_key_in_use") {
		return true
	}
	return retryable(a, nil)
}

// hasCode reports whether the envelope body has an error_details code.
func hasCode(body []byte, code string) bool {
	var env struct {
		Details []ErrorDetail `json:"error_details"`
	}
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	for _, d := range env.Details {
		if d.Code == code {
			return true
		}
	}
	return false
}

// errAttemptTimeout marks an attempt ended by WithTimeout's bound (not by
// the caller's context).
var errAttemptTimeout = errors.New("the attempt's timeout passed")

// retryable: a GET may be tried again after a gateway's or the server's
// "unavailable", or a connection reset before any answer.
func retryable(a *answer, err error) bool {
	if err != nil {
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	}
	switch a.status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// once makes one attempt of r.
func (c *Client) once(ctx context.Context, r request) (*answer, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, c.timeout, fmt.Errorf("%w (%w)", context.DeadlineExceeded, errAttemptTimeout))
		defer cancel()
	}
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.ReadCloser
	ct := ""
	if r.body != nil {
		body, ct = r.body()
		// The transport closes it, but a cancelled request waits for a
		// body Read in progress: closing it when ctx ends unblocks a
		// streamed upload (a pipe) whose source is slow, and ends its
		// writer.
		defer body.Close()
		stop := context.AfterFunc(ctx, func() {
			if p, ok := body.(interface{ CloseWithError(error) error }); ok {
				p.CloseWithError(context.Cause(ctx))
			} else {
				body.Close()
			}
		})
		defer stop()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("julo: %s %s: %w", r.method, r.path, err)
	}
	h := req.Header
	h.Set("username", c.username)
	h.Set("secret-key", c.secret)
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	if r.accept != "" {
		h.Set("Accept", r.accept)
	} else {
		h.Set("Accept", "application/json")
	}
	if c.lang != "" {
		h.Set("Accept-Language", c.lang)
	}
	if c.userAgent != "" {
		h.Set("User-Agent", c.userAgent)
	}
	if r.key != "" {
		h.Set(IdempotencyKeyHeader, r.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if cerr := context.Cause(ctx); cerr != nil && !errors.Is(err, cerr) {
			// The request failed because ctx ended (say, its body was
			// closed): say so, so that errors.Is(err, DeadlineExceeded).
			return nil, fmt.Errorf("julo: %s %s: %w (%w)", r.method, r.path, cerr, err)
		}
		return nil, fmt.Errorf("julo: %s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("julo: %s %s: reading the answer (status %d): %w", r.method, r.path, resp.StatusCode, err)
	}
	if len(b) > MaxResponseBytes {
		return nil, fmt.Errorf("julo: %s %s: the answer (status %d) is larger than %d bytes", r.method, r.path, resp.StatusCode, MaxResponseBytes)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// xidPath is "/prefix/{xid}" with more segments escaped after it.
func xidPath(prefix string, xid int64, more ...string) string {
	p := prefix + "/" + strconv.FormatInt(xid, 10)
	for _, m := range more {
		p += "/" + url.PathEscape(m)
	}
	return p
}
