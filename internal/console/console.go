// Package console is the lender's operator console (issue 15): a small,
// server-rendered web application on a listener of its own, never on the
// partner API's port. Pages are html/template with embedded assets under a
// strict Content-Security-Policy (no script at all, no inline style,
// nothing from elsewhere, frame-ancestors 'none'); every form is a plain
// labelled HTML form carrying the session's CSRF token, so the console
// works from the keyboard and without JavaScript.
//
// Operators, sessions, the audit log and maker-checker are the back
// office's (internal/backoffice); decisions are the credit service's; what
// the pages show comes through the Reads port, which the store implements
// (cmd/julo wires it). The console never imports the partner API.
package console

import (
	"context"
	"embed"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/credit"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Reads is what the pages read from the store.
type Reads interface {
	ConsoleStatusCounts(ctx context.Context) (map[int]int, error)
	ConsoleApplications(ctx context.Context, f backoffice.ApplicationFilter) ([]backoffice.ApplicationRow, error)
	ConsoleLookup(ctx context.Context, kind, value string) ([]int64, error)
	ConsoleFunnel(ctx context.Context, since time.Time) ([]backoffice.FunnelStep, error)
	ConsoleFailedDeliveries(ctx context.Context, limit int) ([]backoffice.FailedDelivery, error)
	// ConsoleApplication is an application's page: the customer's data
	// opened (the console masks it for viewers), its history, images,
	// events and decisions.
	ConsoleApplication(ctx context.Context, xid int64) (ApplicationView, error)
	// ConsoleImage opens an image of an application; the caller closes it.
	ConsoleImage(ctx context.Context, xid, imageID int64) (contentType string, body io.ReadCloser, err error)
}

// Decider is the credit service's operator decisions.
type Decider interface {
	Decide(ctx context.Context, xid int64, od credit.OperatorDecision) (credit.Decision, error)
}

// Moves are the operator's decisions that neither grant nor refuse
// credit: a request for documents, a return to review.
type Moves interface {
	RequestDocuments(ctx context.Context, xid int64, n credit.OperatorNote) (credit.Decision, error)
	SendBackToReview(ctx context.Context, xid int64, n credit.OperatorNote) (credit.Decision, error)
}

// Reviewer decides customers' review requests at 135.
type Reviewer interface {
	DecideReview(ctx context.Context, xid int64, rd credit.ReviewDecision) (credit.Decision, error)
}

// Partners are the partner administration's operations (as `julo
// partner` does them).
type Partners interface {
	ListPartners(ctx context.Context) ([]onboarding.PartnerSummary, error)
	// CreatePartner returns the partner's first secret, shown once.
	CreatePartner(ctx context.Context, username string) (string, error)
	SetPartnerDisabled(ctx context.Context, username string, disabled bool) error
	// RotatePartnerSecret returns the new secret, shown once; the previous
	// one keeps working.
	RotatePartnerSecret(ctx context.Context, username string) (string, error)
}

// CustomerRights are the data-protection operations on an application's
// customer (as `julo customer export|erase` do).
type CustomerRights interface {
	// ExportCustomer is everything held about the customer, as JSON.
	ExportCustomer(ctx context.Context, xid int64) ([]byte, error)
	// EraseCustomer crypto-shreds the customer's personal data and returns
	// the erasure's id; a refusal (an active credit line) is a *julo.Error
	// with its message id.
	EraseCustomer(ctx context.Context, xid int64) (int64, error)
}

// ApplicationView is what an application's page shows.
type ApplicationView struct {
	XID        int64
	Partner    string
	Status     julo.AppStatus
	CreatedAt  time.Time
	UpdatedAt  time.Time
	NIK, Email string
	// From the complete step ("" before it).
	Fullname, Phone, BankName, BankAccount string
	History                                []HistoryItem
	Images                                 []ImageItem
	Events                                 []EventItem
	External                               []ExternalItem // BPJS and bank outcomes
	VerifiedPhones                         int
	Decisions                              []credit.Decision
	ReviewRequests                         []ReviewItem
}

// HistoryItem is one status change.
type HistoryItem struct {
	From *julo.AppStatus
	To   julo.AppStatus
	At   time.Time
}

// ImageItem is one stored image.
type ImageItem struct {
	ID          int64
	Type        string
	ContentType string
	Size        int64
	CreatedAt   time.Time
	Superseded  bool
}

// EventItem is one event of the application.
type EventItem struct {
	Type       string
	Sequence   int64
	OccurredAt time.Time
}

// ExternalItem is a BPJS task or bank import.
type ExternalItem struct {
	Kind, Status string
	CreatedAt    time.Time
}

// ReviewItem is a customer's review request (its reason is the
// customer's text: shown unmasked only).
type ReviewItem struct {
	Reason      string
	RequestedAt time.Time
	Resolution  string
}

// Config is the console's settings.
type Config struct {
	// Production: cookies are Secure (the console is then served behind
	// TLS) and the page says which environment it is.
	Production bool
	Env        string
	Log        *slog.Logger
}

// Deps is what the console needs.
type Deps struct {
	Office   *backoffice.Service
	Reads    Reads
	Decider  Decider
	Moves    Moves
	Reviewer Reviewer
	Rights   CustomerRights
	Partners Partners
	Policy   credit.Policy
	Config   Config
	// The loans' pages and operations, the partners' pages and
	// redeliveries.
	LoanReads    LoanReads
	Lender       Lender
	PartnerReads PartnerReads
	Callbacks    Callbacks
}

// Server is the console's HTTP handler.
type Server struct {
	d    Deps
	tmpl map[string]*template.Template
	mux  *http.ServeMux
	log  *slog.Logger
}

// cookieName: __Host- makes the browser refuse the cookie unless it is
// Secure, for the path /, without a Domain; over plain HTTP (the sandbox on
// 127.0.0.1) the prefix cannot be used, so the sandbox's cookie is named
// without it.
func (s *Server) cookieName() string {
	if s.d.Config.Production {
		return "__Host-julo_console"
	}
	return "julo_console"
}

// New returns the console.
func New(d Deps) (*Server, error) {
	s := &Server{d: d, mux: http.NewServeMux(), log: d.Config.Log}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) parseTemplates() error {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	s.tmpl = map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
		if err != nil {
			return err
		}
		s.tmpl[name] = t
	}
	return nil
}

// csp is the console's Content-Security-Policy: nothing but its own
// stylesheet and images; no script at all; forms post only to itself.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP sets the security headers of every answer and serves.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if s.d.Config.Production {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

// ctxKey carries the request's operator.
type ctxKey struct{}

type who struct {
	sid  string
	sess backoffice.Session
	op   backoffice.Operator
}

func current(r *http.Request) who { w, _ := r.Context().Value(ctxKey{}).(who); return w }

// remote is the request's peer address (the console is not behind a
// proxy that we trust to say otherwise).
func remote(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// page wraps a handler: a live session of a full login, at least min's
// role, and on a POST the session's CSRF token; the refusals are the
// console's own pages.
func (s *Server) page(min backoffice.Role, h func(http.ResponseWriter, *http.Request, who)) http.HandlerFunc {
	return s.session(false, func(w http.ResponseWriter, r *http.Request, u who) {
		if !u.op.Role.AtLeast(min) {
			s.audit(r, u.op.ID, "forbidden", r.Method+" "+r.URL.Path, "")
			s.fail(w, r, http.StatusForbidden, "console_forbidden")
			return
		}
		h(w, r, u)
	})
}

// session loads the session; partial lets a session at StagePassword in
// (the login's later steps).
func (s *Server) session(partial bool, h func(http.ResponseWriter, *http.Request, who)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie(s.cookieName())
		sid := ""
		if c != nil {
			sid = c.Value
		}
		sess, op, err := s.d.Office.Session(r.Context(), sid)
		if err != nil {
			if julo.ErrorCode(err) == julo.EUNAUTHORIZED {
				s.clearCookie(w)
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/login", http.StatusSeeOther)
					return
				}
				s.fail(w, r, http.StatusUnauthorized, backoffice.MsgSessionEnded)
				return
			}
			s.internal(w, r, err)
			return
		}
		u := who{sid: sid, sess: sess, op: op}
		if r.Method == http.MethodPost && !validCSRF(r, sess.CSRF) {
			s.audit(r, op.ID, "csrf_refused", r.URL.Path, "")
			s.fail(w, r, http.StatusForbidden, "console_csrf")
			return
		}
		if sess.Stage != backoffice.StageFull && !partial {
			http.Redirect(w, r, stepURL(s.d.Office.NextStep(op, sess.Stage)), http.StatusSeeOther)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, u)), u)
	}
}

func stepURL(step string) string {
	switch step {
	case backoffice.StepTOTP:
		return "/login/totp"
	case backoffice.StepChangePassword:
		return "/account/password"
	case backoffice.StepEnrolTOTP:
		return "/account/totp"
	}
	return "/"
}

func (s *Server) setCookie(w http.ResponseWriter, sid string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: sid, Path: "/", HttpOnly: true, Secure: s.d.Config.Production,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.d.Office.Policy().Absolute / time.Second)})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", HttpOnly: true, Secure: s.d.Config.Production,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// audit appends to the audit log; a failure to is logged (never the
// operator's data) and fails nothing the operator already saw.
func (s *Server) audit(r *http.Request, operatorID int64, action, target, detail string) {
	if err := s.d.Office.Audit(r.Context(), operatorID, action, target, detail, remote(r)); err != nil {
		s.log.Error("console audit", "action", action, "error", err.Error())
	}
}

// mustAudit is audit for what must not happen unrecorded (an unmasked
// view): false when the line could not be written.
func (s *Server) mustAudit(w http.ResponseWriter, r *http.Request, operatorID int64, action, target string) bool {
	if err := s.d.Office.Audit(r.Context(), operatorID, action, target, "", remote(r)); err != nil {
		s.internal(w, r, err)
		return false
	}
	return true
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("console", "path", r.URL.Path, "error", err.Error())
	s.fail(w, r, http.StatusInternalServerError, "console_internal")
}

// fail renders the console's error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.WriteHeader(status)
	s.render(w, r, "error", map[string]any{"Status": status, "Message": msg})
}

// render executes a page with the layout's data.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data map[string]any) {
	t := s.tmpl[name]
	if t == nil {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	u := current(r)
	data["Env"] = s.d.Config.Env
	if u.op.ID != 0 && u.sess.Stage == backoffice.StageFull {
		data["Operator"] = u.op
		data["CSRF"] = u.sess.CSRF
	}
	if _, ok := data["CSRF"]; !ok && u.sess.CSRF != "" {
		data["CSRF"] = u.sess.CSRF
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := t.Execute(w, data); err != nil {
		s.log.Error("console render", "page", name, "error", err.Error())
	}
}

func validCSRF(r *http.Request, want string) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	got := r.PostForm.Get("csrf")
	return want != "" && len(got) == len(want) && subtleEq(got, want)
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}
