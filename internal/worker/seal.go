package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/julo-partnership/julo/internal/julo"
)

// SealBlobsJob seals the blobs stored before blobs were sealed (issue 10,
// item 2), and rewraps the data keys of those sealed by an older key of
// the data set. One job is one batch, from the key after After; if blobs
// are left, it queues its successor, which starts where it stopped, with
// the totals so far. `julo keys seal-images` queues the first. Every batch
// is idempotent (a blob in the current form is only read up to its
// header), so a batch cut short is run again from the same key, and two
// chains running at once (the command given twice) only repeat work.
type SealBlobsJob struct {
	After     string   `json:"after" river:"unique"`
	Checked   int      `json:"checked"`
	Sealed    int      `json:"sealed"`
	Rewrapped int      `json:"rewrapped"`
	Broken    []string `json:"broken,omitempty"`
}

// Kind names the job.
func (SealBlobsJob) Kind() string { return "seal_blobs" }

// InsertOpts makes a batch unique by its starting key among the jobs not
// yet finished: a successor queued twice (the batch run again after its
// process stopped) runs once; a finished chain does not stop a new one.
func (SealBlobsJob) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// SealBatch is what one batch did (blob.SealProgress).
type SealBatch struct {
	Next                       string
	Done                       bool
	Checked, Sealed, Rewrapped int
	Broken                     []string
}

// BlobSealer runs one batch: the blobs after the key after, at most limit
// of them, until deadline (blob.Sealed.SealStored).
type BlobSealer interface {
	SealStored(ctx context.Context, after string, limit int, deadline time.Time) (SealBatch, error)
}

// Batches are bounded in number and in time, well within the job timeout.
const (
	sealBatchLimit = 1000
	sealBatchTime  = 30 * time.Second
)

// RegisterBlobSealing adds the worker of SealBlobsJob to ws; enqueue
// inserts a batch's successor (store.DB.Enqueue).
func RegisterBlobSealing(ws *river.Workers, s BlobSealer, enqueue func(context.Context, ...julo.Scheduled) error) error {
	return river.AddWorkerSafely(ws, &run[SealBlobsJob]{do: func(ctx context.Context, j SealBlobsJob) error {
		next, done, err := sealBatch(ctx, s, enqueue, j, time.Now().Add(sealBatchTime))
		if err != nil {
			return err
		}
		// The totals so far, and whether this was the last batch, are the
		// job's recorded output (river_job.metadata's "output").
		return river.RecordOutput(ctx, SealOutput{SealBlobsJob: next, Done: done})
	}})
}

// SealOutput is a batch's recorded output: the totals of the chain up to
// and including it, and whether it was the last.
type SealOutput struct {
	SealBlobsJob
	Done bool `json:"done"`
}

// sealBatch runs batch j and queues its successor unless it was the last
// (done); next is that successor, whose counts are the totals so far.
func sealBatch(ctx context.Context, s BlobSealer, enqueue func(context.Context, ...julo.Scheduled) error, j SealBlobsJob, deadline time.Time) (next SealBlobsJob, done bool, err error) {
	b, err := s.SealStored(ctx, j.After, sealBatchLimit, deadline)
	if err != nil {
		return j, false, err
	}
	next = SealBlobsJob{After: b.Next, Checked: j.Checked + b.Checked, Sealed: j.Sealed + b.Sealed,
		Rewrapped: j.Rewrapped + b.Rewrapped, Broken: append(j.Broken, b.Broken...)}
	if len(next.Broken) > 100 {
		next.Broken = next.Broken[:100]
	}
	if b.Done {
		return next, true, nil
	}
	if b.Next == j.After {
		// No progress: its successor would be this very job (and unique,
		// so never inserted). Run this one again instead.
		return j, false, fmt.Errorf("sealing blobs after %q: the batch ended before its first blob", j.After)
	}
	if err := enqueue(ctx, julo.Scheduled{Job: next}); err != nil {
		return j, false, fmt.Errorf("queueing the next batch after %q: %w", b.Next, err)
	}
	return next, false, nil
}
