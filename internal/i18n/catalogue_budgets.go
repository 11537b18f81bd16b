package i18n

// Per-partner budgets (issue 10, item 8): the 429 of each budget, and the
// operator's refusal of a limit out of range (julo partner set).
const (
	BudgetSMSPerDay             Msg = "budget_sms_per_day"
	BudgetRegistrationsPerHour  Msg = "budget_registrations_per_hour"
	BudgetPreregChecksPerMinute Msg = "budget_prereg_checks_per_minute"
	BudgetRequestsPerSecond     Msg = "budget_requests_per_second"
	BudgetLimitInvalid          Msg = "budget_limit_invalid"
)

func init() {
	register(map[Msg]entry{
		BudgetSMSPerDay: {
			"batas %d SMS per hari untuk partner ini tercapai; coba lagi dalam %d detik (setelah %s)",
			"this partner's limit of %d SMS per day is reached; try again in %d seconds (after %s)"},
		BudgetRegistrationsPerHour: {
			"batas %d registrasi per jam untuk partner ini tercapai; coba lagi dalam %d detik (setelah %s)",
			"this partner's limit of %d registrations per hour is reached; try again in %d seconds (after %s)"},
		BudgetPreregChecksPerMinute: {
			"batas %d pengecekan pra-registrasi per menit untuk partner ini tercapai; coba lagi dalam %d detik (setelah %s)",
			"this partner's limit of %d pre-register checks per minute is reached; try again in %d seconds (after %s)"},
		BudgetRequestsPerSecond: {
			"batas %d permintaan per detik untuk partner ini tercapai; coba lagi dalam %d detik (setelah %s)",
			"this partner's limit of %d requests per second is reached; try again in %d seconds (after %s)"},
		BudgetLimitInvalid: {
			"batas %s: gunakan bilangan bulat 1 sampai %d, atau default",
			"limit %s: use a whole number from 1 to %d, or default"},
	})
}
