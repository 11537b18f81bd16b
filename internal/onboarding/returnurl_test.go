package onboarding

import "testing"

// A return-URL prefix is stored in one canonical form, and a redirect_url
// matches it only on the same scheme and host with the prefix's path at
// its start: nothing a browser could read as another host gets through.
func TestReturnURLPrefixesMatchOnlyTheirOwnHostAndPath(t *testing.T) {
	for raw, want := range map[string]string{
		"https://App.Example/bpjs/": "https://app.example/bpjs/",
		" https://app.example":      "https://app.example/",
		"acmeapp://bpjs":            "acmeapp://bpjs/",
		"https://app.example:8443/": "https://app.example:8443/",
		"https://app.example/a%20b": "https://app.example/a%20b",
		"app.example/bpjs":          "",
		"https://app.example/?x=1":  "",
		"https://app.example/?":     "",
		"https://app.example/#top":  "",
		"https://u:p@app.example/":  "",
		"javascript://app.example/": "",
		"data://app.example/":       "",
		"mailto:ops@app.example":    "",
		"https:///bpjs":             "",
		"https://app.example\\x/":   "",
		"":                          "",
	} {
		got, ok := normalizePrefix(raw)
		if ok != (want != "") || got != want {
			t.Errorf("normalizePrefix(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	prefixes := []string{"https://app.example/bpjs/", "acmeapp://bpjs/", "https://other.example/"}
	for redirect, want := range map[string]bool{
		"https://app.example/bpjs/":             true,
		"https://APP.example/bpjs/done?x=1#top": true,
		"acmeapp://bpjs/result":                 true,
		"https://other.example/":                true,
		"https://other.example":                 true, // the host's root is its path "/"
		"https://app.example/bpjs":              false,
		"https://app.example/BPJS/":             false,
		"https://app.example/other/bpjs/":       false,
		"https://app.example.evil.com/bpjs/":    false,
		"https://app.example@evil.com/bpjs/":    false,
		"https://evil.com@app.example/bpjs/":    false,
		"https://app.example\\@evil.com/bpjs/":  false,
		"https://app.example/bpjs/ x":           false,
		"https://app.example/bpjs/\n":           false,
		"https://app.example:443/bpjs/":         false,
		"http://app.example/bpjs/":              false,
		"//app.example/bpjs/":                   false,
		"/bpjs/":                                false,
		"javascript:alert(1)":                   false,
		"acmeapp:bpjs/":                         false,
		"https://other.example.evil.com/":       false,
		"":                                      false,
	} {
		if got := returnURLAllowed(prefixes, redirect); got != want {
			t.Errorf("returnURLAllowed(%q) = %v, want %v", redirect, got, want)
		}
	}
}

// The way back adds bpjs_status to the query the partner wrote, before any
// fragment.
func TestWithBPJSStatusKeepsThePartnersURL(t *testing.T) {
	for u, want := range map[string]string{
		"https://a.example/done":         "https://a.example/done?bpjs_status=success",
		"https://a.example/done?x=1":     "https://a.example/done?x=1&bpjs_status=success",
		"https://a.example/done?":        "https://a.example/done?bpjs_status=success",
		"https://a.example/done?x=1#top": "https://a.example/done?x=1&bpjs_status=success#top",
		"acmeapp://bpjs/result#/a?b=c":   "acmeapp://bpjs/result?bpjs_status=success#/a?b=c",
		"":                               "",
	} {
		if got := withBPJSStatus(u, BPJSSuccess); got != want {
			t.Errorf("withBPJSStatus(%q) = %q, want %q", u, got, want)
		}
	}
}
