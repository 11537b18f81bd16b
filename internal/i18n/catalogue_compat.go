package i18n

// Partner compatibility (issue 16): the documented success strings, which
// are part of the contract and so the same in every language, and the
// corrected email-domain message.
const (
	// StrongPINDocumented is check-strong-pin's success data, exactly as the
	// partner documentation shows it.
	StrongPINDocumented Msg = "pin_strong_documented"
	// EmailDomainBlocked says which domain is refused: other domains pass,
	// so it must not say the email must be Google.
	EmailDomainBlocked Msg = "email_domain_blocked"
)

func init() {
	register(map[Msg]entry{
		StrongPINDocumented: {
			"Strong password",
			"Strong password"},
		EmailDomainBlocked: {
			"domain email %s tidak diterima",
			"the email domain %s is not accepted"},
	})
}
