package httpapi

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// apiRoute reports whether a registered pattern is part of the API the
// document describes. The docs page (GET /docs and its static assets) is a
// web page for people that renders the document; it is not part of the
// contract a partner codes against, and describing the page inside the
// document it renders would add nothing.
func apiRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return path != "/docs" && !strings.HasPrefix(path, "/docs/")
}

// documentedRoutes are the document's operations as "METHOD /path".
func documentedRoutes(t *testing.T) []string {
	var out []string
	for k := range operations(t) {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Every route the server registers (sandbox on) is in the document, and
// every operation of the document is a route the server registers.
func TestOpenAPIDocumentsEveryRouteAndNoOther(t *testing.T) {
	s := New(ServicesOf(onboarding.New(onboarding.Deps{})), slog.New(slog.DiscardHandler), Config{Sandbox: true})
	all := s.Patterns()
	registered := map[string]bool{}
	for _, p := range all {
		registered[p] = true
	}
	var routes []string
	for _, p := range all {
		if base, twin := strings.CutSuffix(p, "/{$}"); twin && registered[base] {
			continue // the trailing-slash form (errata 1), documented once
		}
		if apiRoute(p) {
			routes = append(routes, p)
		}
	}
	slices.Sort(routes)
	if len(routes) < 20 {
		t.Fatalf("only %d routes recorded: %v", len(routes), routes)
	}
	documented := documentedRoutes(t)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %q is not in openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.yaml documents %q, which the server does not register", d)
		}
	}
	// Every API route but the health checks has its trailing-slash twin.
	for _, r := range routes {
		if !registered[r+"/{$}"] && !strings.HasSuffix(r, "z") {
			t.Errorf("route %q has no trailing-slash form", r)
		}
	}
	// The sandbox routes are marked as such.
	prod := New(ServicesOf(onboarding.New(onboarding.Deps{})), slog.New(slog.DiscardHandler), Config{})
	inProd := map[string]bool{}
	for _, p := range prod.Patterns() {
		inProd[p] = true
	}
	marked := sandboxOnlyOperations(t)
	for _, r := range routes {
		if inProd[r] == marked[r] {
			t.Errorf("%s: served in production %v, marked x-sandbox-only %v", r, inProd[r], marked[r])
		}
	}
}

func sandboxOnlyOperations(t *testing.T) map[string]bool {
	out := map[string]bool{}
	for k, n := range operations(t) {
		var op struct {
			Sandbox     bool   `yaml:"x-sandbox-only"`
			Description string `yaml:"description"`
		}
		if err := n.Decode(&op); err != nil {
			t.Fatal(err)
		}
		if op.Sandbox {
			if !strings.Contains(op.Description, "Sandbox only") {
				t.Errorf("%s: x-sandbox-only without saying so in the description", k)
			}
			out[k] = true
		}
	}
	return out
}
