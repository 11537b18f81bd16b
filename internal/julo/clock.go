package julo

import "time"

// Clock tells the time. The program runs on the system clock; tests pass a
// clock they move, so that nothing waits for real time.
type Clock func() time.Time

// Now returns the time, in UTC; a nil Clock is the system clock.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}
