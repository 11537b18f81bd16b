// Package callback sends partner callbacks over HTTP: it is the adapter of
// notify.Sender. A callback is one POST, bounded in time, whose redirects
// are not followed and whose answer's body is read up to a bound and
// discarded. Destinations are checked when a connection is dialled, on the
// address the name resolved to (so a name that resolves to a public
// address for a check and to a private one for the connection cannot get
// through): loopback, private, link-local (cloud metadata), shared,
// multicast and reserved addresses are refused; the sandbox may allow
// loopback, so a partner can test against a receiver on its own machine.
package callback

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/julo-partnership/julo/internal/notify"
)

// Defaults of Config.
const (
	DefaultTimeout = 15 * time.Second
	DefaultMaxBody = 64 << 10
)

// Config configures a Sender.
type Config struct {
	// Timeout bounds one attempt, from dialling to the end of the
	// answer's body; 0: DefaultTimeout.
	Timeout time.Duration
	// MaxBody is how much of an answer's body is read (and discarded); 0:
	// DefaultMaxBody.
	MaxBody int64
	// AllowLoopback lets callbacks reach 127.0.0.0/8 and ::1 (the
	// sandbox); every other refused range stays refused.
	AllowLoopback bool
}

// Sender POSTs callbacks (notify.Sender).
type Sender struct {
	client  *http.Client
	timeout time.Duration
	maxBody int64
}

// New returns a Sender with its own connection pool.
func New(cfg Config) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	g := Guard{AllowLoopback: cfg.AllowLoopback}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second, Control: g.Control}
	tr := &http.Transport{
		// Never a proxy from the environment: the guard checks the
		// address dialled, which must be the receiver's.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    32,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &Sender{
		client: &http.Client{
			Transport: tr,
			Timeout:   cfg.Timeout,
			// A redirect is an answer like any other non-2xx: not
			// followed (it could point anywhere), so retried.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		timeout: cfg.Timeout,
		maxBody: cfg.MaxBody,
	}
}

// Send POSTs r and reports the answer's status, or why there was none.
func (s *Sender) Send(ctx context.Context, r notify.Request) notify.Response {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return notify.Response{Err: errors.New("the URL does not parse"), Duration: time.Since(start)}
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return notify.Response{Err: s.describe(err), Duration: time.Since(start)}
	}
	// Read (a bounded part of) the body, so that the connection can be
	// used again, and discard it: the status is the answer.
	io.Copy(io.Discard, io.LimitReader(resp.Body, s.maxBody))
	resp.Body.Close()
	return notify.Response{StatusCode: resp.StatusCode, Duration: time.Since(start)}
}

// describe is a short text of why an attempt got no answer, without the
// URL (whose path or query may carry a partner's secret).
func (s *Sender) describe(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var refused *RefusedError
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var ne net.Error
	switch {
	case errors.As(err, &refused):
		return refused
	case errors.As(err, &dns):
		return fmt.Errorf("dns: %s: %s", dns.Name, dns.Err)
	case errors.As(err, &cert), errors.As(err, &unknownAuthority), errors.As(err, &hostname):
		return fmt.Errorf("tls: %v", err)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("timeout: no answer within %s", s.timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused")
	case errors.Is(err, syscall.ECONNRESET):
		return errors.New("connection reset")
	}
	return err
}

// RefusedError is the dial's refusal of an address callbacks may not
// reach.
type RefusedError struct {
	Addr netip.Addr
	Why  string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused: %s is a %s address, which callbacks may not reach", e.Addr, e.Why)
}

// Guard decides which addresses a callback may connect to.
type Guard struct {
	AllowLoopback bool
}

// Control is a net.Dialer's Control: it refuses a connection to an address
// Check refuses. It runs after resolution, on the address about to be
// connected to.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("refused: %q is not host:port", address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("refused: %q is not an IP address", host)
	}
	return g.Check(ip)
}

// refusedRanges are ranges that no public receiver has, beyond what
// netip's predicates name.
var refusedRanges = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT, cloud metadata)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "protocol-assignment"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2001::/32"), "Teredo"},
	{netip.MustParsePrefix("100::/64"), "discard"},
}

// embedded IPv6 forms that carry an IPv4 address: the IPv4 address decides.
var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	sixTo = netip.MustParsePrefix("2002::/16")
)

// Check returns a *RefusedError for an address callbacks may not reach.
func (g Guard) Check(ip netip.Addr) error {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return g.Check(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixTo.Contains(ip):
			return g.Check(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	why := ""
	switch {
	case !ip.IsValid():
		why = "invalid"
	case ip.IsLoopback():
		if g.AllowLoopback {
			return nil
		}
		why = "loopback"
	case ip.IsUnspecified():
		why = "unspecified"
	case ip.IsPrivate():
		why = "private"
	case ip.IsLinkLocalUnicast():
		why = "link-local (cloud metadata)"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		why = "multicast"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		why = "broadcast"
	}
	for _, r := range refusedRanges {
		if why == "" && r.prefix.Contains(ip) {
			why = r.why
		}
	}
	if why != "" {
		return &RefusedError{Addr: ip, Why: why}
	}
	return nil
}

var _ notify.Sender = (*Sender)(nil)
