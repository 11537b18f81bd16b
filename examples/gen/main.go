// Command gen draws the example KTP and selfie images of examples/: small
// synthetic JPEGs that say on their face that they are test images, so that
// nobody mistakes them for a real identity card or person. The server's image
// checks (a JPEG by its bytes, a readable header, at most 20,000 px a side)
// accept them; examples/walkthrough.sh uploads them.
//
// Regenerate them from the repository root with:
//
//	go run ./examples/gen
//
// The output is deterministic: the same code writes the same bytes, which
// the package's test checks against the committed files.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", "examples", "directory to write ktp.jpg and selfie.jpg into")
	flag.Parse()
	for name, img := range images() {
		b, err := encode(img)
		if err == nil {
			err = os.WriteFile(filepath.Join(*dir, name), b, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %dx%d, %d bytes\n", filepath.Join(*dir, name), img.Bounds().Dx(), img.Bounds().Dy(), len(b))
	}
}

// images are the example files by name.
func images() map[string]image.Image {
	return map[string]image.Image{"ktp.jpg": ktp(), "selfie.jpg": selfie()}
}

// quality keeps each file a few KB: flat colours and pixel text compress well.
const quality = 50

func encode(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var (
	white   = color.RGBA{255, 255, 255, 255}
	black   = color.RGBA{20, 20, 20, 255}
	ktpBlue = color.RGBA{150, 200, 235, 255}
	grey    = color.RGBA{190, 190, 190, 255}
	red     = color.RGBA{200, 20, 20, 255}
	skin    = color.RGBA{225, 185, 150, 255}
	wall    = color.RGBA{235, 230, 215, 255}
)

// ktp is an ID-card-sized (85.6 x 54 mm) picture laid out like a KTP, with
// placeholders instead of personal data and a banner saying it is a test.
func ktp() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 428, 270))
	fill(img, img.Bounds(), ktpBlue)
	centre(img, 10, 2, black, "PROVINSI CONTOH")
	centre(img, 30, 2, black, "KABUPATEN CONTOH")
	for i, line := range []string{
		"NIK    : CONTOH",
		"NAMA   : CONTOH",
		"LAHIR  : CONTOH",
		"ALAMAT : CONTOH",
	} {
		text(img, 14, 62+i*22, 2, black, line)
	}
	// The photo's place, with a stick face.
	photo := image.Rect(318, 58, 408, 168)
	fill(img, photo, grey)
	face(img, image.Pt(363, 105), 28)
	// The banner over the card.
	fill(img, image.Rect(0, 170, 428, 250), red)
	centre(img, 178, 3, white, "TEST IMAGE / CONTOH")
	centre(img, 214, 3, white, "NOT A REAL KTP")
	centre(img, 256, 1, black, "SYNTHETIC EXAMPLE FOR THE JULO PARTNERSHIP SANDBOX")
	return img
}

// selfie is a portrait of a drawn face holding no likeness of anyone.
func selfie() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 270, 360))
	fill(img, img.Bounds(), wall)
	fill(img, image.Rect(0, 0, 270, 58), red)
	centre(img, 8, 2, white, "TEST IMAGE / CONTOH")
	centre(img, 32, 2, white, "NOT A REAL SELFIE")
	face(img, image.Pt(135, 190), 80)
	fill(img, image.Rect(0, 318, 270, 360), red)
	centre(img, 332, 2, white, "NOT A REAL PERSON")
	return img
}

// face draws a round face of radius r at c: skin, two eyes and a mouth.
func face(img *image.RGBA, c image.Point, r int) {
	disc(img, c, r, skin)
	e := r / 7
	disc(img, c.Add(image.Pt(-r*2/5, -r/4)), e, black)
	disc(img, c.Add(image.Pt(r*2/5, -r/4)), e, black)
	fill(img, image.Rect(c.X-r/3, c.Y+r/3, c.X+r/3, c.Y+r/3+max(2, r/10)), black)
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func disc(img *image.RGBA, c image.Point, r int, col color.Color) {
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			if x*x+y*y <= r*r {
				img.Set(c.X+x, c.Y+y, col)
			}
		}
	}
}

// centre writes s centred across the image with its top at y.
func centre(img *image.RGBA, y, scale int, c color.Color, s string) {
	w := textWidth(s, scale)
	text(img, (img.Bounds().Dx()-w)/2, y, scale, c, s)
}

// textWidth is the width of s in pixels: 6 columns per character (5 and a
// space), the last space left out.
func textWidth(s string, scale int) int { return (len(s)*6 - 1) * scale }

// text writes s in the 5x7 pixel font with its top left at (x, y), each
// font pixel a scale x scale square. Characters outside the font are a
// programming error.
func text(img *image.RGBA, x, y, scale int, c color.Color, s string) {
	for i, ch := range s {
		g, ok := font[ch]
		if !ok {
			panic(fmt.Sprintf("gen: no glyph for %q", ch))
		}
		for row, bits := range g {
			for col, b := range bits {
				if b == '#' {
					px := x + (i*6+col)*scale
					py := y + row*scale
					fill(img, image.Rect(px, py, px+scale, py+scale), c)
				}
			}
		}
	}
}

// font is a 5x7 pixel font of the characters the pictures use.
var font = func() map[rune][7]string {
	f := map[rune][7]string{}
	for _, g := range strings.Split(strings.TrimSpace(glyphs), "\n\n") {
		lines := strings.Split(g, "\n")
		var rows [7]string
		copy(rows[:], lines[1:])
		f[rune(lines[0][0])] = rows
	}
	f[' '] = [7]string{".....", ".....", ".....", ".....", ".....", ".....", "....."}
	return f
}()

// glyphs: each is its character on a line, then 7 rows of 5 columns.
const glyphs = `
A
.###.
#...#
#...#
#####
#...#
#...#
#...#

B
####.
#...#
#...#
####.
#...#
#...#
####.

C
.###.
#...#
#....
#....
#....
#...#
.###.

D
####.
#...#
#...#
#...#
#...#
#...#
####.

E
#####
#....
#....
####.
#....
#....
#####

F
#####
#....
#....
####.
#....
#....
#....

G
.###.
#...#
#....
#.###
#...#
#...#
.####

H
#...#
#...#
#...#
#####
#...#
#...#
#...#

I
.###.
..#..
..#..
..#..
..#..
..#..
.###.

J
..###
...#.
...#.
...#.
...#.
#..#.
.##..

K
#...#
#..#.
#.#..
##...
#.#..
#..#.
#...#

L
#....
#....
#....
#....
#....
#....
#####

M
#...#
##.##
#.#.#
#.#.#
#...#
#...#
#...#

N
#...#
#...#
##..#
#.#.#
#..##
#...#
#...#

O
.###.
#...#
#...#
#...#
#...#
#...#
.###.

P
####.
#...#
#...#
####.
#....
#....
#....

Q
.###.
#...#
#...#
#...#
#.#.#
#..#.
.##.#

R
####.
#...#
#...#
####.
#.#..
#..#.
#...#

S
.####
#....
#....
.###.
....#
....#
####.

T
#####
..#..
..#..
..#..
..#..
..#..
..#..

U
#...#
#...#
#...#
#...#
#...#
#...#
.###.

V
#...#
#...#
#...#
#...#
#...#
.#.#.
..#..

W
#...#
#...#
#...#
#.#.#
#.#.#
#.#.#
.#.#.

X
#...#
#...#
.#.#.
..#..
.#.#.
#...#
#...#

Y
#...#
#...#
.#.#.
..#..
..#..
..#..
..#..

Z
#####
....#
...#.
..#..
.#...
#....
#####

/
.....
....#
...#.
..#..
.#...
#....
.....

-
.....
.....
.....
#####
.....
.....
.....

:
.....
..#..
..#..
.....
..#..
..#..
.....

`
