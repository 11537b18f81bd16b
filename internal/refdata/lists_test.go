package refdata

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The expected values are written out literally: they are the spec
// (domain.md §10), not a copy of the implementation.

func TestListValues(t *testing.T) {
	tests := []struct {
		name string
		list *StringList
		want []string
	}{
		{"job_types", JobTypes, []string{
			"Pegawai swasta", "Pegawai negeri", "Pengusaha", "Freelance",
			"Staf rumah tangga", "Ibu rumah tangga", "Mahasiswa", "Tidak bekerja",
		}},
		{"job_industries", JobIndustries, []string{
			"Admin / Finance / HR", "Design / Seni", "Entertainment / Event",
			"Hukum / Security / Politik", "Kesehatan", "Konstruksi / Real Estate",
			"Media", "Pabrik / Gudang", "Pendidikan", "Perawatan Tubuh", "Perbankan",
			"Sales / Marketing", "Service", "Tehnik / Computer", "Transportasi",
			"Staf Rumah Tangga", "Perhotelan",
		}},
		{"home_statuses", HomeStatuses, []string{
			"Kontrak", "Kos", "Milik orang tua", "Milik keluarga",
			"Milik sendiri, lunas", "Milik sendiri, mencicil", "Mess karyawan",
		}},
		{"kin_relationships", KinRelationships, []string{
			"Orang tua", "Saudara kandung", "Famili lainnya",
		}},
		{"last_educations", LastEducations, []string{
			"SD", "SLTP", "SLTA", "Diploma", "S1", "S2", "S3",
		}},
		{"marital_statuses", MaritalStatuses, []string{
			"Lajang", "Menikah", "Cerai", "Janda / duda",
		}},
		{"vehicle_types", VehicleTypes, []string{
			"Sepeda motor", "Mobil", "Tidak punya",
		}},
		{"vehicle_ownerships", VehicleOwnerships, []string{
			"Lunas", "Mencicil", "Diagunkan", "Lainnya", "Tidak punya",
		}},
		{"loan_purposes", LoanPurposes, []string{
			"Modal usaha", "Kebutuhan sehari-hari", "Membayar hutang lainnya",
			"Biaya pendidikan", "Biaya kesehatan", "Belanja online",
			"Membeli elektronik", "Membeli kendaraan", "Biaya liburan / umroh",
			"Renovasi Rumah", "Transfer ke Keluarga/Teman",
		}},
		{"non-working job types", NonWorkingJobTypes, []string{
			"Tidak bekerja", "Staf rumah tangga", "Ibu rumah tangga", "Mahasiswa",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.list.Values(); !slices.Equal(got, tt.want) {
				t.Errorf("Values() =\n%q\nwant\n%q", got, tt.want)
			}
			if tt.list.Len() != len(tt.want) {
				t.Errorf("Len() = %d, want %d", tt.list.Len(), len(tt.want))
			}
			for _, v := range tt.want {
				if got, ok := tt.list.Canonical(v); !ok || got != v {
					t.Errorf("Canonical(%q) = %q, %v", v, got, ok)
				}
			}
		})
	}
}

func TestNonWorkingJobTypesAreJobTypes(t *testing.T) {
	for _, v := range NonWorkingJobTypes.Values() {
		if got, ok := JobTypes.Canonical(v); !ok || got != v {
			t.Errorf("non-working job type %q is not a job type", v)
		}
	}
}

func TestLoanPurposesHaveNoStagingJunk(t *testing.T) {
	for _, junk := range []string{"kawin lagi", "ngepet", "beli menyan"} {
		if LoanPurposes.Contains(junk) {
			t.Errorf("loan purposes contain staging entry %q", junk)
		}
	}
}

func TestJobs(t *testing.T) {
	want := map[string][]string{
		"Admin / Finance / HR":       {"Admin", "Akuntan / Finance", "HR", "Office Boy", "Sekretaris", "Lainnya"},
		"Design / Seni":              {"Design Grafis", "Pelukis", "Photographer", "Lainnya"},
		"Entertainment / Event":      {"DJ / Musisi", "Event Organizer", "Kameraman", "Penyanyi / Penari / Model", "Produser / Sutradara", "Lainnya"},
		"Hukum / Security / Politik": {"Anggota Pemerintahan", "Hakim / Jaksa / Pengacara", "Notaris", "Ormas", "Pemuka Agama", "Satpam", "TNI / Polisi", "Lainnya"},
		"Kesehatan":                  {"Apoteker", "Dokter", "Perawat", "Teknisi Laboratorium", "Lainnya"},
		"Konstruksi / Real Estate":   {"Arsitek / Tehnik Sipil", "Interior Designer", "Mandor", "Pemborong", "Proyek Manager / Surveyor", "Real Estate Broker", "Tukang Bangunan", "Lainnya"},
		"Media":                      {"Kameraman", "Penulis / Editor", "Wartawan", "Lainnya"},
		"Pabrik / Gudang":            {"Buruh Pabrik / Gudang", "Kepala Pabrik / Gudang", "Teknisi Mesin", "Lainnya"},
		"Pendidikan":                 {"Dosen", "Guru", "Instruktur / Pembimbing Kursus", "Kepala Sekolah", "Tata Usaha", "Lainnya"},
		"Perawatan Tubuh":            {"Fashion Designer", "Gym / Fitness", "Pelatih / Trainer", "Salon / Spa / Panti Pijat", "Lainnya"},
		"Perbankan":                  {"Back-office", "Bank Teller", "CS Bank", "Credit Analyst", "Kolektor", "Resepsionis", "Lainnya"},
		"Sales / Marketing":          {"Account Executive / Manager", "Salesman", "SPG", "Telemarketing", "Lainnya"},
		"Service":                    {"Customer Service", "Kasir", "Kebersihan", "Koki", "Pelayan / Pramuniaga", "Lainnya"},
		"Tehnik / Computer":          {"Engineer / Ahli Tehnik", "Penulis Teknikal", "Programmer / Developer", "R&D / Ilmuwan / Peneliti", "Warnet", "Otomotif", "Lainnya"},
		"Transportasi":               {"Supir / Ojek", "Agen Perjalanan", "Kurir / Ekspedisi", "Pelaut / Staff Kapal / Nahkoda Kapal", "Pilot / Staff Penerbangan", "Sewa Kendaraan", "Masinis / Kereta Api", "Lainnya"},
		"Staf Rumah Tangga":          {"Babysitter / Perawat", "Pembantu Rumah Tangga", "Supir", "Tukang Kebun", "Lainnya"},
		"Perhotelan":                 {"Customer Service", "Kebersihan", "Koki", "Room Service / Pelayan", "Lainnya"},
	}
	if len(want) != JobIndustries.Len() {
		t.Fatalf("%d industries expected, JobIndustries has %d", len(want), JobIndustries.Len())
	}
	for _, industry := range JobIndustries.Values() {
		jobs, ok := Jobs(industry)
		if !ok {
			t.Errorf("Jobs(%q) unknown", industry)
			continue
		}
		if got := jobs.Values(); !slices.Equal(got, want[industry]) {
			t.Errorf("Jobs(%q) =\n%q\nwant\n%q", industry, got, want[industry])
		}
		if v := jobs.Values(); len(v) == 0 || v[len(v)-1] != "Lainnya" {
			t.Errorf("Jobs(%q) does not end with Lainnya", industry)
		}
	}
}

func TestJobsLookup(t *testing.T) {
	jobs, ok := Jobs("transportasi")
	if !ok {
		t.Fatal(`Jobs("transportasi") unknown`)
	}
	want := []string{"Supir / Ojek", "Agen Perjalanan", "Kurir / Ekspedisi", "Pelaut / Staff Kapal / Nahkoda Kapal", "Pilot / Staff Penerbangan", "Sewa Kendaraan", "Masinis / Kereta Api", "Lainnya"}
	if !slices.Equal(jobs.Values(), want) {
		t.Errorf(`Jobs("transportasi") = %q`, jobs.Values())
	}
	if got, ok := jobs.Canonical("  supir /   OJEK "); !ok || got != "Supir / Ojek" {
		t.Errorf("Canonical = %q, %v", got, ok)
	}
	if _, ok := jobs.Canonical("Dokter"); ok {
		t.Error("Dokter accepted as a Transportasi job")
	}
	if jobs2, ok := Jobs("  ADMIN  /  finance / hr "); !ok || jobs2.Values()[0] != "Admin" {
		t.Error("industry not matched ignoring case and spaces")
	}

	for _, unknown := range []string{"", "Pertanian", "Transport", "Lainnya"} {
		if l, ok := Jobs(unknown); ok || l != nil {
			t.Errorf("Jobs(%q) = %v, %v; want nil, false", unknown, l, ok)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		list *StringList
		in   string
		want string
		ok   bool
	}{
		{JobTypes, "pegawai SWASTA", "Pegawai swasta", true},
		{JobTypes, "  Pegawai   swasta\t", "Pegawai swasta", true},
		{JobTypes, "PEGAWAI SWASTA", "Pegawai swasta", true},
		{JobTypes, "Pegawaiswasta", "", false},
		{JobTypes, "Pegawai", "", false},
		{JobTypes, "", "", false},
		{JobTypes, "   ", "", false},
		{HomeStatuses, "milik sendiri,  lunas", "Milik sendiri, lunas", true},
		{HomeStatuses, "MILIK SENDIRI, MENCICIL", "Milik sendiri, mencicil", true},
		{HomeStatuses, "Milik sendiri", "", false},
		{MaritalStatuses, "janda / DUDA", "Janda / duda", true},
		{LastEducations, "s1", "S1", true},
		{LastEducations, "sma", "", false},
		{LoanPurposes, "transfer ke keluarga/teman", "Transfer ke Keluarga/Teman", true},
		{LoanPurposes, "renovasi rumah", "Renovasi Rumah", true},
		{VehicleOwnerships, "lainnya", "Lainnya", true},
		{JobIndustries, "tehnik / computer", "Tehnik / Computer", true},
		{KinRelationships, "Orang\u00a0tua", "Orang tua", true}, // no-break space
	}
	for _, tt := range tests {
		got, ok := tt.list.Canonical(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Canonical(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNilStringList(t *testing.T) {
	var l *StringList
	if l.Values() != nil || l.Len() != 0 || l.Contains("x") {
		t.Error("nil list not empty")
	}
	if _, ok := l.Canonical("x"); ok {
		t.Error("nil list accepted a value")
	}
}

func TestDropdownLists(t *testing.T) {
	want := []string{
		"banks", "jobs", "job_industries", "vehicle_types", "loan_purposes",
		"home_statuses", "job_types", "kin_relationships", "last_educations",
		"marital_statuses", "vehicle_ownerships", "birth_places",
	}
	if !slices.Equal(DropdownLists, want) {
		t.Errorf("DropdownLists = %q", DropdownLists)
	}
	lists := map[string]*StringList{
		"job_industries":     JobIndustries,
		"vehicle_types":      VehicleTypes,
		"loan_purposes":      LoanPurposes,
		"home_statuses":      HomeStatuses,
		"job_types":          JobTypes,
		"kin_relationships":  KinRelationships,
		"last_educations":    LastEducations,
		"marital_statuses":   MaritalStatuses,
		"vehicle_ownerships": VehicleOwnerships,
	}
	for _, name := range DropdownLists {
		l, ok := StringListByName(name)
		if w, isList := lists[name]; isList {
			if !ok || l != w {
				t.Errorf("StringListByName(%q) = %p, %v; want %p", name, l, ok, w)
			}
		} else if ok {
			t.Errorf("StringListByName(%q) = true; want false", name)
		}
	}
	if _, ok := StringListByName("nope"); ok {
		t.Error(`StringListByName("nope") = true`)
	}
}

func TestDocumentedBanks(t *testing.T) {
	documented := map[string]string{
		"BANK CENTRAL ASIA, Tbk (BCA)":               "014",
		"BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)": "009",
		"BANK MANDIRI (PERSERO), Tbk":                "008",
		"BANK RAKYAT INDONESIA (PERSERO), Tbk (BRI)": "002",
	}
	for name, code := range documented {
		b, ok := BankByName(name)
		if !ok {
			t.Errorf("%q missing", name)
			continue
		}
		if b.Name != name || b.Code != code {
			t.Errorf("BankByName(%q) = %+v; want code %s", name, b, code)
		}
		if !slices.Contains(Banks(), b) {
			t.Errorf("%q not in Banks()", name)
		}
	}
}

func TestWellKnownBankCodes(t *testing.T) {
	byCode := map[string]Bank{}
	for _, b := range Banks() {
		byCode[b.Code] = b
	}
	// Clearing codes named in domain.md §10 and a few other large banks.
	want := map[string]string{
		"014": "CENTRAL ASIA",
		"002": "RAKYAT INDONESIA",
		"008": "MANDIRI (PERSERO)",
		"009": "NEGARA INDONESIA",
		"022": "CIMB NIAGA",
		"011": "DANAMON",
		"013": "PERMATA",
		"200": "TABUNGAN NEGARA",
		"451": "SYARIAH INDONESIA",
		"147": "MUAMALAT",
		"536": "BCA SYARIAH",
		"028": "OCBC",
		"019": "PAN INDONESIA",
		"016": "MAYBANK",
		"426": "BANK MEGA,",
		"542": "JAGO",
		"501": "DIGITAL BCA",
		"535": "SEABANK",
		"111": "DKI",
		"110": "JAWA BARAT DAN BANTEN",
	}
	for code, part := range want {
		b, ok := byCode[code]
		if !ok {
			t.Errorf("no bank with code %s (%s)", code, part)
			continue
		}
		if !strings.Contains(b.Name, part) {
			t.Errorf("code %s is %q; want a name containing %q", code, b.Name, part)
		}
	}
}

func TestBanksTable(t *testing.T) {
	banks := Banks()
	if len(banks) < 100 {
		t.Errorf("only %d banks", len(banks))
	}
	codeRE := regexp.MustCompile(`^[0-9]{3}$`)
	codes := map[string]string{}
	names := map[string]bool{}
	for i, b := range banks {
		if strings.TrimSpace(b.Name) == "" {
			t.Errorf("bank %d has an empty name", i)
		}
		if b.Name != strings.Join(strings.Fields(b.Name), " ") {
			t.Errorf("bank name %q has stray spaces", b.Name)
		}
		if !codeRE.MatchString(b.Code) {
			t.Errorf("%q: code %q is not 3 digits", b.Name, b.Code)
		}
		if other, dup := codes[b.Code]; dup {
			t.Errorf("code %s shared by %q and %q", b.Code, other, b.Name)
		}
		codes[b.Code] = b.Name
		k := strings.ToLower(b.Name)
		if names[k] {
			t.Errorf("duplicate bank name %q", b.Name)
		}
		names[k] = true
		if b.MinAccountDigits < 0 || b.MaxAccountDigits < 0 ||
			(b.MaxAccountDigits > 0 && b.MinAccountDigits > b.MaxAccountDigits) ||
			(b.MinAccountDigits == 0) != (b.MaxAccountDigits == 0) {
			t.Errorf("%q: bad account-digit bounds %d-%d", b.Name, b.MinAccountDigits, b.MaxAccountDigits)
		}
		if got, ok := BankByName(b.Name); !ok || got != b {
			t.Errorf("BankByName(%q) = %+v, %v", b.Name, got, ok)
		}
	}
	if !slices.IsSortedFunc(banks, func(a, b Bank) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Banks() not sorted by name")
	}
	if !slices.Equal(banks, Banks()) {
		t.Error("Banks() order not stable")
	}
	// Callers get their own copy.
	banks[0].Name = "MUTATED"
	if Banks()[0].Name == "MUTATED" {
		t.Error("Banks() returns shared storage")
	}
}

func TestBankByName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"bank central asia, tbk (bca)", "BANK CENTRAL ASIA, Tbk (BCA)"},
		{"  BANK   CENTRAL ASIA, TBK (BCA) ", "BANK CENTRAL ASIA, Tbk (BCA)"},
		{"Bank Mandiri (Persero), Tbk", "BANK MANDIRI (PERSERO), Tbk"},
		{"bank negara indonesia (persero), tbk (bni)", "BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)"},
		{"bank rakyat indonesia (persero),\ttbk (bri)", "BANK RAKYAT INDONESIA (PERSERO), Tbk (BRI)"},
		// Former names find the renamed bank, returned under its current name.
		{"BANK ARTOS INDONESIA, Tbk", "BANK JAGO, Tbk"},
		{"bank tabungan pensiunan nasional, tbk (btpn)", "BANK SMBC INDONESIA, Tbk (d/h BTPN)"},
		{"BANK BUKOPIN, Tbk", "BANK KB BUKOPIN, Tbk"},
	}
	for _, tt := range tests {
		b, ok := BankByName(tt.in)
		if !ok || b.Name != tt.want {
			t.Errorf("BankByName(%q) = %q, %v; want %q", tt.in, b.Name, ok, tt.want)
		}
	}
	for _, unknown := range []string{"", "BCA", "BANK CENTRAL ASIA", "BANK XYZ", "014"} {
		if b, ok := BankByName(unknown); ok {
			t.Errorf("BankByName(%q) = %+v; want not found", unknown, b)
		}
	}
}

func TestBankFormerNames(t *testing.T) {
	for name, code := range bankFormerNames {
		b, ok := BankByName(name)
		if !ok || b.Code != code {
			t.Errorf("former name %q = %+v, %v; want code %s", name, b, ok, code)
		}
	}
}

func TestAccountNumberLength(t *testing.T) {
	bca, _ := BankByName("BANK CENTRAL ASIA, Tbk (BCA)")
	if !bca.AccountNumberLengthOK(10) || bca.AccountNumberLengthOK(9) || bca.AccountNumberLengthOK(11) {
		t.Errorf("BCA bounds %d-%d", bca.MinAccountDigits, bca.MaxAccountDigits)
	}
	bni, _ := BankByName("BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)")
	if !bni.AccountNumberLengthOK(len("0672272764")) { // the partner document's example
		t.Error("BNI rejects the documented example account number")
	}
	bri, _ := BankByName("BANK RAKYAT INDONESIA (PERSERO), Tbk (BRI)")
	if !bri.AccountNumberLengthOK(15) || bri.AccountNumberLengthOK(10) {
		t.Errorf("BRI bounds %d-%d", bri.MinAccountDigits, bri.MaxAccountDigits)
	}
	mandiri, _ := BankByName("BANK MANDIRI (PERSERO), Tbk")
	if !mandiri.AccountNumberLengthOK(13) || mandiri.AccountNumberLengthOK(10) {
		t.Errorf("Mandiri bounds %d-%d", mandiri.MinAccountDigits, mandiri.MaxAccountDigits)
	}
	unknown := Bank{Name: "X", Code: "999"}
	if !unknown.AccountNumberLengthOK(1) || !unknown.AccountNumberLengthOK(30) {
		t.Error("unknown bounds should accept any length")
	}
}

func TestBankJSON(t *testing.T) {
	b, _ := BankByName("BANK CENTRAL ASIA, Tbk (BCA)")
	got, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"bank_name":"BANK CENTRAL ASIA, Tbk (BCA)","bank_code":"014"}`; string(got) != want {
		t.Errorf("json = %s; want %s", got, want)
	}
}
