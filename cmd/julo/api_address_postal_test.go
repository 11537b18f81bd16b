package main

import (
	"net/http"
	"strings"
	"testing"
)

// Postal codes are the current ones (wilayah_kodepos, 2025 village codes):
// in Papua Barat Daya the villages of Teminabuan, Sorong Selatan answer
// 98454 (the older data matched to the renumbered province gave 98216), and
// every village of Sorong Selatan is in the 984xx range. A village that had
// no postal code before (Batee Shok, Sukamakmue, Kota Sabang) has one now.
func TestAddressCurrentPostalCodes(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	villages := func(t *testing.T, province, city, district string) []map[string]string {
		t.Helper()
		r := s.forT(t).do(req{Method: "GET", Path: addressPath("get_address", "sub_district", "province", province, "city", city, "district", district)}).expect(t, http.StatusOK)
		var subs []map[string]string
		r.decodeData(t, &subs)
		if len(subs) == 0 {
			t.Fatalf("%s / %s / %s: no villages", province, city, district)
		}
		return subs
	}

	t.Run("Teminabuan is 98454", func(t *testing.T) {
		for _, sd := range villages(t, "Papua Barat Daya", "Sorong Selatan", "Teminabuan") {
			if sd["zipcode"] != "98454" {
				t.Errorf("Teminabuan, %s: zipcode %q, want 98454", sd["subDistrict"], sd["zipcode"])
			}
		}
	})
	t.Run("Sorong Selatan is 984xx", func(t *testing.T) {
		districts := dataStrings(t, s.forT(t).do(req{Method: "GET", Path: addressPath("get_address", "district", "province", "Papua Barat Daya", "city", "Kabupaten Sorong Selatan")}).expect(t, http.StatusOK))
		if len(districts) < 10 {
			t.Fatalf("districts of Sorong Selatan %q", districts)
		}
		for _, d := range districts {
			for _, sd := range villages(t, "Papua Barat Daya", "Kabupaten Sorong Selatan", d) {
				if z := sd["zipcode"]; len(z) != 5 || !strings.HasPrefix(z, "984") {
					t.Errorf("%s, %s: zipcode %q, want 984xx", d, sd["subDistrict"], z)
				}
			}
		}
	})
	t.Run("a village without a postal code before has one", func(t *testing.T) {
		found := false
		for _, sd := range villages(t, "Aceh", "Kota Sabang", "Sukamakmue") {
			if sd["zipcode"] == "" {
				t.Errorf("Sukamakmue, %s: no zipcode", sd["subDistrict"])
			}
			found = found || (sd["subDistrict"] == "Batee Shok" && sd["zipcode"] == "23517")
		}
		if !found {
			t.Errorf("Batee Shok 23517 missing")
		}
	})
}
