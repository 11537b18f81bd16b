package httpapi

import (
	"errors"
	"html/template"
	"io"
	"net/http"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

func (s *Server) handleBPJSLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.svc.BPJSLoginURL(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), r.PathValue("app_type"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}

func (s *Server) handleBankImport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in onboarding.BankImportInput
		if !decode(w, r, &in) {
			return
		}
		out, err := s.svc.StartBankImport(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), in)
		if err != nil {
			fail(w, r, err)
			return
		}
		// Errata 26: the envelope, with the four documented keys also at
		// the top level, so partners coded to either shape work.
		writeJSON(w, http.StatusCreated, struct {
			envelope
			onboarding.BankImportStarted
		}{envelope{Success: true, Data: out, Errors: []string{}}, out})
	})
}

func (s *Server) handleScrapingStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.svc.ScrapingStatus(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, out)
	})
}

// handleVendorCallback serves a vendor's signed callback. Vendors do not
// send partner headers: the signature over the raw body authenticates them.
func (s *Server) handleVendorCallback(process func(svc *onboarding.Service) func(r *http.Request, sig string, body []byte) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, r, bodyErr(err, i18n.MalformedJSON))
			return
		}
		if err := process(s.svc)(r, r.Header.Get("X-Julo-Signature"), body); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

func bpjsCallback(svc *onboarding.Service) func(*http.Request, string, []byte) error {
	return func(r *http.Request, sig string, body []byte) error { return svc.BPJSCallback(r.Context(), sig, body) }
}

func bankCallback(svc *onboarding.Service) func(*http.Request, string, []byte) error {
	return func(r *http.Request, sig string, body []byte) error { return svc.BankCallback(r.Context(), sig, body) }
}

// The sandbox BPJS login page: what the customer sees instead of the
// vendor's page. Its task token (unguessable) is what authorises it, as the
// vendor's page is reached without partner headers.
var bpjsPage = template.Must(template.New("bpjs").Parse(`<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>BPJS Ketenagakerjaan - sandbox</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem}.note{color:#555;font-size:.9rem}
.err{color:#b00}.ok{color:#070}</style></head><body>
<h1>Login BPJS (sandbox)</h1>
{{if .Done}}<p class="{{if eq .Outcome "success"}}ok{{else}}err{{end}}" id="outcome">{{.Done}}</p><p>Anda boleh menutup halaman ini.</p>
{{else}}
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/api/partnership/v1/sandbox/bpjs/login">
<input type="hidden" name="task" value="{{.Task}}">
<label for="username">Email</label><input id="username" name="username" type="email" autocomplete="off" required>
<label for="password">Kata sandi</label><input id="password" name="password" type="password" autocomplete="off" required>
<button type="submit">Masuk</button></form>
<p class="note">Sandbox: <b>sukses@bpjs.sandbox</b> berhasil, <b>gagal@bpjs.sandbox</b> gagal; kata sandi apa saja.</p>
{{end}}</body></html>`))

type bpjsPageData struct {
	Task, Error, Done, Outcome string
}

func renderBPJSPage(w http.ResponseWriter, status int, d bpjsPageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	bpjsPage.Execute(w, d)
}

func (s *Server) handleSandboxBPJSPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renderBPJSPage(w, http.StatusOK, bpjsPageData{Task: r.URL.Query().Get("task")})
	})
}

func (s *Server) handleSandboxBPJSSubmit() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			renderBPJSPage(w, http.StatusBadRequest, bpjsPageData{Error: "Formulir tidak valid"})
			return
		}
		task := r.PostForm.Get("task")
		outcome, err := s.svc.SandboxBPJSLogin(r.Context(), task, r.PostForm.Get("username"), r.PostForm.Get("password"))
		lang := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
		if err != nil {
			var e *julo.Error
			if !errors.As(err, &e) || e.Code == julo.EINTERNAL || len(e.Problems) == 0 {
				info := infoFrom(r.Context())
				info.log.ErrorContext(r.Context(), "internal error", "request_id", info.id, "error", err)
				renderBPJSPage(w, http.StatusInternalServerError, bpjsPageData{Task: task, Error: i18n.T(lang, i18n.Internal, info.id)})
				return
			}
			renderBPJSPage(w, statusOf[e.Code], bpjsPageData{Task: task, Error: i18n.T(lang, e.Problems[0].Msg, e.Problems[0].Args...)})
			return
		}
		done := "Login BPJS berhasil: data BPJS terverifikasi."
		if outcome != onboarding.BPJSSuccess {
			done = "Login BPJS gagal: email atau kata sandi salah."
		}
		renderBPJSPage(w, http.StatusOK, bpjsPageData{Done: done, Outcome: outcome})
	})
}
