package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// The kept envelope is the one respond writes, byte for byte, with the same
// headers; requests with a body are neither answered nor kept; failures
// are never kept; the bounds hold.
func TestStaticAnswers(t *testing.T) {
	var c staticAnswers
	data := []string{"Aceh", "Bali", `"quoted" <b>`}
	fresh := httptest.NewRecorder()
	respond(fresh, http.StatusOK, data)

	r := httptest.NewRequest("GET", "/api/partnership/v1/address?get_address=province", nil)
	if c.serve(httptest.NewRecorder(), r) {
		t.Fatal("served before anything was kept")
	}
	first := httptest.NewRecorder()
	c.respond(first, r, data)
	kept := httptest.NewRecorder()
	if !c.serve(kept, r) {
		t.Fatal("not kept")
	}
	for _, w := range []*httptest.ResponseRecorder{first, kept} {
		if w.Body.String() != fresh.Body.String() || w.Code != 200 {
			t.Fatalf("answer %d %q, want %q", w.Code, w.Body, fresh.Body)
		}
		for _, h := range []string{"Content-Type", "X-Content-Type-Options", "Cache-Control"} {
			if w.Header().Get(h) != fresh.Header().Get(h) {
				t.Fatalf("%s: %q, want %q", h, w.Header().Get(h), fresh.Header().Get(h))
			}
		}
	}
	// Another query is another answer.
	if c.serve(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/partnership/v1/address?get_address=city&province=Bali", nil)) {
		t.Fatal("another query answered from the kept one")
	}
	// A body may carry fields: never from, nor into, the kept answers.
	body := httptest.NewRequest("GET", "/api/partnership/v1/address?get_address=province", strings.NewReader("get_address=city"))
	body.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.serve(httptest.NewRecorder(), body) {
		t.Fatal("a request with a body answered from the kept answers")
	}
	withBody := httptest.NewRequest("GET", "/x?a=1", strings.NewReader("{}"))
	c.respond(httptest.NewRecorder(), withBody, data)
	if len(c.m) != 1 {
		t.Fatalf("%d kept, want 1", len(c.m))
	}
	// Full: nothing more is kept, and what is kept still answers.
	c.bytes = staticMaxBytes
	c.respond(httptest.NewRecorder(), httptest.NewRequest("GET", "/x?b=2", nil), data)
	if len(c.m) != 1 || !c.serve(httptest.NewRecorder(), r) {
		t.Fatalf("past the byte bound: %d kept", len(c.m))
	}
	c.bytes = 0
	for i := len(c.m); i < staticMaxEntries+10; i++ {
		c.respond(httptest.NewRecorder(), httptest.NewRequest("GET", "/x?n="+strings.Repeat("a", i%50)+string(rune('A'+i%26))+strconv.Itoa(i), nil), data)
	}
	if len(c.m) != staticMaxEntries {
		t.Fatalf("%d kept, want at most %d", len(c.m), staticMaxEntries)
	}
}
