package httpapi

import (
	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/notify"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// *onboarding.Service is what cmd/julo gives for every field of Services.
var (
	_ Authenticator   = (*onboarding.Service)(nil)
	_ Readiness       = (*onboarding.Service)(nil)
	_ Customers       = (*onboarding.Service)(nil)
	_ ReferenceData   = (*onboarding.Service)(nil)
	_ Images          = (*onboarding.Service)(nil)
	_ OTP             = (*onboarding.Service)(nil)
	_ Applications    = (*onboarding.Service)(nil)
	_ ExternalData    = (*onboarding.Service)(nil)
	_ VendorCallbacks = (*onboarding.Service)(nil)
	_ Sandbox         = (*onboarding.Service)(nil)
)

// ServicesOf is svc for every field (and a credit service without a
// store, which these tests never reach), as cmd/julo wires it; tests here and
// in httpapi_test use it. Its store of idempotency keys is a new one in
// memory (memIdempotency), in place of the database's.
func ServicesOf(svc *onboarding.Service) Services {
	return Services{Auth: svc, Health: svc, Customers: svc, Reference: svc, Images: svc, OTP: svc,
		Applications: svc, External: svc, Vendors: svc, Sandbox: svc, Events: notify.New(notify.Deps{}), Credit: credit.New(credit.Deps{}), Activation: credit.NewActivation(credit.ActivationDeps{}), Idempotency: newMemIdempotency()}
}

// Patterns are the mux patterns s registered, in order (trailing-slash
// twins included).
func (s *Server) Patterns() []string { return append([]string(nil), s.mux.patterns...) }
