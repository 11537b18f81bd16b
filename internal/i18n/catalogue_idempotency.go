package i18n

// Idempotency keys (issue 11, item 5): a POST or PATCH with an
// Idempotency-Key whose key is malformed (400), whose first request still
// runs (409) or that was first sent with another request (422).
const (
	IdempotencyKeyInvalid Msg = "idempotency_key_invalid"
	IdempotencyKeyInUse   Msg = "idempotency_key_in_use"
	IdempotencyKeyReused  Msg = "idempotency_key_reused"
)

func init() {
	register(map[Msg]entry{
		IdempotencyKeyInvalid: {
			"Header Idempotency-Key harus berisi 1 sampai 255 karakter ASCII yang dapat dicetak",
			"The Idempotency-Key header must be 1 to 255 printable ASCII characters"},
		IdempotencyKeyInUse: {
			"Permintaan pertama dengan Idempotency-Key %q masih diproses; coba lagi sebentar lagi",
			"The first request with Idempotency-Key %q is still running; try again in a moment"},
		IdempotencyKeyReused: {
			"Idempotency-Key %q sudah dipakai untuk permintaan lain (metode, path, atau isi yang berbeda); gunakan kunci baru untuk permintaan baru",
			"Idempotency-Key %q was used for another request (another method, path or body); use a new key for a new request"},
	})
}
