package worker

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/credit"
)

// Activation is what the activation's jobs call.
type Activation interface {
	ExpireOffers(ctx context.Context, j credit.OfferExpiryJob) error
}

// RegisterActivation adds the offer expiry's worker to ws: it moves every
// offer not accepted within the policy's offer_valid_days to 139.
func RegisterActivation(ws *river.Workers, a Activation) error {
	return river.AddWorkerSafely(ws, &run[credit.OfferExpiryJob]{do: a.ExpireOffers})
}
