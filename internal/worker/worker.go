// Package worker runs background jobs: one River worker per job kind, each
// calling one domain operation, as an HTTP handler does for a request. The
// jobs themselves are plain types of the domain (julo.Job), inserted by the
// store in the transaction that causes them; this package only knows how to
// run them and how often to retry.
package worker

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Onboarding is what onboarding's jobs call.
type Onboarding interface {
	PlayImportPlan(ctx context.Context, j onboarding.ImportPlanJob) error
	CompleteSandboxBPJS(ctx context.Context, j onboarding.SandboxBPJSCompletion) error
	SweepImageBlob(ctx context.Context, j onboarding.ImageSweepJob) error
	SweepPendingBlobs(ctx context.Context, j onboarding.PendingBlobSweepJob) error
	ExpireIdleApplications(ctx context.Context, j onboarding.FormExpiryJob) error
	DeleteEndedBudgetWindows(ctx context.Context, j onboarding.BudgetWindowsJob) error
}

// Register adds every worker to ws.
func Register(ws *river.Workers, o Onboarding) error {
	if err := river.AddWorkerSafely(ws, &run[onboarding.ImportPlanJob]{do: o.PlayImportPlan}); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(ws, &run[onboarding.SandboxBPJSCompletion]{do: o.CompleteSandboxBPJS}); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(ws, &run[onboarding.ImageSweepJob]{do: o.SweepImageBlob}); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(ws, &run[onboarding.PendingBlobSweepJob]{do: o.SweepPendingBlobs}); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(ws, &run[onboarding.FormExpiryJob]{do: o.ExpireIdleApplications}); err != nil {
		return err
	}
	return river.AddWorkerSafely(ws, &run[onboarding.BudgetWindowsJob]{do: o.DeleteEndedBudgetWindows})
}

// run is the worker of one job kind: it calls do. An operation that is not
// done yet (julo.RunLater) is snoozed until then. A domain error the caller
// could act on (invalid, conflict, not found) is permanent: retrying cannot
// change it, so the job is cancelled. Any other error is retried with
// River's backoff (attempt^4 seconds), up to the store's attempt limit.
type run[T julo.Job] struct {
	river.WorkerDefaults[T]
	do func(context.Context, T) error
}

func (w *run[T]) Work(ctx context.Context, job *river.Job[T]) error {
	err := w.do(ctx, job.Args)
	var later *julo.RunLater
	if errors.As(err, &later) {
		return river.JobSnooze(later.After)
	}
	if err != nil && permanent(err) {
		return river.JobCancel(err)
	}
	return err
}

func permanent(err error) bool {
	switch julo.ErrorCode(err) {
	case julo.EINVALID, julo.ECONFLICT, julo.ENOTFOUND, julo.EUNAUTHORIZED:
		return true
	}
	return false
}

var _ river.Worker[onboarding.ImportPlanJob] = (*run[onboarding.ImportPlanJob])(nil)
