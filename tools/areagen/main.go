// Command areagen builds the compact Indonesian area data embedded by
// internal/refdata: provinces, regencies/cities, districts and villages with
// their postal codes.
//
// It reads two npm packages installed (pinned by package-lock.json) under
// node_modules:
//
//   - idn-area-data: the current hierarchy (38 provinces) with codes; the
//     data is under the Open Database License, see NOTICE at the repo root.
//   - geografis: older 34-province data with a postal code per village (MIT).
//
// Postal codes are joined from geografis to idn-area-data, first by village
// code and then by names (see README.md and joinPostal); then the current
// source, wilayah_kodepos (vendored under wilayah_kodepos/, keyed by the same
// 2025 village codes), replaces every code it disagrees with and fills the
// villages geografis has none for (applyKodepos). The output is a
// gzip-compressed TSV, byte-for-byte deterministic for the same inputs.
//
// Usage (from tools/areagen):
//
//	npm ci && go run .
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

func main() {
	src := flag.String("src", "node_modules", "directory holding the installed npm packages")
	out := flag.String("out", filepath.Join("..", "..", "internal", "refdata", "areadata", "area.tsv.gz"), "output file")
	minCoverage := flag.Float64("min-coverage", 100.0, "fail when fewer than this percentage of villages get a postal code")
	joins := flag.String("joins", "", "if set, write a TSV audit of every village not joined by code+name to this file")
	kodepos := flag.String("kodepos", filepath.Join("wilayah_kodepos", "wilayah_kodepos.sql.gz"), "the vendored wilayah_kodepos data file (current postal codes)")
	agree := flag.String("agreement", "", "if set, only measure how many villages of this area.tsv.gz have the postal code of -kodepos (overall and per Papua province), and exit")
	flag.Parse()
	var err error
	if *agree != "" {
		err = runAgreement(*agree, *kodepos)
	} else {
		err = run(*src, *out, *joins, *kodepos, *minCoverage)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "areagen:", err)
		os.Exit(1)
	}
}

// ---------------------------------------------------------------------------
// Model

type node struct {
	code     string // full dotted code: "32", "32.73", "32.73.01", "32.73.01.1001"
	rawName  string // as in idn-area-data
	name     string // display name
	postal   string // villages only; "" when unknown
	method   string // villages only: which join gave the postal code
	via      string // villages only: the geografis village(s) it came from
	children []*node
	parent   *node
}

type hierarchy struct {
	provinces []*node
	byCode    map[string]*node
	villages  []*node // in code order
}

type oldVillage struct {
	Code     string `json:"code"`
	Postal   int    `json:"postal"`
	Province string `json:"province"`
	City     string `json:"city"`
	District string `json:"district"`
	Village  string `json:"village"`
}

func run(src, out, joins, kodeposPath string, minCoverage float64) error {
	idnDir := filepath.Join(src, "idn-area-data")
	geoDir := filepath.Join(src, "geografis")
	idnVersion, err := packageVersion(idnDir)
	if err != nil {
		return fmt.Errorf("%w (run `npm ci` in tools/areagen first)", err)
	}
	geoVersion, err := packageVersion(geoDir)
	if err != nil {
		return fmt.Errorf("%w (run `npm ci` in tools/areagen first)", err)
	}
	fmt.Printf("sources: idn-area-data %s, geografis %s, wilayah_kodepos %s\n", idnVersion, geoVersion, kodeposCommit[:7])

	h, err := readHierarchy(filepath.Join(idnDir, "data"))
	if err != nil {
		return err
	}
	old, err := readGeografis(filepath.Join(geoDir, "data", "json", "data.json"))
	if err != nil {
		return err
	}
	cur, err := readKodepos(kodeposPath)
	if err != nil {
		return err
	}
	nReg, nDist := 0, 0
	for _, p := range h.provinces {
		nReg += len(p.children)
		for _, r := range p.children {
			nDist += len(r.children)
		}
	}
	fmt.Printf("idn-area-data: %d provinces, %d regencies, %d districts, %d villages\n",
		len(h.provinces), nReg, nDist, len(h.villages))
	fmt.Printf("geografis: %d villages\n", len(old))
	fmt.Printf("wilayah_kodepos: %d villages\n", len(cur))

	stats := joinPostal(h, old)
	fmt.Println("postal code join (geografis):")
	for _, m := range joinMethods {
		fmt.Printf("  %-16s %6d  %s\n", m.name, stats.byMethod[m.name], m.desc)
	}
	if stats.rejected > 0 {
		fmt.Printf("  (%d name-based candidates rejected: postal code outside the province's ranges)\n", stats.rejected)
	}
	printKodeposStats(h, applyKodepos(h, cur))
	covered := 0
	for _, v := range h.villages {
		if v.postal != "" {
			covered++
		}
	}
	pct := 100 * float64(covered) / float64(len(h.villages))
	fmt.Printf("coverage: %d of %d villages have a postal code (%.2f%%); %d without\n",
		covered, len(h.villages), pct, len(h.villages)-covered)
	printWeakProvinces(h)

	if joins != "" {
		if err := writeJoins(h, joins); err != nil {
			return err
		}
		fmt.Printf("wrote join audit to %s\n", joins)
	}

	data, err := encode(h, idnVersion, geoVersion)
	if err != nil {
		return err
	}
	if pct < minCoverage {
		return fmt.Errorf("postal code coverage %.2f%% is below the required %.2f%%; output not written", pct, minCoverage)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes)\n", out, len(data))
	return nil
}

// writeJoins writes, for review, every village whose postal code did not
// come from the plain code+name join, with where it came from.
func writeJoins(h *hierarchy, path string) error {
	var b bytes.Buffer
	b.WriteString("code\tprovince\tregency\tdistrict\tvillage\tmethod\tpostal\tgeografis\n")
	for _, v := range h.villages {
		if v.method == "code" {
			continue
		}
		d := v.parent
		r := d.parent
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.code, r.parent.name, r.name, d.name, v.name, v.method, v.postal, v.via)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func packageVersion(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	if pkg.Version == "" {
		return "", fmt.Errorf("%s: no version in package.json", dir)
	}
	return pkg.Version, nil
}

func printWeakProvinces(h *hierarchy) {
	for _, p := range h.provinces {
		total, covered := 0, 0
		for _, r := range p.children {
			for _, d := range r.children {
				for _, v := range d.children {
					total++
					if v.postal != "" {
						covered++
					}
				}
			}
		}
		if pct := 100 * float64(covered) / float64(total); pct < 98 {
			fmt.Printf("  note: %s %s: %.2f%% (%d of %d)\n", p.code, p.name, pct, covered, total)
		}
	}
}

// ---------------------------------------------------------------------------
// Reading idn-area-data

var (
	reProvinceCode = regexp.MustCompile(`^\d{2}$`)
	reRegencyCode  = regexp.MustCompile(`^\d{2}\.\d{2}$`)
	reDistrictCode = regexp.MustCompile(`^\d{2}\.\d{2}\.\d{2}$`)
	reVillageCode  = regexp.MustCompile(`^\d{2}\.\d{2}\.\d{2}\.\d{4}$`)
)

func readCSV(path string, header []string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("%s: unexpected header (want %v)", path, header)
	}
	return rows[1:], nil
}

func readHierarchy(dir string) (*hierarchy, error) {
	h := &hierarchy{byCode: map[string]*node{}}
	add := func(code, parentCode, name string, re *regexp.Regexp) (*node, error) {
		if !re.MatchString(code) {
			return nil, fmt.Errorf("bad code %q (%s)", code, name)
		}
		if _, dup := h.byCode[code]; dup {
			return nil, fmt.Errorf("duplicate code %q", code)
		}
		if strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("empty name for %q", code)
		}
		n := &node{code: code, rawName: name}
		if parentCode != "" {
			if code[:strings.LastIndexByte(code, '.')] != parentCode {
				return nil, fmt.Errorf("code %q does not extend its parent %q", code, parentCode)
			}
			p := h.byCode[parentCode]
			if p == nil {
				return nil, fmt.Errorf("%q: unknown parent %q", code, parentCode)
			}
			n.parent = p
			p.children = append(p.children, n)
		}
		h.byCode[code] = n
		return n, nil
	}

	rows, err := readCSV(filepath.Join(dir, "provinces.csv"), []string{"code", "name"})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		n, err := add(r[0], "", r[1], reProvinceCode)
		if err != nil {
			return nil, err
		}
		h.provinces = append(h.provinces, n)
	}
	levels := []struct {
		file string
		cols []string
		re   *regexp.Regexp
	}{
		{"regencies.csv", []string{"code", "province_code", "name"}, reRegencyCode},
		{"districts.csv", []string{"code", "regency_code", "name"}, reDistrictCode},
		{"villages.csv", []string{"code", "district_code", "name"}, reVillageCode},
	}
	for i, l := range levels {
		rows, err := readCSV(filepath.Join(dir, l.file), l.cols)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			n, err := add(r[0], r[1], r[2], l.re)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", l.file, err)
			}
			if i == 2 {
				h.villages = append(h.villages, n)
			}
		}
	}
	sort.Slice(h.villages, func(i, j int) bool { return h.villages[i].code < h.villages[j].code })

	for _, n := range h.byCode {
		switch strings.Count(n.code, ".") {
		case 0:
			n.name = provinceDisplayName(n.rawName)
		case 1:
			n.name = tidyName(n.rawName)
			// The server strips these prefixes for short names and birth
			// places, so a regency without one is a source change to look at.
			if !strings.HasPrefix(n.name, "Kabupaten ") && !strings.HasPrefix(n.name, "Kota ") {
				return nil, fmt.Errorf("%s: regency name without a Kabupaten/Kota prefix: %q", n.code, n.rawName)
			}
		default:
			n.name = tidyName(n.rawName)
		}
		if n.name == "" || strings.ContainsAny(n.name, "\t\n\r") {
			return nil, fmt.Errorf("%s: unusable name %q", n.code, n.rawName)
		}
	}
	return h, nil
}

func readGeografis(path string) ([]oldVillage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var all []oldVillage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(all) == 0 {
		return nil, errors.New("geografis: no villages")
	}
	for _, v := range all {
		if !reVillageCode.MatchString(v.Code) {
			return nil, fmt.Errorf("geografis: bad code %q", v.Code)
		}
	}
	return all, nil
}

// ---------------------------------------------------------------------------
// Display names

// provinceNames are the display names that differ from the source's.
var provinceNames = map[string]string{
	"Daerah Khusus Ibukota Jakarta": "DKI Jakarta",
	"Daerah Istimewa Yogyakarta":    "DI Yogyakarta",
}

func provinceDisplayName(raw string) string {
	if n, ok := provinceNames[raw]; ok {
		return n
	}
	return tidyName(raw)
}

var (
	reSpaces      = regexp.MustCompile(`\s+`)
	reHyphen      = regexp.MustCompile(`\s*-\s*`)
	reSlash       = regexp.MustCompile(`\s*/\s*`)
	reComma       = regexp.MustCompile(`\s*,\s*`)
	reLoneQuote   = regexp.MustCompile(` ' `)
	reTrailingDot = regexp.MustCompile(`([A-Za-z]{4,})\.$`)
	// a lower-case letter followed by an upper-case word inside one word:
	// "KepenuhanTengah" -> "Kepenuhan Tengah" (the left part must be 3+ letters).
	reCamel = regexp.MustCompile(`\b([A-Z][a-z]{2,})([A-Z][a-z]+)`)
	// two capitals then lower case: "ALue" -> "Alue", "MBakhu" -> "Mbakhu".
	reTwoCaps = regexp.MustCompile(`\b([A-Z])([A-Z])([a-z]+)\b`)
)

var romanNumerals = map[string]bool{
	"i": true, "ii": true, "iii": true, "iv": true, "v": true, "vi": true, "vii": true,
	"viii": true, "ix": true, "x": true, "xi": true, "xii": true, "xiii": true,
	"xiv": true, "xv": true, "xvi": true, "xx": true, "xxiv": true,
}

// lowerWords stay lower case unless they start the name.
var lowerWords = map[string]bool{"dan": true}

// tidyName turns a source name into a display name: title case that keeps
// acronyms and roman numerals in capitals ("Kaway XVI", "UPT Paya Kumer"),
// with uniform punctuation ("Batu Jong - Jong" -> "Batu Jong-Jong",
// `Ra"as` -> "Ra'as") and a few obvious slips fixed ("KepenuhanTengah",
// "ALue", trailing full stops). The source is mostly well cased already,
// so words that are capitalised in it are kept as they are.
func tidyName(s string) string {
	s = strings.NewReplacer("\u2019", "'", "\u2018", "'", "`", "'", `"`, "'", "*", "").Replace(s)
	s = strings.TrimSpace(reSpaces.ReplaceAllString(s, " "))
	s = reHyphen.ReplaceAllString(s, "-")
	s = reSlash.ReplaceAllString(s, "/")
	s = reComma.ReplaceAllString(s, ", ")
	s = reLoneQuote.ReplaceAllString(s, "' ")
	s = strings.TrimSpace(reTrailingDot.ReplaceAllString(s, "$1"))
	s = reCamel.ReplaceAllString(s, "$1 $2")
	s = reTwoCaps.ReplaceAllStringFunc(s, func(w string) string {
		return w[:1] + strings.ToLower(w[1:])
	})

	// Case each word part (split at separators, apostrophes stay inside).
	var b strings.Builder
	first := true
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && !isSeparator(s[j]) {
			j++
		}
		if j > i {
			b.WriteString(caseWord(s[i:j], first, s, i, j))
			first = false
		}
		if j < len(s) {
			b.WriteByte(s[j])
			j++
		}
		i = j
	}
	return b.String()
}

func isSeparator(c byte) bool {
	switch c {
	case ' ', '-', '/', '(', ')', '.', ',':
		return true
	}
	return false
}

// caseWord cases one word part; s[i:j] is the word within the whole name s.
func caseWord(w string, first bool, s string, i, j int) string {
	lw := strings.ToLower(w)
	if isUpperWord(w) {
		return w // acronym or roman numeral as written: "UPT", "XVI", "KI'E"
	}
	if romanNumerals[lw] && !first && len(w) > 1 {
		return strings.ToUpper(w) // "Iii" -> "III", "ii" -> "II"
	}
	if lw == "i" && !first && (j == len(s) || s[j] == ' ' || s[j] == ',' || s[j] == '/') && i > 0 && s[i-1] == ' ' {
		return "I" // "Deme i" -> "Deme I"
	}
	if lw == "x" && i > 1 && j < len(s)-1 && isDigit(s[i-2]) && isDigit(s[j+1]) {
		return "x" // "2 x 11 Kayu Tanam"
	}
	if lowerWords[lw] && !first {
		return lw
	}
	r, size := utf8.DecodeRuneInString(w)
	if unicode.IsLower(r) {
		return string(unicode.ToUpper(r)) + w[size:]
	}
	return w
}

func isUpperWord(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters > 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ---------------------------------------------------------------------------
// Matching keys

// key folds a name for joining: lower-case letters and digits only. A word
// that is a roman numeral keeps a boundary ("Lubuk Pakam I, II" and
// "Lubuk Pakam III" must not fold to the same key).
func key(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		if reRoman.MatchString(w) {
			b.WriteByte('|')
		}
		b.WriteString(w)
	}
	return b.String()
}

var reRoman = regexp.MustCompile(`^(x{0,3})(ix|iv|v?i{0,3})$`)

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

var regencyPrefixes = []string{"Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "}

// regencyKey is the key of a regency's name without its Kabupaten/Kota prefix.
func regencyKey(name string) string {
	for _, p := range regencyPrefixes {
		if strings.HasPrefix(name, p) {
			return key(name[len(p):])
		}
	}
	return key(name)
}

// villagePrefixes are words for "village" that one source may put in front
// of a name and the other not ("Nagori Purba Pasir" / "Purba Pasir").
var villagePrefixes = map[string]bool{
	"desa": true, "kelurahan": true, "kel": true, "ds": true, "kampung": true, "kp": true,
	"kampong": true, "gampong": true, "nagori": true, "negeri": true, "pekon": true,
	"tiyuh": true, "nagari": true, "jorong": true, "lembang": true,
}

// splitSuffixes mark a village split off a parent ("Latung Barat" from "Latung").
var splitSuffixes = map[string]bool{
	"barat": true, "timur": true, "utara": true, "selatan": true, "tengah": true,
	"baru": true, "induk": true, "i": true, "ii": true, "iii": true, "iv": true,
	"1": true, "2": true, "3": true, "4": true,
}

// abbreviations common in geografis village names.
var abbreviations = map[string]string{
	"sei": "sungai", "tj": "tanjung", "kp": "kampung", "kmp": "kampung",
	"mns": "meunasah", "gn": "gunung",
}

// looseWords are the words of a name with abbreviations spelt out and
// without a leading "Desa"/"Kampung"/... word.
func looseWords(name string) []string {
	w := words(name)
	for i, x := range w {
		if long, ok := abbreviations[x]; ok {
			w[i] = long
		}
	}
	for len(w) > 1 && villagePrefixes[w[0]] {
		w = w[1:]
	}
	return w
}

// similarNames tells whether two names are plausibly spellings of the same
// village: a small edit distance, or a shared word of 3+ letters.
func similarNames(a, b string) bool {
	ka, kb := looseKey(a), looseKey(b)
	if levenshtein(ka, kb) <= max(2, min(len(ka), len(kb))/3) {
		return true
	}
	for _, x := range looseWords(a) {
		if len(x) >= 3 && slices.Contains(looseWords(b), x) {
			return true
		}
	}
	return false
}

func looseKey(name string) string {
	return key(strings.Join(looseWords(name), " "))
}

func parentKey(name string) string {
	w := looseWords(name)
	if len(w) > 1 && splitSuffixes[w[len(w)-1]] {
		return key(strings.Join(w[:len(w)-1], " "))
	}
	return ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// ---------------------------------------------------------------------------
// Postal code join

var joinMethods = []struct{ name, desc string }{
	{"code", "same village code and same village name"},
	{"code-district", "same district code and name, same village name (renumbered village)"},
	{"names", "same (old) province, regency, district and village names"},
	{"code-spelling", "same village code and regency, similar district and village names (or one postal code in the old district)"},
	{"names-province", "same (old) province, district and village names (renamed regency)"},
	{"fuzzy", "same district, village name within edit distance 1 (5-7 letters) or 2 (8+)"},
	{"split", "same district, parent village of a split (\"X Barat\" from \"X\")"},
	{"moved", "new district: same (old) province, regency and village names"},
	{"siblings", "every other matched village of the district has this one postal code"},
}

// oldProvince maps the provinces created in 2022 to the one they were part
// of in geografis: Papua Selatan, Papua Tengah and Papua Pegunungan from
// Papua; Papua Barat Daya from Papua Barat.
var oldProvince = map[string]string{"93": "91", "94": "91", "95": "91", "96": "92"}

func provinceOf(code string) string {
	pc := code[:2]
	if o, ok := oldProvince[pc]; ok {
		return o
	}
	return pc
}

type joinStats struct {
	byMethod map[string]int
	rejected int
}

// candidates is a list of old villages; unique reports their postal code if
// they all share one.
type candidates []*oldVillage

func (c candidates) describe() string {
	var parts []string
	for _, o := range c {
		parts = append(parts, o.Code+" "+o.City+" / "+o.District+" / "+o.Village)
		if len(parts) == 3 {
			parts = append(parts, "...")
			break
		}
	}
	return strings.Join(parts, "; ")
}

func (c candidates) unique() (string, bool) {
	if len(c) == 0 {
		return "", false
	}
	p := c[0].Postal
	for _, o := range c[1:] {
		if o.Postal != p {
			return "", false
		}
	}
	return strconv.Itoa(p), true
}

func joinPostal(h *hierarchy, all []oldVillage) joinStats {
	stats := joinStats{byMethod: map[string]int{}}

	// Usable old villages and their indexes.
	byCode := map[string]*oldVillage{}
	byDistrictCode := map[string]candidates{}   // old district code + village key
	byNames := map[string]candidates{}          // province|regency|district|village
	byProvinceNames := map[string]candidates{}  // province|district|village
	byRegencyVillage := map[string]candidates{} // province|regency|village
	byDistrict := map[string]candidates{}       // province|regency|district
	oldDistrictName := map[string]string{}      // old district code -> key of its name
	oldDistrictPostal := map[string]int{}       // old district code -> its postal code, -1 if several
	oldRegencyNames := map[string]bool{}        // province|regency
	for i := range all {
		o := &all[i]
		if o.Postal < 10000 || o.Postal > 99999 {
			continue // geografis has 0 for unknown
		}
		pc := o.Code[:2]
		rk, dk, vk := regencyKey(o.City), key(o.District), key(o.Village)
		byCode[o.Code] = o
		byDistrictCode[o.Code[:8]+"|"+vk] = append(byDistrictCode[o.Code[:8]+"|"+vk], o)
		byNames[pc+"|"+rk+"|"+dk+"|"+vk] = append(byNames[pc+"|"+rk+"|"+dk+"|"+vk], o)
		byProvinceNames[pc+"|"+dk+"|"+vk] = append(byProvinceNames[pc+"|"+dk+"|"+vk], o)
		byRegencyVillage[pc+"|"+rk+"|"+vk] = append(byRegencyVillage[pc+"|"+rk+"|"+vk], o)
		byDistrict[pc+"|"+rk+"|"+dk] = append(byDistrict[pc+"|"+rk+"|"+dk], o)
		oldDistrictName[o.Code[:8]] = dk
		if p, seen := oldDistrictPostal[o.Code[:8]]; !seen {
			oldDistrictPostal[o.Code[:8]] = o.Postal
		} else if p != o.Postal {
			oldDistrictPostal[o.Code[:8]] = -1
		}
		oldRegencyNames[pc+"|"+rk] = true
	}

	// Regencies of the new provinces must be found under their old province.
	for _, p := range h.provinces {
		if _, ok := oldProvince[p.code]; !ok {
			continue
		}
		for _, r := range p.children {
			if !oldRegencyNames[provinceOf(r.code)+"|"+regencyKey(r.name)] {
				fmt.Fprintf(os.Stderr, "areagen: warning: %s %s not found in geografis province %s\n", r.code, r.name, provinceOf(r.code))
			}
		}
	}

	// Postal code prefixes (first two digits) that code-joined villages show
	// for each old province: a name-based match outside them is rejected.
	prefixes := map[string]map[string]bool{}
	for _, v := range h.villages {
		if o := byCode[v.code]; o != nil && key(o.Village) == key(v.name) {
			pc := provinceOf(v.code)
			if prefixes[pc] == nil {
				prefixes[pc] = map[string]bool{}
			}
			prefixes[pc][strconv.Itoa(o.Postal)[:2]] = true
		}
	}

	set := func(v *node, postal, method string, from candidates) bool {
		if method != "code" && !prefixes[provinceOf(v.code)][postal[:2]] {
			stats.rejected++
			return false
		}
		v.postal, v.method, v.via = postal, method, from.describe()
		stats.byMethod[method]++
		return true
	}

	var pending []*node
	for _, v := range h.villages {
		d := v.parent
		r := d.parent
		pc := provinceOf(v.code)
		rk, dk, vk := regencyKey(r.name), key(d.name), key(v.name)
		o := byCode[v.code]
		try := func(method string, c candidates) bool {
			p, ok := c.unique()
			return ok && set(v, p, method, c)
		}
		switch {
		case o != nil && key(o.Village) == vk && try("code", candidates{o}):
		case oldDistrictName[d.code] == dk && try("code-district", byDistrictCode[d.code+"|"+vk]):
		case try("names", byNames[pc+"|"+rk+"|"+dk+"|"+vk]):
		case o != nil && o.Code[:5] == v.code[:5] && (key(o.District) == dk || similarNames(d.name, o.District)) &&
			(similarNames(v.name, o.Village) || oldDistrictPostal[o.Code[:8]] > 0) && try("code-spelling", candidates{o}):
		case try("names-province", byProvinceNames[pc+"|"+dk+"|"+vk]):
		default:
			siblings, known := byDistrict[pc+"|"+rk+"|"+dk]
			switch {
			case known && try("fuzzy", fuzzyMatch(v.name, siblings)):
			case known && try("split", splitParent(v.name, siblings)):
			case !known && try("moved", byRegencyVillage[pc+"|"+rk+"|"+vk]):
			default:
				pending = append(pending, v)
			}
		}
	}

	// Villages left in a district whose matched villages all share one
	// postal code get that code (rural districts usually have one).
	for _, v := range pending {
		p, n := "", 0
		for _, s := range v.parent.children {
			if s.postal == "" || s.method == "siblings" {
				continue
			}
			if n > 0 && s.postal != p {
				n = -1
				break
			}
			p = s.postal
			n++
		}
		if n >= 2 {
			set(v, p, "siblings", nil)
		}
	}
	return stats
}

// fuzzyMatch returns the old villages of the same district whose names are
// closest to name, ignoring a leading "Desa"/"Kampung"/... word: edit
// distance 1 for names under 8 letters, 2 for longer ones, none under 5.
// The caller takes their postal code only if they agree on one.
func fuzzyMatch(name string, siblings candidates) candidates {
	k := looseKey(name)
	n := len([]rune(k))
	if n < 5 {
		return nil
	}
	maxDist := 1
	if n >= 8 {
		maxDist = 2
	}
	best := maxDist + 1
	var c candidates
	for _, s := range siblings {
		d := levenshtein(k, looseKey(s.Village))
		switch {
		case d < best:
			best, c = d, candidates{s}
		case d == best && d <= maxDist:
			c = append(c, s)
		}
	}
	return c
}

// splitParent returns the old villages of the same district named like the
// village that name was split from ("Latung" for "Latung Barat").
func splitParent(name string, siblings candidates) candidates {
	pk := parentKey(name)
	if pk == "" {
		return nil
	}
	var c candidates
	for _, s := range siblings {
		if looseKey(s.Village) == pk {
			c = append(c, s)
		}
	}
	return c
}

// ---------------------------------------------------------------------------
// Output

// encode writes the hierarchy as gzip-compressed TSV, one node per line,
// depth-first with the children of each node sorted by display name:
//
//	32	Jawa Barat
//	.73	Kota Bandung
//	..01	Sukasari
//	...1002	Gegerkalong	40153
//
// The number of leading dots is the depth (0 province ... 3 village); the
// digits are the last segment of the node's code, so a node's parent is the
// closest line above it with one dot fewer. Villages carry a third field, the
// postal code, empty when unknown. Lines starting with '#' are comments.
func encode(h *hierarchy, idnVersion, geoVersion string) ([]byte, error) {
	var tsv bytes.Buffer
	fmt.Fprintf(&tsv, "# Indonesian administrative areas, generated by tools/areagen; do not edit.\n")
	fmt.Fprintf(&tsv, "# Hierarchy and names: idn-area-data %s (c) Fityan, Open Database License 1.0.\n", idnVersion)
	fmt.Fprintf(&tsv, "# Postal codes: wilayah_kodepos %s (c) Cahya DSN, MIT License; where it has none, geografis %s (c) drizki, MIT License. See NOTICE.\n", kodeposCommit[:7], geoVersion)
	fmt.Fprintf(&tsv, "# Format: depth dots + last code segment TAB name [TAB postal code].\n")

	var write func(n *node, depth int)
	write = func(n *node, depth int) {
		tsv.WriteString(strings.Repeat(".", depth))
		tsv.WriteString(n.code[strings.LastIndexByte(n.code, '.')+1:])
		tsv.WriteByte('\t')
		tsv.WriteString(n.name)
		if depth == 3 {
			tsv.WriteByte('\t')
			tsv.WriteString(n.postal)
		}
		tsv.WriteByte('\n')
		for _, c := range sortedChildren(n.children) {
			write(c, depth+1)
		}
	}
	for _, p := range sortedChildren(h.provinces) {
		write(p, 0)
	}

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	// The zero gzip header (no name, no modification time) keeps the output
	// byte-for-byte reproducible.
	if _, err := io.Copy(zw, &tsv); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
}

func sortedChildren(in []*node) []*node {
	out := append([]*node(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ka, kb := strings.ToLower(a.name), strings.ToLower(b.name); ka != kb {
			return ka < kb
		}
		if a.name != b.name {
			return a.name < b.name
		}
		if a.postal != b.postal {
			return a.postal < b.postal
		}
		return a.code < b.code
	})
	return out
}
