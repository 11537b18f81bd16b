package onboarding

import (
	"context"
	"strconv"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// intakeOpen is the one rule of when an application takes intake (OTP,
// images, complete data): while the transition table still allows it to be
// submitted, that is at 100. The error is ECONFLICT naming the status.
func intakeOpen(status julo.AppStatus) error {
	if julo.CanMoveApp(status, julo.AppFormSubmitted) {
		return nil
	}
	return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
		Problems: []julo.Problem{{Msg: i18n.AlreadySubmitted, Args: []any{int(status), status.Name()}}}}
}

// Uniqueness rules of onboarding's data, enforced by the store's unique
// indexes (store/dialect.go maps each index to its key).
const (
	UniquePartnerName  julo.UniqueKey = "partner_username"
	UniqueNIK          julo.UniqueKey = "nik"
	UniqueEmail        julo.UniqueKey = "email"
	UniqueXID          julo.UniqueKey = "application_xid"
	UniqueImageType    julo.UniqueKey = "current_image_type"
	UniqueImageID      julo.UniqueKey = "image_public_id"
	UniqueBPJSToken    julo.UniqueKey = "bpjs_task_token"
	UniqueImportRef    julo.UniqueKey = "bank_import_ref"
	UniqueActiveImport julo.UniqueKey = "active_bank_import"
	UniqueImportID     julo.UniqueKey = "bank_import_public_id"
	UniqueReturnURL    julo.UniqueKey = "partner_return_url_prefix"
)

// errApplicationMissing is the one answer for an xid that does not exist and
// for one that belongs to another partner: the caller cannot tell them apart.
var errApplicationMissing = &julo.Error{Code: julo.ENOTFOUND, Problems: []julo.Problem{{Msg: i18n.ApplicationMissing}}}

// application returns the application xid of partner p, or ENOTFOUND (see
// PartnerApplication).
func (s *Service) application(ctx context.Context, p julo.Partner, xid string) (Application, error) {
	return PartnerApplication(ctx, s.store, p, xid)
}

// XIDReader reads an application by its xid.
type XIDReader interface {
	ApplicationByXID(ctx context.Context, xid int64) (Application, error)
}

// PartnerApplication returns the application xid of partner p, or the one
// ENOTFOUND every domain answers: xid is the raw path segment, and
// anything but a 10-digit number, an unknown xid and another partner's
// application are all simply not found.
func PartnerApplication(ctx context.Context, st XIDReader, p julo.Partner, xid string) (Application, error) {
	n, err := strconv.ParseInt(xid, 10, 64)
	if err != nil || n < 1_000_000_000 || n > 9_999_999_999 {
		return Application{}, errApplicationMissing
	}
	app, err := st.ApplicationByXID(ctx, n)
	if julo.ErrorCode(err) == julo.ENOTFOUND || err == nil && app.PartnerID != p.ID {
		return Application{}, errApplicationMissing
	}
	return app, err
}
