package credit

import (
	"context"
	"testing"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// statusStore is a Store for CreditStatus: one application and its facts.
type statusStore struct {
	Store
	app   onboarding.Application
	facts StatusFacts
}

func (s *statusStore) ApplicationByXID(context.Context, int64) (onboarding.Application, error) {
	return s.app, nil
}

func (s *statusStore) CreditStatusFacts(context.Context, int64) (StatusFacts, error) {
	f := s.facts
	if f.Status == 0 {
		f.Status = s.app.Status
	}
	return f, nil
}

// The status read's credit part: nothing before 130, the offer with 0
// available at 130, and the credit account's numbers once it is open
// (190), a used part included.
func TestCreditStatusOfferThenAccount(t *testing.T) {
	p := julo.Partner{ID: 7}
	offer := &Offer{MaxLimit: 9_000_000, SetLimit: 8_000_000}
	approved := Decision{Outcome: OutcomeApproved, Offer: offer, DecidedAt: t0}
	for _, c := range []struct {
		name            string
		status          julo.AppStatus
		account         *Account
		want            *Offer
		available, used julo.Money
	}{
		{name: "before the offer", status: julo.AppManualReview},
		{name: "offered", status: julo.AppLimitGenerated, want: offer},
		{name: "declined", status: julo.AppActivationRejected},
		{name: "account open", status: julo.AppLimitReady, account: &Account{SetLimit: 8_000_000, AvailableLimit: 8_000_000},
			want: offer, available: 8_000_000},
		{name: "account used", status: julo.AppLimitReady, account: &Account{SetLimit: 8_000_000, AvailableLimit: 6_500_000, UsedLimit: 1_500_000},
			want: offer, available: 6_500_000, used: 1_500_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := &statusStore{app: onboarding.Application{ID: 1, XID: 1_234_567_890, PartnerID: 7, Status: c.status},
				facts: StatusFacts{Decisions: []Decision{approved}, Account: c.account}}
			v, err := New(Deps{Store: st}).CreditStatus(context.Background(), p, "1234567890")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want == nil && v.Offer != nil:
				t.Fatalf("offer %+v", v.Offer)
			case c.want != nil && (v.Offer == nil || *v.Offer != *c.want):
				t.Fatalf("offer %+v, want %+v", v.Offer, c.want)
			case v.AvailableLimit != c.available || v.UsedLimit != c.used:
				t.Fatalf("available %d used %d, want %d %d", v.AvailableLimit, v.UsedLimit, c.available, c.used)
			}
		})
	}
}

// The view's status is the one read with the decisions, not the
// application's read before them: a decision that committed in between
// shows with its own status (130 and the offer), never next to 105.
func TestCreditStatusTakesTheStatusReadWithTheDecisions(t *testing.T) {
	offer := &Offer{MaxLimit: 9_000_000, SetLimit: 8_000_000}
	st := &statusStore{app: onboarding.Application{ID: 1, XID: 1_234_567_890, PartnerID: 7, Status: julo.AppFormSubmitted},
		facts: StatusFacts{Status: julo.AppLimitGenerated, Decisions: []Decision{{Outcome: OutcomeApproved, Offer: offer, DecidedAt: t0}}}}
	v, err := New(Deps{Store: st}).CreditStatus(context.Background(), julo.Partner{ID: 7}, "1234567890")
	if err != nil {
		t.Fatal(err)
	}
	if v.Application.Status != julo.AppLimitGenerated || v.Offer == nil || *v.Offer != *offer || !v.CanContinue {
		t.Fatalf("view %+v", v)
	}
}
