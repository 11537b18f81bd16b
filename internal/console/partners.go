package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/notify"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// PartnerReads is what a partner's page and an application's deliveries
// read.
type PartnerReads interface {
	// ConsolePartner is a partner's settings; ENOTFOUND.
	ConsolePartner(ctx context.Context, username string) (PartnerView, error)
	ConsolePartnerDeliveries(ctx context.Context, partner string, limit int) ([]backoffice.DeliveryRow, error)
	ConsoleApplicationDeliveries(ctx context.Context, xid int64, limit int) ([]backoffice.DeliveryRow, error)
}

// Callbacks redelivers a partner's event (as the partner's own POST
// events/{id}/redeliver does): a new delivery with its job, in one
// transaction.
type Callbacks interface {
	Redeliver(ctx context.Context, p julo.Partner, eventID string) (notify.Delivery, error)
}

// PartnerView is what a partner's page shows: no secret, the callback
// token masked.
type PartnerView struct {
	ID       int64
	Username string
	Disabled bool
	Budgets  []onboarding.PartnerBudget
	Loans    lending.PartnerSettings
	// ReturnURLPrefixes are where the partner's customers may be sent
	// back to after a BPJS or bank login.
	ReturnURLPrefixes []string
	// Webhook is the partner's callback endpoint (nil: none set).
	Webhook *WebhookView
}

// WebhookView is a partner's callback endpoint.
type WebhookView struct {
	URL string
	// Token is the Authorization token sent with every callback ("":
	// none), which the console masks.
	Token          string
	Disabled       bool
	DisabledReason string
	// SigningKeys is how many signing secrets sign now (2 for a day after
	// a rotation); the secrets are never shown.
	SigningKeys int
	UpdatedAt   time.Time
}

// deliveriesShown is how many deliveries a page lists.
const deliveriesShown = 50

func (s *Server) partner(w http.ResponseWriter, r *http.Request, u who) {
	s.partnerPage(w, r, u, http.StatusOK, map[string]any{"Done": r.URL.Query().Get("done")})
}

func (s *Server) partnerPage(w http.ResponseWriter, r *http.Request, u who, status int, data map[string]any) {
	name := r.PathValue("name")
	p, err := s.d.PartnerReads.ConsolePartner(r.Context(), name)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		s.fail(w, r, http.StatusNotFound, "console_partner_missing")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	ds, err := s.d.PartnerReads.ConsolePartnerDeliveries(r.Context(), name, deliveriesShown)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	token := ""
	if p.Webhook != nil {
		token = mask(p.Webhook.Token, 0, 4)
	}
	data["Title"], data["P"], data["Deliveries"], data["Token"] = "Partner "+p.Username, p, ds, token
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.render(w, r, "partner", data)
}

// redeliver queues a new delivery of one of the partner's events (admins;
// audited): the same operation as the partner's own redeliver.
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request, u who) {
	name := r.PathValue("name")
	event := strings.TrimSpace(r.PostForm.Get("event"))
	target := "partner:" + name + "/event:" + event
	p, err := s.d.PartnerReads.ConsolePartner(r.Context(), name)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		s.fail(w, r, http.StatusNotFound, "console_partner_missing")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d, err := s.d.Callbacks.Redeliver(r.Context(), julo.Partner{ID: p.ID, Username: p.Username}, event)
	if err != nil {
		switch julo.ErrorCode(err) {
		case julo.ENOTFOUND:
			s.audit(r, u.op.ID, "redeliver_refused", target, "console_event_missing")
			s.partnerPage(w, r, u, http.StatusNotFound, map[string]any{"Error": "console_event_missing"})
		case julo.ECONFLICT:
			s.audit(r, u.op.ID, "redeliver_refused", target, "console_callbacks_off")
			s.partnerPage(w, r, u, http.StatusConflict, map[string]any{"Error": "console_callbacks_off"})
		default:
			s.internal(w, r, err)
		}
		return
	}
	s.audit(r, u.op.ID, "redeliver", target, "delivery:"+strconv.FormatInt(d.ID, 10))
	http.Redirect(w, r, "/partners/"+url.PathEscape(name)+"?done=redelivered", http.StatusSeeOther)
}
