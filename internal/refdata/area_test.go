package refdata

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

var (
	areaOnce    sync.Once
	areaShared  *Area
	areaLoadErr error
)

// testArea loads the embedded data once for all tests.
func testArea(t testing.TB) *Area {
	t.Helper()
	areaOnce.Do(func() { areaShared, areaLoadErr = LoadArea() })
	if areaLoadErr != nil {
		t.Fatalf("LoadArea: %v", areaLoadErr)
	}
	return areaShared
}

func TestAreaCounts(t *testing.T) {
	a := testArea(t)
	cities, districts, villages := 0, 0, 0
	for _, p := range a.Provinces() {
		cs, ok := a.Cities(p)
		if !ok {
			t.Fatalf("Cities(%q) not found", p)
		}
		cities += len(cs)
	}
	districts = len(a.districts)
	villages = len(a.villages)
	if got := len(a.Provinces()); got != 38 {
		t.Errorf("provinces = %d, want 38", got)
	}
	if cities != 514 || len(a.cities) != 514 {
		t.Errorf("regencies/cities = %d (%d parsed), want 514", cities, len(a.cities))
	}
	if districts < 7200 {
		t.Errorf("districts = %d, want >= 7200", districts)
	}
	if villages < 83000 {
		t.Errorf("villages = %d, want >= 83000", villages)
	}
}

func TestAreaPostalCoverage(t *testing.T) {
	a := testArea(t)
	with := 0
	for _, v := range a.villages {
		switch {
		case v.Zipcode == "":
		case len(v.Zipcode) == 5 && areaDigits(v.Zipcode) && v.Zipcode[0] != '0':
			with++
		default:
			t.Errorf("village %q: bad zipcode %q", v.Name, v.Zipcode)
		}
	}
	pct := 100 * float64(with) / float64(len(a.villages))
	t.Logf("postal code coverage: %d of %d villages (%.2f%%)", with, len(a.villages), pct)
	// Every village has one since the 2025 postal source (tools/areagen).
	if with != len(a.villages) {
		t.Errorf("postal code coverage %.2f%%: %d villages have none, want every one", pct, len(a.villages)-with)
	}
}

func TestAreaDisplayNames(t *testing.T) {
	a := testArea(t)
	check := func(level, name string) {
		t.Helper()
		r, _ := utf8.DecodeRuneInString(name)
		switch {
		case name == "", strings.TrimSpace(name) != name, strings.Contains(name, "  "),
			strings.ContainsAny(name, "\t\n\r\"*"), unicode.IsLower(r):
			t.Errorf("%s name %q is not a clean display name", level, name)
		}
	}
	for _, p := range a.provinces {
		check("province", p.name)
	}
	for _, c := range a.cities {
		check("city", c.name)
		if !strings.HasPrefix(c.name, "Kabupaten ") && !strings.HasPrefix(c.name, "Kota ") {
			t.Errorf("city %q has no Kabupaten/Kota prefix", c.name)
		}
	}
	for _, d := range a.districts {
		check("district", d.name)
	}
	for _, v := range a.villages {
		check("village", v.Name)
	}
	for _, want := range []string{"DKI Jakarta", "DI Yogyakarta", "Jawa Barat", "Kepulauan Bangka Belitung", "Papua Barat Daya"} {
		if !slices.Contains(a.Provinces(), want) {
			t.Errorf("Provinces() lacks %q", want)
		}
	}
	// Roman numerals and acronyms stay in capitals.
	if ds, _ := a.Districts("Aceh", "Aceh Barat"); !slices.Contains(ds, "Kaway XVI") {
		t.Errorf("Districts(Aceh, Aceh Barat) lacks %q: %v", "Kaway XVI", ds)
	}
}

func TestAreaSorted(t *testing.T) {
	a := testArea(t)
	sorted := func(what string, names []string) {
		t.Helper()
		for i := 1; i < len(names); i++ {
			if !areaLess(names[i-1], names[i]) && names[i-1] != names[i] {
				t.Errorf("%s not sorted: %q before %q", what, names[i-1], names[i])
				return
			}
		}
	}
	sorted("provinces", a.Provinces())
	sorted("birth places", a.BirthPlaces())
	for _, p := range a.provinces {
		sorted("cities of "+p.name, p.cityNames)
	}
	for _, m := range a.cityMatches {
		sorted("districts", m.districtNames)
	}
	for _, m := range a.districtMatches {
		names := make([]string, len(m.subs))
		for i, s := range m.subs {
			names[i] = s.Name
		}
		sorted("villages", names)
	}
}

func TestAreaCities(t *testing.T) {
	a := testArea(t)
	tests := []struct {
		province string
		want     []string // must all be present
		notFound bool
	}{
		{province: "Jawa Barat", want: []string{"Kota Bandung", "Kabupaten Bandung", "Kabupaten Bandung Barat", "Kota Cimahi"}},
		{province: "JawaBarat", want: []string{"Kota Bandung", "Kabupaten Bandung"}},
		{province: "jawa-barat", want: []string{"Kota Bandung", "Kabupaten Bandung"}},
		{province: "JAWA  BARAT", want: []string{"Kota Bandung", "Kabupaten Bandung"}},
		{province: " jawa barat. ", want: []string{"Kota Bandung"}},
		{province: "Provinsi Jawa Barat", want: []string{"Kota Bandung"}},
		{province: "Jabar", want: []string{"Kota Bandung"}},
		{province: "DKI Jakarta", want: []string{"Kota Administrasi Jakarta Barat", "Kota Administrasi Jakarta Utara", "Kabupaten Administrasi Kepulauan Seribu"}},
		{province: "DKI", want: []string{"Kota Administrasi Jakarta Barat"}},
		{province: "Jakarta", want: []string{"Kota Administrasi Jakarta Barat"}},
		{province: "D.K.I. Jakarta", want: []string{"Kota Administrasi Jakarta Barat"}},
		{province: "Daerah Khusus Ibukota Jakarta", want: []string{"Kota Administrasi Jakarta Barat"}},
		{province: "DI Yogyakarta", want: []string{"Kota Yogyakarta", "Kabupaten Sleman"}},
		{province: "Yogyakarta", want: []string{"Kota Yogyakarta"}},
		{province: "DIY", want: []string{"Kota Yogyakarta"}},
		{province: "Daerah Istimewa Yogyakarta", want: []string{"Kota Yogyakarta"}},
		{province: "kepulauan bangka belitung", want: []string{"Kota Pangkal Pinang"}},
		{province: "Papua Selatan", want: []string{"Kabupaten Merauke"}},
		{province: "Riau", want: []string{"Kota Pekanbaru"}},
		{province: "Kepulauan Riau", want: []string{"Kota Batam"}},
		{province: "Atlantis", notFound: true},
		{province: "", notFound: true},
		{province: "--", notFound: true},
		{province: "Jawa", notFound: true},
	}
	for _, tt := range tests {
		got, ok := a.Cities(tt.province)
		if ok == tt.notFound {
			t.Errorf("Cities(%q) found = %v, want %v", tt.province, ok, !tt.notFound)
			continue
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Cities(%q) lacks %q: %v", tt.province, w, got)
			}
		}
	}
	// Riau and Kepulauan Riau stay apart.
	riau, _ := a.Cities("Riau")
	if slices.Contains(riau, "Kota Batam") {
		t.Error("Cities(Riau) holds Kota Batam")
	}
}

func TestAreaDistricts(t *testing.T) {
	a := testArea(t)
	tests := []struct {
		province, city string
		want, notWant  []string
		notFound       bool
	}{
		// A short name that fits two regencies fits both.
		{province: "Jawa Barat", city: "Bandung", want: []string{"Andir", "Coblong", "Soreang", "Baleendah"}},
		{province: "JawaBarat", city: "bandung", want: []string{"Andir", "Soreang"}},
		{province: "Jawa Barat", city: "Kota Bandung", want: []string{"Andir", "Coblong"}, notWant: []string{"Soreang"}},
		{province: "Jawa Barat", city: "KOTA-BANDUNG", want: []string{"Andir"}, notWant: []string{"Soreang"}},
		{province: "Jawa Barat", city: "Kabupaten Bandung", want: []string{"Soreang"}, notWant: []string{"Andir"}},
		{province: "Jawa Barat", city: "Kab. Bandung", want: []string{"Soreang"}, notWant: []string{"Andir"}},
		{province: "Jawa Barat", city: "Bandung Barat", want: []string{"Lembang"}, notWant: []string{"Andir", "Soreang"}},
		{province: "DKI Jakarta", city: "Jakarta Barat", want: []string{"Cengkareng", "Kebon Jeruk"}},
		{province: "DKI Jakarta", city: "Kota Jakarta Barat", want: []string{"Cengkareng"}},
		{province: "DKI Jakarta", city: "Kota Administrasi Jakarta Barat", want: []string{"Cengkareng"}},
		{province: "DKI Jakarta", city: "Kota Adm. Jakarta Barat", want: []string{"Cengkareng"}},
		{province: "DKI Jakarta", city: "Kepulauan Seribu", want: []string{"Kepulauan Seribu Utara"}},
		{province: "DKI Jakarta", city: "Kabupaten Kepulauan Seribu", want: []string{"Kepulauan Seribu Utara"}},
		{province: "Jawa Barat", city: "Jakarta Barat", notFound: true},
		{province: "Jawa Tengah", city: "Bandung", notFound: true},
		{province: "Atlantis", city: "Bandung", notFound: true},
		{province: "Jawa Barat", city: "", notFound: true},
		{province: "Jawa Barat", city: "Kota", notFound: true},
	}
	for _, tt := range tests {
		got, ok := a.Districts(tt.province, tt.city)
		if ok == tt.notFound {
			t.Errorf("Districts(%q, %q) found = %v, want %v", tt.province, tt.city, ok, !tt.notFound)
			continue
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Districts(%q, %q) lacks %q", tt.province, tt.city, w)
			}
		}
		for _, w := range tt.notWant {
			if slices.Contains(got, w) {
				t.Errorf("Districts(%q, %q) holds %q", tt.province, tt.city, w)
			}
		}
		seen := map[string]bool{}
		for _, d := range got {
			if seen[d] {
				t.Errorf("Districts(%q, %q) repeats %q", tt.province, tt.city, d)
			}
			seen[d] = true
		}
	}
	both, _ := a.Districts("Jawa Barat", "Bandung")
	kota, _ := a.Districts("Jawa Barat", "Kota Bandung")
	kab, _ := a.Districts("Jawa Barat", "Kabupaten Bandung")
	if len(both) != len(kota)+len(kab) { // no district name is shared by the two
		t.Errorf("Districts(Bandung) = %d names, want %d + %d", len(both), len(kota), len(kab))
	}
}

func TestAreaSubDistricts(t *testing.T) {
	a := testArea(t)
	tests := []struct {
		province, city, district string
		want                     []SubDistrict
		notFound                 bool
	}{
		{"DKI Jakarta", "Jakarta Utara", "Pademangan", []SubDistrict{{"Pademangan Timur", "14410"}, {"Pademangan Barat", "14420"}, {"Ancol", "14430"}}, false},
		{"dki", "JAKARTA UTARA", "pademangan", []SubDistrict{{"Pademangan Timur", "14410"}}, false},
		{"DKI Jakarta", "Jakarta Utara", "Kecamatan Pademangan", []SubDistrict{{"Pademangan Timur", "14410"}}, false},
		{"DKI Jakarta", "Jakarta Utara", "Kec. Pademangan", []SubDistrict{{"Pademangan Timur", "14410"}}, false},
		{"DKI Jakarta", "Jakarta Barat", "Cengkareng", []SubDistrict{{"Cengkareng Barat", "11730"}}, false},
		{"Jawa Barat", "Bandung", "Andir", []SubDistrict{{"Ciroyom", "40182"}}, false},
		{"Jawa Barat", "Bandung", "Bandung Kulon", []SubDistrict{{"Cigondewah Kaler", "40214"}}, false},
		{"DKI Jakarta", "Jakarta Utara", "Andir", nil, true},
		{"DKI Jakarta", "Jakarta Selatan", "Pademangan", nil, true},
		{"DKI Jakarta", "Bandung", "Pademangan", nil, true},
		{"Jawa Timur", "Jakarta Utara", "Pademangan", nil, true},
	}
	for _, tt := range tests {
		got, ok := a.SubDistricts(tt.province, tt.city, tt.district)
		if ok == tt.notFound {
			t.Errorf("SubDistricts(%q, %q, %q) found = %v, want %v", tt.province, tt.city, tt.district, ok, !tt.notFound)
			continue
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("SubDistricts(%q, %q, %q) lacks %+v: %+v", tt.province, tt.city, tt.district, w, got)
			}
		}
	}
}

func TestAreaResolveAddress(t *testing.T) {
	a := testArea(t)
	ok := []struct {
		in   [4]string
		want Address
	}{
		// The partner documentation's addresses.
		{[4]string{"DKI Jakarta", "Jakarta Utara", "Pademangan", "Pademangan Timur"},
			Address{"DKI Jakarta", "Kota Administrasi Jakarta Utara", "Pademangan", "Pademangan Timur", "14410"}},
		{[4]string{"DKI Jakarta", "Jakarta Barat", "Cengkareng", "Cengkareng Barat"},
			Address{"DKI Jakarta", "Kota Administrasi Jakarta Barat", "Cengkareng", "Cengkareng Barat", "11730"}},
		// Liberal matching, canonical result.
		{[4]string{"dki jakarta", "JAKARTA-BARAT", "cengkareng", "CENGKARENG  BARAT"},
			Address{"DKI Jakarta", "Kota Administrasi Jakarta Barat", "Cengkareng", "Cengkareng Barat", "11730"}},
		{[4]string{"Jakarta", "Kota Jakarta Barat", "Kec. Cengkareng", "Kel. Cengkareng Barat"},
			Address{"DKI Jakarta", "Kota Administrasi Jakarta Barat", "Cengkareng", "Cengkareng Barat", "11730"}},
		{[4]string{"DKI", "Kota Administrasi Jakarta Utara", "Kecamatan Pademangan", "Kelurahan Pademangan Timur"},
			Address{"DKI Jakarta", "Kota Administrasi Jakarta Utara", "Pademangan", "Pademangan Timur", "14410"}},
		// A short city name that fits two cities: whichever holds the district.
		{[4]string{"JawaBarat", "Bandung", "Bandung Kulon", "Cigondewah Kaler"},
			Address{"Jawa Barat", "Kota Bandung", "Bandung Kulon", "Cigondewah Kaler", "40214"}},
		{[4]string{"JawaBarat", "Bandung", "Soreang", "Soreang"},
			Address{"Jawa Barat", "Kabupaten Bandung", "Soreang", "Soreang", "40911"}},
		{[4]string{"DIY", "Yogyakarta", "Gondokusuman", "Terban"},
			Address{"DI Yogyakarta", "Kota Yogyakarta", "Gondokusuman", "Terban", "55223"}},
	}
	for _, tt := range ok {
		got, mm := a.ResolveAddress(tt.in[0], tt.in[1], tt.in[2], tt.in[3])
		if mm != nil {
			t.Errorf("ResolveAddress(%q) mismatch at %q", tt.in, mm.Level)
			continue
		}
		if got != tt.want {
			t.Errorf("ResolveAddress(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}

	bad := []struct {
		in    [4]string
		level string
	}{
		{[4]string{"Gotham", "Jakarta Barat", "Cengkareng", "Cengkareng Barat"}, "province"},
		{[4]string{"", "Jakarta Barat", "Cengkareng", "Cengkareng Barat"}, "province"},
		{[4]string{"DKI Jakarta", "Gotham City", "Cengkareng", "Cengkareng Barat"}, "city"},
		{[4]string{"Jawa Barat", "Jakarta Barat", "Cengkareng", "Cengkareng Barat"}, "city"},
		{[4]string{"DKI Jakarta", "", "Cengkareng", "Cengkareng Barat"}, "city"},
		// The documentation's second example mixes Jakarta Barat with a Bandung district.
		{[4]string{"DKI Jakarta", "Jakarta Barat", "Bandung Kulon", "Cigondewah Kaler"}, "district"},
		{[4]string{"DKI Jakarta", "Jakarta Barat", "", "Cengkareng Barat"}, "district"},
		{[4]string{"DKI Jakarta", "Jakarta Barat", "Cengkareng", "Pademangan Timur"}, "sub_district"},
		{[4]string{"DKI Jakarta", "Jakarta Barat", "Cengkareng", ""}, "sub_district"},
		{[4]string{"Jawa Barat", "Kota Bandung", "Soreang", "Soreang"}, "district"},
		{[4]string{"Jawa Barat", "Bandung", "Andir", "Soreang"}, "sub_district"},
	}
	for _, tt := range bad {
		got, mm := a.ResolveAddress(tt.in[0], tt.in[1], tt.in[2], tt.in[3])
		if mm == nil {
			t.Errorf("ResolveAddress(%q) = %+v, want mismatch at %q", tt.in, got, tt.level)
			continue
		}
		if mm.Level != tt.level {
			t.Errorf("ResolveAddress(%q) mismatch at %q, want %q", tt.in, mm.Level, tt.level)
		}
		if got != (Address{}) {
			t.Errorf("ResolveAddress(%q) returned %+v with a mismatch", tt.in, got)
		}
	}
}

// Every village resolves to itself from its own canonical names.
func TestAreaResolveEveryVillage(t *testing.T) {
	a := testArea(t)
	for _, p := range a.provinces {
		for _, cn := range p.cityNames {
			ds, ok := a.Districts(p.name, cn)
			if !ok {
				t.Fatalf("Districts(%q, %q) not found", p.name, cn)
			}
			for _, dn := range ds {
				subs, ok := a.SubDistricts(p.name, cn, dn)
				if !ok || len(subs) == 0 {
					t.Fatalf("SubDistricts(%q, %q, %q) = %v, %v", p.name, cn, dn, subs, ok)
				}
				for _, s := range subs {
					got, mm := a.ResolveAddress(p.name, cn, dn, s.Name)
					if mm != nil {
						t.Fatalf("ResolveAddress(%q, %q, %q, %q) mismatch at %q", p.name, cn, dn, s.Name, mm.Level)
					}
					if got.Province != p.name || got.City != cn || got.District != dn || got.SubDistrict != s.Name {
						t.Fatalf("ResolveAddress(%q, %q, %q, %q) = %+v", p.name, cn, dn, s.Name, got)
					}
				}
			}
		}
	}
}

func TestAreaProvinceCode(t *testing.T) {
	a := testArea(t)
	for _, tt := range []struct {
		code string
		want bool
	}{
		{"32", true}, {"31", true}, {"11", true}, {"96", true},
		{"00", false}, {"99", false}, {"10", false}, {"3", false}, {"320", false},
		{"3a", false}, {"", false}, {"-1", false},
	} {
		if got := a.ProvinceCode(tt.code); got != tt.want {
			t.Errorf("ProvinceCode(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestAreaBirthPlaces(t *testing.T) {
	a := testArea(t)
	bp := a.BirthPlaces()
	count := map[string]int{}
	for _, p := range bp {
		count[p]++
		for _, prefix := range []string{"Kabupaten ", "Kota "} {
			if strings.HasPrefix(p, prefix) {
				t.Errorf("birth place %q keeps its prefix", p)
			}
		}
	}
	for _, want := range []string{"Bandung", "Jakarta Barat", "Kepulauan Seribu", "Banjar", "Yogyakarta", "Sleman"} {
		if count[want] != 1 {
			t.Errorf("BirthPlaces has %q %d times, want once", want, count[want])
		}
	}
	if len(bp) < 450 || len(bp) > 514 {
		t.Errorf("BirthPlaces has %d names", len(bp))
	}
}

func TestFoldKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Jawa Barat", "jawabarat"},
		{"JawaBarat", "jawabarat"},
		{"jawa-barat", "jawabarat"},
		{"JAWA  BARAT", "jawabarat"},
		{" D.K.I. Jakarta ", "dkijakarta"},
		{"Sa'dan", "sadan"},
		{"Kaway XVI", "kawayxvi"},
		{"Misool (Misool Utara)", "misoolmisoolutara"},
		{"Pademangan\tTimur", "pademangantimur"},
		{"ÉCOLE", "école"},
		{"", ""},
		{"-/.", ""},
	} {
		if got := foldKey(tt.in); got != tt.want {
			t.Errorf("foldKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Lookups allocate nothing but what they return.
func TestAreaNoAllocs(t *testing.T) {
	a := testArea(t)
	allocs := testing.AllocsPerRun(100, func() {
		a.Cities("JawaBarat")
		a.Districts("Jawa Barat", "Bandung")
		a.SubDistricts("DKI Jakarta", "Jakarta Utara", "Kecamatan Pademangan")
		a.ResolveAddress("DKI Jakarta", "Jakarta Barat", "Cengkareng", "Cengkareng Barat")
		a.ProvinceCode("32")
	})
	if allocs != 0 {
		t.Errorf("lookups allocate %v times per run, want 0", allocs)
	}
}

func TestAreaConcurrent(t *testing.T) {
	a := testArea(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if _, mm := a.ResolveAddress("DKI Jakarta", "Jakarta Utara", "Pademangan", "Pademangan Timur"); mm != nil {
					t.Error("concurrent ResolveAddress failed")
					return
				}
				a.Districts("Jawa Barat", "Bandung")
				a.SubDistricts("Jawa Barat", "Bandung", "Andir")
			}
		}()
	}
	wg.Wait()
}

func TestAreaParseErrors(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	good := "# comment\n32\tJawa Barat\n.73\tKota Bandung\n..01\tSukasari\n...1001\tGegerkalong\t40153\n"
	if _, err := areaParse(gz(good)); err != nil {
		t.Fatalf("minimal data: %v", err)
	}
	for name, data := range map[string][]byte{
		"not gzip":          []byte("32\tJawa Barat\n"),
		"empty":             gz(""),
		"village first":     gz("...1001\tGegerkalong\t40153\n"),
		"district no city":  gz("32\tJawa Barat\n..01\tSukasari\n"),
		"bad province":      gz("3x\tJawa Barat\n.73\tKota Bandung\n..01\tSukasari\n...1001\tG\t40153\n"),
		"bad zip":           gz("32\tJawa Barat\n.73\tKota Bandung\n..01\tSukasari\n...1001\tG\t4015\n"),
		"no name":           gz("32\t\n"),
		"too deep":          gz("32\tJawa Barat\n....1\tX\n"),
		"city no districts": gz("32\tJawa Barat\n.73\tKota Bandung\n"),
	} {
		if _, err := areaParse(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
