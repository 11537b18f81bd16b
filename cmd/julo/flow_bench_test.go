package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkOnboardingFlow measures one whole onboarding over HTTP against
// the real program (SQLite in a temp dir; PostgreSQL with
// JULO_BENCH_DATABASE_URL): register (an argon2id PIN hash), send OTP, read
// the sandbox outbox, validate OTP, upload two images, complete the data.
//
//	go test -run x -bench OnboardingFlow -benchtime 50x ./cmd/julo
func BenchmarkOnboardingFlow(b *testing.B) {
	data := b.TempDir()
	db := os.Getenv("JULO_BENCH_DATABASE_URL")
	// A nonce keeps names, NIKs, emails and phones apart from earlier runs
	// on the same (PostgreSQL) database.
	run := time.Now().UnixNano()
	partner := fmt.Sprintf("bench-%d", run)
	// Generous budgets: a partner's defaults would throttle the flow (50
	// requests per second), and this measures the server, not the budget.
	env := func(k string) string { return generousBudgets[k] }
	var out bytes.Buffer
	if err := runWith(context.Background(), []string{"partner", "create", partner, "--data", data, "--database-url", db}, env, &out, io.Discard, hooks{}); err != nil {
		b.Fatal(err)
	}
	var p struct {
		SecretKey string `json:"secret_key"`
	}
	json.Unmarshal(out.Bytes(), &p)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logBuffer{lines: make(chan string, 16)}
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--database-url", db}, env, io.Discard, logs, hooks{})
	}()
	defer func() { cancel(); <-done }()
	var base string
	for base == "" {
		select {
		case line := <-logs.lines:
			var m struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "listening" {
				base = "http://" + m.Addr + "/api/partnership/v1"
			}
		case err := <-done:
			b.Fatal(err)
		}
	}
	call := func(method, path, ct string, body []byte, want int) []byte {
		r, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		r.Header.Set("username", partner)
		r.Header.Set("secret-key", p.SecretKey)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
		}
		return got
	}
	img := pngBytes(b)
	upload := func(xid, typ string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("image_type", typ)
		f, _ := w.CreateFormFile("upload", typ+".png")
		f.Write(img)
		w.Close()
		call("POST", "/applications/"+xid+"/images", w.FormDataContentType(), buf.Bytes(), 200)
	}
	code := regexp.MustCompile(`\b\d{6}\b`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := int(run%1e7)*1000 + i
		// Born 1992-01-01, a man, as the body says; regency and district
		// codes from the nonce, the serial from i.
		nik := fmt.Sprintf("31%02d%02d010192%04d", 1+run%99, 1+(run/99)%99, i%9999+1)
		phone := fmt.Sprintf("0853%08d", n%1e8)
		reg := call("POST", "/customer", "application/json", []byte(fmt.Sprintf(
			`{"username": %q, "pin": "482915", "email": "b%d@test.com", "latitude": -6.2, "longitude": 106.8}`, nik, n)), 201)
		var d struct {
			Data struct {
				XID int64 `json:"application_xid"`
			}
		}
		json.Unmarshal(reg, &d)
		xid := strconv.FormatInt(d.Data.XID, 10)
		upload(xid, "ktp_self")
		upload(xid, "selfie")
		call("POST", "/application/otp/"+xid, "application/json", []byte(`{"phone": "`+phone+`"}`), 200)
		otp := code.FindString(string(call("GET", "/sandbox/sms?phone="+phone, "", nil, 200)))
		call("POST", "/application/otp/validate/"+xid, "application/json", []byte(`{"otp_token": "`+otp+`"}`), 200)
		body := strings.Replace(docCompleteBody, `"085330838909"`, `"`+phone+`"`, 1)
		call("PATCH", "/applications/"+xid, "application/json", []byte(body), 200)
	}
}
