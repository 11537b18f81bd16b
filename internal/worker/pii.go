package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/julo-partnership/julo/internal/julo"
)

// RotateDataJob rewraps the customer keys wrapped by an older key of the
// data set with its current key (issue 10 item 1; `julo keys rotate-data`
// queues the first). One job is one batch in one transaction; while keys
// are left it queues its successor with the total so far, so an
// interrupted rotation resumes where it stopped (each batch takes the keys
// still wrapped by an old key: running one twice only finds fewer).
type RotateDataJob struct {
	Rewrapped int `json:"rewrapped"`
	Batch     int `json:"batch" river:"unique"`
}

// Kind names the job.
func (RotateDataJob) Kind() string { return "rotate_data_keys" }

// InsertOpts makes a batch unique by its number among unfinished jobs.
func (RotateDataJob) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// Rewrapper rewraps a batch of customer keys (store.DB.RewrapCustomerKeys).
type Rewrapper interface {
	RewrapCustomerKeys(ctx context.Context, limit int, at time.Time) (rewrapped, left int, err error)
}

// RotateOutput is a batch's recorded output.
type RotateOutput struct {
	Rewrapped int  `json:"rewrapped"`
	Left      int  `json:"left"`
	Done      bool `json:"done"`
}

const rotateBatch = 500

// RegisterDataRotation adds the worker of RotateDataJob to ws.
func RegisterDataRotation(ws *river.Workers, r Rewrapper, now func() time.Time, enqueue func(context.Context, ...julo.Scheduled) error) error {
	return river.AddWorkerSafely(ws, &run[RotateDataJob]{do: func(ctx context.Context, j RotateDataJob) error {
		n, left, err := r.RewrapCustomerKeys(ctx, rotateBatch, now())
		if err != nil {
			return err
		}
		out := RotateOutput{Rewrapped: j.Rewrapped + n, Left: left, Done: left == 0}
		if left > 0 {
			if n == 0 {
				return fmt.Errorf("rotating data keys: %d keys left and none rewrapped", left)
			}
			if err := enqueue(ctx, julo.Scheduled{Job: RotateDataJob{Rewrapped: out.Rewrapped, Batch: j.Batch + 1}}); err != nil {
				return err
			}
		}
		return river.RecordOutput(ctx, out)
	}})
}

// RetentionPurgeJob erases the customers none of whose applications ever
// reached 105 and whose last change is older than the retention (issue 10
// item 4; periodic).
type RetentionPurgeJob struct{}

// Kind names the job.
func (RetentionPurgeJob) Kind() string { return "retention_purge" }

// RetentionPurgeEvery is how often the purge runs.
const RetentionPurgeEvery = 6 * time.Hour

// Purger finds and erases (store.DB).
type Purger interface {
	RetentionCandidates(ctx context.Context, before time.Time, limit int) ([]int64, error)
	EraseForRetention(ctx context.Context, id int64, before, at time.Time, sweep func(string) julo.Job) (bool, error)
}

// PurgeOutput is a run's recorded output.
type PurgeOutput struct {
	Erased int `json:"erased"`
}

// RegisterRetentionPurge adds the worker of RetentionPurgeJob: it erases at
// most 1000 customers a run (the next run goes on), each in its own
// transaction; sweep makes the job that deletes an erased image's blob.
func RegisterRetentionPurge(ws *river.Workers, p Purger, retention time.Duration, now func() time.Time, sweep func(string) julo.Job) error {
	return river.AddWorkerSafely(ws, &run[RetentionPurgeJob]{do: func(ctx context.Context, _ RetentionPurgeJob) error {
		at := now()
		before := at.Add(-retention)
		ids, err := p.RetentionCandidates(ctx, before, 1000)
		if err != nil {
			return err
		}
		erased := 0
		for _, id := range ids {
			ok, err := p.EraseForRetention(ctx, id, before, at, sweep)
			if err != nil {
				return fmt.Errorf("erasing customer %d for retention: %w", id, err)
			}
			if ok {
				erased++
			}
		}
		return river.RecordOutput(ctx, PurgeOutput{Erased: erased})
	}})
}
