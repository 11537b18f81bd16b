package notify

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/webhook"
)

// DeliveryJob attempts one delivery: the store inserts it with the
// delivery, in the transaction of the event (or of a redelivery).
type DeliveryJob struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job.
func (DeliveryJob) Kind() string { return "partner_callback" }

// UserAgent is the User-Agent of every callback.
const UserAgent = "julo-callbacks/1"

// Deliver runs a DeliveryJob: one attempt of the delivery when it is due,
// recorded with its outcome (see decide); a delivery left pending is run
// again when its next attempt is due (julo.RunLater), one finished or
// gone (its event pruned) is done. A partner whose callbacks were disabled
// meanwhile has the delivery cancelled, unattempted.
func (s *Service) Deliver(ctx context.Context, j DeliveryJob) error {
	now := s.now()
	d, err := s.store.Delivery(ctx, j.DeliveryID, now)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if d.State != StatePending {
		return nil
	}
	if d.Disabled || len(d.Keys) == 0 {
		return s.store.RecordAttempt(ctx, d.ID, nil, Outcome{State: StateCancelled}, now)
	}
	if d.NextAt.After(now) {
		// Woken early (a job run again after a crash between the record
		// and the snooze): the row says when.
		return &julo.RunLater{After: d.NextAt.Sub(now)}
	}
	b, err := body(PayloadOf(d.Event, d.AppStatus))
	if err != nil {
		return err
	}
	resp := s.sender.Send(ctx, request(d.URL, d.Token, d.Event.ID, now, b, d.Keys))
	if ctx.Err() != nil {
		// Our own shutdown or the job's timeout cut it short: not the
		// receiver's failure. The job runs again and so does the attempt.
		return ctx.Err()
	}
	a := attemptOf(d.Attempts+1, now, resp)
	u, err := s.unit()
	if err != nil {
		return err
	}
	o := decide(a, d.Target, u)
	if err := s.store.RecordAttempt(ctx, d.ID, &a, o, now); err != nil {
		return fmt.Errorf("recording attempt %d of delivery %d: %w", a.N, d.ID, err)
	}
	if o.State == StatePending {
		return &julo.RunLater{After: max(o.NextAt.Sub(s.now()), 0)}
	}
	return nil
}

// request is the signed POST of body to url.
func request(url, token, id string, at time.Time, body []byte, keys [][]byte) Request {
	h := webhook.Headers(id, at, body, keys...)
	h["Content-Type"] = "application/json"
	h["User-Agent"] = UserAgent
	if token != "" {
		// As production sends it: the token itself, no scheme.
		h["Authorization"] = token
	}
	return Request{URL: url, Header: h, Body: body}
}

// maxErrorText bounds an attempt's recorded error.
const maxErrorText = 300

func attemptOf(n int, at time.Time, r Response) Attempt {
	a := Attempt{N: n, At: at, Duration: r.Duration, StatusCode: r.StatusCode}
	if r.Err != nil {
		a.Error = r.Err.Error()
		if len(a.Error) > maxErrorText {
			a.Error = a.Error[:maxErrorText]
		}
	} else if !Succeeded(r.StatusCode) {
		a.Error = fmt.Sprintf("HTTP %d", r.StatusCode)
	}
	return a
}

// TestResult is the outcome of the sandbox's test callback.
type TestResult struct {
	EventID string
	URL     string
	Attempt Attempt
	// Delivered: the receiver answered 2xx.
	Delivered bool
}

// SendTest sends a signed callback of type "test" to the partner's URL
// now, whether or not deliveries are disabled, and returns how it went (it
// is not recorded). ECONFLICT when the partner has no URL configured.
func (s *Service) SendTest(ctx context.Context, p julo.Partner) (TestResult, error) {
	now := s.now()
	e, keys, err := s.store.WebhookEndpoint(ctx, p.ID, now)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return TestResult{}, julo.Errorf(julo.ECONFLICT, "", i18n.WebhookNotConfigured)
	}
	if err != nil {
		return TestResult{}, err
	}
	id, err := s.randomID("evt_test_")
	if err != nil {
		return TestResult{}, err
	}
	b, err := body(Payload{EventID: id, EventType: EventTest, OccurredAt: now.UTC()})
	if err != nil {
		return TestResult{}, err
	}
	resp := s.sender.Send(ctx, request(e.URL, e.Token, id, now, b, keys))
	if err := ctx.Err(); err != nil {
		return TestResult{}, err
	}
	a := attemptOf(1, now, resp)
	return TestResult{EventID: id, URL: e.URL, Attempt: a, Delivered: Succeeded(a.StatusCode)}, nil
}

// randomID is prefix and 32 random hex characters.
func (s *Service) randomID(prefix string) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", errors.Join(errors.New("reading randomness"), err)
	}
	return prefix + hex.EncodeToString(b), nil
}
