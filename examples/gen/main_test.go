package main

import (
	"bytes"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// The committed example images are exactly what the generator draws (so
// the pictures that say TEST IMAGE are the ones in the repository), and
// each is a small, decodable JPEG.
func TestCommittedImagesAreTheGeneratorsOutput(t *testing.T) {
	for name, img := range images() {
		want, err := encode(img)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("examples/%s is not what the generator draws: run go run ./examples/gen", name)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(got))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); cfg.Width != b.Dx() || cfg.Height != b.Dy() {
			t.Errorf("%s: %dx%d, drawn %dx%d", name, cfg.Width, cfg.Height, b.Dx(), b.Dy())
		}
		if len(got) > 32<<10 {
			t.Errorf("%s: %d bytes, more than 32 KiB", name, len(got))
		}
	}
}

// Every character the pictures write has a glyph of 7 rows of 5 columns.
func TestFontGlyphsAreFiveBySeven(t *testing.T) {
	for ch, g := range font {
		for i, row := range g {
			if len(row) != 5 {
				t.Errorf("%q row %d: %q", ch, i, row)
			}
		}
	}
	for _, s := range []string{"TEST IMAGE / CONTOH", "NOT A REAL KTP", "NIK    : CONTOH", "SYNTHETIC EXAMPLE FOR THE JULO PARTNERSHIP SANDBOX"} {
		for _, ch := range s {
			if _, ok := font[ch]; !ok {
				t.Errorf("no glyph for %q", ch)
			}
		}
	}
}
