package main

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's status example is the envelope the server really returns,
// showing only keys the server returns, the essential ones among them; its
// troubleshooting note explains the pre-register check's 423 with the
// lock's real length (Retry-After).
func TestREADMEStatusExampleAndLockedNoteMatchTheServer(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	s := startServer(t, nil)
	xid := s.newApplication(t)
	r := s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + xid}).expect(t, http.StatusOK)
	var data map[string]json.RawMessage
	r.decodeData(t, &data)

	_, after, ok := strings.Cut(readme, "$API/application/status/$X\n")
	if !ok {
		t.Fatal("README has no status request in its walk-through")
	}
	example, _, _ := strings.Cut(after, "\n\n")
	if !strings.HasPrefix(example, `# {"success":true,"data":{"application_xid":`) || !strings.Contains(example, `"errors":[]}`) {
		t.Fatalf("README's status example is not the envelope:\n%s", example)
	}
	for _, k := range []string{"application_xid", "application_status", "application_status_code", "missing_steps"} {
		if _, ok := data[k]; !ok || !strings.Contains(example, `"`+k+`":`) {
			t.Errorf("%q: in the answer %v, in README's status example:\n%s", k, ok, example)
		}
	}
	for _, k := range regexp.MustCompile(`"([a-z_]+)":`).FindAllStringSubmatch(example, -1) {
		if !strings.Contains(r.Raw, `"`+k[1]+`":`) {
			t.Errorf("README's status example shows %q, which the server does not return", k[1])
		}
	}

	// The 423: three failed checks of one email lock it for 3 hours.
	s.register(t, testNIK(1), "owner@example.com")
	for i := 0; i < 2; i++ {
		s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "probe@example.com"}}).expect(t, http.StatusBadRequest)
	}
	locked := s.do(req{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "probe@example.com"}}).expect(t, http.StatusLocked)
	if locked.Header.Get("Retry-After") != "10800" {
		t.Fatalf("Retry-After %q", locked.Header.Get("Retry-After"))
	}
	_, note, ok := strings.Cut(readme, "### Troubleshooting")
	if !ok {
		t.Fatal("README has no Troubleshooting section")
	}
	note, _, _ = strings.Cut(note, "\n## ")
	for _, want := range []string{"423", "preregister-check", "Retry-After", "3 hours", "1 hour"} {
		if !strings.Contains(note, want) {
			t.Errorf("the troubleshooting note lacks %q", want)
		}
	}
}
