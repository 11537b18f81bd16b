package main

import (
	"net/http"
	"testing"
)

// The documentation's registration example, sent as is, succeeds and
// returns the three documented keys.
func TestRegisterDocumentationExample(t *testing.T) {
	s := startServer(t, nil)
	r := s.do(req{Method: "POST", Path: "/api/partnership/v1/customer",
		Body:        `{"username": "3203020101930001", "pin": "111222", "email": "example@test.com", "latitude": -6.1815657, "longitude": 106.7229445}`,
		ContentType: "application/json"}).expect(t, http.StatusCreated)
	var d struct {
		XID   int64  `json:"application_xid"`
		Email string `json:"email"`
		KTP   string `json:"ktp"`
	}
	r.decodeData(t, &d)
	if d.XID < 1_000_000_000 || d.XID > 9_999_999_999 || d.Email != "example@test.com" || d.KTP != "3203020101930001" {
		t.Fatalf("data %+v", d)
	}
}
