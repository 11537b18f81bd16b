package i18n

// Activation (issue 12 items 6-8): the PIN window, the limit activation
// and the objection to an automatic rejection.
const (
	PINWrong               Msg = "pin_wrong"
	PINLocked              Msg = "pin_locked"
	PINNotVerified         Msg = "pin_not_verified"
	LimitNotOffered        Msg = "limit_not_offered"
	ReviewNotAvailable     Msg = "review_not_available"
	ReviewAlreadyRequested Msg = "review_already_requested"
	ReviewWindowClosed     Msg = "review_window_closed"
)

func init() {
	register(map[Msg]entry{
		PINWrong: {
			"PIN salah; sisa %d percobaan sebelum PIN dikunci",
			"wrong PIN; %d tries left before PIN use is locked"},
		PINLocked: {
			"PIN dikunci karena terlalu banyak PIN salah; coba lagi dalam %d detik (setelah %s)",
			"PIN use is locked after too many wrong PINs; try again in %d seconds (after %s)"},
		PINNotVerified: {
			"PIN belum diverifikasi: kirim PIN nasabah ke input-pin, lalu kirim lagi dalam 5 menit",
			"the PIN is not verified: send the customer's PIN to input-pin, then send this again within 5 minutes"},
		LimitNotOffered: {
			"tidak ada limit yang ditawarkan: aplikasi berstatus %d %s, bukan 130 LIMIT_GENERATED",
			"no limit is offered: the application is at %d %s, not 130 LIMIT_GENERATED"},
		ReviewNotAvailable: {
			"peninjauan hanya bisa diminta atas penolakan otomatis: aplikasi berstatus %d %s",
			"a review can be asked for an automatic rejection only: the application is at %d %s"},
		ReviewAlreadyRequested: {
			"peninjauan sudah diminta pada %s dan sedang menunggu petugas",
			"a review was asked for at %s and waits for an operator"},
		ReviewWindowClosed: {
			"peninjauan bisa diminta dalam %d hari setelah penolakan; batasnya %s sudah lewat",
			"a review can be asked for within %d days of the rejection; the deadline %s has passed"},
	})
}
