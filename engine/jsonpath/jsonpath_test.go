package jsonpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostsDoc is a small Search-Hosts-like reply used by the rule tests.
const hostsDoc = `{
  "x-request-id": "req-1",
  "reply": {
    "total_count": 3,
    "endpoints": [
      {"endpoint_id": "e1", "host_name": "alpha", "severity": "high", "n": 1, "ip": ["10.0.0.1"]},
      {"endpoint_id": "e2", "host_name": "beta", "severity": "low", "n": 1.0, "ip": []},
      {"endpoint_id": "e3", "host_name": "gamma", "severity": "high", "n": 2,
       "nested": {"host_name": "gamma-inner"}}
    ]
  }
}`

func mustDecode(t testing.TB, s string) any {
	t.Helper()
	return decodeJSON(t, []byte(s))
}

func TestGetAndQueryRules(t *testing.T) {
	doc := mustDecode(t, hostsDoc)
	// The second endpoint's n was decoded as 1.0; make it a real float64 so
	// that int64 and float64 are both present.
	doc.(map[string]any)["reply"].(map[string]any)["endpoints"].([]any)[1].(map[string]any)["n"] = float64(1)

	tests := []struct {
		query string
		get   any // expected Get result
	}{
		{"$.reply.total_count", int64(3)},
		{"$.reply.missing", nil},                    // missing key on a singular path
		{"$.reply.endpoints[7].endpoint_id", nil},   // index out of range
		{"$.reply.total_count.deeper", nil},         // name on a non-object
		{"$['x-request-id']", "req-1"},              // hyphenated name in brackets
		{`$["x-request-id"]`, "req-1"},              // double quotes
		{"$.reply.endpoints[-1].endpoint_id", "e3"}, // negative index
		{"$.reply.endpoints[-4].endpoint_id", nil},  // negative index out of range
		{"$.reply.endpoints[*].nothing", []any{}},   // non-singular, no match
		{"$.reply.endpoints[*].endpoint_id", []any{"e1", "e2", "e3"}},
		{"$..host_name", []any{"alpha", "beta", "gamma", "gamma-inner"}},
		{"$.reply.endpoints[?(@.severity=='high')].endpoint_id", []any{"e1", "e3"}},
		{`$.reply.endpoints[?@.severity == "high"].endpoint_id`, []any{"e1", "e3"}},
		{"$.reply.endpoints[?@.n==1].endpoint_id", []any{"e1", "e2"}}, // int64(1) and float64(1)
		{"$.reply.endpoints[?@.n>1.5].endpoint_id", []any{"e3"}},
		{"$.reply.endpoints[?@.n=='1'].endpoint_id", []any{}}, // no coercion
		{"$.reply.endpoints[?@.nested].endpoint_id", []any{"e3"}},
		{"$.reply.endpoints[?!@.nested].endpoint_id", []any{"e1", "e2"}},
		{"$.reply.endpoints[?length(@.ip)==0].endpoint_id", []any{"e2"}},
		{"$.reply.endpoints[?count(@.ip[*])==1].endpoint_id", []any{"e1"}},
		{"$.reply.endpoints[?match(@.host_name, 'al.*')].endpoint_id", []any{"e1"}},
		{"$.reply.endpoints[?search(@.host_name, 'mm')].endpoint_id", []any{"e3"}},
		{"$.reply.endpoints[?value(@..host_name)=='beta'].endpoint_id", []any{"e2"}},
		{"$.reply.endpoints[0:2].endpoint_id", []any{"e1", "e2"}},
		{"$.reply.endpoints[::-1].endpoint_id", []any{"e3", "e2", "e1"}},
		{"$.reply.endpoints[0]['endpoint_id','host_name']", []any{"e1", "alpha"}},
		{"$.reply.endpoints[0].*", []any{"e1", "alpha", []any{"10.0.0.1"}, int64(1), "high"}}, // sorted keys
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p, err := Compile(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Get(doc)
			if diff := cmp.Diff(tt.get, got); diff != "" {
				t.Errorf("Get mismatch (-want +got):\n%s", diff)
			}
			q := p.Query(doc)
			if q == nil {
				t.Fatal("Query returned nil")
			}
			if p.Singular() {
				if _, isList := tt.get.([]any); isList {
					t.Errorf("Singular() = true for a query expected to give a list")
				}
				want := []any{}
				if tt.get != nil {
					want = []any{tt.get}
				}
				if diff := cmp.Diff(want, q); diff != "" {
					t.Errorf("Query mismatch (-want +got):\n%s", diff)
				}
			}
			if p.String() != tt.query {
				t.Errorf("String() = %q, want %q", p.String(), tt.query)
			}
		})
	}
}

func TestSingular(t *testing.T) {
	for q, want := range map[string]bool{
		"$":                 true,
		"$.a":               true,
		"$.a[0]['b'][-1]":   true,
		"$['a','b']":        false,
		"$.a[*]":            false,
		"$..a":              false,
		"$.a[0:1]":          false,
		"$.a[?@.b]":         false,
		"$[0]":              true,
		"$.a[?@.x==1].name": false,
	} {
		if got := MustCompile(q).Singular(); got != want {
			t.Errorf("Singular(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		query  string
		offset int
	}{
		{"$.a-b", 3}, // "a-b" is not a member-name-shorthand; use $['a-b']
		{"", 0},
		{"a", 0},
		{" $", 0},
		{"$ ", 1},
		{"$.", 2},
		{"$. a", 2},
		{"$[", 2},
		{"$['a'", 5},
		{"$['a]", 2},
		{"$[01]", 2},
		{"$[9007199254740992]", 2},
		{"$[?@.a==]", 8},
		{"$[?length(@.a)]", 3},
		{"$[?match(@.a)]", 3},
		{"$[?@.* == 1]", 3},
		{"$[?foo(@.a)]", 3},
		{`$["\q"]`, 3},
		{"$.a]", 3},
	}
	for _, tt := range tests {
		_, err := Compile(tt.query)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Compile(%q) error = %v, want a *SyntaxError", tt.query, err)
			continue
		}
		if se.Offset != tt.offset {
			t.Errorf("Compile(%q) offset = %d, want %d (%v)", tt.query, se.Offset, tt.offset, se)
		}
		if se.Offset < 0 || se.Offset > len(tt.query) {
			t.Errorf("Compile(%q) offset %d outside the query", tt.query, se.Offset)
		}
		if want := fmt.Sprintf(" at offset %d", se.Offset); !strings.HasPrefix(se.Error(), "jsonpath: ") || !strings.HasSuffix(se.Error(), want) {
			t.Errorf("Error() = %q, want \"jsonpath: <msg>%s\"", se.Error(), want)
		}
	}
	if _, err := Compile("$['a-b']"); err != nil {
		t.Errorf("bracketed hyphenated name: %v", err)
	}
}

func TestCompileRelative(t *testing.T) {
	doc := mustDecode(t, `{"x": {"y": 7}, "a": [10, 20], "z-z": 1}`)
	tests := []struct {
		query    string
		want     any
		singular bool
	}{
		{".x", mustDecode(t, `{"y": 7}`), true},
		{"x", mustDecode(t, `{"y": 7}`), true},
		{"x.y", int64(7), true},
		{"x['y']", int64(7), true},
		{"[0]", nil, true},
		{"a[1]", int64(20), true},
		{"['z-z']", int64(1), true},
		{"$.x.y", int64(7), true},
		{"$", doc, true},
		{"..y", []any{int64(7)}, false},
		{"a[*]", []any{int64(10), int64(20)}, false},
	}
	for _, tt := range tests {
		p, err := CompileRelative(tt.query)
		if err != nil {
			t.Errorf("CompileRelative(%q): %v", tt.query, err)
			continue
		}
		if diff := cmp.Diff(tt.want, p.Get(doc)); diff != "" {
			t.Errorf("CompileRelative(%q).Get mismatch (-want +got):\n%s", tt.query, diff)
		}
		if p.Singular() != tt.singular || p.String() != tt.query {
			t.Errorf("CompileRelative(%q): Singular %v String %q", tt.query, p.Singular(), p.String())
		}
	}
	if p := MustCompile("$[0]"); p.Get([]any{"first"}) != "first" {
		t.Errorf("$[0] on an array")
	}
	for _, bad := range []string{"", " x", "x.", "1x", "x-y", "@.x", "x]"} {
		_, err := CompileRelative(bad)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(bad) {
			t.Errorf("CompileRelative(%q) error = %v, want a *SyntaxError within the query", bad, err)
		}
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile did not panic on an invalid query")
		}
	}()
	MustCompile("$.")
}

// TestGoValues checks values that do not come from encoding/json.
func TestGoValues(t *testing.T) {
	type severity string
	type opaque struct{ A int }
	doc := map[string]any{
		"tags":   []string{"b", "a"},
		"labels": map[string]string{"team": "red"},
		"hosts":  []map[string]any{{"id": 1, "sev": severity("high")}, {"id": uint64(2), "sev": "low"}},
		"n32":    int32(5),
		"num":    json.Number("2.5"),
		"big":    uint64(1 << 63),
		"opaque": opaque{A: 1},
		"bytes":  []byte("hi"),
	}
	tests := []struct {
		query string
		want  any
	}{
		{"$.tags[1]", "a"},
		{"$.tags[*]", []any{"b", "a"}},
		{"$.labels.team", "red"},
		{"$.hosts[?@.sev=='high'].id", []any{1}},
		{"$.hosts[?@.id==2].sev", []any{"low"}},
		{"$[?@==5]", []any{int32(5)}},
		{"$[?@>2.4 && @<2.6]", []any{json.Number("2.5")}},
		{"$[?@>9223372036854775807]", []any{uint64(1 << 63)}},
		{"$.opaque.A", nil},
		{"$.bytes[0]", nil},
		{"$[?length(@)==2]", []any{doc["hosts"], doc["tags"]}},
		{"$.labels[?length(@)==3]", []any{"red"}},
		{"$..id", []any{1, uint64(2)}},
	}
	for _, tt := range tests {
		got := MustCompile(tt.query).Get(doc)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.query, diff)
		}
	}
	// Leaves of unknown types compare by Go equality and never panic.
	MustCompile("$..*[?@ == @]").Query(doc)
	MustCompile("$[?@.opaque == $.opaque]").Query([]any{doc})

	// A cyclic Go value must not exhaust the stack.
	cyc := []any{nil}
	cyc[0] = cyc
	MustCompile("$..[0]").Query(cyc)
	MustCompile("$[?@ == @]").Query(cyc)
}

func TestIRegexp(t *testing.T) {
	tests := []struct {
		pattern, input string
		match          bool
	}{
		{"a.c", "abc", true},
		{"a.c", "a\nc", false},
		{"a.c", "a\rc", false},
		{"a.c", "a\u2028c", true},
		{"[^a]", "\n", true},
		{"[a-c]+", "abcabc", true},
		{"[a-]+", "a-a", true},
		{"[-a]+", "a-a", true},
		{`\p{Lu}\P{Lu}`, "Ab", true},
		{`\p{Nd}{3}`, "123", true},
		{`\p{Cn}`, "\U000E0080", true},
		{`\p{C}`, "\x00", true},
		{`\P{Cn}`, "a", true},
		{`[\p{L}\d]`, "a", false}, // \d is not I-Regexp
		{`a{2,3}`, "aaa", true},
		{`a{2,}`, "aaaa", true},
		{`(ab|cd)*`, "abcd", true},
		{`a*?`, "", false},    // lazy quantifiers are not I-Regexp
		{`(?:a)`, "a", false}, // neither are Perl groups
		{`\w`, "a", false},
		{`a{`, "a{", false},
		{`[]`, "", false},
		{`[b-a]`, "a", false},
		{`\.\-\^\$`, ".-^$", true},
		{`^ab$`, "ab", true},
		{`x^`, "x", false},
	}
	for _, tt := range tests {
		re := compileIRegexp(tt.pattern, true)
		got := re != nil && re.MatchString(tt.input)
		if got != tt.match {
			t.Errorf("match(%q, %q) = %v, want %v", tt.input, tt.pattern, got, tt.match)
		}
	}
}

// TestConcurrentUse runs one Path from many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	doc := mustDecode(t, `{"re": "b.?b", "values": ["bab", "x", {"k": "bb"}], "m": {"b": 1, "a": 2}}`)
	p := MustCompile("$..[?match(@, $.re) || @.k == 'bb' || @ == 2]")
	want := p.Query(doc)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := p.Query(doc); !cmp.Equal(want, got) {
					t.Errorf("concurrent Query = %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
