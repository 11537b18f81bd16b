package httpapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/httpapi"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// observed lists what an httpapi.Observer was told.
type observed struct {
	mu     sync.Mutex
	events []string
}

func (o *observed) Request(route string, status int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, route+" "+http.StatusText(status))
}

func (o *observed) InternalError(route string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, "internal "+route)
}

// brokenStore fails every lookup of partner credentials, as a database that
// is down does; other methods are the nil embedded interface's.
type brokenStore struct{ onboarding.Store }

func (brokenStore) PartnerCredentials(ctx context.Context, username string) (julo.Partner, []onboarding.PartnerSecret, error) {
	return julo.Partner{}, nil, errors.New("database is down")
}

func (brokenStore) CredentialsVersion(ctx context.Context) (int64, error) {
	return 0, errors.New("database is down")
}

// The observer is told of every request by route pattern (never the path
// with its xid), and separately of a request that failed internally.
func TestObserverIsToldEachRequestByRoutePatternAndInternalErrors(t *testing.T) {
	obs := &observed{}
	svc := onboarding.New(onboarding.Deps{Store: brokenStore{}})
	h := httpapi.New(httpapi.ServicesOf(svc), slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{Observer: obs})
	for _, path := range []string{"/api/partnership/v1/application/status/1234567890", "/healthz", "/nothing/here"} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("username", "acme")
		r.Header.Set("secret-key", "x")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	want := []string{
		"GET /api/partnership/v1/application/status/{xid} Internal Server Error",
		"internal GET /api/partnership/v1/application/status/{xid}",
		"GET /healthz OK",
		"unmatched Not Found",
	}
	if !slices.Equal(obs.events, want) {
		t.Fatalf("observed %q\nwant %q", obs.events, want)
	}
}
