package httpapi

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

const (
	// maxUploadsPerPartner bounds the uploads one partner has in flight in
	// this process; more are answered 429 with Retry-After, before their
	// body is read.
	maxUploadsPerPartner = 4
	// uploadsBusyRetry is the Retry-After of an upload refused so.
	uploadsBusyRetry = 5 * time.Second
	// maxFieldBytes bounds a text part (image_type, or upload sent as text):
	// a longer one is cut, which no valid value is.
	maxFieldBytes = 1 << 10
)

// uploadSlots counts the uploads each partner has in flight. It is a fairness
// limit, not a correctness rule: it keeps one partner's slow uploads from
// tying up disk, connections and time without bound, and nothing else
// depends on it. So it lives in this process's memory only: with several
// instances a partner may have that many in flight on each, and a restart
// forgets it.
type uploadSlots struct {
	mu  sync.Mutex
	max int
	n   map[int64]int // by partner id; absent: none in flight
}

// take takes one of partner's slots; ok is false when all are taken.
// release gives it back and may be called more than once.
func (u *uploadSlots) take(partner int64) (release func(), ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n[partner] >= u.max {
		return nil, false
	}
	u.n[partner]++
	return sync.OnceFunc(func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.n[partner]--; u.n[partner] <= 0 {
			delete(u.n, partner)
		}
	}), true
}

// uploadSlots wraps an upload route (after authenticated): each partner
// has at most maxUploadsPerPartner uploads in flight, counted from before
// the body is read (by the idempotency middleware or the handler) until the
// answer; more are answered 429 with Retry-After without reading the body.
func (s *Server) uploadSlots(h http.Handler) http.Handler {
	slots := &uploadSlots{max: maxUploadsPerPartner, n: map[int64]int{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, ok := slots.take(partnerFrom(r.Context()).ID)
		if !ok {
			// The body is not read: do not keep the connection for it.
			w.Header().Set("Connection", "close")
			fail(w, r, &julo.Error{Code: julo.ETOOMANY, RetryAfter: uploadsBusyRetry,
				Problems: []julo.Problem{{Msg: i18n.ImageUploadsInFlight, Args: []any{maxUploadsPerPartner}}}})
			return
		}
		defer release()
		h.ServeHTTP(w, r)
	})
}

// handleUploadImage reads the multipart stream itself (r.MultipartReader):
// the file part is spooled to a temporary file (see spool), bounded by
// MaxUploadBytes through the route's body limit, so an upload holds only a
// small, fixed amount of memory however slowly it arrives, and no slot shared
// with other partners. Its route takes an upload slot first (uploadSlots).
func (s *Server) handleUploadImage(images Images) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, cleanup, err := s.readImageUpload(r)
		defer cleanup()
		if err != nil {
			fail(w, r, err)
			return
		}
		if _, err := images.UploadImage(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"), in); err != nil {
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
// returned cleanup closes and removes the spooled file; call it once the
// input is used, whatever err is.
func (s *Server) readImageUpload(r *http.Request) (in onboarding.ImageUploadInput, cleanup func(), err error) {
	cleanup = func() {}
	var q struct {
		Problems julo.Problems
		Type     *string `form:"image_type"`
	}
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if media != "multipart/form-data" {
		f, err := readFields(r)
		if err != nil {
			return in, cleanup, err
		}
		f.decodeInto(&q)
		if v, ok := f.vals["upload"]; ok && v != nil {
			q.Problems.Add("upload", i18n.ImageFileNotFile, shortText(fmt.Sprint(v)))
		}
		in.Problems, in.Type = q.Problems, q.Type
		return in, cleanup, nil
	}

	// The query string may carry image_type too (errata 4); the body wins.
	if v := r.URL.Query(); v.Has("image_type") {
		t := v.Get("image_type")
		in.Type = &t
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return in, cleanup, julo.Errorf(julo.EINVALID, "", i18n.MultipartNoBoundary) // the media type is multipart/form-data
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, cleanup, bodyErr(err, i18n.MalformedForm)
		}
		switch name := p.FormName(); {
		case name == "image_type":
			v, err := readText(p)
			if err != nil {
				return in, cleanup, err
			}
			in.Type = &v
		case name == "upload" && !isFilePart(p):
			v, err := readText(p)
			if err != nil {
				return in, cleanup, err
			}
			if !in.Problems.Has("upload") {
				in.Problems.Add("upload", i18n.ImageFileNotFile, shortText(v))
			}
		case name == "upload" && in.Upload != nil:
			// A second file: drain it without keeping it.
			if _, err := io.Copy(io.Discard, p); err != nil {
				return in, cleanup, bodyErr(err, i18n.MalformedForm)
			}
			if !in.Problems.Has("upload") {
				in.Problems.Add("upload", i18n.ImageFileOneOnly)
			}
		case name == "upload":
			if in.Upload, cleanup, err = s.spool(p); err != nil {
				return in, cleanup, err
			}
		default:
			// Unknown fields are ignored (errata 5), but read: the body is bounded.
			if _, err := io.Copy(io.Discard, p); err != nil {
				return in, cleanup, bodyErr(err, i18n.MalformedForm)
			}
		}
	}
	return in, cleanup, nil
}

// spool copies an upload file part into a new temporary file in
// Config.SpoolDir, hashing it on the way, and returns it with the function
// that closes and removes the file. On an error nothing is left behind and
// cleanup does nothing.
//
// The file is unlinked as soon as it is created where the OS allows it (not
// on Windows): the open file stays readable, and nothing is left on disk
// even if the process dies mid-upload.
func (s *Server) spool(p io.Reader) (_ *onboarding.ImageFile, cleanup func(), err error) {
	dir := s.cfg.SpoolDir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "julo-upload-*")
	if err != nil {
		return nil, func() {}, fmt.Errorf("spooling an upload: %w", err)
	}
	unlinked := os.Remove(f.Name()) == nil
	remove := func() {
		f.Close()
		if !unlinked {
			os.Remove(f.Name())
		}
	}
	defer func() {
		if err != nil {
			remove()
		}
	}()
	h := sha256.New()
	src := &onboarding.ReadErr{R: p}
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if src.Err != nil {
		// The client's fault or the network's (413 past the body limit).
		return nil, func() {}, bodyErr(src.Err, i18n.MalformedForm)
	}
	if err != nil {
		return nil, func() {}, fmt.Errorf("spooling an upload: %w", err)
	}
	file := &onboarding.ImageFile{Content: f, Size: n}
	h.Sum(file.SHA256[:0])
	return file, remove, nil
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

// imageURL names an image by its public id: random, not a count of
// uploads (issue 10, item 13).
func imageURL(xid, id int64) string {
	return "/api/partnership/v1/applications/" + strconv.FormatInt(xid, 10) + "/images/" + strconv.FormatInt(id, 10)
}

func (s *Server) handleListImages(images Images) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := images.ListImages(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"))
		if err != nil {
			fail(w, r, err)
			return
		}
		list := make([]imageJSON, 0, len(out.Images))
		for _, img := range out.Images {
			list = append(list, imageJSON{
				ImageType: img.Type,
				CreatedAt: img.CreatedAt.UTC().Format(time.RFC3339),
				URL:       imageURL(out.XID, img.PublicID),
			})
		}
		respond(w, http.StatusOK, list)
	})
}

// handleGetImage answers the image's bytes, not an envelope (failures are
// enveloped as everywhere).
func (s *Server) handleGetImage(images Images) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		img, rc, err := images.OpenImage(r.Context(), partnerFrom(r.Context()), r.PathValue("application_xid"), r.PathValue("image_id"))
		if err != nil {
			fail(w, r, err)
			return
		}
		s.writeImage(w, r, img, rc)
	})
}

// writeImage answers an image's bytes (a KYC image or a loan's) and closes
// rc: its type and size, never cached, and a file name that says what the
// image is (ktp_self.jpg, signature.png), never whose.
func (s *Server) writeImage(w http.ResponseWriter, r *http.Request, img onboarding.Image, rc io.ReadCloser) {
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.FormatInt(img.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
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
}
