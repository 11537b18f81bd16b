package onboarding

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// recorder is an Observer that lists what it was told.
type recorder struct{ events []string }

func (r *recorder) OTPSent()               { r.events = append(r.events, "sent") }
func (r *recorder) OTPRefused(s string)    { r.events = append(r.events, "refused:"+s) }
func (r *recorder) OTPValidated(s string)  { r.events = append(r.events, "validated:"+s) }
func (r *recorder) ImageUploaded(s string) { r.events = append(r.events, "upload:"+s) }

// otpFakeStore is a Store holding one application's OTP counters, state and
// newest code; methods OTP does not use are the nil embedded interface's.
type otpFakeStore struct {
	Store
	app      Application
	counters OTPCounters
	state    OTPState
	code     *OTPCode
	fail     error // every OTP method fails with it
}

func (f *otpFakeStore) ApplicationByXID(ctx context.Context, xid int64) (Application, error) {
	return f.app, nil
}

func (f *otpFakeStore) CreateOTP(ctx context.Context, c OTPCode, appSince, phoneSince time.Time, check func(OTPCounters) error) (int64, error) {
	if f.fail != nil {
		return 0, f.fail
	}
	if err := check(f.counters); err != nil {
		return 0, err
	}
	return 1, nil
}

func (f *otpFakeStore) CloseOtherOTPs(ctx context.Context, applicationID, keep int64, at time.Time) error {
	return nil
}

func (f *otpFakeStore) DeleteOTP(ctx context.Context, id int64) error { return nil }

func (f *otpFakeStore) CheckOTP(ctx context.Context, applicationID int64, at time.Time, check func(*OTPState, *OTPCode)) error {
	if f.fail != nil {
		return f.fail
	}
	check(&f.state, f.code)
	return nil
}

type smsFunc func(context.Context, SMS) error

func (f smsFunc) SendSMS(ctx context.Context, m SMS) error { return f(ctx, m) }

func otpTestKeys() Keys {
	return Keys{OTP: KeySet{Current: "k1", Keys: map[string][]byte{"k1": []byte(strings.Repeat("k", 32))}}}
}

// Each way a send ends is told to the observer once, under the reason the
// caller's 429 or 502 stands for; a failing store is no refusal.
func TestSendOTPTellsTheObserverWhyItRefused(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	ok := smsFunc(func(context.Context, SMS) error { return nil })
	down := smsFunc(func(context.Context, SMS) error { return errors.New("gateway down") })
	for _, tc := range []struct {
		name     string
		counters OTPCounters
		sms      SMSSender
		fail     error
		want     []string
	}{
		{"sent", OTPCounters{}, ok, nil, []string{"sent"}},
		{"locked", OTPCounters{LockedUntil: now.Add(time.Minute)}, ok, nil, []string{"refused:locked"}},
		{"too soon", OTPCounters{LastAppSend: now.Add(-10 * time.Second)}, ok, nil, []string{"refused:resend_too_soon"}},
		{"app limit", OTPCounters{AppSends: 3, OldestAppSend: now.Add(-time.Minute)}, ok, nil, []string{"refused:app_limit"}},
		{"phone limit", OTPCounters{PhoneSends: 10, OldestPhoneSend: now.Add(-time.Hour), PartnerPhoneSends: 10, OldestPartnerPhoneSend: now.Add(-time.Hour)}, ok, nil, []string{"refused:phone_daily_limit"}},
		{"gateway", OTPCounters{}, down, nil, []string{"refused:gateway_failure"}},
		{"store fails", OTPCounters{}, ok, errors.New("disk I/O error"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			st := &otpFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated},
				counters: tc.counters, fail: tc.fail}
			svc := New(Deps{Store: st, SMS: tc.sms, Keys: otpTestKeys(), Config: DefaultConfig(), Now: func() time.Time { return now }, Observer: rec})
			phone := "081234567899"
			svc.SendOTP(context.Background(), julo.Partner{ID: 7}, "1234567890", SendOTPInput{Phone: &phone})
			if !slices.Equal(rec.events, tc.want) {
				t.Fatalf("observed %q, want %q", rec.events, tc.want)
			}
		})
	}
}

// Every outcome of checking a code is told to the observer; a malformed
// token (never checked) and a failing store are not.
func TestValidateOTPTellsTheObserverTheOutcome(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	keys := otpTestKeys()
	hash, keyID := macHex(keys.OTP, "otp", "3", "123456")
	code := func(attempts int, expires time.Time) *OTPCode {
		return &OTPCode{ID: 1, ApplicationID: 3, Hash: hash, KeyID: keyID, ExpiresAt: expires, Attempts: attempts}
	}
	later := now.Add(time.Minute)
	for _, tc := range []struct {
		name  string
		token string
		state OTPState
		code  *OTPCode
		fail  error
		want  []string
	}{
		{"match", "123456", OTPState{}, code(0, later), nil, []string{"validated:verified"}},
		{"wrong", "654321", OTPState{}, code(0, later), nil, []string{"validated:wrong"}},
		{"burned", "654321", OTPState{}, code(4, later), nil, []string{"validated:burned"}},
		{"expired", "123456", OTPState{}, code(0, now), nil, []string{"validated:expired"}},
		{"no code", "123456", OTPState{}, nil, nil, []string{"validated:no_code"}},
		{"locked", "123456", OTPState{LockedUntil: later}, code(0, later), nil, []string{"validated:locked"}},
		{"locks now", "654321", OTPState{ConsecutiveFailures: 9}, code(0, later), nil, []string{"validated:locked"}},
		{"malformed", "12345", OTPState{}, code(0, later), nil, nil},
		{"store fails", "123456", OTPState{}, code(0, later), errors.New("disk I/O error"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			st := &otpFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated},
				state: tc.state, code: tc.code, fail: tc.fail}
			svc := New(Deps{Store: st, Keys: keys, Config: DefaultConfig(), Now: func() time.Time { return now }, Observer: rec})
			svc.ValidateOTP(context.Background(), julo.Partner{ID: 7}, "1234567890", ValidateOTPInput{Token: &tc.token})
			if !slices.Equal(rec.events, tc.want) {
				t.Fatalf("observed %q, want %q", rec.events, tc.want)
			}
		})
	}
}

// The lists of label values name every constant once.
func TestObserverValueListsAreComplete(t *testing.T) {
	for _, list := range [][]string{OTPRefusalReasons(), OTPValidationOutcomes(), UploadOutcomes()} {
		seen := map[string]bool{}
		for _, v := range list {
			if v == "" || seen[v] {
				t.Fatalf("%q empty or twice in %q", v, list)
			}
			seen[v] = true
		}
	}
	if len(OTPRefusalReasons()) != 5 || len(OTPValidationOutcomes()) != 6 || len(UploadOutcomes()) != 6 {
		t.Fatal("a constant is missing from its list")
	}
}

// Every upload is told to the observer once, with how it ended.
func TestUploadImageTellsTheObserverTheOutcome(t *testing.T) {
	for _, tc := range []struct {
		name   string
		xid    string
		status julo.AppStatus
		in     ImageUploadInput
		putErr error
		held   int // images the application already holds
		want   string
	}{
		{"stored", "1234567890", julo.AppFormCreated, ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))}, nil, 0, "upload:stored"},
		{"invalid", "1234567890", julo.AppFormCreated, ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile([]byte("not an image"))}, nil, 0, "upload:invalid"},
		{"closed", "1234567890", 105, ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))}, nil, 0, "upload:closed"},
		{"limit", "1234567890", julo.AppFormCreated, ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))}, nil, DefaultMaxImagesPerApplication, "upload:limit"},
		{"not found", "1234567891", julo.AppFormCreated, ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))}, nil, 0, "upload:not_found"},
		{"blob store fails", "1234567890", julo.AppFormCreated, ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))}, errors.New("no space"), 0, "upload:error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			st := &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: tc.status}, count: tc.held}
			bl := &memBlobs{m: map[string][]byte{}, putErr: tc.putErr}
			svc := New(Deps{Store: st, Blobs: bl, Observer: rec})
			svc.UploadImage(context.Background(), julo.Partner{ID: 7}, tc.xid, tc.in)
			if !slices.Equal(rec.events, []string{tc.want}) {
				t.Fatalf("observed %q, want %q", rec.events, tc.want)
			}
		})
	}
}
