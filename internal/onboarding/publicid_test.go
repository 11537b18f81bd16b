package onboarding

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/julo-partnership/julo/internal/julo"
)

// Public ids are drawn in [2^52, 2^53) whatever the randomness says, and
// only that range parses.
func TestPublicIDRange(t *testing.T) {
	for _, fill := range []byte{0x00, 0xff} {
		svc := New(Deps{Rand: bytes.NewReader(bytes.Repeat([]byte{fill}, 4096))})
		id, err := svc.newPublicID()
		if err != nil || id < PublicIDMin || id > PublicIDMax {
			t.Fatalf("fill %#x: %d, %v", fill, id, err)
		}
	}
	svc := New(Deps{})
	seen := map[int64]bool{}
	for i := 0; i < 1000; i++ {
		id, err := svc.newPublicID()
		if err != nil || id < PublicIDMin || id > PublicIDMax || seen[id] || len(strconv.FormatInt(id, 10)) != 16 {
			t.Fatalf("id %d (seen %v), %v", id, seen[id], err)
		}
		seen[id] = true
	}
	for s, ok := range map[string]bool{
		"4503599627370496": true, "9007199254740991": true, "4503599627370495": false,
		"9007199254740992": false, "1": false, "0": false, "-4503599627370496": false, "abc": false, "": false,
	} {
		if _, got := parsePublicID(s); got != ok {
			t.Errorf("parsePublicID(%q) = %v, want %v", s, got, ok)
		}
	}
}

// publicIDTaken refuses the first AddImage or CreateBankImport as a taken
// public id and records the ids it was offered.
type publicIDTaken struct {
	*imageFakeStore
	offered []int64
}

func (s *publicIDTaken) AddImage(ctx context.Context, img Image, accept func(julo.AppStatus, int) error) (Image, error) {
	s.offered = append(s.offered, img.PublicID)
	if len(s.offered) == 1 {
		return Image{}, &julo.Error{Code: julo.ECONFLICT, Reason: julo.ReasonDuplicate, Unique: UniqueImageID}
	}
	return s.imageFakeStore.AddImage(ctx, img, accept)
}

// An upload whose random id is taken is recorded under a fresh one.
func TestUploadImageRetriesATakenPublicID(t *testing.T) {
	st := &publicIDTaken{imageFakeStore: &imageFakeStore{app: Application{ID: 3, XID: 1234567890, PartnerID: 7, Status: julo.AppFormCreated}}}
	svc := New(Deps{Store: st, Blobs: &memBlobs{m: map[string][]byte{}}})
	img, err := svc.UploadImage(context.Background(), julo.Partner{ID: 7}, "1234567890",
		ImageUploadInput{Type: ptr("selfie"), Upload: NewImageFile(testPNG(t, 4, 4))})
	if err != nil || len(st.offered) != 2 || st.offered[0] == st.offered[1] || img.PublicID != st.offered[1] {
		t.Fatalf("%+v, %v, offered %v", img, err, st.offered)
	}
	if _, rc, err := svc.OpenImage(context.Background(), julo.Partner{ID: 7}, "1234567890", strconv.FormatInt(img.PublicID, 10)); err != nil {
		t.Fatal(err)
	} else {
		rc.Close()
	}
	if _, _, err := svc.OpenImage(context.Background(), julo.Partner{ID: 7}, "1234567890", strconv.FormatInt(st.offered[0], 10)); julo.ErrorCode(err) != julo.ENOTFOUND {
		t.Fatalf("the refused id: %v", err)
	}
}
