package i18n

// OTP, SMS and the sandbox outbox.
const (
	AlreadySubmitted   Msg = "already_submitted"
	OTPTokenFormat     Msg = "otp_token_format"
	OTPNone            Msg = "otp_none"
	OTPExpired         Msg = "otp_expired"
	OTPWrong           Msg = "otp_wrong"
	OTPBurned          Msg = "otp_burned"
	OTPLocked          Msg = "otp_locked"
	OTPResendTooSoon   Msg = "otp_resend_too_soon"
	OTPAppSendLimit    Msg = "otp_app_send_limit"
	OTPPhoneDailyLimit Msg = "otp_phone_daily_limit"
	OTPSMSText         Msg = "otp_sms_text"
	SMSGatewayFailed   Msg = "sms_gateway_failed"
	SMSDeliveryUnknown Msg = "sms_delivery_unknown"
	SandboxPhoneNeeded Msg = "sandbox_phone_needed"
)

func init() {
	register(map[Msg]entry{
		AlreadySubmitted: {
			"Data aplikasi sudah dikirim (status %d %s); langkah ini tidak bisa diulang",
			"The application was already submitted (status %d %s); this step cannot be repeated"},
		OTPTokenFormat: {
			"harus 6 digit angka",
			"must be 6 digits"},
		OTPNone: {
			"tidak ada kode OTP aktif untuk aplikasi ini; minta kode baru",
			"there is no active OTP code for this application; request a new one"},
		OTPExpired: {
			"kode OTP sudah kedaluwarsa; minta kode baru",
			"the OTP code has expired; request a new one"},
		OTPWrong: {
			"kode OTP salah; sisa %d percobaan untuk kode ini",
			"wrong OTP code; %d tries left for this code"},
		OTPBurned: {
			"kode OTP salah %d kali sehingga tidak berlaku lagi; minta kode baru",
			"wrong OTP code %d times, so it is no longer valid; request a new one"},
		OTPLocked: {
			"OTP dikunci karena terlalu banyak kode salah; coba lagi dalam %d detik (setelah %s)",
			"OTP is locked after too many wrong codes; try again in %d seconds (after %s)"},
		OTPResendTooSoon: {
			"kode OTP baru saja dikirim; kirim ulang dalam %d detik (setelah %s)",
			"an OTP code was just sent; resend in %d seconds (after %s)"},
		OTPAppSendLimit: {
			"batas %d pengiriman OTP per %d menit untuk aplikasi ini tercapai; coba lagi dalam %d detik (setelah %s)",
			"the limit of %d OTP sends per %d minutes for this application is reached; try again in %d seconds (after %s)"},
		OTPPhoneDailyLimit: {
			"batas %d OTP per hari untuk nomor ini tercapai; coba lagi dalam %d detik (setelah %s)",
			"the daily limit of %d OTPs for this number is reached; try again in %d seconds (after %s)"},
		OTPSMSText: {
			"JULO: kode OTP Anda %s, berlaku 5 menit. JANGAN berikan kode ini kepada siapa pun, termasuk pihak yang mengaku dari JULO.",
			"JULO: kode OTP Anda %s, berlaku 5 menit. JANGAN berikan kode ini kepada siapa pun, termasuk pihak yang mengaku dari JULO."},
		SMSGatewayFailed: {
			"SMS tidak dapat dikirim karena gangguan penyedia SMS; coba lagi (tidak dihitung dalam batas pengiriman)",
			"The SMS could not be sent because the SMS provider failed; please retry (this does not count against the send limits)"},
		SMSDeliveryUnknown: {
			"penyedia SMS tidak mengonfirmasi pengiriman; jika nasabah menerima kodenya, kode itu berlaku; jika tidak, kirim ulang setelah %d detik",
			"the SMS provider did not confirm the send; if the customer received the code it is valid; otherwise resend after %d seconds"},
		SandboxPhoneNeeded: {
			"wajib diisi: nomor ponsel yang pesannya ingin dilihat",
			"is required: the mobile number whose messages to show"},
	})
}
