package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// metricsURL is the /metrics URL the server logged ("metrics listening"
// comes before the API's "listening" line, so it is there once startServer
// returns).
func (s *testServer) metricsURL(t *testing.T) string {
	t.Helper()
	for _, line := range s.logLines() {
		var m struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "metrics listening" {
			return "http://" + m.Addr + "/metrics"
		}
	}
	t.Fatalf("no metrics listening line:\n%s", s.logs.String())
	return ""
}

// scrapeMetrics reads /metrics as Prometheus would.
func scrapeMetrics(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return string(b)
}

// metricValue is the value of one series as printed (name{labels}), or -1
// when the scrape lacks it.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return -1
}

func expectMetrics(t *testing.T, text string, want map[string]float64) {
	t.Helper()
	for series, v := range want {
		if got := metricValue(t, text, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
}

const metricsV1 = "/api/partnership/v1"

// /metrics, on its own address, counts requests by route pattern (never by
// path: no xid in any label), OTP sends, refusals and validations; the
// partner API's port does not serve it.
func TestMetricsCountRequestsAndOTPOnTheirOwnAddress(t *testing.T) {
	s := startServer(t, []string{"--metrics-addr", "127.0.0.1:0"})
	murl := s.metricsURL(t)
	if strings.Contains(murl, strings.TrimPrefix(s.URL, "http://")) {
		t.Fatalf("metrics at %s share the API's address %s", murl, s.URL)
	}
	// Without --pprof the metrics listener has no profiler.
	if resp, err := http.Get(strings.TrimSuffix(murl, "/metrics") + "/debug/pprof/"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("without --pprof: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	xid := s.newApplication(t)
	phone := "081234567899"
	s.sendOTP(xid, phone).expect(t, 200)
	s.sendOTP(xid, phone).expect(t, 429)
	code := s.lastCode(t, phone)
	s.validateOTP(xid, fmt.Sprintf("%06d", (mustAtoi(code)+1)%1000000)).expect(t, 400)
	s.validateOTP(xid, code).expect(t, 200)
	s.do(req{Method: "GET", Path: metricsV1 + "/application/status/" + xid}).expect(t, 200)
	s.do(req{Method: "GET", Path: metricsV1 + "/application/status/" + xid + "/"}).expect(t, 200)
	s.do(req{Method: "GET", Path: metricsV1 + "/application/status/9876543210"}).expect(t, 404)
	s.do(req{Method: "GET", Path: metricsV1 + "/no/such/route/" + xid, Invalid: true}).expect(t, 404)
	// The API port answers /metrics like any unknown path: a 404 envelope.
	s.do(req{Method: "GET", Path: "/metrics", NoAuth: true, Invalid: true}).expect(t, 404)

	text := scrapeMetrics(t, murl)
	expectMetrics(t, text, map[string]float64{
		`julo_http_requests_total{route="POST ` + metricsV1 + `/customer",status="201"}`:                       1,
		`julo_http_requests_total{route="POST ` + metricsV1 + `/application/otp/{xid}",status="200"}`:          1,
		`julo_http_requests_total{route="POST ` + metricsV1 + `/application/otp/{xid}",status="429"}`:          1,
		`julo_http_requests_total{route="POST ` + metricsV1 + `/application/otp/validate/{xid}",status="400"}`: 1,
		`julo_http_requests_total{route="POST ` + metricsV1 + `/application/otp/validate/{xid}",status="200"}`: 1,
		// With and without the trailing slash: one route.
		`julo_http_requests_total{route="GET ` + metricsV1 + `/application/status/{xid}",status="200"}`:                 2,
		`julo_http_requests_total{route="GET ` + metricsV1 + `/application/status/{xid}",status="404"}`:                 1,
		`julo_http_request_duration_seconds_count{route="GET ` + metricsV1 + `/application/status/{xid}",status="200"}`: 2,
		`julo_http_requests_total{route="unmatched",status="404"}`:                                                      2,
		`julo_otp_sent_total`:                                1,
		`julo_otp_refused_total{reason="resend_too_soon"}`:   1,
		`julo_otp_refused_total{reason="phone_daily_limit"}`: 0,
		`julo_otp_validations_total{outcome="wrong"}`:        1,
		`julo_otp_validations_total{outcome="verified"}`:     1,
	})
	for _, leak := range []string{xid, "9876543210", "/no/such/route", phone} {
		if strings.Contains(text, leak) {
			t.Errorf("the scrape holds %q", leak)
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if metricValue(t, text, name) < 0 {
			t.Errorf("%s missing", name)
		}
	}
	// The scrape is not a partner request: the API counts did not move.
	if again := scrapeMetrics(t, murl); metricValue(t, again, `julo_http_requests_total{route="unmatched",status="404"}`) != 2 {
		t.Errorf("scraping counted as an API request")
	}
}

// Uploads are counted by outcome, and a failing file store is an internal
// error counted by route.
func TestMetricsCountUploadsAndInternalErrors(t *testing.T) {
	s := startServer(t, []string{"--metrics-addr", "127.0.0.1:0"})
	murl := s.metricsURL(t)
	xid := s.newApplication(t)
	upload := func(typ string, content []byte) response {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("image_type", typ)
		fw, _ := w.CreateFormFile("upload", "ktp.png")
		fw.Write(content)
		w.Close()
		return s.do(req{Method: "POST", Path: metricsV1 + "/applications/" + xid + "/images", Body: b.String(), ContentType: w.FormDataContentType()})
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	upload("ktp_self", img.Bytes()).expect(t, 200)
	upload("ktp_self", []byte("not an image")).expect(t, 400)
	route := "POST " + metricsV1 + "/applications/{application_xid}/images"
	want := map[string]float64{
		`julo_image_uploads_total{outcome="stored"}`:                   1,
		`julo_image_uploads_total{outcome="invalid"}`:                  1,
		`julo_image_uploads_total{outcome="error"}`:                    0,
		`julo_http_requests_total{route="` + route + `",status="200"}`: 1,
		`julo_http_requests_total{route="` + route + `",status="400"}`: 1,
		`julo_internal_errors_total{route="` + route + `"}`:            -1, // no series before the first
	}
	if s.blobURL == "" {
		// Files are stored under DATA/files: a plain file in its place
		// makes the next store fail, as a full or broken disk would.
		dir := filepath.Join(s.Data, "files")
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		upload("selfie", img.Bytes()).expect(t, 500)
		want[`julo_image_uploads_total{outcome="error"}`] = 1
		want[`julo_internal_errors_total{route="`+route+`"}`] = 1
	}
	expectMetrics(t, scrapeMetrics(t, murl), want)
}

// Without --metrics-addr nothing listens for metrics; the metrics address
// may never be the API's port.
func TestMetricsAreOffByDefaultAndNeverOnTheAPIPort(t *testing.T) {
	s := startServer(t, nil)
	for _, line := range s.logLines() {
		if strings.Contains(line, "metrics listening") {
			t.Fatalf("metrics served without --metrics-addr: %s", line)
		}
	}
	var errOut bytes.Buffer
	err := runWith(context.Background(), []string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:18080", "--metrics-addr", "localhost:18080"},
		func(string) string { return "" }, io.Discard, &errOut, hooks{})
	if err == nil || !strings.Contains(err.Error(), "never served on the partner API's port") {
		t.Fatalf("same port: %v", err)
	}
}

// --pprof puts Go's profiler on the metrics listener, never on the API's
// port (without it the metrics listener has none: see the test above).
func TestProfilerOnlyOnTheMetricsListenerWhenAsked(t *testing.T) {
	get := func(u string) int {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	on := startServer(t, []string{"--metrics-addr", "127.0.0.1:0", "--pprof"})
	base := strings.TrimSuffix(on.metricsURL(t), "/metrics")
	if st := get(base + "/debug/pprof/"); st != 200 {
		t.Fatalf("with --pprof: %d", st)
	}
	if st := get(base + "/debug/pprof/profile?seconds=1"); st != 200 {
		t.Fatalf("a CPU profile: %d", st)
	}
	on.do(req{Method: "GET", Path: "/debug/pprof/", NoAuth: true, Invalid: true}).expect(t, 404)
}
