package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// Bounds of the lingering read of a refused body (see linger), after
// nginx's lingering close: at most lingerBytes are read and discarded, for
// at most lingerTime in all, and the reading stops when the client sends
// nothing for lingerIdle.
const (
	lingerBytes = 64 << 20
	lingerTime  = 30 * time.Second
	lingerIdle  = 5 * time.Second
)

// linger flushes the answer already written to w (a 413) and then reads
// and discards what is left of the request body, within the bounds above,
// before the server closes the connection. Many clients (Python's urllib,
// most Java and PHP clients) write the whole body before they read: if the
// server closed with the rest unread, the client's kernel would get a reset
// and drop the answer, and the client would see "connection reset" instead
// of the envelope. The answer must say Connection: close, so that net/http
// leaves the body alone when the header is written and closes afterwards.
func linger(w http.ResponseWriter, body io.Reader) {
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return
	}
	end := time.Now().Add(lingerTime)
	buf := make([]byte, 32<<10)
	for left := int64(lingerBytes); left > 0; {
		deadline := time.Now().Add(lingerIdle)
		if deadline.After(end) {
			deadline = end
		}
		if rc.SetReadDeadline(deadline) != nil {
			return
		}
		n, err := body.Read(buf[:min(int64(len(buf)), left)])
		left -= int64(n)
		if err != nil {
			return
		}
	}
}

// limitedBody is the route's bounded body (http.MaxBytesReader); it
// remembers whether reading passed the bound, and then marks the answer
// Connection: close before the handler writes it.
type limitedBody struct {
	io.ReadCloser
	w   http.ResponseWriter
	hit bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if err != nil && !b.hit && errors.As(err, &mbe) {
		b.hit = true
		b.w.Header().Set("Connection", "close")
	}
	return n, err
}

// expectsContinue reports whether the client waits for "100 Continue"
// before it sends the body: refused at once, it sends none, so there is
// nothing to linger for.
func expectsContinue(r *http.Request) bool {
	return r.ProtoAtLeast(1, 1) && strings.Contains(strings.ToLower(r.Header.Get("Expect")), "100-continue")
}
