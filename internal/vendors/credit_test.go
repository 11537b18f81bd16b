package vendors

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
)

func TestIdentityVendor(t *testing.T) {
	var got map[string]string
	var auth string
	answer, status := `{"result": "partial"}`, http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &got)
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	v := &Identity{URL: srv.URL, Token: "tok", Client: &http.Client{Timeout: time.Second}}
	q := credit.IdentityQuery{NIK: "3203020101930001", Fullname: "Budi Ismail", DOB: "1993-01-01"}
	m, err := v.CheckIdentity(context.Background(), q)
	if err != nil || m != credit.IdentityPartial || auth != "Bearer tok" ||
		got["nik"] != q.NIK || got["name"] != q.Fullname || got["birth_date"] != q.DOB {
		t.Fatalf("match %q, %v; sent %v with %q", m, err, got, auth)
	}
	for _, c := range []struct {
		answer string
		status int
	}{{`{"result": "maybe"}`, 200}, {`not json`, 200}, {`{"result": "matched"}`, 500}} {
		answer, status = c.answer, c.status
		_, err := v.CheckIdentity(context.Background(), q)
		if err == nil || strings.Contains(err.Error(), q.NIK) || strings.Contains(err.Error(), "Budi") {
			t.Fatalf("answer %d %s: error %v (an error, without the personal data)", c.status, c.answer, err)
		}
	}
}

func TestIdentityVendorTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	v := &Identity{URL: srv.URL, Client: &http.Client{Timeout: 50 * time.Millisecond}}
	if _, err := v.CheckIdentity(context.Background(), credit.IdentityQuery{NIK: "3203020101930001"}); err == nil {
		t.Fatal("a vendor that does not answer within the timeout was not an error")
	}
}

func TestBureauVendor(t *testing.T) {
	answer := `{"no_record": false, "active_lenders": 2, "worst_dpd_12m": 31}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, answer) }))
	defer srv.Close()
	v := &Bureau{URL: srv.URL, Client: &http.Client{Timeout: time.Second}}
	r, err := v.CheckBureau(context.Background(), "3203020101930001")
	if err != nil || r != (credit.BureauReport{ActiveLenders: 2, WorstDPD12M: 31}) {
		t.Fatalf("report %+v, %v", r, err)
	}
	answer = `{"no_record": false}`
	if _, err := v.CheckBureau(context.Background(), "3203020101930001"); err == nil {
		t.Fatal("an answer without its counts was accepted")
	}
}

func TestSandboxSerials(t *testing.T) {
	ctx := context.Background()
	for serial, want := range map[string]credit.IdentityMatch{"9001": credit.IdentityMismatch, "9004": credit.IdentityPartial, "9002": credit.IdentityMatched, "0001": credit.IdentityMatched} {
		if m, err := (SandboxIdentity{}).CheckIdentity(ctx, credit.IdentityQuery{NIK: "320302010193" + serial}); err != nil || m != want {
			t.Errorf("identity of serial %s: %q, %v; want %q", serial, m, err, want)
		}
	}
	for serial, want := range map[string]credit.BureauReport{
		"9002": {ActiveLenders: 1, WorstDPD12M: 95}, "9003": {ActiveLenders: 3}, "9005": {NoRecord: true}, "0001": {ActiveLenders: 1},
	} {
		if r, err := (SandboxBureau{}).CheckBureau(ctx, "320302010193"+serial); err != nil || r != want {
			t.Errorf("bureau of serial %s: %+v, %v; want %+v", serial, r, err, want)
		}
	}
	if _, err := (SandboxBureau{}).CheckBureau(ctx, "3203020101939006"); err == nil {
		t.Error("serial 9006: the bureau answered")
	}
	if _, err := (Unconfigured{What: "Identity check"}).CheckIdentity(ctx, credit.IdentityQuery{}); julo.ErrorCode(err) != julo.EUNAVAILABLE {
		t.Errorf("unconfigured identity: %v", err)
	}
}
