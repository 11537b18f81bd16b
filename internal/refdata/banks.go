package refdata

import (
	"fmt"
	"slices"
	"strings"
)

// Bank is one bank of the "banks" dropdown list.
type Bank struct {
	Name             string `json:"bank_name"` // legal name, upper case, without "PT"
	Code             string `json:"bank_code"` // 3-digit interbank clearing code (sandi bank)
	MinAccountDigits int    `json:"-"`         // 0 = unknown
	MaxAccountDigits int    `json:"-"`         // 0 = unknown
}

// AccountNumberLengthOK reports whether an account number of n digits fits
// the bank's known bounds; an unknown bound accepts any length.
func (b Bank) AccountNumberLengthOK(n int) bool {
	if b.MinAccountDigits > 0 && n < b.MinAccountDigits {
		return false
	}
	if b.MaxAccountDigits > 0 && n > b.MaxAccountDigits {
		return false
	}
	return true
}

// bankTable lists the commercial banks (bank umum) operating in Indonesia as
// of 2024-2025: state-owned banks, regional development banks (BPD), private
// national banks including foreign-owned, joint-venture and digital banks,
// sharia banks (BUS) and the branches of foreign banks. Sharia business units
// (UUS) of conventional banks are not listed: they clear under their parent's
// code, so a customer of, say, CIMB Niaga Syariah picks CIMB Niaga.
//
// Names follow the legal upper-case form of the partner document ("BANK
// CENTRAL ASIA, Tbk (BCA)"): the legal name without "PT", ", Tbk" for public
// companies and, where it helps, the common short name in brackets.
//
// Codes are the Bank Indonesia clearing codes (sandi bank, as used by SKNBI
// and interbank transfers), checked against the production JULO bank table
// and several published bank-code lists of Indonesian payment providers.
//
// Account-number lengths are set only for banks whose numbering is well
// known; the minimum is the production minimum where production had one
// below the documented length (BRI 14, BNI 9).
var bankTable = []Bank{
	// State-owned banks (BUMN).
	{"BANK RAKYAT INDONESIA (PERSERO), Tbk (BRI)", "002", 14, 15},
	{"BANK MANDIRI (PERSERO), Tbk", "008", 13, 13},
	{"BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)", "009", 9, 10},
	{"BANK TABUNGAN NEGARA (PERSERO), Tbk (BTN)", "200", 16, 16},

	// Regional development banks (BPD), sharia BPDs included.
	{"BPD JAWA BARAT DAN BANTEN, Tbk (BANK BJB)", "110", 0, 0},
	{"BANK DKI", "111", 0, 0},
	{"BPD DAERAH ISTIMEWA YOGYAKARTA (BPD DIY)", "112", 0, 0},
	{"BPD JAWA TENGAH (BANK JATENG)", "113", 0, 0},
	{"BPD JAWA TIMUR, Tbk (BANK JATIM)", "114", 0, 0},
	{"BPD JAMBI (BANK JAMBI)", "115", 0, 0},
	{"BANK ACEH SYARIAH", "116", 0, 0},
	{"BPD SUMATERA UTARA (BANK SUMUT)", "117", 0, 0},
	{"BPD SUMATERA BARAT (BANK NAGARI)", "118", 0, 0},
	{"BANK RIAU KEPRI SYARIAH", "119", 0, 0},
	{"BPD SUMATERA SELATAN DAN BANGKA BELITUNG (BANK SUMSEL BABEL)", "120", 0, 0},
	{"BPD LAMPUNG (BANK LAMPUNG)", "121", 0, 0},
	{"BPD KALIMANTAN SELATAN (BANK KALSEL)", "122", 0, 0},
	{"BPD KALIMANTAN BARAT (BANK KALBAR)", "123", 0, 0},
	{"BPD KALIMANTAN TIMUR DAN KALIMANTAN UTARA (BANK KALTIMTARA)", "124", 0, 0},
	{"BPD KALIMANTAN TENGAH (BANK KALTENG)", "125", 0, 0},
	{"BPD SULAWESI SELATAN DAN SULAWESI BARAT (BANK SULSELBAR)", "126", 0, 0},
	{"BPD SULAWESI UTARA DAN GORONTALO (BANK SULUTGO)", "127", 0, 0},
	{"BANK NTB SYARIAH", "128", 0, 0},
	{"BPD BALI", "129", 0, 0},
	{"BPD NUSA TENGGARA TIMUR (BANK NTT)", "130", 0, 0},
	{"BPD MALUKU DAN MALUKU UTARA (BANK MALUKU MALUT)", "131", 0, 0},
	{"BPD PAPUA (BANK PAPUA)", "132", 0, 0},
	{"BPD BENGKULU (BANK BENGKULU)", "133", 0, 0},
	{"BPD SULAWESI TENGAH (BANK SULTENG)", "134", 0, 0},
	{"BPD SULAWESI TENGGARA (BANK SULTRA)", "135", 0, 0},
	{"BPD BANTEN, Tbk (BANK BANTEN)", "137", 0, 0},

	// Private national banks, foreign-owned and joint-venture banks, digital banks.
	{"BANK DANAMON INDONESIA, Tbk", "011", 0, 0},
	{"BANK PERMATA, Tbk", "013", 0, 0},
	{"BANK CENTRAL ASIA, Tbk (BCA)", "014", 10, 10},
	{"BANK MAYBANK INDONESIA, Tbk", "016", 0, 0},
	{"BANK PAN INDONESIA, Tbk (PANIN)", "019", 0, 0},
	{"BANK CIMB NIAGA, Tbk", "022", 12, 14},
	{"BANK UOB INDONESIA", "023", 0, 0},
	{"BANK OCBC NISP, Tbk", "028", 0, 0},
	{"BANK CHINA CONSTRUCTION BANK INDONESIA, Tbk (CCB)", "036", 0, 0},
	{"BANK ARTHA GRAHA INTERNASIONAL, Tbk", "037", 0, 0},
	{"BANK DBS INDONESIA", "046", 0, 0},
	{"BANK RESONA PERDANIA", "047", 0, 0},
	{"BANK MIZUHO INDONESIA", "048", 0, 0},
	{"BANK CAPITAL INDONESIA, Tbk", "054", 0, 0},
	{"BANK BNP PARIBAS INDONESIA", "057", 0, 0},
	{"BANK ANZ INDONESIA", "061", 0, 0},
	{"BANK BUMI ARTA, Tbk", "076", 0, 0},
	{"BANK HSBC INDONESIA", "087", 0, 0},
	{"BANK JTRUST INDONESIA, Tbk", "095", 0, 0},
	{"BANK MAYAPADA INTERNATIONAL, Tbk", "097", 0, 0},
	{"BANK OF INDIA INDONESIA, Tbk", "146", 0, 0},
	{"BANK MESTIKA DHARMA, Tbk", "151", 0, 0},
	{"BANK SHINHAN INDONESIA", "152", 0, 0},
	{"BANK SINARMAS, Tbk", "153", 0, 0},
	{"BANK MASPION INDONESIA, Tbk", "157", 0, 0},
	{"BANK GANESHA, Tbk", "161", 0, 0},
	{"BANK ICBC INDONESIA", "164", 0, 0},
	{"BANK QNB INDONESIA, Tbk", "167", 0, 0},
	{"BANK WOORI SAUDARA INDONESIA 1906, Tbk", "212", 0, 0},
	{"BANK SMBC INDONESIA, Tbk (d/h BTPN)", "213", 0, 0},
	{"BANK MEGA, Tbk", "426", 0, 0},
	{"BANK KB BUKOPIN, Tbk", "441", 0, 0},
	{"KROM BANK INDONESIA, Tbk", "459", 0, 0},
	{"BANK JASA JAKARTA", "472", 0, 0},
	{"BANK KEB HANA INDONESIA", "484", 0, 0},
	{"BANK MNC INTERNASIONAL, Tbk", "485", 0, 0},
	{"BANK NEO COMMERCE, Tbk", "490", 0, 0},
	{"BANK RAYA INDONESIA, Tbk", "494", 0, 0},
	{"BANK SBI INDONESIA", "498", 0, 0},
	{"BANK DIGITAL BCA", "501", 0, 0},
	{"BANK NATIONALNOBU, Tbk", "503", 0, 0},
	{"BANK INA PERDANA, Tbk", "513", 0, 0},
	{"BANK SAHABAT SAMPOERNA", "523", 0, 0},
	{"BANK OKE INDONESIA, Tbk", "526", 0, 0},
	{"BANK AMAR INDONESIA, Tbk", "531", 0, 0},
	{"BANK SEABANK INDONESIA", "535", 0, 0},
	{"BANK JAGO, Tbk", "542", 0, 0},
	{"BANK MULTIARTA SENTOSA, Tbk", "548", 0, 0},
	{"BANK HIBANK INDONESIA", "553", 0, 0},
	{"BANK INDEX SELINDO", "555", 0, 0},
	{"SUPER BANK INDONESIA", "562", 0, 0},
	{"BANK MANDIRI TASPEN", "564", 0, 0},
	{"BANK VICTORIA INTERNATIONAL, Tbk", "566", 0, 0},
	{"ALLO BANK INDONESIA, Tbk", "567", 0, 0},
	{"BANK IBK INDONESIA, Tbk", "945", 0, 0},
	{"BANK CTBC INDONESIA", "949", 0, 0},

	// Sharia banks (BUS) other than the sharia BPDs above.
	{"BANK MUAMALAT INDONESIA, Tbk", "147", 0, 0},
	{"BANK VICTORIA SYARIAH", "405", 0, 0},
	{"BANK JABAR BANTEN SYARIAH (BJB SYARIAH)", "425", 0, 0},
	{"BANK SYARIAH INDONESIA, Tbk (BSI)", "451", 10, 10},
	{"BANK MEGA SYARIAH", "506", 0, 0},
	{"BANK PANIN DUBAI SYARIAH, Tbk", "517", 0, 0},
	{"BANK KB BUKOPIN SYARIAH", "521", 0, 0},
	{"BANK BCA SYARIAH", "536", 10, 10},
	{"BANK BTPN SYARIAH, Tbk", "547", 0, 0},
	{"BANK ALADIN SYARIAH, Tbk", "947", 0, 0},

	// Branches of foreign banks (kantor cabang bank asing).
	{"CITIBANK, N.A.", "031", 0, 0},
	{"JPMORGAN CHASE BANK, N.A.", "032", 0, 0},
	{"BANK OF AMERICA, N.A.", "033", 0, 0},
	{"MUFG BANK, LTD.", "042", 0, 0},
	{"STANDARD CHARTERED BANK", "050", 0, 0},
	{"DEUTSCHE BANK AG", "067", 0, 0},
	{"BANK OF CHINA (HONG KONG) LIMITED", "069", 0, 0},
}

// bankFormerNames maps other names of the same legal entity (same clearing
// code) to the code: former names, and the newest names where a rename of
// 2025 is not yet reflected above, so that a name from an older or a newer
// list still finds the bank. BankByName always returns the
// canonical entry of bankTable.
var bankFormerNames = map[string]string{
	"BANK JAKARTA":                                  "111",
	"BANK ACEH":                                     "116",
	"BPD RIAU KEPRI":                                "119",
	"BPD NUSA TENGGARA BARAT":                       "128",
	"BANK OCBC INDONESIA, Tbk":                      "028",
	"BANK WINDU KENTJANA INTERNATIONAL, Tbk":        "036",
	"BANK MUTIARA, Tbk":                             "095",
	"BANK METRO EXPRESS":                            "152",
	"BANK QNB KESAWAN, Tbk":                         "167",
	"BANK TABUNGAN PENSIUNAN NASIONAL, Tbk (BTPN)":  "213",
	"BANK BTPN, Tbk":                                "213",
	"BANK BUKOPIN, Tbk":                             "441",
	"BANK KB INDONESIA, Tbk":                        "441",
	"BANK BISNIS INTERNASIONAL":                     "459",
	"BANK SAQU INDONESIA":                           "472",
	"BANK HANA INDONESIA":                           "484",
	"BANK YUDHA BHAKTI, Tbk":                        "490",
	"BANK RAKYAT INDONESIA AGRONIAGA, Tbk":          "494",
	"BANK ROYAL INDONESIA":                          "501",
	"BANK DINAR INDONESIA, Tbk":                     "526",
	"ANGLOMAS INTERNATIONAL BANK":                   "531",
	"BANK KESEJAHTERAAN EKONOMI":                    "535",
	"BANK ARTOS INDONESIA, Tbk":                     "542",
	"BANK MAYORA":                                   "553",
	"BANK FAMA INTERNASIONAL":                       "562",
	"BANK SINAR HARAPAN BALI":                       "564",
	"BANK HARDA INTERNASIONAL, Tbk":                 "567",
	"BANK AGRIS, Tbk":                               "945",
	"BANK CHINATRUST INDONESIA":                     "949",
	"BANK SYARIAH NASIONAL":                         "405",
	"BANK SYARIAH BUKOPIN":                          "521",
	"BANK KB SYARIAH":                               "521",
	"BANK TABUNGAN PENSIUNAN NASIONAL SYARIAH, Tbk": "547",
	"BANK NET INDONESIA SYARIAH, Tbk":               "947",
	"BANK MAYBANK SYARIAH INDONESIA":                "947",
	"THE BANK OF TOKYO-MITSUBISHI UFJ, LTD.":        "042",
}

var (
	// bankSorted is bankTable sorted by name.
	bankSorted []Bank
	// bankIndex maps listKey(name), canonical or former, to the bank.
	bankIndex map[string]Bank
)

func init() {
	bankSorted = slices.Clone(bankTable)
	slices.SortFunc(bankSorted, func(a, b Bank) int { return strings.Compare(a.Name, b.Name) })

	byCode := make(map[string]Bank, len(bankTable))
	bankIndex = make(map[string]Bank, len(bankTable)+len(bankFormerNames))
	for _, b := range bankTable {
		if _, dup := byCode[b.Code]; dup {
			panic(fmt.Sprintf("refdata: duplicate bank code %s", b.Code))
		}
		byCode[b.Code] = b
		k := listKey(b.Name)
		if _, dup := bankIndex[k]; dup {
			panic(fmt.Sprintf("refdata: duplicate bank name %q", b.Name))
		}
		bankIndex[k] = b
	}
	for name, code := range bankFormerNames {
		b, ok := byCode[code]
		if !ok {
			panic(fmt.Sprintf("refdata: former bank name %q has unknown code %s", name, code))
		}
		k := listKey(name)
		if prev, dup := bankIndex[k]; dup && prev.Code != code {
			panic(fmt.Sprintf("refdata: former bank name %q clashes with %q", name, prev.Name))
		}
		bankIndex[k] = b
	}
}

// Banks returns every bank, sorted by name. The slice is a fresh copy.
func Banks() []Bank {
	return slices.Clone(bankSorted)
}

// BankByName finds a bank by its name, matched without regard to case,
// surrounding white space and repeated inner white space, and returns it with
// its canonical legal name. A few former names of renamed banks are accepted
// too.
func BankByName(s string) (Bank, bool) {
	b, ok := bankIndex[listKey(s)]
	return b, ok
}
