package onboarding

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
)

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
