package worker

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// IdempotencyPruneJob deletes the partners' idempotency keys (and their
// kept answers, personal data) once their window has passed (issue 11
// item 5; periodic). A key whose first request still runs under a live
// lease stays.
type IdempotencyPruneJob struct{}

// Kind names the job.
func (IdempotencyPruneJob) Kind() string { return "idempotency_prune" }

// IdempotencyPruneEvery is how often the prune runs: a key outlives its
// window by at most this (and counts as absent meanwhile).
const IdempotencyPruneEvery = time.Hour

// IdempotencyPruner deletes keys (store.DB.DeleteIdempotencyKeys).
type IdempotencyPruner interface {
	DeleteIdempotencyKeys(ctx context.Context, before, at time.Time) (int64, error)
}

// PruneOutput is a run's recorded output.
type PruneOutput struct {
	Deleted int64 `json:"deleted"`
}

// RegisterIdempotencyPrune adds the worker of IdempotencyPruneJob: it
// deletes the keys first claimed more than keep ago.
func RegisterIdempotencyPrune(ws *river.Workers, p IdempotencyPruner, keep time.Duration, now func() time.Time) error {
	return river.AddWorkerSafely(ws, &run[IdempotencyPruneJob]{do: func(ctx context.Context, _ IdempotencyPruneJob) error {
		at := now()
		n, err := p.DeleteIdempotencyKeys(ctx, at.Add(-keep), at)
		if err != nil {
			return err
		}
		return river.RecordOutput(ctx, PruneOutput{Deleted: n})
	}})
}
