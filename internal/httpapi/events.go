package httpapi

import (
	"context"
	"net/http"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/notify"
)

// Events serves the events feed, one event with its deliveries, a
// redelivery and the sandbox's test callback (notify.Service).
type Events interface {
	Events(ctx context.Context, p julo.Partner, in notify.EventsInput) (notify.EventPage, error)
	Event(ctx context.Context, p julo.Partner, eventID string) (notify.EventDetail, error)
	Redeliver(ctx context.Context, p julo.Partner, eventID string) (notify.Delivery, error)
	SendTest(ctx context.Context, p julo.Partner) (notify.TestResult, error)
}

func (s *Server) handleEvents(ev Events) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req eventsRequest
		if !decode(w, r, &req) {
			return
		}
		page, err := ev.Events(r.Context(), partnerFrom(r.Context()), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newEventPageJSON(page, req.After))
	})
}

func (s *Server) handleEvent(ev Events) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := ev.Event(r.Context(), partnerFrom(r.Context()), r.PathValue("event_id"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newEventDetailJSON(d))
	})
}

func (s *Server) handleRedeliver(ev Events) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := ev.Redeliver(r.Context(), partnerFrom(r.Context()), r.PathValue("event_id"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusAccepted, redeliveryJSON{EventID: d.Event.ID, Delivery: newDeliveryJSON(d)})
	})
}

func (s *Server) handleWebhookTest(ev Events) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := ev.SendTest(r.Context(), partnerFrom(r.Context()))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, webhookTestJSON{EventID: out.EventID, URL: out.URL, Delivered: out.Delivered, Attempt: newAttemptJSON(out.Attempt)})
	})
}
