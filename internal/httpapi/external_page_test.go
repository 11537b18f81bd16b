package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/julo-partnership/julo/internal/i18n"
)

// The sandbox BPJS page is worded from the catalogue in the caller's
// language, Indonesian by default, and escapes what the request brought.
func TestSandboxBPJSPageIsWordedInTheCallersLanguage(t *testing.T) {
	s := &Server{}
	for _, tc := range []struct {
		accept string
		lang   i18n.Lang
	}{{"", i18n.ID}, {"id-ID", i18n.ID}, {"en-US,en;q=0.9", i18n.EN}} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/api/partnership/v1/sandbox/bpjs/login?task=a%22%3Cb", nil)
		r.Header.Set("Accept-Language", tc.accept)
		s.handleSandboxBPJSPage().ServeHTTP(w, r)
		page := w.Body.String()
		for _, want := range []string{
			`<html lang="` + tc.lang.Tag() + `">`,
			"<title>" + i18n.T(tc.lang, i18n.BPJSPageTitle) + "</title>",
			"<h1>" + i18n.T(tc.lang, i18n.BPJSPageHeading) + "</h1>",
			`<label for="password">` + i18n.T(tc.lang, i18n.BPJSPagePassword) + "</label>",
			`<button type="submit">` + i18n.T(tc.lang, i18n.BPJSPageSubmit) + "</button>",
			`<p class="note">` + i18n.T(tc.lang, i18n.BPJSPageNote, "<b>sukses@bpjs.sandbox</b>", "<b>gagal@bpjs.sandbox</b>") + "</p>",
			`name="task" value="a&#34;&lt;b"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("Accept-Language %q: no %q in\n%s", tc.accept, want, page)
			}
		}
		if w.Code != 200 || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%d %q", w.Code, w.Header().Get("Content-Type"))
		}
	}
}
