package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/julo-partnership/julo/internal/httpapi"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/refdata"
	"github.com/julo-partnership/julo/internal/store"
)

// An authenticated request through the whole handler on SQLite, with the
// requests_per_second budget counted as the server does (a lease of a
// tenth of the limit, at most 100, per write) and with a write per request
// (a lease of 1): what leasing saves. The limit is never reached.
//
//	go test -run x -bench RequestBudget -benchtime 3000x ./internal/httpapi
func BenchmarkRequestBudget(b *testing.B) {
	for _, c := range []struct {
		name  string
		lease int64
	}{{"leased", 0}, {"write_per_request", 1}} {
		b.Run(c.name, func(b *testing.B) {
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
			cfg := onboarding.DefaultConfig()
			cfg.Budgets = onboarding.BudgetConfig{Limits: map[onboarding.Budget]int64{onboarding.BudgetRequests: onboarding.MaxBudgetLimit}, MaxRequestLease: c.lease}
			svc := onboarding.New(onboarding.Deps{Store: db, Area: area, Keys: keys, Config: cfg})
			secret, err := svc.CreatePartner(ctx, "bench")
			if err != nil {
				b.Fatal(err)
			}
			h := httpapi.New(httpapi.ServicesOf(svc), slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := httptest.NewRequest("GET", "/api/partnership/v1/dropdown-data?data_selected=loan_purposes", nil)
				r.Header.Set("username", "bench")
				r.Header.Set("secret-key", secret)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 || w.Header().Get("RateLimit-Limit") == "" {
					b.Fatalf("status %d, RateLimit-Limit %q: %s", w.Code, w.Header().Get("RateLimit-Limit"), w.Body)
				}
			}
		})
	}
}
