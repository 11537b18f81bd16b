package onboarding

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Which statuses of a customer's newest application hold its NIK and email,
// and for how long a refusal does.
func TestClaimOfFreesEndedApplicationsAndCoolsOffRefusals(t *testing.T) {
	now := today
	s := New(Deps{Config: Config{RefusalCoolingOff: 30 * 24 * time.Hour}})
	for _, st := range julo.AppStatuses() {
		h := Holder{Status: st, Since: now.Add(-10 * 24 * time.Hour)}
		held, until := s.claimOf(h, now)
		switch st {
		case julo.AppFormExpired, julo.AppCancelledByCustomer, julo.AppOfferExpired:
			if held {
				t.Errorf("%v holds its NIK", st)
			}
		case julo.AppRejected, julo.AppActivationRejected:
			if !held || !until.Equal(h.Since.Add(30*24*time.Hour)) {
				t.Errorf("%v 10 days after: held %v until %v", st, held, until)
			}
			h.Since = now.Add(-30 * 24 * time.Hour)
			if held, _ := s.claimOf(h, now); held {
				t.Errorf("%v 30 days after still holds", st)
			}
		default:
			if !held || !until.IsZero() {
				t.Errorf("%v: held %v until %v, want held for ever", st, held, until)
			}
		}
	}
	// Unset: the default.
	if _, until := New(Deps{}).claimOf(Holder{Status: julo.AppRejected, Since: now}, now); !until.Equal(now.Add(DefaultRefusalCoolingOff)) {
		t.Errorf("default cooling-off ends %v", until)
	}
}

func testKeys() Keys {
	return Keys{Lookup: KeySet{Current: "k1", Keys: map[string][]byte{"k1": []byte(strings.Repeat("l", 32))}}}
}

// guardStore is the part of Store the refusal uses: the guards.
type guardStore struct {
	Store
	guards map[string]PreregGuard
}

func (g *guardStore) PreregGuard(_ context.Context, key string) (PreregGuard, error) {
	return g.guards[key], nil
}

func (g *guardStore) UpdatePreregGuard(_ context.Context, key string, fn func(*PreregGuard) error) error {
	st := g.guards[key]
	if err := fn(&st); err != nil {
		return err
	}
	g.guards[key] = st
	return nil
}

// Issue 10, item 6: a refused registration names what the partner's own
// applications hold (with the application_xid when that is one), and only
// when they hold nothing one field of another partner's customer, the NIK
// first; only that last kind counts as a failed check, against the named
// value alone.
func TestRegistrationRefusalNamesOnlyWhatThePartnerMayLearn(t *testing.T) {
	ours, theirs := julo.Partner{ID: 1}, julo.Partner{ID: 2}
	own := &Holder{CustomerID: 10, PartnerID: 1, XID: 1111111111, Status: julo.AppFormCreated}
	own2 := &Holder{CustomerID: 11, PartnerID: 1, XID: 1111111112, Status: julo.AppFormCreated}
	foreign := &Holder{CustomerID: 20, PartnerID: 2, XID: 2222222222, Status: julo.AppFormCreated}
	until := today.Add(20 * 24 * time.Hour)
	const nik, email = "3203020101930001", "a@test.com"
	for _, c := range []struct {
		name    string
		claims  claims
		want    []string // field: message id
		xid     int64
		counted string // the guard counted: "nik", "email" or ""
	}{
		{"free", claims{}, nil, 0, ""},
		{"own both", claims{nik: own, email: own}, []string{"username: nik_registered", "email: email_registered"}, own.XID, ""},
		{"own NIK, foreign email", claims{nik: own, email: foreign}, []string{"username: nik_registered"}, own.XID, ""},
		{"foreign NIK, own email", claims{nik: foreign, email: own}, []string{"email: email_registered"}, own.XID, ""},
		{"own two applications", claims{nik: own, email: own2}, []string{"username: nik_registered", "email: email_registered"}, 0, ""},
		{"own refused, cooling off", claims{nik: own, nikUntil: until}, []string{"username: nik_cooling_off"}, own.XID, ""},
		{"foreign both", claims{nik: foreign, email: foreign}, []string{"username: nik_registered"}, 0, "nik"},
		{"foreign refused, cooling off", claims{nik: foreign, nikUntil: until}, []string{"username: nik_registered"}, 0, "nik"},
		{"foreign email", claims{email: foreign}, []string{"email: email_registered"}, 0, "email"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := &guardStore{guards: map[string]PreregGuard{}}
			s := New(Deps{Store: st, Config: DefaultConfig(), Keys: testKeys()})
			err := s.registrationRefusal(context.Background(), ours, nik, email, c.claims, today)
			var got []string
			var e *julo.Error
			if errors.As(err, &e) {
				for _, p := range e.Problems {
					got = append(got, p.Field+": "+string(p.Msg))
				}
				if e.Code != julo.ECONFLICT {
					t.Fatalf("code %v", e.Code)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("named %q, want %q", got, c.want)
			}
			var ex *ExistingApplicationError
			gotXID := int64(0)
			if errors.As(err, &ex) {
				gotXID = ex.XID
			}
			if gotXID != c.xid {
				t.Fatalf("names application %d, want %d", gotXID, c.xid)
			}
			gs := s.guards(nik, email, "username")
			counted := map[string]int{"email": st.guards[gs[0].key].Failures, "nik": st.guards[gs[1].key].Failures}
			for k, n := range counted {
				if want := map[bool]int{true: 1}[k == c.counted]; n != want {
					t.Errorf("%s guard counted %d failures, want %d", k, n, want)
				}
			}
		})
	}
	// The third counted refusal locks the value: 423 naming it.
	st := &guardStore{guards: map[string]PreregGuard{}}
	s := New(Deps{Store: st, Config: DefaultConfig(), Keys: testKeys()})
	for i, want := range []julo.Code{julo.ECONFLICT, julo.ECONFLICT, julo.ELOCKED, julo.ELOCKED} {
		err := s.registrationRefusal(context.Background(), theirs, nik, email, claims{nik: own}, today)
		if julo.ErrorCode(err) != want {
			t.Fatalf("refusal %d: %v, want %v", i+1, err, want)
		}
		var e *julo.Error
		if errors.As(err, &e); want == julo.ELOCKED && (e.Problems[0].Field != "username" || e.Problems[0].Msg != i18n.PreregLockedNIK) {
			t.Fatalf("lock %+v", e.Problems)
		}
	}
	// The lock holds even for a registration that would now go on.
	if err := s.registrationRefusal(context.Background(), theirs, nik, "b@test.com", claims{}, today.Add(time.Hour)); julo.ErrorCode(err) != julo.ELOCKED {
		t.Fatalf("during the lock: %v", err)
	}
}
