package i18n

// Repayment (issue 14): the refusals of the payment routes, the payment
// gateway's callback and the sandbox's test clock.
const (
	PaymentVAUnknown     Msg = "payment_va_unknown"
	PaymentOverpayment   Msg = "payment_overpayment"
	PaymentRefusedBefore Msg = "payment_refused_before"
	PaymentAmountInvalid Msg = "payment_amount_invalid"
	PaymentIDInvalid     Msg = "payment_id_invalid"
	PaymentPaidAtInvalid Msg = "payment_paid_at_invalid"
	PageInvalid          Msg = "page_invalid"
	PageLimitInvalid     Msg = "page_limit_invalid"
	ClockAdvanceRange    Msg = "clock_advance_range"
	ClockNotRepaying     Msg = "clock_not_repaying"
)

func init() {
	register(map[Msg]entry{
		PaymentVAUnknown: {
			"nomor virtual account tidak dikenal",
			"the virtual account number is not known"},
		PaymentOverpayment: {
			"pembayaran %s melebihi seluruh tagihan nasabah %s; tidak ada yang diterapkan",
			"the payment of %s is more than all the customer owes, %s; nothing was applied"},
		PaymentRefusedBefore: {
			"pembayaran ini (%s) sudah ditolak sebelumnya karena melebihi tagihan; tidak ada yang diterapkan",
			"this payment (%s) was refused before as more than the customer owed; nothing was applied"},
		PaymentAmountInvalid: {
			"amount harus bilangan bulat rupiah, 1 sampai 10.000.000.000",
			"amount must be a whole number of rupiah, 1 to 10,000,000,000"},
		PaymentIDInvalid: {
			"payment_id wajib diisi, paling banyak %d karakter",
			"payment_id is required, at most %d characters"},
		PaymentPaidAtInvalid: {
			"paid_at harus waktu RFC 3339, misalnya 2026-01-28T10:00:00+07:00",
			"paid_at must be an RFC 3339 time, for example 2026-01-28T10:00:00+07:00"},
		PageInvalid: {
			"Page tidak valid",
			"Invalid page"},
		PageLimitInvalid: {
			"limit harus bilangan bulat 1 sampai %d",
			"limit must be a whole number from 1 to %d"},
		ClockAdvanceRange: {
			"advance_days harus bilangan bulat 1 sampai %d",
			"advance_days must be a whole number from 1 to %d"},
		ClockNotRepaying: {
			"jam uji hanya untuk pinjaman yang sudah dicairkan dan belum lunas: pinjaman berstatus %d %s",
			"the test clock is only for loans disbursed and not paid off: the loan is at %d %s"},
	})
}
