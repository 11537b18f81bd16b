package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/httpapi"
	"github.com/julo-partnership/julo/internal/keyring"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/refdata"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/store/storetest"
)

// What the Idempotency-Key bookkeeping adds to a write: the whole handler
// on a real store (SQLite in a temp dir; PostgreSQL too with
// JULO_TEST_DATABASE_URL), requests one after another, alternating with
// and without a key so that both see the same machine; each iteration is
// one of each, in turn first, and a replay (the keyed request again).
// Reported: p50 and p99 of each kind in ms.
//
// registration is POST /customer (its PIN's argon2id hash, ~50 ms, is
// most of it); pin_check is POST /check-strong-pin, which writes nothing
// itself, so that with a key it is the bookkeeping alone (fingerprint,
// claim, sealing and saving the answer) over the same request without.
//
//	go test -run x -bench RegistrationIdempotency -benchtime 300x ./internal/httpapi
func BenchmarkRegistrationIdempotency(b *testing.B) {
	dbs := []struct{ name, url string }{{"sqlite", ""}}
	if os.Getenv(storetest.URLEnv) != "" {
		dbs = append(dbs, struct{ name, url string }{"postgres", "pg"})
	}
	for _, d := range dbs {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			url := d.url
			if url != "" {
				url = storetest.FreshPostgres(b)
			}
			db, err := store.Open(ctx, url, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			kb, _ := keyring.Generate()
			keys, err := keyring.Parse(kb)
			if err != nil {
				b.Fatal(err)
			}
			if err := db.SetKeys(keys); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			area, err := refdata.LoadArea()
			if err != nil {
				b.Fatal(err)
			}
			cfg := onboarding.DefaultConfig()
			cfg.Budgets.Limits = map[onboarding.Budget]int64{onboarding.BudgetRequests: onboarding.MaxBudgetLimit,
				onboarding.BudgetRegistrations: onboarding.MaxBudgetLimit}
			svc := onboarding.New(onboarding.Deps{Store: db, Area: area, Keys: keys, Config: cfg})
			secret, err := svc.CreatePartner(ctx, "bench")
			if err != nil {
				b.Fatal(err)
			}
			services := httpapi.ServicesOf(svc)
			services.Idempotency = db
			h := httpapi.New(services, slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{})
			register := func(n int, key string) (time.Duration, string) {
				// A valid NIK per n: born on day 1-28 of 1990's months, serial 1-9999.
				nik := fmt.Sprintf("320302%02d%02d90%04d", 1+n/9999%28, 1+n/(9999*28)%12, 1+n%9999)
				body := fmt.Sprintf(`{"username":%q,"pin":"159357","email":"bench%d@test.com","latitude":-6.2,"longitude":106.8}`, nik, n)
				r := httptest.NewRequest("POST", "/api/partnership/v1/customer", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("username", "bench")
				r.Header.Set("secret-key", secret)
				if key != "" {
					r.Header.Set("Idempotency-Key", key)
				}
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, r)
				el := time.Since(start)
				if w.Code != 201 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
				return el, w.Header().Get("Idempotent-Replayed")
			}
			pinCheck := func(n int, key string) (time.Duration, string) {
				r := httptest.NewRequest("POST", "/api/partnership/v1/check-strong-pin", strings.NewReader(`{"nik":"3203021505900001","pin":"159357"}`))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("username", "bench")
				r.Header.Set("secret-key", secret)
				if key != "" {
					r.Header.Set("Idempotency-Key", key)
				}
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, r)
				el := time.Since(start)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
				return el, w.Header().Get("Idempotent-Replayed")
			}
			// b.ResetTimer drops reported metrics: they are reported at the end.
			metrics := map[string]float64{}
			for _, route := range []struct {
				name string
				do   func(int, string) (time.Duration, string)
			}{{"registration", register}, {"pin_check", pinCheck}} {
				var plain, keyed, replays []time.Duration
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					key := fmt.Sprintf("bench-%s-%d", route.name, i)
					// Which goes first alternates: the first request of an
					// iteration pays for the garbage of the one before.
					if i%2 == 0 {
						el, _ := route.do(2*i, "")
						plain = append(plain, el)
					}
					el, _ := route.do(2*i+1, key)
					keyed = append(keyed, el)
					if i%2 == 1 {
						el, _ := route.do(2*i, "")
						plain = append(plain, el)
					}
					el, rep := route.do(2*i+1, key)
					if rep != "true" {
						b.Fatal("not replayed")
					}
					replays = append(replays, el)
				}
				b.StopTimer()
				pct := func(ds []time.Duration, p float64) float64 {
					s := slices.Clone(ds)
					slices.Sort(s)
					return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
				}
				metrics[route.name+"-p50-ms-no-key"] = pct(plain, 0.5)
				metrics[route.name+"-p99-ms-no-key"] = pct(plain, 0.99)
				metrics[route.name+"-p50-ms-key"] = pct(keyed, 0.5)
				metrics[route.name+"-p99-ms-key"] = pct(keyed, 0.99)
				metrics[route.name+"-p50-ms-replay"] = pct(replays, 0.5)
				metrics[route.name+"-p99-ms-replay"] = pct(replays, 0.99)
			}
			for unit, v := range metrics {
				b.ReportMetric(v, unit)
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
