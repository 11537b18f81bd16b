package i18n

// Phone numbers: each message names the rule a number broke. Mobile messages
// start with what the field needs ("harus nomor ponsel Indonesia"), office
// phone messages likewise ("harus nomor telepon kantor"), then say why.
const (
	MobileChars      Msg = "mobile_chars"
	MobileForeign    Msg = "mobile_foreign"
	MobilePrefix     Msg = "mobile_prefix"
	MobileIsLandline Msg = "mobile_is_landline"
	MobileIsService  Msg = "mobile_is_service"
	MobileUnassigned Msg = "mobile_unassigned"
	MobileLength     Msg = "mobile_length"
	MobileInvalid    Msg = "mobile_invalid"

	OfficeChars       Msg = "office_phone_chars"
	OfficeForeign     Msg = "office_phone_foreign"
	OfficeIsMobile    Msg = "office_phone_is_mobile"
	OfficePrefix      Msg = "office_phone_prefix"
	OfficeAreaCode    Msg = "office_phone_area_code"
	OfficeLength      Msg = "office_phone_length"
	OfficeInvalid     Msg = "office_phone_invalid"
	OfficeTollFree    Msg = "office_phone_toll_free"
	OfficeCallCentre  Msg = "office_phone_call_centre"
	OfficeServiceType Msg = "office_phone_service_type"
)

func init() {
	register(map[Msg]entry{
		MobileChars: {
			"harus nomor ponsel Indonesia: hanya angka, spasi, tanda hubung, titik, tanda kurung dan + di depan yang boleh dipakai",
			"must be an Indonesian mobile number: only digits, spaces, dashes, dots, parentheses and a leading + may be used"},
		MobileForeign: {
			"harus nomor ponsel Indonesia: +%d adalah kode negara lain (Indonesia +62)",
			"must be an Indonesian mobile number: +%d is another country's code (Indonesia is +62)"},
		MobilePrefix: {
			"harus nomor ponsel Indonesia: nomor ponsel diawali 08 (atau 628 / +628)",
			"must be an Indonesian mobile number: mobile numbers start with 08 (or 628 / +628)"},
		MobileIsLandline: {
			"harus nomor ponsel Indonesia: %s adalah nomor telepon tetap (kode area %s), bukan nomor ponsel",
			"must be an Indonesian mobile number: %s is a landline (area code %s), not a mobile number"},
		MobileIsService: {
			"harus nomor ponsel Indonesia: awalan %s adalah nomor layanan (bebas pulsa, premium atau call center), bukan nomor ponsel",
			"must be an Indonesian mobile number: the prefix %s is a service number (toll-free, premium or call centre), not a mobile number"},
		MobileUnassigned: {
			"harus nomor ponsel Indonesia: awalan %s tidak dialokasikan untuk operator seluler",
			"must be an Indonesian mobile number: the prefix %s is not allocated to any mobile operator"},
		MobileLength: {
			"harus nomor ponsel Indonesia: nomor ini %d digit, nomor ponsel 10-13 digit dalam bentuk 08…",
			"must be an Indonesian mobile number: this one has %d digits, a mobile number has 10-13 digits in the 08… form"},
		MobileInvalid: {
			"harus nomor ponsel Indonesia: %s tidak sesuai dengan rencana penomoran seluler Indonesia",
			"must be an Indonesian mobile number: %s does not fit the Indonesian mobile numbering plan"},

		OfficeChars: {
			"harus nomor telepon kantor: hanya angka, spasi, tanda hubung, titik, tanda kurung dan + di depan yang boleh dipakai",
			"must be an office phone number: only digits, spaces, dashes, dots, parentheses and a leading + may be used"},
		OfficeForeign: {
			"harus nomor telepon kantor di Indonesia: +%d adalah kode negara lain (Indonesia +62)",
			"must be an office phone number in Indonesia: +%d is another country's code (Indonesia is +62)"},
		OfficeIsMobile: {
			"harus nomor telepon kantor, bukan nomor ponsel: %s adalah nomor ponsel",
			"must be an office phone number, not a mobile number: %s is a mobile number"},
		OfficePrefix: {
			"harus nomor telepon kantor: telepon tetap dengan kode area (mis. 021…, 0274…), bebas pulsa 0800… atau call center 1500…/1300…",
			"must be an office phone number: a landline with its area code (e.g. 021…, 0274…), a toll-free 0800… or a call-centre 1500…/1300… number"},
		OfficeAreaCode: {
			"harus nomor telepon kantor: %s tidak diawali kode area telepon Indonesia (mis. 021 Jakarta, 0274 Yogyakarta)",
			"must be an office phone number: %s does not start with an Indonesian area code (e.g. 021 Jakarta, 0274 Yogyakarta)"},
		OfficeLength: {
			"harus nomor telepon kantor: nomor ini %d digit, telepon tetap 9-12 digit termasuk kode area",
			"must be an office phone number: this one has %d digits, a landline has 9-12 digits with its area code"},
		OfficeInvalid: {
			"harus nomor telepon kantor: %s bukan nomor yang valid untuk kode area %s (%s); periksa jumlah digit setelah kode area",
			"must be an office phone number: %s is not a valid number for the area code %s (%s); check the digits after the area code"},
		OfficeTollFree: {
			"harus nomor telepon kantor: %s bukan nomor bebas pulsa yang valid (0800 diikuti 5-7 digit)",
			"must be an office phone number: %s is not a valid toll-free number (0800 and 5-7 more digits)"},
		OfficeCallCentre: {
			"harus nomor telepon kantor: %s bukan nomor call center yang valid (1500 atau 1300 diikuti 3 digit)",
			"must be an office phone number: %s is not a valid call-centre number (1500 or 1300 and 3 more digits)"},
		OfficeServiceType: {
			"harus nomor telepon kantor: awalan %s bukan telepon tetap, bebas pulsa 0800 atau call center 1500/1300",
			"must be an office phone number: the prefix %s is not a landline, a toll-free 0800 or a call-centre 1500/1300 number"},
	})
}
