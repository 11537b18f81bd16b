package i18n

// The credit decision: the documents flag and the assessment's own refusals.
const (
	DocumentFlagNotReady Msg = "document_flag_not_ready"
	DocumentsMissing     Msg = "documents_missing"
	CreditAlreadyDecided Msg = "credit_already_decided"
)

func init() {
	register(map[Msg]entry{
		// Production's message, in both languages (partners match on it).
		DocumentFlagNotReady: {
			"is_submit_document_flag_ready is not active",
			"is_submit_document_flag_ready is not active"},
		DocumentsMissing: {
			"belum ada dokumen: unggah gambar paystub atau bank_statement, atau selesaikan login BPJS atau impor data bank, lalu kirim lagi",
			"no document is in yet: upload a paystub or bank_statement image, or complete a BPJS login or a bank-data import, then send this again"},
		CreditAlreadyDecided: {
			"aplikasi ini sudah diputuskan",
			"this application was decided already"},
	})
}
