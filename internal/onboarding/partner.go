package onboarding

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"regexp"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

var partnerNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$`)

// errUnauthorized is the one answer to every authentication failure, so that
// a caller cannot learn which half of the pair was wrong.
var errUnauthorized = &julo.Error{Code: julo.EUNAUTHORIZED, Problems: []julo.Problem{{Msg: i18n.Unauthorized}}}

// Authenticate checks a username + secret-key pair. Unknown partner, wrong
// secret, revoked secret and disabled partner all give the same EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, username, secret string) (julo.Partner, error) {
	if username == "" || secret == "" || len(username) > 64 || len(secret) > 256 {
		return julo.Partner{}, errUnauthorized
	}
	var key [32]byte
	version, cached := int64(0), false
	if s.creds != nil {
		now := s.now()
		if version, cached = s.creds.current(ctx, now, s.store.CredentialsVersion); cached {
			key = s.creds.entryKey(username, secret)
			if p, ok := s.creds.get(key, version, now); ok {
				return p, nil
			}
		}
	}
	p, secrets, err := s.store.PartnerCredentials(ctx, username)
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		// Spend the same HMAC work as a real check so timing says nothing.
		macEqual(s.keys.Partner, s.keys.Partner.Current, "00", secret)
		return julo.Partner{}, errUnauthorized
	}
	if err != nil {
		return julo.Partner{}, err
	}
	ok := false
	for _, sec := range secrets {
		// No early exit: every active secret is compared.
		if macEqual(s.keys.Partner, sec.KeyID, sec.Hash, secret) {
			ok = true
		}
	}
	if !ok || p.Disabled {
		return julo.Partner{}, errUnauthorized
	}
	if cached {
		s.creds.put(key, p, version, s.now())
	}
	return p, nil
}

// CreatePartner creates a partner and returns its first secret, which is shown
// only this once. It returns EINVALID for a name outside partnerNameRE and
// ECONFLICT for a partner that exists.
func (s *Service) CreatePartner(ctx context.Context, username string) (string, error) {
	if !partnerNameRE.MatchString(username) {
		return "", julo.Errorf(julo.EINVALID, "", i18n.PartnerNameInvalid, username)
	}
	secret, ps, err := s.newSecret()
	if err != nil {
		return "", err
	}
	if _, err := s.store.CreatePartner(ctx, username, ps, s.now()); err != nil {
		if julo.ErrorCode(err) == julo.ECONFLICT {
			return "", julo.Errorf(julo.ECONFLICT, "", i18n.PartnerExists, username)
		}
		return "", err
	}
	return secret, nil
}

// ListPartners lists every partner.
func (s *Service) ListPartners(ctx context.Context) ([]PartnerSummary, error) {
	return s.store.ListPartners(ctx)
}

// SetPartnerDisabled disables or re-enables a partner; ENOTFOUND for an
// unknown one.
func (s *Service) SetPartnerDisabled(ctx context.Context, username string, disabled bool) error {
	defer s.forgetCredentials()
	return partnerErr(username, s.store.SetPartnerDisabled(ctx, username, disabled, s.now()))
}

// forgetCredentials empties this instance's credential cache after a change
// of its own (other instances see it at their next version check).
func (s *Service) forgetCredentials() {
	if s.creds != nil {
		s.creds.forget()
	}
}

// RotatePartnerSecret issues a new secret. The previous newest secret keeps
// working (so the partner can switch without downtime); older ones are
// revoked. It returns ENOTFOUND for an unknown partner.
func (s *Service) RotatePartnerSecret(ctx context.Context, username string) (string, error) {
	secret, ps, err := s.newSecret()
	if err != nil {
		return "", err
	}
	defer s.forgetCredentials()
	if err := s.store.AddPartnerSecret(ctx, username, ps, 1, s.now()); err != nil {
		return "", partnerErr(username, err)
	}
	return secret, nil
}

// RevokeOldPartnerSecrets ends a rotation: every secret but the newest stops
// working. It returns ENOTFOUND for an unknown partner.
func (s *Service) RevokeOldPartnerSecrets(ctx context.Context, username string) (int, error) {
	defer s.forgetCredentials()
	n, err := s.store.RevokePartnerSecrets(ctx, username, s.now())
	return n, partnerErr(username, err)
}

// partnerErr is err, with the catalogue's message when it says that
// partner username does not exist.
func partnerErr(username string, err error) error {
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return julo.Errorf(julo.ENOTFOUND, "", i18n.PartnerUnknown, username)
	}
	return err
}

// newSecret makes a 32-byte random secret and its keyed hash.
func (s *Service) newSecret() (string, PartnerSecret, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", PartnerSecret{}, errors.Join(errors.New("reading randomness"), err)
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	hash, keyID := macHex(s.keys.Partner, secret)
	return secret, PartnerSecret{KeyID: keyID, Hash: hash}, nil
}
