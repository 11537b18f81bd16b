package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	vconfig "github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/julo-partnership/julo/internal/httpapi"
)

// The black-box suite holds the server to its OpenAPI document: every
// request a test sends to a test server and every answer it gets are
// validated against internal/httpapi/openapi.yaml (status, headers, body),
// through a RoundTripper installed as http.DefaultTransport, which every
// client of the tests uses (http.DefaultClient, http.Get, noRedirect). A
// violation fails the test that made the request (the one s.do ran for, or
// else the one that started the server), or the package at the end.
//
// A test that sends a deliberately invalid request (a bad-input test) marks
// it with req.Invalid, or the header openapiInvalidHeader (stripped before
// it is sent): its request is not validated, its answer still is. A request
// to an operation the document lacks must be so marked, and its answer must
// be the failure envelope with 404 or 405.
//
// JULO_TEST_OPENAPI=off turns the validation off, only to measure what it
// costs.

// openapiInvalidHeader marks a request as deliberately invalid.
const openapiInvalidHeader = "X-Test-Openapi-Invalid"

var openapiCheck *openapiValidator

func TestMain(m *testing.M) {
	base := http.DefaultTransport
	if os.Getenv("JULO_TEST_OPENAPI") == "off" {
		http.DefaultTransport = stripInvalidMark{base}
		os.Exit(m.Run())
	}
	v, err := newOpenAPIValidator()
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(2)
	}
	openapiCheck = v
	http.DefaultTransport = &validatingTransport{base: base, v: v}
	code := m.Run()
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "openapi: %d exchanges validated\n", v.checked)
	}
	if left := v.unattributed(); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "openapi: %d violations outside any test:\n%s\n", len(left), strings.Join(left, "\n"))
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

type stripInvalidMark struct{ base http.RoundTripper }

func (s stripInvalidMark) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get(openapiInvalidHeader) != "" {
		r = r.Clone(r.Context())
		r.Header.Del(openapiInvalidHeader)
	}
	return s.base.RoundTrip(r)
}

type openapiValidator struct {
	full     validator.Validator // requests and responses
	noBody   validator.Validator // the same without request bodies (not replayable) or response bodies (HEAD)
	failure  *base.Schema        // the failure envelope, for 404/405 of undocumented operations
	schemas  schema_validation.SchemaValidator
	mu       sync.Mutex
	orphans  []string              // violations no test can be told of
	apiHosts map[string]*testing.T // test servers' host:port -> the test that started it
	checked  int                   // exchanges validated
}

func newOpenAPIValidator() (*openapiValidator, error) {
	build := func(opts ...vconfig.Option) (validator.Validator, libopenapi.Document, error) {
		doc, err := libopenapi.NewDocument(httpapi.OpenAPIYAML())
		if err != nil {
			return nil, nil, err
		}
		v, errs := validator.NewValidator(doc, opts...)
		if len(errs) > 0 {
			return nil, nil, fmt.Errorf("%v", errs)
		}
		return v, doc, nil
	}
	std := []vconfig.Option{vconfig.WithStandardBodyDecoders(), vconfig.WithFormatAssertions()}
	full, doc, err := build(std...)
	if err != nil {
		return nil, err
	}
	noBody, _, err := build(append(std, vconfig.WithoutRequestBodyValidation(), vconfig.WithoutResponseBodyValidation())...)
	if err != nil {
		return nil, err
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	failure := m.Model.Components.Schemas.GetOrZero("Failure")
	if failure == nil {
		return nil, fmt.Errorf("no Failure schema")
	}
	return &openapiValidator{full: full, noBody: noBody, failure: failure.Schema(),
		schemas: schema_validation.NewSchemaValidator(), apiHosts: map[string]*testing.T{}}, nil
}

// openapiServe registers a test server's address, so that requests to it
// are validated and their violations told to t.
func openapiServe(t *testing.T, rawURL string) {
	if openapiCheck == nil {
		return
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	openapiCheck.mu.Lock()
	openapiCheck.apiHosts[u.Host] = t
	openapiCheck.mu.Unlock()
	t.Cleanup(func() {
		openapiCheck.mu.Lock()
		delete(openapiCheck.apiHosts, u.Host)
		openapiCheck.mu.Unlock()
	})
}

// openapiWrap is base validated like http.DefaultTransport, for a test that
// needs a transport of its own.
func openapiWrap(base http.RoundTripper) http.RoundTripper {
	if openapiCheck == nil {
		return stripInvalidMark{base}
	}
	return &validatingTransport{base: base, v: openapiCheck}
}

type openapiTKey struct{}

// withOpenAPITest makes violations of r be told to t.
func withOpenAPITest(r *http.Request, t *testing.T) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), openapiTKey{}, t))
}

func (v *openapiValidator) unattributed() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.orphans...)
}

type validatingTransport struct {
	base http.RoundTripper
	v    *openapiValidator
}

// maxValidatedBody bounds the request bodies that are validated; a larger
// one (or one that cannot be read twice) is sent as is, with only the
// request's method, path, query and headers validated.
const maxValidatedBody = 16 << 20

func (tr *validatingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	invalid := r.Header.Get(openapiInvalidHeader) != ""
	if invalid {
		r = r.Clone(r.Context())
		r.Header.Del(openapiInvalidHeader)
	}
	tr.v.mu.Lock()
	owner, api := tr.v.apiHosts[r.URL.Host]
	tr.v.mu.Unlock()
	if !api || !documentable(r.URL.Path) {
		return tr.base.RoundTrip(r)
	}
	t, _ := r.Context().Value(openapiTKey{}).(*testing.T)
	if t == nil {
		t = owner
	}
	// A copy of the request body to validate, when it can be had without
	// consuming the one sent.
	var reqBody []byte
	replayable := r.Body == nil || r.Body == http.NoBody
	if !replayable && r.GetBody != nil && r.ContentLength >= 0 && r.ContentLength <= maxValidatedBody {
		if rc, err := r.GetBody(); err == nil {
			reqBody, err = io.ReadAll(rc)
			rc.Close()
			replayable = err == nil
		}
	}
	resp, err := tr.base.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	respBody, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if rerr != nil {
		// A cut answer (a test of the server closing on it): nothing whole to validate.
		return resp, nil
	}
	tr.v.mu.Lock()
	tr.v.checked++
	tr.v.mu.Unlock()
	if problems := tr.v.check(r, reqBody, replayable, invalid, resp, respBody); len(problems) > 0 {
		msg := fmt.Sprintf("openapi: %s %s -> %d violates openapi.yaml:\n\t%s\n\tresponse: %.600s",
			r.Method, r.URL.RequestURI(), resp.StatusCode, strings.Join(problems, "\n\t"), respBody)
		if t != nil {
			t.Error(msg)
		} else {
			tr.v.mu.Lock()
			tr.v.orphans = append(tr.v.orphans, msg)
			tr.v.mu.Unlock()
		}
	}
	return resp, nil
}

// documentable reports whether a path is one the document may describe
// (the docs page is not part of it; see internal/httpapi's apiRoute).
func documentable(p string) bool {
	return !(p == "/docs" || strings.HasPrefix(p, "/docs/"))
}

// canonical is the request as the document names it: the clean path
// without its trailing slash (errata 1), HEAD as the GET it is served by.
func canonical(r *http.Request, body []byte) *http.Request {
	c := r.Clone(context.Background())
	p := path.Clean("/" + r.URL.Path)
	c.URL.Path, c.URL.RawPath = p, ""
	if c.Method == http.MethodHead {
		c.Method = http.MethodGet
	}
	if body != nil {
		c.Body = io.NopCloser(bytes.NewReader(body))
		c.ContentLength = int64(len(body))
	} else {
		c.Body = http.NoBody
	}
	return c
}

// check returns what is wrong with the exchange, by the document.
func (v *openapiValidator) check(r *http.Request, reqBody []byte, replayable, invalid bool, resp *http.Response, respBody []byte) []string {
	var problems []string
	head := r.Method == http.MethodHead
	val := v.full
	if head || !replayable {
		val = v.noBody
	}
	creq := canonical(r, reqBody)
	okReq, reqErrs := val.ValidateHttpRequestSync(creq)
	undocumented := false
	for _, e := range reqErrs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			undocumented = true
		}
	}
	if !okReq && !invalid {
		problems = append(problems, describe("request", reqErrs)...)
	}
	if invalid && resp.StatusCode < 400 {
		// Marked invalid, yet served: the mark (or the server) is wrong.
		problems = append(problems, "a request marked invalid was answered with success")
	}
	if undocumented {
		// No operation to hold the answer to: it must be the envelope's
		// 404 or 405.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			problems = append(problems, fmt.Sprintf("an operation the document lacks answered %d, not 404/405", resp.StatusCode))
		}
		if ok, errs := v.schemas.ValidateSchemaBytes(v.failure, respBody); !ok {
			problems = append(problems, describe("response (Failure)", errs)...)
		}
		return problems
	}
	cresp := *resp
	cresp.Body = io.NopCloser(bytes.NewReader(respBody))
	if head {
		cresp.Body = http.NoBody
	}
	if ok, errs := val.ValidateHttpResponse(canonical(r, reqBody), &cresp); !ok {
		problems = append(problems, describe("response", errs)...)
	}
	return problems
}

func describe(what string, errs []*liberrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		s := what + ": " + e.Message
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		var details []string
		for _, f := range e.SchemaValidationErrors {
			loc := f.FieldPath
			if loc == "" {
				loc = strings.Join(f.InstancePath, "/")
			}
			reason := f.Reason
			if len(reason) > 300 {
				reason = reason[:300] + "…"
			}
			details = append(details, loc+": "+reason)
		}
		sort.Strings(details)
		if len(details) > 0 {
			s += " [" + strings.Join(details, "; ") + "]"
		}
		out = append(out, s)
	}
	return out
}
