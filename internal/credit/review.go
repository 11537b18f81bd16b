package credit

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// SourceCustomer is an input the customer gave through the partner after
// the decision (a review request).
const SourceCustomer = "customer"

// maxReviewReason bounds a review request's reason, in characters.
const maxReviewReason = 1000

// ReviewRequestInput is the review-request request.
type ReviewRequestInput struct {
	Problems julo.Problems
	Reason   *string
}

// RequestReview is the customer's objection to an automatic rejection (UU
// PDP): within the policy's review_request_days of the engine's rejection
// the application joins the manual-review queue; its status stays 135.
func (a *Activation) RequestReview(ctx context.Context, p julo.Partner, xid string, in ReviewRequestInput) (ReviewRequest, error) {
	ps := in.Problems
	reason := requiredText(&ps, "reason", in.Reason)
	if utf8.RuneCountInString(reason) > maxReviewReason {
		ps.Add("reason", i18n.TooLong, maxReviewReason)
	}
	if err := ps.Err(); err != nil {
		return ReviewRequest{}, err
	}
	app, err := partnerApplication(ctx, a.store, p, xid)
	if err != nil {
		return ReviewRequest{}, err
	}
	now := a.now.Now()
	r, err := a.store.RequestReview(ctx, app.ID, reason, now, func(f ReviewFacts) error {
		return CheckReviewRequest(f, now, a.policy.ReviewRequestDays)
	})
	if err != nil {
		return ReviewRequest{}, err
	}
	r.ApplicationXID = app.XID
	return r, nil
}

// CheckReviewRequest is the review request's rule: the application is at
// 135 by the engine's decision (an automatic rejection, not an operator's),
// taken less than days days before now, and no request is open.
func CheckReviewRequest(f ReviewFacts, now time.Time, days int) error {
	if f.Status != julo.AppRejected || f.Last == nil || f.Last.Outcome != OutcomeRejected || f.Last.DecidedBy != DecidedByEngine {
		return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
			Problems: []julo.Problem{{Msg: i18n.ReviewNotAvailable, Args: []any{int(f.Status), f.Status.Name()}}}}
	}
	if f.Pending != nil {
		return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
			Problems: []julo.Problem{{Msg: i18n.ReviewAlreadyRequested, Args: []any{f.Pending.RequestedAt.UTC().Format(time.RFC3339)}}}}
	}
	if end := ReviewDeadline(f.Last.DecidedAt, days); !now.Before(end) {
		return &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonStatus,
			Problems: []julo.Problem{{Msg: i18n.ReviewWindowClosed, Args: []any{days, end.UTC().Format(time.RFC3339)}}}}
	}
	return nil
}

// ReviewDeadline is when the objection window of a rejection decided at
// `decided` closes: days whole days (of 24 hours) later, to the
// millisecond the decision was recorded with.
func ReviewDeadline(decided time.Time, days int) time.Time {
	return decided.Add(time.Duration(days) * 24 * time.Hour)
}

// ReviewDecision is an operator's decision on a review request.
type ReviewDecision struct {
	// Overturn: the rejection is overturned (135 -> 130) with Limit as the
	// set limit; otherwise it is upheld (the status stays 135).
	Overturn bool
	Limit    julo.Money
	Reason   string
	Operator string
}

// DecideReview records an operator's decision on an application's open
// review request: an overturn is a decision record (reason
// review_overturned, the operator and why) with the offer, and moves 135 ->
// 130, where the customer can accept it as any offer; an upheld rejection
// is a decision record (review_upheld) and keeps 135. Either resolves the
// request. The errors are the operator's to read (the CLI prints them).
func (a *Activation) DecideReview(ctx context.Context, xid int64, rd ReviewDecision) (Decision, error) {
	rd.Operator, rd.Reason = strings.TrimSpace(rd.Operator), strings.TrimSpace(rd.Reason)
	if rd.Operator == "" || rd.Reason == "" || len(rd.Operator) > 100 || len(rd.Reason) > 1000 {
		return Decision{}, errors.New("a review decision needs --operator NAME (at most 100 characters) and --reason TEXT (at most 1000)")
	}
	pr := a.policy.Product
	if rd.Overturn {
		switch {
		case rd.Limit == 0:
			return Decision{}, errors.New("an overturn gives the set limit: --limit N (rupiah)")
		case rd.Limit > pr.MaxLimit:
			return Decision{}, errors.New("--limit " + money(rd.Limit) + " is above the product maximum " + money(pr.MaxLimit))
		case rd.Limit < pr.MinLoan:
			return Decision{}, errors.New("--limit " + money(rd.Limit) + " is below the minimum loan " + money(pr.MinLoan))
		}
	}
	app, err := a.store.ApplicationByXID(ctx, xid)
	if err != nil {
		return Decision{}, err
	}
	now := a.now.Now()
	d := Decision{PolicyVersion: a.policy.Version, FromStatus: julo.AppRejected, ToStatus: julo.AppRejected, Knockouts: []Check{},
		DecidedBy: "operator:" + rd.Operator, Operator: &OperatorReason{Name: rd.Operator, Reason: rd.Reason}, DecidedAt: now}
	outcome := ReviewOutcomeUpheld
	if rd.Overturn {
		outcome = ReviewOutcomeOverturn
		d.Outcome, d.ToStatus, d.ReasonCodes = OutcomeApproved, julo.AppLimitGenerated, []string{ReasonReviewOverturn}
		d.Offer = &Offer{MaxLimit: rd.Limit, SetLimit: rd.Limit}
	} else {
		d.Outcome, d.ReasonCodes = OutcomeRejected, []string{ReasonReviewUpheld}
	}
	return a.store.DecideReview(ctx, app.ID, outcome, func(f ReviewFacts) (Decision, error) {
		if f.Status != julo.AppRejected || f.Pending == nil {
			return Decision{}, errors.New("application " + strconv.FormatInt(xid, 10) + " is at " + f.Status.String() +
				" with no open review request: an operator decides a review request of an application at 135 APPLICATION_REJECTED")
		}
		d.Round = f.Round
		d.Inputs = []Input{{"review_requested_at", f.Pending.RequestedAt.UTC().Format(time.RFC3339), SourceCustomer}}
		if f.Last != nil {
			d.Inputs = append(d.Inputs, Input{"rejection_reason_codes", strings.Join(f.Last.ReasonCodes, ","), DecidedByEngine})
		}
		if rd.Overturn {
			d.Inputs = append(d.Inputs, Input{"set_limit", money(rd.Limit), SourceOperator})
		}
		return d, nil
	})
}

// ReviewQueue lists the open review requests, oldest first.
func (a *Activation) ReviewQueue(ctx context.Context) ([]ReviewRequest, error) {
	return a.store.ReviewRequests(ctx)
}
