package onboarding

import "context"

// VerifyPIN checks pin against a customer's stored hash (made at
// registration with pepper key keyID), for the credit activation's
// input-pin. Like hashing, it takes one of the bounded slots: argon2id
// costs memory, and a burst of PIN checks must not exhaust it.
func (s *Service) VerifyPIN(ctx context.Context, pin, hash, keyID string) (bool, error) {
	select {
	case s.hashes <- struct{}{}:
		defer func() { <-s.hashes }()
	case <-ctx.Done():
		return false, ctx.Err()
	}
	return s.verifyPIN(pin, hash, keyID), nil
}
