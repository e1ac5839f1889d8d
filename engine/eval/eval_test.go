package eval

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEval(t *testing.T) {
	t.Parallel()
	vars := testVars()
	tests := []struct {
		name      string
		cel, expr string // "" skips the language
		want      any
	}{
		{"int64 in map plus literal", "tasks.hosts.raw_data.count + 1 == 3", "tasks.hosts.raw_data.count + 1 == 3", true},
		{"input times literal", "inputs.n * 2", "inputs.n * 2", int64(42)},
		{"double compared with int", "tasks.hosts.raw_data.score > 7", "tasks.hosts.raw_data.score > 7", true},
		{"int64 equals int literal", "inputs.n == 21", "inputs.n == 21", true},
		{"design when", "size(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only",
			"len(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only", true},
		{"design in", `tasks.isolate.return_data in ["Failed", "Partially Successful"]`,
			`tasks.isolate.return_data in ["Failed", "Partially Successful"]`, true},
		{"index with constant key", `tasks["hosts"].return_data`, `tasks["hosts"].return_data`, "Successful"},
		{"list keeps its type", "tasks.hosts.key_fields.EndpointIDs", "tasks.hosts.key_fields.EndpointIDs", []any{"e1", "e2"}},
		{"map result", "tasks.hosts.raw_data.items[0]", "tasks.hosts.raw_data.items[0]", map[string]any{"name": "ws-1"}},
		{"list literal normalised", `[1, 2.5, "x", null, true]`, `[1, 2.5, "x", nil, true]`, []any{int64(1), 2.5, "x", nil, true}},
		{"map literal normalised", `{"a": [1, {"b": 2}]}`, `{"a": [1, {"b": 2}]}`, map[string]any{"a": []any{int64(1), map[string]any{"b": int64(2)}}}},
		{"comprehension", `tasks.hosts.raw_data.items.map(i, i.name)`, `map(tasks.hosts.raw_data.items, .name)`, []any{"ws-1", "ws-2"}},
		{"concat of data and literal", `tasks.hosts.key_fields.EndpointIDs + [["x"]]`, `concat(tasks.hosts.key_fields.EndpointIDs, [["x"]])`, []any{"e1", "e2", []any{"x"}}},
		{"missing top-level name is null", "item == null", "item == nil", true},
		{"missing name value", "event", "event", nil},
		{"null task field", "tasks.isolate.raw_data == null", "tasks.isolate.raw_data == nil", true},
		{"has", "has(tasks.hosts.raw_data.count) && !has(tasks.hosts.raw_data.nope)", "", true},
		{"optional", `tasks.hosts.raw_data.?nope.orValue("d")`, `tasks.hosts.raw_data?.nope ?? "d"`, "d"},
		{"run context", "run.id", "run.id", "run-1"},
		{"uint", "3u", "", int64(3)},
		{"big uint", "18446744073709551615u", "", float64(18446744073709551615)},
		{"bytes", `b"abc"`, "", "abc"},
		{"timestamp", `timestamp("2026-01-01T00:00:00Z") + duration("1h")`, "", "2026-01-01T01:00:00Z"},
		{"duration", `duration("90s")`, "", "1m30s"},
		{"map with int keys", `{1: "a"}`, "", map[string]any{"1": "a"}},
		{"strings ext", `"A,B".lowerAscii().split(",")`, `split(lower("A,B"), ",")`, []any{"a", "b"}},
		{"sets ext", `sets.contains(tasks.hosts.key_fields.EndpointIDs, ["e2"])`, "", true},
		{"math ext", `math.greatest(1, 5, 3)`, `max(1, 5, 3)`, int64(5)},
		{"encoders ext", `base64.encode(b"hi")`, "", "aGk="},
		{"bind", `cel.bind(x, inputs.n, x + x)`, `let x = inputs.n; x + x`, int64(42)},
		{"jsonpath helper", `jsonpath(tasks.hosts.raw_data, "$.items[*].name")`, `jsonpath(tasks.hosts.raw_data, "$.items[*].name")`, []any{"ws-1", "ws-2"}},
		{"jsonpath helper definite", `jsonpath(tasks, "$.hosts.raw_data.count") + 1`, `jsonpath(tasks, "$.hosts.raw_data.count") + 1`, int64(3)},
		{"jsonpath on literal", `jsonpath({"a": [1]}, "$.a")`, `jsonpath({"a": [1]}, "$.a")`, []any{int64(1)}},
		{"jsonpath missing", `jsonpath(inputs, "$.nope")`, `jsonpath(inputs, "$.nope")`, nil},
		{"expr date in UTC", "", `date("2026-01-01").Hour()`, int64(0)},
		{"multi-line", "inputs.n\n  + 1", "inputs.n\n  + 1", int64(22)},
	}
	for _, tc := range tests {
		for _, lang := range []Lang{CEL, Expr} {
			src := tc.cel
			if lang == Expr {
				src = tc.expr
			}
			if src == "" {
				continue
			}
			t.Run(string(lang)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				p, err := Compile(lang, src, testOpts)
				if err != nil {
					t.Fatalf("Compile(%q) error: %v", src, err)
				}
				got, err := p.Eval(t.Context(), vars)
				if err != nil {
					t.Fatalf("Eval(%q) error: %v", src, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("Eval(%q) mismatch (-want +got):\n%s", src, diff)
				}
			})
		}
	}
}

// TestDataIsNeverCode: strings from the run context that look like
// templates or JSONPath come back as they are.
func TestDataIsNeverCode(t *testing.T) {
	t.Parallel()
	vars := testVars()
	for _, lang := range []Lang{CEL, Expr} {
		for src, want := range map[string]any{
			"tasks.hosts.raw_data.title":               "${{ 1+1 }}",
			"tasks.hosts.raw_data.path":                "$.inputs.n",
			`tasks.hosts.raw_data.title + "!"`:         "${{ 1+1 }}!",
			"[tasks.hosts.raw_data.path]":              []any{"$.inputs.n"},
			`{"t": tasks.hosts.raw_data.title}`:        map[string]any{"t": "${{ 1+1 }}"},
			`jsonpath(tasks, "$.hosts.raw_data.path")`: "$.inputs.n",
		} {
			p, err := Compile(lang, src, testOpts)
			if err != nil {
				t.Fatalf("%s: Compile(%q): %v", lang, src, err)
			}
			got, err := p.Eval(t.Context(), vars)
			if err != nil {
				t.Fatalf("%s: Eval(%q): %v", lang, src, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: Eval(%q) mismatch (-want +got):\n%s", lang, src, diff)
			}
		}
	}
}

func TestEvalBool(t *testing.T) {
	t.Parallel()
	vars := testVars()
	for _, tc := range []struct {
		lang    Lang
		src     string
		want    bool
		wantErr string
	}{
		{CEL, "inputs.n > 20", true, ""},
		{Expr, "inputs.n > 20", true, ""},
		{CEL, "tasks.hosts.return_data", false, "condition must be a boolean, got string"},
		{Expr, "tasks.hosts.return_data", false, "condition must be a boolean, got string"},
		{CEL, "event", false, "condition must be a boolean, got null"},
		{Expr, "inputs.n", false, "condition must be a boolean, got integer"},
	} {
		p, err := Compile(tc.lang, tc.src, testOpts)
		if err != nil {
			t.Fatalf("%s: Compile(%q): %v", tc.lang, tc.src, err)
		}
		got, err := p.EvalBool(t.Context(), vars)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: EvalBool(%q) error = %v, want %q", tc.lang, tc.src, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: EvalBool(%q) = %v, %v; want %v", tc.lang, tc.src, got, err, tc.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang       Lang
		src        string
		offset     int
		msg        string // substring
		hint       string
		noJSONPath bool
	}{
		{lang: CEL, src: "tasks.a.return_data ==", offset: 22, msg: "syntax error"},
		{lang: Expr, src: "tasks.a.return_data ==", offset: 21, msg: "unexpected token EOF"},
		{lang: CEL, src: "inputs.x &&& true", offset: 11, msg: "syntax error"},
		{lang: Expr, src: "inputs.x &&& true", offset: 11, msg: "unexpected token"},
		{lang: CEL, src: "foo + 1", offset: 0, msg: `undeclared reference to "foo"`, hint: "known names: event, index, inputs, item, run, tasks"},
		{lang: Expr, src: "foo + 1", offset: 0, msg: "unknown name foo", hint: "known names: event, index, inputs, item, run, tasks"},
		{lang: CEL, src: "task.a", offset: 0, msg: `undeclared reference to "task"`, hint: `did you mean "tasks"?`},
		{lang: Expr, src: "task.a", offset: 0, msg: "unknown name task", hint: `did you mean "tasks"?`},
		{lang: CEL, src: "inputs.x == 1 &&\n  input.y", offset: 19, msg: `undeclared reference to "input"`, hint: `did you mean "inputs"?`},
		{lang: Expr, src: "inputs.x == 1 &&\n  input.y", offset: 19, msg: "unknown name input", hint: `did you mean "inputs"?`},
		{lang: CEL, src: `"é" + evnt`, offset: 7, msg: "undeclared", hint: `did you mean "event"?`},
		{lang: Expr, src: `"é" + evnt`, offset: 7, msg: "unknown name evnt", hint: `did you mean "event"?`},
		{lang: Expr, src: "size(tasks)", offset: 0, msg: "unknown function size"},
		{lang: Expr, src: "now()", offset: 0, msg: "unknown function now"},
		{lang: CEL, src: `jsonpath(tasks, inputs.p)`, offset: 16, msg: "jsonpath path must be a string literal"},
		{lang: Expr, src: `jsonpath(tasks, inputs.p)`, offset: 16, msg: "jsonpath path must be a string literal"},
		{lang: CEL, src: `jsonpath(tasks, "$" + ".x")`, offset: 16, msg: "jsonpath path must be a string literal"},
		{lang: CEL, src: `jsonpath(tasks, "$..x")`, offset: 16, msg: `invalid jsonpath "$..x"`},
		{lang: Expr, src: `jsonpath(tasks, "$..x")`, offset: 16, msg: `invalid jsonpath "$..x"`},
		{lang: CEL, src: `jsonpath(tasks, "$.x")`, offset: 16, msg: "jsonpath is not supported", noJSONPath: true},
		{lang: Expr, src: `jsonpath(tasks, "$.x")`, offset: 16, msg: "jsonpath is not supported", noJSONPath: true},
		{lang: CEL, src: "", offset: 0, msg: "empty expression"},
		{lang: Expr, src: "  ", offset: 0, msg: "empty expression"},
		{lang: CEL, src: strings.Repeat("1+", 20000) + "1", offset: 0, msg: "too long"},
		{lang: "lua", src: "1", offset: -1, msg: "unknown expression language"},
	} {
		opts := testOpts
		if tc.noJSONPath {
			opts = Options{}
		}
		_, err := Compile(tc.lang, tc.src, opts)
		if err == nil {
			t.Errorf("%s: Compile(%.40q) succeeded, want error %q", tc.lang, tc.src, tc.msg)
			continue
		}
		e := asError(t, err)
		if e.Offset != tc.offset || !strings.Contains(e.Msg, tc.msg) || e.Hint != tc.hint {
			t.Errorf("%s: Compile(%.40q) = {Offset: %d, Msg: %q, Hint: %q}, want {%d, ~%q, %q}",
				tc.lang, tc.src, e.Offset, e.Msg, e.Hint, tc.offset, tc.msg, tc.hint)
		}
		if strings.HasPrefix(e.Msg, "ERROR") || strings.Contains(e.Msg, "<input>") || strings.Contains(e.Msg, "\n") {
			t.Errorf("%s: Compile(%.40q) message %q keeps the library's decoration", tc.lang, tc.src, e.Msg)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	t.Parallel()
	vars := testVars()
	for _, tc := range []struct {
		lang   Lang
		src    string
		offset int
		msg    string
	}{
		{CEL, "tasks.hosts.raw_data.nope", 20, "no such key: nope"},
		{CEL, "tasks.nope.raw_data", 10, "no such key: nope"}, // cel-go labels the whole chain
		{Expr, "tasks.nope.raw_data", 11, "cannot fetch raw_data from <nil>"},
		{CEL, "inputs.n / 0", 9, "division by zero"},
		{CEL, "tasks.isolate.raw_data.x", 22, "no such key"}, // raw_data is null
		{CEL, `inputs.incident_id + 1`, 19, "no such overload"},
		{Expr, `inputs.incident_id + 1`, 19, "invalid operation"},
	} {
		p, err := Compile(tc.lang, tc.src, testOpts)
		if err != nil {
			t.Fatalf("%s: Compile(%q): %v", tc.lang, tc.src, err)
		}
		_, err = p.Eval(t.Context(), vars)
		if err == nil {
			t.Errorf("%s: Eval(%q) succeeded, want error", tc.lang, tc.src)
			continue
		}
		e := asError(t, err)
		if e.Offset != tc.offset || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%s: Eval(%q) error = {Offset: %d, Msg: %q}, want {%d, ~%q}", tc.lang, tc.src, e.Offset, e.Msg, tc.offset, tc.msg)
		}
	}
}

func TestEvalCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, lang := range []Lang{CEL, Expr} {
		p, err := Compile(lang, "1 + 1", testOpts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Eval(ctx, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Eval on a cancelled context = %v, want context.Canceled", lang, err)
		}
	}
}

func TestEvalCancelledMidway(t *testing.T) {
	t.Parallel()
	// A long comprehension; the interrupt check stops it before the cost
	// limit does.
	p, err := Compile(CEL, "lists.range(1000000).all(x, lists.range(1000000).all(y, true))", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(5*time.Millisecond, cancel)
	_, err = p.Eval(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Eval cancelled midway = %v, want context.Canceled", err)
	}
	if e := asError(t, err); !strings.Contains(e.Msg, "cancelled") {
		t.Errorf("Eval cancelled midway: message %q does not say so", e.Msg)
	}
}

func TestNilVars(t *testing.T) {
	t.Parallel()
	for _, lang := range []Lang{CEL, Expr} {
		p, err := Compile(lang, "tasks", testOpts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Eval(t.Context(), nil)
		if err != nil || got != nil {
			t.Errorf("%s: Eval(tasks) with nil Vars = %v, %v; want nil, nil", lang, got, err)
		}
	}
}
