package eval

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// fakeJSONPath compiles the JSONPath subset the tests need: "$" followed
// by ".name" and "[*]" segments. A definite path gives the value or nil; a
// path with a wildcard gives a list.
func fakeJSONPath(path string) (func(any) any, error) {
	if !strings.HasPrefix(path, "$") {
		return nil, errors.New("path must start with $")
	}
	var segs []string // names; "*" is a wildcard
	for rest := path[1:]; rest != ""; {
		switch {
		case strings.HasPrefix(rest, "[*]"):
			segs, rest = append(segs, "*"), rest[3:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest[2:], "']")
			if end < 0 {
				return nil, fmt.Errorf("unterminated name at %q", rest)
			}
			segs, rest = append(segs, rest[2:2+end]), rest[2+end+2:]
		case strings.HasPrefix(rest, "[") && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("unterminated index at %q", rest)
			}
			segs, rest = append(segs, rest[:end+1]), rest[end+1:]
		case strings.HasPrefix(rest, ".") && len(rest) > 1 && rest[1] != '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			segs, rest = append(segs, rest[1:1+end]), rest[1+end:]
		default:
			return nil, fmt.Errorf("unsupported selector at %q", rest)
		}
	}
	definite := true
	for _, s := range segs {
		definite = definite && s != "*"
	}
	return func(root any) any {
		nodes := []any{root}
		for _, s := range segs {
			var next []any
			for _, n := range nodes {
				switch x := n.(type) {
				case map[string]any:
					if s == "*" {
						for _, v := range x {
							next = append(next, v)
						}
					} else if v, ok := x[s]; ok {
						next = append(next, v)
					}
				case []any:
					if s == "*" {
						next = append(next, x...)
					} else if i, err := strconv.Atoi(strings.Trim(s, "[]")); err == nil && strings.HasPrefix(s, "[") && i < len(x) {
						next = append(next, x[i])
					}
				}
			}
			nodes = next
		}
		if definite {
			if len(nodes) == 0 {
				return nil
			}
			return nodes[0]
		}
		if nodes == nil {
			return []any{}
		}
		return nodes
	}, nil
}

var testOpts = Options{JSONPath: fakeJSONPath}

// testVars is a run context like the engine's.
func testVars() Vars {
	return Vars{
		"inputs": map[string]any{"incident_id": "INC-1", "report_only": false, "n": int64(21), "ratio": 0.5},
		"tasks": map[string]any{
			"hosts": map[string]any{
				"status":      "succeeded",
				"return_data": "Successful",
				"key_fields":  map[string]any{"EndpointIDs": []any{"e1", "e2"}},
				"raw_data": map[string]any{
					"count": int64(2),
					"score": 7.5,
					"title": "${{ 1+1 }}",
					"path":  "$.inputs.n",
					"items": []any{map[string]any{"name": "ws-1"}, map[string]any{"name": "ws-2"}},
				},
				"error": nil,
			},
			"isolate": map[string]any{
				"status":      "succeeded",
				"return_data": "Partially Successful",
				"key_fields":  map[string]any{"EndpointIDs": []any{}},
				"raw_data":    nil,
			},
		},
		"run": map[string]any{"id": "run-1", "started_at": "2026-01-01T00:00:00Z"},
	}
}

// asError returns err as *Error, failing the test if it is not one.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e
}
