package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawExchange sends head and then all of body on a raw TCP connection,
// reading nothing until the last byte is written (as Python's urllib and
// many Java and PHP clients do), and only then reads the answer. A server
// that closes without reading the rest of a refused body makes the write or
// the read fail with a connection reset.
func rawExchange(t *testing.T, s *testServer, head string, body []byte) response {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.Copy(conn, io.MultiReader(strings.NewReader(head), bytes.NewReader(body))); err != nil {
		t.Fatalf("writing the whole request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer after writing the whole request: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer's body: %v", err)
	}
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	mustEnvelope(t, raw, &out)
	if !resp.Close {
		t.Errorf("a refused body's answer keeps the connection (Connection: %q)", resp.Header.Get("Connection"))
	}
	return out
}

// rawHead is a request line and headers with the partner's credentials.
func rawHead(s *testServer, path, contentType string, length int) string {
	h := "POST " + path + " HTTP/1.1\r\nHost: julo.test\r\nusername: " + s.Partner + "\r\nsecret-key: " + s.Secret +
		"\r\nContent-Type: " + contentType + "\r\n"
	if length >= 0 {
		h += fmt.Sprintf("Content-Length: %d\r\n", length)
	} else {
		h += "Transfer-Encoding: chunked\r\n"
	}
	return h + "\r\n"
}

// An oversized body gets its 413 envelope even when the client writes the
// whole body before reading: the server reads and discards the rest (within
// a bound) before it closes, so the client sees no connection reset.
func TestOversizedBodyIsAnsweredToAClientThatWritesItAllFirst(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)

	// 8 MiB of JSON against the 1 MiB body limit, announced by Content-Length.
	j := []byte(`{"username": "3203020101930001", "pin": "482915", "email": "` + strings.Repeat("a", 8<<20) + `@test.com"}`)
	rawExchange(t, s, rawHead(s, "/api/partnership/v1/customer", "application/json", len(j)), j).
		expect(t, 413, "1048576")

	// A 12 MiB multipart upload against the 10 MiB upload limit.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	w.WriteField("image_type", "ktp_self")
	f, _ := w.CreateFormFile("upload", "ktp.png")
	f.Write(pngBytes(t))
	f.Write(bytes.Repeat([]byte{0}, 12<<20))
	w.Close()
	path := "/api/partnership/v1/applications/" + xid + "/images"
	rawExchange(t, s, rawHead(s, path, w.FormDataContentType(), mp.Len()), mp.Bytes()).
		expect(t, 413, "10485760")

	// The same upload without a Content-Length (chunked): refused when the
	// reading passes the limit, and the rest is discarded the same way.
	var chunked bytes.Buffer
	cw := httputil.NewChunkedWriter(&chunked)
	for b := mp.Bytes(); len(b) > 0; {
		n := min(len(b), 64<<10)
		cw.Write(b[:n])
		b = b[n:]
	}
	cw.Close()
	chunked.WriteString("\r\n")
	rawExchange(t, s, rawHead(s, path, w.FormDataContentType(), -1), chunked.Bytes()).
		expect(t, 413, "10485760")

	// Nothing was stored, and the server still answers.
	if n := s.count("images"); n != 0 {
		t.Fatalf("%d images stored", n)
	}
	if n := s.count("customers"); n != 1 {
		t.Fatalf("%d customers, want the one registered before", n)
	}
	s.do(req{Method: "GET", Path: "/api/partnership/v1/applications/" + xid + "/images"}).expect(t, 200)
}
