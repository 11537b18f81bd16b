package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// Per-partner budgets (issue 10 item 8): the server's defaults are flags of
// serve and worker (and of julo partner, which lists the limits in force);
// a partner's own limits are set with julo partner set NAME --BUDGET N.

// budgetDefaults are the defaults by budget, from --default-BUDGET or
// JULO_DEFAULT_BUDGET (the flag wins); nil when the command has none.
type budgetDefaults map[onboarding.Budget]*int64

// budgetFlag is the flag of budget b ("sms-per-day"); with "default-" in
// front, the flag of its default.
func budgetFlag(b onboarding.Budget) string { return strings.ReplaceAll(string(b), "_", "-") }

// budgetEnv is the environment variable of budget b's default.
func budgetEnv(b onboarding.Budget) string { return "JULO_DEFAULT_" + strings.ToUpper(string(b)) }

// flags declares --default-BUDGET for every budget on fs, with its default
// from the environment (a value that does not parse is added to errs).
func (d *budgetDefaults) flags(fs *flag.FlagSet, getenv func(string) string, errs *[]error) {
	*d = budgetDefaults{}
	for _, b := range onboarding.Budgets {
		def := onboarding.DefaultBudgets[b]
		if v := getenv(budgetEnv(b)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				*errs = append(*errs, fmt.Errorf("%s=%q is not a whole number", budgetEnv(b), v))
			}
			def = n
		}
		(*d)[b] = fs.Int64("default-"+budgetFlag(b), def, fmt.Sprintf("a partner's %s unless julo partner set gives it its own limit (%s)",
			strings.ReplaceAll(string(b), "_", " "), budgetEnv(b)))
	}
}

// validate keeps every default within 1 to onboarding.MaxBudgetLimit: a
// default of 0 would refuse every partner.
func (d budgetDefaults) validate() error {
	var errs []error
	for _, b := range onboarding.Budgets {
		if v := d[b]; v != nil && (*v < 1 || *v > onboarding.MaxBudgetLimit) {
			errs = append(errs, fmt.Errorf("--default-%s %d: use 1 to %d", budgetFlag(b), *v, onboarding.MaxBudgetLimit))
		}
	}
	return errors.Join(errs...)
}

// limits are the defaults as the domain takes them.
func (d budgetDefaults) limits() map[onboarding.Budget]int64 {
	out := map[onboarding.Budget]int64{}
	for b, v := range d {
		out[b] = *v
	}
	return out
}

// partnerBudgetFlags declares julo partner set's --BUDGET flags: a limit
// of the partner's own (1 to onboarding.MaxBudgetLimit), or "default" (or
// 0) to go back to the server's default. set collects those given.
func partnerBudgetFlags(fs *flag.FlagSet, set map[onboarding.Budget]int64) {
	for _, b := range onboarding.Budgets {
		fs.Func(budgetFlag(b), fmt.Sprintf("with set: the partner's own limit of %s (1-%d), or default",
			strings.ReplaceAll(string(b), "_", " "), onboarding.MaxBudgetLimit), func(v string) error {
			if v == "default" {
				set[b] = 0
				return nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > onboarding.MaxBudgetLimit {
				return fmt.Errorf("use a whole number from 1 to %d, or default", onboarding.MaxBudgetLimit)
			}
			set[b] = n
			return nil
		})
	}
}

// budgetJSON is one budget as julo partner list and set print it: the
// limit in force, and whether it is the server's default.
type budgetJSON struct {
	Limit   int64 `json:"limit"`
	Default bool  `json:"default"`
}

func budgetsJSON(bs []onboarding.PartnerBudget) map[string]budgetJSON {
	out := map[string]budgetJSON{}
	for _, b := range bs {
		out[string(b.Budget)] = budgetJSON{Limit: b.Limit, Default: b.Default}
	}
	return out
}
