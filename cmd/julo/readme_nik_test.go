package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeNIK is one row of the README's sandbox NIK table.
type readmeNIK struct {
	nik, gender, dob, area string
}

var readmeNIKRow = regexp.MustCompile("^\\| `(\\d{16})` \\| (Pria|Wanita) \\| (\\d{4}-\\d{2}-\\d{2}) \\| ([^|]+) \\|")

// readmeNIKs reads the NIK table of the README's "Sandbox test data"
// section; a row of the table that does not parse fails the test.
func readmeNIKs(t *testing.T) []readmeNIK {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## Sandbox test data\n")
	if !ok {
		t.Fatal(`README has no "## Sandbox test data" section`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	var rows []readmeNIK
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		m := readmeNIKRow.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("README's NIK table has a row this test cannot read: %s", line)
		}
		rows = append(rows, readmeNIK{m[1], m[2], m[3], strings.TrimSpace(m[4])})
	}
	return rows
}

// areaDistricts reads the embedded area data's districts: the 6-digit code
// (province, regency, district) to "Province, Regency, District".
func areaDistricts(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../../internal/refdata/areadata/area.tsv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var code [2]string
	var name [2]string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		seg, n, _ := strings.Cut(line, "\t")
		n, _, _ = strings.Cut(n, "\t")
		depth := len(seg) - len(strings.TrimLeft(seg, "."))
		switch depth {
		case 0, 1:
			code[depth], name[depth] = seg[depth:], n
		case 2:
			out[code[0]+code[1]+seg[2:]] = name[0] + ", " + name[1] + ", " + n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every NIK the README lists for the sandbox is real and does what the table
// says: its first 6 digits are the district it names in the area data, it
// registers with PIN 159357, and its application, with examples/ktp.jpg and
// examples/selfie.jpg uploaded and the phone verified, is completed from
// examples/customer.json with the table's dob and gender (and refused with
// the other gender or another dob). The table has men and women.
func TestREADMESandboxNIKsRegisterWithTheirDOBAndGender(t *testing.T) {
	t.Parallel()
	rows := readmeNIKs(t)
	genders := map[string]int{}
	for _, r := range rows {
		genders[r.gender]++
	}
	if genders["Pria"] < 2 || genders["Wanita"] < 2 {
		t.Fatalf("README's NIK table lists %d men and %d women, want 2 of each at least", genders["Pria"], genders["Wanita"])
	}
	districts := areaDistricts(t)
	rawCustomer, err := os.ReadFile("../../examples/customer.json")
	if err != nil {
		t.Fatal(err)
	}
	ktp, err := os.ReadFile("../../examples/ktp.jpg")
	if err != nil {
		t.Fatal(err)
	}
	selfie, err := os.ReadFile("../../examples/selfie.jpg")
	if err != nil {
		t.Fatal(err)
	}

	s := startServer(t, nil)
	seen := map[string]bool{}
	for i, row := range rows {
		t.Run(row.nik, func(t *testing.T) {
			if seen[row.nik] {
				t.Fatal("listed twice")
			}
			seen[row.nik] = true
			if got := districts[row.nik[:6]]; got != row.area {
				t.Errorf("area data: %s is %q, the README says %q", row.nik[:6], got, row.area)
			}
			s := s.forT(t)
			var reg registered
			s.do(req{Method: "POST", Path: pathRegister, Body: map[string]any{
				"username": row.nik, "pin": "159357", "email": fmt.Sprintf("readme.nik%d@example.com", i),
				"latitude": -6.1815657, "longitude": 106.7229445}}).expect(t, http.StatusCreated).decodeData(t, &reg)
			if reg.KTP != row.nik {
				t.Fatalf("registered ktp %q", reg.KTP)
			}
			xid := strconv.FormatInt(reg.XID, 10)
			for typ, b := range map[string][]byte{"ktp_self": ktp, "selfie": selfie} {
				var body bytes.Buffer
				w := multipart.NewWriter(&body)
				w.WriteField("image_type", typ)
				f, _ := w.CreateFormFile("upload", typ+".jpg")
				f.Write(b)
				w.Close()
				r := s.do(req{Method: "POST", Path: "/api/partnership/v1/applications/" + xid + "/images", Body: body.String(), ContentType: w.FormDataContentType()}).expect(t, http.StatusOK)
				if string(r.Data) != `"success upload image"` {
					t.Fatalf("upload %s: %s", typ, r.Raw)
				}
			}
			phone := fmt.Sprintf("0812555%05d", i+1)
			s.sendOTP(xid, phone).expect(t, http.StatusOK)
			s.validateOTP(xid, s.lastCode(t, phone)).expect(t, http.StatusOK)

			complete := func(dob, gender string) response {
				var body map[string]any
				if err := json.Unmarshal(rawCustomer, &body); err != nil {
					t.Fatalf("examples/customer.json: %v", err)
				}
				body["dob"], body["gender"], body["mobile_phone_1"] = dob, gender, phone
				return s.do(req{Method: "PATCH", Path: "/api/partnership/v1/applications/" + xid, Body: body})
			}
			other := map[string]string{"Pria": "Wanita", "Wanita": "Pria"}[row.gender]
			complete(row.dob, other).expect(t, http.StatusBadRequest, "gender: ", row.gender)
			complete(row.dob[:8]+"0"+map[bool]string{true: "2", false: "1"}[row.dob[9] == '1'], row.gender).
				expect(t, http.StatusBadRequest, "dob: ", row.dob)
			r := complete(row.dob, row.gender).expect(t, http.StatusOK)
			var got struct{ KTP, DOB, Gender string }
			r.decodeData(t, &got)
			if got.KTP != row.nik || got.DOB != row.dob || got.Gender != row.gender {
				t.Fatalf("completed as %+v", got)
			}
			// Submitted once (100 -> 105), then decided by its assessment.
			s.settle(t)
			if h := s.historyReasons(t, xid); len(h) < 2 || h[1] != "100>105:" {
				t.Fatalf("history %v", h)
			}
			if st := s.status(t, xid); st["decision"] == nil || len(toStrings(st["missing_steps"])) != 0 {
				t.Fatalf("status after: %v", st)
			}
		})
	}
}
