package i18n

// Issue 16's external-data messages: bank import reasons, the BPJS login's
// return URL (and the partner's registered prefixes), and the sandbox BPJS
// page's answers to a login it cannot take.
const (
	ImportReasonInvalid     Msg = "import_reason_invalid"
	ReturnURLNoneRegistered Msg = "return_url_none_registered"
	ReturnURLNotRegistered  Msg = "return_url_not_registered"
	ReturnURLPrefixInvalid  Msg = "return_url_prefix_invalid"
	ReturnURLTooMany        Msg = "return_url_too_many"
	BPJSPageUnknownLogin    Msg = "bpjs_page_unknown_login"
	BPJSPageUnknownTask     Msg = "bpjs_page_unknown_task"
	BPJSPageAlreadyVerified Msg = "bpjs_page_already_verified"
	BPJSPageExpired         Msg = "bpjs_page_expired"
	BPJSPageChecking        Msg = "bpjs_page_checking"
	BPJSPageTryAgain        Msg = "bpjs_page_try_again"
	BPJSPageReturn          Msg = "bpjs_page_return"
)

func init() {
	register(map[Msg]entry{
		ImportReasonInvalid: {
			"alasan %q tidak berlaku untuk status %q",
			"reason %q does not apply to status %q"},
		ReturnURLNoneRegistered: {
			"partner ini belum mendaftarkan prefiks URL kembali; minta JULO mendaftarkannya (julo partner set --return-url-prefix)",
			"this partner has no registered return-URL prefix; ask JULO to register one (julo partner set --return-url-prefix)"},
		ReturnURLNotRegistered: {
			"harus diawali salah satu prefiks URL kembali yang terdaftar untuk partner ini",
			"must start with one of the return-URL prefixes registered for this partner"},
		ReturnURLPrefixInvalid: {
			"%q bukan prefiks URL kembali yang valid: perlu URL absolut dengan host (mis. https://app.example/bpjs/), tanpa kredensial, query atau fragmen",
			"%q is not a valid return-URL prefix: it needs an absolute URL with a host (e.g. https://app.example/bpjs/), without credentials, query or fragment"},
		ReturnURLTooMany: {
			"paling banyak %d prefiks URL kembali per partner",
			"at most %d return-URL prefixes per partner"},
		BPJSPageUnknownLogin: {
			"Gunakan login uji sandbox: %s atau %s, kata sandi apa saja.",
			"Use a sandbox test login: %s or %s, any password."},
		BPJSPageUnknownTask: {
			"Tautan login ini tidak valid. Buka kembali login BPJS dari aplikasi.",
			"This login link is not valid. Open the BPJS login again from the app."},
		BPJSPageAlreadyVerified: {
			"Data BPJS sudah terverifikasi dengan tautan ini.",
			"The BPJS data is already verified with this link."},
		BPJSPageExpired: {
			"Tautan login ini sudah kedaluwarsa (berlaku 1 jam). Buka kembali login BPJS dari aplikasi.",
			"This login link has expired (it is valid for 1 hour). Open the BPJS login again from the app."},
		BPJSPageChecking: {
			"Login sebelumnya masih diperiksa. Tunggu sebentar, lalu coba lagi.",
			"The previous login is still being checked. Wait a moment, then try again."},
		BPJSPageTryAgain: {
			"Login BPJS gagal: email atau kata sandi salah. Silakan coba lagi.",
			"BPJS login failed: wrong email or password. Please try again."},
		BPJSPageReturn: {
			"Kembali ke aplikasi",
			"Back to the app"},
	})
}
