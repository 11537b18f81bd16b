package notify

import (
	"context"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// The events feed: a partner's events of the last 30 days, oldest first,
// the fallback when callbacks were missed; one event with its deliveries;
// a redelivery on request.

// Feed page sizes.
const (
	DefaultPageSize = 100
	MaxPageSize     = 500
)

// EventsInput is GET /events: After is the id of the last event the
// partner has (nil: from the oldest), Limit the page size (nil:
// DefaultPageSize). Problems as the decoder found them.
type EventsInput struct {
	Problems julo.Problems
	After    *string
	Limit    *int64
}

// EventPage is one page of the feed. More: there are events after the
// page's last; ask again with After set to it.
type EventPage struct {
	Events []julo.Event
	More   bool
}

// Events lists the partner's events oldest first, kept 30 days. An after
// that names no event of the partner's within them is EINVALID (start
// again without it), as is a limit outside 1-500.
func (s *Service) Events(ctx context.Context, p julo.Partner, in EventsInput) (EventPage, error) {
	ps := in.Problems
	limit := DefaultPageSize
	if in.Limit != nil && !ps.Has("limit") {
		if *in.Limit < 1 || *in.Limit > MaxPageSize {
			ps.Add("limit", i18n.EventsLimitRange, MaxPageSize)
		} else {
			limit = int(*in.Limit)
		}
	}
	after := ""
	if in.After != nil {
		after = strings.TrimSpace(*in.After)
	}
	if err := ps.Err(); err != nil {
		return EventPage{}, err
	}
	since := s.now().Add(-s.cfg.Retention)
	if after != "" && !plausibleEventID(after) {
		return EventPage{}, s.afterUnknown()
	}
	evs, err := s.store.PartnerEvents(ctx, p.ID, after, since, limit+1)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return EventPage{}, s.afterUnknown()
	}
	if err != nil {
		return EventPage{}, err
	}
	page := EventPage{More: len(evs) > limit}
	if page.More {
		evs = evs[:limit]
	}
	page.Events = evs
	return page, nil
}

func (s *Service) afterUnknown() error {
	return julo.Errorf(julo.EINVALID, "after", i18n.EventsAfterUnknown, int(s.cfg.Retention/(24*time.Hour)))
}

// plausibleEventID: "evt_" and 32 hex digits, as the store makes them; any
// other text cannot name an event and is not looked up.
func plausibleEventID(id string) bool {
	h, ok := strings.CutPrefix(id, "evt_")
	if !ok || len(h) != 32 {
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// EventDetail is one event with every delivery of it and their attempts.
type EventDetail struct {
	Event      julo.Event
	Deliveries []Delivery
}

var errEventMissing = julo.Errorf(julo.ENOTFOUND, "", i18n.EventMissing)

// Event returns one of the partner's events of the last 30 days with its
// deliveries; another partner's, or an older one, is ENOTFOUND.
func (s *Service) Event(ctx context.Context, p julo.Partner, eventID string) (EventDetail, error) {
	if !plausibleEventID(eventID) {
		return EventDetail{}, errEventMissing
	}
	e, ds, err := s.store.PartnerEvent(ctx, p.ID, eventID, s.now().Add(-s.cfg.Retention))
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return EventDetail{}, errEventMissing
	}
	if err != nil {
		return EventDetail{}, err
	}
	return EventDetail{Event: e, Deliveries: ds}, nil
}

// Redeliver queues a new delivery of one of the partner's events (to its
// application's callback_url, else the partner's URL), attempted at once
// and retried like any other. ENOTFOUND as Event; ECONFLICT when the
// partner has no callback URL or its callbacks are disabled.
func (s *Service) Redeliver(ctx context.Context, p julo.Partner, eventID string) (Delivery, error) {
	if !plausibleEventID(eventID) {
		return Delivery{}, errEventMissing
	}
	now := s.now()
	d, err := s.store.Redeliver(ctx, p.ID, eventID, now.Add(-s.cfg.Retention), now)
	switch {
	case julo.ErrorCode(err) == julo.ENOTFOUND:
		return Delivery{}, errEventMissing
	case julo.ErrorCode(err) == julo.ECONFLICT:
		e, _, eerr := s.store.WebhookEndpoint(ctx, p.ID, now)
		if julo.ErrorCode(eerr) == julo.ENOTFOUND {
			return Delivery{}, julo.Errorf(julo.ECONFLICT, "", i18n.WebhookNotConfigured)
		}
		if eerr != nil {
			return Delivery{}, eerr
		}
		return Delivery{}, julo.Errorf(julo.ECONFLICT, "", i18n.WebhookDisabled, e.DisabledReason)
	case err != nil:
		return Delivery{}, err
	}
	return d, nil
}

// PruneJob deletes the events older than the retention, with their
// deliveries (periodic).
type PruneJob struct{}

// Kind names the job.
func (PruneJob) Kind() string { return "prune_events" }

// PruneEvery is how often PruneJob runs.
const PruneEvery = time.Hour

// pruneBatch is how many events one transaction deletes.
const pruneBatch = 1000

// PruneEvents runs a PruneJob: batches until none is left, or until a
// bounded number of them (the next run goes on).
func (s *Service) PruneEvents(ctx context.Context, _ PruneJob) error {
	before := s.now().Add(-s.cfg.Retention)
	for i := 0; i < 50; i++ {
		n, err := s.store.PruneEvents(ctx, before, pruneBatch)
		if err != nil || n < pruneBatch {
			return err
		}
	}
	return nil
}
