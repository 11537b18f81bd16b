package client

import (
	"bytes"
	"context"
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
	// maxRetryWait: a GET retry waits at most this long (a longer
	// Retry-After is returned to the caller as the *Error it is).
	maxRetryWait = 5 * time.Second
)

// Client calls the partner API as one partner. It is safe for concurrent
// use; make one per partner and reuse it (it keeps connections open).
type Client struct {
	base     string // scheme://host[/prefix] + APIPrefix, no trailing slash
	baseErr  error
	username string
	secret   string

	http       *http.Client
	timeout    time.Duration
	lang       string
	userAgent  string
	getRetries int
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
// is at most 5 s). Writes (POST, PATCH) are never retried: the API has no
// Idempotency-Key yet. The default is 0: no retries.
func WithGETRetries(n int) Option { return func(c *Client) { c.getRetries = max(n, 0) } }

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
	body   func() (io.ReadCloser, string)
	accept string // "" means application/json
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

// send makes r, retrying a GET as WithGETRetries allows, and returns the
// answer read in full whatever its status; err is a transport error.
func (c *Client) send(ctx context.Context, r request) (*answer, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	tries := 1
	if r.method == http.MethodGet {
		tries += c.getRetries
	}
	wait := 100 * time.Millisecond
	for try := 1; ; try++ {
		a, err := c.once(ctx, r)
		if try >= tries || !retryable(a, err) || ctx.Err() != nil {
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
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
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
