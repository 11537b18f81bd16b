package onboarding

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

// Banks whose data can be imported (the data_type values).
var ImportBanks = []string{"bri", "bca", "mandiri", "bni"}

// Bank import states. An import starts at initiated and ends at one of the
// failed states or at load_success.
const (
	ImportInitiated     = "initiated"
	ImportAuthSuccess   = "auth_success"
	ImportAuthFailed    = "auth_failed"
	ImportScrapeSuccess = "scrape_success"
	ImportScrapeFailed  = "scrape_failed"
	ImportLoadSuccess   = "load_success"
	ImportLoadFailed    = "load_failed"
)

// importNext lists the states each state may move to.
var importNext = map[string][]string{
	ImportInitiated:     {ImportAuthSuccess, ImportAuthFailed},
	ImportAuthSuccess:   {ImportScrapeSuccess, ImportScrapeFailed},
	ImportScrapeSuccess: {ImportLoadSuccess, ImportLoadFailed},
}

// ImportFinal reports whether an import state is final.
func ImportFinal(state string) bool { _, more := importNext[state]; return !more }

// BPJS task states.
const (
	BPJSPending = "pending"
	BPJSSuccess = "success"
	BPJSFailed  = "failed"
)

// Partner-facing verification states of scraping-status.
const (
	Verified    = "verified"
	NotVerified = "not verified"
	Ongoing     = "ongoing"
)

// BPJSLogin is what a BPJS provider needs to build a login URL.
type BPJSLogin struct {
	Token       string // opaque pass-back value identifying the task
	AppType     string // web or android
	CallbackURL string // where the vendor reports the outcome
}

// BPJSProvider builds the URL where the customer logs in to BPJS.
type BPJSProvider interface {
	LoginURL(ctx context.Context, l BPJSLogin) (string, error)
}

// BankJob is an import handed to a scraper. Username and Password are the
// customer's bank credentials: the scraper uses them and keeps nothing.
type BankJob struct {
	Ref, Bank, Username, Password, CallbackURL string
}

// PlannedEvent is a state the sandbox scraper will report After the start.
type PlannedEvent struct {
	Status, Message string
	After           time.Duration
}

// BankScraper starts imports. A sandbox scraper returns its planned
// progress; a real one reports progress through the callback.
type BankScraper interface {
	StartImport(ctx context.Context, j BankJob) ([]PlannedEvent, error)
}

// BankImport is one import as stored.
type BankImport struct {
	ID            int64
	ApplicationID int64
	Bank, Ref     string
	Status        string
	Message       string
	CreatedAt     time.Time
}

// ExternalStore is the storage of BPJS tasks and bank imports.
type ExternalStore interface {
	CreateBPJSTask(ctx context.Context, applicationID int64, token, appType string, at time.Time) error
	// FinishBPJSTask moves a pending task to status; ENOTFOUND for an unknown
	// token; ECONFLICT when the task already ended with another status.
	FinishBPJSTask(ctx context.Context, token, status, message string, at time.Time) error
	// BPJSSummary says whether any of the application's tasks succeeded, and
	// whether one created since pendingSince is still pending.
	BPJSSummary(ctx context.Context, applicationID int64, pendingSince time.Time) (success, pending bool, err error)
	// CreateBankImport inserts an import at initiated; ECONFLICT (field
	// data_type) while another import of the bank is unfinished.
	CreateBankImport(ctx context.Context, imp BankImport) (BankImport, error)
	DeleteBankImport(ctx context.Context, id int64) error
	ActiveBankImport(ctx context.Context, applicationID int64, bank string) (BankImport, error)
	PlanImportEvents(ctx context.Context, importID int64, events []PlannedEvent, start time.Time) error
	// AdvanceImport runs next on the import with ref (ENOTFOUND if none) and
	// stores the state it returns, in one transaction.
	AdvanceImport(ctx context.Context, ref string, at time.Time, next func(BankImport) (string, string, error)) error
	// ApplyDueImportEvents applies the application's planned events due at
	// at, oldest first, each through next (an event next refuses is
	// dropped), and marks them applied, all in one transaction. It opens no
	// write transaction when nothing is due.
	ApplyDueImportEvents(ctx context.Context, applicationID int64, at time.Time, next ImportTransition) error
	// BankSummary says, per bank, whether an import succeeded and whether
	// one is unfinished.
	BankSummary(ctx context.Context, applicationID int64) (map[string]BankState, error)
}

// ImportTransition decides the state an import moves to when status (with
// message) is reported: the new state and message, or ECONFLICT.
type ImportTransition func(imp BankImport, status, message string) (string, string, error)

// BankState summarises a bank's imports for one application.
type BankState struct {
	Verified, Ongoing bool
}

// ExternalConfig configures the external-data steps.
type ExternalConfig struct {
	// PublicURL is where vendors and customers reach this server.
	PublicURL string
	// Callback secrets: vendors sign their callbacks with them.
	BPJSCallbackSecret, ScraperCallbackSecret []byte
	// CallbackSkew is how old (or new) a callback's timestamp may be.
	CallbackSkew time.Duration
	// BPJSPendingFor is how long a login task counts as ongoing; a customer
	// who never logs in does not leave BPJS "ongoing" for ever.
	BPJSPendingFor time.Duration
}

// BPJSLoginURL starts a BPJS login task for the application and returns the
// URL the customer opens (app_type web or android).
func (s *Service) BPJSLoginURL(ctx context.Context, p julo.Partner, xid, appType string) (map[string]string, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return nil, err
	}
	if appType != "web" && appType != "android" {
		return nil, julo.Errorf(julo.EINVALID, "app_type", i18n.AppTypeValue, appType)
	}
	token, err := s.randomHex(16)
	if err != nil {
		return nil, err
	}
	// The URL first: a provider that fails must leave no pending task.
	url, err := s.bpjs.LoginURL(ctx, BPJSLogin{Token: token, AppType: appType,
		CallbackURL: s.cfg.External.PublicURL + "/vendor/v1/bpjs/callback"})
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateBPJSTask(ctx, app.ID, token, appType, s.now()); err != nil {
		return nil, err
	}
	return map[string]string{"url": url}, nil
}

// BankImportInput is the external-data-imports request. Credentials is a
// JSON object, or a string holding one in JSON or Python quoting (errata 25).
type BankImportInput struct {
	julo.Problems
	DataType    *string `form:"data_type"`
	Credentials *any    `form:"credentials"`
}

// BankImportStarted is the answer to an import request (errata 26).
type BankImportStarted struct {
	Status   string `json:"status"`
	XID      int64  `json:"application_xid"`
	DataType string `json:"data_type"`
	ID       int64  `json:"id"`
}

// StartBankImport hands the credentials to the scraper, which keeps them;
// this server stores, logs and returns none of them. One import per bank and
// application runs at a time (ECONFLICT); a scraper that fails or does not
// answer in time is EUPSTREAM and leaves no import behind.
func (s *Service) StartBankImport(ctx context.Context, p julo.Partner, xid string, in BankImportInput) (BankImportStarted, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return BankImportStarted{}, err
	}
	ps := in.Problems
	bank, ok := required(&ps, "data_type", in.DataType)
	bank = strings.ToLower(bank)
	if ok && !contains(ImportBanks, bank) {
		ps.Add("data_type", i18n.DataTypeValue)
	}
	var user, pass string
	if !ps.Has("credentials") {
		if in.Credentials == nil {
			ps.Add("credentials", i18n.Required)
		} else {
			user, pass = parseCredentials(&ps, *in.Credentials)
		}
	}
	if err := ps.Err(); err != nil {
		return BankImportStarted{}, err
	}
	ref, err := s.randomHex(16)
	if err != nil {
		return BankImportStarted{}, err
	}
	now := s.now()
	imp, err := s.store.CreateBankImport(ctx, BankImport{ApplicationID: app.ID, Bank: bank, Ref: ref, Status: ImportInitiated, CreatedAt: now})
	if julo.ErrorCode(err) == julo.ECONFLICT {
		active, aerr := s.store.ActiveBankImport(ctx, app.ID, bank)
		if aerr != nil {
			return BankImportStarted{}, aerr
		}
		return BankImportStarted{}, julo.Errorf(julo.ECONFLICT, "data_type", i18n.ImportInProgress, bank, active.ID)
	}
	if err != nil {
		return BankImportStarted{}, err
	}
	planned, err := s.scraper.StartImport(ctx, BankJob{Ref: ref, Bank: bank, Username: user, Password: pass,
		CallbackURL: s.cfg.External.PublicURL + "/vendor/v1/bank-scrape/callback"})
	if e := (*julo.Error)(nil); err != nil && !errors.As(err, &e) {
		err = &julo.Error{Code: julo.EUPSTREAM, Problems: []julo.Problem{{Msg: i18n.ScraperFailed}}, Err: err}
	}
	if err == nil && len(planned) > 0 {
		err = s.store.PlanImportEvents(ctx, imp.ID, planned, now)
	}
	if err != nil {
		// Leave no import behind, so the partner can simply retry.
		if derr := s.store.DeleteBankImport(context.WithoutCancel(ctx), imp.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		return BankImportStarted{}, err
	}
	return BankImportStarted{Status: ImportInitiated, XID: app.XID, DataType: bank, ID: imp.ID}, nil
}

// parseCredentials reads username and password from a JSON object or a
// string holding one (JSON or Python quoting). Its problems never quote the
// value: it is a secret.
func parseCredentials(ps *julo.Problems, raw any) (string, string) {
	m, ok := raw.(map[string]any)
	if s, isString := raw.(string); isString {
		m, ok = parseDictString(strings.TrimSpace(s))
	}
	if !ok {
		ps.Add("credentials", i18n.CredentialsShape)
		return "", ""
	}
	get := func(k string) string {
		switch v := m[k].(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	user, pass := get("username"), get("password")
	if strings.TrimSpace(user) == "" {
		ps.Add("credentials", i18n.CredentialsField, "username")
	}
	if pass == "" {
		ps.Add("credentials", i18n.CredentialsField, "password")
	}
	return user, pass
}

// parseDictString parses `{"k": "v"}` or the Python form `{'k': 'v'}`.
func parseDictString(s string) (map[string]any, bool) {
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if d.Decode(&m) == nil {
		return m, true
	}
	return parsePyDict(s)
}

// parsePyDict reads a flat dict of quoted keys and quoted (or bare number)
// values in Python syntax, with \\, \' and \" escapes.
func parsePyDict(s string) (map[string]any, bool) {
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	str := func() (string, bool) {
		if i >= len(s) || s[i] != '\'' && s[i] != '"' {
			return "", false
		}
		q := s[i]
		i++
		var b strings.Builder
		for i < len(s) {
			c := s[i]
			switch {
			case c == '\\' && i+1 < len(s):
				b.WriteByte(s[i+1])
				i += 2
			case c == q:
				i++
				return b.String(), true
			default:
				b.WriteByte(c)
				i++
			}
		}
		return "", false
	}
	m := map[string]any{}
	skip()
	if i >= len(s) || s[i] != '{' {
		return nil, false
	}
	i++
	for {
		skip()
		if i < len(s) && s[i] == '}' {
			i++
			skip()
			return m, i == len(s)
		}
		k, ok := str()
		if !ok {
			return nil, false
		}
		skip()
		if i >= len(s) || s[i] != ':' {
			return nil, false
		}
		i++
		skip()
		v, ok := str()
		if !ok {
			start := i
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == '.') {
				i++
			}
			if start == i {
				return nil, false
			}
			v = s[start:i]
		}
		m[k] = v
		skip()
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
}

// Callback signatures: header "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" with the vendor's secret>".
func signCallback(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, ts+".")
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

func (s *Service) verifyCallback(secret []byte, header string, body []byte) error {
	unauthorized := &julo.Error{Code: julo.EUNAUTHORIZED, Problems: []julo.Problem{{Msg: i18n.CallbackUnauthorized}}}
	if len(secret) == 0 {
		return unauthorized
	}
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return unauthorized
	}
	if d := s.now().Sub(time.Unix(sec, 0)); d > s.cfg.External.CallbackSkew || d < -s.cfg.External.CallbackSkew {
		return unauthorized
	}
	want := signCallback(secret, time.Unix(sec, 0), body)
	if !hmac.Equal([]byte(want), []byte("t="+ts+",v1="+sig)) {
		return unauthorized
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

// BPJSCallback records the outcome of a BPJS login that the vendor (or the
// sandbox login page) reports, after checking its signature. Unsigned,
// wrongly signed or stale callbacks change nothing (EUNAUTHORIZED).
func (s *Service) BPJSCallback(ctx context.Context, signature string, body []byte) error {
	if err := s.verifyCallback(s.cfg.External.BPJSCallbackSecret, signature, body); err != nil {
		return err
	}
	c, err := parseCallback(body)
	if err != nil {
		return err
	}
	if c.Task == "" || c.Status != BPJSSuccess && c.Status != BPJSFailed {
		return julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, `need "task" and "status": success or failed`)
	}
	err = s.store.FinishBPJSTask(ctx, c.Task, c.Status, c.Message, s.now())
	switch julo.ErrorCode(err) {
	case julo.ENOTFOUND:
		return julo.Errorf(julo.ENOTFOUND, "", i18n.CallbackUnknownTask, c.Task)
	case julo.ECONFLICT:
		return julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, c.Status, "final")
	}
	return err
}

// BankCallback records an import's progress that the scraper service
// reports, after checking its signature. A state that cannot follow the
// current one is ECONFLICT; repeating the current state is accepted.
func (s *Service) BankCallback(ctx context.Context, signature string, body []byte) error {
	if err := s.verifyCallback(s.cfg.External.ScraperCallbackSecret, signature, body); err != nil {
		return err
	}
	c, err := parseCallback(body)
	if err != nil {
		return err
	}
	if c.Import == "" || c.Status == "" {
		return julo.Errorf(julo.EINVALID, "", i18n.CallbackMalformed, `need "import_id" and "status"`)
	}
	return s.advanceImport(ctx, c.Import, c.Status, c.Message)
}

// importTransition is the state machine of bank imports: a state may
// follow the current one as importNext says; repeating it changes nothing.
func importTransition(imp BankImport, status, message string) (string, string, error) {
	if imp.Status == status {
		return status, imp.Message, nil
	}
	if !contains(importNext[imp.Status], status) {
		return "", "", julo.Errorf(julo.ECONFLICT, "", i18n.CallbackTransition, status, imp.Status)
	}
	return status, message, nil
}

func (s *Service) advanceImport(ctx context.Context, ref, status, message string) error {
	err := s.store.AdvanceImport(ctx, ref, s.now(), func(imp BankImport) (string, string, error) {
		return importTransition(imp, status, message)
	})
	if julo.ErrorCode(err) == julo.ENOTFOUND {
		return julo.Errorf(julo.ENOTFOUND, "", i18n.CallbackUnknownTask, ref)
	}
	return err
}

// ExternalStatus is the partner-facing state of the optional steps.
type ExternalStatus struct {
	BankStatus map[string]string `json:"bank_status"`
	BPJSStatus string            `json:"bpjs_status"`
}

// ScrapingStatus returns, for each bank, whether its data is verified, not
// verified or being imported, and the same for BPJS.
func (s *Service) ScrapingStatus(ctx context.Context, p julo.Partner, xid string) (ExternalStatus, error) {
	app, err := s.application(ctx, p, xid)
	if err != nil {
		return ExternalStatus{}, err
	}
	return s.externalStatus(ctx, app.ID)
}

// externalStatus: a bank (or BPJS) is verified once any import (login)
// succeeded, so a later failed retry cannot hide it; ongoing while one runs.
func (s *Service) externalStatus(ctx context.Context, applicationID int64) (ExternalStatus, error) {
	now := s.now()
	// The sandbox scraper's planned progress takes effect when it is due,
	// through the same state machine as a vendor's callbacks.
	if err := s.store.ApplyDueImportEvents(ctx, applicationID, now, importTransition); err != nil {
		return ExternalStatus{}, err
	}
	st := ExternalStatus{BankStatus: map[string]string{}, BPJSStatus: NotVerified}
	banks, err := s.store.BankSummary(ctx, applicationID)
	if err != nil {
		return ExternalStatus{}, err
	}
	for _, b := range ImportBanks {
		switch {
		case banks[b].Verified:
			st.BankStatus[b] = Verified
		case banks[b].Ongoing:
			st.BankStatus[b] = Ongoing
		default:
			st.BankStatus[b] = NotVerified
		}
	}
	success, pending, err := s.store.BPJSSummary(ctx, applicationID, now.Add(-s.cfg.External.BPJSPendingFor))
	switch {
	case err != nil:
		return ExternalStatus{}, err
	case success:
		st.BPJSStatus = Verified
	case pending:
		st.BPJSStatus = Ongoing
	}
	return st, nil
}

// SandboxBPJSLogins are the documented test logins of the sandbox BPJS page.
var SandboxBPJSLogins = map[string]string{
	"sukses@bpjs.sandbox": BPJSSuccess,
	"gagal@bpjs.sandbox":  BPJSFailed,
}

// SandboxBPJSLogin completes a sandbox BPJS task from its login page: it
// signs the outcome as the vendor would and records it through BPJSCallback.
// An unknown test login changes nothing (EINVALID).
func (s *Service) SandboxBPJSLogin(ctx context.Context, token, email, password string) (string, error) {
	outcome, ok := SandboxBPJSLogins[strings.ToLower(strings.TrimSpace(email))]
	if !ok || password == "" {
		return "", julo.Errorf(julo.EINVALID, "username", i18n.CallbackMalformed, "use a sandbox test login: sukses@bpjs.sandbox or gagal@bpjs.sandbox, any password")
	}
	body, _ := json.Marshal(callbackBody{Task: token, Status: outcome, Message: "sandbox login"})
	sig := signCallback(s.cfg.External.BPJSCallbackSecret, s.now(), body)
	return outcome, s.BPJSCallback(ctx, sig, body)
}

// printable keeps at most max runes of s, dropping control and
// text-direction characters, so a vendor's message can be stored as is.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "") {
		if unicode.IsControl(r) || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' {
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
