package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// Personal data at rest (issue 10, item 1).
//
// Every customer has a data key of its own: 32 random bytes, made at its
// registration and stored in customer_keys wrapped (AES-256-GCM) by the
// current key of the keyring's data set, with that key's id (kek_id). The
// customer's personal data (NIK, email, position, phones, the complete
// step's names, dates and places of birth, addresses, bank account number
// and free texts, the sandbox outbox's messages) is sealed with AES-256-GCM
// under the customer's data key, each value with the name of its column as
// authenticated data (a value copied into another column does not open).
// A sealed value is text: base64 of version (1) || nonce (12) || ciphertext.
// So every value names the key that sealed it twice over: its row belongs
// to a customer, whose key row names the data-set key that wrapped it.
//
// Erasing a customer (crypto-shredding) destroys its wrapped key: its rows
// stay, for accounting, and none of them opens again. Rotating the data set
// re-wraps customer keys (a few bytes each) instead of re-sealing every
// value: see RewrapCustomerKeys.
//
// Exact lookups and uniqueness use blind indexes: HMAC-SHA256 of a kind and
// the value under a key of the keyring's lookup set, in columns of their own
// with the unique indexes on them. The blind-index key is pinned on first use
// (store_settings.blind_index_key): rotating the lookup set's current key
// does not move it, since every stored index would stop matching.

// ErrNoKeys is the error of an operation on personal data by a store whose
// keys were not set (SetKeys).
var ErrNoKeys = errors.New("store: the data and lookup keys are not set (SetKeys)")

// errShredded is the error of opening data of an erased customer.
var errShredded = &julo.Error{Code: julo.ENOTFOUND, Err: errors.New("the customer's personal data was erased")}

type piiKeys struct {
	kekCurrent string
	keks       map[string]cipher.AEAD
	lookup     map[string][]byte
	lookupCur  string

	mu      sync.Mutex
	bidxKey []byte // the pinned blind-index key, once read
}

// SetKeys gives the store the keyring's data set (it wraps customer keys)
// and lookup set (blind indexes). Call it before Migrate: a migration that
// seals existing rows needs them.
func (db *DB) SetKeys(k onboarding.Keys) error {
	p := &piiKeys{kekCurrent: k.Data.Current, keks: map[string]cipher.AEAD{}, lookup: k.Lookup.Keys, lookupCur: k.Lookup.Current}
	for id, key := range k.Data.Keys {
		a, err := newGCM(key)
		if err != nil {
			return fmt.Errorf("data key %q: %w", id, err)
		}
		p.keks[id] = a
	}
	if _, ok := p.keks[p.kekCurrent]; !ok {
		return fmt.Errorf("store: the data set's current key %q is missing", p.kekCurrent)
	}
	if _, ok := p.lookup[p.lookupCur]; !ok {
		return fmt.Errorf("store: the lookup set's current key %q is missing", p.lookupCur)
	}
	db.pii = p
	return nil
}

// PinBlindIndexKey pins the blind-index key now if none is yet (the first
// start on a database pins the lookup set's current key), and checks that
// the key file has it: a start with the wrong keys fails here, not on a
// partner's request.
func (db *DB) PinBlindIndexKey(ctx context.Context) error {
	_, err := db.blindIndexes(ctx, db.w)
	return err
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("want a 32-byte AES-256 key, got %d bytes", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func (db *DB) random() io.Reader {
	if db.rand != nil {
		return db.rand
	}
	return rand.Reader
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

// blindIndexes returns the function making blind indexes with the pinned
// key, pinning the lookup set's current key first if none is. q must be
// able to write when nothing is pinned yet (a transaction or db.w).
func (db *DB) blindIndexes(ctx context.Context, q querier) (func(kind, value string) string, error) {
	p := db.pii
	if p == nil {
		return nil, ErrNoKeys
	}
	p.mu.Lock()
	key := p.bidxKey
	p.mu.Unlock()
	if key == nil {
		var id string
		err := q.QueryRowContext(ctx, `SELECT value FROM store_settings WHERE name = 'blind_index_key'`).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := q.ExecContext(ctx, `INSERT INTO store_settings (name, value) VALUES ('blind_index_key', $1)
				ON CONFLICT (name) DO NOTHING`, p.lookupCur); err != nil {
				return nil, err
			}
			err = q.QueryRowContext(ctx, `SELECT value FROM store_settings WHERE name = 'blind_index_key'`).Scan(&id)
		}
		if err != nil {
			return nil, err
		}
		k, ok := p.lookup[id]
		if !ok {
			return nil, fmt.Errorf("the blind indexes of this database (its NIK, email and phone lookups) use lookup key %q, which the server keys lack: "+
				"give every instance on one database the same key file with JULO_KEYS_FILE (or JULO_KEYS), and keep that key in it", id)
		}
		key = k
		p.mu.Lock()
		p.bidxKey = k
		p.mu.Unlock()
	}
	return func(kind, value string) string { return blindIndex(key, kind, value) }, nil
}

func blindIndex(key []byte, kind, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("julo blind index v1\x00"))
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// The kinds of blind index.
const (
	bidxNIK         = "nik"
	bidxEmail       = "email"
	bidxPhone       = "phone"
	bidxBankAccount = "bank_account"
)

// customerKey is a customer's data key, ready to seal and open.
type customerKey struct{ aead cipher.AEAD }

const sealVersion = 1

// seal seals v for column col ("table.column").
func (k *customerKey) seal(r io.Reader, col, v string) (string, error) {
	nonce := make([]byte, 1+k.aead.NonceSize(), 1+k.aead.NonceSize()+len(v)+k.aead.Overhead())
	nonce[0] = sealVersion
	if _, err := io.ReadFull(r, nonce[1:]); err != nil {
		return "", err
	}
	out := k.aead.Seal(nonce, nonce[1:], []byte(v), []byte(col))
	return base64.RawStdEncoding.EncodeToString(out), nil
}

// sealNull seals *v, or returns NULL for nil.
func (k *customerKey) sealNull(r io.Reader, col string, v *string) (sql.NullString, error) {
	if v == nil {
		return sql.NullString{}, nil
	}
	s, err := k.seal(r, col, *v)
	return sql.NullString{String: s, Valid: err == nil}, err
}

func (k *customerKey) open(col, sealed string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	n := k.aead.NonceSize()
	if err != nil || len(b) < 1+n || b[0] != sealVersion {
		return "", fmt.Errorf("store: %s holds no sealed value", col)
	}
	out, err := k.aead.Open(nil, b[1:1+n], b[1+n:], []byte(col))
	if err != nil {
		return "", fmt.Errorf("store: %s does not open with its customer's key: %w", col, err)
	}
	return string(out), nil
}

func (k *customerKey) openNull(col string, v sql.NullString) (*string, error) {
	if !v.Valid {
		return nil, nil
	}
	s, err := k.open(col, v.String)
	return &s, err
}

func wrapAD(customerID int64) []byte {
	return []byte("julo customer key v1\x00" + strconv.FormatInt(customerID, 10))
}

// newCustomerKey makes a data key for a new customer; wrap binds it to the
// customer's id once that is known.
func (db *DB) newCustomerKey() (*customerKey, []byte, error) {
	if db.pii == nil {
		return nil, nil, ErrNoKeys
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(db.random(), raw); err != nil {
		return nil, nil, err
	}
	a, err := newGCM(raw)
	return &customerKey{aead: a}, raw, err
}

// wrapCustomerKey seals raw with the data set's current key for customer
// id: its kek_id and wrapped columns.
func (db *DB) wrapCustomerKey(raw []byte, customerID int64) (kekID, wrapped string, err error) {
	p := db.pii
	kek := p.keks[p.kekCurrent]
	nonce := make([]byte, kek.NonceSize(), kek.NonceSize()+len(raw)+kek.Overhead())
	if _, err := io.ReadFull(db.random(), nonce); err != nil {
		return "", "", err
	}
	return p.kekCurrent, base64.RawStdEncoding.EncodeToString(kek.Seal(nonce, nonce, raw, wrapAD(customerID))), nil
}

// unwrapCustomerKey opens a customer_keys row: errShredded for an erased
// customer.
func (db *DB) unwrapCustomerKey(customerID int64, kekID string, wrapped sql.NullString) (*customerKey, []byte, error) {
	p := db.pii
	if p == nil {
		return nil, nil, ErrNoKeys
	}
	if !wrapped.Valid {
		return nil, nil, errShredded
	}
	kek, ok := p.keks[kekID]
	if !ok {
		return nil, nil, fmt.Errorf("store: customer %d's key is wrapped by data key %q, which the key file lacks: restore it (julo keys rotate-data moves every customer key to the current data key)", customerID, kekID)
	}
	b, err := base64.RawStdEncoding.DecodeString(wrapped.String)
	n := kek.NonceSize()
	if err != nil || len(b) < n {
		return nil, nil, fmt.Errorf("store: customer %d's wrapped key is malformed", customerID)
	}
	raw, err := kek.Open(nil, b[:n], b[n:], wrapAD(customerID))
	if err != nil {
		return nil, nil, fmt.Errorf("store: customer %d's key does not open with data key %q: %w", customerID, kekID, err)
	}
	a, err := newGCM(raw)
	return &customerKey{aead: a}, raw, err
}

// insertCustomerKey stores a new customer's wrapped key.
func (db *DB) insertCustomerKey(ctx context.Context, q querier, customerID int64, raw []byte, at int64) error {
	kekID, wrapped, err := db.wrapCustomerKey(raw, customerID)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO customer_keys (customer_id, kek_id, wrapped, created_at) VALUES ($1, $2, $3, $4)`,
		customerID, kekID, wrapped, at)
	return err
}

// keyOfCustomer reads and opens customer id's key.
func (db *DB) keyOfCustomer(ctx context.Context, q querier, customerID int64) (*customerKey, error) {
	var kekID string
	var wrapped sql.NullString
	err := q.QueryRowContext(ctx, `SELECT kek_id, wrapped FROM customer_keys WHERE customer_id = $1`, customerID).Scan(&kekID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: customer %d has no data key", customerID)
	}
	if err != nil {
		return nil, err
	}
	k, _, err := db.unwrapCustomerKey(customerID, kekID, wrapped)
	return k, err
}

// keyOfApplication reads and opens the key of application id's customer.
func (db *DB) keyOfApplication(ctx context.Context, q querier, applicationID int64) (*customerKey, error) {
	var customerID int64
	var kekID string
	var wrapped sql.NullString
	err := q.QueryRowContext(ctx, `SELECT k.customer_id, k.kek_id, k.wrapped FROM applications a
		JOIN customer_keys k ON k.customer_id = a.customer_id WHERE a.id = $1`, applicationID).Scan(&customerID, &kekID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("application")
	}
	if err != nil {
		return nil, err
	}
	k, _, err := db.unwrapCustomerKey(customerID, kekID, wrapped)
	return k, err
}

// position is how a registration's coordinates are sealed: exact decimal
// text of the float64s, parsed back bit for bit.
func position(lat, lon float64) string {
	return strconv.FormatFloat(lat, 'g', -1, 64) + "," + strconv.FormatFloat(lon, 'g', -1, 64)
}

// RewrapCustomerKeys moves up to limit customer keys wrapped by an older
// data-set key to the current one, in one transaction (a batch of
// `julo keys rotate-data`): each is opened with its old key and wrapped
// again with the current one; the values sealed under the customer keys
// stay as they are. left counts the keys still wrapped by an older key
// afterwards: when it is 0 the old data keys open nothing in the database
// (images have their own rewrap, blob.Sealed.SealStored).
func (db *DB) RewrapCustomerKeys(ctx context.Context, limit int, at time.Time) (rewrapped, left int, err error) {
	if db.pii == nil {
		return 0, 0, ErrNoKeys
	}
	cur := db.pii.kekCurrent
	err = db.tx(ctx, func(tx *sql.Tx) error {
		type row struct {
			id      int64
			kek     string
			wrapped sql.NullString
		}
		var rows []row
		err := scanAll(ctx, tx, `SELECT customer_id, kek_id, wrapped FROM customer_keys
			WHERE kek_id <> $1 AND wrapped IS NOT NULL ORDER BY customer_id LIMIT $2`+db.dialect.forUpdate,
			[]any{cur, limit}, func(rs *sql.Rows) error {
				var r row
				if err := rs.Scan(&r.id, &r.kek, &r.wrapped); err != nil {
					return err
				}
				rows = append(rows, r)
				return nil
			})
		if err != nil {
			return err
		}
		for _, r := range rows {
			_, raw, err := db.unwrapCustomerKey(r.id, r.kek, r.wrapped)
			if err != nil {
				return err
			}
			kekID, wrapped, err := db.wrapCustomerKey(raw, r.id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customer_keys SET kek_id = $2, wrapped = $3, rewrapped_at = $4 WHERE customer_id = $1`,
				r.id, kekID, wrapped, ms(at)); err != nil {
				return err
			}
		}
		rewrapped = len(rows)
		// The partners' callback secrets and tokens too (webhooks.go).
		if err := db.rewrapWebhookSeals(ctx, tx); err != nil {
			return err
		}
		// And the operators' TOTP secrets (console.go).
		if err := db.rewrapOperatorSeals(ctx, tx); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM customer_keys WHERE kek_id <> $1 AND wrapped IS NOT NULL`, cur).Scan(&left)
	})
	return rewrapped, left, err
}

// CustomerKeysByDataKey counts the customer keys (not erased) wrapped by
// each data-set key.
func (db *DB) CustomerKeysByDataKey(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := scanAll(ctx, db.r, `SELECT kek_id, COUNT(*) FROM customer_keys WHERE wrapped IS NOT NULL GROUP BY kek_id`, nil,
		func(rs *sql.Rows) error {
			var id string
			var n int
			if err := rs.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
			return nil
		})
	return out, err
}

// sealWithDataKey seals a value that belongs to no one customer (a stored
// idempotent answer, say) directly with the data set's current key, bound
// to ad (say "idempotency_keys.response" and the row's key). The text
// names the key: "d1." + key id + "." + base64(nonce || ciphertext). Such
// values should be short-lived: rotate-data does not rewrap them, so keep
// an old data key for as long as they live (the idempotency window).
func (db *DB) sealWithDataKey(ad string, plain []byte) (string, error) {
	p := db.pii
	if p == nil {
		return "", ErrNoKeys
	}
	kek := p.keks[p.kekCurrent]
	nonce := make([]byte, kek.NonceSize(), kek.NonceSize()+len(plain)+kek.Overhead())
	if _, err := io.ReadFull(db.random(), nonce); err != nil {
		return "", err
	}
	return "d1." + p.kekCurrent + "." + base64.RawStdEncoding.EncodeToString(kek.Seal(nonce, nonce, plain, []byte(ad))), nil
}

// openWithDataKey opens what sealWithDataKey sealed with the same ad.
func (db *DB) openWithDataKey(ad, sealed string) ([]byte, error) {
	p := db.pii
	if p == nil {
		return nil, ErrNoKeys
	}
	rest, ok := strings.CutPrefix(sealed, "d1.")
	id, b64, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return nil, fmt.Errorf("store: %s holds no sealed value", ad)
	}
	kek, ok := p.keks[id]
	if !ok {
		return nil, fmt.Errorf("store: %s is sealed by data key %q, which the key file lacks", ad, id)
	}
	b, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(b) < kek.NonceSize() {
		return nil, fmt.Errorf("store: %s is malformed", ad)
	}
	out, err := kek.Open(nil, b[:kek.NonceSize()], b[kek.NonceSize():], []byte(ad))
	if err != nil {
		return nil, fmt.Errorf("store: %s does not open: %w", ad, err)
	}
	return out, nil
}
