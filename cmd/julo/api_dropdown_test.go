package main

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var dropdownNames = "banks, jobs, job_industries, vehicle_types, loan_purposes, home_statuses, job_types, kin_relationships, last_educations, marital_statuses, vehicle_ownerships, birth_places"

var jobIndustries = []string{"Admin / Finance / HR", "Design / Seni", "Entertainment / Event", "Hukum / Security / Politik",
	"Kesehatan", "Konstruksi / Real Estate", "Media", "Pabrik / Gudang", "Pendidikan", "Perawatan Tubuh", "Perbankan",
	"Sales / Marketing", "Service", "Tehnik / Computer", "Transportasi", "Staf Rumah Tangga", "Perhotelan"}

// The documentation's example (data_selected=loan_purposes) answers the
// document's list in its order, without the staging test entries "kawin
// lagi", "ngepet" and "beli menyan" (errata 21).
func TestDropdownDocExampleLoanPurposesWithoutStagingJunk(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	got := dataStrings(t, s.do(req{Method: "GET", Path: pathDropdown + "?data_selected=loan_purposes"}).expect(t, http.StatusOK))
	want := []string{"Modal usaha", "Kebutuhan sehari-hari", "Membayar hutang lainnya", "Biaya pendidikan", "Biaya kesehatan",
		"Belanja online", "Membeli elektronik", "Membeli kendaraan", "Biaya liburan / umroh", "Renovasi Rumah", "Transfer ke Keluarga/Teman"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loan_purposes %q\nwant %q", got, want)
	}
	for _, junk := range []string{"kawin lagi", "ngepet", "beli menyan"} {
		for _, v := range got {
			if strings.EqualFold(v, junk) {
				t.Fatalf("loan_purposes holds the staging entry %q", v)
			}
		}
	}
}

// Each of the twelve lists is served under data_selected, under data
// (errata 20) and under the /dropdowns alias, with and without a trailing
// slash.
func TestDropdownAllTwelveLists(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	fixed := map[string][]string{
		"job_industries":     jobIndustries,
		"vehicle_types":      {"Sepeda motor", "Mobil", "Tidak punya"},
		"home_statuses":      {"Kontrak", "Kos", "Milik orang tua", "Milik keluarga", "Milik sendiri, lunas", "Milik sendiri, mencicil", "Mess karyawan"},
		"job_types":          {"Pegawai swasta", "Pegawai negeri", "Pengusaha", "Freelance", "Staf rumah tangga", "Ibu rumah tangga", "Mahasiswa", "Tidak bekerja"},
		"kin_relationships":  {"Orang tua", "Saudara kandung", "Famili lainnya"},
		"last_educations":    {"SD", "SLTP", "SLTA", "Diploma", "S1", "S2", "S3"},
		"marital_statuses":   {"Lajang", "Menikah", "Cerai", "Janda / duda"},
		"vehicle_ownerships": {"Lunas", "Mencicil", "Diagunkan", "Lainnya", "Tidak punya"},
		"loan_purposes": {"Modal usaha", "Kebutuhan sehari-hari", "Membayar hutang lainnya", "Biaya pendidikan", "Biaya kesehatan",
			"Belanja online", "Membeli elektronik", "Membeli kendaraan", "Biaya liburan / umroh", "Renovasi Rumah", "Transfer ke Keluarga/Teman"},
	}
	for name, want := range fixed {
		t.Run(name, func(t *testing.T) {
			for _, p := range []string{pathDropdown + "?data_selected=", pathDropdown + "/?data=", pathDropdowns + "?data_selected=", pathDropdowns + "/?data="} {
				got := dataStrings(t, s.forT(t).do(req{Method: "GET", Path: p + name}).expect(t, http.StatusOK))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s%s: %q\nwant %q", p, name, got, want)
				}
			}
		})
	}
	t.Run("banks", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "GET", Path: pathDropdown + "?data_selected=banks"}).expect(t, http.StatusOK)
		var banks []map[string]any
		r.decodeData(t, &banks)
		if len(banks) < 50 {
			t.Fatalf("only %d banks", len(banks))
		}
		byName, codes := map[string]string{}, map[string]bool{}
		code3 := regexp.MustCompile(`^[0-9]{3}$`)
		for _, b := range banks {
			name, _ := b["bank_name"].(string)
			code, _ := b["bank_code"].(string)
			if len(b) != 2 || name == "" || !code3.MatchString(code) {
				t.Fatalf("bank %v: want exactly bank_name and a 3-digit bank_code", b)
			}
			if _, dup := byName[name]; dup {
				t.Fatalf("bank %q listed twice", name)
			}
			byName[name], codes[code] = code, true
		}
		for name, code := range map[string]string{
			"BANK CENTRAL ASIA, Tbk (BCA)":               "014",
			"BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)": "009",
			"BANK MANDIRI (PERSERO), Tbk":                "008",
			"BANK RAKYAT INDONESIA (PERSERO), Tbk (BRI)": "002",
		} {
			if byName[name] != code {
				t.Errorf("bank %q has code %q, want %q", name, byName[name], code)
			}
		}
		for _, code := range []string{"022", "011", "013", "200"} { // CIMB Niaga, Danamon, Permata, BTN
			if !codes[code] {
				t.Errorf("no bank with code %s", code)
			}
		}
		// The alias answers the same.
		r2 := s.forT(t).do(req{Method: "GET", Path: pathDropdowns + "/?data=banks"}).expect(t, http.StatusOK)
		if string(r2.Data) != string(r.Data) {
			t.Fatal("/dropdowns answers other banks than /dropdown-data")
		}
	})
	t.Run("birth_places", func(t *testing.T) {
		got := dataStrings(t, s.forT(t).do(req{Method: "GET", Path: pathDropdown + "?data_selected=birth_places"}).expect(t, http.StatusOK))
		if len(got) < 400 || len(got) > 600 {
			t.Fatalf("%d birth places: want the regencies and cities of Indonesia", len(got))
		}
		for _, want := range []string{"Bandung", "Jakarta Barat", "Surabaya", "Denpasar"} {
			if !contains(got, want) {
				t.Errorf("birth_places lacks %q", want)
			}
		}
		seen := map[string]bool{}
		for _, p := range got {
			if p == "" || seen[p] {
				t.Fatalf("birth_places holds %q twice or empty", p)
			}
			seen[p] = true
		}
	})
	t.Run("jobs", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "GET", Path: pathDropdown + "?data_selected=jobs&job_industry=Kesehatan"}).expect(t, http.StatusOK)
		got := dataStrings(t, r)
		sort.Strings(got)
		if want := []string{"Apoteker", "Dokter", "Lainnya", "Perawat", "Teknisi Laboratorium"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("jobs of Kesehatan %q, want %q", got, want)
		}
		// The document's example industry, through data= and the alias, case-insensitively.
		got = dataStrings(t, s.forT(t).do(req{Method: "GET", Path: pathDropdowns + "?data=jobs&job_industry=transportasi"}).expect(t, http.StatusOK))
		sort.Strings(got)
		want := []string{"Agen Perjalanan", "Kurir / Ekspedisi", "Lainnya", "Masinis / Kereta Api", "Pelaut / Staff Kapal / Nahkoda Kapal",
			"Pilot / Staff Penerbangan", "Sewa Kendaraan", "Supir / Ojek"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("jobs of Transportasi %q, want %q", got, want)
		}
		// Every industry has jobs, ending with Lainnya among them.
		for _, ind := range jobIndustries {
			r := s.forT(t).do(req{Method: "GET", Path: pathDropdown + "?data_selected=jobs&job_industry=" + strings.ReplaceAll(ind, " ", "%20")}).expect(t, http.StatusOK)
			if jobs := dataStrings(t, r); len(jobs) < 2 || !contains(jobs, "Lainnya") {
				t.Fatalf("jobs of %s: %q", ind, jobs)
			}
		}
	})
}

// A missing or unknown list, and jobs without or with an unknown industry,
// are 400 naming the field and the valid choices.
func TestDropdownErrorsNameValidChoices(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	industries := strings.Join(jobIndustries, ", ")
	cases := []struct {
		name, path string
		want       string
	}{
		{"missing", pathDropdown, "data_selected: wajib diisi; pilih salah satu: " + dropdownNames},
		{"empty", pathDropdown + "?data_selected=", "data_selected: wajib diisi; pilih salah satu: " + dropdownNames},
		{"unknown", pathDropdown + "?data_selected=planets", `data_selected: "planets" tidak dikenal; pilih salah satu: ` + dropdownNames},
		{"unknown via data", pathDropdowns + "?data=planets", `data_selected: "planets" tidak dikenal; pilih salah satu: ` + dropdownNames},
		{"jobs without industry", pathDropdown + "?data_selected=jobs", "job_industry: wajib diisi jika data_selected=jobs; pilih salah satu: " + industries},
		{"jobs with unknown industry", pathDropdown + "?data_selected=jobs&job_industry=Astronaut", `job_industry: "Astronaut" tidak dikenal; pilih salah satu: ` + industries},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A list name outside the document's enum is a bad request by the document too.
			invalid := c.name == "empty" || strings.HasPrefix(c.name, "unknown")
			r := s.forT(t).do(req{Method: "GET", Path: c.path, Invalid: invalid}).expect(t, http.StatusBadRequest)
			expectErrors(t, r, c.want)
		})
	}
	t.Run("English", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "GET", Path: pathDropdown + "?data_selected=planets", Header: map[string]string{"Accept-Language": "en"}, Invalid: true}).
			expect(t, http.StatusBadRequest)
		expectErrors(t, r, `data_selected: "planets" is unknown; choose one of: `+dropdownNames)
	})
	t.Run("wrong type in a JSON body", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "GET", Path: pathDropdown, Body: map[string]any{"data_selected": []any{"banks"}}}).expect(t, http.StatusBadRequest)
		if len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0], "data_selected: ") {
			t.Fatalf("errors %q", r.Errors)
		}
	})
}

// Unknown query parameters are ignored; the body may carry the parameters
// like the query string does (errata 4).
func TestDropdownIgnoresUnknownFieldsAndReadsBody(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	want := `["Lajang","Menikah","Cerai","Janda / duda"]`
	for _, r := range []req{
		{Method: "GET", Path: pathDropdown + "?data_selected=marital_statuses&foo=bar&nik=3203021505900001"},
		{Method: "GET", Path: pathDropdown, Body: map[string]any{"data_selected": "marital_statuses", "extra": map[string]any{"x": 1}}},
		{Method: "GET", Path: pathDropdown, Body: "data=marital_statuses", ContentType: "application/x-www-form-urlencoded"},
	} {
		got := s.do(r).expect(t, http.StatusOK)
		var v any
		got.decodeData(t, &v)
		b, _ := json.Marshal(v)
		if string(b) != want {
			t.Fatalf("%s %s: data %s, want %s", r.Method, r.Path, b, want)
		}
	}
}
