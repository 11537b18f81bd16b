package httpapi

import (
	"context"
	"errors"
	"testing"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// flipping answers the two parts of a status read from a list of statuses,
// one per call, as if transitions landed between the reads.
type flipping struct {
	onboarding, credit []julo.AppStatus
	reads              int
	err                error
}

func (f *flipping) CompleteApplication(context.Context, julo.Partner, string, onboarding.CompleteInput) (onboarding.CompletedApplication, error) {
	return onboarding.CompletedApplication{}, errors.New("not used")
}

func (f *flipping) ApplicationStatus(context.Context, julo.Partner, string) (onboarding.ApplicationStatus, error) {
	f.reads++
	s := f.onboarding[min(f.reads, len(f.onboarding))-1]
	return onboarding.ApplicationStatus{Status: s.Name(), StatusCode: s}, f.err
}

func (f *flipping) CreditStatus(context.Context, julo.Partner, string) (credit.StatusView, error) {
	s := f.credit[min(f.reads, len(f.credit))-1]
	return credit.StatusView{Application: onboarding.Application{Status: s}}, nil
}

func (f *flipping) SubmitDocumentFlag(context.Context, julo.Partner, string) error {
	return errors.New("not used")
}

// A decision committed between the onboarding read (105) and the credit
// read (130) is not answered half and half: both are read again until they
// agree, and never more than statusReads times.
func TestStatusReadIsConsistentAcrossItsParts(t *testing.T) {
	for _, tc := range []struct {
		name               string
		onboarding, credit []julo.AppStatus
		reads              int
		want               julo.AppStatus
	}{
		{"agreeing at once", []julo.AppStatus{julo.AppFormSubmitted}, []julo.AppStatus{julo.AppFormSubmitted}, 1, julo.AppFormSubmitted},
		{"decided between the reads", []julo.AppStatus{julo.AppFormSubmitted, julo.AppLimitGenerated}, []julo.AppStatus{julo.AppLimitGenerated}, 2, julo.AppLimitGenerated},
		{"a storm of transitions", []julo.AppStatus{julo.AppFormSubmitted, julo.AppLimitGenerated, julo.AppLimitActivation, julo.AppLimitReady},
			[]julo.AppStatus{julo.AppLimitGenerated, julo.AppLimitActivation, julo.AppLimitReady, julo.AppLimitReady}, statusReads, julo.AppLimitActivation},
	} {
		f := &flipping{onboarding: tc.onboarding, credit: tc.credit}
		st, cv, err := consistentStatus(context.Background(), f, f, julo.Partner{}, "1")
		if err != nil || f.reads != tc.reads || st.StatusCode != tc.want {
			t.Errorf("%s: status %v (credit %v) after %d reads, %v; want %v after %d", tc.name, st.StatusCode, cv.Application.Status, f.reads, err, tc.want, tc.reads)
		}
	}
	f := &flipping{onboarding: []julo.AppStatus{julo.AppFormSubmitted}, credit: []julo.AppStatus{julo.AppFormSubmitted}, err: errors.New("gone")}
	if _, _, err := consistentStatus(context.Background(), f, f, julo.Partner{}, "1"); err == nil || f.reads != 1 {
		t.Errorf("a failed read: %v after %d reads", err, f.reads)
	}
}
