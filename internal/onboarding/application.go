package onboarding

import (
	"context"
	"strconv"

	"github.com/julo-partnership/julo/internal/i18n"
)

// Application statuses (domain §9) with their partner-facing names.
const (
	StatusFormSubmitted = 105
)

var statusNames = map[int]string{
	100: "FORM_CREATED", 105: "FORM_SUBMITTED", 106: "FORM_EXPIRED", 120: "DOCUMENTS_SUBMITTED",
	121: "SCRAPPED_DATA_VERIFIED", 130: "LIMIT_GENERATED", 131: "RESUBMISSION_APPLICATION_REQUESTED",
	133: "APPLICATION_FRAUD", 135: "APPLICATION_REJECTED", 137: "APPLICATION_CANCELLED_BY_CUSTOMER",
	141: "LIMIT_ACTIVATION", 150: "LIMIT_ACTIVATION_SUCCESS", 190: "LIMIT_READY_TO_USE",
}

// StatusName is the partner-facing name of a status code.
func StatusName(code int) string { return statusNames[code] }

// errApplicationMissing is the one answer for an xid that does not exist and
// for one that belongs to another partner: the caller cannot tell them apart.
var errApplicationMissing = &Error{Code: ENOTFOUND, Problems: []Problem{{Msg: i18n.ApplicationMissing}}}

// application returns the application xid of partner p, or ENOTFOUND. xid is
// the raw path segment: anything but a 10-digit number is simply not found.
func (s *Service) application(ctx context.Context, p Partner, xid string) (Application, error) {
	n, err := strconv.ParseInt(xid, 10, 64)
	if err != nil || n < 1_000_000_000 || n > 9_999_999_999 {
		return Application{}, errApplicationMissing
	}
	app, err := s.store.ApplicationByXID(ctx, n)
	if ErrorCode(err) == ENOTFOUND || err == nil && app.PartnerID != p.ID {
		return Application{}, errApplicationMissing
	}
	return app, err
}
