package main

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The image endpoints (partner documentation, "Image Upload API"; errata
// 15-16; domain §7).

const (
	msgImageTypeUnknown = "tipe gambar %q tidak dikenal; gunakan salah satu dari: ktp_self, crop_selfie, selfie, bank_statement, paystub, ktp_privy, drivers_license_privy, just_selfie_privy, foto_kartu_keluraga_privy, e_ktp_privy, selfie_privy, passport_privy, passport_selfie_privy"
	msgImageNotFile     = "upload: harus berupa file, bukan teks"
	msgImageRequired    = "upload: wajib diisi: kirim file gambar"
	msgImageNotImage    = "upload: isi file bukan gambar JPEG, PNG atau WebP"
	msgImageTooManyPix  = "upload: gambar terlalu besar"
	msgImagesClosed     = "Gambar tidak dapat diunggah lagi: data aplikasi sudah dikirim (status 125 MANUAL_REVIEW)"
	msgAppMissing       = "Aplikasi tidak ditemukan"
	msgImageMissing     = "Gambar tidak ditemukan"
	imgSuccessBody      = `{"success":true,"data":"success upload image","errors":[]}`
)

var imgAllTypes = []string{
	"ktp_self", "crop_selfie", "selfie", "bank_statement", "paystub", "ktp_privy",
	"drivers_license_privy", "just_selfie_privy", "foto_kartu_keluraga_privy",
	"e_ktp_privy", "selfie_privy", "passport_privy", "passport_selfie_privy",
}

func imgPath(xid any) string { return fmt.Sprintf("/api/partnership/v1/applications/%v/images", xid) }

// imgRegister registers customer n (a valid NIK and email of its own) and
// returns its application_xid.
func imgRegister(t *testing.T, s *testServer, n int) int64 {
	t.Helper()
	var d struct {
		XID int64 `json:"application_xid"`
	}
	s.do(req{Method: "POST", Path: "/api/partnership/v1/customer", Body: map[string]any{
		"username": fmt.Sprintf("320302150590%04d", n), "pin": "159357", "email": fmt.Sprintf("img%d@example.com", n),
		"latitude": -6.1815657, "longitude": 106.7229445,
	}}).expect(t, http.StatusCreated).decodeData(t, &d)
	return d.XID
}

// imgPNG and imgJPEG are small real images; seed makes each one different.
func imgPNG(t *testing.T, w, h int, seed uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, imgNoise(w, h, seed)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func imgJPEG(t *testing.T, w, h int, seed uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, imgNoise(w, h, seed), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func imgNoise(w, h int, seed uint64) image.Image {
	r := rand.New(rand.NewPCG(seed, 7))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	m.Set(0, 0, color.NRGBA{1, 2, 3, 255})
	return m
}

// imgBombPNG is a PNG of a few dozen bytes whose header claims w x h pixels
// (a decompression bomb): signature, IHDR and IEND with valid CRCs.
func imgBombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

// imgPart is one part of a multipart body. A file part has a filename; a
// part with filename nil is a text field (what `curl -F upload=test.jpg`
// sends).
type imgPart struct {
	name, contentType string
	filename          *string
	body              []byte
}

func imgFile(name, filename, contentType string, body []byte) imgPart {
	return imgPart{name: name, filename: &filename, contentType: contentType, body: body}
}

func imgField(name, value string) imgPart { return imgPart{name: name, body: []byte(value)} }

func imgMultipart(t *testing.T, parts ...imgPart) (body []byte, contentType string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != nil {
			cd += fmt.Sprintf(`; filename=%q`, *p.filename)
		}
		h.Set("Content-Disposition", cd)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.body)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// imgUpload posts image_type and the file as the documentation's form does.
func imgUpload(t *testing.T, s *testServer, xid any, typ, filename string, content []byte, hdr ...map[string]string) response {
	t.Helper()
	body, ct := imgMultipart(t, imgField("image_type", typ), imgFile("upload", filename, "image/jpeg", content))
	r := req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct}
	if len(hdr) > 0 {
		r.Header = hdr[0]
	}
	return s.do(r)
}

// imgListed is one entry of the list answer.
type imgListed struct {
	ImageType string `json:"image_type"`
	CreatedAt string `json:"created_at"`
	URL       string `json:"url"`
}

func imgList(t *testing.T, s *testServer, xid int64) []imgListed {
	t.Helper()
	var out []imgListed
	s.do(req{Method: "GET", Path: imgPath(xid)}).expect(t, http.StatusOK).decodeData(t, &out)
	return out
}

// imgFetch GETs an image URL with s's partner headers and returns the raw
// answer (bytes, not an envelope, on success).
func imgFetch(t *testing.T, s *testServer, path string) (*http.Response, []byte) {
	t.Helper()
	hr, _ := http.NewRequest("GET", s.URL+path, nil)
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// imgFiles counts the stored files under <data>/files, or returns -1 when
// the server keeps its blobs elsewhere (--blob-url) and they cannot be
// counted from here (the row counts are still checked).
func imgFiles(t *testing.T, s *testServer) int {
	t.Helper()
	if s.blobURL != "" {
		return -1
	}
	n := 0
	filepath.WalkDir(filepath.Join(s.Data, "files"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// imgNothingStored runs f and fails if an image row or a stored file was
// added or removed.
func imgNothingStored(t *testing.T, s *testServer, f func()) {
	t.Helper()
	rows, files := s.count("images"), imgFiles(t, s)
	f()
	if r, fl := s.count("images"), imgFiles(t, s); r != rows || fl != files {
		t.Fatalf("stored: images %d -> %d rows, files %d -> %d", rows, r, files, fl)
	}
}

func imgExpectOnly(t *testing.T, r response, want ...string) {
	t.Helper()
	if strings.Join(r.Errors, "\n") != strings.Join(want, "\n") {
		t.Fatalf("errors %q, want %q", r.Errors, want)
	}
}

// Every one of the thirteen documented types is accepted with the exact
// documented answer, listed once with a URL, and that URL returns the bytes
// that were sent with headers that keep them private.
func TestImageUploadEveryDocumentedTypeRoundTrips(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	if got := imgList(t, s, xid); len(got) != 0 {
		t.Fatalf("fresh application lists %v", got)
	}
	sent := map[string][]byte{}
	for i, typ := range imgAllTypes {
		content := imgPNG(t, 16+i, 9, uint64(i))
		if i%2 == 1 {
			content = imgJPEG(t, 20, 10+i, uint64(i))
		}
		sent[typ] = content
		r := imgUpload(t, s, xid, typ, "budi-santoso.jpg", content).expect(t, http.StatusOK)
		if strings.TrimSpace(r.Raw) != imgSuccessBody {
			t.Fatalf("%s: answer %s, want %s", typ, r.Raw, imgSuccessBody)
		}
		s.Clock.Add(time.Second)
	}
	list := imgList(t, s, xid)
	if len(list) != len(imgAllTypes) {
		t.Fatalf("listed %d images, want %d: %v", len(list), len(imgAllTypes), list)
	}
	for i, l := range list {
		if l.ImageType != imgAllTypes[i] {
			t.Fatalf("list[%d] is %s, want %s (oldest first)", i, l.ImageType, imgAllTypes[i])
		}
		want := defaultNow().Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		if l.CreatedAt != want {
			t.Fatalf("%s: created_at %q, want %q", l.ImageType, l.CreatedAt, want)
		}
		if !strings.HasPrefix(l.URL, imgPath(xid)+"/") {
			t.Fatalf("%s: url %q is not a path under %s", l.ImageType, l.URL, imgPath(xid))
		}
		resp, b := imgFetch(t, s, l.URL)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(b, sent[l.ImageType]) {
			t.Fatalf("%s: GET %s: %d, %d bytes, equal %v", l.ImageType, l.URL, resp.StatusCode, len(b), bytes.Equal(b, sent[l.ImageType]))
		}
		wantCT, wantExt := "image/png", ".png"
		if i%2 == 1 {
			wantCT, wantExt = "image/jpeg", ".jpg"
		}
		for h, want := range map[string]string{
			"Content-Type":           wantCT,
			"Content-Length":         fmt.Sprint(len(sent[l.ImageType])),
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "private, no-store",
			"Content-Disposition":    `inline; filename=` + l.ImageType + wantExt,
		} {
			if got := resp.Header.Get(h); got != want {
				t.Fatalf("%s: %s %q, want %q", l.ImageType, h, got, want)
			}
		}
	}
	if n := imgFiles(t, s); n != len(imgAllTypes) && n != -1 {
		t.Fatalf("%d stored files, want %d", n, len(imgAllTypes))
	}
	// The stored files are named by xid, type and a random part: no NIK, no
	// uploaded file name.
	root := filepath.Join(s.Data, "files")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		if err == nil && !d.IsDir() && (strings.Contains(rel, "3203021505900001") || strings.Contains(rel, "budi")) {
			t.Errorf("stored file name %s holds personal data", rel)
		}
		return nil
	})
	// The trailing-slash forms work too (errata 1).
	body, ct := imgMultipart(t, imgField("image_type", "selfie"), imgFile("upload", "a.png", "", imgPNG(t, 4, 4, 99)))
	s.do(req{Method: "POST", Path: imgPath(xid) + "/", Body: string(body), ContentType: ct}).expect(t, http.StatusOK)
	s.do(req{Method: "GET", Path: imgPath(xid) + "/"}).expect(t, http.StatusOK)
}

// image_type must be one of the thirteen; the error lists them. A missing one
// says so with the same list. Case and spaces do not matter.
func TestImageUploadTypeRules(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	content := imgPNG(t, 8, 8, 1)
	imgNothingStored(t, s, func() {
		r := imgUpload(t, s, xid, "ktp", "ktp.jpg", content).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, "image_type: "+fmt.Sprintf(msgImageTypeUnknown, "ktp"))
		r = imgUpload(t, s, xid, "ktp", "ktp.jpg", content, map[string]string{"Accept-Language": "en"}).expect(t, http.StatusBadRequest)
		if !strings.HasPrefix(r.Errors[0], `image_type: unknown image type "ktp"; use one of: ktp_self, `) {
			t.Fatalf("English: %q", r.Errors)
		}
		body, ct := imgMultipart(t, imgFile("upload", "ktp.png", "image/png", content))
		r = s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, "image_type: wajib diisi; gunakan salah satu dari: "+strings.Join(imgAllTypes, ", "))
		// Both wrong: one answer names both.
		body, ct = imgMultipart(t, imgField("image_type", "selfie2"), imgField("upload", "test.jpg"))
		r = s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct}).expect(t, http.StatusBadRequest, "image_type: ", msgImageNotFile)
		if len(r.Errors) != 2 {
			t.Fatalf("errors %q", r.Errors)
		}
	})
	imgUpload(t, s, xid, " KTP_Self ", "ktp.png", content).expect(t, http.StatusOK)
	if l := imgList(t, s, xid); len(l) != 1 || l[0].ImageType != "ktp_self" {
		t.Fatalf("list %v", l)
	}
	// image_type in the query string (errata 4) works; the body wins.
	body, ct := imgMultipart(t, imgFile("upload", "x.png", "image/png", content))
	s.do(req{Method: "POST", Path: imgPath(xid) + "?image_type=paystub", Body: string(body), ContentType: ct}).expect(t, http.StatusOK)
	if l := imgList(t, s, xid); len(l) != 2 || l[1].ImageType != "paystub" {
		t.Fatalf("list %v", l)
	}
}

// The bytes decide what a file is: a text file named .jpg is refused, a PNG
// declared as image/jpeg and named .jpg is stored and served as a PNG.
func TestImageUploadContentDecidesTheType(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	imgNothingStored(t, s, func() {
		for _, content := range [][]byte{
			[]byte("this is not an image, just text\n"),
			[]byte("<html><script>alert(1)</script></html>"),
			[]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
			[]byte("%PDF-1.4\n"),
			[]byte("\xff\xd8"), // half a JPEG marker
		} {
			r := imgUpload(t, s, xid, "ktp_self", "ktp.jpg", content).expect(t, http.StatusBadRequest)
			imgExpectOnly(t, r, msgImageNotImage+" (jenis file dikenali dari isinya, bukan dari nama atau Content-Type)")
		}
		r := imgUpload(t, s, xid, "ktp_self", "ktp.jpg", []byte("text"), map[string]string{"Accept-Language": "en"}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, "upload: the content is not a JPEG, PNG or WebP image (the type is read from the bytes, not from the file name or Content-Type)")
		// The right magic with a broken header.
		r = imgUpload(t, s, xid, "ktp_self", "ktp.png", imgPNG(t, 8, 8, 1)[:20]).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, "upload: file PNG rusak atau terpotong: ukuran gambar tidak dapat dibaca; kirim ulang file aslinya")
		r = imgUpload(t, s, xid, "ktp_self", "ktp.jpg", []byte{}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, "upload: file kosong; kirim gambar JPEG, PNG atau WebP")
	})
	content := imgPNG(t, 12, 12, 3)
	imgUpload(t, s, xid, "selfie", "selfie.jpg", content).expect(t, http.StatusOK) // part Content-Type image/jpeg
	l := imgList(t, s, xid)
	resp, b := imgFetch(t, s, l[0].URL)
	if resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(b, content) {
		t.Fatalf("served as %q, equal %v", resp.Header.Get("Content-Type"), bytes.Equal(b, content))
	}
	var ct, key string
	var w, h int
	s.sqlDB().QueryRow(`SELECT content_type, blob_key, width, height FROM images`).Scan(&ct, &key, &w, &h)
	if ct != "image/png" || !strings.HasSuffix(key, ".png") || w != 12 || h != 12 {
		t.Fatalf("stored %s %s %dx%d", ct, key, w, h)
	}
}

// `upload` must be a file part (errata 15): the documentation's own curl
// (-F "upload=test.jpg", a part without a filename), a form field and a JSON
// value all get a clear 400; a missing upload is "required".
func TestImageUploadSentAsTextOrMissing(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	imgNothingStored(t, s, func() {
		// The documentation's example: curl -F "image_type=ktp_self" -F "upload=test.jpg".
		body, ct := imgMultipart(t, imgField("image_type", "ktp_self"), imgField("upload", "test.jpg"))
		r := s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct, Invalid: true}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, msgImageNotFile+` (yang diterima: "test.jpg"); kirim sebagai bagian multipart dengan nama file, misalnya curl -F "upload=@foto.jpg" (dengan @)`)
		r = s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct, Header: map[string]string{"Accept-Language": "en"}, Invalid: true}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, `upload: must be a file, not text (received "test.jpg"); send it as a multipart part with a filename, e.g. curl -F "upload=@photo.jpg" (with the @)`)
		// A part without a filename is text even when it carries image bytes.
		body, ct = imgMultipart(t, imgField("image_type", "ktp_self"), imgPart{name: "upload", contentType: "image/png", body: imgPNG(t, 4, 4, 1)})
		s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct, Invalid: true}).expect(t, http.StatusBadRequest, msgImageNotFile)
		// urlencoded and JSON cannot carry a file.
		s.do(req{Method: "POST", Path: imgPath(xid), Body: url.Values{"image_type": {"ktp_self"}, "upload": {"test.jpg"}}, Invalid: true}).
			expect(t, http.StatusBadRequest, msgImageNotFile+` (yang diterima: "test.jpg")`)
		s.do(req{Method: "POST", Path: imgPath(xid), Body: map[string]any{"image_type": "ktp_self", "upload": "test.jpg"}, Invalid: true}).
			expect(t, http.StatusBadRequest, msgImageNotFile)
		// Missing: in a multipart body, a form, or no body at all.
		body, ct = imgMultipart(t, imgField("image_type", "ktp_self"))
		r = s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct, Invalid: true}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, msgImageRequired+` sebagai bagian multipart/form-data dengan nama file, misalnya curl -F "upload=@foto.jpg"`)
		s.do(req{Method: "POST", Path: imgPath(xid), Body: url.Values{"image_type": {"ktp_self"}}, Invalid: true}).expect(t, http.StatusBadRequest, msgImageRequired)
		r = s.do(req{Method: "POST", Path: imgPath(xid), Invalid: true}).expect(t, http.StatusBadRequest, msgImageRequired, "image_type: wajib diisi")
		if len(r.Errors) != 2 {
			t.Fatalf("errors %q", r.Errors)
		}
		// Two files in one request: refused rather than guessing which one.
		body, ct = imgMultipart(t, imgField("image_type", "ktp_self"), imgFile("upload", "a.png", "", imgPNG(t, 4, 4, 1)),
			imgFile("upload", "b.png", "", imgPNG(t, 4, 4, 2)))
		r = s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct, Invalid: true}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, "upload: kirim tepat satu file per permintaan")
		// A body that is not a form at all.
		s.do(req{Method: "POST", Path: imgPath(xid), Body: string(imgPNG(t, 4, 4, 1)), ContentType: "image/png", Invalid: true}).expect(t, http.StatusUnsupportedMediaType)
		s.do(req{Method: "POST", Path: imgPath(xid), Body: "--x\r\n", ContentType: "multipart/form-data", Invalid: true}).expect(t, http.StatusBadRequest)
	})
	// Unknown parts are ignored.
	body, ct := imgMultipart(t, imgField("note", "hello"), imgField("image_type", "selfie"),
		imgFile("other", "x.bin", "", []byte("junk")), imgFile("upload", "s.png", "", imgPNG(t, 4, 4, 3)))
	s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct}).expect(t, http.StatusOK)
}

// A request over --max-upload-bytes is 413 whether it declares its length
// (refused before the body is read) or comes chunked (refused while
// streaming), and stores nothing; an image under the limit is accepted.
func TestImageUploadOverTheSizeLimitIs413(t *testing.T) {
	t.Parallel()
	s := startServer(t, []string{"--max-upload-bytes", "200000"})
	xid := imgRegister(t, s, 1)
	const msg = "Isi permintaan terlalu besar: maksimal 200000 byte"
	big := append(imgPNG(t, 8, 8, 1), bytes.Repeat([]byte{0}, 300_000)...)
	body, ct := imgMultipart(t, imgField("image_type", "ktp_self"), imgFile("upload", "big.png", "image/png", big))
	imgNothingStored(t, s, func() {
		r := s.do(req{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct}).expect(t, http.StatusRequestEntityTooLarge)
		imgExpectOnly(t, r, msg)
		hr, _ := http.NewRequest("POST", s.URL+imgPath(xid), io.MultiReader(bytes.NewReader(body))) // length unknown: chunked
		hr.Header.Set("Content-Type", ct)
		hr.Header.Set("username", s.Partner)
		hr.Header.Set("secret-key", s.Secret)
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out response
		out.Header, out.Status, out.Raw = resp.Header, resp.StatusCode, string(raw)
		mustEnvelope(t, raw, &out)
		out.expect(t, http.StatusRequestEntityTooLarge)
		imgExpectOnly(t, out, msg)
	})
	// 190 KB of real noise, under the limit with its multipart framing.
	ok := imgPNG(t, 220, 215, 5)
	if len(ok) < 180_000 || len(ok) > 199_000 {
		t.Fatalf("test image of %d bytes", len(ok))
	}
	imgUpload(t, s, xid, "ktp_self", "ktp.png", ok).expect(t, http.StatusOK)
}

// A file whose header claims more pixels than the bounds is refused from the
// header alone, before anything decodes it: a 57-byte PNG claiming
// 100000x100000 pixels is answered at once.
func TestImageUploadRefusesDecompressionBombs(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	imgNothingStored(t, s, func() {
		bomb := imgBombPNG(100_000, 100_000)
		if len(bomb) > 64 {
			t.Fatalf("bomb of %d bytes", len(bomb))
		}
		start := time.Now()
		r := imgUpload(t, s, xid, "ktp_self", "ktp.png", bomb).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, msgImageTooManyPix+": 100000x100000 piksel; maksimal 20000 piksel per sisi dan 50 megapiksel, perkecil gambarnya")
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v: the bomb was decoded", d)
		}
		imgUpload(t, s, xid, "ktp_self", "ktp.png", imgBombPNG(20_001, 10)).expect(t, http.StatusBadRequest, msgImageTooManyPix+": 20001x10 piksel")
		imgUpload(t, s, xid, "ktp_self", "ktp.png", imgBombPNG(8_000, 8_000)).expect(t, http.StatusBadRequest, msgImageTooManyPix+": 8000x8000 piksel")
		r = imgUpload(t, s, xid, "ktp_self", "ktp.png", bomb, map[string]string{"Accept-Language": "en"}).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, "upload: the image is too large: 100000x100000 pixels; at most 20000 pixels per side and 50 megapixels, scale it down")
	})
	// At the bounds the pixel rule passes; the header alone is then decoded
	// in full and refused for having no image data (issue 10, item 10).
	imgUpload(t, s, xid, "ktp_self", "ktp.png", imgBombPNG(20_000, 2_500)).expect(t, http.StatusBadRequest, "upload: data gambar file PNG rusak")
}

// A new upload of a type supersedes the current one: the list shows only the
// newest, both rows stay (the old one marked superseded) and the old URL
// still serves the old bytes (history).
func TestImageUploadSupersedesAndKeepsHistory(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	first, second := imgJPEG(t, 30, 20, 1), imgPNG(t, 20, 30, 2)
	imgUpload(t, s, xid, "ktp_self", "ktp.jpg", first).expect(t, http.StatusOK)
	old := imgList(t, s, xid)
	s.Clock.Add(time.Minute)
	imgUpload(t, s, xid, "selfie", "selfie.png", imgPNG(t, 5, 5, 3)).expect(t, http.StatusOK)
	s.Clock.Add(time.Minute)
	imgUpload(t, s, xid, "ktp_self", "ktp.png", second).expect(t, http.StatusOK)

	list := imgList(t, s, xid)
	if len(list) != 2 || list[0].ImageType != "selfie" || list[1].ImageType != "ktp_self" {
		t.Fatalf("list %v", list)
	}
	if want := defaultNow().Add(2 * time.Minute).Format(time.RFC3339); list[1].CreatedAt != want {
		t.Fatalf("ktp_self created_at %s, want %s", list[1].CreatedAt, want)
	}
	if _, b := imgFetch(t, s, list[1].URL); !bytes.Equal(b, second) {
		t.Fatal("the listed ktp_self is not the newest")
	}
	if old[0].URL == list[1].URL {
		t.Fatal("the new image kept the old URL")
	}
	if resp, b := imgFetch(t, s, old[0].URL); resp.StatusCode != http.StatusOK || !bytes.Equal(b, first) ||
		resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("superseded image: %d, equal %v", resp.StatusCode, bytes.Equal(b, first))
	}
	rows, err := s.sqlDB().Query(`SELECT created_at, superseded_at FROM images WHERE image_type = 'ktp_self' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var created int64
		var superseded sql.NullInt64
		rows.Scan(&created, &superseded)
		got = append(got, fmt.Sprintf("%d/%v/%d", created, superseded.Valid, superseded.Int64))
	}
	t0 := defaultNow().UnixMilli()
	want := []string{fmt.Sprintf("%d/true/%d", t0, t0+120_000), fmt.Sprintf("%d/false/0", t0+120_000)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("ktp_self rows %v, want %v", got, want)
	}
	if n := imgFiles(t, s); n != 3 && n != -1 {
		t.Fatalf("%d stored files, want 3 (history is kept)", n)
	}
}

// Another partner's application answers exactly like one that does not exist,
// for the upload, the list and the image URL; an image id of another
// application is "image not found".
func TestImageOtherPartnerSeesNothing(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	imgUpload(t, s, xid, "ktp_self", "ktp.png", imgPNG(t, 6, 6, 1)).expect(t, http.StatusOK)
	imgURL := imgList(t, s, xid)[0].URL

	other := *s
	other.Partner, other.Secret = "beta", s.createPartner("beta")
	b := &other
	otherXID := imgRegister(t, b, 2)
	imgUpload(t, b, otherXID, "ktp_self", "ktp.png", imgPNG(t, 6, 6, 2)).expect(t, http.StatusOK)
	otherURL := imgList(t, b, otherXID)[0].URL

	imgNothingStored(t, s, func() {
		missing := int64(1_000_000_000)
		if missing == xid || missing == otherXID {
			missing++
		}
		for _, x := range []any{xid, missing} {
			r := imgUpload(t, b, x, "selfie", "s.png", imgPNG(t, 6, 6, 3)).expect(t, http.StatusNotFound)
			imgExpectOnly(t, r, msgAppMissing)
			imgExpectOnly(t, b.do(req{Method: "GET", Path: imgPath(x)}).expect(t, http.StatusNotFound), msgAppMissing)
		}
		// A's image URL, asked by B: the same answer as an xid that does not exist.
		for _, p := range []string{imgURL, imgPath(missing) + "/1"} {
			resp, raw := imgFetch(t, b, p)
			var out response
			out.Header, out.Status, out.Raw = resp.Header, resp.StatusCode, string(raw)
			mustEnvelope(t, raw, &out)
			imgExpectOnly(t, out.expect(t, http.StatusNotFound), msgAppMissing)
		}
		// A's image id under B's own application: image not found.
		id := imgURL[strings.LastIndex(imgURL, "/")+1:]
		resp, raw := imgFetch(t, b, imgPath(otherXID)+"/"+id)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(raw), msgImageMissing) {
			t.Fatalf("%d %s", resp.StatusCode, raw)
		}
		// And the reverse: B's image under A's application.
		resp, raw = imgFetch(t, s, imgPath(xid)+otherURL[strings.LastIndex(otherURL, "/"):])
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(raw), msgImageMissing) {
			t.Fatalf("%d %s", resp.StatusCode, raw)
		}
	})
}

// Malformed or unknown xids and image ids are 404 in the envelope; without
// the partner headers every image route is 401.
func TestImageUnknownIDsAndAuth(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	imgUpload(t, s, xid, "ktp_self", "ktp.png", imgPNG(t, 6, 6, 1)).expect(t, http.StatusOK)
	imgNothingStored(t, s, func() {
		for _, x := range []string{"9999999999", "abc", "123", "-1", "12345678901", "1e9"} {
			// An xid that is no integer is outside the document too.
			_, err := strconv.ParseInt(x, 10, 64)
			mark := map[string]string{}
			if err != nil {
				mark[openapiInvalidHeader] = "1"
			}
			imgExpectOnly(t, imgUpload(t, s, x, "selfie", "s.png", imgPNG(t, 6, 6, 3), mark).expect(t, http.StatusNotFound), msgAppMissing)
			imgExpectOnly(t, s.do(req{Method: "GET", Path: imgPath(x), Invalid: err != nil}).expect(t, http.StatusNotFound), msgAppMissing)
			imgExpectOnly(t, s.do(req{Method: "GET", Path: imgPath(x) + "/1", Invalid: err != nil}).expect(t, http.StatusNotFound), msgAppMissing)
		}
		for _, id := range []string{"abc", "0", "-1", "999999", "1.0"} {
			_, err := strconv.ParseInt(id, 10, 64)
			imgExpectOnly(t, s.do(req{Method: "GET", Path: imgPath(xid) + "/" + id, Invalid: err != nil}).expect(t, http.StatusNotFound), msgImageMissing)
		}
		imgURL := imgList(t, s, xid)[0].URL
		body, ct := imgMultipart(t, imgField("image_type", "selfie"), imgFile("upload", "s.png", "", imgPNG(t, 6, 6, 3)))
		for _, r := range []req{
			{Method: "POST", Path: imgPath(xid), Body: string(body), ContentType: ct, NoAuth: true, Invalid: true},
			{Method: "GET", Path: imgPath(xid), NoAuth: true, Invalid: true},
			{Method: "GET", Path: imgURL, NoAuth: true, Invalid: true},
			{Method: "GET", Path: imgURL, Header: map[string]string{"username": s.Partner, "secret-key": "wrong"}},
		} {
			s.do(r).expect(t, http.StatusUnauthorized, "Kredensial partner tidak valid")
		}
		s.do(req{Method: "DELETE", Path: imgURL, Invalid: true}).expect(t, http.StatusMethodNotAllowed)
	})
}

// Uploads are accepted at status 100 only (and a document's at 105 when the
// credit assessment asks for it, credit_test.go): once the complete-data
// step has moved the application on (here its assessment to 125: the
// documentation's income gives a limit above the review threshold) an
// upload is 409 and stores nothing, while the list and the images stay
// readable.
func TestImageUploadAfterSubmissionIs409(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	ready := s.readyApplication(t, docNIK, "budi.ismail@test.com", "085330838909")
	s.do(req{Method: "POST", Path: "/api/partnership/v1/application/" + ready, Body: docCompleteBody, ContentType: "application/json"}).expect(t, 200)
	s.settle(t)
	xid, _ := strconv.ParseInt(ready, 10, 64)
	imgNothingStored(t, s, func() {
		r := imgUpload(t, s, xid, "selfie", "s.png", imgPNG(t, 6, 6, 2)).expect(t, http.StatusConflict)
		imgExpectOnly(t, r, msgImagesClosed)
		r = imgUpload(t, s, xid, "ktp_self", "s.png", imgPNG(t, 6, 6, 2), map[string]string{"Accept-Language": "en"}).expect(t, http.StatusConflict)
		imgExpectOnly(t, r, "Images can no longer be uploaded: the application's data was already submitted (status 125 MANUAL_REVIEW)")
	})
	l := imgList(t, s, xid)
	if len(l) != 2 {
		t.Fatalf("list %v", l)
	}
	if resp, _ := imgFetch(t, s, l[0].URL); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET image after submission: %d", resp.StatusCode)
	}
}

// slowUpload is an upload whose body the test writes piece by piece through
// a pipe, as a partner on a slow network would send it.
type slowUpload struct {
	w      *io.PipeWriter
	body   []byte // what is left to send
	result chan response
}

// startSlowUpload starts posting content as image typ to application xid
// and sends the first `first` bytes of the body; the answer comes on result
// once finish has sent the rest.
func startSlowUpload(t *testing.T, s *testServer, xid int64, typ string, content []byte, first int) *slowUpload {
	t.Helper()
	body, ct := imgMultipart(t, imgField("image_type", typ), imgFile("upload", "slow.png", "image/png", content))
	if first >= len(body) {
		t.Fatalf("first %d of a %d-byte body", first, len(body))
	}
	pr, pw := io.Pipe()
	u := &slowUpload{w: pw, body: body, result: make(chan response, 1)}
	// Should the test fail half-way, end the upload so the server can stop.
	t.Cleanup(func() { pw.CloseWithError(errors.New("the test ended")) })
	hr, err := http.NewRequest("POST", s.URL+imgPath(xid), pr) // length unknown: chunked
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", ct)
	hr.Header.Set("username", s.Partner)
	hr.Header.Set("secret-key", s.Secret)
	go func() {
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			pr.CloseWithError(err)
			u.result <- response{Raw: err.Error()}
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		u.result <- response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	}()
	u.send(t, first)
	return u
}

// send writes the next n bytes of the body in small pieces with pauses.
func (u *slowUpload) send(t *testing.T, n int) {
	t.Helper()
	for n > 0 {
		k := min(n, 256, len(u.body))
		if _, err := u.w.Write(u.body[:k]); err != nil {
			t.Fatalf("sending the upload: %v", err)
		}
		u.body, n = u.body[k:], n-k
		time.Sleep(2 * time.Millisecond)
	}
}

// finish sends the rest of the body and returns the answer.
func (u *slowUpload) finish(t *testing.T) response {
	t.Helper()
	u.send(t, len(u.body))
	u.w.Close()
	select {
	case r := <-u.result:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("no answer to the upload")
		return response{}
	}
}

// One partner's slow uploads do not hold anything another partner needs:
// while partner A has four uploads trickling in, partner B's upload is
// answered at once (before the fix it waited 20 s for a slot shared by the
// whole process and got 503). A fifth upload of A, beyond the per-partner
// bound, is refused at once with 429 and Retry-After, before its body is
// read; A's slow uploads then all complete.
func TestImageSlowUploadsOfOnePartnerDoNotBlockAnother(t *testing.T) {
	t.Parallel()
	a := startServer(t, nil)
	xidA := imgRegister(t, a, 1)
	bs := *a
	bs.Partner, bs.Secret = "beta", a.createPartner("beta")
	b := &bs
	xidB := imgRegister(t, b, 2)

	types := []string{"ktp_self", "selfie", "crop_selfie", "paystub"}
	contents := make([][]byte, len(types))
	slow := make([]*slowUpload, len(types))
	for i, typ := range types {
		contents[i] = imgPNG(t, 48, 48, uint64(10+i)) // about 7 KB of noise
		// The form field, the file part's header and some of the file.
		slow[i] = startSlowUpload(t, a, xidA, typ, contents[i], 1024)
	}

	// A fifth upload of A is refused once the four are being received. The
	// probe is a request without a file: admitted, it is a quick 400.
	probe, probeCT := imgMultipart(t, imgField("image_type", "selfie"))
	var busy response
	for deadline := time.Now().Add(10 * time.Second); ; {
		busy = a.do(req{Method: "POST", Path: imgPath(xidA), Body: string(probe), ContentType: probeCT, Invalid: true})
		if busy.Status == http.StatusTooManyRequests {
			break
		}
		busy.expect(t, http.StatusBadRequest, msgImageRequired)
		if time.Now().After(deadline) {
			t.Fatal("a fifth upload was never refused while four were in flight")
		}
		time.Sleep(20 * time.Millisecond)
	}
	imgExpectOnly(t, busy, "Terlalu banyak unggahan gambar sedang berjalan untuk partner ini (maksimal 4 bersamaan); coba lagi setelah salah satunya selesai")
	if ra := busy.Header.Get("Retry-After"); ra != "5" {
		t.Fatalf("Retry-After %q", ra)
	}
	r := imgUpload(t, a, xidA, "selfie", "s.png", imgPNG(t, 4, 4, 1), map[string]string{"Accept-Language": "en"}).
		expect(t, http.StatusTooManyRequests)
	imgExpectOnly(t, r, "Too many image uploads are in progress for this partner (at most 4 at a time); retry once one of them has finished")

	// B is not held up by A.
	start := time.Now()
	imgUpload(t, b, xidB, "ktp_self", "ktp.png", imgPNG(t, 8, 8, 2)).expect(t, http.StatusOK)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("B's upload took %v while A's were in flight", d)
	}
	for i, u := range slow {
		select {
		case r := <-u.result:
			t.Fatalf("A's slow upload %d was answered before it was sent: %d %s", i, r.Status, r.Raw)
		default:
		}
	}

	// A's uploads complete, and free A's slots.
	for i, u := range slow {
		r := u.finish(t)
		if r.Status != http.StatusOK || strings.TrimSpace(r.Raw) != imgSuccessBody {
			t.Fatalf("A's slow upload %d: %d %s", i, r.Status, r.Raw)
		}
	}
	list := imgList(t, a, xidA)
	if len(list) != len(types) {
		t.Fatalf("A's list %v", list)
	}
	for _, l := range list {
		_, got := imgFetch(t, a, l.URL)
		if i := slices.Index(types, l.ImageType); i < 0 || !bytes.Equal(got, contents[i]) {
			t.Fatalf("%s: stored bytes differ from the sent ones", l.ImageType)
		}
	}
	imgUpload(t, a, xidA, "selfie", "s.png", imgPNG(t, 4, 4, 3)).expect(t, http.StatusOK)
}

// An application keeps at most 50 images, current and replaced together:
// the 51st upload is refused with 409 and a message that says the limit,
// and stores nothing. The count is checked in the recording transaction, so
// concurrent uploads cannot pass it. Other applications are not affected.
func TestImageUploadsPerApplicationAreCapped(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	content := imgPNG(t, 2, 2, 1)
	for i := range 47 {
		imgUpload(t, s, xid, imgAllTypes[i%len(imgAllTypes)], "x.png", content).expect(t, http.StatusOK)
	}
	// Four at once for the last three places: exactly three are stored.
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Go(func() {
			body, ct := imgMultipart(t, imgField("image_type", imgAllTypes[i]), imgFile("upload", "x.png", "image/png", content))
			hr, _ := http.NewRequest("POST", s.URL+imgPath(xid), bytes.NewReader(body))
			hr.Header.Set("Content-Type", ct)
			hr.Header.Set("username", s.Partner)
			hr.Header.Set("secret-key", s.Secret)
			if resp, err := http.DefaultClient.Do(hr); err == nil {
				statuses[i] = resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if fmt.Sprint(statuses) != "[200 200 200 409]" {
		t.Fatalf("four concurrent uploads for three places: %v", statuses)
	}
	if n := s.count("images"); n != 50 {
		t.Fatalf("%d images stored", n)
	}
	before := imgList(t, s, xid)
	imgNothingStored(t, s, func() {
		r := imgUpload(t, s, xid, "selfie", "s.png", content).expect(t, http.StatusConflict)
		imgExpectOnly(t, r, "Aplikasi ini sudah mencapai batas 50 gambar (termasuk gambar yang sudah diganti); gambar tidak dapat diunggah lagi, gambar yang ada tetap berlaku")
		r = imgUpload(t, s, xid, "passport_privy", "s.png", content, map[string]string{"Accept-Language": "en"}).expect(t, http.StatusConflict)
		imgExpectOnly(t, r, "This application has reached its limit of 50 images (replaced images included); no more images can be uploaded, the current ones remain valid")
	})
	if after := imgList(t, s, xid); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the current images changed: %v -> %v", before, after)
	}
	// The limit is per application.
	other := imgRegister(t, s, 2)
	imgUpload(t, s, other, "selfie", "s.png", content).expect(t, http.StatusOK)
}
