package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/julo-partnership/julo/internal/httpapi"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/refdata"
	"github.com/julo-partnership/julo/internal/store"
)

// benchServer is the real handler on a real SQLite store in a temp dir.
func benchServer(b *testing.B) (http.Handler, string) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	kb, _ := keyring.Generate()
	keys, err := keyring.Parse(kb)
	if err != nil {
		b.Fatal(err)
	}
	area, err := refdata.LoadArea()
	if err != nil {
		b.Fatal(err)
	}
	// A budget never reached (counted as the server does: see
	// bench_budget_test.go for its cost).
	cfg := onboarding.DefaultConfig()
	cfg.Budgets.Limits = map[onboarding.Budget]int64{onboarding.BudgetRequests: onboarding.MaxBudgetLimit}
	svc := onboarding.New(onboarding.Deps{Store: db, Area: area, Keys: keys, Config: cfg})
	secret, err := svc.CreatePartner(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return httpapi.New(httpapi.ServicesOf(svc), slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{}), secret
}

func benchGET(b *testing.B, path string) {
	h, secret := benchServer(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("username", "bench")
		r.Header.Set("secret-key", secret)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// A dropdown request through the whole handler: request id, log line,
// partner authentication against SQLite, decoding, the list, the envelope.
func BenchmarkDropdownLoanPurposes(b *testing.B) {
	benchGET(b, "/api/partnership/v1/dropdown-data?data_selected=loan_purposes")
}

func BenchmarkDropdownBanks(b *testing.B) {
	benchGET(b, "/api/partnership/v1/dropdown-data?data_selected=banks")
}

func BenchmarkDropdownBirthPlaces(b *testing.B) {
	benchGET(b, "/api/partnership/v1/dropdown-data?data_selected=birth_places")
}

func BenchmarkAddressSubDistrictThroughHandler(b *testing.B) {
	benchGET(b, "/api/partnership/v1/address?get_address=sub_district&province=DKI+Jakarta&city=Jakarta+Utara&district=Pademangan")
}
