package worker

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/credit"
)

// Credit is what the credit decision's jobs call.
type Credit interface {
	Assess(ctx context.Context, j credit.AssessJob) error
}

// RegisterCredit adds the credit assessment's worker to ws: it runs one
// assessment round; a vendor that is unavailable snoozes it (the domain
// counts the attempts and ends in manual review).
func RegisterCredit(ws *river.Workers, c Credit) error {
	return river.AddWorkerSafely(ws, &run[credit.AssessJob]{do: c.Assess})
}
