package lending

import (
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// months are n monthly due dates from 2026-02-28 (the dates do not enter
// the amounts; firstDays does).
func months(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = date("2026-02-28").AddDate(0, i, 0)
	}
	return out
}

type row struct{ principal, interest, total julo.Money }

// TestScheduleWorkedExamples: each case written out.
func TestScheduleWorkedExamples(t *testing.T) {
	for _, c := range []struct {
		name      string
		loan      julo.Money
		bps       int64
		firstDays int
		n         int
		regular   julo.Money
		want      []row
	}{
		{
			// The example: 3,000,000 over 3 months at 4%, a 30-day
			// first period. principal = 3,000,000 / 3 = 1,000,000; interest
			// = 3,000,000 x 0.04 = 120,000 (the first: x 30/30, the same);
			// installment 1,120,000, already a multiple of 1,000 (the
			// rounding's boundary: nothing to round); total 3,360,000.
			"issue's example", 3_000_000, 400, 30, 3, 1_120_000,
			[]row{{1_000_000, 120_000, 1_120_000}, {1_000_000, 120_000, 1_120_000}, {1_000_000, 120_000, 1_120_000}},
		},
		{
			// 1,000,000 over 3 at 4%: principal floor(333,333.33) = 333,333,
			// remainder 1; interest 40,000; 373,333 rounded down to 373,000
			// (above the principal): the interest absorbs it, 39,667. The
			// last takes the remainder: principal 333,334, interest 39,666,
			// total still 373,000. Principals: 333,333 x 2 + 333,334 = 1,000,000.
			"rounding and remainder", 1_000_000, 400, 30, 3, 373_000,
			[]row{{333_333, 39_667, 373_000}, {333_333, 39_667, 373_000}, {333_334, 39_666, 373_000}},
		},
		{
			// Prorated first month, 15 days: 1,000,000 x 0.04 x 15/30 =
			// 20,000; 333,333 + 20,000 = 353,333 -> 353,000 (interest 19,667).
			"first month of 15 days", 1_000_000, 400, 15, 3, 373_000,
			[]row{{333_333, 19_667, 353_000}, {333_333, 39_667, 373_000}, {333_334, 39_666, 373_000}},
		},
		{
			// 45 days: 1,000,000 x 0.04 x 45/30 = 60,000; 393,333 -> 393,000.
			"first month of 45 days", 1_000_000, 400, 45, 3, 373_000,
			[]row{{333_333, 59_667, 393_000}, {333_333, 39_667, 373_000}, {333_334, 39_666, 373_000}},
		},
		{
			// 17 days: 1,000,000 x 0.04 x 17/30 = 22,666.67 -> 22,666 (floor);
			// 355,999 -> 355,000 (interest 21,667).
			"first month of 17 days, floored", 1_000_000, 400, 17, 3, 373_000,
			[]row{{333_333, 21_667, 355_000}, {333_333, 39_667, 373_000}, {333_334, 39_666, 373_000}},
		},
		{
			// Rounding that would go below the principal is not done:
			// 2,000,500 over 2 at 0.03%: principal 1,000,250; interest
			// floor(600.15) = 600; 1,000,850 rounded down is 1,000,000, below
			// the principal, so the installment stays 1,000,850.
			"no rounding below the principal", 2_000_500, 3, 30, 2, 1_000_850,
			[]row{{1_000_250, 600, 1_000_850}, {1_000_250, 600, 1_000_850}},
		},
		{
			// The same at the boundary: 2,000,000 over 2 at 0.04%: principal
			// 1,000,000, interest 800; rounded down is 1,000,000, equal to the
			// principal (not above it): no rounding, 1,000,800.
			"rounding onto the principal is not done", 2_000_000, 4, 30, 2, 1_000_800,
			[]row{{1_000_000, 800, 1_000_800}, {1_000_000, 800, 1_000_800}},
		},
		{
			// Just over it: 2,000,500 over 2 at 0.04%: interest floor(800.2) =
			// 800; 1,001,050 -> 1,001,000, above 1,000,250: interest 750.
			"rounding just above the principal", 2_000_500, 4, 30, 2, 1_001_000,
			[]row{{1_000_250, 750, 1_001_000}, {1_000_250, 750, 1_001_000}},
		},
		{
			// One month: no rounding (production rounds only for n > 1);
			// 1,000,000 + 40,000 x 20/30 = 26,666.67 -> 26,666.
			"one month, prorated, not rounded", 1_000_000, 400, 20, 1, 1_026_666,
			[]row{{1_000_000, 26_666, 1_026_666}},
		},
		{
			// No interest (a cap cut to 0): no rounding; 1,000,011 / 12 =
			// 83,334 (remainder 3), the last 83,337.
			"no interest", 1_000_011, 0, 30, 12, 83_334,
			[]row{{83_334, 0, 83_334}, {83_334, 0, 83_334}, {83_334, 0, 83_334}, {83_334, 0, 83_334},
				{83_334, 0, 83_334}, {83_334, 0, 83_334}, {83_334, 0, 83_334}, {83_334, 0, 83_334},
				{83_334, 0, 83_334}, {83_334, 0, 83_334}, {83_334, 0, 83_334}, {83_337, 0, 83_337}},
		},
		{
			// Interest smaller than the remainder: 20,011 over 12 at 0.01%:
			// principal 1,667 (remainder 7), interest floor(2.0011) = 2;
			// 1,669 rounded down (1,000) is below the principal: not rounded.
			// The last: principal 1,674, interest 2 - 7 would be negative: 0,
			// and its total is its principal, 1,674.
			"interest below the remainder", 20_011, 1, 30, 12, 1_669,
			[]row{{1_667, 2, 1_669}, {1_667, 2, 1_669}, {1_667, 2, 1_669}, {1_667, 2, 1_669},
				{1_667, 2, 1_669}, {1_667, 2, 1_669}, {1_667, 2, 1_669}, {1_667, 2, 1_669},
				{1_667, 2, 1_669}, {1_667, 2, 1_669}, {1_667, 2, 1_669}, {1_674, 0, 1_674}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, regular := schedule(c.loan, c.bps, c.firstDays, months(c.n))
			if regular != c.regular {
				t.Errorf("regular installment %d, want %d", regular, c.regular)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d installments, want %d", len(got), len(c.want))
			}
			var sum julo.Money
			for i, in := range got {
				w := c.want[i]
				if in.Number != i+1 || !in.Due.Equal(months(c.n)[i]) || in.Principal != w.principal || in.Interest != w.interest || in.Total != w.total {
					t.Errorf("installment %d: %+v, want %+v", i+1, in, w)
				}
				sum += in.Principal
			}
			if sum != c.loan {
				t.Errorf("principals sum to %d, not the loan %d", sum, c.loan)
			}
		})
	}
}
