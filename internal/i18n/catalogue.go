package i18n

// Message ids. A message that concerns one field is rendered by the HTTP layer as
// "field: message", so the texts here do not repeat the field name.
const (
	// Transport and request shape.
	Unauthorized       Msg = "unauthenticated"
	NotFound           Msg = "not_found"
	MethodNotAllowed   Msg = "method_not_allowed"
	BodyTooLarge       Msg = "body_too_large"
	HeadersTooLarge    Msg = "headers_too_large"
	UnsupportedMedia   Msg = "unsupported_media"
	MalformedJSON      Msg = "malformed_json"
	JSONNotObject      Msg = "json_not_object"
	MalformedForm      Msg = "malformed_form"
	Internal           Msg = "internal"
	Unavailable        Msg = "unavailable"
	TypeString         Msg = "type_string"
	TypeNumber         Msg = "type_number"
	TypeInteger        Msg = "type_integer"
	TypeBoolean        Msg = "type_boolean"
	TypeObject         Msg = "type_object"
	ControlChars       Msg = "control_chars"
	Required           Msg = "required"
	Blank              Msg = "blank"
	TooLong            Msg = "too_long"
	ApplicationMissing Msg = "application_missing"

	// NIK.
	NIKFormat   Msg = "nik_format"
	NIKProvince Msg = "nik_province"
	NIKRegency  Msg = "nik_regency"
	NIKDistrict Msg = "nik_district"
	NIKDate     Msg = "nik_invalid_date"
	NIKSerial   Msg = "nik_serial"

	// PIN.
	PINFormat    Msg = "pin_format"
	PINBirthDate Msg = "pin_birth_date"
	PINPattern   Msg = "pin_weak_sequence"
	PINCommon    Msg = "pin_common"
	PINNIKTail   Msg = "pin_nik_tail"

	// Email, coordinates.
	EmailInvalid  Msg = "email_invalid"
	LatitudeRange Msg = "latitude_range"
	LongRange     Msg = "longitude_range"

	// Registration and pre-register check.
	NIKRegistered      Msg = "nik_registered"
	EmailRegistered    Msg = "email_registered"
	PreregTitle        Msg = "prereg_title"
	PreregLocked       Msg = "prereg_locked"
	PreregLockedNIK    Msg = "prereg_locked_nik"
	RegisterRaceFailed Msg = "register_race_failed"

	// Dropdown and address.
	DropdownWhich       Msg = "dropdown_which"
	DropdownUnknown     Msg = "dropdown_unknown"
	DropdownNeedsIndust Msg = "dropdown_needs_industry"
	DropdownIndustry    Msg = "dropdown_industry"
	AddressWhich        Msg = "address_which"
	AddressUnknownLevel Msg = "address_unknown_level"
	AddressNeeds        Msg = "address_needs"
	AddressNoProvince   Msg = "address_no_province"
	AddressNoCity       Msg = "address_no_city"
	AddressNoDistrict   Msg = "address_no_district"
)

var catalogue = map[Msg]entry{
	Unauthorized: {
		"Kredensial partner tidak valid: kirim header username dan secret-key yang benar",
		"Invalid partner credentials: send the correct username and secret-key headers"},
	NotFound: {
		"Endpoint tidak ditemukan",
		"Endpoint not found"},
	MethodNotAllowed: {
		"Metode %s tidak diizinkan untuk endpoint ini; gunakan %s",
		"Method %s is not allowed on this endpoint; use %s"},
	BodyTooLarge: {
		"Isi permintaan terlalu besar: maksimal %d byte",
		"Request body too large: at most %d bytes"},
	HeadersTooLarge: {
		"Header dan URL permintaan terlalu besar: maksimal %d byte",
		"Request headers and URL too large: at most %d bytes"},
	UnsupportedMedia: {
		"Content-Type %q tidak didukung; gunakan application/json, application/x-www-form-urlencoded atau multipart/form-data",
		"Content-Type %q is not supported; use application/json, application/x-www-form-urlencoded or multipart/form-data"},
	MalformedJSON: {
		"JSON tidak valid: %s",
		"Malformed JSON: %s"},
	JSONNotObject: {
		"Isi permintaan JSON harus berupa objek {...}",
		"The JSON request body must be an object {...}"},
	MalformedForm: {
		"Data form tidak valid: %s",
		"Malformed form data: %s"},
	Internal: {
		"Terjadi kesalahan pada server; coba lagi nanti (request id %s)",
		"Internal server error; please retry later (request id %s)"},
	Unavailable: {
		"Layanan sedang tidak tersedia; coba lagi nanti",
		"Service temporarily unavailable; please retry later"},
	TypeString: {
		"harus berupa teks",
		"must be a string"},
	TypeNumber: {
		"harus berupa angka",
		"must be a number"},
	TypeInteger: {
		"harus berupa bilangan bulat",
		"must be a whole number"},
	TypeBoolean: {
		"harus berupa boolean (true atau false)",
		"must be a boolean (true or false)"},
	TypeObject: {
		"harus berupa objek",
		"must be an object"},
	ControlChars: {
		"tidak boleh berisi karakter kontrol atau pengarah teks (NUL, U+202E, ...)",
		"must not contain control or text-direction characters (NUL, U+202E, ...)"},
	Required: {
		"wajib diisi",
		"is required"},
	Blank: {
		"tidak boleh kosong",
		"must not be blank"},
	TooLong: {
		"terlalu panjang: maksimal %d karakter",
		"is too long: at most %d characters"},
	ApplicationMissing: {
		"Aplikasi tidak ditemukan",
		"Application not found"},

	NIKFormat: {
		"NIK harus terdiri dari tepat 16 digit angka",
		"NIK must be exactly 16 digits"},
	NIKProvince: {
		"NIK tidak valid: kode provinsi %q tidak dikenal",
		"Invalid NIK: province code %q is unknown"},
	NIKRegency: {
		"NIK tidak valid: kode kabupaten/kota tidak boleh 00",
		"Invalid NIK: the regency code must not be 00"},
	NIKDistrict: {
		"NIK tidak valid: kode kecamatan tidak boleh 00",
		"Invalid NIK: the district code must not be 00"},
	NIKDate: {
		"NIK tidak valid: digit 7-12 bukan tanggal lahir yang benar (DDMMYY, tanggal +40 untuk wanita)",
		"Invalid NIK: digits 7-12 are not a valid birth date (DDMMYY, day +40 for women)"},
	NIKSerial: {
		"NIK tidak valid: nomor urut (4 digit terakhir) tidak boleh 0000",
		"Invalid NIK: the serial number (last 4 digits) must not be 0000"},

	PINFormat: {
		"PIN harus terdiri dari tepat 6 digit angka",
		"PIN must be exactly 6 digits"},
	PINBirthDate: {
		"PIN tidak boleh menggunakan tanggal lahir",
		"PIN must not use the date of birth"},
	PINPattern: {
		"PIN tidak boleh menggunakan angka pengulangan atau berurutan",
		"PIN must not use repeated or consecutive digits"},
	PINCommon: {
		"PIN terlalu umum dan mudah ditebak",
		"PIN is too common and easy to guess"},
	PINNIKTail: {
		"PIN tidak boleh menggunakan 6 digit terakhir NIK",
		"PIN must not be the last 6 digits of the NIK"},

	EmailInvalid: {
		"alamat email tidak valid",
		"is not a valid email address"},
	LatitudeRange: {
		"harus antara -90 dan 90",
		"must be between -90 and 90"},
	LongRange: {
		"harus antara -180 dan 180",
		"must be between -180 and 180"},

	NIKRegistered: {
		"NIK sudah terdaftar",
		"NIK is already registered"},
	EmailRegistered: {
		"Email sudah terdaftar",
		"Email is already registered"},
	PreregTitle: {
		"Data sudah terdaftar",
		"Already registered"},
	PreregLocked: {
		"Terlalu banyak pengecekan gagal untuk email ini; coba lagi setelah %s",
		"Too many failed checks for this email; try again after %s"},
	PreregLockedNIK: {
		"Terlalu banyak pengecekan gagal untuk NIK ini; coba lagi setelah %s",
		"Too many failed checks for this NIK; try again after %s"},
	RegisterRaceFailed: {
		"Gagal membuat nomor aplikasi; coba lagi",
		"Could not allocate an application number; please retry"},

	DropdownWhich: {
		"wajib diisi; pilih salah satu: %s",
		"is required; choose one of: %s"},
	DropdownUnknown: {
		"%q tidak dikenal; pilih salah satu: %s",
		"%q is unknown; choose one of: %s"},
	DropdownNeedsIndust: {
		"wajib diisi jika data_selected=jobs; pilih salah satu: %s",
		"is required when data_selected=jobs; choose one of: %s"},
	DropdownIndustry: {
		"%q tidak dikenal; pilih salah satu: %s",
		"%q is unknown; choose one of: %s"},
	AddressWhich: {
		"wajib diisi; pilih salah satu: province, city, district, sub_district",
		"is required; choose one of: province, city, district, sub_district"},
	AddressUnknownLevel: {
		"%q tidak dikenal; pilih salah satu: province, city, district, sub_district",
		"%q is unknown; choose one of: province, city, district, sub_district"},
	AddressNeeds: {
		"wajib diisi untuk get_address=%s",
		"is required for get_address=%s"},
	AddressNoProvince: {
		"provinsi %q tidak ditemukan; lihat get_address=province",
		"province %q not found; see get_address=province"},
	AddressNoCity: {
		"kabupaten/kota %q tidak ditemukan di provinsi tersebut; lihat get_address=city",
		"city %q not found in that province; see get_address=city"},
	AddressNoDistrict: {
		"kecamatan %q tidak ditemukan di kabupaten/kota tersebut; lihat get_address=district",
		"district %q not found in that city; see get_address=district"},
}

// The status machine.
const StatusTransition Msg = "status_transition"

func init() {
	register(map[Msg]entry{
		StatusTransition: {
			"Aplikasi berstatus %d %s dan tidak dapat berpindah ke %d %s",
			"The application is at status %d %s and cannot move to %d %s"},
	})
}
