package worker

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/lending"
)

// Lending is what the loans' jobs call.
type Lending interface {
	Disburse(ctx context.Context, j lending.DisburseJob) error
	CheckDisbursement(ctx context.Context, j lending.DisbursementCheckJob) error
	ExpireLoans(ctx context.Context, j lending.ExpiryJob) error
	RunLateness(ctx context.Context, j lending.LatenessJob) error
}

// RegisterLending adds the loans' workers to ws: the disbursement of an
// approved loan, the check of a pending transfer, the expiry of loans
// not signed in time, and the daily lateness of loans being repaid.
func RegisterLending(ws *river.Workers, l Lending) error {
	if err := river.AddWorkerSafely(ws, &run[lending.DisburseJob]{do: l.Disburse}); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(ws, &run[lending.DisbursementCheckJob]{do: l.CheckDisbursement}); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(ws, &run[lending.LatenessJob]{do: l.RunLateness}); err != nil {
		return err
	}
	return river.AddWorkerSafely(ws, &run[lending.ExpiryJob]{do: l.ExpireLoans})
}
