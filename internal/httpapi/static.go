package httpapi

import (
	"encoding/json"
	"net/http"
	"sync"
)

// staticAnswers keeps the encoded success envelopes of the reference-data
// reads (dropdown-data, address), whose answer is a function of the query
// string alone: the same for every partner and language (only failures
// are translated, and they are never kept). Encoding the bank list was a
// sixth of such a request's time and most of its garbage (issue 17).
//
// Only requests without a body are answered from it or kept (a form or
// JSON body may carry the fields too). It is bounded in entries and bytes:
// the valid queries are finite (the area data's levels), but their
// spellings are not (letter case, spaces, extra parameters), so once full
// it keeps nothing more and the rest are encoded as before.
type staticAnswers struct {
	mu    sync.RWMutex
	m     map[string][]byte
	bytes int
}

const (
	staticMaxEntries = 20_000
	staticMaxBytes   = 32 << 20
)

// key is the request's cache key, or false when it has a body.
func staticKey(r *http.Request) (string, bool) {
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 || r.Header.Get("Content-Type") != "" {
		return "", false
	}
	return r.URL.Path + "?" + r.URL.RawQuery, true
}

// serve answers r from the kept envelopes, if it can.
func (c *staticAnswers) serve(w http.ResponseWriter, r *http.Request) bool {
	k, ok := staticKey(r)
	if !ok {
		return false
	}
	c.mu.RLock()
	b, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		writeBody(w, http.StatusOK, b)
	}
	return ok
}

// respond answers data in a success envelope and keeps the encoding for
// r's query while there is room.
func (c *staticAnswers) respond(w http.ResponseWriter, r *http.Request, data any) {
	b, err := json.Marshal(envelope{Success: true, Data: data, Errors: []string{}})
	if err != nil {
		respond(w, http.StatusOK, data) // writes the internal error's envelope
		return
	}
	b = append(b, '\n')
	if k, ok := staticKey(r); ok {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string][]byte{}
		}
		if _, have := c.m[k]; !have && len(c.m) < staticMaxEntries && c.bytes+len(b)+len(k) <= staticMaxBytes {
			c.m[k], c.bytes = b, c.bytes+len(b)+len(k)
		}
		c.mu.Unlock()
	}
	writeBody(w, http.StatusOK, b)
}
