package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/riverqueue/river"

	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/httpapi"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
	"github.com/julo-partnership/julo/internal/worker"
)

// activationService builds the activation (issue 12 items 6-8) on the
// store: the PINs are checked by onboarding (the registration's hashes and
// pepper), the offer's validity is the credit policy's offer_valid_days,
// and the PIN window, the PIN lock and the review window are
// credit.DefaultActivationRules (the policy has no fields for them).
func (c config) activationService(db *store.DB, svc *onboarding.Service, h hooks) (*credit.Activation, error) {
	p, err := c.credit.policy()
	if err != nil {
		return nil, err
	}
	return credit.NewActivation(credit.ActivationDeps{Store: db, PINs: svc, Policy: p, Now: h.now}), nil
}

// withActivation puts the activation behind the partner API's routes.
func withActivation(s httpapi.Services, a *credit.Activation) httpapi.Services {
	s.Activation = a
	return s
}

// withLoans puts the loans behind the partner API's routes.
func withLoans(s httpapi.Services, l *lending.Service) httpapi.Services {
	s.Loans = l
	return s
}

// registerActivation adds the activation's workers (the offer expiry).
func registerActivation(ws *river.Workers, c config, svc *onboarding.Service, db *store.DB, h hooks) error {
	a, err := c.activationService(db, svc, h)
	if err != nil {
		return err
	}
	return worker.RegisterActivation(ws, a)
}

// decideReview is `julo application decide XID` for an application at 135
// APPLICATION_REJECTED: the operator's decision on the customer's review
// request (--approve --limit N overturns the rejection, 135 -> 130;
// --reject upholds it). handled is false for an application at any other
// status (the credit decision's own decide takes it).
func decideReview(ctx context.Context, c config, db *store.DB, h hooks, xid int64, approve bool, limit julo.Money,
	reason, operator string) (d credit.Decision, handled bool, err error) {
	app, err := db.ApplicationByXID(ctx, xid)
	if err != nil || app.Status != julo.AppRejected {
		return credit.Decision{}, false, nil
	}
	p, err := c.credit.policy()
	if err != nil {
		return credit.Decision{}, true, err
	}
	a := credit.NewActivation(credit.ActivationDeps{Store: db, Policy: p, Now: h.now})
	d, err = a.DecideReview(ctx, xid, credit.ReviewDecision{Overturn: approve, Limit: limit, Reason: reason, Operator: operator})
	return d, true, err
}

// reviewQueue is `julo application reviews`: the open review requests
// (customers' objections to automatic rejections), oldest first, with the
// customer's reason, for the operator to decide with `application decide`.
func reviewQueue(ctx context.Context, c config, db *store.DB, h hooks, out io.Writer) error {
	p, err := c.credit.policy()
	if err != nil {
		return err
	}
	a := credit.NewActivation(credit.ActivationDeps{Store: db, Policy: p, Now: h.now})
	q, err := a.ReviewQueue(ctx)
	if err != nil {
		return err
	}
	list := make([]map[string]any, 0, len(q))
	for _, r := range q {
		list = append(list, map[string]any{"application_xid": r.ApplicationXID, "requested_at": r.RequestedAt, "reason": r.Reason})
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}
