package vendors

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/lending"
)

// The disbursement provider (issue 13): pays a loan's money to its
// destination account. Both calls are idempotent by the transfer's
// reference, so a job that runs again never pays twice.

// Disbursement asks the provider: POST URL with {"reference", "amount",
// "bank_name", "account_number"} to start a transfer and POST URL + "/status"
// with {"reference"} to ask about one, each with "Authorization: Bearer
// Token" and bounded by the client's timeout; a 2xx answer is {"state":
// "pending" | "succeeded" | "failed", "reason": "..."}. The account number is
// personal data: it appears in no error or log.
type Disbursement struct {
	URL    string
	Token  string
	Client *http.Client // with a Timeout
	// CheckAfter is how long a pending transfer waits before it is asked
	// about (0: a minute).
	CheckAfter time.Duration
}

type transferAnswer struct {
	State  lending.TransferState `json:"state"`
	Reason string                `json:"reason"`
}

func (d *Disbursement) result(a transferAnswer) (lending.TransferResult, error) {
	switch a.State {
	case lending.TransferPending, lending.TransferSucceeded, lending.TransferFailed:
		return lending.TransferResult{State: a.State, Reason: a.Reason, CheckAfter: d.CheckAfter}, nil
	}
	return lending.TransferResult{}, fmt.Errorf("disbursement vendor: unknown state %q", a.State)
}

// Disburse implements lending.Disburser.
func (d *Disbursement) Disburse(ctx context.Context, t lending.Transfer) (lending.TransferResult, error) {
	var out transferAnswer
	if err := postJSON(ctx, d.Client, d.URL, d.Token, "disbursement", map[string]any{"reference": t.Reference,
		"amount": int64(t.Amount), "bank_name": t.BankName, "account_number": t.Account}, &out); err != nil {
		return lending.TransferResult{}, err
	}
	return d.result(out)
}

// Status implements lending.Disburser.
func (d *Disbursement) Status(ctx context.Context, t lending.Transfer) (lending.TransferResult, error) {
	var out transferAnswer
	if err := postJSON(ctx, d.Client, strings.TrimRight(d.URL, "/")+"/status", d.Token, "disbursement",
		map[string]any{"reference": t.Reference}, &out); err != nil {
		return lending.TransferResult{}, err
	}
	return d.result(out)
}

// SandboxDisbursement is the sandbox's provider: every transfer is pending
// for SandboxDisbursementDelay, then succeeds, except to an account number
// ending in 000, which fails (reason account_rejected): partners can watch
// 218 LOAN_DISBURSAL_FAILED and the limit come back.
type SandboxDisbursement struct{}

// SandboxDisbursementDelay is how long a sandbox transfer is pending.
const SandboxDisbursementDelay = 2 * time.Second

// Disburse implements lending.Disburser.
func (SandboxDisbursement) Disburse(context.Context, lending.Transfer) (lending.TransferResult, error) {
	return lending.TransferResult{State: lending.TransferPending, CheckAfter: SandboxDisbursementDelay}, nil
}

// Status implements lending.Disburser.
func (SandboxDisbursement) Status(_ context.Context, t lending.Transfer) (lending.TransferResult, error) {
	if strings.HasSuffix(t.Account, "000") {
		return lending.TransferResult{State: lending.TransferFailed, Reason: "account_rejected"}, nil
	}
	return lending.TransferResult{State: lending.TransferSucceeded}, nil
}

// UnconfiguredDisbursement is the provider when none is set: every call
// fails. Production refuses to start with it (cmd/julo); a loan whose
// provider was down for all of its job's attempts waits at 212 for an
// operator's `julo loan retry` or `julo loan fail`.
type UnconfiguredDisbursement struct{}

func (UnconfiguredDisbursement) err() error {
	return fmt.Errorf("disbursement provider: not configured (set JULO_DISBURSEMENT_URL and JULO_DISBURSEMENT_TOKEN)")
}

// Disburse implements lending.Disburser.
func (u UnconfiguredDisbursement) Disburse(context.Context, lending.Transfer) (lending.TransferResult, error) {
	return lending.TransferResult{}, u.err()
}

// Status implements lending.Disburser.
func (u UnconfiguredDisbursement) Status(context.Context, lending.Transfer) (lending.TransferResult, error) {
	return lending.TransferResult{}, u.err()
}
