package console

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/backoffice"
	"github.com/julo-partnership/julo/internal/julo"
)

func subtleEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// The login form has no session yet, so no session's CSRF token: SameSite
// Strict, the form-action CSP and an Origin check (a cross-site POST
// carries another origin, or none from a privacy-minded browser, which is
// refused too when a Sec-Fetch-Site header says cross-site) guard it; a
// forged login could only log the victim in as the attacker anyway.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		return o == "http://"+r.Host || o == "https://"+r.Host
	}
	return true
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "login", nil)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.fail(w, r, http.StatusForbidden, "console_csrf")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "console_bad_form")
		return
	}
	email := r.PostForm.Get("email")
	sid, sess, op, err := s.d.Office.Login(r.Context(), email, r.PostForm.Get("password"))
	if err != nil {
		msg := backoffice.Message(err)
		if msg == "" {
			s.internal(w, r, err)
			return
		}
		s.audit(r, op.ID, "login_failed", "", msg)
		status := http.StatusUnauthorized
		data := map[string]any{"Error": msg, "Email": backoffice.NormalizeEmail(email)}
		if julo.ErrorCode(err) == julo.ELOCKED {
			status = http.StatusTooManyRequests
			var e *julo.Error
			if asErr(err, &e) {
				w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
				data["RetryMinutes"] = int((e.RetryAfter + time.Minute - 1) / time.Minute)
			}
		}
		w.WriteHeader(status)
		s.render(w, r, "login", data)
		return
	}
	s.setCookie(w, sid)
	s.audit(r, op.ID, "login_password", "", string(sess.Stage))
	http.Redirect(w, r, stepURL(s.d.Office.NextStep(op, sess.Stage)), http.StatusSeeOther)
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request, u who) {
	if s.d.Office.NextStep(u.op, u.sess.Stage) != backoffice.StepTOTP {
		http.Redirect(w, r, stepURL(s.d.Office.NextStep(u.op, u.sess.Stage)), http.StatusSeeOther)
		return
	}
	s.render(w, r, "totp", map[string]any{"CSRF": u.sess.CSRF})
}

func (s *Server) totp(w http.ResponseWriter, r *http.Request, u who) {
	if s.d.Office.NextStep(u.op, u.sess.Stage) != backoffice.StepTOTP {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	stage, err := s.d.Office.VerifyTOTP(r.Context(), u.sid, u.op, r.PostForm.Get("code"))
	if err != nil {
		msg := backoffice.Message(err)
		if msg == "" {
			s.internal(w, r, err)
			return
		}
		s.audit(r, u.op.ID, "login_totp_failed", "", msg)
		if julo.ErrorCode(err) == julo.ELOCKED {
			_ = s.d.Office.Logout(r.Context(), u.sid)
			s.clearCookie(w)
			w.WriteHeader(http.StatusTooManyRequests)
			s.render(w, r, "login", map[string]any{"Error": msg})
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		s.render(w, r, "totp", map[string]any{"CSRF": u.sess.CSRF, "Error": msg})
		return
	}
	s.audit(r, u.op.ID, "login_totp", "", "")
	u.sess.Stage = stage
	s.next(w, r, u)
}

// next sends the operator to the login's next step, or home.
func (s *Server) next(w http.ResponseWriter, r *http.Request, u who) {
	op, err := s.d.Office.OperatorByID(r.Context(), u.op.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if u.sess.Stage == backoffice.StageFull {
		s.audit(r, u.op.ID, "login", "", "")
	}
	http.Redirect(w, r, stepURL(s.d.Office.NextStep(op, u.sess.Stage)), http.StatusSeeOther)
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, u who) {
	if u.sess.Stage != backoffice.StageFull && s.d.Office.NextStep(u.op, u.sess.Stage) != backoffice.StepChangePassword {
		http.Redirect(w, r, stepURL(s.d.Office.NextStep(u.op, u.sess.Stage)), http.StatusSeeOther)
		return
	}
	s.render(w, r, "password", map[string]any{"CSRF": u.sess.CSRF, "Forced": u.op.MustChange, "Min": backoffice.MinPasswordLen})
}

func (s *Server) password(w http.ResponseWriter, r *http.Request, u who) {
	if u.sess.Stage != backoffice.StageFull && s.d.Office.NextStep(u.op, u.sess.Stage) != backoffice.StepChangePassword {
		http.Redirect(w, r, stepURL(s.d.Office.NextStep(u.op, u.sess.Stage)), http.StatusSeeOther)
		return
	}
	if r.PostForm.Get("new") != r.PostForm.Get("confirm") {
		w.WriteHeader(http.StatusBadRequest)
		s.render(w, r, "password", map[string]any{"CSRF": u.sess.CSRF, "Forced": u.op.MustChange, "Min": backoffice.MinPasswordLen,
			"Error": "console_password_mismatch"})
		return
	}
	stage, err := s.d.Office.ChangePassword(r.Context(), u.sid, u.op, u.sess.Stage, r.PostForm.Get("current"), r.PostForm.Get("new"))
	if err != nil {
		msg := backoffice.Message(err)
		if msg == "" {
			s.internal(w, r, err)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		s.render(w, r, "password", map[string]any{"CSRF": u.sess.CSRF, "Forced": u.op.MustChange, "Min": backoffice.MinPasswordLen, "Error": msg})
		return
	}
	s.audit(r, u.op.ID, "password_changed", "operator:"+strconv.FormatInt(u.op.ID, 10), "")
	u.sess.Stage = stage
	s.next(w, r, u)
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request, u who) {
	if u.sess.Stage != backoffice.StageFull && s.d.Office.NextStep(u.op, u.sess.Stage) != backoffice.StepEnrolTOTP {
		http.Redirect(w, r, stepURL(s.d.Office.NextStep(u.op, u.sess.Stage)), http.StatusSeeOther)
		return
	}
	data := map[string]any{"CSRF": u.sess.CSRF, "Enabled": u.op.TOTPEnabled, "Required": s.d.Office.TOTPRequired(u.op)}
	if !u.op.TOTPEnabled {
		secret, err := s.d.Office.BeginTOTP(r.Context(), u.op)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		data["Secret"] = backoffice.TOTPSecretText(secret)
		data["URI"] = backoffice.TOTPURI("JULO console", u.op.Email, secret)
	}
	s.render(w, r, "enrol", data)
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request, u who) {
	if u.sess.Stage != backoffice.StageFull && s.d.Office.NextStep(u.op, u.sess.Stage) != backoffice.StepEnrolTOTP {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	stage, err := s.d.Office.ConfirmTOTP(r.Context(), u.sid, u.op, u.sess.Stage, r.PostForm.Get("code"))
	if err != nil {
		msg := backoffice.Message(err)
		if msg == "" {
			s.internal(w, r, err)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		s.render(w, r, "enrol", map[string]any{"CSRF": u.sess.CSRF, "Error": msg, "Secret": backoffice.TOTPSecretText(u.op.TOTPSecret),
			"URI": backoffice.TOTPURI("JULO console", u.op.Email, u.op.TOTPSecret), "Required": s.d.Office.TOTPRequired(u.op)})
		return
	}
	s.audit(r, u.op.ID, "totp_enrolled", "operator:"+strconv.FormatInt(u.op.ID, 10), "")
	u.sess.Stage = stage
	s.next(w, r, u)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, u who) {
	if err := s.d.Office.Logout(r.Context(), u.sid); err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r, u.op.ID, "logout", "", "")
	s.clearCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request, u who) {
	n, err := s.d.Office.LogoutEverywhere(r.Context(), u.op.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r, u.op.ID, "logout_everywhere", "", strconv.Itoa(n)+" sessions")
	s.clearCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
