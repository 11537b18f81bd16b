package notify

import "time"

// Retries is Standard Webhooks' schedule: a delivery is attempted at once,
// then again 5 s after a failed first attempt, 5 min after a failed
// second, and so on; Retries[i] is the wait after the (i+1)th attempt
// failed. After the tenth attempt the delivery has failed: about 3 days
// and 4 hours after the first.
var Retries = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour,
}

// MaxAttempts is how often a delivery is attempted at most.
var MaxAttempts = len(Retries) + 1

// Jitter is the most a wait is lengthened by, as a fraction of it, so that
// deliveries that failed together (a receiver down) are not all tried
// again in the same second.
const Jitter = 0.1

// RetryWait is the wait after attempt n (from 1) failed, lengthened by
// Jitter times u (uniform in [0, 1)); ok is false after the last attempt.
func RetryWait(n int, u float64) (wait time.Duration, ok bool) {
	if n < 1 || n > len(Retries) {
		return 0, false
	}
	d := Retries[n-1]
	return d + time.Duration(float64(d)*Jitter*u), true
}

// Succeeded reports whether an answer's status means the receiver took the
// callback: any 2xx.
func Succeeded(status int) bool { return status >= 200 && status <= 299 }

// statusGone is 410 Gone: the receiver says the URL is gone for good.
const statusGone = 410

// decide is what attempt a of a delivery to target leaves it at; u is the
// jitter's random number.
func decide(a Attempt, target Target, u float64) Outcome {
	switch {
	case Succeeded(a.StatusCode):
		return Outcome{State: StateDelivered}
	case a.StatusCode == statusGone:
		return Outcome{State: StateFailed, Disable: target}
	}
	wait, ok := RetryWait(a.N, u)
	if !ok {
		return Outcome{State: StateFailed}
	}
	return Outcome{State: StatePending, NextAt: ceilMS(a.At.Add(wait))}
}

// ceilMS is t rounded up to a whole millisecond, the precision the store
// keeps: the job then waits for the very time the store says.
func ceilMS(t time.Time) time.Time {
	r := t.Truncate(time.Millisecond)
	if r.Before(t) {
		r = r.Add(time.Millisecond)
	}
	return r
}
