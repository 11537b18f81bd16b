package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/worker"
)

// The rights of the customer (issue 10, item 4): julo customer export NIK
// prints everything held about a customer as JSON; julo customer erase NIK
// crypto-shreds it. And julo keys rotate-data (item 1).

func customer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	const use = "usage: julo customer export NIK | julo customer erase NIK"
	if len(args) == 0 || args[0] != "export" && args[0] != "erase" {
		return errors.New(use)
	}
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		return errors.New(use)
	}
	nik := args[1]
	var c config
	fs := newFlagSet("customer "+args[0], stderr)
	c.flags(fs, getenv, false)
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New(use)
	}
	if err := c.validate(); err != nil {
		return err
	}
	db, _, err := openStore(ctx, c, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if h.now != nil {
		db.SetClock(h.now)
	}
	now := time.Now
	if h.now != nil {
		now = h.now
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	switch args[0] {
	case "export":
		rec, err := db.CustomerByNIK(ctx, nik)
		if julo.ErrorCode(err) == julo.ENOTFOUND {
			return fmt.Errorf("no customer with that NIK (or it was erased)")
		}
		if err != nil {
			return err
		}
		return enc.Encode(rec)
	default:
		e, err := db.EraseCustomer(ctx, nik, store.ErasureRequest, now(), sweepJob)
		switch {
		case julo.ErrorCode(err) == julo.ENOTFOUND:
			return fmt.Errorf("no customer with that NIK (or it was erased already)")
		case errors.Is(err, store.ErrObligation):
			return fmt.Errorf("not erased: %w", err)
		case err != nil:
			return err
		}
		return enc.Encode(e)
	}
}

// sweepJob is the job that deletes an erased image's blob once no row
// holds it.
func sweepJob(key string) julo.Job { return onboarding.ImageSweepJob{Key: key} }

// rotateData queues the first batch of the data-key rotation and the
// image rewrap, and prints what each data key wraps now.
func rotateData(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	db, keys, err := storeCommand(ctx, "keys rotate-data", args, getenv, stderr, h)
	if err != nil {
		return err
	}
	defer db.Close()
	counts, err := db.CustomerKeysByDataKey(ctx)
	if err != nil {
		return err
	}
	// The answers kept for Idempotency-Key replays are sealed with the data
	// key itself and are not rewrapped: they leave with their keys.
	answers, err := db.IdempotentAnswersByDataKey(ctx)
	if err != nil {
		return err
	}
	if err := db.Enqueue(ctx, julo.Scheduled{Job: worker.RotateDataJob{}}, julo.Scheduled{Job: worker.SealBlobsJob{}}); err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"queued":                         []string{worker.RotateDataJob{}.Kind(), worker.SealBlobsJob{}.Kind()},
		"current_data_key":               keys.Data.Current,
		"customer_keys_by_data_key":      counts,
		"idempotent_answers_by_data_key": answers,
		"note": "the workers of julo serve or julo worker rewrap customer keys and image keys in batches; keep the old data keys in the key file until no customer key and no image names them, " +
			"and for --idempotency-keep (24 h by default) after this rotation: the answers kept for Idempotency-Key replays are not rewrapped, they are deleted once their window has passed",
	})
}
