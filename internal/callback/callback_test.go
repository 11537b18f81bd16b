package callback

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/notify"
)

func TestGuardRefusesWhatNoPublicReceiverIs(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1", // loopback
		"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd00:ec2::254", "fc00::1", // private (and AWS's IPv6 metadata)
		"169.254.169.254", "169.254.0.1", "fe80::1", // link-local: cloud metadata
		"100.100.100.200", "100.64.0.1", // shared: Alibaba's metadata, carrier NAT
		"0.0.0.0", "::", "0.1.2.3", // unspecified, this network
		"224.0.0.1", "ff02::1", "255.255.255.255", "240.0.0.1", // multicast, broadcast, reserved
		"192.0.0.192", "198.18.0.1", "192.0.2.1", "2001:db8::1", // protocol, benchmarking, documentation
		"64:ff9b::a00:1", "2002:a00:1::1", "::ffff:10.0.0.1", // IPv4 private inside IPv6
		"2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
	}
	allowed := []string{"8.8.8.8", "1.1.1.1", "203.0.114.1", "2606:4700:4700::1111", "64:ff9b::808:808", "172.32.0.1", "100.128.0.1"}
	g := Guard{}
	for _, a := range refused {
		var r *RefusedError
		if err := g.Check(netip.MustParseAddr(a)); !errors.As(err, &r) {
			t.Errorf("%s: %v, want refused", a, err)
		}
	}
	for _, a := range allowed {
		if err := g.Check(netip.MustParseAddr(a)); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	sandbox := Guard{AllowLoopback: true}
	for _, a := range []string{"127.0.0.1", "::1", "::ffff:127.0.0.1"} {
		if err := sandbox.Check(netip.MustParseAddr(a)); err != nil {
			t.Errorf("sandbox, %s: %v", a, err)
		}
	}
	for _, a := range []string{"10.0.0.1", "169.254.169.254", "0.0.0.0", "192.168.0.1"} {
		if err := sandbox.Check(netip.MustParseAddr(a)); err == nil {
			t.Errorf("sandbox allows %s", a)
		}
	}
	if err := g.Control("tcp", "not an address", nil); err == nil {
		t.Error("Control allows an address without a port")
	}
	if err := g.Control("tcp", "example.com:443", nil); err == nil {
		t.Error("Control allows a name (it must see the resolved address)")
	}
}

func post(s *Sender, url string) notify.Response {
	return s.Send(context.Background(), notify.Request{URL: url, Header: map[string]string{"webhook-id": "evt_1", "Authorization": "tok"},
		Body: []byte(`{"a":1}`)})
}

// A receiver on loopback is refused before any connection when loopback
// is not allowed, whether named by address or by a name that resolves to
// it; allowed (the sandbox), it gets the POST with its headers.
func TestSendRefusesLoopbackUnlessAllowed(t *testing.T) {
	var hits atomic.Int32
	var got http.Header
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		got = r.Header.Clone()
		b, _ := io.ReadAll(r.Body)
		body = r.Method + " " + string(b)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	named := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	prod := New(Config{})
	for _, u := range []string{srv.URL, named} {
		r := post(prod, u)
		var refused *RefusedError
		if !errors.As(r.Err, &refused) || r.StatusCode != 0 || !strings.Contains(r.Err.Error(), "loopback") {
			t.Fatalf("%s in production: %+v", u, r)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the receiver got %d requests", hits.Load())
	}
	r := post(New(Config{AllowLoopback: true}), srv.URL+"/hook")
	if r.Err != nil || r.StatusCode != 204 || hits.Load() != 1 || body != `POST {"a":1}` || got.Get("Webhook-Id") != "evt_1" ||
		got.Get("Authorization") != "tok" {
		t.Fatalf("sandbox: %+v, %d hits, %q, %v", r, hits.Load(), body, got)
	}
}

// Redirects are answers (not followed); a large body is read only up to
// the bound; a receiver that does not answer in time is a timeout.
func TestSendBounds(t *testing.T) {
	release := make(chan struct{})
	var redirected atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/elsewhere":
			redirected.Add(1)
		case "/big":
			w.WriteHeader(200)
			chunk := strings.Repeat("x", 32<<10)
			// Far more than the bound: the sender stops reading.
			for i := 0; i < 1000; i++ {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	s := New(Config{AllowLoopback: true, Timeout: 300 * time.Millisecond})
	if r := post(s, srv.URL+"/redirect"); r.StatusCode != 302 || redirected.Load() != 0 {
		t.Fatalf("redirect: %+v, followed %d", r, redirected.Load())
	}
	if r := post(s, srv.URL+"/big"); r.StatusCode != 200 || r.Err != nil {
		t.Fatalf("big body: %+v", r)
	}
	r := post(s, srv.URL+"/slow")
	if r.StatusCode != 0 || r.Err == nil || !strings.HasPrefix(r.Err.Error(), "timeout") {
		t.Fatalf("slow receiver: %+v", r)
	}
	// Nothing listens: refused, and the error names no URL path.
	dead := httptest.NewServer(http.NotFoundHandler())
	u := dead.URL + "/secret-path?token=abc"
	dead.Close()
	if r := post(s, u); r.Err == nil || strings.Contains(r.Err.Error(), "secret-path") || strings.Contains(r.Err.Error(), "abc") {
		t.Fatalf("closed port: %+v", r)
	}
}
