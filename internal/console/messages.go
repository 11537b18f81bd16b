package console

// messages are the console's texts of its message ids (the id is the
// code, shown beside the text). The console is the lender's own tool: its
// messages are English, apart from the partner API's catalogue.
var messages = map[string]string{
	"console_login_failed":        "The email or password is wrong.",
	"console_login_locked":        "Too many failed logins: the account is locked for a while.",
	"console_totp_wrong":          "The code is wrong or was used already.",
	"console_totp_enabled":        "A second factor is enabled already.",
	"console_password_too_short":  "The password must have at least 12 characters.",
	"console_password_too_long":   "The password may have at most 256 characters.",
	"console_password_common":     "That password is too common: choose another.",
	"console_password_has_email":  "The password must not contain your email's name.",
	"console_password_wrong":      "The current password is wrong.",
	"console_password_same":       "The new password must differ from the current one.",
	"console_password_mismatch":   "The two new passwords differ.",
	"console_email_invalid":       "Give a valid email address.",
	"console_role_invalid":        "The role is viewer, reviewer or admin.",
	"console_operator_exists":     "An operator with this email exists already.",
	"console_operator_missing":    "No such operator.",
	"console_own_account":         "You cannot disable or enable your own account.",
	"console_session_ended":       "Your session ended: log in again.",
	"console_own_request":         "You made this request: another admin must check it.",
	"console_request_not_pending": "This request was decided already.",
	"console_forbidden":           "Your role may not open this page or do this.",
	"console_csrf":                "The form was not sent from this console (or is too old): reload the page and try again.",
	"console_internal":            "Something went wrong on our side; it was logged.",
	"console_not_found":           "No such page.",
	"console_bad_form":            "The form could not be read.",
	"console_bad_xid":             "An application xid is a number.",
	"console_bad_search":          "Search by xid, nik, email or phone.",
	"console_bad_date":            "Dates are YYYY-MM-DD.",
	"console_bad_limit":           "The limit is a whole number of rupiah, more than 0.",
	"console_bad_action":          "Choose one of the form's actions.",
	"console_reason_required":     "Give the reason (at most 1000 characters).",
	"console_application_missing": "No such application (or its customer's data was erased).",
	"console_image_missing":       "No such image.",
	"console_decision_refused":    "The decision was refused.",
	"console_customer_missing":    "No such customer, or its data was erased already.",
	"console_erase_confirm":       "Type ERASE to confirm the erasure.",
	"console_loan_missing":        "No such loan.",
	"console_loan_not_held":       "This loan does not wait for an operator: its partner's loans are not held, or it moved on.",
	"console_loan_refused":        "The loan moved on meanwhile (or does not allow this now): reload its page.",
	"console_bad_reason_code":     "Give a reason code in snake_case (like provider_confirmed_not_sent).",
	"console_partner_missing":     "No such partner.",
	"console_event_missing":       "No such event of this partner (events are kept 30 days).",
	"console_callbacks_off":       "The partner's callbacks are not configured or are disabled: nothing was queued.",
	"console_search_post":         "Searches are sent with the search form (never in the address).",
	"console_not_decidable":       "The application is not at a status where this decision can be taken.",
	"console_erase_obligation":    "Not erased: the customer has an active credit line (an obligation the lender must keep records of).",
}

// message is the text of a message id (the id itself when it has none).
func message(id string) string {
	if m, ok := messages[id]; ok {
		return m
	}
	return id
}
