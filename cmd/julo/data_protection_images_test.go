package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// Issue 10, item 10: an upload is decoded in full before it is accepted. A
// truncated JPEG, a PNG with HTML after IEND and a JPEG whose data after
// its header is random are 400s whose error_details carry the rule's code,
// and nothing is stored; the whole file is accepted.
func TestDataProtectionImagesAreDecodedInFull(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	jpg := imgJPEG(t, 64, 48, 1)
	png := imgPNG(t, 32, 32, 2)
	html := []byte("<html><body><script>alert(document.cookie)</script></body></html>")
	type detail struct{ Code, Field, Message string }
	refused := func(content []byte, code, want string, lang ...string) {
		t.Helper()
		var hdr []map[string]string
		if len(lang) > 0 {
			hdr = append(hdr, map[string]string{"Accept-Language": lang[0]})
		}
		r := imgUpload(t, s, xid, "ktp_self", "ktp.jpg", content, hdr...).expect(t, http.StatusBadRequest)
		imgExpectOnly(t, r, want)
		var env struct {
			ErrorDetails []detail `json:"error_details"`
		}
		if err := json.Unmarshal([]byte(r.Raw), &env); err != nil || len(env.ErrorDetails) != 1 ||
			env.ErrorDetails[0].Code != code || env.ErrorDetails[0].Field != "upload" {
			t.Fatalf("error_details %+v (%v), want code %s on upload: %s", env.ErrorDetails, err, code, r.Raw)
		}
	}
	imgNothingStored(t, s, func() {
		refused(jpg[:len(jpg)*2/3], "image_file_truncated",
			"upload: file JPEG terpotong: file berakhir sebelum data gambarnya selesai; kirim file aslinya secara utuh")
		refused(jpg[:len(jpg)-2], "image_file_truncated",
			"upload: the JPEG file is truncated: it ends before its image data does; send the whole original file", "en")
		refused(append(bytes.Clone(png), html...), "image_file_trailing_data",
			"upload: the PNG file holds 65 more bytes after the end of its image; send the image file alone, with nothing appended", "en")
		refused(append(bytes.Clone(jpg), html...), "image_file_trailing_data",
			"upload: file JPEG berisi 65 byte lain setelah akhir gambarnya; kirim file gambarnya saja, tanpa data tambahan")
		broken := bytes.Clone(png)
		broken[len(broken)-20] ^= 0xff // inside the last IDAT: its CRC no longer matches
		refused(broken, "image_file_undecodable",
			"upload: the PNG file's image data is damaged and cannot be decoded; send the original file again", "en")
	})
	imgUpload(t, s, xid, "ktp_self", "ktp.jpg", jpg).expect(t, http.StatusOK)
	imgUpload(t, s, xid, "selfie", "selfie.png", png).expect(t, http.StatusOK)
	if n := s.count("images"); n != 2 {
		t.Fatalf("%d images stored", n)
	}
}
