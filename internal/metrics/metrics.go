// Package metrics counts what the server does, for Prometheus: requests by
// route pattern and status with their latency, OTP sends and refusals, OTP
// validations, image uploads, internal errors, and the Go runtime and process.
// It implements the observers that onboarding and httpapi define, so neither
// imports Prometheus; cmd/julo wires it in and serves Handler on its own
// listen address, never on the partner API's.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// Metrics holds the server's metrics in a registry of its own (not the
// client library's global one), so two servers in one process, as in the
// tests, count apart. Its methods are safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	internal     *prometheus.CounterVec
	otpSent      prometheus.Counter
	otpRefused   *prometheus.CounterVec
	otpValidated *prometheus.CounterVec
	uploads      *prometheus.CounterVec
}

// New returns the metrics, registered with the Go runtime and process
// collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "julo_http_requests_total",
			Help: "Requests answered by the partner API, by route pattern and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "julo_http_request_duration_seconds",
			Help: "Time from a request's arrival to the end of its answer, by route pattern and status.",
			// From a read served from memory (about a millisecond) to a
			// registration queued for an argon2id slot under load (seconds).
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status"}),
		internal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "julo_internal_errors_total",
			Help: "Requests that failed with an internal error (the store or the file store failing, or a bug), by route pattern; answered 500, the cause logged with the request id.",
		}, []string{"route"}),
		otpSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "julo_otp_sent_total",
			Help: "OTP codes handed to the SMS gateway.",
		}),
		otpRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "julo_otp_refused_total",
			Help: "OTP sends refused by a limit or failed at the SMS gateway, by reason.",
		}, []string{"reason"}),
		otpValidated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "julo_otp_validations_total",
			Help: "OTP codes checked, by outcome.",
		}, []string{"outcome"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "julo_image_uploads_total",
			Help: "Image uploads handled by the domain, by outcome.",
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.internal, m.otpSent, m.otpRefused, m.otpValidated, m.uploads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every reason and outcome is shown from the start, at 0, so a rate
	// over it exists before the first event.
	for _, r := range onboarding.OTPRefusalReasons() {
		m.otpRefused.WithLabelValues(r)
	}
	for _, o := range onboarding.OTPValidationOutcomes() {
		m.otpValidated.WithLabelValues(o)
	}
	for _, o := range onboarding.UploadOutcomes() {
		m.uploads.WithLabelValues(o)
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	// Registry: failures to gather are counted too
	// (promhttp_metric_handler_errors_total).
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request counts one answered request. route must be the route pattern
// ("GET /api/partnership/v1/application/status/{xid}") or another value
// from a small fixed set ("unmatched"), never the path: a path holds xids
// and would make a series per application. The trailing-slash form of a
// route ("/{$}") counts as the route itself; status 0 (the handler wrote
// nothing) is the 200 net/http then sends.
func (m *Metrics) Request(route string, status int, d time.Duration) {
	route = strings.TrimSuffix(route, "/{$}")
	if status == 0 {
		status = http.StatusOK
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.duration.WithLabelValues(route, code).Observe(d.Seconds())
}

// InternalError counts a request that failed with an internal error.
func (m *Metrics) InternalError(route string) {
	m.internal.WithLabelValues(strings.TrimSuffix(route, "/{$}")).Inc()
}

// OTPSent counts a code handed to the SMS gateway.
func (m *Metrics) OTPSent() { m.otpSent.Inc() }

// OTPRefused counts a refused or failed send; reason is one of
// onboarding.OTPRefusalReasons.
func (m *Metrics) OTPRefused(reason string) { m.otpRefused.WithLabelValues(reason).Inc() }

// OTPValidated counts a checked code; outcome is one of
// onboarding.OTPValidationOutcomes.
func (m *Metrics) OTPValidated(outcome string) { m.otpValidated.WithLabelValues(outcome).Inc() }

// ImageUploaded counts an upload; outcome is one of onboarding.UploadOutcomes.
func (m *Metrics) ImageUploaded(outcome string) { m.uploads.WithLabelValues(outcome).Inc() }

var _ onboarding.Observer = (*Metrics)(nil)
