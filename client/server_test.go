package client_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/client"
	// Test-only, for a fresh PostgreSQL database: the client package
	// itself imports nothing of the server.
	"github.com/julo-partnership/julo/internal/store/storetest"
)

// The tests run the real server: TestMain builds cmd/julo, creates a
// partner with `julo partner create`, and starts `julo serve` on
// 127.0.0.1:0 (SQLite in a temp data dir; with JULO_TEST_DATABASE_URL a
// fresh PostgreSQL database, dropped at the end), in the sandbox.
var srv struct {
	url, user, secret string
	bin, data, dbURL  string
	logs              *lockedBuffer
}

// run is this run's tag, in emails and partner names, so that runs never
// collide on a shared database.
var run = fmt.Sprintf("%x", mrand.Uint32())

func TestMain(m *testing.M) {
	code, err := setupAndRun(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client tests:", err)
		if srv.logs != nil {
			fmt.Fprintln(os.Stderr, "server log:\n"+srv.logs.String())
		}
		os.Exit(1)
	}
	os.Exit(code)
}

func setupAndRun(m *testing.M) (int, error) {
	tmp, err := os.MkdirTemp("", "julo-client-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	srv.bin = filepath.Join(tmp, "julo")
	srv.data = filepath.Join(tmp, "data")
	if out, err := exec.Command("go", "build", "-o", srv.bin, "../cmd/julo").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("building julo: %v\n%s", err, out)
	}
	if admin := os.Getenv(storetest.URLEnv); admin != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		u, drop, err := storetest.CreateDatabase(ctx, admin, "julo_test_")
		cancel()
		if err != nil {
			return 0, fmt.Errorf("creating the test database: %w", err)
		}
		defer drop()
		srv.dbURL = u
	}
	srv.user = "client-test-" + run
	out, err := exec.Command(srv.bin, julo("partner", "create", srv.user)...).Output()
	if err != nil {
		return 0, fmt.Errorf("partner create: %v: %s", err, stderrOf(err))
	}
	var p struct {
		Username  string `json:"username"`
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal(out, &p); err != nil || p.Username != srv.user || p.SecretKey == "" {
		return 0, fmt.Errorf("partner create printed %q", out)
	}
	srv.secret = p.SecretKey

	stop, err := startServer()
	if err != nil {
		return 0, err
	}
	code := m.Run()
	if err := stop(); err != nil {
		return code, err
	}
	return code, nil
}

// julo is args with the data dir and database of the test server.
func julo(args ...string) []string {
	args = append(args, "--data", srv.data)
	if srv.dbURL != "" {
		args = append(args, "--database-url", srv.dbURL)
	}
	return args
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// startServer runs `julo serve` and waits for its "listening" log line;
// stop ends it with SIGTERM and waits for it.
func startServer() (stop func() error, err error) {
	// The tests' requests come faster than a partner's production budgets
	// allow (50 requests a second, 300 registrations an hour): generous ones,
	// as cmd/julo's harness gives its servers.
	cmd := exec.Command(srv.bin, julo("serve", "--addr", "127.0.0.1:0", "--default-requests-per-second", "1000000",
		"--default-registrations-per-hour", "1000000", "--default-prereg-checks-per-minute", "1000000", "--default-sms-per-day", "1000000")...)
	dieWithTests(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	srv.logs = &lockedBuffer{}
	addr := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			srv.logs.WriteLine(line)
			var m struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "listening" {
				select {
				case addr <- m.Addr:
				default:
				}
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { <-scanned; exited <- cmd.Wait() }()
	select {
	case a := <-addr:
		srv.url = "http://" + a
	case err := <-exited:
		return nil, fmt.Errorf("the server exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("the server did not start")
	}
	return func() error {
		cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				return fmt.Errorf("the server exited with %v", err)
			}
			return nil
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			return fmt.Errorf("the server did not stop")
		}
	}, nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s + "\n")
}

func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// newClient is a client of the test server as its partner.
func newClient(opts ...client.Option) *client.Client {
	return client.New(srv.url, srv.user, srv.secret, opts...)
}

// serials hands out distinct customers within a run; the random start
// keeps runs apart on a shared database.
var serials = struct {
	mu   sync.Mutex
	used map[string]bool
}{used: map[string]bool{}}

// customer is a fresh customer: a valid NIK (DKI Jakarta 31 73, born
// 1992-01-01, a man, as completeRequest says), an email and a mobile phone
// no other test uses.
type customer struct{ nik, email, phone string }

// Its NIK's serial (the last four digits) is never one of the sandbox's
// magic serials 9001-9006, which drive the credit assessment's outcome
// (README "Sandbox test data"): newCustomerWithSerial gives one of those.
func newCustomer(t *testing.T) customer {
	t.Helper()
	return newCustomerWithSerial(t, 0)
}

// newCustomerWithSerial is newCustomer with the NIK's serial given (0: an
// ordinary one).
func newCustomerWithSerial(t *testing.T, serial int) customer {
	t.Helper()
	serials.mu.Lock()
	defer serials.mu.Unlock()
	for {
		n := serial
		if n == 0 {
			if n = 1 + mrand.IntN(9999); n >= 9001 && n <= 9006 {
				continue
			}
		}
		nik := fmt.Sprintf("3173%02d010192%04d", 1+mrand.IntN(99), n)
		if serials.used[nik] {
			continue
		}
		serials.used[nik] = true
		return customer{nik: nik, email: fmt.Sprintf("client-%s-%d@test.com", run, len(serials.used)),
			phone: fmt.Sprintf("0812%08d", mrand.IntN(1e8))}
	}
}

func (cu customer) register(t *testing.T, c *client.Client) int64 {
	t.Helper()
	reg, err := c.Register(context.Background(), client.RegisterRequest{NIK: cu.nik, PIN: "482915", Email: cu.email,
		Latitude: -6.1815657, Longitude: 106.7229445})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return reg.ApplicationXID
}

// completeRequest is the documentation's complete-data example (as the
// black-box tests of cmd/julo send it) for a customer whose verified
// phone is phone.
func completeRequest(phone string) client.CompleteApplicationRequest {
	return client.CompleteApplicationRequest{
		Fullname: "budi ismail", BirthPlace: "Jakarta", DOB: "1992-01-01", Gender: "Pria", MotherMaidenName: "Nani",
		AddressStreetNum: "Batcave, Gotham City", AddressProvinsi: "DKI Jakarta", AddressKabupaten: "Jakarta Barat",
		AddressKecamatan: "Cengkareng", AddressKelurahan: "Cengkareng Barat", AddressKodepos: "11730",
		OccupiedSince: "1999-07-13", HomeStatus: "Milik sendiri, lunas", MaritalStatus: "Menikah", Dependent: client.Int64(2),
		MobilePhone1: phone, SpouseName: "Jeane Melany", SpouseDOB: "1972-01-28", SpouseMobilePhone: "085330838901",
		CloseKinMobilePhone: "08533038906", KinRelationship: "Saudara kandung", KinName: "Lawage Nugroho",
		KinDOB: "1978-01-28", KinMobilePhone: "087778231801", JobType: "Pegawai swasta", JobIndustry: "Kesehatan",
		JobDescription: "Apoteker", CompanyName: "DBS Bank", CompanyPhoneNumber: "02153653232", JobStart: "2010-07-01",
		Payday: client.Int64(24), LastEducation: "Diploma", MonthlyIncome: client.Int64(10000000),
		MonthlyExpenses: client.Int64(500000), MonthlyHousingCost: client.Int64(0), TotalCurrentDebt: client.Int64(0),
		BankName: "BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)", BankAccountNumber: "0672272764",
		LoanPurpose: "Membeli kendaraan", LoanPurposeDesc: "Need to buy new gadget",
		IsVerificationAgreed: true, IsTermAccepted: true,
	}
}

// photo is a small JPEG, different for each seed.
func photo(t *testing.T, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), seed, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// lastOTP is the newest code the sandbox outbox holds for phone.
func lastOTP(t *testing.T, c *client.Client, phone string) string {
	t.Helper()
	msgs, err := c.SandboxSMS(context.Background(), phone)
	if err != nil {
		t.Fatalf("SandboxSMS: %v", err)
	}
	if len(msgs) == 0 {
		t.Fatalf("no message for %s in the outbox", phone)
	}
	newest := msgs[0] // the outbox lists the newest first
	if len(newest.OTP) != 6 || !strings.Contains(newest.Message, newest.OTP) {
		t.Fatalf("outbox message %+v", newest)
	}
	return newest.OTP
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// blockingReader blocks every Read until release is closed.
type blockingReader struct{ release chan struct{} }

func (r blockingReader) Read(p []byte) (int, error) {
	<-r.release
	return 0, io.ErrUnexpectedEOF
}
