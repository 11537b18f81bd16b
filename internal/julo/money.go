package julo

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
)

// Money is an amount in whole rupiah. Amounts are never floats: every
// computation on them is integer arithmetic, and every rounding rule is
// written where it is applied.
type Money int64

// ErrMoneyOverflow is returned by the checked operations when a result
// does not fit.
var ErrMoneyOverflow = errors.New("money: amount out of range")

// Add returns m + n, or ErrMoneyOverflow.
func (m Money) Add(n Money) (Money, error) {
	if n > 0 && m > math.MaxInt64-n || n < 0 && m < math.MinInt64-n {
		return 0, ErrMoneyOverflow
	}
	return m + n, nil
}

// MulDiv returns m * num / den rounded half up (away from zero for
// negative amounts), computed without overflow for every amount and ratio
// whose exact result fits; den must be positive.
func (m Money) MulDiv(num, den int64) (Money, error) {
	if den <= 0 {
		return 0, errors.New("money: MulDiv with a denominator that is not positive")
	}
	neg := (m < 0) != (num < 0)
	a, b := absU(int64(m)), absU(num)
	hi, lo := bits.Mul64(a, b)
	d := uint64(den)
	if hi >= d {
		return 0, ErrMoneyOverflow
	}
	q, r := bits.Div64(hi, lo, d)
	// Half up: a remainder of at least half the denominator rounds up.
	if r >= d-r {
		if q == math.MaxUint64 {
			return 0, ErrMoneyOverflow
		}
		q++
	}
	switch {
	case neg && q == 1<<63:
		return math.MinInt64, nil
	case q > math.MaxInt64:
		return 0, ErrMoneyOverflow
	case neg:
		return -Money(q), nil
	}
	return Money(q), nil
}

// String formats m the Indonesian way: "Rp1.250.000", "-Rp5.000".
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign = "-"
	}
	digits := strconv.FormatUint(absU(int64(m)), 10)
	out := make([]byte, 0, len(digits)+len(digits)/3)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, digits[i])
	}
	return sign + "Rp" + string(out)
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
