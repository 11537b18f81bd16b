package main

// The current postal code source: cahyadsn/wilayah_kodepos, one postal code
// per village keyed by the village codes of Kepmendagri 300.2.2-2138/2025,
// the same codes idn-area-data 4.0.1 uses. Its one data file is vendored,
// gzip-compressed and otherwise unchanged, under wilayah_kodepos/ with its
// MIT licence (see README.md, "Sources").

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

const (
	// kodeposCommit is the wilayah_kodepos commit the vendored file comes
	// from (db/wilayah_kodepos.sql, last changed there in c4b38cb, 2025-06-30).
	kodeposCommit = "4fa8c592a581bf2fc4fb0a373010000c5bac6251"
	// kodeposSHA256 is the SHA-256 of db/wilayah_kodepos.sql at that commit
	// (the decompressed vendored file).
	kodeposSHA256 = "316f4a4b628c888d2cbe136e81d2207ddea8069a5d8cf1b119460c9cb070117e"
)

var reKodeposRow = regexp.MustCompile(`^\('(\d{2}\.\d{2}\.\d{2}\.\d{4})',\s*'(\d{5})'\)[,;]?$`)

// readKodepos reads the vendored wilayah_kodepos.sql.gz: village code ->
// 5-digit postal code. It fails if the file is not the pinned one or a data
// row does not parse, so that a changed source is never read silently.
func readKodepos(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != kodeposSHA256 {
		return nil, fmt.Errorf("%s: SHA-256 %s, want %s (db/wilayah_kodepos.sql of wilayah_kodepos %s)", path, got, kodeposSHA256, kodeposCommit[:7])
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "('") {
			continue // comment, DDL, INSERT ... VALUES
		}
		m := reKodeposRow.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: unexpected row %q", path, n, line)
		}
		if _, dup := out[m[1]]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate village code %s", path, n, m[1])
		}
		out[m[1]] = m[2]
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no postal codes", path)
	}
	return out, nil
}

type kodeposStats struct {
	agreed, replaced, added, missing int
	replacedByProvince               map[string]int
}

// applyKodepos takes the current source's postal code for every village it
// has one for: where the geografis join gave another code or none, the
// current one replaces it (method "kodepos"; via records what geografis
// said, for the -joins audit). A village the current source lacks keeps the
// geografis join.
func applyKodepos(h *hierarchy, cur map[string]string) kodeposStats {
	st := kodeposStats{replacedByProvince: map[string]int{}}
	for _, v := range h.villages {
		p, ok := cur[v.code]
		switch {
		case !ok:
			st.missing++
			continue
		case p == v.postal:
			st.agreed++
			continue
		case v.postal == "":
			st.added++
			v.via = "geografis: none"
		default:
			st.replaced++
			st.replacedByProvince[v.code[:2]]++
			v.via = "geografis: " + v.postal + " (" + v.method + ")"
		}
		v.postal, v.method = p, "kodepos"
	}
	return st
}

func printKodeposStats(h *hierarchy, st kodeposStats) {
	fmt.Printf("wilayah_kodepos %s: %d villages agree with the geografis join, %d replaced, %d added (no geografis code), %d not in wilayah_kodepos\n",
		kodeposCommit[:7], st.agreed, st.replaced, st.added, st.missing)
	var pcs []string
	for pc := range st.replacedByProvince {
		pcs = append(pcs, pc)
	}
	sort.Strings(pcs)
	for _, pc := range pcs {
		fmt.Printf("  replaced in %s %s: %d\n", pc, h.byCode[pc].name, st.replacedByProvince[pc])
	}
}

// ---------------------------------------------------------------------------
// Agreement of an area file with the current source

// areaVillage is one village of a generated area.tsv.gz.
type areaVillage struct {
	code, province, postal string
}

// readAreaFile decodes a generated area.tsv.gz (see encode) into its
// villages with their full codes.
func readAreaFile(path string) ([]areaVillage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var (
		out      []areaVillage
		segs     [4]string
		province string
	)
	sc := bufio.NewScanner(zr)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, "\t")
		depth := len(fields[0]) - len(strings.TrimLeft(fields[0], "."))
		if depth > 3 || len(fields) < 2 || (depth == 3) != (len(fields) == 3) {
			return nil, fmt.Errorf("%s:%d: bad line %q", path, n, line)
		}
		segs[depth] = fields[0][depth:]
		if depth == 0 {
			province = fields[1]
		}
		if depth == 3 {
			out = append(out, areaVillage{code: strings.Join(segs[:], "."), province: province, postal: fields[2]})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// agreementRow is the share of villages whose postal code equals the
// current source's, for all villages or one province.
type agreementRow struct {
	label                   string
	villages, agree, absent int
}

func (r agreementRow) String() string {
	return fmt.Sprintf("%-22s %6d villages  %6d agree (%6.2f%%; %6.2f%% of those with a postal code)  %4d without one",
		r.label, r.villages, r.agree, 100*float64(r.agree)/float64(max(r.villages, 1)),
		100*float64(r.agree)/float64(max(r.villages-r.absent, 1)), r.absent)
}

// papuaProvinces are the province codes of Papua, Papua Barat and the four
// provinces made from them in 2022.
var papuaProvinces = []string{"91", "92", "93", "94", "95", "96"}

// agreement measures an area file against the current source: overall and
// for each Papua province.
func agreement(villages []areaVillage, cur map[string]string) []agreementRow {
	rows := []agreementRow{{label: "all"}}
	idx := map[string]int{}
	for _, pc := range papuaProvinces {
		idx[pc] = len(rows)
		rows = append(rows, agreementRow{label: pc})
	}
	for _, v := range villages {
		add := func(r *agreementRow) {
			r.villages++
			if v.postal == "" {
				r.absent++
			}
			if p, ok := cur[v.code]; ok && p == v.postal {
				r.agree++
			}
		}
		add(&rows[0])
		if i, ok := idx[v.code[:2]]; ok {
			rows[i].label = v.code[:2] + " " + v.province
			add(&rows[i])
		}
	}
	return rows
}

func runAgreement(areaPath, kodeposPath string) error {
	villages, err := readAreaFile(areaPath)
	if err != nil {
		return err
	}
	cur, err := readKodepos(kodeposPath)
	if err != nil {
		return err
	}
	fmt.Printf("agreement of %s with wilayah_kodepos %s (share of villages with the same postal code):\n", areaPath, kodeposCommit[:7])
	for _, r := range agreement(villages, cur) {
		fmt.Println(" ", r)
	}
	return nil
}
