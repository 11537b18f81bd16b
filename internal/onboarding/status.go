package onboarding

import (
	"context"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Steps a partner may still have to take before the application can be
// submitted, as named in ApplicationStatus.MissingSteps.
const (
	StepKTPImage     = "upload_ktp_self_image"
	StepSelfieImage  = "upload_selfie_image"
	StepPhoneOTP     = "validate_phone_otp"
	StepCustomerData = "complete_customer_data"
)

// ApplicationStatus tells a partner where an application stands, so that an
// interrupted flow can be resumed: Status is the code's partner-facing name,
// MissingSteps are Step* values, Images the current image types.
type ApplicationStatus struct {
	XID            int64
	Status         string
	StatusCode     julo.AppStatus
	MissingSteps   []string
	Images         []string
	VerifiedPhones []string
	CreatedAt      time.Time
	ExternalStatus
}

// ApplicationStatus returns the status of the partner's application and what
// is still missing before it can be submitted.
func (s *Service) ApplicationStatus(ctx context.Context, p julo.Partner, xid string) (ApplicationStatus, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return ApplicationStatus{}, err
	}
	images, err := s.store.CurrentImages(ctx, app.ID)
	if err != nil {
		return ApplicationStatus{}, err
	}
	phones, err := s.store.VerifiedPhones(ctx, app.ID)
	if err != nil {
		return ApplicationStatus{}, err
	}
	ext, err := s.externalStatus(ctx, app.ID)
	if err != nil {
		return ApplicationStatus{}, err
	}
	st := ApplicationStatus{ExternalStatus: ext, XID: app.XID, Status: app.Status.Name(), StatusCode: app.Status,
		MissingSteps: []string{}, Images: []string{}, VerifiedPhones: phones, CreatedAt: app.CreatedAt}
	for _, img := range images {
		st.Images = append(st.Images, img.Type)
	}
	if intakeOpen(app.Status) == nil {
		for _, p := range missingPrerequisites(images, phones) {
			st.MissingSteps = append(st.MissingSteps, p.step)
		}
		st.MissingSteps = append(st.MissingSteps, StepCustomerData)
	}
	return st, nil
}
