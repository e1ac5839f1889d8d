package jsonpath

import (
	"errors"
	"testing"
)

// fuzzDoc is a small fixed document with every kind of value, so that
// compiled fuzz queries exercise all selectors and functions.
const fuzzDoc = `{
  "a": [1, 2.5, -3, "x", "abc", true, false, null, [], {}, [1, [2, [3]]]],
  "o": {"k": "v", "a-b": {"c": 1}, "n": 0, "re": "a.*", "bad": "(", "": ""},
  "s": "\u00e9\ud83d\ude00",
  "x": [{"id": 1, "t": "high"}, {"id": 2, "t": "low", "sub": {"id": 3}}]
}`

const maxFuzzQueryLen = 4096

func FuzzCompile(f *testing.F) {
	for _, c := range loadCTS(f) {
		f.Add(c.Selector)
	}
	f.Add("$.reply.endpoints[?@.severity=='high'].endpoint_id")
	f.Add("$..[?match(@, $.o.re) || search(@, $.o.bad)]")
	doc := decodeJSON(f, []byte(fuzzDoc))
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > maxFuzzQueryLen {
			return
		}
		for _, compile := range []func(string) (*Path, error){Compile, CompileRelative} {
			p, err := compile(q)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("%q: error %T is not a *SyntaxError: %v", q, err, err)
				}
				if se.Offset < 0 || se.Offset > len(q) {
					t.Fatalf("%q: offset %d outside [0, %d]", q, se.Offset, len(q))
				}
				continue
			}
			if p.String() != q {
				t.Fatalf("String() = %q, want %q", p.String(), q)
			}
			if got := p.Query(doc); got == nil {
				t.Fatalf("%q: Query returned nil", q)
			}
			got := p.Get(doc)
			if _, isList := got.([]any); !p.Singular() && !isList {
				t.Fatalf("%q: Get of a non-singular query returned %T", q, got)
			}
		}
	})
}
