package onboarding

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"sync"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Every partner request authenticates. Verifying against the database each
// time was most of the cost of a read (issue 17's profile), so an instance
// keeps the credentials it verified in memory, for a short time and under a
// version all instances share:
//
//   - An entry is keyed by HMAC-SHA256(a key random to this process,
//     username NUL secret): the cache holds no secret, and an entry is found
//     only by presenting the same secret again. Only successes are cached,
//     of enabled partners.
//   - The store's credentials version (migration 0020) moves in the
//     transaction of every change that can make a credential stop working:
//     a partner disabled or enabled, a secret rotated or revoked, by any
//     instance or the CLI. An instance reads it at most once per
//     CredentialCheck and forgets every entry when it moved; an entry is
//     trusted only under the version it was verified under, read before
//     the verification (so a change racing with it is not missed).
//   - The bound: a request that arrives more than CredentialCheck after a
//     change committed is judged under the new version on every instance,
//     because the version it is checked against was read after the commit.
//     The instance that made the change forgets at once.
//
// While one request re-reads the version the others do not wait for it:
// they verify against the database as without a cache.
type credentialCache struct {
	every  time.Duration // how long a version read is trusted
	maxAge time.Duration // an entry's life, whatever the version
	max    int           // entries at most
	key    []byte

	mu         sync.Mutex
	version    int64
	known      bool // version was read and may be trusted until checked+every
	checked    time.Time
	refreshing bool
	entries    map[[sha256.Size]byte]cachedPartner
}

type cachedPartner struct {
	p       julo.Partner
	version int64
	at      time.Time
}

// DefaultCredentialCheck is how often an instance reads the credentials
// version: the longest a disabled partner or a revoked secret may still
// be accepted by an instance that did not make the change.
const DefaultCredentialCheck = time.Second

const (
	credentialMaxAge  = time.Minute
	credentialEntries = 4096
)

// newCredentialCache returns a cache checking the version every interval
// (0: DefaultCredentialCheck; negative: nil, no cache), keyed by 32 bytes
// of rand.
func newCredentialCache(every time.Duration, rand io.Reader) *credentialCache {
	if every < 0 {
		return nil
	}
	if every == 0 {
		every = DefaultCredentialCheck
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(rand, key); err != nil {
		return nil // no randomness: verify every request
	}
	return &credentialCache{every: every, maxAge: credentialMaxAge, max: credentialEntries, key: key,
		entries: map[[sha256.Size]byte]cachedPartner{}}
}

// entryKey is the keyed hash a presented credential is cached under.
func (c *credentialCache) entryKey(username, secret string) [sha256.Size]byte {
	m := hmac.New(sha256.New, c.key)
	io.WriteString(m, username)
	m.Write([]byte{0})
	io.WriteString(m, secret)
	var k [sha256.Size]byte
	m.Sum(k[:0])
	return k
}

// current returns the credentials version to judge a request at now by,
// reading it with read when the last read is CredentialCheck old; ok false
// when it is not known (being read by another request, or unreadable):
// then the cache is not used.
func (c *credentialCache) current(ctx context.Context, now time.Time, read func(context.Context) (int64, error)) (v int64, ok bool) {
	c.mu.Lock()
	if c.known && now.Sub(c.checked) < c.every && !now.Before(c.checked) {
		v = c.version
		c.mu.Unlock()
		return v, true
	}
	if c.refreshing {
		c.mu.Unlock()
		return 0, false
	}
	c.refreshing = true
	c.mu.Unlock()

	v, err := read(ctx)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		c.known = false
		return 0, false
	}
	if !c.known || v != c.version {
		clear(c.entries)
	}
	// checked is when the read started: the version is trusted for
	// `every` from a moment before it was read, never longer.
	c.version, c.known, c.checked = v, true, now
	return v, true
}

// get returns the partner cached under k for version v.
func (c *credentialCache) get(k [sha256.Size]byte, v int64, now time.Time) (julo.Partner, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.version != v || !c.known || c.version != v || now.Sub(e.at) >= c.maxAge || now.Before(e.at) {
		return julo.Partner{}, false
	}
	return e.p, true
}

// put caches p under k, verified under version v, unless the version has
// moved since.
func (c *credentialCache) put(k [sha256.Size]byte, p julo.Partner, v int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known || c.version != v {
		return
	}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		for old := range c.entries { // one entry out, an arbitrary one
			delete(c.entries, old)
			break
		}
	}
	c.entries[k] = cachedPartner{p: p, version: v, at: now}
}

// forget drops every entry and the version: the next request reads it
// again. This instance changed a credential.
func (c *credentialCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.known = false
}
