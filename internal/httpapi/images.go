package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/onboarding"
)

const (
	// maxConcurrentUploads bounds how many uploads hold their file in memory
	// at once: memory stays under about maxConcurrentUploads x 2 x
	// MaxUploadBytes however many partners upload together.
	maxConcurrentUploads = 4
	// uploadSlotWait is how long an upload waits for a slot before it is
	// answered 503 with Retry-After.
	uploadSlotWait = 20 * time.Second
	// maxFieldBytes bounds a text part (image_type, or upload sent as text):
	// a longer one is cut, which no valid value is.
	maxFieldBytes = 1 << 10
)

// handleUploadImage reads the multipart stream itself (r.MultipartReader),
// so that nothing spills to temp files: the file part is read into memory,
// bounded by MaxUploadBytes through the route's body limit, while holding one
// of maxConcurrentUploads slots.
func (s *Server) handleUploadImage() http.Handler {
	slots := make(chan struct{}, maxConcurrentUploads)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, release, err := s.readImageUpload(r, slots)
		defer release()
		if err != nil {
			fail(w, r, err)
			return
		}
		if _, err := s.svc.UploadImage(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"), in); err != nil {
			fail(w, r, err)
			return
		}
		// 200, not 201: the documented answer carries no new resource (no id,
		// no Location), and partners coded against production may test for 200.
		respond(w, http.StatusOK, i18n.T(i18n.ID, i18n.ImageUploaded))
	})
}

// readImageUpload reads image_type and the upload file from the request. A
// multipart body is streamed part by part; any other body (JSON, urlencoded,
// a query string) cannot carry a file, so an upload field there is text. The
// returned release frees the memory slot (call it once the input is used).
func (s *Server) readImageUpload(r *http.Request, slots chan struct{}) (in onboarding.ImageUploadInput, release func(), err error) {
	release = func() {}
	var q struct {
		onboarding.Problems
		Type *string `form:"image_type"`
	}
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if media != "multipart/form-data" {
		f, err := readFields(r)
		if err != nil {
			return in, release, err
		}
		f.decodeInto(&q)
		if v, ok := f.vals["upload"]; ok && v != nil {
			q.Problems.Add("upload", i18n.ImageFileNotFile, shortText(fmt.Sprint(v)))
		}
		in.Problems, in.Type = q.Problems, q.Type
		return in, release, nil
	}

	// The query string may carry image_type too (errata 4); the body wins.
	if v := r.URL.Query(); v.Has("image_type") {
		t := v.Get("image_type")
		in.Type = &t
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return in, release, &httpError{http.StatusBadRequest, i18n.MalformedForm, []any{err.Error()}}
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, release, bodyErr(err, i18n.MalformedForm)
		}
		switch name := p.FormName(); {
		case name == "image_type":
			v, err := readText(p)
			if err != nil {
				return in, release, err
			}
			in.Type = &v
		case name == "upload" && !isFilePart(p):
			v, err := readText(p)
			if err != nil {
				return in, release, err
			}
			if !in.Problems.Has("upload") {
				in.Problems.Add("upload", i18n.ImageFileNotFile, shortText(v))
			}
		case name == "upload" && in.File != nil:
			// A second file: drain it without keeping it.
			if _, err := io.Copy(io.Discard, p); err != nil {
				return in, release, bodyErr(err, i18n.MalformedForm)
			}
			if !in.Problems.Has("upload") {
				in.Problems.Add("upload", i18n.ImageFileOneOnly)
			}
		case name == "upload":
			if release, err = acquire(r, slots); err != nil {
				return in, func() {}, err
			}
			var buf bytes.Buffer
			if n := r.ContentLength; n > 0 && n <= s.cfg.MaxUploadBytes {
				buf.Grow(int(n) + bytes.MinRead) // one allocation when the size is known
			}
			if _, err := buf.ReadFrom(p); err != nil {
				return in, release, bodyErr(err, i18n.MalformedForm)
			}
			in.File = buf.Bytes()
			if in.File == nil {
				in.File = []byte{} // sent, but empty
			}
		default:
			// Unknown fields are ignored (errata 5), but read: the body is bounded.
			if _, err := io.Copy(io.Discard, p); err != nil {
				return in, release, bodyErr(err, i18n.MalformedForm)
			}
		}
	}
	return in, release, nil
}

// acquire takes an upload slot, waiting at most uploadSlotWait.
func acquire(r *http.Request, slots chan struct{}) (func(), error) {
	t := time.NewTimer(uploadSlotWait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-t.C:
		return nil, &onboarding.Error{Code: onboarding.EUNAVAILABLE, RetryAfter: 5 * time.Second,
			Problems: []onboarding.Problem{{Msg: i18n.ImageUploadsBusy}}}
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
}

// isFilePart reports whether a part is a file: its Content-Disposition has a
// filename parameter (possibly empty, as browsers send for "no file chosen").
// A part without one is a text field, whatever its Content-Type.
func isFilePart(p *multipart.Part) bool {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return p.FileName() != ""
	}
	_, ok := params["filename"]
	return ok
}

// readText reads a text part, keeping at most maxFieldBytes of it.
func readText(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes))
	if err == nil {
		_, err = io.Copy(io.Discard, p)
	}
	if err != nil {
		return "", bodyErr(err, i18n.MalformedForm)
	}
	return string(b), nil
}

// shortText is v cut to 50 characters for quoting back in a message.
func shortText(v string) string {
	if !utf8.ValidString(v) {
		v = string(bytes.ToValidUTF8([]byte(v), []byte("?")))
	}
	if r := []rune(v); len(r) > 50 {
		return string(r[:50]) + "…"
	}
	return v
}

// imageJSON is one image in the list answer. url is a path (no host), so it
// works behind any proxy or host name; it needs the partner headers.
type imageJSON struct {
	ImageType string `json:"image_type"`
	CreatedAt string `json:"created_at"`
	URL       string `json:"url"`
}

func imageURL(xid, id int64) string {
	return "/api/partnership/v1/applications/" + strconv.FormatInt(xid, 10) + "/images/" + strconv.FormatInt(id, 10)
}

func (s *Server) handleListImages() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.svc.ListImages(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		list := make([]imageJSON, 0, len(out.Images))
		for _, img := range out.Images {
			list = append(list, imageJSON{
				ImageType: img.Type,
				CreatedAt: img.CreatedAt.UTC().Format(time.RFC3339),
				URL:       imageURL(out.XID, img.ID),
			})
		}
		respond(w, http.StatusOK, list)
	})
}

// handleGetImage answers the image's bytes, not an envelope (failures are
// enveloped as everywhere).
func (s *Server) handleGetImage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		img, rc, err := s.svc.OpenImage(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"), r.PathValue("image_id"))
		if err != nil {
			fail(w, r, err)
			return
		}
		defer rc.Close()
		h := w.Header()
		h.Set("Content-Type", img.ContentType)
		h.Set("Content-Length", strconv.FormatInt(img.Size, 10))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, no-store")
		// The file name says what the image is (ktp_self.jpg), never whose.
		name := img.Type + path.Ext(img.BlobKey)
		h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if _, err := io.Copy(w, rc); err != nil && r.Context().Err() == nil {
			// The status is sent; all that is left is to log the cut.
			s.log.Warn("image body not fully sent", "request_id", infoFrom(r.Context()).id, "error", err)
		}
	})
}
