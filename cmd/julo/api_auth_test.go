package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

// authEndpoints is one valid request per partner endpoint (and alias).
func authEndpoints() []req {
	return []req{
		{Method: "POST", Path: pathRegister, Body: regBody(testNIK(1), "auth@example.com")},
		{Method: "POST", Path: pathPrereg, Body: map[string]any{"nik": testNIK(1), "email": "auth@example.com"}},
		{Method: "POST", Path: pathPIN, Body: map[string]any{"nik": testNIK(1), "pin": strongPIN}},
		{Method: "GET", Path: pathDropdown + "?data_selected=job_types"},
		{Method: "GET", Path: pathDropdowns + "?data_selected=job_types"},
		{Method: "GET", Path: pathAddress + "?get_address=province"},
	}
}

// Every partner endpoint refuses a missing or wrong credential pair with the
// same 401 message whatever was wrong (errata 2, domain §1), stores nothing,
// and in English with Accept-Language: en.
func TestAuthFailuresAreOne401(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	otherSecret := s.createPartner("globex")
	variants := []struct {
		name string
		hdr  map[string]string
	}{
		{"no headers", map[string]string{}},
		{"no secret-key", map[string]string{"username": s.Partner}},
		{"no username", map[string]string{"secret-key": s.Secret}},
		{"empty secret-key", map[string]string{"username": s.Partner, "secret-key": ""}},
		{"wrong secret-key", map[string]string{"username": s.Partner, "secret-key": s.Secret + "x"}},
		{"another partner's secret-key", map[string]string{"username": s.Partner, "secret-key": otherSecret}},
		{"unknown username", map[string]string{"username": "initech", "secret-key": s.Secret}},
		{"swapped headers", map[string]string{"username": s.Secret, "secret-key": s.Partner}},
	}
	for _, e := range authEndpoints() {
		for _, v := range variants {
			t.Run(e.Method+" "+e.Path+" "+v.name, func(t *testing.T) {
				s.unchanged(t, func() {
					r := e
					r.NoAuth, r.Header = true, v.hdr
					// A missing or empty header breaks the document's security scheme.
					r.Invalid = v.hdr["username"] == "" || v.hdr["secret-key"] == ""
					got := s.forT(t).do(r).expect(t, http.StatusUnauthorized)
					expectErrors(t, got, msgUnauthorized)
					if string(got.Data) != "null" {
						t.Fatalf("data %s", got.Data)
					}
					r.Header = map[string]string{"Accept-Language": "en"}
					for k, x := range v.hdr {
						r.Header[k] = x
					}
					expectErrors(t, s.forT(t).do(r).expect(t, http.StatusUnauthorized), msgUnauthorizedEN)
				})
			})
		}
	}
	// The other partner's own pair works.
	s.do(req{Method: "GET", Path: pathAddress + "?get_address=province", NoAuth: true,
		Header: map[string]string{"username": "globex", "secret-key": otherSecret}}).expect(t, http.StatusOK)
}

// A disabled partner gets the same 401 on every endpoint, also for a body
// that would otherwise be invalid; enabled again, it works.
func TestAuthDisabledPartnerIsRefusedAndReEnabledWorks(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	if out, err := s.cli("partner", "disable", "acme"); err != nil {
		t.Fatalf("partner disable: %v %s", err, out)
	}
	s.credentialCheckPassed()
	for _, e := range authEndpoints() {
		s.unchanged(t, func() {
			expectErrors(t, s.do(e).expect(t, http.StatusUnauthorized), msgUnauthorized)
		})
	}
	s.do(req{Method: "POST", Path: pathRegister, Body: "{not json", ContentType: "application/json", Invalid: true}).expect(t, http.StatusUnauthorized, msgUnauthorized)
	if out, err := s.cli("partner", "enable", "acme"); err != nil {
		t.Fatalf("partner enable: %v %s", err, out)
	}
	statuses := []int{http.StatusCreated, http.StatusBadRequest, http.StatusOK, http.StatusOK, http.StatusOK, http.StatusOK}
	for i, e := range authEndpoints() {
		// The pre-register check answers 400 once the registration above exists.
		s.do(e).expect(t, statuses[i])
	}
}

// Rotation: after `partner rotate` the old and the new secret both work;
// after `partner rotate --revoke-old` only the new one does; a second rotate
// keeps only the two newest.
func TestAuthSecretRotation(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	rotate := func(args ...string) string {
		t.Helper()
		out, err := s.cli(append([]string{"partner", "rotate"}, args...)...)
		if err != nil {
			t.Fatalf("partner rotate %v: %v", args, err)
		}
		s.credentialCheckPassed()
		return out
	}
	call := func(secret string, status int) {
		t.Helper()
		r := s.do(req{Method: "GET", Path: pathAddress + "?get_address=province", NoAuth: true,
			Header: map[string]string{"username": "acme", "secret-key": secret}}).expect(t, status)
		if status == http.StatusUnauthorized {
			expectErrors(t, r, msgUnauthorized)
		}
	}
	var p struct {
		Username  string `json:"username"`
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal([]byte(rotate("acme")), &p); err != nil || p.Username != "acme" || p.SecretKey == "" || p.SecretKey == s.Secret {
		t.Fatalf("partner rotate printed %+v (%v)", p, err)
	}
	s1, s2 := s.Secret, p.SecretKey
	call(s1, http.StatusOK)
	call(s2, http.StatusOK)

	out := rotate("--revoke-old", "acme")
	var rv struct {
		Username string `json:"username"`
		Revoked  int    `json:"revoked"`
	}
	if err := json.Unmarshal([]byte(out), &rv); err != nil || rv.Username != "acme" || rv.Revoked != 1 {
		t.Fatalf("rotate --revoke-old printed %q", out)
	}
	call(s1, http.StatusUnauthorized)
	call(s2, http.StatusOK)

	// The flag may also come after the name.
	json.Unmarshal([]byte(rotate("acme")), &p)
	s3 := p.SecretKey
	json.Unmarshal([]byte(rotate("acme")), &p)
	s4 := p.SecretKey
	call(s2, http.StatusUnauthorized)
	call(s3, http.StatusOK)
	call(s4, http.StatusOK)
	rotate("acme", "--revoke-old")
	call(s3, http.StatusUnauthorized)
	call(s4, http.StatusOK)

	if _, err := s.cli("partner", "rotate", "nobody"); err == nil {
		t.Fatal("rotating an unknown partner succeeded")
	}
}
