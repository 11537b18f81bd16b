package lending

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// The regulator's caps are dated tables of the policy: each row is in force
// from its From day (a Jakarta Day) until the next row's, and names its
// source. A day before a table's first row has no cap: that is an error
// (the policy does not cover the day), never a silent default.

// BenefitCap caps the total economic benefit of a loan (interest plus
// fees, without late fees and taxes) per day of its tenor: at most
// DailyPPM parts per million of the loan amount a day, for loans of at
// least MinTenorMonths months created from From on.
type BenefitCap struct {
	From           time.Time
	MinTenorMonths int
	DailyPPM       int64
	Source         string
}

// ShareCap caps all of a customer's monthly installments at MaxShareBPS of
// the monthly income, from From on.
type ShareCap struct {
	From        time.Time
	MaxShareBPS int64
	Source      string
}

// RateCap caps a daily rate (the late fee) at DailyPPM parts per million
// of the outstanding amount, from From on.
type RateCap struct {
	From     time.Time
	DailyPPM int64
	Source   string
}

// maxDailyPPM: no daily rate above 10% a day is a plausible cap.
const maxDailyPPM = 100_000

func parseFrom(at, s string, bad func(string, ...any)) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		bad("%s.from %q: a date as YYYY-MM-DD", at, s)
	}
	return d
}

func checkSource(at, s string, bad func(string, ...any)) {
	if strings.TrimSpace(s) == "" {
		bad("%s.source: give the rule's source", at)
	}
}

// parseBenefitCaps reads benefit_caps: rows in increasing From; rows of
// the same From in increasing MinTenorMonths, the first of each day's rows
// at 0 months, so that every tenor has a row on every day from the first.
func parseBenefitCaps(rows []BenefitCapRow, bad func(string, ...any)) []BenefitCap {
	if len(rows) == 0 {
		bad("benefit_caps: give at least one row")
	}
	out := make([]BenefitCap, 0, len(rows))
	for i, r := range rows {
		at := fmt.Sprintf("benefit_caps[%d]", i)
		c := BenefitCap{From: parseFrom(at, r.From, bad), MinTenorMonths: r.MinTenorMonths, DailyPPM: r.DailyPPM, Source: r.Source}
		checkSource(at, r.Source, bad)
		if c.DailyPPM < 1 || c.DailyPPM > maxDailyPPM {
			bad("%s.daily_ppm %d: use 1 to %d", at, c.DailyPPM, maxDailyPPM)
		}
		if c.MinTenorMonths < 0 || c.MinTenorMonths > 120 {
			bad("%s.min_tenor_months %d: use 0 to 120", at, c.MinTenorMonths)
		}
		if i == 0 || !c.From.Equal(out[i-1].From) {
			if i > 0 && !c.From.After(out[i-1].From) {
				bad("%s.from %s: rows in increasing dates", at, r.From)
			}
			if c.MinTenorMonths != 0 {
				bad("%s: the first row of %s must be for min_tenor_months 0, so that every tenor has a cap", at, r.From)
			}
		} else if c.MinTenorMonths <= out[i-1].MinTenorMonths {
			bad("%s.min_tenor_months %d: rows of one date in increasing tenors", at, c.MinTenorMonths)
		}
		out = append(out, c)
	}
	return out
}

func parseShareCaps(rows []ShareCapRow, bad func(string, ...any)) []ShareCap {
	if len(rows) == 0 {
		bad("debt_service_caps: give at least one row")
	}
	out := make([]ShareCap, 0, len(rows))
	for i, r := range rows {
		at := fmt.Sprintf("debt_service_caps[%d]", i)
		c := ShareCap{From: parseFrom(at, r.From, bad), MaxShareBPS: r.MaxShareBPS, Source: r.Source}
		checkSource(at, r.Source, bad)
		if c.MaxShareBPS < 1 || c.MaxShareBPS > bpsOne {
			bad("%s.max_share_bps %d: use 1 to %d", at, c.MaxShareBPS, bpsOne)
		}
		if i > 0 && !c.From.After(out[i-1].From) {
			bad("%s.from %s: rows in increasing dates", at, r.From)
		}
		out = append(out, c)
	}
	return out
}

func parseRateCaps(rows []RateCapRow, bad func(string, ...any)) []RateCap {
	if len(rows) == 0 {
		bad("late_fee_caps: give at least one row")
	}
	out := make([]RateCap, 0, len(rows))
	for i, r := range rows {
		at := fmt.Sprintf("late_fee_caps[%d]", i)
		c := RateCap{From: parseFrom(at, r.From, bad), DailyPPM: r.DailyPPM, Source: r.Source}
		checkSource(at, r.Source, bad)
		if c.DailyPPM < 1 || c.DailyPPM > maxDailyPPM {
			bad("%s.daily_ppm %d: use 1 to %d", at, c.DailyPPM, maxDailyPPM)
		}
		if i > 0 && !c.From.After(out[i-1].From) {
			bad("%s.from %s: rows in increasing dates", at, r.From)
		}
		out = append(out, c)
	}
	return out
}

// errNoCap is the error of a day before a table's first row (or of Terms
// that did not come from ParseTerms: no rows at all).
func errNoCap(table string, day time.Time, rows int, first func() time.Time) error {
	if rows == 0 {
		return fmt.Errorf("lending: the terms have no %s (use ParseTerms)", table)
	}
	return fmt.Errorf("lending: the policy's %s have no row in force on %s (the first is from %s)",
		table, day.Format(time.DateOnly), first().Format(time.DateOnly))
}

// BenefitCapFor is the benefit cap in force on Day day for a loan of
// months: of the rows of the latest From not after day, the one of the
// largest MinTenorMonths not above months.
func (t Terms) BenefitCapFor(day time.Time, months int) (BenefitCap, error) {
	day = Day(day)
	found := -1
	for i, c := range t.benefitCaps {
		if c.From.After(day) {
			break
		}
		// Rows are in increasing dates, each date's rows in increasing
		// tenors from 0: the last row not after day and not above months
		// is the latest date's row for the tenor.
		if c.MinTenorMonths <= months {
			found = i
		}
	}
	if found < 0 {
		return BenefitCap{}, errNoCap("benefit_caps", day, len(t.benefitCaps), func() time.Time { return t.benefitCaps[0].From })
	}
	return t.benefitCaps[found], nil
}

// DebtServiceCap is the debt-service cap in force on Day day.
func (t Terms) DebtServiceCap(day time.Time) (ShareCap, error) {
	day = Day(day)
	for i := len(t.debtServiceCaps) - 1; i >= 0; i-- {
		if !t.debtServiceCaps[i].From.After(day) {
			return t.debtServiceCaps[i], nil
		}
	}
	return ShareCap{}, errNoCap("debt_service_caps", day, len(t.debtServiceCaps), func() time.Time { return t.debtServiceCaps[0].From })
}

// LateFeeCap is the late-fee cap in force on Day day (issue 14).
func (t Terms) LateFeeCap(day time.Time) (RateCap, error) {
	day = Day(day)
	for i := len(t.lateFeeCaps) - 1; i >= 0; i-- {
		if !t.lateFeeCaps[i].From.After(day) {
			return t.lateFeeCaps[i], nil
		}
	}
	return RateCap{}, errNoCap("late_fee_caps", day, len(t.lateFeeCaps), func() time.Time { return t.lateFeeCaps[0].From })
}

// CheckDebtService holds the debt-service rule on Day day: the customer's
// existing monthly installments plus the new loan's at most the cap's share
// of the monthly income (exactly: (existing + new) x 10000 <= income x
// MaxShareBPS, no rounding). It returns the cap it applied; over the cap,
// or with no income to compare with (income <= 0), an EINVALID *julo.Error
// on loan_amount_request. The message says the share (rounded up to a
// hundredth of a percent, so that it never reads as within the cap when it
// is not), the cap and the day it is in force from; it carries no amount.
func (t Terms) CheckDebtService(day time.Time, monthlyIncome, existingMonthly, newMonthly julo.Money) (ShareCap, error) {
	c, err := t.DebtServiceCap(day)
	if err != nil {
		return ShareCap{}, err
	}
	if monthlyIncome <= 0 {
		return c, julo.Errorf(julo.EINVALID, "loan_amount_request", i18n.DebtServiceNoIncome)
	}
	if existingMonthly < 0 || newMonthly < 0 {
		return c, fmt.Errorf("lending: negative installments %d, %d", existingMonthly, newMonthly)
	}
	total := product(int64(existingMonthly))
	total.Add(total, product(int64(newMonthly)))
	lhs := total.Mul(total, product(bpsOne))
	if lhs.Cmp(product(int64(monthlyIncome), c.MaxShareBPS)) <= 0 {
		return c, nil
	}
	// The share in basis points, rounded up: ceil(total x 10000 / income).
	share := lhs.Add(lhs, product(int64(monthlyIncome)-1))
	share.Quo(share, product(int64(monthlyIncome)))
	return c, julo.Errorf(julo.EINVALID, "loan_amount_request", i18n.DebtServiceExceeded,
		percent(share), percent(big.NewInt(c.MaxShareBPS)), c.From.Format(time.DateOnly))
}

// percent writes basis points as an Indonesian percentage: 4125 is
// "41,25%", 4120 "41,2%", 3000 "30%".
func percent(bps *big.Int) string {
	var whole, frac big.Int
	whole.QuoRem(bps, big.NewInt(100), &frac)
	if frac.Sign() == 0 {
		return whole.String() + "%"
	}
	return whole.String() + "," + strings.TrimRight(fmt.Sprintf("%02d", frac.Int64()), "0") + "%"
}

// LateFee is one day's late fee on Day day (issue 14): overduePrincipal x
// the late-fee cap's daily rate, rounded DOWN to the rupiah (so that it
// never exceeds the cap; production rounds to the nearest 100 rupiah,
// which can go above it), and no more than what the total cost cap leaves:
// loanAmount x total_cost_cap_bps / 10000 (rounded down) less charged, the
// interest, fees and late fees the loan carries already. At the cap the fee
// is 0 and stays 0. It returns the rate cap it applied.
func (t Terms) LateFee(day time.Time, overduePrincipal, loanAmount, charged julo.Money) (julo.Money, RateCap, error) {
	c, err := t.LateFeeCap(day)
	if err != nil {
		return 0, RateCap{}, err
	}
	if overduePrincipal < 0 || loanAmount < 0 || charged < 0 || overduePrincipal > maxAmount || loanAmount > maxAmount || charged > maxAmount*10 {
		return 0, c, fmt.Errorf("lending: late fee of amounts out of range (%d, %d, %d)", overduePrincipal, loanAmount, charged)
	}
	fee := julo.Money(mulDivFloor(int64(overduePrincipal), c.DailyPPM, ppmOne))
	room := julo.Money(mulDivFloor(int64(loanAmount), t.Rules.TotalCostCapBPS, bpsOne)) - charged
	return max(min(fee, room), 0), c, nil
}
