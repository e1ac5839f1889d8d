package eval

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTemplate(t *testing.T) {
	t.Parallel()
	vars := testVars()
	tests := []struct {
		name      string
		s         string
		exprS     string // the expr spelling, when it differs
		want      any
		wantConst bool
	}{
		{name: "plain string", s: "hello", want: "hello", wantConst: true},
		{name: "empty string", s: "", want: "", wantConst: true},
		{name: "dollar alone in text", s: "costs $5 or $$6", want: "costs $5 or $$6", wantConst: true},
		{name: "braces without dollar", s: "{{ x }}", want: "{{ x }}", wantConst: true},
		{name: "single keeps list type", s: "${{ tasks.hosts.key_fields.EndpointIDs }}", want: []any{"e1", "e2"}},
		{name: "single keeps int type", s: "${{ inputs.n }}", want: int64(21)},
		{name: "single keeps bool type", s: "${{inputs.report_only}}", want: false},
		{name: "single keeps null", s: "${{ event }}", want: nil},
		{name: "whitespace inside is fine", s: "${{\n  inputs.incident_id\n}}", want: "INC-1"},
		{name: "whitespace outside is mixed", s: "  ${{ inputs.n }}  ", want: "  21  "},
		{name: "mixed string", s: "https://x/${{ inputs.incident_id }}/y", want: "https://x/INC-1/y"},
		{name: "mixed int", s: "n=${{ inputs.n }}", want: "n=21"},
		{name: "mixed integral double", s: "${{ 3.0 }}!", want: "3!"},
		{name: "mixed double", s: "r=${{ inputs.ratio }}", want: "r=0.5"},
		{name: "mixed big double", s: "${{ 1e21 }} ", want: "1e+21 "},
		{name: "mixed bool", s: "only=${{ inputs.report_only }}", want: "only=false"},
		{name: "mixed null is empty", s: "[${{ event }}]", want: "[]"},
		{name: "mixed list is JSON", s: "ids: ${{ tasks.hosts.key_fields.EndpointIDs }}", want: `ids: ["e1","e2"]`},
		{name: "mixed map is JSON, no HTML escaping", s: `m=${{ {"b": "<&>", "a": 1} }}`, want: `m={"a":1,"b":"<&>"}`},
		{name: "two expressions", s: "${{ inputs.n }}${{ inputs.n }}", want: "2121"},
		{name: "closing braces in a string", s: `${{ "}}" }}`, want: "}}"},
		{name: "closing braces in a single-quoted string", s: `a${{ '}}' + "x" }}b`, want: "a}}xb"},
		{name: "nested map braces", s: `${{ {"a": {"b": 1}} }}`, want: map[string]any{"a": map[string]any{"b": int64(1)}}},
		{name: "escaped quote in string", s: `${{ "a\"}}" }}`, want: `a"}}`},
		{name: "trailing brace", s: "${{ 1 }}}", want: "1}"},
		{name: "jsonpath string", s: "$.tasks.hosts.raw_data.items[*].name", want: []any{"ws-1", "ws-2"}},
		{name: "jsonpath definite", s: "$.inputs.incident_id", want: "INC-1"},
		{name: "jsonpath missing", s: "$.inputs.nope", want: nil},
		{name: "jsonpath root", s: "$", want: map[string]any(vars)},
		{name: "escape before jsonpath", s: "$$.literal", want: "$.literal", wantConst: true},
		{name: "escape alone", s: "$$", want: "$", wantConst: true},
		{name: "escape of a bracket path", s: "$$[0]", want: "$[0]", wantConst: true},
		{name: "escape then template", s: "$$.x is ${{ inputs.n }}", want: "$.x is 21"},
		{name: "escape eats the template dollar", s: "$${{ 1 }}", want: "${{ 1 }}", wantConst: true},
		{name: "escape then template after a dollar", s: "$$${{ 1 }}", want: "$1"},
		{name: "double dollar elsewhere", s: "a$$b ${{ 1 }}", want: "a$$b 1"},
		{name: "mixed comment", s: "${{ inputs.n // it's }}\n}}", exprS: "${{ inputs.n // it's }}\n}}", want: int64(21)},
	}
	for _, tc := range tests {
		for _, lang := range []Lang{CEL, Expr} {
			s := tc.s
			if lang == Expr && tc.exprS != "" {
				s = tc.exprS
			}
			t.Run(string(lang)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				if got := IsTemplate(s); got == tc.wantConst && !strings.HasPrefix(s, "$$") {
					t.Errorf("IsTemplate(%q) = %v, want %v", s, got, !tc.wantConst)
				}
				tmpl, err := ParseTemplate(lang, s, testOpts)
				if err != nil {
					t.Fatalf("ParseTemplate(%q) error: %v", s, err)
				}
				c, isConst := tmpl.Const()
				if isConst != tc.wantConst {
					t.Errorf("ParseTemplate(%q).Const() = %v, %v; want const %v", s, c, isConst, tc.wantConst)
				}
				if isConst && c != tc.want {
					t.Errorf("ParseTemplate(%q).Const() = %q, want %q", s, c, tc.want)
				}
				got, err := tmpl.Eval(t.Context(), vars)
				if err != nil {
					t.Fatalf("Eval(%q) error: %v", s, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("Eval(%q) mismatch (-want +got):\n%s", s, diff)
				}
			})
		}
	}
}

// TestTemplateDataIsNeverCode: run-time values that look like templates
// or JSONPath are returned or interpolated as they are, never parsed.
func TestTemplateDataIsNeverCode(t *testing.T) {
	t.Parallel()
	vars := testVars()
	vars["event"] = map[string]any{"title": "${{ inputs.n }}", "path": "$.inputs.n", "esc": "$$.x", "d3": "{{ x }} <% y %>"}
	for _, lang := range []Lang{CEL, Expr} {
		for s, want := range map[string]any{
			"${{ event.title }}":                  "${{ inputs.n }}",
			"${{ event.path }}":                   "$.inputs.n",
			"${{ event.esc }}":                    "$$.x",
			"alert: ${{ event.title }}":           "alert: ${{ inputs.n }}",
			"${{ event.path }}${{ event.title }}": "$.inputs.n${{ inputs.n }}",
			"${{ event.d3 }}":                     "{{ x }} <% y %>",
			"$.event.title":                       "${{ inputs.n }}",
			"$.event.path":                        "$.inputs.n",
			"$.event":                             vars["event"],
		} {
			tmpl, err := ParseTemplate(lang, s, testOpts)
			if err != nil {
				t.Fatalf("%s: ParseTemplate(%q): %v", lang, s, err)
			}
			got, err := tmpl.Eval(t.Context(), vars)
			if err != nil {
				t.Fatalf("%s: Eval(%q): %v", lang, s, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: Eval(%q) mismatch (-want +got):\n%s", lang, s, diff)
			}
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang   Lang
		s      string
		offset int
		msg    string
		hint   string
	}{
		{CEL, "a ${{ inputs.n", 2, "unterminated ${{", ""},
		{Expr, "a ${{ inputs.n", 2, "unterminated ${{", ""},
		{CEL, `x ${{ "}} `, 2, "unterminated ${{", ""},
		{CEL, "${{ 1 }} ${{ 2", 9, "unterminated ${{", ""},
		{CEL, "a ${{ }}", 2, "empty ${{ }}", ""},
		{Expr, "${{\n}}", 0, "empty ${{ }}", ""},
		{CEL, "id: ${{ task.a }}", 8, `undeclared reference to "task"`, `did you mean "tasks"?`},
		{Expr, "id: ${{ task.a }}", 8, "unknown name task", `did you mean "tasks"?`},
		{CEL, "$$x ${{ 1 + }}", 12, "syntax error", ""},
		{CEL, "${{ jsonpath(tasks, inputs.p) }}", 20, "string literal", ""},
		{CEL, "$.task.a", 2, `unknown name "task"`, `did you mean "tasks"?`},
		{Expr, "$..x", 0, "invalid jsonpath", ""},
		{CEL, "$.tasks[?@.x]", 0, "invalid jsonpath", ""},
		{"lua", "x", -1, "unknown expression language", ""},
	} {
		_, err := ParseTemplate(tc.lang, tc.s, testOpts)
		if err == nil {
			t.Errorf("%s: ParseTemplate(%q) succeeded, want error %q", tc.lang, tc.s, tc.msg)
			continue
		}
		e := asError(t, err)
		if e.Offset != tc.offset || !strings.Contains(e.Msg, tc.msg) || e.Hint != tc.hint {
			t.Errorf("%s: ParseTemplate(%q) = {Offset: %d, Msg: %q, Hint: %q}, want {%d, ~%q, %q}",
				tc.lang, tc.s, e.Offset, e.Msg, e.Hint, tc.offset, tc.msg, tc.hint)
		}
	}
	if _, err := ParseTemplate(CEL, "$.inputs", Options{}); err == nil || !strings.Contains(err.Error(), "jsonpath is not supported") {
		t.Errorf("ParseTemplate($.inputs) without a JSONPath compiler = %v, want unsupported", err)
	}
}

func TestTemplateEvalErrors(t *testing.T) {
	t.Parallel()
	vars := testVars()
	for _, tc := range []struct {
		lang   Lang
		s      string
		offset int
		msg    string
	}{
		{CEL, "id: ${{ tasks.hosts.raw_data.nope }}", 28, "no such key: nope"},
		{CEL, "${{ tasks.hosts.raw_data.nope }}", 24, "no such key: nope"},
		{Expr, "x ${{ tasks.nope.raw_data }}", 17, "cannot fetch raw_data"},
		{CEL, "${{ 1 }} ${{ inputs.n / 0 }}", 22, "division by zero"},
		{CEL, "${{ 1.0 / 0.0 }} x", 0, ""}, // +Inf prints, no error
	} {
		tmpl, err := ParseTemplate(tc.lang, tc.s, testOpts)
		if err != nil {
			t.Fatalf("%s: ParseTemplate(%q): %v", tc.lang, tc.s, err)
		}
		_, err = tmpl.Eval(t.Context(), vars)
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%s: Eval(%q) error: %v", tc.lang, tc.s, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: Eval(%q) succeeded, want error", tc.lang, tc.s)
			continue
		}
		e := asError(t, err)
		if e.Offset != tc.offset || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%s: Eval(%q) error = {Offset: %d, Msg: %q}, want {%d, ~%q}", tc.lang, tc.s, e.Offset, e.Msg, tc.offset, tc.msg)
		}
	}
}

func TestIsTemplate(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"":            false,
		"plain":       false,
		"$5":          false,
		"a$.b":        false,
		"{{ x }}":     false,
		"$":           true,
		"$.a":         true,
		"$[0]":        true,
		"$$x":         true,
		"x ${{ y }}":  true,
		"${{":         true,
		"price $$ 10": false,
	} {
		if got := IsTemplate(s); got != want {
			t.Errorf("IsTemplate(%q) = %v, want %v", s, got, want)
		}
	}
}
