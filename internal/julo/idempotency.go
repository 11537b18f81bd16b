package julo

// Idempotency keys (issue 11 item 5): a partner that sends a write again
// with the same Idempotency-Key gets the first answer, not a second run.
// The HTTP layer keeps the keys through a store port; these are the
// outcomes of claiming a key, which both sides name.

// IdempotencyOutcome is what claiming a partner's key found.
type IdempotencyOutcome int

const (
	// IdemClaimed: the key is the caller's now (never seen, released, kept
	// past its time, or the lease of an earlier claim ran out): run the
	// request, then save its answer or release the key.
	IdemClaimed IdempotencyOutcome = iota + 1
	// IdemReplay: the same request was answered; Answer is that answer.
	IdemReplay
	// IdemRunning: the same request runs now, under a live lease.
	IdemRunning
	// IdemMismatch: the key was first sent with another request.
	IdemMismatch
)

// IdempotencyClaim is the outcome of a claim.
type IdempotencyClaim struct {
	Outcome IdempotencyOutcome
	// Token, with IdemClaimed, names this claim: only its holder renews
	// its lease, saves its answer or releases it.
	Token string
	// Answer, with IdemReplay, is the answer as it was saved (opaque to
	// the store).
	Answer []byte
}
