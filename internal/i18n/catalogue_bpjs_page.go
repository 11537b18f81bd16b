package i18n

// The sandbox BPJS login page (an HTML page the customer sees instead of the
// vendor's). BPJSPageNote's arguments are the two test logins, as markup.
const (
	BPJSPageTitle     Msg = "bpjs_page_title"
	BPJSPageHeading   Msg = "bpjs_page_heading"
	BPJSPageEmail     Msg = "bpjs_page_email"
	BPJSPagePassword  Msg = "bpjs_page_password"
	BPJSPageSubmit    Msg = "bpjs_page_submit"
	BPJSPageNote      Msg = "bpjs_page_note"
	BPJSPageClose     Msg = "bpjs_page_close"
	BPJSPageBadForm   Msg = "bpjs_page_bad_form"
	BPJSPageSucceeded Msg = "bpjs_page_succeeded"
	BPJSPageFailed    Msg = "bpjs_page_failed"
)

func init() {
	register(map[Msg]entry{
		BPJSPageTitle: {
			"BPJS Ketenagakerjaan - sandbox",
			"BPJS Ketenagakerjaan - sandbox"},
		BPJSPageHeading: {
			"Login BPJS (sandbox)",
			"BPJS login (sandbox)"},
		BPJSPageEmail: {
			"Email",
			"Email"},
		BPJSPagePassword: {
			"Kata sandi",
			"Password"},
		BPJSPageSubmit: {
			"Masuk",
			"Sign in"},
		BPJSPageNote: {
			"Sandbox: %s berhasil, %s gagal; kata sandi apa saja.",
			"Sandbox: %s succeeds, %s fails; any password."},
		BPJSPageClose: {
			"Anda boleh menutup halaman ini.",
			"You may close this page."},
		BPJSPageBadForm: {
			"Formulir tidak valid",
			"Invalid form"},
		BPJSPageSucceeded: {
			"Login BPJS berhasil: data BPJS terverifikasi.",
			"BPJS login succeeded: the BPJS data is verified."},
		BPJSPageFailed: {
			"Login BPJS gagal: email atau kata sandi salah.",
			"BPJS login failed: wrong email or password."},
	})
}
