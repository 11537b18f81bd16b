package client_test

import (
	"bytes"
	"context"
	"errors"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/julo-partnership/julo/client"
)

func TestJourneyRegisterImagesOTPCompleteReaches105(t *testing.T) {
	ctx := context.Background()
	c := newClient(client.WithAcceptLanguage("en"), client.WithUserAgent("julo-client-test"))
	cu := newCustomer(t)

	if err := c.PreregisterCheck(ctx, client.PreregisterCheckRequest{NIK: cu.nik, Email: cu.email}); err != nil {
		t.Fatalf("PreregisterCheck: %v", err)
	}
	if msg, err := c.CheckStrongPIN(ctx, client.CheckStrongPINRequest{NIK: cu.nik, PIN: "482915"}); err != nil || msg != "Strong password" {
		t.Fatalf("CheckStrongPIN = %q, %v", msg, err)
	}
	reg, err := c.Register(ctx, client.RegisterRequest{NIK: cu.nik, PIN: "482915", Email: cu.email, Latitude: -6.2, Longitude: 106.8})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	xid := reg.ApplicationXID
	if xid <= 0 || reg.KTP != cu.nik || reg.Email != cu.email {
		t.Fatalf("Register = %+v", reg)
	}
	st, err := c.ApplicationStatus(ctx, xid)
	if err != nil {
		t.Fatalf("ApplicationStatus: %v", err)
	}
	if st.ApplicationXID != xid || st.StatusCode != client.StatusFormCreated || st.Status != "FORM_CREATED" ||
		!contains(st.MissingSteps, "upload_ktp_self_image") || st.CreatedAt.IsZero() || len(st.BankStatus) != 4 ||
		st.BPJSStatus != "not verified" {
		t.Fatalf("status after registration: %+v", st)
	}

	images := map[string][]byte{client.ImageKTPSelf: photo(t, 1), client.ImageSelfie: photo(t, 2)}
	for _, typ := range []string{client.ImageKTPSelf, client.ImageSelfie} {
		msg, err := c.UploadImage(ctx, xid, typ, typ+".jpg", bytes.NewReader(images[typ]))
		if err != nil || msg != "success upload image" {
			t.Fatalf("UploadImage(%s) = %q, %v", typ, msg, err)
		}
	}
	list, err := c.ListImages(ctx, xid)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListImages = %+v, %v", list, err)
	}
	for _, img := range list {
		if img.ID <= 0 || img.CreatedAt.IsZero() || images[img.ImageType] == nil {
			t.Fatalf("image %+v", img)
		}
		f, err := c.GetImage(ctx, xid, img.ID)
		if err != nil {
			t.Fatalf("GetImage(%d): %v", img.ID, err)
		}
		if f.ContentType != "image/jpeg" || f.Filename != img.ImageType+".jpg" || !bytes.Equal(f.Data, images[img.ImageType]) {
			t.Fatalf("GetImage(%d) = %s %q, %d bytes", img.ID, f.ContentType, f.Filename, len(f.Data))
		}
	}

	if err := c.SendOTP(ctx, xid, cu.phone); err != nil {
		t.Fatalf("SendOTP: %v", err)
	}
	code := lastOTP(t, c, cu.phone)
	if err := c.ValidateOTP(ctx, xid, code); err != nil {
		t.Fatalf("ValidateOTP: %v", err)
	}
	st, err = c.ApplicationStatus(ctx, xid)
	if err != nil || strings.Join(st.MissingSteps, ",") != "complete_customer_data" || !contains(st.VerifiedPhones, cu.phone) ||
		!contains(st.Images, client.ImageKTPSelf) || !contains(st.Images, client.ImageSelfie) {
		t.Fatalf("status before completion: %+v, %v", st, err)
	}

	done, err := c.CompleteApplication(ctx, xid, completeRequest(cu.phone))
	if err != nil {
		t.Fatalf("CompleteApplication: %v", err)
	}
	if done.ApplicationXID != xid || done.KTP != cu.nik || done.Email != cu.email || done.Payday == nil || *done.Payday != 24 ||
		done.Dependent != 2 || done.MonthlyIncome != 10000000 || done.MobilePhone2 != nil || done.GPA != nil ||
		done.BankName != "BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)" || done.AddressKodepos != "11730" {
		t.Fatalf("CompleteApplication = %+v", done)
	}
	st, err = c.ApplicationStatus(ctx, xid)
	// 105, or already the assessment's decision for these figures (its
	// job runs right after the move to 105): 125, a limit above the review
	// threshold.
	submitted := st.StatusCode == client.StatusFormSubmitted && st.Status == "FORM_SUBMITTED"
	reviewed := st.StatusCode == client.StatusManualReview && st.Status == "MANUAL_REVIEW"
	if err != nil || !submitted && !reviewed || len(st.MissingSteps) != 0 {
		t.Fatalf("status after completion: %+v, %v", st, err)
	}

	// A second submission is refused.
	_, err = c.CompleteApplication(ctx, xid, completeRequest(cu.phone))
	if client.StatusCode(err) != http.StatusConflict || !client.HasCode(err, "already_submitted") {
		t.Fatalf("second CompleteApplication: %v", err)
	}
	// Registering the same customer again names the partner's own application.
	_, err = c.Register(ctx, client.RegisterRequest{NIK: cu.nik, PIN: "482915", Email: cu.email, Latitude: -6.2, Longitude: 106.8})
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusConflict || !e.Has("nik_registered") || !e.Has("email_registered") {
		t.Fatalf("second Register: %v", err)
	}
	if got, ok := e.ExistingApplicationXID(); !ok || got != xid {
		t.Fatalf("ExistingApplicationXID = %d, %v; want %d", got, ok, xid)
	}
}

func TestReferenceData(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	banks, err := c.Dropdown(ctx, client.DropdownRequest{List: client.ListBanks})
	if err != nil || len(banks.Banks) == 0 || banks.Values != nil {
		t.Fatalf("Dropdown(banks) = %+v, %v", banks, err)
	}
	found := false
	for _, b := range banks.Banks {
		found = found || b.Name == "BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)" && b.Code == "009"
	}
	if !found {
		t.Errorf("no BNI (009) among %d banks", len(banks.Banks))
	}
	jobs, err := c.Dropdown(ctx, client.DropdownRequest{List: client.ListJobs, JobIndustry: "Kesehatan"})
	if err != nil || !contains(jobs.Values, "Apoteker") {
		t.Fatalf("Dropdown(jobs, Kesehatan) = %+v, %v", jobs, err)
	}
	_, err = c.Dropdown(ctx, client.DropdownRequest{List: client.ListJobs})
	if client.StatusCode(err) != http.StatusBadRequest || !client.HasCode(err, "dropdown_needs_industry") {
		t.Fatalf("Dropdown(jobs) without an industry: %v", err)
	}

	prov, err := c.Address(ctx, client.AddressRequest{Level: client.LevelProvince})
	if err != nil || !contains(prov.Names, "DKI Jakarta") {
		t.Fatalf("Address(province) = %+v, %v", prov, err)
	}
	subs, err := c.Address(ctx, client.AddressRequest{Level: client.LevelSubDistrict, Province: "DKI Jakarta",
		City: "Jakarta Utara", District: "Pademangan"})
	if err != nil || len(subs.SubDistricts) == 0 {
		t.Fatalf("Address(sub_district) = %+v, %v", subs, err)
	}
	var ancol *client.SubDistrict
	for i, s := range subs.SubDistricts {
		if s.Name == "Ancol" {
			ancol = &subs.SubDistricts[i]
		}
	}
	if ancol == nil || ancol.Zipcode != "14430" {
		t.Fatalf("Ancol in %+v", subs.SubDistricts)
	}
	_, err = c.Address(ctx, client.AddressRequest{Level: client.LevelCity})
	if e := detail(t, err, "address_needs"); e.Field != "province" {
		t.Fatalf("address_needs detail %+v", e)
	}
}

func TestExternalDataCalls(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	xid := newCustomer(t).register(t, c)

	login, err := c.BPJSLogin(ctx, xid, client.BPJSLoginRequest{AppType: client.AppTypeWeb})
	if err != nil {
		t.Fatalf("BPJSLogin: %v", err)
	}
	u, err := url.Parse(login.URL)
	if err != nil || u.Path != client.APIPrefix+"/sandbox/bpjs/login" || u.Query().Get("task") == "" {
		t.Fatalf("BPJS login URL %q", login.URL)
	}
	_, err = c.BPJSLogin(ctx, xid, client.BPJSLoginRequest{AppType: client.AppTypeWeb, RedirectURL: "https://evil.example/x"})
	if client.StatusCode(err) != http.StatusBadRequest || detail(t, err, "").Field != "redirect_url" {
		t.Fatalf("BPJSLogin to an unregistered redirect_url: %v", err)
	}

	imp, err := c.StartBankImport(ctx, xid, client.BankImportRequest{DataType: "bri",
		Credentials: client.BankCredentials{Username: "sandbox_ok", Password: "anything"}})
	if err != nil || imp.Status != "initiated" || imp.ApplicationXID != xid || imp.DataType != "bri" || imp.ID <= 0 {
		t.Fatalf("StartBankImport = %+v, %v", imp, err)
	}
	_, err = c.StartBankImport(ctx, xid, client.BankImportRequest{DataType: "bri",
		Credentials: client.BankCredentials{Username: "sandbox_ok", Password: "anything"}})
	if client.StatusCode(err) != http.StatusConflict {
		t.Fatalf("a second import of bri while one runs: %v", err)
	}
	st, err := c.ScrapingStatus(ctx, xid)
	if err != nil || len(st.BankStatus) != 4 {
		t.Fatalf("ScrapingStatus = %+v, %v", st, err)
	}
	var names []string
	for _, b := range st.BankStatus {
		names = append(names, b.BankName)
		if b.BankName == "bri" && (b.Status == "not verified" || b.UpdatedAt == nil) {
			t.Errorf("bri after the import started: %+v", b)
		}
		if b.BankName == "bca" && (b.Status != "not verified" || b.UpdatedAt != nil || b.Reason != nil) {
			t.Errorf("bca never tried: %+v", b)
		}
	}
	if strings.Join(names, ",") != "bca,bni,bri,mandiri" {
		t.Errorf("banks %v", names)
	}
}

// detail is err's detail with code ("" means its first), after checking
// err is an *Error whose errors strings and details agree.
func detail(t *testing.T, err error, code string) client.ErrorDetail {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *client.Error, got %v", err)
	}
	if len(e.Details) == 0 || len(e.Details) != len(e.Errors) {
		t.Fatalf("%d errors, %d details: %v", len(e.Errors), len(e.Details), e)
	}
	for i, d := range e.Details {
		want := d.Message
		if d.Field != "" {
			want = d.Field + ": " + d.Message
		}
		if e.Errors[i] != want {
			t.Errorf("errors[%d] = %q, its detail says %q", i, e.Errors[i], want)
		}
	}
	if code == "" {
		return e.Details[0]
	}
	d := e.Detail(code)
	if d == nil {
		t.Fatalf("no %s among %v: %v", code, e.Codes(), e)
	}
	return *d
}

func TestErrorWithSeveralProblems(t *testing.T) {
	c := newClient(client.WithAcceptLanguage("en"))
	// Born on the 32nd, a PIN of consecutive digits, a refused domain.
	_, err := c.Register(context.Background(), client.RegisterRequest{NIK: "3173053201920001", PIN: "123456",
		Email: "budi-" + run + "@yahoo.com", Latitude: -6.2, Longitude: 106.8})
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || len(e.Errors) < 3 {
		t.Fatalf("Register: %v", err)
	}
	if d := detail(t, err, "nik_invalid_date"); d.Field != "username" || !strings.Contains(d.Message, "DDMMYY") {
		t.Errorf("nik_invalid_date detail %+v", d)
	}
	if d := detail(t, err, "pin_weak_sequence"); d.Field != "pin" {
		t.Errorf("pin_weak_sequence detail %+v", d)
	}
	if !contains(e.Errors, "pin: PIN must not use repeated or consecutive digits") {
		t.Errorf("errors %q", e.Errors)
	}
	if e.Data != nil || e.RetryAfter != 0 || e.RequestID == "" || e.Method != "POST" || e.Path != "/customer" {
		t.Errorf("error %#v", e)
	}
	if s := e.Error(); !strings.HasPrefix(s, "julo: POST /customer: 400 Bad Request: ") || !strings.Contains(s, "pin: PIN must not") {
		t.Errorf("Error() = %q", s)
	}
}

func TestWrongSecretIs401(t *testing.T) {
	c := client.New(srv.url, srv.user, "not-the-secret")
	_, err := c.ApplicationStatus(context.Background(), 1)
	if client.StatusCode(err) != http.StatusUnauthorized || !client.HasCode(err, "unauthenticated") {
		t.Fatalf("ApplicationStatus with a wrong secret: %v", err)
	}
	if d := detail(t, err, "unauthenticated"); d.Field != "" {
		t.Errorf("detail %+v", d)
	}
}

func TestUnknownApplicationIs404(t *testing.T) {
	// A base URL that already names the API is taken as is.
	c := client.New(srv.url+client.APIPrefix+"/", srv.user, srv.secret)
	_, err := c.ApplicationStatus(context.Background(), 999999999999)
	if client.StatusCode(err) != http.StatusNotFound || !client.HasCode(err, "application_missing") {
		t.Fatalf("ApplicationStatus of an unknown xid: %v", err)
	}
}

func TestOTPResendTooSoonIs429WithRetryAfter(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	cu := newCustomer(t)
	xid := cu.register(t, c)
	if err := c.SendOTP(ctx, xid, cu.phone); err != nil {
		t.Fatalf("SendOTP: %v", err)
	}
	err := c.SendOTP(ctx, xid, cu.phone)
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests || !e.Has("otp_resend_too_soon") {
		t.Fatalf("second SendOTP: %v", err)
	}
	if e.RetryAfter <= 0 || e.RetryAfter > time.Minute {
		t.Fatalf("RetryAfter = %v", e.RetryAfter)
	}
	if !strings.Contains(e.Error(), "(retry after ") {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestTimeoutsEndTheRequest(t *testing.T) {
	cu := newCustomer(t)
	xid := cu.register(t, newClient())
	release := make(chan struct{})
	defer close(release)

	// The client's own bound: the upload's body never comes.
	c := newClient(client.WithTimeout(300 * time.Millisecond))
	_, err := c.UploadImage(context.Background(), xid, client.ImageKTPSelf, "ktp.jpg", blockingReader{release})
	var e *client.Error
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &e) {
		t.Fatalf("UploadImage past WithTimeout: %v", err)
	}
	// The caller's context.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = newClient(client.WithTimeout(0)).UploadImage(ctx, xid, client.ImageSelfie, "s.jpg", blockingReader{release})
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &e) {
		t.Fatalf("UploadImage past the context's deadline: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "julo: POST /applications/") {
		t.Errorf("error %q", err)
	}
}

func TestAnswerThatIsNotTheEnvelopeIsAnError(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	}))
	defer proxy.Close()
	_, err := client.New(proxy.URL, srv.user, srv.secret).ApplicationStatus(context.Background(), 1)
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadGateway || !strings.Contains(e.Snippet, "502 Bad Gateway") ||
		len(e.Errors) != 0 || e.Has("internal") {
		t.Fatalf("HTML 502: %#v", err)
	}
	if !strings.Contains(e.Error(), "502 Bad Gateway (not an API answer") {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestAnswerOverTheCapIsRefused(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"success":true,"data":"`))
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for i := 0; i <= client.MaxResponseBytes>>20; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		w.Write([]byte(`","errors":[]}`))
	}))
	defer big.Close()
	_, err := client.New(big.URL, srv.user, srv.secret).ApplicationStatus(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("an answer over MaxResponseBytes: %v", err)
	}
}

// flaky is a proxy to the real server that answers 503 to the first n
// requests.
func flaky(t *testing.T, n int64) (*httptest.Server, *atomic.Int64) {
	target, _ := url.Parse(srv.url)
	rp := httputil.NewSingleHostReverseProxy(target)
	var seen atomic.Int64
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"success":false,"data":null,"errors":["unavailable"],"error_details":[{"code":"unavailable","field":null,"message":"unavailable"}]}`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p, &seen
}

// GET retries are asked for, and they never retry a write (WithWriteRetries
// does; see idempotency_test.go).
func TestGETRetriesAreOptInAndDoNotRetryWrites(t *testing.T) {
	ctx := context.Background()
	cu := newCustomer(t)
	xid := cu.register(t, newClient())

	p, seen := flaky(t, 2)
	_, err := client.New(p.URL, srv.user, srv.secret).ApplicationStatus(ctx, xid)
	if client.StatusCode(err) != http.StatusServiceUnavailable || !client.HasCode(err, "unavailable") || seen.Load() != 1 {
		t.Fatalf("without retries: %v after %d requests", err, seen.Load())
	}

	p, seen = flaky(t, 2)
	st, err := client.New(p.URL, srv.user, srv.secret, client.WithGETRetries(3)).ApplicationStatus(ctx, xid)
	if err != nil || st.ApplicationXID != xid || seen.Load() != 3 {
		t.Fatalf("with 3 retries: %+v, %v after %d requests", st, err, seen.Load())
	}

	p, seen = flaky(t, 1)
	err = client.New(p.URL, srv.user, srv.secret, client.WithGETRetries(3)).SendOTP(ctx, xid, cu.phone)
	if client.StatusCode(err) != http.StatusServiceUnavailable || seen.Load() != 1 {
		t.Fatalf("a POST: %v after %d requests", err, seen.Load())
	}
}

func TestMalformedBaseURLIsReportedByEveryCall(t *testing.T) {
	c := client.New("127.0.0.1:8080", "u", "s")
	if _, err := c.ApplicationStatus(context.Background(), 1); err == nil || !strings.Contains(err.Error(), "base URL") {
		t.Fatalf("ApplicationStatus: %v", err)
	}
}

// The client is imported by partners: it must need nothing but the
// standard library (in particular nothing of the server's internal/).
func TestClientImportsOnlyTheStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s, which is not in the standard library", name, p)
			}
		}
	}
	if n == 0 {
		t.Fatal("no source files found")
	}
}
