package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Settings that would silently weaken the server stop it before it listens.
func TestServeRefusesUnsafeOrBrokenSettings(t *testing.T) {
	prod := map[string]string{"JULO_ENV": "production", "JULO_SMS_PROVIDER": "log"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	secret := strings.Repeat("s", 32)
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"timeout that does not parse": {map[string]string{"JULO_SMS_TIMEOUT": "abc"}, nil, `JULO_SMS_TIMEOUT="abc" is not a duration`},
		"zero timeout":                {nil, []string{"--sms-timeout", "0"}, "must be more than 0"},
		"size that does not parse":    {map[string]string{"JULO_MAX_BODY_BYTES": "1MB"}, nil, `JULO_MAX_BODY_BYTES="1MB" is not a whole number`},
		"vendor chosen by URL without its secret": {with(prod, "JULO_SCRAPER_URL", "https://scraper.example/jobs"), nil,
			"JULO_SCRAPER_CALLBACK_SECRET"},
		"BPJS vendor without its secret": {with(prod, "JULO_BPJS_LOGIN_URL", "https://bpjs.example/login"), nil, "JULO_BPJS_CALLBACK_SECRET"},
		"credentials over plain http": {with(prod, "JULO_SCRAPER_URL", "http://scraper.example/jobs", "JULO_SCRAPER_CALLBACK_SECRET", secret), nil,
			"JULO_SCRAPER_URL must be https://"},
		"OTP codes over plain http": {with(prod, "JULO_SMS_PROVIDER", "webhook", "JULO_SMS_WEBHOOK_URL", "http://sms.example"), nil,
			"must be https:// in production"},
		"sandbox provider in production": {with(prod, "JULO_BPJS_PROVIDER", "sandbox"), nil, "not allowed in production"},
		"unknown provider":               {map[string]string{"JULO_SCRAPER_PROVIDER": "magic"}, nil, `use sandbox or vendor`},
		"idempotency keys kept too long": {nil, []string{"--idempotency-keep", "200h"}, "--idempotency-keep 200h0m0s: use 1m to 168h"},
		"idempotency window unparsed":    {map[string]string{"JULO_IDEMPOTENCY_KEEP": "1d"}, nil, `JULO_IDEMPOTENCY_KEEP="1d" is not a duration`},
	} {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, tc.args...)
			err := run(context.Background(), args, func(k string) string { return tc.env[k] }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
