package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chart is one <svg> of the page as an XML parser reads it.
type chart struct {
	title string
	rows  []row
}

type row struct {
	phase string
	rects []rect
	texts []string
}

type rect struct{ class, width string }

// page is the report as an XML parser reads it: the page must be
// well-formed, so the test reads what a browser would draw.
type page struct {
	charts   []chart
	elements map[string]int // element name -> count
	text     string         // all character data, unescaped
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func parsePage(t *testing.T, b []byte) page {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	p := page{elements: map[string]int{}}
	var stack []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			p.elements[name]++
			stack = append(stack, name)
			switch name {
			case "svg":
				p.charts = append(p.charts, chart{})
			case "g":
				c := &p.charts[len(p.charts)-1]
				c.rows = append(c.rows, row{phase: attr(tok, "data-phase")})
			case "rect":
				c := &p.charts[len(p.charts)-1]
				r := &c.rows[len(c.rows)-1]
				r.rects = append(r.rects, rect{attr(tok, "class"), attr(tok, "width")})
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			text.Write(tok)
			if len(stack) >= 2 && stack[len(stack)-1] == "title" && stack[len(stack)-2] == "svg" {
				p.charts[len(p.charts)-1].title += string(tok)
			}
			if len(stack) >= 2 && stack[len(stack)-1] == "text" && stack[len(stack)-2] == "g" {
				c := &p.charts[len(p.charts)-1]
				r := &c.rows[len(c.rows)-1]
				r.texts = append(r.texts, string(tok))
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("elements left open: %v", stack)
	}
	p.text = text.String()
	return p
}

func runReport(t *testing.T, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.html")
	var stderr bytes.Buffer
	if err := run(append(args, "-o", out), &stderr); err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func findChart(t *testing.T, p page, title string) chart {
	t.Helper()
	for _, c := range p.charts {
		if c.title == title {
			return c
		}
	}
	t.Fatalf("no chart titled %q", title)
	return chart{}
}

func rectsOf(r row, class string) []rect {
	var rs []rect
	for _, x := range r.rects {
		if x.class == class {
			rs = append(rs, x)
		}
	}
	return rs
}

func TestReportDrawsOneBarPerPhaseNextToItsCeiling(t *testing.T) {
	p := parsePage(t, runReport(t, "-results", "testdata/results.tsv", "-meta", "testdata/meta.txt"))
	if len(p.charts) != 4 {
		t.Fatalf("%d charts, want 4 (requests and latency for sqlite and postgres)", len(p.charts))
	}
	want := map[string][]string{
		"sqlite": {"dropdown-data (banks)", "address: province", "application status",
			"registration (argon2id PIN)", "onboarding flow (52.3 flows/s)"},
		"postgres": {"dropdown-data (banks)", "registration (argon2id PIN)", "write: loans created"},
	}
	for _, db := range []string{"sqlite", "postgres"} {
		for _, title := range []string{
			"requests/s per phase on " + db + ", each next to its ceiling",
			"p50 and p99 latency per phase on " + db + ", each next to its floor",
		} {
			c := findChart(t, p, title)
			if len(c.rows) != len(want[db]) {
				t.Fatalf("%s: %d rows, want %d", title, len(c.rows), len(want[db]))
			}
			for i, r := range c.rows {
				if r.phase != want[db][i] {
					t.Errorf("%s row %d: phase %q, want %q", title, i, r.phase, want[db][i])
				}
				class := "rps"
				if strings.HasPrefix(title, "p50") {
					class = "p50"
					if n := len(rectsOf(r, "p99")); n != 1 {
						t.Errorf("%s %q: %d p99 bars, want 1", title, r.phase, n)
					}
				}
				if n := len(rectsOf(r, class)); n != 1 {
					t.Errorf("%s %q: %d %s bars, want 1", title, r.phase, n, class)
				}
			}
		}
	}

	// Each phase is drawn on its ceiling's scale: the larger of the two fills the width.
	reqs := findChart(t, p, "requests/s per phase on sqlite, each next to its ceiling")
	for _, tc := range []struct {
		row                      int
		phase, ceiling, ratioTxt string
	}{
		{0, "108.2", "360.0", "0.30 of bare net/http handler (82096 req/s)"}, // 24674/82096
		{2, "22.8", "360.0", "0.06 of bare net/http handler (82096 req/s)"},  // 5198.0/82096
		{3, "360.0", "354.0", "1.02 of argon2id PIN hashes on all cores (65.1 hashes/s)"},
	} {
		r := reqs.rows[tc.row]
		if got := rectsOf(r, "rps")[0].width; got != tc.phase {
			t.Errorf("%q: bar width %s, want %s", r.phase, got, tc.phase)
		}
		c := rectsOf(r, "ceiling")
		if len(c) != 1 || c[0].width != tc.ceiling {
			t.Errorf("%q: ceiling bars %v, want one of width %s", r.phase, c, tc.ceiling)
		}
		if !containsText(r.texts, tc.ratioTxt) {
			t.Errorf("%q: texts %q, want %q", r.phase, r.texts, tc.ratioTxt)
		}
	}
	flow := reqs.rows[4]
	if n := len(rectsOf(flow, "ceiling")); n != 0 {
		t.Errorf("%q has no known ceiling but %d ceiling bars", flow.phase, n)
	}
	if !containsText(flow.texts, "no ceiling measured for this phase") {
		t.Errorf("%q: texts %q", flow.phase, flow.texts)
	}
	pgWrite := findChart(t, p, "requests/s per phase on postgres, each next to its ceiling").rows[2]
	if !containsText(pgWrite.texts, "0.25 of the disk's fsyncs (5281 fsyncs/s)") { // 1320.5/5281
		t.Errorf("%q: texts %q", pgWrite.phase, pgWrite.texts)
	}

	lat := findChart(t, p, "p50 and p99 latency per phase on sqlite, each next to its floor")
	reg := lat.rows[3]
	for _, want := range []string{
		"p50 110.41 ms, p99 245.29 ms (p99 = 2.22 × p50)",
		"floor, one argon2id hash on one core: 28.4 ms",
	} {
		if !containsText(reg.texts, want) {
			t.Errorf("%q: texts %q, want %q", reg.phase, reg.texts, want)
		}
	}
	if !containsText(lat.rows[0].texts, "floor, bare net/http handler: p50 0.44 ms, p99 6.86 ms") {
		t.Errorf("%q: texts %q", lat.rows[0].phase, lat.rows[0].texts)
	}

	// The header and the table.
	for _, want := range []string{
		"julo load benchmark, 2026-11-24T04:21Z", "2 CPUs (AMD EPYC)", "go1.26.8", "0.87 2.41 3.86",
		"15.20 in a throwaway cluster, fsync on",
	} {
		if !strings.Contains(p.text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := p.elements["tr"]; n != 1+9 {
		t.Errorf("%d table rows, want a header and 9 phases", n)
	}
	for _, el := range []string{"script", "link", "img", "iframe", "object"} {
		if p.elements[el] != 0 {
			t.Errorf("the page has a <%s>: it must be self-contained and script-free", el)
		}
	}
}

func containsText(texts []string, want string) bool {
	for _, s := range texts {
		if s == want {
			return true
		}
	}
	return false
}

func TestRatioIsExactToTwoDecimals(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"24674", "82096", "0.30"},
		{"57114.3", "57114.3", "1.00"},
		{"66.2", "65.1", "1.02"},
		{"1", "200", "0.01"}, // 0.005: halves away from zero
		{"1", "201", "0.00"},
		{"245.29", "110.41", "2.22"},
	} {
		a, err := decimal(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := decimal(tc.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := ratio(a, b); got != tc.want {
			t.Errorf("ratio(%s, %s) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestPhaseNamesAreEscaped(t *testing.T) {
	results := writeFile(t, "results", "-\tbare net/http handler (ceiling)\t32\t100\t1\t2\t0\t1\t1\n"+
		"<b>db</b>\taddress: <script>alert(1)</script> & \"x\"\t32\t50\t1\t2\t0\t1\t1\n")
	meta := writeFile(t, "meta", "date=<script>alert(2)</script>\nmachine=\"a\" & 'b'\n")
	b := runReport(t, "-results", results, "-meta", meta)
	if bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("<b>")) {
		t.Fatalf("a recorded string reached the page unescaped:\n%s", b)
	}
	if !bytes.Contains(b, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Errorf("the phase name is not on the page, escaped")
	}
	p := parsePage(t, b)
	if p.elements["script"] != 0 || p.elements["b"] != 0 {
		t.Errorf("elements %v: a recorded string became markup", p.elements)
	}
	c := findChart(t, p, "requests/s per phase on <b>db</b>, each next to its ceiling")
	if got, want := c.rows[0].phase, "address: <script>alert(1)</script> & \"x\""; got != want {
		t.Errorf("data-phase %q, want %q", got, want)
	}
	if !containsText(c.rows[0].texts, "0.50 of bare net/http handler (100 req/s)") {
		t.Errorf("texts %q", c.rows[0].texts)
	}
}

func TestEmptyResultsAreRefused(t *testing.T) {
	for _, content := range []string{"", "\n\n  \n"} {
		results := writeFile(t, "results", content)
		out := filepath.Join(t.TempDir(), "report.html")
		err := run([]string{"-results", results, "-o", out}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "no phases recorded") {
			t.Errorf("results %q: err %v, want one saying no phases were recorded", content, err)
		}
		if _, statErr := os.Stat(out); statErr == nil {
			t.Errorf("results %q: a page was written", content)
		}
	}
}

func TestMalformedInputsAreRefusedWithTheirLine(t *testing.T) {
	good := "sqlite\taddress: city\t32\t100\t1\t2\t0\t1\t1\n"
	for _, tc := range []struct {
		results, meta, want string
	}{
		{good + "sqlite\taddress: city\t32\t100\t1\t2\t0\t1\n", "", ":2: 8 tab-separated fields, want 9"},
		{good + "sqlite\taddress: city\t32\t\t1\t2\t0\t1\t1\n", "", `:2: req/s: "" is not a non-negative decimal`},
		{good + "sqlite\taddress: city\t32\t100\tn/a\t2\t0\t1\t1\n", "", `:2: p50 ms: "n/a" is not`},
		{good + "sqlite\taddress: city\t32\t100\t1\t-2\t0\t1\t1\n", "", `:2: p99 ms: "-2" is not`},
		{good, "date=x\nno equals sign\n", ":2: want key=value"},
		{good, "date=x\ndate=y\n", ":2: date given twice"},
		{good, "fsyncs_per_s=fast\n", `meta fsyncs_per_s: "fast" is not`},
	} {
		args := []string{"-results", writeFile(t, "results", tc.results), "-o", filepath.Join(t.TempDir(), "r.html")}
		if tc.meta != "" {
			args = append(args, "-meta", writeFile(t, "meta", tc.meta))
		}
		err := run(args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("results %q meta %q: err %v, want it to contain %q", tc.results, tc.meta, err, tc.want)
		}
	}
}

func TestRequiredFlags(t *testing.T) {
	if err := run([]string{"-results", "testdata/results.tsv"}, io.Discard); err == nil {
		t.Error("no -o: no error")
	}
	if err := run([]string{"-o", filepath.Join(t.TempDir(), "r.html")}, io.Discard); err == nil {
		t.Error("no -results: no error")
	}
}

// Without the meta file (or with its figures empty) only the ceiling the
// results hold is drawn: the bare handler's, for the reads.
func TestMissingCeilingsDrawPhasesAlone(t *testing.T) {
	for _, args := range [][]string{
		{"-results", "testdata/results.tsv"},
		{"-results", "testdata/results.tsv", "-meta", writeFile(t, "meta", "fsyncs_per_s=\nargon2id_hashes_per_s=\n")},
	} {
		p := parsePage(t, runReport(t, args...))
		c := findChart(t, p, "requests/s per phase on sqlite, each next to its ceiling")
		if n := len(rectsOf(c.rows[0], "ceiling")); n != 1 {
			t.Errorf("%v: reads have %d ceiling bars, want the bare handler's", args, n)
		}
		reg := c.rows[3]
		if n := len(rectsOf(reg, "ceiling")); n != 0 || !containsText(reg.texts, "no ceiling measured for this phase") {
			t.Errorf("%v: registration without argon2id figures: %d ceiling bars, texts %q", args, n, reg.texts)
		}
		if got := rectsOf(reg, "rps")[0].width; got != "360.0" {
			t.Errorf("%v: registration alone on its scale: width %s, want 360.0", args, got)
		}
	}
}

func TestSameInputsGiveTheSameBytes(t *testing.T) {
	a := runReport(t, "-results", "testdata/results.tsv", "-meta", "testdata/meta.txt")
	b := runReport(t, "-results", "testdata/results.tsv", "-meta", "testdata/meta.txt")
	if !bytes.Equal(a, b) {
		t.Error("two runs on the same inputs wrote different pages")
	}
}

func TestBoundOfPhasesAsRunShRecordsThem(t *testing.T) {
	for name, want := range map[string]string{
		"dropdown-data (banks)":           boundBare,
		"address: sub_district":           boundBare,
		"application status":              boundBare,
		"registration (argon2id PIN)":     boundArgon,
		"write: payments applied":         boundFsync,
		"onboarding flow (52.3 flows/s)":  "",
		"bare net/http handler (ceiling)": "",
	} {
		if got := boundOf(name); got != want {
			t.Errorf("boundOf(%q) = %q, want %q", name, got, want)
		}
	}
	if _, err := decimal("1/2"); err == nil {
		t.Error(`decimal("1/2"): no error`)
	}
	if r, err := decimal("0.44"); err != nil || r.Cmp(big.NewRat(11, 25)) != 0 {
		t.Errorf(`decimal("0.44") = %v, %v`, r, err)
	}
}
