package onboarding

import (
	"crypto/rand"
	"math/big"
	"strconv"
)

// Public ids (issue 10, item 13). The id a partner sees of an image or a
// bank import is drawn at random, not counted: a sequential id would let a
// partner count every partner's uploads and imports between two of its own.
// They stay JSON integers, as the partner documentation shows them, within
// JavaScript's safe integers, and all have sixteen digits, so neither their
// size nor their length says anything about volume. The rows keep their
// sequential primary keys internally; those are never shown.
const (
	PublicIDMin int64 = 1 << 52   // 4503599627370496
	PublicIDMax int64 = 1<<53 - 1 // 9007199254740991, JavaScript's Number.MAX_SAFE_INTEGER
)

// newPublicID draws a uniformly random public id from the service's
// randomness (crypto/rand unless a test injects another). A unique index
// decides: a collision, with odds of volume/2^52, is retried by the caller
// with a fresh id.
func (s *Service) newPublicID() (int64, error) {
	n, err := rand.Int(s.rand, big.NewInt(PublicIDMax-PublicIDMin+1))
	if err != nil {
		return 0, err
	}
	return PublicIDMin + n.Int64(), nil
}

// parsePublicID reads a public id from a path segment; ok is false for
// anything that cannot be one.
func parsePublicID(s string) (id int64, ok bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < PublicIDMin || n > PublicIDMax {
		return 0, false
	}
	return n, true
}
