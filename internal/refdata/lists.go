// Package refdata holds the reference data behind the dropdown-data endpoint
// and the validation of complete customer data: the fixed value lists of
// domain.md §10, the banks operating in Indonesia and the area data.
//
// Everything in the package is built once at package initialisation and never
// mutated afterwards, so it is safe for concurrent use without locking.
package refdata

import (
	"fmt"
	"strings"
)

// StringList is an immutable list of canonical values with case-insensitive
// lookup. The zero value is an empty list.
type StringList struct {
	values []string
	index  map[string]string // listKey(value) -> canonical value
}

// listNew builds a StringList; it panics on an empty or duplicate value, which
// is a programming error in the literal tables of this package.
func listNew(values ...string) *StringList {
	l := &StringList{values: values, index: make(map[string]string, len(values))}
	for _, v := range values {
		k := listKey(v)
		if k == "" {
			panic("refdata: empty value in list")
		}
		if prev, dup := l.index[k]; dup {
			panic(fmt.Sprintf("refdata: duplicate list value %q (%q)", v, prev))
		}
		l.index[k] = v
	}
	return l
}

// listKey is the form in which values are compared: lower case, surrounding
// space removed and every run of inner white space reduced to one space.
func listKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Values returns the canonical values in their documented order. The slice is
// the list's own storage, shared by every caller: callers must not modify it
// (copy it first if needed).
func (l *StringList) Values() []string {
	if l == nil {
		return nil
	}
	return l.values
}

// Len returns the number of values in the list.
func (l *StringList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.values)
}

// Canonical reports whether s is one of the list's values, matching without
// regard to case, surrounding white space and repeated inner white space, and
// returns the value in its canonical spelling.
func (l *StringList) Canonical(s string) (string, bool) {
	if l == nil {
		return "", false
	}
	v, ok := l.index[listKey(s)]
	return v, ok
}

// Contains reports whether Canonical would accept s.
func (l *StringList) Contains(s string) bool {
	_, ok := l.Canonical(s)
	return ok
}

// The dropdown lists of domain.md §10, in their documented order.
var (
	// JobTypes is job_types. The values in NonWorkingJobTypes need no job
	// details in complete customer data.
	JobTypes = listNew(
		"Pegawai swasta",
		"Pegawai negeri",
		"Pengusaha",
		"Freelance",
		"Staf rumah tangga",
		"Ibu rumah tangga",
		"Mahasiswa",
		"Tidak bekerja",
	)

	// JobIndustries is job_industries; Jobs gives each industry's jobs.
	JobIndustries = listNew(listIndustryNames()...)

	// HomeStatuses is home_statuses; note the commas inside two values.
	HomeStatuses = listNew(
		"Kontrak",
		"Kos",
		"Milik orang tua",
		"Milik keluarga",
		"Milik sendiri, lunas",
		"Milik sendiri, mencicil",
		"Mess karyawan",
	)

	// KinRelationships is kin_relationships.
	KinRelationships = listNew(
		"Orang tua",
		"Saudara kandung",
		"Famili lainnya",
	)

	// LastEducations is last_educations.
	LastEducations = listNew(
		"SD",
		"SLTP",
		"SLTA",
		"Diploma",
		"S1",
		"S2",
		"S3",
	)

	// MaritalStatuses is marital_statuses.
	MaritalStatuses = listNew(
		"Lajang",
		"Menikah",
		"Cerai",
		"Janda / duda",
	)

	// VehicleTypes is vehicle_types.
	VehicleTypes = listNew(
		"Sepeda motor",
		"Mobil",
		"Tidak punya",
	)

	// VehicleOwnerships is vehicle_ownerships.
	VehicleOwnerships = listNew(
		"Lunas",
		"Mencicil",
		"Diagunkan",
		"Lainnya",
		"Tidak punya",
	)

	// LoanPurposes is loan_purposes, without the staging test entries of the
	// partner document's example (errata 21).
	LoanPurposes = listNew(
		"Modal usaha",
		"Kebutuhan sehari-hari",
		"Membayar hutang lainnya",
		"Biaya pendidikan",
		"Biaya kesehatan",
		"Belanja online",
		"Membeli elektronik",
		"Membeli kendaraan",
		"Biaya liburan / umroh",
		"Renovasi Rumah",
		"Transfer ke Keluarga/Teman",
	)

	// NonWorkingJobTypes are the job types for which complete customer data
	// needs no job_industry, job_description, company_name,
	// company_phone_number, job_start or payday (domain.md §8).
	NonWorkingJobTypes = listNew(
		"Tidak bekerja",
		"Staf rumah tangga",
		"Ibu rumah tangga",
		"Mahasiswa",
	)
)

// listJobOther is the job every industry ends with.
const listJobOther = "Lainnya"

// listIndustries is job_industries with their jobs, in the order of
// domain.md §10, each without the final listJobOther (added by listJobsInit).
var listIndustries = []struct {
	name string
	jobs []string
}{
	{"Admin / Finance / HR", []string{"Admin", "Akuntan / Finance", "HR", "Office Boy", "Sekretaris"}},
	{"Design / Seni", []string{"Design Grafis", "Pelukis", "Photographer"}},
	{"Entertainment / Event", []string{"DJ / Musisi", "Event Organizer", "Kameraman", "Penyanyi / Penari / Model", "Produser / Sutradara"}},
	{"Hukum / Security / Politik", []string{"Anggota Pemerintahan", "Hakim / Jaksa / Pengacara", "Notaris", "Ormas", "Pemuka Agama", "Satpam", "TNI / Polisi"}},
	{"Kesehatan", []string{"Apoteker", "Dokter", "Perawat", "Teknisi Laboratorium"}},
	{"Konstruksi / Real Estate", []string{"Arsitek / Tehnik Sipil", "Interior Designer", "Mandor", "Pemborong", "Proyek Manager / Surveyor", "Real Estate Broker", "Tukang Bangunan"}},
	{"Media", []string{"Kameraman", "Penulis / Editor", "Wartawan"}},
	{"Pabrik / Gudang", []string{"Buruh Pabrik / Gudang", "Kepala Pabrik / Gudang", "Teknisi Mesin"}},
	{"Pendidikan", []string{"Dosen", "Guru", "Instruktur / Pembimbing Kursus", "Kepala Sekolah", "Tata Usaha"}},
	{"Perawatan Tubuh", []string{"Fashion Designer", "Gym / Fitness", "Pelatih / Trainer", "Salon / Spa / Panti Pijat"}},
	{"Perbankan", []string{"Back-office", "Bank Teller", "CS Bank", "Credit Analyst", "Kolektor", "Resepsionis"}},
	{"Sales / Marketing", []string{"Account Executive / Manager", "Salesman", "SPG", "Telemarketing"}},
	{"Service", []string{"Customer Service", "Kasir", "Kebersihan", "Koki", "Pelayan / Pramuniaga"}},
	{"Tehnik / Computer", []string{"Engineer / Ahli Tehnik", "Penulis Teknikal", "Programmer / Developer", "R&D / Ilmuwan / Peneliti", "Warnet", "Otomotif"}},
	{"Transportasi", []string{"Supir / Ojek", "Agen Perjalanan", "Kurir / Ekspedisi", "Pelaut / Staff Kapal / Nahkoda Kapal", "Pilot / Staff Penerbangan", "Sewa Kendaraan", "Masinis / Kereta Api"}},
	{"Staf Rumah Tangga", []string{"Babysitter / Perawat", "Pembantu Rumah Tangga", "Supir", "Tukang Kebun"}},
	{"Perhotelan", []string{"Customer Service", "Kebersihan", "Koki", "Room Service / Pelayan"}},
}

func listIndustryNames() []string {
	names := make([]string, len(listIndustries))
	for i, ind := range listIndustries {
		names[i] = ind.name
	}
	return names
}

// listJobs maps listKey(industry) to the industry's jobs.
var listJobs = listJobsInit()

func listJobsInit() map[string]*StringList {
	m := make(map[string]*StringList, len(listIndustries))
	for _, ind := range listIndustries {
		jobs := make([]string, 0, len(ind.jobs)+1)
		jobs = append(jobs, ind.jobs...)
		jobs = append(jobs, listJobOther)
		m[listKey(ind.name)] = listNew(jobs...)
	}
	return m
}

// Jobs returns the job descriptions of an industry, the industry matched like
// Canonical; false if the industry is unknown. Every industry's list ends
// with "Lainnya".
func Jobs(industry string) (*StringList, bool) {
	l, ok := listJobs[listKey(industry)]
	return l, ok
}

// Names accepted by the dropdown endpoint's data_selected (or data).
const (
	DropdownBanks             = "banks"
	DropdownJobs              = "jobs"
	DropdownJobIndustries     = "job_industries"
	DropdownVehicleTypes      = "vehicle_types"
	DropdownLoanPurposes      = "loan_purposes"
	DropdownHomeStatuses      = "home_statuses"
	DropdownJobTypes          = "job_types"
	DropdownKinRelationships  = "kin_relationships"
	DropdownLastEducations    = "last_educations"
	DropdownMaritalStatuses   = "marital_statuses"
	DropdownVehicleOwnerships = "vehicle_ownerships"
	DropdownBirthPlaces       = "birth_places"
)

// DropdownLists are the names accepted by the dropdown endpoint, in the
// documented order. Callers must not modify the slice.
var DropdownLists = []string{
	DropdownBanks,
	DropdownJobs,
	DropdownJobIndustries,
	DropdownVehicleTypes,
	DropdownLoanPurposes,
	DropdownHomeStatuses,
	DropdownJobTypes,
	DropdownKinRelationships,
	DropdownLastEducations,
	DropdownMaritalStatuses,
	DropdownVehicleOwnerships,
	DropdownBirthPlaces,
}

// StringListByName returns the fixed value list behind a dropdown name
// (matched exactly, as documented). It is false for "banks" (see Banks),
// "jobs" (see Jobs), "birth_places" (from the area data) and unknown names.
func StringListByName(name string) (*StringList, bool) {
	switch name {
	case DropdownJobIndustries:
		return JobIndustries, true
	case DropdownVehicleTypes:
		return VehicleTypes, true
	case DropdownLoanPurposes:
		return LoanPurposes, true
	case DropdownHomeStatuses:
		return HomeStatuses, true
	case DropdownJobTypes:
		return JobTypes, true
	case DropdownKinRelationships:
		return KinRelationships, true
	case DropdownLastEducations:
		return LastEducations, true
	case DropdownMaritalStatuses:
		return MaritalStatuses, true
	case DropdownVehicleOwnerships:
		return VehicleOwnerships, true
	}
	return nil, false
}
