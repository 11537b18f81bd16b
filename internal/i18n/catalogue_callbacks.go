package i18n

// Callbacks to partners and the events feed (issue 11, items 1-4): a
// registration's callback_url and callback_token, the feed's parameters,
// redelivery and the sandbox's test callback, and the operator's
// julo partner webhook.
const (
	CallbackURLInvalid      Msg = "callback_url_invalid"
	CallbackURLHTTPS        Msg = "callback_url_https"
	CallbackURLUnconfigured Msg = "callback_url_unconfigured"
	CallbackURLMismatch     Msg = "callback_url_mismatch"
	CallbackTokenInvalid    Msg = "callback_token_invalid"
	EventMissing            Msg = "event_missing"
	EventsAfterUnknown      Msg = "events_after_unknown"
	EventsLimitRange        Msg = "events_limit_range"
	WebhookNotConfigured    Msg = "webhook_not_configured"
	WebhookDisabled         Msg = "webhook_disabled"
	WebhookURLNeeded        Msg = "webhook_url_needed"
)

func init() {
	register(map[Msg]entry{
		CallbackURLInvalid: {
			"harus berupa URL http(s) absolut dengan host, tanpa kredensial, fragmen, spasi atau karakter kontrol (maksimal 2048 karakter)",
			"must be an absolute http(s) URL with a host, without credentials, fragment, spaces or control characters (at most 2048 characters)"},
		CallbackURLHTTPS: {
			"harus menggunakan https",
			"must use https"},
		CallbackURLUnconfigured: {
			"tidak dapat digunakan: JULO belum mengatur URL callback untuk partner ini",
			"cannot be used: JULO has not configured a callback URL for this partner"},
		CallbackURLMismatch: {
			"harus memiliki skema dan host yang sama dengan URL callback partner (%s)",
			"must have the same scheme and host as the partner's callback URL (%s)"},
		CallbackTokenInvalid: {
			"harus berupa 1-1024 karakter ASCII yang dapat dicetak",
			"must be 1-1024 printable ASCII characters"},
		EventMissing: {
			"Event tidak ditemukan",
			"Event not found"},
		EventsAfterUnknown: {
			"bukan event partner ini dalam %d hari terakhir; mulai lagi tanpa after",
			"names no event of this partner in the last %d days; start again without after"},
		EventsLimitRange: {
			"harus antara 1 dan %d",
			"must be between 1 and %d"},
		WebhookNotConfigured: {
			"JULO belum mengatur URL callback untuk partner ini",
			"JULO has not configured a callback URL for this partner"},
		WebhookDisabled: {
			"callback partner ini dinonaktifkan (%s); JULO dapat mengaktifkannya lagi",
			"this partner's callbacks are disabled (%s); JULO can enable them again"},
		WebhookURLNeeded: {
			"partner %q belum memiliki URL callback: berikan --url",
			"partner %q has no callback URL yet: give --url"},
	})
}
