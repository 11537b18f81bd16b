package httpapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// openapiYAML is the OpenAPI 3.1 document of the partner API: the contract
// as partners read it. openapi_test.go holds it to the server (every route
// registered is documented and the reverse, the error codes are the
// catalogue's) and cmd/julo's black-box suite validates every request and
// response it makes against it.
//
//go:embed openapi.yaml
var openapiYAML []byte

// openapiDoc is the document in both forms, with their ETags; it is built
// once, on first use.
var openapiDoc = sync.OnceValues(func() (*openapiForms, error) {
	j, err := yamlToJSON(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return &openapiForms{yaml: openapiYAML, json: j, yamlTag: etag(openapiYAML), jsonTag: etag(j)}, nil
})

type openapiForms struct {
	yaml, json       []byte
	yamlTag, jsonTag string
}

// OpenAPIJSON is the embedded document converted to JSON (keys in the
// YAML's order).
func OpenAPIJSON() ([]byte, error) {
	d, err := openapiDoc()
	if err != nil {
		return nil, err
	}
	return d.json, nil
}

// OpenAPIYAML is the embedded document as written.
func OpenAPIYAML() []byte { return openapiYAML }

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// handleOpenAPI serves the document as JSON or YAML, without
// authentication. It changes only with the binary, so it may be cached
// briefly and then revalidated with its ETag.
func (s *Server) handleOpenAPI(asJSON bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := openapiDoc()
		if err != nil {
			// The document is embedded and tested; only a broken build gets here.
			fail(w, r, err)
			return
		}
		body, tag, ct := d.yaml, d.yamlTag, "application/yaml; charset=utf-8"
		if asJSON {
			body, tag, ct = d.json, d.jsonTag, "application/json; charset=utf-8"
		}
		h := w.Header()
		h.Set("ETag", tag)
		h.Set("Cache-Control", "public, max-age=300, must-revalidate")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Access-Control-Allow-Origin", "*")
		if etagMatches(r.Header.Get("If-None-Match"), tag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	})
}

// etagMatches reports whether an If-None-Match header names tag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

// yamlToJSON converts a YAML document to JSON, keeping the order of keys
// and resolving anchors.
func yamlToJSON(src []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeJSONNode(&b, &doc, 0); err != nil {
		return nil, err
	}
	if !json.Valid(b.Bytes()) {
		return nil, fmt.Errorf("converted document is not valid JSON")
	}
	return b.Bytes(), nil
}

func writeJSONNode(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 200 {
		return fmt.Errorf("line %d: nested too deep", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("want one document, got %d", len(n.Content))
		}
		return writeJSONNode(b, n.Content[0], depth+1)
	case yaml.AliasNode:
		return writeJSONNode(b, n.Alias, depth+1)
	case yaml.MappingNode:
		b.WriteByte('{')
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return fmt.Errorf("line %d: only plain keys are supported", k.Line)
			}
			if seen[k.Value] {
				return fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			seen[k.Value] = true
			if i > 0 {
				b.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			b.Write(key)
			b.WriteByte(':')
			if err := writeJSONNode(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSONNode(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		return nil
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}
