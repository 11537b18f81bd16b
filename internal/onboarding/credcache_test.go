package onboarding

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// memPartners keeps partners and their secrets as the store does, with the
// credentials version moving on each change, shared by the services that
// stand for instances. verifies counts the credential reads.
type memPartners struct {
	Store
	mu          sync.Mutex
	partners    map[string]*julo.Partner
	secrets     map[string][]PartnerSecret // newest last
	version     int64
	verifies    int
	versionErr  error
	versionRead func() // called inside CredentialsVersion (a hook for races)
}

func newMemPartners() *memPartners {
	return &memPartners{partners: map[string]*julo.Partner{}, secrets: map[string][]PartnerSecret{}}
}

func (m *memPartners) CreatePartner(_ context.Context, username string, s PartnerSecret, _ time.Time) (julo.Partner, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := &julo.Partner{ID: int64(len(m.partners) + 1), Username: username}
	m.partners[username], m.secrets[username] = p, []PartnerSecret{s}
	return *p, nil
}

func (m *memPartners) PartnerCredentials(_ context.Context, username string) (julo.Partner, []PartnerSecret, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.verifies++
	p, ok := m.partners[username]
	if !ok {
		return julo.Partner{}, nil, &julo.Error{Code: julo.ENOTFOUND}
	}
	return *p, append([]PartnerSecret(nil), m.secrets[username]...), nil
}

func (m *memPartners) SetPartnerDisabled(_ context.Context, username string, disabled bool, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.partners[username]
	if !ok {
		return &julo.Error{Code: julo.ENOTFOUND}
	}
	p.Disabled = disabled
	m.version++
	return nil
}

func (m *memPartners) AddPartnerSecret(_ context.Context, username string, s PartnerSecret, keepOld int, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.secrets[username]
	m.secrets[username] = append(old[max(0, len(old)-keepOld):], s)
	m.version++
	return nil
}

func (m *memPartners) RevokePartnerSecrets(_ context.Context, username string, _ time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.secrets[username]
	m.secrets[username] = old[len(old)-1:]
	m.version++
	return len(old) - 1, nil
}

func (m *memPartners) CredentialsVersion(context.Context) (int64, error) {
	if m.versionRead != nil {
		m.versionRead()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.version, m.versionErr
}

func (m *memPartners) reads() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.verifies
}

// instances returns two services over one store with one clock: what two
// instances of the server on one database are.
func instances(m *memPartners, clock *time.Time) (a, b *Service) {
	keys := Keys{Partner: KeySet{Current: "p1", Keys: map[string][]byte{"p1": bytes.Repeat([]byte("p"), 32)}}}
	now := func() time.Time { return *clock }
	return New(Deps{Store: m, Keys: keys, Now: now}), New(Deps{Store: m, Keys: keys, Now: now})
}

// The cache serves a verified credential without the store until the
// check interval passes, then checks the version (one read) and keeps
// serving while it has not moved; a wrong secret is never served from it.
func TestCredentialCacheServesVerifiedCredentials(t *testing.T) {
	ctx := context.Background()
	m, clock := newMemPartners(), time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	a, _ := instances(m, &clock)
	secret, err := a.CreatePartner(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if p, err := a.Authenticate(ctx, "acme", secret); err != nil || p.Username != "acme" {
			t.Fatalf("request %d: %+v, %v", i, p, err)
		}
	}
	if n := m.reads(); n != 1 {
		t.Fatalf("5 requests read the credentials %d times, want 1", n)
	}
	clock = clock.Add(DefaultCredentialCheck)
	if _, err := a.Authenticate(ctx, "acme", secret); err != nil || m.reads() != 1 {
		t.Fatalf("after the check, unchanged version: %v, %d reads", err, m.reads())
	}
	for i := range 3 {
		if _, err := a.Authenticate(ctx, "acme", secret+"x"); julo.ErrorCode(err) != julo.EUNAUTHORIZED {
			t.Fatalf("wrong secret %d: %v", i, err)
		}
		if _, err := a.Authenticate(ctx, "acme", strings.ToUpper(secret)); julo.ErrorCode(err) != julo.EUNAUTHORIZED {
			t.Fatalf("wrong case %d: %v", i, err)
		}
	}
	if n := m.reads(); n != 7 {
		t.Fatalf("6 wrong secrets read the credentials %d times, want each once (7 in all)", n)
	}
	// An entry lives at most credentialMaxAge even under one version.
	clock = clock.Add(credentialMaxAge)
	if _, err := a.Authenticate(ctx, "acme", secret); err != nil || m.reads() != 8 {
		t.Fatalf("after the entry's life: %v, %d reads", err, m.reads())
	}
	// The cache holds no secret: its keys are keyed hashes.
	for k := range a.creds.entries {
		if bytes.Contains(k[:], []byte(secret)) || bytes.Contains(k[:], []byte("acme")) {
			t.Fatal("a cache key holds the credential")
		}
	}
}

// Each way a credential stops working, made by the other instance (or the
// CLI): this instance refuses it once the check interval has passed since
// the change, the changing instance at once, and the credentials that still
// work keep working on both.
func TestCredentialCacheInvalidationPaths(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// change runs on instance b and returns the secrets that must now
		// fail and those that must still work.
		change func(t *testing.T, b *Service, first string) (refused, working []string)
	}{
		{"partner disabled", func(t *testing.T, b *Service, first string) ([]string, []string) {
			if err := b.SetPartnerDisabled(ctx, "acme", true); err != nil {
				t.Fatal(err)
			}
			return []string{first}, nil
		}},
		{"secret rotated twice (the oldest revoked)", func(t *testing.T, b *Service, first string) ([]string, []string) {
			s2, err := b.RotatePartnerSecret(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			s3, err := b.RotatePartnerSecret(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			return []string{first}, []string{s2, s3}
		}},
		{"old secrets revoked", func(t *testing.T, b *Service, first string) ([]string, []string) {
			s2, err := b.RotatePartnerSecret(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			if n, err := b.RevokeOldPartnerSecrets(ctx, "acme"); err != nil || n != 1 {
				t.Fatalf("revoke: %d, %v", n, err)
			}
			return []string{first}, []string{s2}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, clock := newMemPartners(), time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
			a, b := instances(m, &clock)
			first, err := a.CreatePartner(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*Service{a, b} {
				if _, err := s.Authenticate(ctx, "acme", first); err != nil {
					t.Fatal(err)
				}
			}
			changedAt := clock
			refused, working := tc.change(t, b, first)
			check := func(s *Service, who string) {
				t.Helper()
				for _, sec := range refused {
					if _, err := s.Authenticate(ctx, "acme", sec); julo.ErrorCode(err) != julo.EUNAUTHORIZED {
						t.Errorf("%s at +%v: a dead credential: %v", who, clock.Sub(changedAt), err)
					}
				}
				for _, sec := range working {
					if _, err := s.Authenticate(ctx, "acme", sec); err != nil {
						t.Errorf("%s at +%v: a live credential refused: %v", who, clock.Sub(changedAt), err)
					}
				}
			}
			check(b, "the changing instance")
			clock = changedAt.Add(DefaultCredentialCheck)
			check(a, "the other instance")
			check(b, "the changing instance")
		})
	}
}

// The version read races with a change: a credential verified before a
// change and put after the version moved is not served; a version that
// cannot be read leaves every request to the store; while one request
// reads the version, the others verify against the store.
func TestCredentialCacheRacesAndFailures(t *testing.T) {
	ctx := context.Background()
	m, clock := newMemPartners(), time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	a, b := instances(m, &clock)
	secret, err := a.CreatePartner(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	c := a.creds
	v, ok := c.current(ctx, clock, m.CredentialsVersion)
	if !ok {
		t.Fatal("no version")
	}
	k := c.entryKey("acme", secret)
	if err := b.SetPartnerDisabled(ctx, "acme", true); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(DefaultCredentialCheck)
	if _, ok := c.current(ctx, clock, m.CredentialsVersion); !ok {
		t.Fatal("no version")
	}
	c.put(k, julo.Partner{Username: "acme"}, v, clock) // verified under the old version
	if _, ok := c.get(k, v, clock); ok {
		t.Fatal("an entry of the old version is served")
	}
	if _, err := a.Authenticate(ctx, "acme", secret); julo.ErrorCode(err) != julo.EUNAUTHORIZED {
		t.Fatalf("disabled: %v", err)
	}

	// The version unreadable: every request goes to the store.
	if err := b.SetPartnerDisabled(ctx, "acme", false); err != nil {
		t.Fatal(err)
	}
	m.versionErr = errors.New("database is down")
	clock = clock.Add(DefaultCredentialCheck)
	before := m.reads()
	for range 3 {
		if _, err := a.Authenticate(ctx, "acme", secret); err != nil {
			t.Fatal(err)
		}
	}
	if m.reads()-before != 3 {
		t.Fatalf("with no version, 3 requests read the credentials %d times", m.reads()-before)
	}
	m.versionErr = nil

	// One request reads the version; one arriving meanwhile does not wait
	// for it and goes to the store.
	clock = clock.Add(DefaultCredentialCheck)
	inside, release := make(chan struct{}), make(chan struct{})
	m.versionRead = func() { close(inside); <-release }
	done := make(chan error)
	go func() { _, err := a.Authenticate(ctx, "acme", secret); done <- err }()
	<-inside
	m.versionRead = nil
	before = m.reads()
	if _, err := a.Authenticate(ctx, "acme", secret); err != nil || m.reads()-before != 1 {
		t.Fatalf("during the version read: %v, %d reads", err, m.reads()-before)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// CredentialCheck < 0 turns the cache off: every request is verified.
func TestCredentialCacheOff(t *testing.T) {
	ctx := context.Background()
	m := newMemPartners()
	keys := Keys{Partner: KeySet{Current: "p1", Keys: map[string][]byte{"p1": bytes.Repeat([]byte("p"), 32)}}}
	s := New(Deps{Store: m, Keys: keys, Config: Config{CredentialCheck: -1}})
	secret, _ := s.CreatePartner(ctx, "acme")
	for range 3 {
		if _, err := s.Authenticate(ctx, "acme", secret); err != nil {
			t.Fatal(err)
		}
	}
	if m.reads() != 3 {
		t.Fatalf("%d reads, want 3", m.reads())
	}
}
