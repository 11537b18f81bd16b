package httpapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
	"go.yaml.in/yaml/v3"

	"github.com/julo-partnership/julo/internal/i18n"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite the ErrorCode schema of openapi.yaml from i18n.Codes()")

// The document parses as OpenAPI 3.1, builds a model without errors and
// validates against the OpenAPI 3.1 schema.
func TestOpenAPIDocumentIsValidOpenAPI31(t *testing.T) {
	doc, err := libopenapi.NewDocument(openapiYAML)
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); v != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", v)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("building the model: %v", err)
	}
	if m.Model.Paths == nil || m.Model.Paths.PathItems.Len() == 0 {
		t.Fatal("no paths")
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s (line %d)", e.Message, e.Reason, e.SpecLine)
		}
	}
	// Every operation has an id, a tag and a summary; ids are unique.
	ids := map[string]bool{}
	for path, item := range m.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			if op.OperationId == "" || len(op.Tags) == 0 || op.Summary == "" {
				t.Errorf("%s: operationId %q, tags %v, summary %q", where, op.OperationId, op.Tags, op.Summary)
			}
			if ids[op.OperationId] {
				t.Errorf("%s: operationId %q used twice", where, op.OperationId)
			}
			ids[op.OperationId] = true
		}
	}
}

// The JSON form is the YAML form: the same values, keys in the same order.
func TestOpenAPIJSONIsTheYAML(t *testing.T) {
	j, err := OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON, fromYAML any
	if err := json.Unmarshal(j, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(openapiYAML, &fromYAML); err != nil {
		t.Fatal(err)
	}
	// Round-trip the YAML through encoding/json so numbers compare alike.
	b, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var normalized any
	json.Unmarshal(b, &normalized)
	if !jsonEqual(fromJSON, normalized) {
		t.Fatal("openapi.json differs from openapi.yaml")
	}
	// Key order is kept: paths appear as written.
	if i, k := bytes.Index(j, []byte(`"/api/partnership/v1/customer"`)), bytes.Index(j, []byte(`"/healthz"`)); i < 0 || k < 0 || i > k {
		t.Fatal("paths are not in the YAML's order")
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a) // encoding/json sorts map keys
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestYAMLToJSONRefusesWhatJSONCannotSay(t *testing.T) {
	for _, src := range []string{"a: 1\na: 2\n", "? [a, b]\n: c\n", "a: [\n"} {
		if _, err := yamlToJSON([]byte(src)); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
	got, err := yamlToJSON([]byte("b: &x {c: 1, d: [true, null, \"<s>\"]}\na: *x\n"))
	if err != nil || string(got) != `{"b":{"c":1,"d":[true,null,"<s>"]},"a":{"c":1,"d":[true,null,"<s>"]}}` {
		t.Fatalf("got %s, %v", got, err)
	}
}

// The document is served without credentials, with an ETag that a
// revalidation answers 304 to, on both paths and with the trailing slash.
func TestOpenAPIIsServedWithoutAuthentication(t *testing.T) {
	s := testServer(&bytes.Buffer{})
	for _, c := range []struct{ path, ctype string }{
		{"/api/partnership/v1/openapi.json", "application/json"},
		{"/api/partnership/v1/openapi.yaml", "application/yaml"},
		{"/api/partnership/v1/openapi.json/", "application/json"},
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", c.path, nil))
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), c.ctype) {
			t.Fatalf("%s: %d %q", c.path, w.Code, w.Header().Get("Content-Type"))
		}
		tag := w.Header().Get("ETag")
		if !regexp.MustCompile(`^"[A-Za-z0-9_-]{24}"$`).MatchString(tag) || !strings.Contains(w.Header().Get("Cache-Control"), "max-age") {
			t.Fatalf("%s: ETag %q, Cache-Control %q", c.path, tag, w.Header().Get("Cache-Control"))
		}
		if c.ctype == "application/json" && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s: not JSON", c.path)
		}
		if c.ctype == "application/yaml" && !bytes.Equal(w.Body.Bytes(), openapiYAML) {
			t.Fatalf("%s: not the embedded YAML", c.path)
		}
		r := httptest.NewRequest("GET", c.path, nil)
		r.Header.Set("If-None-Match", `"other", W/`+tag)
		w = httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") != tag {
			t.Fatalf("%s: revalidation answered %d (%d bytes)", c.path, w.Code, w.Body.Len())
		}
	}
	j, _ := OpenAPIJSON()
	if etag(j) == etag(openapiYAML) {
		t.Fatal("both forms have one ETag")
	}
}

// The registration has a request example (the docs page shows it).
func TestOpenAPIRegistrationHasARequestExample(t *testing.T) {
	var op struct {
		RequestBody struct {
			Ref string `yaml:"$ref"`
		} `yaml:"requestBody"`
	}
	n := operations(t)["POST /api/partnership/v1/customer"]
	if err := n.Decode(&op); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			RequestBodies map[string]struct {
				Content map[string]struct {
					Example map[string]any `yaml:"example"`
				} `yaml:"content"`
			} `yaml:"requestBodies"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(op.RequestBody.Ref, "#/components/requestBodies/")
	ex := doc.Components.RequestBodies[name].Content["application/json"].Example
	for _, k := range []string{"username", "pin", "email", "latitude", "longitude"} {
		if _, ok := ex[k]; !ok {
			t.Fatalf("the registration's request example (%q) lacks %q: %v", op.RequestBody.Ref, k, ex)
		}
	}
}

// operations are the document's operations by "METHOD /path".
func operations(t *testing.T) map[string]*yaml.Node {
	t.Helper()
	var doc struct {
		Paths yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*yaml.Node{}
	paths := doc.Paths.Content
	for i := 0; i+1 < len(paths); i += 2 {
		item := paths[i+1].Content
		for j := 0; j+1 < len(item); j += 2 {
			switch method := item[j].Value; method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out[strings.ToUpper(method)+" "+paths[i].Value] = item[j+1]
			}
		}
	}
	return out
}

// errorCodeSchema is the ErrorCode schema as written.
type errorCodeSchema struct {
	Enum         []string `yaml:"enum"`
	Descriptions []string `yaml:"x-enum-descriptions"`
	Description  string   `yaml:"description"`
}

func readErrorCodeSchema(t *testing.T) errorCodeSchema {
	var doc struct {
		Components struct {
			Schemas struct {
				ErrorCode errorCodeSchema `yaml:"ErrorCode"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas.ErrorCode
}

// The ErrorCode enum is exactly i18n.Codes(), both ways, and each code has
// its meaning. go test -run TestOpenAPIErrorCodes -update-openapi rewrites
// the schema from the catalogue.
func TestOpenAPIErrorCodesAreTheCatalogues(t *testing.T) {
	if *updateOpenAPI {
		writeErrorCodeSchema(t)
	}
	got := readErrorCodeSchema(t)
	codes := i18n.Codes()
	for _, c := range codes {
		if !slices.Contains(got.Enum, c) {
			t.Errorf("code %q of i18n.Codes() is not in the ErrorCode enum", c)
		}
	}
	for _, c := range got.Enum {
		if !slices.Contains(codes, c) {
			t.Errorf("the ErrorCode enum has %q, which is not in i18n.Codes()", c)
		}
	}
	if !slices.Equal(got.Enum, codes) {
		t.Errorf("the enum is not sorted as i18n.Codes() is")
	}
	if len(got.Descriptions) != len(got.Enum) {
		t.Fatalf("%d x-enum-descriptions for %d codes", len(got.Descriptions), len(got.Enum))
	}
	for i, d := range got.Descriptions {
		if strings.TrimSpace(d) == "" || !strings.Contains(got.Description, "`"+got.Enum[i]+"`") {
			t.Errorf("code %q has no meaning in the schema", got.Enum[i])
		}
	}
	if t.Failed() {
		t.Log("run: go test ./internal/httpapi -run TestOpenAPIErrorCodes -update-openapi")
	}
}

// errorCodeBlock is the ErrorCode schema for the catalogue's codes, with
// each code's English text (placeholders shown as …) as its meaning.
func errorCodeBlock() string {
	placeholder := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)
	var b strings.Builder
	b.WriteString("    ErrorCode:\n      type: string\n      description: |\n")
	b.WriteString("        The machine-readable code of an `error_details` entry: the catalogue's message id,\n")
	b.WriteString("        snake_case and the same in every language, so switch on it rather than on the\n")
	b.WriteString("        message. A code is never renamed without a new version of this document.\n\n")
	b.WriteString("        | code | meaning (the English message; … is a value filled in) |\n        |---|---|\n")
	var enum, descs strings.Builder
	for _, c := range i18n.Codes() {
		text := placeholder.ReplaceAllString(i18n.Format(i18n.EN, c), "…")
		text = strings.Join(strings.Fields(text), " ")
		fmt.Fprintf(&b, "        | `%s` | %s |\n", c, strings.ReplaceAll(text, "|", `\|`))
		q, _ := json.Marshal(c)
		fmt.Fprintf(&enum, "        - %s\n", q)
		d, _ := json.Marshal(text)
		fmt.Fprintf(&descs, "        - %s\n", d)
	}
	b.WriteString("      enum:\n")
	b.WriteString(enum.String())
	b.WriteString("      x-enum-descriptions:\n")
	b.WriteString(descs.String())
	return b.String()
}

// writeErrorCodeSchema replaces the ErrorCode schema, the last one of the
// document, with errorCodeBlock.
func writeErrorCodeSchema(t *testing.T) {
	const start = "    ErrorCode:\n"
	i := bytes.Index(openapiYAML, []byte(start))
	if i < 0 {
		t.Fatal("openapi.yaml has no ErrorCode schema")
	}
	out := append(append([]byte(nil), openapiYAML[:i]...), errorCodeBlock()...)
	if err := os.WriteFile("openapi.yaml", out, 0o644); err != nil {
		t.Fatal(err)
	}
	openapiYAML = out
}

// Every example of a request or response body is valid by its own schema
// (an example with a code that is no ErrorCode, say, fails).
func TestOpenAPIExamplesFitTheirSchemas(t *testing.T) {
	doc, err := libopenapi.NewDocument(openapiYAML)
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	sv := schema_validation.NewSchemaValidator()
	checked := 0
	check := func(where string, content *orderedmap.Map[string, *v3.MediaType]) {
		for ct, mt := range content.FromOldest() {
			if mt.Example == nil || mt.Schema == nil || !strings.Contains(ct, "json") {
				continue
			}
			var v any
			if err := mt.Example.Decode(&v); err != nil {
				t.Errorf("%s %s: example: %v", where, ct, err)
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Errorf("%s %s: example: %v", where, ct, err)
				continue
			}
			checked++
			if ok, errs := sv.ValidateSchemaBytes(mt.Schema.Schema(), b); !ok {
				for _, e := range errs {
					for _, f := range e.SchemaValidationErrors {
						t.Errorf("%s %s: example: %s: %.200s", where, ct, f.FieldPath, f.Reason)
					}
					if len(e.SchemaValidationErrors) == 0 {
						t.Errorf("%s %s: example: %s: %s", where, ct, e.Message, e.Reason)
					}
				}
			}
		}
	}
	for path, item := range m.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			if op.RequestBody != nil {
				check(where+" request", op.RequestBody.Content)
			}
			for code, resp := range op.Responses.Codes.FromOldest() {
				check(where+" "+code, resp.Content)
			}
		}
	}
	if checked < 15 {
		t.Fatalf("only %d examples checked", checked)
	}
}
