package i18n

// The complete-data step and the application status.
const (
	NameFormat         Msg = "name_format"
	DateFormat         Msg = "date_format"
	DateFuture         Msg = "date_future"
	GenderValue        Msg = "gender_value"
	DOBMismatchNIK     Msg = "dob_mismatch_nik"
	GenderMismatchNIK  Msg = "gender_mismatch_nik"
	IntRange           Msg = "int_range"
	MoneyRange         Msg = "money_range"
	IncomePositive     Msg = "income_positive"
	NotInList          Msg = "not_in_list"
	JobNotInIndustry   Msg = "job_not_in_industry"
	AddressNoSubDist   Msg = "address_no_sub_district"
	KodeposFormat      Msg = "kodepos_format"
	PhoneRepeated      Msg = "phone_repeated"
	PhoneNotVerified   Msg = "phone_not_verified"
	BankAccountDigits  Msg = "bank_account_digits"
	BankAccountLength  Msg = "bank_account_length"
	MustBeTrue         Msg = "must_be_true"
	RequiredForMarital Msg = "required_for_marital"
	RequiredForJob     Msg = "required_for_job"
	PrereqImage        Msg = "prereq_image"
	PrereqOTP          Msg = "prereq_otp"
)

func init() {
	register(map[Msg]entry{
		NameFormat: {
			"harus minimal 3 karakter berupa huruf, spasi, titik, apostrof atau tanda hubung, tanpa angka dan tanpa spasi ganda",
			"must be at least 3 characters of letters, spaces, dots, apostrophes or hyphens, with no digits and no double spaces"},
		DateFormat: {
			"harus tanggal yang benar dengan format YYYY-MM-DD",
			"must be a real date in the format YYYY-MM-DD"},
		DateFuture: {
			"tidak boleh tanggal di masa depan",
			"must not be in the future"},
		GenderValue: {
			"harus Pria atau Wanita",
			"must be Pria or Wanita"},
		DOBMismatchNIK: {
			"tidak sesuai dengan tanggal lahir pada NIK (%s)",
			"does not match the birth date in the NIK (%s)"},
		GenderMismatchNIK: {
			"tidak sesuai dengan NIK (NIK menunjukkan %s)",
			"does not match the NIK (the NIK says %s)"},
		IntRange: {
			"harus bilangan bulat antara %d dan %d",
			"must be a whole number from %d to %d"},
		MoneyRange: {
			"harus jumlah rupiah bulat antara 0 dan 99999999",
			"must be a whole rupiah amount from 0 to 99999999"},
		IncomePositive: {
			"harus lebih dari 0",
			"must be more than 0"},
		NotInList: {
			"%q bukan pilihan yang valid; lihat dropdown-data?data_selected=%s",
			"%q is not a valid choice; see dropdown-data?data_selected=%s"},
		JobNotInIndustry: {
			"%q bukan pekerjaan pada industri %q; lihat dropdown-data?data_selected=jobs&job_industry=...",
			"%q is not a job of the industry %q; see dropdown-data?data_selected=jobs&job_industry=..."},
		AddressNoSubDist: {
			"kelurahan/desa %q tidak ditemukan di kecamatan tersebut; lihat get_address=sub_district",
			"sub-district %q not found in that district; see get_address=sub_district"},
		KodeposFormat: {
			"harus kode pos 5 digit angka",
			"must be a 5-digit postal code"},
		PhoneRepeated: {
			"sama dengan %s; setiap nomor ponsel pada aplikasi harus berbeda",
			"is the same as %s; every mobile number of an application must differ"},
		PhoneNotVerified: {
			"%s belum diverifikasi dengan OTP untuk aplikasi ini; gunakan nomor yang sudah diverifikasi (%s) atau verifikasi nomor ini",
			"%s has not been verified by OTP for this application; use a verified number (%s) or verify this one"},
		BankAccountDigits: {
			"harus berupa angka saja, 5-20 digit",
			"must be digits only, 5-20 of them"},
		BankAccountLength: {
			"harus %d-%d digit untuk %s",
			"must have %d-%d digits for %s"},
		MustBeTrue: {
			"harus true: persetujuan nasabah wajib",
			"must be true: the customer's consent is required"},
		RequiredForMarital: {
			"wajib diisi jika marital_status=%s",
			"is required when marital_status=%s"},
		RequiredForJob: {
			"wajib diisi jika job_type=%s",
			"is required when job_type=%s"},
		PrereqImage: {
			"langkah belum selesai: unggah gambar %s lewat POST /api/partnership/v1/applications/{application_xid}/images",
			"step missing: upload the %s image with POST /api/partnership/v1/applications/{application_xid}/images"},
		PrereqOTP: {
			"langkah belum selesai: verifikasi nomor ponsel dengan Send OTP lalu Validate OTP",
			"step missing: verify the mobile phone with Send OTP, then Validate OTP"},
	})
}
