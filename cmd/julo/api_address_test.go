package main

import (
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func addressPath(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return pathAddress + "?" + v.Encode()
}

// stripRegency drops a regency's Kabupaten/Kota prefix.
func stripRegency(name string) string {
	for _, p := range []string{"Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "} {
		if strings.HasPrefix(name, p) {
			return name[len(p):]
		}
	}
	return name
}

// The documentation's example (get_address=city&province=JawaBarat) answers
// the cities of Jawa Barat: the document's 21 names, each a Kota or
// Kabupaten of the answer (errata 22).
func TestAddressDocExampleCitiesOfJawaBarat(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	got := dataStrings(t, s.do(req{Method: "GET", Path: pathAddress + "?get_address=city&province=JawaBarat"}).expect(t, http.StatusOK))
	short := map[string]bool{}
	for _, c := range got {
		short[stripRegency(c)] = true
	}
	var names []string
	for n := range short {
		names = append(names, n)
	}
	sort.Strings(names)
	want := []string{"Bandung", "Bandung Barat", "Banjar", "Bekasi", "Bogor", "Ciamis", "Cianjur", "Cimahi", "Cirebon", "Depok",
		"Garut", "Indramayu", "Karawang", "Kuningan", "Majalengka", "Pangandaran", "Purwakarta", "Subang", "Sukabumi", "Sumedang", "Tasikmalaya"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("cities of JawaBarat (without Kota/Kabupaten) %q\nwant %q", names, want)
	}
	for _, c := range []string{"Kota Bandung", "Kabupaten Bandung", "Kota Depok"} {
		if !contains(got, c) {
			t.Errorf("cities lack %q: %q", c, got)
		}
	}
}

// Every level answers with the parents it needs: province (38 provinces),
// city, district and sub_district (villages with their postal codes); the
// level is read from get_address or address_type.
func TestAddressLevels(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	t.Run("province", func(t *testing.T) {
		for _, p := range []string{pathAddress + "?get_address=province", pathAddress + "/?address_type=province"} {
			got := dataStrings(t, s.forT(t).do(req{Method: "GET", Path: p}).expect(t, http.StatusOK))
			if len(got) != 38 || !contains(got, "DKI Jakarta") || !contains(got, "Jawa Barat") || !contains(got, "DI Yogyakarta") || !contains(got, "Papua Barat Daya") {
				t.Fatalf("%s: %d provinces %q", p, len(got), got)
			}
		}
	})
	t.Run("city", func(t *testing.T) {
		got := dataStrings(t, s.forT(t).do(req{Method: "GET", Path: addressPath("get_address", "city", "province", "DKI Jakarta")}).expect(t, http.StatusOK))
		for _, c := range []string{"Jakarta Utara", "Jakarta Barat", "Kepulauan Seribu"} {
			found := false
			for _, g := range got {
				found = found || stripRegency(g) == c
			}
			if !found {
				t.Fatalf("cities of DKI Jakarta %q lack %q", got, c)
			}
		}
	})
	t.Run("district", func(t *testing.T) {
		got := dataStrings(t, s.forT(t).do(req{Method: "GET", Path: addressPath("address_type", "district", "province", "DKI Jakarta", "city", "Jakarta Utara")}).expect(t, http.StatusOK))
		want := []string{"Cilincing", "Kelapa Gading", "Koja", "Pademangan", "Penjaringan", "Tanjung Priok"}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("districts of Jakarta Utara %q, want %q", got, want)
		}
	})
	t.Run("sub_district", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "GET", Path: addressPath("get_address", "sub_district", "province", "DKI Jakarta", "city", "Jakarta Utara", "district", "Pademangan")}).expect(t, http.StatusOK)
		var subs []map[string]string
		r.decodeData(t, &subs)
		want := []map[string]string{
			{"subDistrict": "Ancol", "zipcode": "14430"},
			{"subDistrict": "Pademangan Barat", "zipcode": "14420"},
			{"subDistrict": "Pademangan Timur", "zipcode": "14410"},
		}
		sort.Slice(subs, func(i, j int) bool { return subs[i]["subDistrict"] < subs[j]["subDistrict"] })
		if !reflect.DeepEqual(subs, want) {
			t.Fatalf("villages of Pademangan %v, want %v", subs, want)
		}
	})
	t.Run("sub_district of the document's Andir, Bandung", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "GET", Path: addressPath("get_address", "sub_district", "province", "Jawa Barat", "city", "Bandung", "district", "Andir")}).expect(t, http.StatusOK)
		var subs []map[string]any
		r.decodeData(t, &subs)
		zip := regexp.MustCompile(`^[0-9]{5}$`)
		names := map[string]bool{}
		for _, sd := range subs {
			name, _ := sd["subDistrict"].(string)
			z, _ := sd["zipcode"].(string)
			if len(sd) != 2 || name == "" || !zip.MatchString(z) {
				t.Fatalf("village %v: want subDistrict and a 5-digit zipcode", sd)
			}
			names[name] = true
		}
		if len(subs) != 6 || !names["Ciroyom"] || !names["Kebon Jeruk"] {
			t.Fatalf("villages of Andir %v", subs)
		}
	})
}

// Names match regardless of case, spacing and punctuation, and a city
// matches without its Kabupaten/Kota prefix: "Bandung" fits both Kota and
// Kabupaten Bandung (errata 22, domain §11).
func TestAddressLiberalNameMatching(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	base := dataStrings(t, s.do(req{Method: "GET", Path: addressPath("get_address", "city", "province", "Jawa Barat")}).expect(t, http.StatusOK))
	for _, p := range []string{"jawa barat", "JAWA BARAT", "  Jawa   Barat ", "Jawa-Barat", "jawa.barat", "JawaBarat", "jawabarat"} {
		got := dataStrings(t, s.do(req{Method: "GET", Path: addressPath("get_address", "city", "province", p)}).expect(t, http.StatusOK))
		if !reflect.DeepEqual(got, base) {
			t.Fatalf("province %q answered other cities: %q", p, got)
		}
	}
	districts := func(city string) []string {
		t.Helper()
		return dataStrings(t, s.do(req{Method: "GET", Path: addressPath("get_address", "district", "province", "Jawa Barat", "city", city)}).expect(t, http.StatusOK))
	}
	kota, kab, both := districts("Kota Bandung"), districts("Kabupaten Bandung"), districts("Bandung")
	if !contains(kota, "Andir") || contains(kota, "Soreang") || !contains(kab, "Soreang") || contains(kab, "Andir") {
		t.Fatalf("Kota Bandung %q / Kabupaten Bandung %q", kota, kab)
	}
	if !contains(both, "Andir") || !contains(both, "Soreang") {
		t.Fatalf("Bandung fits only one regency: %q", both)
	}
	for _, c := range []string{"kota bandung", "KOTA-BANDUNG", "Kab. Bandung", "kabupaten bandung"} {
		got := districts(c)
		if !reflect.DeepEqual(got, kota) && !reflect.DeepEqual(got, kab) {
			t.Fatalf("city %q answered %q", c, got)
		}
	}
	r := s.do(req{Method: "GET", Path: addressPath("get_address", "sub_district", "province", "dki jakarta", "city", "JAKARTA utara", "district", "pademangan")}).expect(t, http.StatusOK)
	var subs []map[string]string
	r.decodeData(t, &subs)
	found := false
	for _, sd := range subs {
		found = found || (sd["subDistrict"] == "Pademangan Timur" && sd["zipcode"] == "14410")
	}
	if !found {
		t.Fatalf("Pademangan Timur 14410 missing: %v", subs)
	}
}

// A missing level or parent, an unknown level, and a province, city or
// district that matches nothing are 400 naming that field.
func TestAddressErrorsNameField(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	cases := []struct {
		name string
		path string
		want []string
	}{
		{"no level", pathAddress, []string{"get_address: wajib diisi; pilih salah satu: province, city, district, sub_district"}},
		{"unknown level", addressPath("get_address", "planet"), []string{`get_address: "planet" tidak dikenal; pilih salah satu: province, city, district, sub_district`}},
		{"city without province", addressPath("get_address", "city"), []string{"province: wajib diisi untuk get_address=city"}},
		{"district without city", addressPath("get_address", "district", "province", "DKI Jakarta"), []string{"city: wajib diisi untuk get_address=district"}},
		{"district without parents", addressPath("get_address", "district"), []string{"province: wajib diisi untuk get_address=district", "city: wajib diisi untuk get_address=district"}},
		{"sub_district without district", addressPath("get_address", "sub_district", "province", "DKI Jakarta", "city", "Jakarta Utara"), []string{"district: wajib diisi untuk get_address=sub_district"}},
		{"sub_district without parents", addressPath("get_address", "sub_district"), []string{"province: wajib diisi untuk get_address=sub_district",
			"city: wajib diisi untuk get_address=sub_district", "district: wajib diisi untuk get_address=sub_district"}},
		{"unknown province", addressPath("get_address", "city", "province", "Narnia"), []string{`province: provinsi "Narnia" tidak ditemukan; lihat get_address=province`}},
		{"unknown province below", addressPath("get_address", "sub_district", "province", "Narnia", "city", "Jakarta Utara", "district", "Pademangan"), []string{`province: provinsi "Narnia" tidak ditemukan; lihat get_address=province`}},
		{"unknown city", addressPath("get_address", "district", "province", "DKI Jakarta", "city", "Gotham"), []string{`city: kabupaten/kota "Gotham" tidak ditemukan di provinsi tersebut; lihat get_address=city`}},
		{"city of another province", addressPath("get_address", "district", "province", "DKI Jakarta", "city", "Bandung"), []string{`city: kabupaten/kota "Bandung" tidak ditemukan di provinsi tersebut; lihat get_address=city`}},
		{"unknown district", addressPath("get_address", "sub_district", "province", "DKI Jakarta", "city", "Jakarta Utara", "district", "Batcave"), []string{`district: kecamatan "Batcave" tidak ditemukan di kabupaten/kota tersebut; lihat get_address=district`}},
		{"district of another city", addressPath("get_address", "sub_district", "province", "DKI Jakarta", "city", "Jakarta Utara", "district", "Cengkareng"), []string{`district: kecamatan "Cengkareng" tidak ditemukan di kabupaten/kota tersebut; lihat get_address=district`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.forT(t).do(req{Method: "GET", Path: c.path}).expect(t, http.StatusBadRequest)
			expectErrors(t, r, c.want...)
		})
	}
	t.Run("English", func(t *testing.T) {
		r := s.forT(t).do(req{Method: "GET", Path: addressPath("get_address", "district", "province", "DKI Jakarta", "city", "Gotham"),
			Header: map[string]string{"Accept-Language": "en"}}).expect(t, http.StatusBadRequest)
		expectErrors(t, r, `city: city "Gotham" not found in that province; see get_address=city`)
	})
}
