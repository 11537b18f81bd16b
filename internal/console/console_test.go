package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
)

// In production the cookie is __Host- prefixed and Secure, HSTS is sent,
// and an admin must enrol a second factor before anything else.
func TestProductionCookieAndRequiredTOTP(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys := onboarding.Keys{
		Data:   onboarding.KeySet{Current: "d1", Keys: map[string][]byte{"d1": []byte("0123456789abcdef0123456789abcdef")}},
		Lookup: onboarding.KeySet{Current: "l1", Keys: map[string][]byte{"l1": []byte("lookup-key-lookup-key-lookup-key")}},
	}
	if err := db.SetKeys(keys); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	office := backoffice.New(backoffice.Deps{Store: db, Policy: backoffice.DefaultPolicy(true), Now: func() time.Time { return now }})
	op, _, err := office.CreateOperator(ctx, "ana@lender.example", backoffice.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a long enough secret phrase"
	hash, _ := backoffice.HashPassword(strings.NewReader(strings.Repeat("s", 16)), pw)
	if err := db.SetOperatorPassword(ctx, op.ID, hash, false, now); err != nil {
		t.Fatal(err)
	}
	con, err := New(Deps{Office: office, Config: Config{Production: true, Env: "production"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(con)
	defer srv.Close()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"email": {"ana@lender.example"}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/account/totp" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, want := range []string{"__Host-julo_console=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(sc, "Domain=") {
		t.Errorf("Set-Cookie %q has a Domain", sc)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS in production")
	}
	// Until the enrolment, every page leads back to it.
	cookie := strings.SplitN(sc, ";", 2)[0]
	r, _ := http.NewRequest("GET", srv.URL+"/applications", nil)
	r.Header.Set("Cookie", cookie)
	resp, err = c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/account/totp" {
		t.Fatalf("before the enrolment: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// A cross-site login form is refused (the login has no session's token).
func TestLoginRefusesCrossSitePosts(t *testing.T) {
	r := httptest.NewRequest("POST", "http://console.example/login", nil)
	r.Header.Set("Origin", "https://evil.example")
	if sameOrigin(r) {
		t.Fatal("another origin accepted")
	}
	r.Header.Set("Origin", "http://console.example")
	if !sameOrigin(r) {
		t.Fatal("its own origin refused")
	}
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if sameOrigin(r) {
		t.Fatal("a cross-site fetch accepted")
	}
}

func TestMaskRupiahAndFunnel(t *testing.T) {
	for in, want := range map[[3]any]string{
		{"3173050101920003", 4, 2}: "3173••••••••••03", {"0812", 4, 2}: "••••", {"", 4, 2}: "", {"0672272764", 0, 4}: "••••••2764",
	} {
		if got := mask(in[0].(string), in[1].(int), in[2].(int)); got != want {
			t.Errorf("mask(%v) = %q, want %q", in, got, want)
		}
	}
	for m, want := range map[int64]string{0: "Rp 0", 999: "Rp 999", 1000: "Rp 1.000", 15000000: "Rp 15.000.000", -2500: "-Rp 2.500"} {
		if got := rupiah(julo.Money(m)); got != want {
			t.Errorf("rupiah(%d) = %q, want %q", m, got, want)
		}
	}
	bars := funnelChart([]backoffice.FunnelStep{{Name: "registered", Count: 1000}, {Name: "submitted", Count: 1}, {Name: "decided"}, {Name: "activated", Count: 500}})
	if bars[0].Width != 400 || bars[1].Width != 1 || bars[2].Width != 0 || bars[3].Width != 200 {
		t.Fatalf("bars %+v", bars)
	}
	if csvSafe("=HYPERLINK()") != "'=HYPERLINK()" || csvSafe("login") != "login" {
		t.Fatal("csvSafe")
	}
}
