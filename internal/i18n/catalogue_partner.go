package i18n

// Partner administration (julo partner ...): operator-facing, shown by the
// CLI in English.
const (
	PartnerNameInvalid Msg = "partner_name_invalid"
	PartnerExists      Msg = "partner_exists"
	PartnerUnknown     Msg = "partner_unknown"
)

func init() {
	register(map[Msg]entry{
		PartnerNameInvalid: {
			"nama partner %q: gunakan 2-64 huruf, angka, '.', '_' atau '-', diawali huruf atau angka",
			"partner name %q: use 2-64 letters, digits, '.', '_' or '-', starting with a letter or digit"},
		PartnerExists: {
			"partner %q sudah ada",
			"partner %q already exists"},
		PartnerUnknown: {
			"partner %q tidak ada",
			"partner %q does not exist"},
	})
}
