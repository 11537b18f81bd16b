package httpapi

import (
	"context"
	"io"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The domain operations the partner API calls, one small interface per
// resource. Each handler is given the one its route needs, never the whole
// domain: what a handler can reach is what it uses, and a test can stand in
// for one resource without building the rest. *onboarding.Service implements
// them all (cmd/julo gives it for every field of Services).

// Authenticator checks a partner's username and secret key, and counts
// the partner's requests against its requests_per_second budget; only the
// authentication middleware uses it. Every failure of Authenticate is the
// same EUNAUTHORIZED; CountRequest's refusal is ETOOMANY.
type Authenticator interface {
	Authenticate(ctx context.Context, username, secret string) (julo.Partner, error)
	CountRequest(ctx context.Context, p julo.Partner) error
}

// Readiness answers GET /readyz: nil when the service can serve.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Customers serves registration and the checks a partner makes before it.
type Customers interface {
	Register(ctx context.Context, p julo.Partner, in onboarding.RegisterInput) (onboarding.Registered, error)
	PreregisterCheck(ctx context.Context, p julo.Partner, in onboarding.PreregisterInput) error
	CheckStrongPIN(ctx context.Context, in onboarding.PINCheckInput) error
}

// ReferenceData serves the dropdown lists and the area hierarchy.
type ReferenceData interface {
	Dropdown(in onboarding.DropdownInput) (any, error)
	Address(in onboarding.AddressInput) (any, error)
}

// Images serves an application's images.
type Images interface {
	UploadImage(ctx context.Context, p julo.Partner, xid string, in onboarding.ImageUploadInput) (onboarding.Image, error)
	ListImages(ctx context.Context, p julo.Partner, xid string) (onboarding.ApplicationImages, error)
	OpenImage(ctx context.Context, p julo.Partner, xid, imageID string) (onboarding.Image, io.ReadCloser, error)
}

// OTP sends and checks the codes that verify a phone.
type OTP interface {
	SendOTP(ctx context.Context, p julo.Partner, xid string, in onboarding.SendOTPInput) error
	ValidateOTP(ctx context.Context, p julo.Partner, xid string, in onboarding.ValidateOTPInput) error
}

// Applications serves the complete-data step and an application's status.
type Applications interface {
	CompleteApplication(ctx context.Context, p julo.Partner, xid string, in onboarding.CompleteInput) (onboarding.CompletedApplication, error)
	ApplicationStatus(ctx context.Context, p julo.Partner, xid string) (onboarding.ApplicationStatus, error)
}

// Credit serves the credit decision's part of the status and the
// documents flag (package credit).
type Credit interface {
	CreditStatus(ctx context.Context, p julo.Partner, xid string) (credit.StatusView, error)
	SubmitDocumentFlag(ctx context.Context, p julo.Partner, xid string) error
}

// ExternalData serves the optional steps a partner starts: the BPJS login
// and the bank-data import, and their state.
type ExternalData interface {
	BPJSLoginURL(ctx context.Context, p julo.Partner, xid string, in onboarding.BPJSLoginInput) (map[string]string, error)
	StartBankImport(ctx context.Context, p julo.Partner, xid string, in onboarding.BankImportInput) (onboarding.BankImportStarted, error)
	ScrapingStatus(ctx context.Context, p julo.Partner, xid string) (onboarding.ExternalStatus, error)
}

// VendorCallbacks takes the vendors' signed reports, authenticated by the
// signature over the raw body.
type VendorCallbacks interface {
	BPJSCallback(ctx context.Context, signature string, body []byte) error
	BankCallback(ctx context.Context, signature string, body []byte) error
}

// Sandbox serves the sandbox-only routes: the SMS outbox and the BPJS login
// page.
type Sandbox interface {
	SandboxSMS(ctx context.Context, p julo.Partner, in onboarding.SandboxSMSInput) ([]onboarding.OutboxMessage, error)
	SandboxBPJSLogin(ctx context.Context, token, email, password string) (onboarding.BPJSLoginOutcome, error)
}

// Services are what the partner API's handlers call, by resource. Every
// field must be set, except Sandbox when Config.Sandbox is false.
type Services struct {
	Auth         Authenticator
	Health       Readiness
	Customers    Customers
	Reference    ReferenceData
	Images       Images
	OTP          OTP
	Applications Applications
	Loans        Loans
	External     ExternalData
	Vendors      VendorCallbacks
	Sandbox      Sandbox
	// Idempotency keeps the partners' Idempotency-Keys (store.DB; not
	// the domain: it keeps HTTP answers).
	Idempotency IdempotencyStore
	// Events is the events feed and the callbacks' redelivery
	// (*notify.Service).
	Events Events
	// Credit is the credit decision (*credit.Service).
	Credit Credit
	// Activation is the limit's activation (*credit.Activation).
	Activation Activation
}

// check panics naming the first field New needs that is nil: a wiring
// mistake, better found at start than as a 500 on the route's first call.
func (svc Services) check(sandbox bool) {
	for _, f := range []struct {
		name string
		v    any
	}{
		{"Auth", svc.Auth}, {"Health", svc.Health}, {"Customers", svc.Customers},
		{"Reference", svc.Reference}, {"Images", svc.Images}, {"OTP", svc.OTP},
		{"Applications", svc.Applications}, {"External", svc.External}, {"Vendors", svc.Vendors}, {"Credit", svc.Credit}, {"Activation", svc.Activation},
		{"Idempotency", svc.Idempotency},
	} {
		if f.v == nil {
			panic("httpapi.New: Services." + f.name + " is nil")
		}
	}
	if svc.Events == nil {
		panic("httpapi.New: Services.Events is nil")
	}
	if sandbox && svc.Sandbox == nil {
		panic("httpapi.New: Services.Sandbox is nil, and Config.Sandbox is set")
	}
}
