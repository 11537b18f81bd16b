package i18n

// Issue 10, items 5-7 (NIK squatting, enumeration through registration):
// the registration conflict of a NIK or email that the partner's own refused
// application holds until its cooling-off ends. Field messages ("username:
// ...", "email: ..."); the argument is the UTC time the cooling-off ends.
const (
	NIKCoolingOff   Msg = "nik_cooling_off"
	EmailCoolingOff Msg = "email_cooling_off"
)

func init() {
	register(map[Msg]entry{
		NIKCoolingOff: {
			"NIK ini milik pengajuan yang ditolak; dapat didaftarkan lagi setelah %s",
			"This NIK belongs to a refused application; it can be registered again after %s"},
		EmailCoolingOff: {
			"Email ini milik pengajuan yang ditolak; dapat didaftarkan lagi setelah %s",
			"This email belongs to a refused application; it can be registered again after %s"},
	})
}
