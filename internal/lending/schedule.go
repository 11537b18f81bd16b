package lending

import (
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Installment is one month of a loan's schedule.
type Installment struct {
	Number                     int
	Due                        time.Time // a Day
	Principal, Interest, Total julo.Money
}

// roundingStep: installments are rounded down to a multiple of 1,000
// rupiah (production's round_rupiah).
const roundingStep = 1000

// schedule is the repayment schedule of loan over len(dues) months at
// interestBPS a month, the first month being firstDays long, as production
// computes it (compute_first_payment_installment_julo_one,
// compute_payment_installment_julo_one and the payment generation of
// generate_loan_payment_julo_one). It returns the installments and the
// regular installment (the one of the months between the first and the
// last; for a 1-month loan, its one installment).
//
// The rules, each where it applies below:
//   - flat interest on the original amount;
//   - principal = floor(loan / n) every month, the remainder on the last;
//   - interest = floor(loan x r) a month; the first month's floor(loan x r
//     x firstDays / 30);
//   - for n > 1 and r > 0 an installment is rounded down to a multiple of
//     1,000 when that stays above its principal, the interest absorbing the
//     rounding.
//
// So every Total is Principal + Interest, every amount is a whole rupiah
// and at least 0, and the principals add up to the loan exactly.
func schedule(loan julo.Money, interestBPS int64, firstDays int, dues []time.Time) ([]Installment, julo.Money) {
	n := len(dues)
	l := int64(loan)
	// principal = floor(loan / n); the n - 1 rupiah at most that the floor
	// leaves over go to the last installment.
	principal := l / int64(n)
	remainder := l - principal*int64(n)
	// interest = floor(loan x r): the monthly rate applies to the original
	// amount every month (flat), rounded down to the rupiah.
	monthly := mulDivFloor(l, interestBPS, bpsOne)
	// The first month's interest is prorated by its days / 30, rounded
	// down to the rupiah: floor(loan x r x firstDays / 30), from the exact
	// product (not from the floored monthly interest), as production's
	// floor(days / 30 x loan x r).
	first := mulDivFloor(l, interestBPS*int64(firstDays), bpsOne*daysInMonth)
	round := n > 1 && interestBPS > 0
	regular := rounded(principal, monthly, round)
	out := make([]Installment, n)
	for i := range out {
		total := regular
		if i == 0 {
			total = rounded(principal, first, round)
		}
		in := Installment{Number: i + 1, Due: dues[i], Principal: julo.Money(principal), Interest: julo.Money(total - principal)}
		if i == n-1 && n > 1 {
			// The last installment takes the principal's remainder and, as
			// production does, gives it back from its interest, so that its
			// total stays the regular installment. When the interest is
			// smaller than the remainder (an interest cut to almost
			// nothing: remainder < n <= 120 rupiah) production would store
			// a negative interest as 0 and a due amount below the
			// principal; here the interest stops at 0 and the total grows
			// to the principal, so that the principals still add up to the
			// loan and the total is still principal + interest.
			in.Principal += julo.Money(remainder)
			in.Interest = max(in.Interest-julo.Money(remainder), 0)
		}
		in.Total = in.Principal + in.Interest
		out[i] = in
	}
	if n == 1 {
		return out, out[0].Total
	}
	return out, julo.Money(regular)
}

// rounded is an installment of principal and interest: principal +
// interest, rounded down to a multiple of 1,000 when round (n > 1 and a
// rate above 0) and the rounded amount stays above the principal (so that
// the interest it leaves is never negative, and at least 1 rupiah when it
// applies); otherwise not rounded. The interest is what remains above the
// principal.
func rounded(principal, interest int64, round bool) int64 {
	total := principal + interest
	if !round {
		return total
	}
	if r := total / roundingStep * roundingStep; r > principal {
		return r
	}
	return total
}
