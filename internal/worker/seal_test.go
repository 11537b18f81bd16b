package worker

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// fakeSealer seals a sorted list of keys, limit at a time; failAt makes
// the batch starting there fail once.
type fakeSealer struct {
	keys   []string
	failAt string
	calls  []string
}

func (f *fakeSealer) SealStored(ctx context.Context, after string, limit int, deadline time.Time) (SealBatch, error) {
	f.calls = append(f.calls, after)
	if after == f.failAt && f.failAt != "" {
		f.failAt = ""
		return SealBatch{}, errors.New("store unavailable")
	}
	b := SealBatch{Next: after}
	i, _ := slices.BinarySearch(f.keys, after)
	if i < len(f.keys) && f.keys[i] == after {
		i++
	}
	for ; i < len(f.keys) && b.Checked < 2; i++ {
		b.Checked++
		b.Sealed++
		b.Next = f.keys[i]
	}
	b.Done = i == len(f.keys)
	return b, nil
}

// Each batch queues its successor from where it stopped, with the totals;
// a failed batch queues nothing (River retries it from the same key); the
// last queues nothing and returns the totals.
func TestSealBatchesChainToTheEndAndResume(t *testing.T) {
	f := &fakeSealer{keys: []string{"a", "b", "c", "d", "e"}, failAt: "b"}
	var queued []SealBlobsJob
	enqueue := func(ctx context.Context, js ...julo.Scheduled) error {
		for _, j := range js {
			queued = append(queued, j.Job.(SealBlobsJob))
		}
		return nil
	}
	j := SealBlobsJob{}
	var done bool
	for range 10 {
		next, d, err := sealBatch(context.Background(), f, enqueue, j, time.Now().Add(time.Minute))
		if err != nil {
			if len(queued) != 1 {
				t.Fatalf("a failed batch queued: %+v", queued)
			}
			continue // River runs j again
		}
		if done = d; done {
			j = next
			break
		}
		j = queued[len(queued)-1]
	}
	if !done || j.Checked != 5 || j.Sealed != 5 || j.After != "e" {
		t.Fatalf("end: done %v, %+v", done, j)
	}
	if want := []string{"", "b", "b", "d"}; !slices.Equal(f.calls, want) {
		t.Fatalf("batches started after %q, want %q", f.calls, want)
	}
	if len(queued) != 2 || queued[0].After != "b" || queued[1].After != "d" || queued[1].Checked != 4 {
		t.Fatalf("queued %+v", queued)
	}
	if k := (SealBlobsJob{}).Kind(); k != "seal_blobs" {
		t.Fatal(k)
	}
	if o := (SealBlobsJob{}).InsertOpts(); !o.UniqueOpts.ByArgs || slices.Contains(o.UniqueOpts.ByState, "completed") {
		t.Fatalf("insert opts %+v", o)
	}
}
