// Command report turns one run of bench/run.sh into a self-contained HTML
// page: a header (date, machine, Go version, load before the run), then per
// database an SVG chart of requests/s per phase, each phase next to its
// ceiling with the ratio printed, an SVG chart of p50 and p99 latency per
// phase next to its floor, and the run's table. The page has no script and
// loads nothing: it can be mailed or opened from disk.
//
//	report -results FILE [-meta FILE] -o report.html
//
// -results is the file bench/run.sh records, one line per phase with nine
// tab-separated fields: database, phase, connections, requests/s, p50 ms,
// p99 ms, errors, server cores, machine cores. The rows of database "-" are
// the machine's own, not a database's: "bare net/http handler (ceiling)" is
// the reads' ceiling (its req/s) and floor (its p50 and p99).
//
// -meta is a key=value file, one a line (blank lines and lines starting with
// "#" are skipped; a key appears once). Every pair is shown in the header, in
// the file's order; these keys are also read:
//
//	date                    the run's date, the page's title (the page holds no other time)
//	fsyncs_per_s            the disk's fsyncs/s: the ceiling of "write:" phases
//	argon2id_hashes_per_s   argon2id PIN hashes/s on all cores: registration's ceiling
//	argon2id_ms_per_hash    one hash on one core: registration's latency floor
//
// An empty value counts as absent. Which ceiling bounds a phase is decided by
// the start of its name (see ceilingRules); other phases are drawn without
// one. The page depends only on the two files.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"math/big"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resultsPath := fs.String("results", "", "the results file bench/run.sh records (required)")
	metaPath := fs.String("meta", "", "the key=value file of the run's header and ceilings")
	out := fs.String("o", "", "the HTML file to write (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *resultsPath == "" || *out == "" {
		return errors.New("-results and -o are required")
	}
	phases, err := readResults(*resultsPath)
	if err != nil {
		return err
	}
	var meta []keyValue
	if *metaPath != "" {
		if meta, err = readMeta(*metaPath); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := render(&buf, phases, meta); err != nil {
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// phase is one line of the results file. The strings are shown as recorded;
// the numbers are parsed exactly, so that ratios do not depend on rounding.
type phase struct {
	DB, Name, Conns, RPS, P50, P99, Errors, Server, Machine string

	rps, p50, p99 *big.Rat
}

type keyValue struct{ Key, Value string }

const resultFields = 9

// readResults parses the results file; it refuses one without a phase, a
// line without the nine fields and a figure that is not a decimal.
func readResults(path string) ([]phase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var phases []phase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != resultFields {
			return nil, fmt.Errorf("%s:%d: %d tab-separated fields, want %d (database, phase, conns, req/s, p50 ms, p99 ms, errors, server, machine)",
				path, n, len(fs), resultFields)
		}
		p := phase{DB: fs[0], Name: fs[1], Conns: fs[2], RPS: fs[3], P50: fs[4], P99: fs[5],
			Errors: fs[6], Server: fs[7], Machine: fs[8]}
		for _, v := range []struct {
			name string
			text string
			dst  **big.Rat
		}{{"req/s", p.RPS, &p.rps}, {"p50 ms", p.P50, &p.p50}, {"p99 ms", p.P99, &p.p99}} {
			r, err := decimal(v.text)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %v", path, n, v.name, err)
			}
			*v.dst = r
		}
		phases = append(phases, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(phases) == 0 {
		return nil, fmt.Errorf("%s: no phases recorded (the benchmark wrote nothing to draw)", path)
	}
	return phases, nil
}

// readMeta parses the key=value file.
func readMeta(path string) ([]keyValue, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var kvs []keyValue
	seen := map[string]bool{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%s:%d: want key=value", path, i+1)
		}
		if seen[k] {
			return nil, fmt.Errorf("%s:%d: %s given twice", path, i+1, k)
		}
		seen[k] = true
		kvs = append(kvs, keyValue{k, strings.TrimSpace(v)})
	}
	return kvs, nil
}

// decimal parses a non-negative decimal such as "24674.3" exactly.
func decimal(s string) (*big.Rat, error) {
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return nil, fmt.Errorf("%q is not a non-negative decimal", s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q is not a non-negative decimal", s)
	}
	return r, nil
}

// ratio is a/b rounded to two decimals (halves away from zero), computed
// exactly: ratio(24674, 82096) is "0.30".
func ratio(a, b *big.Rat) string {
	return new(big.Rat).Quo(a, b).FloatString(2)
}

// A bound is what a phase is measured against: a ceiling of its requests/s
// and, where the run measured one, a floor of its latency.
type bound struct {
	Name  string   // "bare net/http handler"
	Unit  string   // of the ceiling: "req/s"
	Text  string   // the ceiling as measured, "57114.3"
	Value *big.Rat // the ceiling; nil when the run has none
	// The latency floor, nil when none: p50 and p99 (both the same when the
	// floor is one operation's time).
	FloorName          string
	FloorP50, FloorP99 *big.Rat
	FloorP50T          string
	FloorP99T          string
}

const (
	boundBare   = "bare"
	boundArgon  = "argon2id"
	boundFsync  = "fsync"
	bareNameTag = "bare net/http handler"
)

// ceilingRules maps the start of a phase's name, as bench/run.sh records
// it, to what bounds it. The first match wins.
var ceilingRules = []struct{ prefix, bound string }{
	{"dropdown-data", boundBare},
	{"address", boundBare},
	{"application status", boundBare},
	{"registration", boundArgon},
	{"write:", boundFsync}, // a phase of one write transaction (one fsync) per request
}

func boundOf(name string) string {
	for _, r := range ceilingRules {
		if strings.HasPrefix(name, r.prefix) {
			return r.bound
		}
	}
	return ""
}

// bounds gathers the run's ceilings and floors from the machine's rows of
// the results and from the meta file. A figure the run lacks is left out,
// and so is a ceiling of 0 (no ratio can be drawn against it).
func bounds(phases []phase, meta map[string]string) (map[string]bound, error) {
	bs := map[string]bound{}
	for _, p := range phases {
		if p.DB == "-" && strings.HasPrefix(p.Name, bareNameTag) {
			bs[boundBare] = bound{Name: bareNameTag, Unit: "req/s", Text: p.RPS, Value: p.rps,
				FloorName: bareNameTag, FloorP50: p.p50, FloorP99: p.p99, FloorP50T: p.P50, FloorP99T: p.P99}
			break
		}
	}
	num := func(key string) (*big.Rat, string, error) {
		v := meta[key]
		if v == "" {
			return nil, "", nil
		}
		r, err := decimal(v)
		if err != nil {
			return nil, "", fmt.Errorf("meta %s: %v", key, err)
		}
		return r, v, nil
	}
	hashes, hashesT, err := num("argon2id_hashes_per_s")
	if err != nil {
		return nil, err
	}
	ms, msT, err := num("argon2id_ms_per_hash")
	if err != nil {
		return nil, err
	}
	if hashes != nil || ms != nil {
		b := bound{Name: "argon2id PIN hashes on all cores", Unit: "hashes/s", Text: hashesT, Value: hashes}
		if ms != nil {
			b.FloorName, b.FloorP50, b.FloorP99, b.FloorP50T, b.FloorP99T = "one argon2id hash on one core", ms, ms, msT, msT
		}
		bs[boundArgon] = b
	}
	fsyncs, fsyncsT, err := num("fsyncs_per_s")
	if err != nil {
		return nil, err
	}
	if fsyncs != nil && fsyncs.Sign() > 0 {
		one := new(big.Rat).Quo(big.NewRat(1000, 1), fsyncs)
		oneT := one.FloatString(2)
		bs[boundFsync] = bound{Name: "the disk's fsyncs", Unit: "fsyncs/s", Text: fsyncsT, Value: fsyncs,
			FloorName: "one fsync", FloorP50: one, FloorP99: one, FloorP50T: oneT, FloorP99T: oneT}
	}
	for k, b := range bs {
		if b.Value != nil && b.Value.Sign() == 0 {
			b.Value = nil
			bs[k] = b
		}
	}
	return bs, nil
}

// The page's view: every string goes through html/template, geometry is
// preformatted so the same inputs give the same bytes.
type pageView struct {
	Title  string
	Header []keyValue
	Bounds []boundView
	DBs    []dbView
	Table  []phase
}

type boundView struct{ Name, Ceiling, Floor string }

type dbView struct {
	Name             string
	Requests, Timing chartView
}

type chartView struct {
	Title, Width, Height string
	Rows                 []rowView
}

type rowView struct {
	Phase, LabelX, LabelY string
	Bars                  []barView
	Texts                 []textView
}

type barView struct{ Class, X, Y, W, H string }

type textView struct{ Class, X, Y, Text string }

// The charts' geometry, in pixels.
const (
	chartWidth = 980
	labelRight = 250 // phase names end here
	barLeft    = 260
	barWidth   = 360
	textLeft   = barLeft + barWidth + 12
	rowHeight  = 40
	topPad     = 8
	mainBar    = 15
	ceilBar    = 9
	barGap     = 3
)

func px(f float64) string { return fmt.Sprintf("%.1f", f) }

func width(v, max *big.Rat) string {
	if max == nil || max.Sign() == 0 {
		return "0.0"
	}
	f, _ := new(big.Rat).Quo(v, max).Float64()
	return px(f * barWidth)
}

func maxRat(rs ...*big.Rat) *big.Rat {
	var m *big.Rat
	for _, r := range rs {
		if r != nil && (m == nil || r.Cmp(m) > 0) {
			m = r
		}
	}
	return m
}

func render(w io.Writer, phases []phase, meta []keyValue) error {
	metaMap := map[string]string{}
	for _, kv := range meta {
		metaMap[kv.Key] = kv.Value
	}
	bs, err := bounds(phases, metaMap)
	if err != nil {
		return err
	}
	v := pageView{Title: "julo load benchmark", Table: phases}
	if d := metaMap["date"]; d != "" {
		v.Title += ", " + d
	}
	for _, kv := range meta {
		v.Header = append(v.Header, keyValue{metaLabel(kv.Key), kv.Value})
	}
	for _, k := range []string{boundBare, boundArgon, boundFsync} {
		b, ok := bs[k]
		if !ok {
			continue
		}
		bv := boundView{Name: b.Name}
		if b.Value != nil {
			bv.Ceiling = b.Text + " " + b.Unit
		}
		if b.FloorP50 != nil {
			bv.Floor = "p50 " + b.FloorP50T + " ms, p99 " + b.FloorP99T + " ms"
			if b.FloorP50T == b.FloorP99T {
				bv.Floor = b.FloorP50T + " ms"
			}
			if b.FloorName != b.Name {
				bv.Floor += " (" + b.FloorName + ")"
			}
		}
		v.Bounds = append(v.Bounds, bv)
	}
	var dbs []string
	byDB := map[string][]phase{}
	for _, p := range phases {
		if p.DB == "-" {
			continue
		}
		if _, ok := byDB[p.DB]; !ok {
			dbs = append(dbs, p.DB)
		}
		byDB[p.DB] = append(byDB[p.DB], p)
	}
	for _, db := range dbs {
		v.DBs = append(v.DBs, dbView{Name: db,
			Requests: requestsChart(db, byDB[db], bs),
			Timing:   latencyChart(db, byDB[db], bs)})
	}
	return pageTemplate.Execute(w, v)
}

func metaLabel(k string) string {
	if l, ok := metaLabels[k]; ok {
		return l
	}
	return k
}

var metaLabels = map[string]string{
	"date":                  "date",
	"machine":               "machine",
	"go":                    "Go",
	"load_before":           "load average before the run",
	"postgres":              "PostgreSQL",
	"fsyncs_per_s":          "disk under the data dir, fsyncs/s (4 KiB write + fsync)",
	"argon2id_hashes_per_s": "argon2id PIN hashes/s on all cores (19 MiB, 2 passes)",
	"argon2id_ms_per_hash":  "argon2id PIN hash on one core, ms",
	"phases":                "phases",
}

// rowGeometry is where row i's bars and texts go.
func rowGeometry(i int) (mainY, ceilY float64) {
	mainY = topPad + float64(i)*rowHeight + 4
	return mainY, mainY + mainBar + barGap
}

func chartSize(rows int) (string, string) {
	return fmt.Sprint(chartWidth), fmt.Sprint(topPad*2 + rows*rowHeight)
}

// requestsChart draws each phase's requests/s (a blue bar) over its ceiling
// (a grey bar below it) on one scale per kind of ceiling, so the two bars of
// a row compare at a glance, and prints the ratio.
func requestsChart(db string, phases []phase, bs map[string]bound) chartView {
	scale := map[string]*big.Rat{}
	for _, p := range phases {
		k := boundOf(p.Name)
		var c *big.Rat
		if b, ok := bs[k]; ok {
			c = b.Value
		}
		scale[k] = maxRat(scale[k], p.rps, c)
	}
	c := chartView{Title: "requests/s per phase on " + db + ", each next to its ceiling"}
	c.Width, c.Height = chartSize(len(phases))
	for i, p := range phases {
		mainY, ceilY := rowGeometry(i)
		k := boundOf(p.Name)
		r := rowView{Phase: p.Name, LabelX: fmt.Sprint(labelRight), LabelY: px(mainY + mainBar - 3)}
		r.Bars = append(r.Bars, barView{"rps", fmt.Sprint(barLeft), px(mainY), width(p.rps, scale[k]), fmt.Sprint(mainBar)})
		r.Texts = append(r.Texts, textView{"value", fmt.Sprint(textLeft), px(mainY + mainBar - 3), p.RPS + " req/s"})
		if b, ok := bs[k]; ok && b.Value != nil {
			r.Bars = append(r.Bars, barView{"ceiling", fmt.Sprint(barLeft), px(ceilY), width(b.Value, scale[k]), fmt.Sprint(ceilBar)})
			r.Texts = append(r.Texts, textView{"ratio", fmt.Sprint(textLeft), px(ceilY + ceilBar),
				ratio(p.rps, b.Value) + " of " + b.Name + " (" + b.Text + " " + b.Unit + ")"})
		} else {
			r.Texts = append(r.Texts, textView{"note", fmt.Sprint(textLeft), px(ceilY + ceilBar), "no ceiling measured for this phase"})
		}
		c.Rows = append(c.Rows, r)
	}
	return c
}

// latencyChart draws each phase's p99 (a light bar) with its p50 (a dark
// bar over it), and below them the floor the same way, on one scale per
// kind of floor.
func latencyChart(db string, phases []phase, bs map[string]bound) chartView {
	scale := map[string]*big.Rat{}
	for _, p := range phases {
		k := boundOf(p.Name)
		var f *big.Rat
		if b, ok := bs[k]; ok {
			f = b.FloorP99
		}
		scale[k] = maxRat(scale[k], p.p99, p.p50, f)
	}
	c := chartView{Title: "p50 and p99 latency per phase on " + db + ", each next to its floor"}
	c.Width, c.Height = chartSize(len(phases))
	for i, p := range phases {
		mainY, ceilY := rowGeometry(i)
		k := boundOf(p.Name)
		r := rowView{Phase: p.Name, LabelX: fmt.Sprint(labelRight), LabelY: px(mainY + mainBar - 3)}
		r.Bars = append(r.Bars,
			barView{"p99", fmt.Sprint(barLeft), px(mainY), width(p.p99, scale[k]), fmt.Sprint(mainBar)},
			barView{"p50", fmt.Sprint(barLeft), px(mainY), width(p.p50, scale[k]), fmt.Sprint(mainBar)})
		text := "p50 " + p.P50 + " ms, p99 " + p.P99 + " ms"
		if p.p50.Sign() > 0 {
			text += " (p99 = " + ratio(p.p99, p.p50) + " × p50)"
		}
		r.Texts = append(r.Texts, textView{"value", fmt.Sprint(textLeft), px(mainY + mainBar - 3), text})
		if b, ok := bs[k]; ok && b.FloorP50 != nil {
			r.Bars = append(r.Bars,
				barView{"floor-p99", fmt.Sprint(barLeft), px(ceilY), width(b.FloorP99, scale[k]), fmt.Sprint(ceilBar)},
				barView{"floor-p50", fmt.Sprint(barLeft), px(ceilY), width(b.FloorP50, scale[k]), fmt.Sprint(ceilBar)})
			ft := "floor, " + b.FloorName + ": p50 " + b.FloorP50T + " ms, p99 " + b.FloorP99T + " ms"
			if b.FloorP50T == b.FloorP99T {
				ft = "floor, " + b.FloorName + ": " + b.FloorP50T + " ms"
			}
			r.Texts = append(r.Texts, textView{"ratio", fmt.Sprint(textLeft), px(ceilY + ceilBar), ft})
		} else {
			r.Texts = append(r.Texts, textView{"note", fmt.Sprint(textLeft), px(ceilY + ceilBar), "no floor measured for this phase"})
		}
		c.Rows = append(c.Rows, r)
	}
	return c
}

// The page is well-formed XML as well as HTML (every element closed, no
// named entities but XML's), so a plain XML parser can check it.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #1a202c; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { color: #4a5568; } dd { margin: 0; }
svg { max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #1a202c; }
svg text.label { text-anchor: end; }
svg text.ratio, svg text.note { font-size: 11px; fill: #4a5568; }
.rps { fill: #2b6cb0; } .ceiling { fill: #a0aec0; }
.p50 { fill: #276749; } .p99 { fill: #9ae6b4; }
.floor-p50 { fill: #4a5568; } .floor-p99 { fill: #cbd5e0; }
.key { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; }
span.rps { background: #2b6cb0; } span.ceiling { background: #a0aec0; }
span.p50 { background: #276749; } span.p99 { background: #9ae6b4; }
span.floor-p50 { background: #4a5568; } span.floor-p99 { background: #cbd5e0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #e2e8f0; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<dl>
{{- range .Header}}
<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
{{- if .Bounds}}
<h2>Ceilings and floors measured in this run</h2>
<ul>
{{- range .Bounds}}
<li>{{.Name}}{{if .Ceiling}}: ceiling {{.Ceiling}}{{end}}{{if .Floor}}; latency floor {{.Floor}}{{end}}</li>
{{- end}}
</ul>
{{- end}}
{{- range .DBs}}
<h2>{{.Name}}</h2>
<h3>Requests per second</h3>
<p><span class="key rps"></span> the phase, <span class="key ceiling"></span> its ceiling, on the same scale (phases with the same ceiling share a scale); the ratio is the phase's requests/s over the ceiling.</p>
{{template "chart" .Requests}}
<h3>Latency</h3>
<p><span class="key p50"></span> p50 over <span class="key p99"></span> p99 of the phase, <span class="key floor-p50"></span> p50 over <span class="key floor-p99"></span> p99 of its floor, on the same scale (phases with the same floor share a scale).</p>
{{template "chart" .Timing}}
{{- end}}
<h2>The table</h2>
<table>
<thead><tr><th>database</th><th>phase</th><th class="n">conns</th><th class="n">req/s</th><th class="n">p50 ms</th><th class="n">p99 ms</th><th class="n">errors</th><th class="n">server</th><th class="n">machine</th></tr></thead>
<tbody>
{{- range .Table}}
<tr><td>{{.DB}}</td><td>{{.Name}}</td><td class="n">{{.Conns}}</td><td class="n">{{.RPS}}</td><td class="n">{{.P50}}</td><td class="n">{{.P99}}</td><td class="n">{{.Errors}}</td><td class="n">{{.Server}}</td><td class="n">{{.Machine}}</td></tr>
{{- end}}
</tbody>
</table>
<p>server: CPU cores the server (on PostgreSQL with its database processes) used during the phase; machine: cores busy on the whole machine (the server, the load tool, and anything else running).</p>
</body>
</html>
{{define "chart"}}<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
<title>{{.Title}}</title>
{{- range .Rows}}
<g data-phase="{{.Phase}}">
<text class="label" x="{{.LabelX}}" y="{{.LabelY}}">{{.Phase}}</text>
{{- range .Bars}}
<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"/>
{{- end}}
{{- range .Texts}}
<text class="{{.Class}}" x="{{.X}}" y="{{.Y}}">{{.Text}}</text>
{{- end}}
</g>
{{- end}}
</svg>{{end}}`))
