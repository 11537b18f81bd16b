package httpapi

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

func (s *Server) handleBPJSLogin(ext ExternalData) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in bpjsLoginRequest
		if !decode(w, r, &in) {
			return
		}
		out, err := ext.BPJSLoginURL(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), in.input(r.PathValue("app_type")))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}

func (s *Server) handleBankImport(ext ExternalData) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in bankImportRequest
		if !decode(w, r, &in) {
			return
		}
		started, err := ext.StartBankImport(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), in.domain())
		if err != nil {
			fail(w, r, err)
			return
		}
		// Errata 26: the envelope, with the four documented keys also at
		// the top level, so partners coded to either shape work.
		out := bankImportJSON(started)
		writeJSON(w, http.StatusCreated, struct {
			envelope
			bankImportJSON
		}{envelope{Success: true, Data: out, Errors: []string{}}, out})
	})
}

func (s *Server) handleScrapingStatus(ext ExternalData) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := ext.ScrapingStatus(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newExternalStatusJSON(out))
	})
}

// handleVendorCallback serves a vendor's signed callback with process (one
// of VendorCallbacks' methods). Vendors do not send partner headers: the
// signature over the raw body authenticates them.
func (s *Server) handleVendorCallback(process func(ctx context.Context, signature string, body []byte) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, r, bodyErr(err, i18n.MalformedJSON))
			return
		}
		if err := process(r.Context(), r.Header.Get("X-Julo-Signature"), body); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

// The sandbox BPJS login page: what the customer sees instead of the
// vendor's page. Its task token (unguessable) is what authorises it, as the
// vendor's page is reached without partner headers. Its wording is the
// catalogue's (catalogue_bpjs_page.go, catalogue_bpjs_return.go), in the
// caller's language. After a login, a task with a redirect_url sends the
// customer back to the partner's app (a refresh and a link: a form's
// redirect elsewhere would break its form-action policy); without one, a
// failed login shows the form again, to try again on the same URL.
var bpjsPage = template.Must(template.New("bpjs").Parse(`<!doctype html>
<html lang="{{.T.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{{if .Return}}<meta http-equiv="refresh" content="{{.Refresh}}">{{end}}
<title>{{.T.Title}}</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem}.note{color:#555;font-size:.9rem}
.err{color:#b00}.ok{color:#070}</style></head><body>
<h1>{{.T.Heading}}</h1>
{{if .Done}}<p class="{{if eq .Outcome "success"}}ok{{else}}err{{end}}" id="outcome">{{.Done}}</p>
{{if .Return}}<p><a id="return" href="{{.Return}}">{{.T.Return}}</a></p>{{else}}<p>{{.T.Close}}</p>{{end}}
{{else}}
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/api/partnership/v1/sandbox/bpjs/login">
<input type="hidden" name="task" value="{{.Task}}">
<label for="username">{{.T.Email}}</label><input id="username" name="username" type="email" autocomplete="off" required>
<label for="password">{{.T.Password}}</label><input id="password" name="password" type="password" autocomplete="off" required>
<button type="submit">{{.T.Submit}}</button></form>
<p class="note">{{.T.Note}}</p>
{{end}}</body></html>`))

type bpjsPageData struct {
	Task, Error, Done, Outcome string
	// Return is where the customer goes back to: a redirect_url checked
	// against the partner's registered prefixes when the login URL was
	// issued (so trusted as a URL, whatever its app scheme).
	Return  template.URL
	Refresh string       // the refresh's content: "2;url=<Return>"
	T       bpjsPageText // set by renderBPJSPage
}

// bpjsPageText is the page's fixed wording in one language.
type bpjsPageText struct {
	Lang                                                   string // the lang attribute
	Title, Heading, Email, Password, Submit, Close, Return string
	Note                                                   template.HTML
}

func bpjsText(l i18n.Lang) bpjsPageText {
	// The catalogue's text is escaped; only the test logins are markup.
	note := template.HTML(fmt.Sprintf(template.HTMLEscapeString(i18n.Format(l, i18n.BPJSPageNote)),
		"<b>sukses@bpjs.sandbox</b>", "<b>gagal@bpjs.sandbox</b>"))
	return bpjsPageText{
		Lang: l.Tag(), Title: i18n.T(l, i18n.BPJSPageTitle), Heading: i18n.T(l, i18n.BPJSPageHeading),
		Email: i18n.T(l, i18n.BPJSPageEmail), Password: i18n.T(l, i18n.BPJSPagePassword),
		Submit: i18n.T(l, i18n.BPJSPageSubmit), Close: i18n.T(l, i18n.BPJSPageClose),
		Return: i18n.T(l, i18n.BPJSPageReturn), Note: note,
	}
}

// renderBPJSPage writes the page with d, worded in r's language.
func renderBPJSPage(w http.ResponseWriter, r *http.Request, status int, d bpjsPageData) {
	d.T = bpjsText(i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")))
	if d.Return != "" {
		d.Refresh = "2;url=" + string(d.Return)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page takes a password: no other site may frame it (clickjacking),
	// in CSP and in the older header for browsers without frame-ancestors.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	bpjsPage.Execute(w, d)
}

func (s *Server) handleSandboxBPJSPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renderBPJSPage(w, r, http.StatusOK, bpjsPageData{Task: r.URL.Query().Get("task")})
	})
}

func (s *Server) handleSandboxBPJSSubmit(sb Sandbox) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
		if err := r.ParseForm(); err != nil {
			renderBPJSPage(w, r, http.StatusBadRequest, bpjsPageData{Error: i18n.T(lang, i18n.BPJSPageBadForm)})
			return
		}
		task := r.PostForm.Get("task")
		out, err := sb.SandboxBPJSLogin(r.Context(), task, r.PostForm.Get("username"), r.PostForm.Get("password"))
		if err != nil {
			var e *julo.Error
			if !errors.As(err, &e) || e.Code == julo.EINTERNAL || len(e.Problems) == 0 {
				info := infoFrom(r.Context())
				info.log.ErrorContext(r.Context(), "internal error", "request_id", info.id, "error", err)
				renderBPJSPage(w, r, http.StatusInternalServerError, bpjsPageData{Task: task, Error: i18n.T(lang, i18n.Internal, info.id)})
				return
			}
			renderBPJSPage(w, r, statusOf[e.Code], bpjsPageData{Task: task, Error: i18n.T(lang, e.Problems[0].Msg, e.Problems[0].Args...)})
			return
		}
		switch {
		case out.Outcome == onboarding.BPJSSuccess:
			renderBPJSPage(w, r, http.StatusOK, bpjsPageData{Done: i18n.T(lang, i18n.BPJSPageSucceeded), Outcome: out.Outcome,
				Return: template.URL(out.RedirectURL)})
		case out.RedirectURL != "":
			renderBPJSPage(w, r, http.StatusOK, bpjsPageData{Done: i18n.T(lang, i18n.BPJSPageFailed), Outcome: out.Outcome,
				Return: template.URL(out.RedirectURL)})
		default:
			// Without a way back, the customer tries again here.
			renderBPJSPage(w, r, http.StatusOK, bpjsPageData{Task: task, Error: i18n.T(lang, i18n.BPJSPageTryAgain)})
		}
	})
}
