package refdata

import "testing"

// Every village carries a postal code since tools/areagen takes them from the
// current source (wilayah_kodepos, 2025 village codes), and the renumbered
// Papua provinces carry their current codes: the villages of Teminabuan,
// Sorong Selatan (Papua Barat Daya) are 98454, not the older 98216.
func TestAreaPostalCodesComplete(t *testing.T) {
	a := testArea(t)
	for _, v := range a.villages {
		if v.Zipcode == "" {
			t.Errorf("village %q has no postal code", v.Name)
		}
	}
	subs, ok := a.SubDistricts("Papua Barat Daya", "Sorong Selatan", "Teminabuan")
	if !ok || len(subs) < 10 {
		t.Fatalf("Teminabuan: %v %v", subs, ok)
	}
	for _, s := range subs {
		if s.Zipcode != "98454" {
			t.Errorf("Teminabuan, %s: postal code %q, want 98454", s.Name, s.Zipcode)
		}
	}
}
