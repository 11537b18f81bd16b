package i18n

// BPJS login, bank-data imports and vendor callbacks.
const (
	AppTypeValue         Msg = "app_type_value"
	DataTypeValue        Msg = "data_type_value"
	CredentialsShape     Msg = "credentials_shape"
	CredentialsField     Msg = "credentials_field"
	ImportInProgress     Msg = "import_in_progress"
	ScraperFailed        Msg = "scraper_failed"
	VendorNotConfigured  Msg = "vendor_not_configured"
	CallbackUnauthorized Msg = "callback_unauthorized"
	CallbackMalformed    Msg = "callback_malformed"
	CallbackUnknownTask  Msg = "callback_unknown_task"
	CallbackTransition   Msg = "callback_transition"
)

func init() {
	register(map[Msg]entry{
		AppTypeValue: {
			"%q tidak dikenal; gunakan web atau android",
			"%q is unknown; use web or android"},
		DataTypeValue: {
			"harus salah satu dari: bri, bca, mandiri, bni",
			"must be one of: bri, bca, mandiri, bni"},
		CredentialsShape: {
			`harus objek berisi username dan password, mis. {"username": "...", "password": "..."}`,
			`must be an object with username and password, e.g. {"username": "...", "password": "..."}`},
		CredentialsField: {
			"%s wajib diisi di dalam credentials",
			"%s is required inside credentials"},
		ImportInProgress: {
			"impor data bank %s untuk aplikasi ini masih berjalan (id %d); tunggu hingga selesai, lihat scraping-status",
			"an import of %s bank data for this application is still running (id %d); wait until it ends, see scraping-status"},
		ScraperFailed: {
			"layanan pengambilan data bank tidak dapat dihubungi; coba lagi nanti",
			"the bank-data service could not be reached; please retry later"},
		VendorNotConfigured: {
			"%s belum dikonfigurasi di server ini",
			"%s is not configured on this server"},
		CallbackUnauthorized: {
			"tanda tangan callback tidak valid atau kedaluwarsa",
			"the callback signature is missing, wrong or expired"},
		CallbackMalformed: {
			"isi callback tidak valid: %s",
			"malformed callback: %s"},
		CallbackUnknownTask: {
			"tugas %q tidak dikenal",
			"unknown task %q"},
		CallbackTransition: {
			"status %q tidak bisa mengikuti %q",
			"status %q cannot follow %q"},
	})
}
