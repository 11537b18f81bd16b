package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// docCompleteBody is the documentation's curl example body, as is.
const docCompleteBody = `{"fullname": "budi ismail", "birth_place": "Jakarta", "kin_mobile_phone": "087778231801", "job_industry": "Kesehatan", "job_type": "Pegawai swasta", "job_description": "Apoteker", "monthly_income": 10000000, "monthly_expenses": 500000, "monthly_housing_cost": 0, "total_current_debt": 0, "dob": "1992-01-01", "gender": "Pria", "address_street_num": "Batcave, Gotham City", "address_provinsi": "DKI Jakarta", "address_kabupaten": "Jakarta Barat", "address_kecamatan": "Cengkareng", "address_kelurahan": "Cengkareng Barat", "address_kodepos": "11730", "bank_account_number":"0672272764", "bank_name":"BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)", "company_name":"DBS Bank", "dependent":"2","home_status":"Milik sendiri, lunas", "company_phone_number":"02153653232", "job_start":"2010-07-01", "mobile_phone_1": "085330838909", "close_kin_mobile_phone":"08533038906", "spouse_mobile_phone":"085330838901", "kin_name":"Lawage Nugroho", "kin_relationship":"Saudara kandung", "last_education":"Diploma", "loan_purpose":"Membeli kendaraan", "loan_purpose_desc":"Need to buy new gadget to repel sharksss", "marital_status":"Menikah", "occupied_since":"1999-07-13", "payday":"24", "kin_dob":"1978-01-28", "spouse_dob":"1972-01-28", "spouse_name":"Jeane Melany", "mother_maiden_name":"Nani", "is_verification_agreed": true, "is_term_accepted": true}`

// docResponseKeys are the keys of the documentation's response example.
var docResponseKeys = []string{"validated_qr_code", "loan_purpose", "loan_purpose_desc", "payday", "fullname", "dob",
	"birth_place", "gender", "ktp", "address_street_num", "address_provinsi", "address_kabupaten", "address_kecamatan",
	"address_kelurahan", "address_kodepos", "occupied_since", "home_status", "mobile_phone_1", "new_mobile_phone",
	"mobile_phone_2", "email", "marital_status", "dependent", "spouse_name", "spouse_dob", "spouse_mobile_phone",
	"kin_name", "kin_dob", "kin_gender", "kin_mobile_phone", "kin_relationship", "close_kin_name",
	"close_kin_mobile_phone", "close_kin_relationship", "job_type", "job_industry", "job_function", "job_description",
	"company_name", "company_phone_number", "job_start", "monthly_income", "last_education", "gpa", "has_other_income",
	"other_income_amount", "other_income_source", "monthly_housing_cost", "monthly_expenses", "total_current_debt",
	"bank_name", "bank_account_number", "application_xid", "position_employees", "employment_status", "dialect",
	"additional_contact_1_name", "additional_contact_1_number", "additional_contact_2_name",
	"additional_contact_2_number", "loan_purpose_description_expanded"}

// docNIK fits the example body: born 1992-01-01, a man, registered in DKI Jakarta.
const docNIK = "3173050101920001"

func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (s *testServer) uploadImage(t *testing.T, xid, imageType string) response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("image_type", imageType)
	f, _ := w.CreateFormFile("upload", imageType+".png")
	f.Write(pngBytes(t))
	w.Close()
	return s.do(req{Method: "POST", Path: "/api/partnership/v1/applications/" + xid + "/images", Body: b.String(), ContentType: w.FormDataContentType()})
}

// readyApplication registers nik and does every prerequisite of the
// complete-data step: KTP and selfie images, and phone verified by OTP.
func (s *testServer) readyApplication(t *testing.T, nik, email, phone string) string {
	t.Helper()
	r := s.do(req{Method: "POST", Path: "/api/partnership/v1/customer", Body: map[string]any{
		"username": nik, "pin": "482915", "email": email, "latitude": -6.2, "longitude": 106.8}}).expect(t, 201)
	var d struct {
		XID int64 `json:"application_xid"`
	}
	r.decodeData(t, &d)
	xid := strconv.FormatInt(d.XID, 10)
	s.uploadImage(t, xid, "ktp_self")
	s.uploadImage(t, xid, "selfie")
	s.sendOTP(xid, phone).expect(t, 200)
	s.validateOTP(xid, s.lastCode(t, phone)).expect(t, 200)
	return xid
}

func (s *testServer) status(t *testing.T, xid string) map[string]any {
	t.Helper()
	var st map[string]any
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + xid}).expect(t, 200).decodeData(t, &st)
	return st
}

func TestCompleteDataDocumentationExampleSucceedsAfterItsPrerequisites(t *testing.T) {
	s := startServer(t, nil)
	xid := s.readyApplication(t, docNIK, "budi.ismail@test.com", "085330838909")
	if st := s.status(t, xid); st["application_status"] != "FORM_CREATED" || st["application_status_code"] != 100.0 ||
		strings.Join(toStrings(st["missing_steps"]), ",") != "complete_customer_data" {
		t.Fatalf("status before: %v", st)
	}
	r := s.do(req{Method: "POST", Path: "/api/partnership/v1/application/" + xid, Body: docCompleteBody, ContentType: "application/json"}).expect(t, 200)
	var got map[string]json.RawMessage
	r.decodeData(t, &got)
	if len(got) != len(docResponseKeys) {
		t.Errorf("response has %d keys, the documentation %d", len(got), len(docResponseKeys))
	}
	for _, k := range docResponseKeys {
		if _, ok := got[k]; !ok {
			t.Errorf("response lacks %q", k)
		}
	}
	want := map[string]string{
		"payday": "24", "dependent": "2", "ktp": `"` + docNIK + `"`, "email": `"budi.ismail@test.com"`,
		"application_xid": xid, "monthly_income": "10000000", "mobile_phone_2": "null", "gpa": "null",
		"validated_qr_code": "false", "has_other_income": "false", "job_function": "null", "close_kin_name": "null",
		"close_kin_mobile_phone": `"08533038906"`, "home_status": `"Milik sendiri, lunas"`, "address_kodepos": `"11730"`,
		"address_kelurahan": `"Cengkareng Barat"`, "address_provinsi": `"DKI Jakarta"`, "kin_dob": `"1978-01-28"`,
		"bank_name": `"BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)"`, "bank_account_number": `"0672272764"`,
		"loan_purpose_desc": `"Need to buy new gadget to repel sharksss"`, "fullname": `"budi ismail"`,
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	// Submitted (105), then decided by the credit assessment: the
	// documentation's income gives a limit above the review threshold.
	s.settle(t)
	st := s.status(t, xid)
	if st["application_status"] != "MANUAL_REVIEW" || st["application_status_code"] != 125.0 || len(toStrings(st["missing_steps"])) != 0 {
		t.Fatalf("status after: %v", st)
	}
	// A second submission is refused and changes nothing.
	s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: docCompleteBody}).expect(t, 409, "sudah dikirim")
	if n := s.count("application_details"); n != 1 {
		t.Fatalf("%d detail rows", n)
	}
	var hist int
	s.sqlDB().QueryRow(`SELECT COUNT(*) FROM application_status_history WHERE to_status = 105`).Scan(&hist)
	if hist != 1 {
		t.Fatalf("%d history rows to 105", hist)
	}
	// After submission, OTP and images are closed.
	s.sendOTP(xid, "085330838909").expect(t, 409)
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestCompleteDataTooEarlyNamesEveryMissingStep(t *testing.T) {
	s := startServer(t, nil)
	xid := s.newApplication(t)
	st := s.status(t, xid)
	if strings.Join(toStrings(st["missing_steps"]), ",") != "upload_ktp_self_image,upload_selfie_image,validate_phone_otp,complete_customer_data" {
		t.Fatalf("missing steps %v", st["missing_steps"])
	}
	body := strings.Replace(docCompleteBody, `"fullname": "budi ismail"`, `"fullname": "b1"`, 1)
	r := s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: body}).expect(t, 400,
		"unggah gambar ktp_self", "unggah gambar selfie", "verifikasi nomor ponsel dengan Send OTP", "fullname: ")
	if len(r.Errors) < 4 {
		t.Fatalf("errors %v", r.Errors)
	}
	s.uploadImage(t, xid, "ktp_self")
	r = s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: docCompleteBody,
		Header: map[string]string{"Accept-Language": "en"}}).expect(t, 400, "upload the selfie image", "verify the mobile phone")
	if strings.Contains(strings.Join(r.Errors, "\n"), "ktp_self") {
		t.Fatalf("ktp_self is uploaded: %v", r.Errors)
	}
	if n := s.count("application_details"); n != 0 {
		t.Fatalf("refused submissions stored %d rows", n)
	}
}

func TestCompleteDataFieldRules(t *testing.T) {
	s := startServer(t, nil)
	xid := s.readyApplication(t, docNIK, "rules@test.com", "085330838909")
	doc := map[string]any{}
	json.Unmarshal([]byte(docCompleteBody), &doc)
	with := func(changes map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range doc {
			m[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for name, tc := range map[string]struct {
		changes   map[string]any
		fragments []string
	}{
		"name with digits":         {map[string]any{"fullname": "Budi 2"}, []string{"fullname: harus minimal 3 karakter"}},
		"short name":               {map[string]any{"kin_name": "Al"}, []string{"kin_name: "}},
		"double space":             {map[string]any{"mother_maiden_name": "Siti  Aminah"}, []string{"mother_maiden_name: "}},
		"dob format":               {map[string]any{"dob": "01-01-1992"}, []string{"dob: harus tanggal yang benar"}},
		"dob not the NIK's":        {map[string]any{"dob": "1992-01-02"}, []string{"dob: tidak sesuai dengan tanggal lahir pada NIK (1992-01-01)"}},
		"gender not the NIK's":     {map[string]any{"gender": "Wanita"}, []string{"gender: tidak sesuai dengan NIK (NIK menunjukkan Pria)"}},
		"gender value":             {map[string]any{"gender": "L"}, []string{"gender: harus Pria atau Wanita"}},
		"future date":              {map[string]any{"occupied_since": "2099-01-01"}, []string{"occupied_since: tidak boleh tanggal di masa depan"}},
		"Menikah needs spouse":     {map[string]any{"spouse_name": nil, "spouse_mobile_phone": nil}, []string{"spouse_name: wajib diisi jika marital_status=Menikah", "spouse_mobile_phone: wajib diisi jika marital_status=Menikah"}},
		"Lajang needs close kin":   {map[string]any{"marital_status": "Lajang", "close_kin_mobile_phone": nil}, []string{"close_kin_name: wajib diisi jika marital_status=Lajang", "close_kin_mobile_phone: wajib diisi"}},
		"working needs job fields": {map[string]any{"job_industry": nil, "job_description": nil, "company_name": nil, "company_phone_number": nil, "job_start": nil, "payday": nil}, []string{"job_industry: wajib diisi jika job_type=Pegawai swasta", "job_description: ", "company_name: ", "company_phone_number: ", "job_start: ", "payday: "}},
		"job outside its industry": {map[string]any{"job_description": "Pilot / Staff Penerbangan"}, []string{`job_description: "Pilot / Staff Penerbangan" bukan pekerjaan pada industri "Kesehatan"`}},
		"payday 32":                {map[string]any{"payday": 32}, []string{"payday: harus bilangan bulat antara 1 dan 31"}},
		"dependent 10":             {map[string]any{"dependent": "10"}, []string{"dependent: harus bilangan bulat antara 0 dan 9"}},
		"money too large":          {map[string]any{"monthly_expenses": 100000000}, []string{"monthly_expenses: harus jumlah rupiah bulat"}},
		"negative money":           {map[string]any{"total_current_debt": -1}, []string{"total_current_debt: "}},
		"no income":                {map[string]any{"monthly_income": 0}, []string{"monthly_income: harus lebih dari 0"}},
		"money as text":            {map[string]any{"monthly_income": "banyak"}, []string{"monthly_income: harus berupa bilangan bulat"}},
		"unknown home status":      {map[string]any{"home_status": "Istana"}, []string{`home_status: "Istana" bukan pilihan yang valid; lihat dropdown-data?data_selected=home_statuses`}},
		"unknown bank":             {map[string]any{"bank_name": "BANK GOTHAM"}, []string{"bank_name: "}},
		"account with letters":     {map[string]any{"bank_account_number": "06722A2764"}, []string{"bank_account_number: harus berupa angka saja"}},
		"BNI account too short":    {map[string]any{"bank_account_number": "06722727"}, []string{"bank_account_number: harus 9-10 digit"}},
		"wrong sub-district":       {map[string]any{"address_kelurahan": "Pademangan Timur"}, []string{`address_kelurahan: kelurahan/desa "Pademangan Timur" tidak ditemukan`}},
		"wrong district":           {map[string]any{"address_kecamatan": "Bandung Kulon"}, []string{"address_kecamatan: "}},
		"wrong province":           {map[string]any{"address_provinsi": "Atlantis"}, []string{"address_provinsi: "}},
		"postal code":              {map[string]any{"address_kodepos": "1173"}, []string{"address_kodepos: harus kode pos 5 digit angka"}},
		"mobile as company phone":  {map[string]any{"company_phone_number": "081234567890"}, []string{"company_phone_number: harus nomor telepon kantor"}},
		"landline as kin phone":    {map[string]any{"kin_mobile_phone": "02153653232"}, []string{"kin_mobile_phone: harus nomor ponsel Indonesia"}},
		"repeated phone":           {map[string]any{"kin_mobile_phone": "+6285330838909"}, []string{"kin_mobile_phone: sama dengan mobile_phone_1"}},
		"unverified phone":         {map[string]any{"mobile_phone_1": "081299998888"}, []string{"mobile_phone_1: 081299998888 belum diverifikasi dengan OTP"}},
		"no consent":               {map[string]any{"is_term_accepted": "false"}, []string{"is_term_accepted: harus true"}},
		"consent not boolean":      {map[string]any{"is_verification_agreed": "mungkin"}, []string{"is_verification_agreed: harus berupa boolean"}},
		"missing required":         {map[string]any{"bank_name": nil, "last_education": nil, "loan_purpose_desc": ""}, []string{"bank_name: wajib diisi", "last_education: wajib diisi", "loan_purpose_desc: wajib diisi"}},
		"too long":                 {map[string]any{"address_street_num": strings.Repeat("x", 256)}, []string{"address_street_num: terlalu panjang"}},
		"NUL in a text":            {map[string]any{"address_street_num": "Batcave\u0000 Gotham City"}, []string{"address_street_num: tidak boleh berisi karakter kontrol"}},
		"direction override":       {map[string]any{"birth_place": "Jakarta\u202e"}, []string{"birth_place: tidak boleh berisi karakter kontrol"}},
	} {
		t.Run(name, func(t *testing.T) {
			s := s.forT(t)
			// Not a number or a boolean at all: outside the document's schema too.
			invalid := name == "money as text" || name == "consent not boolean"
			r := s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: with(tc.changes), Invalid: invalid}).expect(t, 400, tc.fragments...)
			if len(r.Errors) != len(tc.fragments) {
				t.Errorf("errors %q, want only %d", r.Errors, len(tc.fragments))
			}
		})
	}
	if n := s.count("application_details"); n != 0 {
		t.Fatalf("refused submissions stored %d rows", n)
	}
	if st := s.status(t, xid); st["application_status_code"] != 100.0 {
		t.Fatalf("status moved: %v", st)
	}
	// Liberal input, canonical storage; fields the partner must not set are ignored.
	r := s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: with(map[string]any{
		"home_status": "milik SENDIRI,  lunas", "kin_relationship": "saudara kandung", "job_description": "apoteker",
		"address_kabupaten": "jakarta barat", "address_kodepos": nil, "Kodepos": "11730", "bank_name": "bank negara indonesia (persero), tbk (bni)",
		"gender": "pria", "status": 190, "application_xid": 1, "ktp": "3173050101920002", "email": "evil@test.com",
		"mobile_phone_1": "+62 853-3083-8909",
	})}).expect(t, 200)
	var got map[string]any
	r.decodeData(t, &got)
	for k, v := range map[string]any{"home_status": "Milik sendiri, lunas", "kin_relationship": "Saudara kandung",
		"job_description": "Apoteker", "address_kabupaten": "Kota Administrasi Jakarta Barat", "address_kodepos": "11730",
		"bank_name": "BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)", "gender": "Pria", "ktp": docNIK, "email": "rules@test.com",
		"mobile_phone_1": "085330838909"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if h := s.historyReasons(t, xid); len(h) < 2 || h[1] != "100>105:" {
		t.Fatalf("history %v", h)
	}
}

func TestCompleteDataOfAnotherPartnerIsNotFound(t *testing.T) {
	s := startServer(t, nil)
	xid := s.readyApplication(t, docNIK, "mine@test.com", "085330838909")
	beta := s.createPartner("beta")
	as := map[string]string{"username": "beta", "secret-key": beta}
	s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: docCompleteBody, Header: as}).expect(t, http.StatusNotFound, "Aplikasi tidak ditemukan")
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/" + xid, Header: as}).expect(t, http.StatusNotFound, "Aplikasi tidak ditemukan")
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/1000000001"}).expect(t, http.StatusNotFound, "Aplikasi tidak ditemukan")
	s.do(req{Method: "GET", Path: "/api/partnership/v1/application/status/xyz", Invalid: true}).expect(t, http.StatusNotFound)
	if n := s.count("application_details"); n != 0 {
		t.Fatal("another partner completed the application")
	}
}
