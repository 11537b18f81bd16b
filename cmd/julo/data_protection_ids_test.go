package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The range of public ids (issue 10, item 13): [2^52, 2^53), sixteen
// digits, safe in JavaScript.
const (
	publicIDMin int64 = 1 << 52
	publicIDMax int64 = 1<<53 - 1
)

// checkOpaqueIDs fails unless ids are in the public range, distinct and far
// apart: a counter shared by all partners would make them consecutive, or
// at least close (within the other partners' volume). Two random ids of
// 2^52 lie within 2^16 of each other with odds below 2^-35.
func checkOpaqueIDs(t *testing.T, what string, ids []int64) {
	t.Helper()
	for _, id := range ids {
		if id < publicIDMin || id > publicIDMax {
			t.Fatalf("%s: id %d outside [2^52, 2^53): %v", what, id, ids)
		}
	}
	s := slices.Clone(ids)
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i]-s[i-1] < 1<<16 {
			t.Fatalf("%s: ids %d and %d close together (or equal): %v", what, s[i-1], s[i], ids)
		}
	}
}

// imageIDOf returns the id at the end of an image URL.
func imageIDOf(t *testing.T, u string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(u[strings.LastIndex(u, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("image url %q: %v", u, err)
	}
	return id
}

// Image ids are random: uploads of two partners, interleaved, give ids that
// say nothing of their order or number, and one partner's image id is
// not found under another partner's application (nor its own URL). The
// store's internal sequential keys do not name an image either.
func TestDataProtectionImageIDsAreOpaque(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	other := *s
	other.Partner, other.Secret = "beta", s.createPartner("beta")
	b := &other
	xid := imgRegister(t, s, 1)
	otherXID := imgRegister(t, b, 2)

	types := []string{"ktp_self", "selfie", "crop_selfie", "paystub"}
	for i, typ := range types {
		imgUpload(t, s, xid, typ, typ+".png", imgPNG(t, 6, 6, uint64(10+i))).expect(t, http.StatusOK)
		imgUpload(t, b, otherXID, typ, typ+".png", imgPNG(t, 6, 6, uint64(20+i))).expect(t, http.StatusOK)
	}
	// Supersede one: the new upload gets a new random id, the old one stays readable.
	list := imgList(t, s, xid)
	firstKTP := list[0].URL
	imgUpload(t, s, xid, "ktp_self", "ktp2.png", imgPNG(t, 6, 6, 30)).expect(t, http.StatusOK)

	var ids, otherIDs []int64
	byType := map[string]string{}
	for _, img := range imgList(t, s, xid) {
		ids = append(ids, imageIDOf(t, img.URL))
		byType[img.ImageType] = img.URL
	}
	ids = append(ids, imageIDOf(t, firstKTP))
	otherURLs := imgList(t, b, otherXID)
	for _, img := range otherURLs {
		otherIDs = append(otherIDs, imageIDOf(t, img.URL))
	}
	if len(ids) != len(types)+1 || len(otherIDs) != len(types) || byType["ktp_self"] == firstKTP {
		t.Fatalf("images %v (first ktp %s), other %v", byType, firstKTP, otherIDs)
	}
	checkOpaqueIDs(t, "images of both partners", append(slices.Clone(ids), otherIDs...))

	for _, u := range []string{firstKTP, byType["ktp_self"]} {
		if resp, _ := imgFetch(t, s, u); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", u, resp.StatusCode)
		}
	}
	imgNothingStored(t, s, func() {
		for _, id := range ids {
			// A's image id under B's application: image not found.
			resp, raw := imgFetch(t, b, fmt.Sprintf("%s/%d", imgPath(otherXID), id))
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(raw), msgImageMissing) {
				t.Fatalf("A's image %d under B's application: %d %s", id, resp.StatusCode, raw)
			}
			// A's own URL, asked by B: the application is not found.
			resp, raw = imgFetch(t, b, fmt.Sprintf("%s/%d", imgPath(xid), id))
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(raw), msgAppMissing) {
				t.Fatalf("A's image %d asked by B: %d %s", id, resp.StatusCode, raw)
			}
		}
		// The internal keys (1..9 here) name no image.
		for k := 1; k <= 2*len(types)+1; k++ {
			resp, raw := imgFetch(t, s, fmt.Sprintf("%s/%d", imgPath(xid), k))
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(raw), msgImageMissing) {
				t.Fatalf("internal key %d: %d %s", k, resp.StatusCode, raw)
			}
		}
	})
}

// Import ids are random too: imports of two partners, interleaved, give
// ids far apart, and the 409 of a second import names the running import
// by its random id.
func TestDataProtectionImportIDsAreOpaque(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	other := *s
	other.Partner, other.Secret = "beta", s.createPartner("beta")
	b := &other
	xid := strconv.FormatInt(imgRegister(t, s, 1), 10)
	otherXID := strconv.FormatInt(imgRegister(t, b, 2), 10)

	start := func(s *testServer, xid, bank string) int64 {
		t.Helper()
		r := s.startImport(xid, url.Values{"data_type": {bank}, "credentials": {creds("sandbox_ok", "s3cret-pass")}}).expect(t, http.StatusCreated)
		var top struct {
			ID   int64 `json:"id"`
			Data struct {
				ID int64 `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(r.Raw), &top); err != nil || top.ID != top.Data.ID {
			t.Fatalf("answer %s: %v", r.Raw, err)
		}
		return top.ID
	}
	var ids []int64
	for _, bank := range []string{"bri", "bca", "mandiri", "bni"} {
		ids = append(ids, start(s, xid, bank), start(b, otherXID, bank))
	}
	checkOpaqueIDs(t, "imports of both partners", ids)
	s.startImport(xid, url.Values{"data_type": {"bri"}, "credentials": {creds("sandbox_ok", "x")}}).expect(t, http.StatusConflict,
		fmt.Sprintf("impor data bank bri untuk aplikasi ini masih berjalan (id %d)", ids[0]))
}
