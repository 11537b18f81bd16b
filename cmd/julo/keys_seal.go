package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/julo-partnership/julo/internal/blob"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/worker"
)

// sealImages is `julo keys seal-images`: it queues the first batch of the
// job that seals the images stored before images were encrypted, and
// rewraps those sealed by an older data key (worker.SealBlobsJob). The
// workers of `julo serve` or `julo worker` run it, batch after batch, in
// the background; it is resumable and idempotent, so it may be queued
// again at any time (after restoring a backup of the blob store, or to
// finish a rotation of the data keys). Until it has finished, unsealed
// images are still served as they are stored.
//
// It is a command rather than a step of every start: it reads every blob's
// header, which on a large bucket is work an operator should choose to do,
// once after upgrading.
func sealImages(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	db, _, err := storeCommand(ctx, "keys seal-images", args, getenv, stderr, h)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Enqueue(ctx, julo.Scheduled{Job: worker.SealBlobsJob{}}); err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]string{"queued": worker.SealBlobsJob{}.Kind(),
		"note": "the workers of julo serve or julo worker seal the stored images in batches; each batch's totals are its job's output"})
}

// blobSealer is blob.Sealed as the seal job's worker sees it.
type blobSealer struct{ s *blob.Sealed }

func (b blobSealer) SealStored(ctx context.Context, after string, limit int, deadline time.Time) (worker.SealBatch, error) {
	p, err := b.s.SealStored(ctx, after, limit, deadline)
	return worker.SealBatch{Next: p.Next, Done: p.Done, Checked: p.Checked, Sealed: p.Sealed, Rewrapped: p.Rewrapped, Broken: p.Broken}, err
}

// storeCommand parses the flags of a command that takes none but the
// store's, and opens the store with the keys, on the hooks' clock.
func storeCommand(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, h hooks) (*store.DB, onboarding.Keys, error) {
	var c config
	fs := newFlagSet(name, stderr)
	c.flags(fs, getenv, false)
	if err := fs.Parse(args); err != nil {
		return nil, onboarding.Keys{}, err
	}
	if fs.NArg() > 0 {
		return nil, onboarding.Keys{}, fmt.Errorf("%s takes no arguments, got %q", name, fs.Args())
	}
	if err := c.validate(); err != nil {
		return nil, onboarding.Keys{}, err
	}
	db, keys, err := openStore(ctx, c, getenv)
	if err != nil {
		return nil, keys, err
	}
	if h.now != nil {
		db.SetClock(h.now)
	}
	return db, keys, nil
}
