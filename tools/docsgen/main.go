// Command docsgen vendors the renderer of the documentation page (GET /docs):
// Redoc's standalone bundle, from the npm package redoc at the exact version
// pinned below.
//
// It fetches the package tarball with `npm pack redoc@VERSION` (so npm's own
// registry configuration applies), refuses it unless its SHA-512 matches the
// integrity pinned here (the "dist.integrity" the registry publishes), and
// writes, into internal/httpapi/docs/ where the server embeds them:
//
//   - redoc.standalone.js: bundles/redoc.standalone.js, patched (see patches)
//     so that it requests nothing from another host;
//   - redoc.standalone.js.LICENSE.txt: the bundle's third-party notices;
//   - LICENSE.redoc: Redoc's own MIT license.
//
// The output is byte-for-byte deterministic for the same tarball. NOTICE at the
// repository root names the version; update it with the pin.
//
// Usage (from tools/docsgen):
//
//	go run .                    # fetch with npm pack, check, write
//	go run . -tarball redoc.tgz # use a tarball already fetched (still checked)
//	go run . -check             # fail if the committed files differ from the output
//
// To move to another version: set version, run `npm view redoc@VERSION
// dist.integrity` for the new integrity, check that the patches still apply
// (the program fails if one does not match exactly once), run the browser test
// of cmd/julo (TestDocsPageInBrowser), which fails on any request to another
// host.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const (
	pkg     = "redoc"
	version = "2.5.4"
	// integrity is the registry's dist.integrity of redoc-2.5.4.tgz.
	integrity = "sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ=="
)

// Redoc 3 is not used: its bundle sends OpenTelemetry traces to Redocly and
// links to AI chat services; 2.5 renders OpenAPI 3.1 and works offline once
// patched.

// A patch replaces one exact string of the bundle; it must occur exactly once.
type patch struct {
	why      string
	old, new string
}

var patches = []patch{{
	why: "the side menu's \"API docs by Redocly\" link shows a logo loaded from Redocly's CDN; " +
		"an empty inline SVG keeps the page from contacting another host (and within img-src 'self' data:)",
	old: `"https://cdn.redoc.ly/redoc/logo-mini.svg"`,
	new: `"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"`,
}}

// files maps a path inside the tarball to the output file name.
var files = []struct {
	in, out string
	patch   bool
}{
	{"package/bundles/redoc.standalone.js", "redoc.standalone.js", true},
	{"package/bundles/redoc.standalone.js.LICENSE.txt", "redoc.standalone.js.LICENSE.txt", false},
	{"package/LICENSE", "LICENSE.redoc", false},
}

func main() {
	tarball := flag.String("tarball", "", "use this tarball instead of fetching it with npm pack")
	out := flag.String("out", filepath.Join("..", "..", "internal", "httpapi", "docs"), "output directory")
	check := flag.Bool("check", false, "compare the output with the files in -out instead of writing them")
	flag.Parse()
	if err := run(*tarball, *out, *check); err != nil {
		fmt.Fprintln(os.Stderr, "docsgen:", err)
		os.Exit(1)
	}
}

func run(tarball, out string, check bool) error {
	var data []byte
	var err error
	if tarball == "" {
		data, err = npmPack(pkg + "@" + version)
	} else {
		data, err = os.ReadFile(tarball)
	}
	if err != nil {
		return err
	}
	got, err := generate(data, integrity)
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(out, f.out)
		if check {
			have, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !bytes.Equal(have, got[f.out]) {
				return fmt.Errorf("%s differs from %s@%s's (run go run . in tools/docsgen)", path, pkg, version)
			}
			continue
		}
		if err := os.WriteFile(path, got[f.out], 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d bytes\n", path, len(got[f.out]))
	}
	return nil
}

// npmPack fetches spec's tarball with npm pack into a temp dir and returns it.
func npmPack(spec string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "docsgen")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", dir, spec)
	cmd.Stderr = os.Stderr
	if _, err := cmd.Output(); err != nil {
		return nil, fmt.Errorf("npm pack %s: %w", spec, err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if err != nil || len(names) != 1 {
		return nil, fmt.Errorf("npm pack %s: expected one tarball in %s, found %v", spec, dir, names)
	}
	return os.ReadFile(names[0])
}

// generate checks the tarball against want (an npm integrity string,
// sha512-BASE64) and returns the output files by name.
func generate(tgz []byte, want string) (map[string][]byte, error) {
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != want {
		return nil, fmt.Errorf("tarball integrity %s, want %s: refusing it", got, want)
	}
	entries, err := readTar(tgz)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, ok := entries[f.in]
		if !ok {
			return nil, fmt.Errorf("the tarball has no %s", f.in)
		}
		if f.patch {
			if b, err = apply(b, patches); err != nil {
				return nil, fmt.Errorf("%s: %w", f.in, err)
			}
		}
		out[f.out] = b
	}
	return out, nil
}

func apply(b []byte, ps []patch) ([]byte, error) {
	s := string(b)
	for _, p := range ps {
		if n := strings.Count(s, p.old); n != 1 {
			return nil, fmt.Errorf("patch %q matches %d times, want exactly once (%s)", p.old, n, p.why)
		}
		s = strings.Replace(s, p.old, p.new, 1)
	}
	return []byte(s), nil
}

// readTar returns the regular files of a gzip-compressed tarball by name.
func readTar(tgz []byte) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	entries := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return nil, err
		}
		entries[h.Name] = b
	}
}
