package refdata

import "testing"

func BenchmarkLoadArea(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadArea(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProvinces(b *testing.B) {
	a := testArea(b)
	b.ReportAllocs()
	for b.Loop() {
		if len(a.Provinces()) != 38 {
			b.Fatal("provinces")
		}
	}
}

func BenchmarkCities(b *testing.B) {
	a := testArea(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := a.Cities("JawaBarat"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkDistricts(b *testing.B) {
	a := testArea(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := a.Districts("Jawa Barat", "Bandung"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkSubDistricts(b *testing.B) {
	a := testArea(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := a.SubDistricts("DKI Jakarta", "Jakarta Utara", "Pademangan"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkResolveAddress(b *testing.B) {
	a := testArea(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, mm := a.ResolveAddress("DKI Jakarta", "Jakarta Barat", "Cengkareng", "Cengkareng Barat"); mm != nil {
			b.Fatal(mm)
		}
	}
}
