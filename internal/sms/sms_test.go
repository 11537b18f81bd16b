package sms

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/onboarding"
)

type outbox struct{ got []onboarding.SMS }

func (o *outbox) PutSMS(_ context.Context, m onboarding.SMS, _ time.Time) error {
	o.got = append(o.got, m)
	return nil
}

func TestLogMasksTheCodeAndPhoneUnlessAskedToReveal(t *testing.T) {
	m := onboarding.SMS{To: "+6281234567899", Text: "JULO: kode OTP Anda 482915, JANGAN berikan", Secret: "482915"}
	var buf bytes.Buffer
	box := &outbox{}
	prod := &Log{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	if err := prod.SendSMS(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "482915") || strings.Contains(buf.String(), "81234567899") || !strings.Contains(buf.String(), "******") {
		t.Fatalf("production log: %s", buf.String())
	}
	buf.Reset()
	sandbox := &Log{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Outbox: box, RevealSecret: true}
	sandbox.SendSMS(context.Background(), m)
	if !strings.Contains(buf.String(), "482915") || len(box.got) != 1 || box.got[0].Text != m.Text {
		t.Fatalf("sandbox: log %s, outbox %+v", buf.String(), box.got)
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{"+6281234567899": "+62812*****899", "+628123": "*******", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
