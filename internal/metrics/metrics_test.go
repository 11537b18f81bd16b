package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// scrape returns what a Prometheus server would read from m.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("Content-Type %q", ct)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// value is the value of one series (name with its labels, as printed), or
// -1 when the scrape lacks it.
func value(t *testing.T, text, series string) float64 {
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

func TestRequestsAreCountedByRoutePatternAndStatus(t *testing.T) {
	m := New()
	const route = "GET /api/partnership/v1/application/status/{xid}"
	m.Request(route, 200, 3*time.Millisecond)
	m.Request(route+"/{$}", 200, 30*time.Millisecond) // the trailing-slash form is the same route
	m.Request(route, 404, time.Millisecond)
	m.Request("GET /healthz", 0, time.Millisecond) // nothing written: net/http sent 200
	m.InternalError("POST /api/partnership/v1/customer/{$}")
	text := scrape(t, m)
	for series, want := range map[string]float64{
		`julo_http_requests_total{route="` + route + `",status="200"}`:                                   2,
		`julo_http_requests_total{route="` + route + `",status="404"}`:                                   1,
		`julo_http_requests_total{route="GET /healthz",status="200"}`:                                    1,
		`julo_http_request_duration_seconds_count{route="` + route + `",status="200"}`:                   2,
		`julo_http_request_duration_seconds_bucket{route="` + route + `",status="200",le="0.005"}`:       1,
		`julo_http_request_duration_seconds_bucket{route="` + route + `",status="200",le="0.05"}`:        2,
		`julo_http_request_duration_seconds_sum{route="` + route + `",status="200"}`:                     0.033,
		`julo_internal_errors_total{route="POST /api/partnership/v1/customer"}`:                          1,
		`julo_http_requests_total{route="` + route + `/{$}",status="200"}`:                               -1,
		`julo_http_request_duration_seconds_count{route="POST /api/partnership/v1/customer",status="0"}`: -1,
	} {
		if got := value(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

// Every reason and outcome is a series from the start (at 0), so that a
// rate over it exists before the first refusal; then each event counts.
func TestDomainEventsAreCountedAndShownFromZero(t *testing.T) {
	m := New()
	text := scrape(t, m)
	if value(t, text, "julo_otp_sent_total") != 0 {
		t.Errorf("julo_otp_sent_total not 0 at start:\n%s", text)
	}
	for _, r := range onboarding.OTPRefusalReasons() {
		if v := value(t, text, `julo_otp_refused_total{reason="`+r+`"}`); v != 0 {
			t.Errorf("refused %s = %v at start", r, v)
		}
	}
	for _, o := range onboarding.OTPValidationOutcomes() {
		if v := value(t, text, `julo_otp_validations_total{outcome="`+o+`"}`); v != 0 {
			t.Errorf("validations %s = %v at start", o, v)
		}
	}
	for _, o := range onboarding.UploadOutcomes() {
		if v := value(t, text, `julo_image_uploads_total{outcome="`+o+`"}`); v != 0 {
			t.Errorf("uploads %s = %v at start", o, v)
		}
	}

	var obs onboarding.Observer = m
	obs.OTPSent()
	obs.OTPSent()
	obs.OTPRefused(onboarding.OTPRefusedPhoneDaily)
	obs.OTPValidated(onboarding.OTPBurned)
	obs.ImageUploaded(onboarding.UploadStored)
	text = scrape(t, m)
	for series, want := range map[string]float64{
		`julo_otp_sent_total`:                                2,
		`julo_otp_refused_total{reason="phone_daily_limit"}`: 1,
		`julo_otp_refused_total{reason="locked"}`:            0,
		`julo_otp_validations_total{outcome="burned"}`:       1,
		`julo_image_uploads_total{outcome="stored"}`:         1,
	} {
		if got := value(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

// Each Metrics has its own registry: two servers in one process (the
// tests) count apart, and nothing is registered globally.
func TestMetricsOfTwoServersAreApart(t *testing.T) {
	a, b := New(), New()
	a.OTPSent()
	if v := value(t, scrape(t, b), "julo_otp_sent_total"); v != 0 {
		t.Fatalf("b counts a's send: %v", v)
	}
	if v := value(t, scrape(t, a), "julo_otp_sent_total"); v != 1 {
		t.Fatalf("a's send: %v", v)
	}
}

func TestGoAndProcessCollectorsAreRegistered(t *testing.T) {
	text := scrape(t, New())
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if value(t, text, name) < 0 {
			t.Errorf("%s missing", name)
		}
	}
}
