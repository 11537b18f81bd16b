package onboarding

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/refdata"
)

var (
	areaOnce sync.Once
	area     *refdata.Area
)

func testService(t testing.TB) *Service {
	areaOnce.Do(func() {
		var err error
		if area, err = refdata.LoadArea(); err != nil {
			t.Fatal(err)
		}
	})
	return New(Deps{Area: area, Config: DefaultConfig()})
}

func sp(s string) *string { return &s }
func ip(i int64) *int64   { return &i }
func bp(b bool) *bool     { return &b }

// validInput is the documentation's example, valid for docApp.
func validInput() CompleteInput {
	return CompleteInput{
		Fullname: sp("budi ismail"), BirthPlace: sp("Jakarta"), DOB: sp("1992-01-01"), Gender: sp("Pria"),
		MotherMaidenName: sp("Nani"), AddressStreetNum: sp("Batcave, Gotham City"), AddressProvinsi: sp("DKI Jakarta"),
		AddressKabupaten: sp("Jakarta Barat"), AddressKecamatan: sp("Cengkareng"), AddressKelurahan: sp("Cengkareng Barat"),
		AddressKodepos: sp("11730"), HomeStatus: sp("Milik sendiri, lunas"), MaritalStatus: sp("Menikah"), Dependent: ip(2),
		MobilePhone1: sp("085330838909"), SpouseName: sp("Jeane Melany"), SpouseMobilePhone: sp("085330838901"),
		KinRelationship: sp("Saudara kandung"), KinName: sp("Lawage Nugroho"), KinMobilePhone: sp("087778231801"),
		JobType: sp("Pegawai swasta"), JobIndustry: sp("Kesehatan"), JobDescription: sp("Apoteker"), CompanyName: sp("DBS Bank"),
		CompanyPhoneNumber: sp("02153653232"), JobStart: sp("2010-07-01"), Payday: ip(24), LastEducation: sp("Diploma"),
		MonthlyIncome: ip(10000000), MonthlyExpenses: ip(500000), MonthlyHousingCost: ip(0), TotalCurrentDebt: ip(0),
		BankName: sp("BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)"), BankAccountNumber: sp("0672272764"),
		LoanPurpose: sp("Membeli kendaraan"), LoanPurposeDesc: sp("beli motor"), IsVerificationAgreed: bp(true), IsTermAccepted: bp(true),
	}
}

var docApp = Application{ID: 1, XID: 2235427695, NIK: "3173050101920001", Email: "a@test.com", CreatedAt: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}

func check(s *Service, in CompleteInput) (Details, julo.Problems) {
	v := &detailsCheck{ps: in.Problems, today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}
	d := v.details(s, docApp, in, []string{"085330838909"})
	return d, v.ps
}

func TestValidInputGivesCanonicalDetails(t *testing.T) {
	d, ps := check(testService(t), validInput())
	if len(ps) != 0 {
		t.Fatalf("problems %+v", ps)
	}
	if d.AddressKabupaten != "Kota Administrasi Jakarta Barat" || *d.Payday != 24 || d.MobilePhone1 != "085330838909" ||
		*d.JobDescription != "Apoteker" || d.SpouseName == nil || d.CloseKinName != nil {
		t.Fatalf("details %+v", d)
	}
}

// Whatever the input, the validator does not panic, and when it reports no
// problem the details it returns obey the rules.
func FuzzCompleteValidator(f *testing.F) {
	f.Add("budi ismail", "1992-01-01", "Pria", "Menikah", "085330838909", "087778231801", "Pegawai swasta", "Kesehatan", "Apoteker", "0672272764", int64(24), int64(2))
	f.Add("O'Neil-Muh. Ali", "1992-01-01", "pria", "Lajang", "+6285330838909", "08533038906", "Mahasiswa", "", "", "1234567890", int64(0), int64(0))
	f.Add("", "", "", "", "", "", "", "", "", "", int64(-1), int64(99))
	s := testService(f)
	f.Fuzz(func(t *testing.T, name, dob, gender, marital, phone1, kinPhone, jobType, industry, job, account string, payday, dependent int64) {
		in := validInput()
		in.Fullname, in.DOB, in.Gender, in.MaritalStatus = sp(name), sp(dob), sp(gender), sp(marital)
		in.MobilePhone1, in.KinMobilePhone, in.JobType, in.JobIndustry, in.JobDescription = sp(phone1), sp(kinPhone), sp(jobType), sp(industry), sp(job)
		in.BankAccountNumber, in.Payday, in.Dependent = sp(account), ip(payday), ip(dependent)
		d, ps := check(s, in)
		for _, p := range ps {
			if p.Msg == "" {
				t.Fatalf("empty problem %+v", p)
			}
		}
		if len(ps) > 0 {
			return
		}
		if len([]rune(d.Fullname)) < 3 || strings.ContainsAny(d.Fullname, "0123456789") || strings.Contains(d.Fullname, "  ") {
			t.Fatalf("accepted name %q", d.Fullname)
		}
		if d.DOB != "1992-01-01" || d.Gender != GenderMale {
			t.Fatalf("accepted dob %q gender %q for a NIK born 1992-01-01, Pria", d.DOB, d.Gender)
		}
		if d.MobilePhone1 != "085330838909" || d.KinMobilePhone == d.MobilePhone1 || !strings.HasPrefix(d.KinMobilePhone, "08") {
			t.Fatalf("accepted phones %q %q", d.MobilePhone1, d.KinMobilePhone)
		}
		if d.Dependent < 0 || d.Dependent > 9 {
			t.Fatalf("accepted dependent %d", d.Dependent)
		}
		if !refdata.NonWorkingJobTypes.Contains(d.JobType) && (d.Payday == nil || *d.Payday < 1 || *d.Payday > 31 || d.JobDescription == nil) {
			t.Fatalf("accepted a working job without valid details: %+v", d)
		}
		if d.MaritalStatus == "Lajang" && (d.CloseKinName == nil || d.CloseKinMobilePhone == nil) {
			t.Fatal("accepted Lajang without close kin")
		}
		if !allDigits(d.BankAccountNumber) || len(d.BankAccountNumber) < 9 || len(d.BankAccountNumber) > 10 {
			t.Fatalf("accepted BNI account %q", d.BankAccountNumber)
		}
	})
}

// BenchmarkHashPIN is the argon2id PIN hash alone (19 MiB, 2 passes): the
// floor under every registration.
func BenchmarkHashPIN(b *testing.B) {
	s := New(Deps{Keys: Keys{PINPepper: KeySet{Current: "k", Keys: map[string][]byte{"k": make([]byte, 32)}}}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.hashPIN(context.Background(), "482915"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHashPINVerifiesWithItsKeyOnly(t *testing.T) {
	keys := Keys{PINPepper: KeySet{Current: "k2", Keys: map[string][]byte{"k1": make([]byte, 32), "k2": []byte(strings.Repeat("x", 32))}}}
	s := New(Deps{Keys: keys})
	hash, id, err := s.hashPIN(context.Background(), "482915")
	if err != nil || id != "k2" || !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(hash, "482915") {
		t.Fatalf("hash %q id %q err %v", hash, id, err)
	}
	if !s.verifyPIN("482915", hash, "k2") || s.verifyPIN("482916", hash, "k2") || s.verifyPIN("482915", hash, "k1") || s.verifyPIN("482915", hash, "k9") {
		t.Fatal("verification does not depend on the PIN and its pepper key")
	}
}

// The NIK's century is fixed at registration: completing later, after the
// NIK's two-digit year has come round again, must not move it.
func TestCompleteUsesTheBirthCenturyOfRegistration(t *testing.T) {
	s := testService(t)
	app := docApp
	app.NIK = "3173050101260001" // 01-01-26
	app.CreatedAt = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	in := validInput()
	in.DOB = sp("1926-01-01")
	v := &detailsCheck{ps: in.Problems, today: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	v.details(s, app, in, []string{"085330838909"})
	if len(v.ps) != 0 {
		t.Fatalf("problems %+v", v.ps)
	}
}

func TestAddressNamesEveryMissingOrWrongParent(t *testing.T) {
	s := testService(t)
	in := AddressInput{Level: sp("district")}
	in.Problems.Add("city", "type_string") // city sent as an object
	_, err := s.Address(in)
	var e *julo.Error
	if !errors.As(err, &e) || len(e.Problems) != 2 || e.Problems[0].Field != "city" || e.Problems[1].Field != "province" {
		t.Fatalf("got %v", err)
	}
}
