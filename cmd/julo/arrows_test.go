package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The arrows of the README's Architecture section that must never exist,
// checked on the real import graph (go list), so that a change that adds
// one fails here rather than in a review.
func TestArchitectureArrows(t *testing.T) {
	const mod = "github.com/julo-partnership/julo/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	domain := map[string]bool{"internal/julo": true, "internal/onboarding": true, "internal/credit": true, "internal/lending": true, "internal/notify": true, "internal/backoffice": true}
	leaves := map[string]bool{"internal/refdata": true, "internal/i18n": true, "internal/webhook": true}
	adapters := map[string]bool{"internal/store": true, "internal/httpapi": true, "internal/worker": true, "internal/blob": true,
		"internal/sms": true, "internal/vendors": true, "internal/metrics": true, "internal/keyring": true, "internal/console": true,
		"internal/callback": true}
	// What no domain package may import: storage, HTTP, drivers, River.
	forbiddenInDomain := []string{"net/http", "database/sql", "github.com/riverqueue/", "github.com/jackc/", "modernc.org/sqlite",
		"github.com/aws/", "github.com/prometheus/"}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := strings.TrimPrefix(fields[0], mod), fields[1:]
		checked++
		for _, imp := range imports {
			ours := strings.HasPrefix(imp, mod)
			dep := strings.TrimPrefix(imp, mod)
			switch {
			case dep == "cmd/julo":
				t.Errorf("%s imports cmd/julo", pkg)
			case pkg == "internal/julo" && strings.Contains(strings.Split(imp, "/")[0], "."):
				t.Errorf("the root imports %s: it may import only the standard library", imp)
			case pkg == "internal/julo" && ours:
				t.Errorf("the root imports %s", dep)
			case leaves[pkg] && ours:
				t.Errorf("%s is a leaf but imports %s", pkg, dep)
			case adapters[pkg] && ours && adapters[dep]:
				t.Errorf("adapter %s imports adapter %s: only cmd/julo wires adapters together", pkg, dep)
			case domain[pkg] && ours && (adapters[dep] || dep == "cmd/julo"):
				t.Errorf("domain package %s imports adapter %s", pkg, dep)
			case domain[pkg]:
				for _, f := range forbiddenInDomain {
					if imp == f || strings.HasPrefix(imp, f) && strings.HasSuffix(f, "/") {
						t.Errorf("domain package %s imports %s", pkg, imp)
					}
				}
			}
		}
	}
	if checked < 12 {
		t.Fatalf("checked only %d packages", checked)
	}
}
