package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/console"
	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
)

// consoleAddrDefault stands for "the environment's default" in
// --console-addr: 127.0.0.1:8081 in the sandbox, off in production.
const consoleAddrDefault = "default"

// consoleListenAddr is where the console listens ("" : nowhere).
func (c config) consoleListenAddr() string {
	switch c.consoleAddr {
	case consoleAddrDefault:
		if c.production() {
			return ""
		}
		return "127.0.0.1:8081"
	case "off", "":
		return ""
	}
	return c.consoleAddr
}

// backOffice is the back office's service on the store.
func backOffice(c config, db *store.DB, h hooks) *backoffice.Service {
	return backoffice.New(backoffice.Deps{Store: db, Policy: backoffice.DefaultPolicy(c.production()), Now: h.now})
}

// startConsole serves the operator console on its own listener (never the
// partner API's) and logs the address it bound ("console listening"); nil
// when it is off. The caller closes the server.
func startConsole(c config, db *store.DB, svc *onboarding.Service, cs *credit.Service, ls *lending.Service, h hooks, log *slog.Logger) (*http.Server, error) {
	addr := c.consoleListenAddr()
	if addr == "" {
		return nil, nil
	}
	p, err := c.credit.policy()
	if err != nil {
		return nil, err
	}
	act := credit.NewActivation(credit.ActivationDeps{Store: db, Policy: p, Now: h.now})
	now := time.Now
	if h.now != nil {
		now = h.now
	}
	reads := consoleReads{db, svc, now}
	con, err := console.New(console.Deps{Office: backOffice(c, db, h), Reads: reads, Decider: cs, Moves: cs, Reviewer: act, Policy: p,
		Rights: customerRights{db, h}, Partners: svc, LoanReads: db, Lender: ls, PartnerReads: reads, Callbacks: notifier(c, db, h),
		Config: console.Config{Production: c.production(), Env: c.env, Log: log}})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil && c.consoleAddr == consoleAddrDefault {
		// The sandbox's default address taken (another instance on this
		// machine): the API runs on without a console; an address given
		// on purpose fails the start instead.
		log.Warn("console not started: its default address is taken; give --console-addr", "addr", addr, "error", err.Error())
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("console listener (--console-addr): %w", err)
	}
	srv := &http.Server{Handler: con, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("console listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("console listener stopped", "error", err)
		}
	}()
	return srv, nil
}

// consoleReads is the console's Reads port on the store, and the images
// through the onboarding service (which opens their sealed blobs).
type consoleReads struct {
	*store.DB
	svc *onboarding.Service
	now func() time.Time
}

func (r consoleReads) ConsoleApplication(ctx context.Context, xid int64) (console.ApplicationView, error) {
	rec, err := r.CustomerByApplicationXID(ctx, xid)
	if err != nil {
		return console.ApplicationView{}, err
	}
	for _, a := range rec.Applications {
		if a.XID != xid {
			continue
		}
		v := console.ApplicationView{XID: a.XID, Partner: a.Partner, Status: a.Status, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
			NIK: rec.NIK, Email: rec.Email, VerifiedPhones: len(a.VerifiedPhones), Decisions: a.CreditDecisions}
		if d := a.Details; d != nil {
			v.Fullname, v.Phone, v.BankName, v.BankAccount = d.Fullname, d.MobilePhone1, d.BankName, d.BankAccountNumber
		}
		for _, h := range a.History {
			v.History = append(v.History, console.HistoryItem{From: h.From, To: h.To, At: h.At})
		}
		for _, im := range a.Images {
			v.Images = append(v.Images, console.ImageItem{ID: im.ID, Type: im.Type, ContentType: im.ContentType, Size: im.Size,
				CreatedAt: im.CreatedAt, Superseded: im.SupersededAt != nil})
		}
		for _, e := range a.Events {
			v.Events = append(v.Events, console.EventItem{Type: e.Type, Sequence: e.Sequence, OccurredAt: e.OccurredAt})
		}
		for _, x := range append(append([]store.ExternalRecord{}, a.BPJSTasks...), a.BankImports...) {
			v.External = append(v.External, console.ExternalItem{Kind: x.Kind, Status: x.Status, CreatedAt: x.CreatedAt})
		}
		for _, rr := range a.ReviewRequests {
			v.ReviewRequests = append(v.ReviewRequests, console.ReviewItem{Reason: rr.Reason, RequestedAt: rr.RequestedAt, Resolution: rr.Resolution})
		}
		return v, nil
	}
	return console.ApplicationView{}, &julo.Error{Code: julo.ENOTFOUND, Err: errors.New("application not found")}
}

func (r consoleReads) ConsoleImage(ctx context.Context, xid, imageID int64) (string, io.ReadCloser, error) {
	app, err := r.ApplicationByXID(ctx, xid)
	if err != nil {
		return "", nil, err
	}
	img, body, err := r.svc.OpenImage(ctx, julo.Partner{ID: app.PartnerID}, strconv.FormatInt(xid, 10), strconv.FormatInt(imageID, 10))
	if err != nil {
		return "", nil, err
	}
	return img.ContentType, body, nil
}

// ConsolePartner is a partner's page: its budgets (as `julo partner show`
// has them), loan settings, return URL prefixes and callback endpoint.
func (r consoleReads) ConsolePartner(ctx context.Context, username string) (console.PartnerView, error) {
	p, _, err := r.PartnerCredentials(ctx, username)
	if err != nil {
		return console.PartnerView{}, err
	}
	v := console.PartnerView{ID: p.ID, Username: p.Username, Disabled: p.Disabled}
	if v.Budgets, err = r.svc.PartnerBudgets(ctx, username); err != nil {
		return v, err
	}
	if v.Loans, err = r.LoanSettings(ctx, p.ID); err != nil {
		return v, err
	}
	if v.ReturnURLPrefixes, err = r.ReturnURLPrefixes(ctx, p.ID); err != nil {
		return v, err
	}
	e, keys, err := r.WebhookEndpoint(ctx, p.ID, r.now())
	switch {
	case julo.ErrorCode(err) == julo.ENOTFOUND:
	case err != nil:
		return v, err
	default:
		v.Webhook = &console.WebhookView{URL: e.URL, Token: e.Token, Disabled: e.Disabled, DisabledReason: e.DisabledReason,
			SigningKeys: len(keys), UpdatedAt: e.UpdatedAt}
	}
	return v, nil
}

// operator is `julo operator create EMAIL --role ROLE` (prints a one-time
// password) and `julo operator disable EMAIL` / `enable EMAIL`.
func operator(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	var c config
	fs := newFlagSet("operator", stderr)
	c.flags(fs, getenv, false)
	role := fs.String("role", "", "with create: admin, reviewer or viewer")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	const use = "usage: julo operator create EMAIL --role admin|reviewer|viewer | julo operator disable EMAIL | julo operator enable EMAIL | julo operator list"
	if len(pos) == 1 && pos[0] == "list" {
		pos = append(pos, "")
	}
	if len(pos) != 2 {
		return errors.New(use)
	}
	if err := c.validate(); err != nil {
		return err
	}
	db, _, err := openStore(ctx, c, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	office := backOffice(c, db, h)
	explain := func(err error) error {
		if msg := backoffice.Message(err); msg != "" {
			return fmt.Errorf("%s (%s)", consoleText(msg), msg)
		}
		return err
	}
	switch pos[0] {
	case "create":
		op, pw, err := office.CreateOperator(ctx, pos[1], backoffice.Role(*role))
		if err != nil {
			return explain(err)
		}
		if err := office.Audit(ctx, 0, "operator_created", "operator:"+strconv.FormatInt(op.ID, 10), "cli "+string(op.Role), ""); err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "operator %s (%s) created\none-time password (shown once; it must be changed at the first login): %s\n", op.Email, op.Role, pw)
		return err
	case "disable", "enable":
		op, err := office.SetDisabled(ctx, pos[1], pos[0] == "disable")
		if err != nil {
			return explain(err)
		}
		if err := office.Audit(ctx, 0, "operator_"+pos[0]+"d", "operator:"+strconv.FormatInt(op.ID, 10), "cli", ""); err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "operator %s %sd\n", op.Email, pos[0])
		return err
	case "list":
		ops, err := office.Operators(ctx)
		if err != nil {
			return err
		}
		for _, op := range ops {
			state := "active"
			if op.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\ttotp=%v\n", op.ID, op.Email, op.Role, state, op.TOTPEnabled)
		}
		return nil
	}
	return errors.New(use)
}

// consoleText is the English text of a back-office message id for the CLI.
func consoleText(msg string) string {
	switch msg {
	case backoffice.MsgEmailInvalid:
		return "give a valid email address"
	case backoffice.MsgRoleInvalid:
		return "--role is admin, reviewer or viewer"
	case backoffice.MsgOperatorExists:
		return "an operator with this email exists already"
	case backoffice.MsgOperatorMissing:
		return "no such operator"
	}
	return msg
}

// customerRights is the console's CustomerRights on the store, as `julo
// customer export|erase` do them.
type customerRights struct {
	db *store.DB
	h  hooks
}

func (c customerRights) ExportCustomer(ctx context.Context, xid int64) ([]byte, error) {
	rec, err := c.db.CustomerByApplicationXID(ctx, xid)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(rec, "", "  ")
}

func (c customerRights) EraseCustomer(ctx context.Context, xid int64) (int64, error) {
	rec, err := c.db.CustomerByApplicationXID(ctx, xid)
	if err != nil {
		return 0, err
	}
	now := time.Now
	if c.h.now != nil {
		now = c.h.now
	}
	e, err := c.db.EraseCustomer(ctx, rec.NIK, store.ErasureRequest, now(), sweepJob)
	if errors.Is(err, store.ErrObligation) {
		return 0, &julo.Error{Code: julo.ECONFLICT, Problems: []julo.Problem{{Msg: "console_erase_obligation"}}, Err: err}
	}
	return e.ID, err
}
