package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/callback"
	"github.com/julo-partnership/julo/internal/httpapi"
	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/notify"
	"github.com/julo-partnership/julo/internal/store"
)

// Partner callbacks (issue 11, items 1-4): the notify service on the
// store, sending through the callback adapter, and julo partner webhook.

// notifier is the callbacks' service: in production callback URLs must be
// https and a callback may reach no loopback address; the sandbox allows
// loopback so that a partner can test against a receiver on its own
// machine. Private, link-local and metadata addresses are refused in both.
func notifier(c config, db *store.DB, h hooks) *notify.Service {
	sender := callback.New(callback.Config{Timeout: c.callbackTimeout, AllowLoopback: !c.production()})
	return notify.New(notify.Deps{Store: db, Sender: sender, Config: notify.Config{RequireHTTPS: c.production()}, Now: h.now})
}

// withEvents is s with the events feed's service.
func withEvents(s httpapi.Services, n *notify.Service) httpapi.Services {
	s.Events = n
	return s
}

// webhookJSON is what julo partner webhook prints: the endpoint, and the
// new signing secret only when one was made (shown this once).
type webhookJSON struct {
	Username       string     `json:"username"`
	URL            string     `json:"url"`
	TokenSet       bool       `json:"token_set"`
	Disabled       bool       `json:"disabled"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	Secret         string     `json:"signing_secret,omitempty"`
	PreviousUntil  *time.Time `json:"previous_secret_signs_until,omitempty"`
}

// partnerWebhook is julo partner webhook NAME [--url URL] [--token TOKEN]
// [--rotate-secret] [--disable].
func partnerWebhook(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	var c config
	fs := newFlagSet("partner webhook", stderr)
	c.flags(fs, getenv, false)
	var in notify.EndpointInput
	fs.Func("url", "where the partner's callbacks go (https in production); given again it enables them", func(v string) error {
		in.URL = &v
		return nil
	})
	fs.Func("token", "sent as the Authorization header of every callback (an empty value removes it)", func(v string) error {
		in.Token = &v
		return nil
	})
	fs.BoolVar(&in.RotateSecret, "rotate-secret", false, "make a new signing secret; the old one signs too for 24 hours")
	fs.BoolVar(&in.Disable, "disable", false, "stop the partner's callbacks (pending ones are cancelled)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	const usage = "usage: julo partner webhook NAME [--url URL] [--token TOKEN] [--rotate-secret] [--disable]"
	if len(pos) != 1 || in.URL == nil && in.Token == nil && !in.RotateSecret && !in.Disable {
		return errors.New(usage)
	}
	if in.Disable && in.URL != nil {
		return errors.New("--disable and --url: give one (a URL enables the callbacks)")
	}
	if err := c.validate(); err != nil {
		return err
	}
	db, _, err := openStore(ctx, c, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := notifier(c, db, h).SetEndpoint(ctx, pos[0], in)
	if err != nil {
		return operatorError(err)
	}
	printed := webhookJSON{Username: pos[0], URL: out.URL, TokenSet: out.Token != "", Disabled: out.Disabled,
		DisabledReason: out.DisabledReason, Secret: out.Secret}
	if !out.PreviousUntil.IsZero() {
		t := out.PreviousUntil.UTC()
		printed.PreviousUntil = &t
	}
	return json.NewEncoder(stdout).Encode(printed)
}

// operatorError is err with the catalogue's messages in English, as the
// partner commands show them.
func operatorError(err error) error {
	var e *julo.Error
	if !errors.As(err, &e) || e.Code == julo.EINTERNAL || len(e.Problems) == 0 {
		return err
	}
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = i18n.T(i18n.EN, p.Msg, p.Args...)
		if p.Field != "" {
			msgs[i] = fmt.Sprintf("--%s: %s", p.Field, msgs[i])
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}
