package onboarding

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/webhook"
)

// verifyCallback checks a vendor callback's signature (package webhook):
// any failure is the same EUNAUTHORIZED.
func (s *Service) verifyCallback(secret []byte, header string, body []byte) error {
	if webhook.Verify(secret, header, body, s.now(), s.cfg.External.CallbackSkew) != nil {
		return &julo.Error{Code: julo.EUNAUTHORIZED, Problems: []julo.Problem{{Msg: i18n.CallbackUnauthorized}}}
	}
	return nil
}

type callbackBody struct {
	Task    string `json:"task"`      // BPJS: the pass-back token
	Import  string `json:"import_id"` // bank: the import ref
	Status  string `json:"status"`
	Message string `json:"message"`
}

func parseCallback(body []byte) (callbackBody, error) {
	var c callbackBody
	d := json.NewDecoder(strings.NewReader(string(body)))
	if err := d.Decode(&c); err != nil {
		return c, julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, "not a JSON object")
	}
	c.Message = printable(c.Message, 500)
	return c, nil
}

// printable keeps at most max runes of s, dropping the runes no text may
// hold (julo.IsUnsafeRune, the same rule requests are checked by), so a
// vendor's message can be stored as is.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "") {
		if julo.IsUnsafeRune(r) {
			continue
		}
		if n++; n > max {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Service) randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	return hex.EncodeToString(b), nil
}
