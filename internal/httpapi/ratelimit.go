package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"

	"github.com/julo-partnership/julo/internal/onboarding"
)

// rateLimitHeaders writes the RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset headers (draft-ietf-httpapi-ratelimit-headers-06: the
// quota units of the window, those left, and the seconds until the window
// ends) of the partner's budgets a request spends: requests_per_second on
// every authenticated request, and the budget of its route
// (registrations, pre-register checks, SMS). Of the budgets reported (see
// onboarding.WithQuotaReport) the answer names the one closest to
// exhaustion, as the draft asks when several policies apply: the fewest
// units left, and of those the longest wait. A 429 names the budget that
// refused (none left), with Retry-After its reset.
type rateLimitHeaders struct {
	w  http.ResponseWriter
	mu sync.Mutex
	by map[onboarding.Budget]onboarding.Quota
}

func newRateLimitHeaders(w http.ResponseWriter) *rateLimitHeaders {
	return &rateLimitHeaders{w: w, by: map[onboarding.Budget]onboarding.Quota{}}
}

// report records q (the latest state of its budget) and sets the headers
// of the budget closest to exhaustion. The domain reports before the
// answer is written.
func (h *rateLimitHeaders) report(q onboarding.Quota) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.by[q.Budget] = q
	var pick onboarding.Quota
	first := true
	for _, b := range onboarding.Budgets {
		c, ok := h.by[b]
		if !ok {
			continue
		}
		if first || c.Remaining < pick.Remaining || c.Remaining == pick.Remaining && c.Reset > pick.Reset {
			pick, first = c, false
		}
	}
	hd := h.w.Header()
	hd.Set("RateLimit-Limit", strconv.FormatInt(pick.Limit, 10))
	hd.Set("RateLimit-Remaining", strconv.FormatInt(pick.Remaining, 10))
	hd.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(pick.Reset.Seconds()))))
}
