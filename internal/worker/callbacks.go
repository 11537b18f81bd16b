package worker

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/notify"
)

// Notifier is what the callback jobs call (notify.Service).
type Notifier interface {
	Deliver(ctx context.Context, j notify.DeliveryJob) error
	PruneEvents(ctx context.Context, j notify.PruneJob) error
}

// RegisterCallbacks adds the workers of partner callbacks to ws: a
// delivery's attempts (one job per delivery, snoozed until each next
// attempt is due, so each attempt runs on exactly one instance) and the
// periodic pruning of events past the feed's retention.
func RegisterCallbacks(ws *river.Workers, n Notifier) error {
	if err := river.AddWorkerSafely(ws, &run[notify.DeliveryJob]{do: n.Deliver}); err != nil {
		return err
	}
	return river.AddWorkerSafely(ws, &run[notify.PruneJob]{do: n.PruneEvents})
}
