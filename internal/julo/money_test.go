package julo

import (
	"errors"
	"math"
	"testing"
)

func TestMoneyMulDivRoundsHalfUp(t *testing.T) {
	cases := []struct {
		m        Money
		num, den int64
		want     Money
	}{
		{1_000_000, 4, 100, 40_000},
		{1_000_001, 5, 100, 50_000}, // 50,000.05 rounds down
		{10, 1, 4, 3},               // 2.5 rounds up
		{9, 1, 4, 2},                // 2.25 rounds down
		{11, 1, 4, 3},               // 2.75 rounds up
		{-10, 1, 4, -3},             // half away from zero
		{10, -1, 4, -3},             // sign of the ratio
		{0, 7, 9, 0},                // zero
		{math.MaxInt64, 1, 1, math.MaxInt64},
		{math.MaxInt64, 3, 3, math.MaxInt64}, // the product does not fit 64 bits, the result does
		{math.MaxInt64 / 2, 2, 1, math.MaxInt64 - 1},
	}
	for _, c := range cases {
		got, err := c.m.MulDiv(c.num, c.den)
		if err != nil || got != c.want {
			t.Errorf("%d * %d / %d = %d, %v; want %d", c.m, c.num, c.den, got, err, c.want)
		}
	}
	if _, err := Money(math.MaxInt64).MulDiv(2, 1); !errors.Is(err, ErrMoneyOverflow) {
		t.Errorf("overflow: %v", err)
	}
	// The product is 2^65-1: halved it is 2^64-0.5, which rounds to 2^64
	// (the rounding itself must not wrap around to 0).
	if v, err := Money(253921).MulDiv(145295143558111, 2); !errors.Is(err, ErrMoneyOverflow) {
		t.Errorf("rounding past 2^64: %d, %v", v, err)
	}
	// The most negative amount fits, one less does not.
	if v, err := Money(math.MinInt64).MulDiv(1, 1); v != math.MinInt64 || err != nil {
		t.Errorf("MinInt64: %d, %v", v, err)
	}
	if v, err := Money(math.MinInt64/2).MulDiv(-2, 1); !errors.Is(err, ErrMoneyOverflow) {
		t.Errorf("-MinInt64: %d, %v", v, err)
	}
	if _, err := Money(1).MulDiv(1, 0); err == nil {
		t.Error("a zero denominator is an error")
	}
}

func TestMoneyAdd(t *testing.T) {
	if v, err := Money(1).Add(2); v != 3 || err != nil {
		t.Errorf("1+2 = %d, %v", v, err)
	}
	if _, err := Money(math.MaxInt64).Add(1); !errors.Is(err, ErrMoneyOverflow) {
		t.Errorf("overflow: %v", err)
	}
	if _, err := Money(math.MinInt64).Add(-1); !errors.Is(err, ErrMoneyOverflow) {
		t.Errorf("underflow: %v", err)
	}
}

func TestMoneyString(t *testing.T) {
	for m, want := range map[Money]string{0: "Rp0", 999: "Rp999", 1000: "Rp1.000", 1_250_000: "Rp1.250.000", -5000: "-Rp5.000",
		math.MinInt64: "-Rp9.223.372.036.854.775.808"} {
		if got := m.String(); got != want {
			t.Errorf("%d: %q, want %q", int64(m), got, want)
		}
	}
}
