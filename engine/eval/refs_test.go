package eval

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func mkRef(off int, dyn bool, path ...string) Ref {
	if path == nil {
		path = []string{}
	}
	return Ref{Path: path, Offset: off, Dynamic: dyn}
}

func TestProgramRefs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang Lang
		src  string
		want []Ref
	}{
		{CEL, `tasks.a.return_data == "x"`, []Ref{mkRef(0, false, "tasks", "a", "return_data")}},
		{Expr, `tasks.a.return_data == "x"`, []Ref{mkRef(0, false, "tasks", "a", "return_data")}},
		{CEL, `tasks["a"].raw_data`, []Ref{mkRef(0, false, "tasks", "a", "raw_data")}},
		{Expr, `tasks["a"].raw_data`, []Ref{mkRef(0, false, "tasks", "a", "raw_data")}},
		{CEL, "inputs.incident_id", []Ref{mkRef(0, false, "inputs", "incident_id")}},
		{Expr, "inputs.incident_id", []Ref{mkRef(0, false, "inputs", "incident_id")}},
		{CEL, "tasks[inputs.k].y", []Ref{mkRef(0, true, "tasks"), mkRef(6, false, "inputs", "k")}},
		{Expr, "tasks[inputs.k].y", []Ref{mkRef(0, true, "tasks"), mkRef(6, false, "inputs", "k")}},
		{CEL, "tasks.a[item].b", []Ref{mkRef(0, true, "tasks", "a"), mkRef(8, false, "item")}},
		{CEL, "has(tasks.a.raw_data.x)", []Ref{mkRef(4, false, "tasks", "a", "raw_data", "x")}},
		{CEL, "tasks.a.raw_data.items[0].name", []Ref{mkRef(0, false, "tasks", "a", "raw_data", "items", "0", "name")}},
		{Expr, "tasks.a.raw_data.items[0].name", []Ref{mkRef(0, false, "tasks", "a", "raw_data", "items", "0", "name")}},
		{CEL, "tasks.a.raw_data.items.exists(i, i.name == inputs.n)", []Ref{
			mkRef(0, false, "tasks", "a", "raw_data", "items"), mkRef(43, false, "inputs", "n")}},
		{Expr, "any(tasks.a.raw_data.items, .name == inputs.n)", []Ref{
			mkRef(4, false, "tasks", "a", "raw_data", "items"), mkRef(37, false, "inputs", "n")}},
		{CEL, "[1].map(tasks, tasks + 1)", nil},
		{CEL, "cel.bind(inputs, 1, inputs + 1)", nil},
		{Expr, "let x = tasks.a; x.b", []Ref{mkRef(8, false, "tasks", "a")}},
		{CEL, "size(tasks)", []Ref{mkRef(5, false, "tasks")}},
		{Expr, "len(tasks)", []Ref{mkRef(4, false, "tasks")}},
		{CEL, `tasks.a.raw_data.x.startsWith("y")`, []Ref{mkRef(0, false, "tasks", "a", "raw_data", "x")}},
		{Expr, `tasks.a.raw_data.x startsWith "y"`, []Ref{mkRef(0, false, "tasks", "a", "raw_data", "x")}},
		{Expr, `tasks.a.raw_data.x.Format("y")`, []Ref{mkRef(0, false, "tasks", "a", "raw_data", "x")}},
		{CEL, "tasks.a.?raw_data.x", []Ref{mkRef(0, false, "tasks", "a", "raw_data", "x")}},
		{Expr, "tasks?.a?.raw_data", []Ref{mkRef(0, false, "tasks", "a", "raw_data")}},
		{CEL, `jsonpath(tasks.a.raw_data, "$.x")`, []Ref{mkRef(9, false, "tasks", "a", "raw_data")}},
		{Expr, `jsonpath(tasks.a.raw_data, "$.x")`, []Ref{mkRef(9, false, "tasks", "a", "raw_data")}},
		{CEL, `"é" == event["Document ID"]`, []Ref{mkRef(8, false, "event", "Document ID")}},
		{Expr, `"é" == event["Document ID"]`, []Ref{mkRef(8, false, "event", "Document ID")}},
		{CEL, "index + 1 > 0 &&\n  run.started_at != ''", []Ref{mkRef(0, false, "index"), mkRef(19, false, "run", "started_at")}},
		{Expr, "index + 1 > 0 &&\n  run.started_at != ''", []Ref{mkRef(0, false, "index"), mkRef(19, false, "run", "started_at")}},
		{CEL, "tasks.a.status == tasks.a.status", []Ref{mkRef(0, false, "tasks", "a", "status"), mkRef(18, false, "tasks", "a", "status")}},
		{Expr, `$env.tasks.a.status`, []Ref{mkRef(0, false, "tasks", "a", "status")}},
		{Expr, `$env["inputs"]`, []Ref{mkRef(0, false, "inputs")}},
		{Expr, `$env[inputs.k]`, []Ref{mkRef(0, true), mkRef(5, false, "inputs", "k")}},
		{CEL, "1 + 2", nil},
		{Expr, "1 + 2", nil},
	}
	for _, tc := range tests {
		p, err := Compile(tc.lang, tc.src, testOpts)
		if err != nil {
			t.Errorf("%s: Compile(%q): %v", tc.lang, tc.src, err)
			continue
		}
		if diff := cmp.Diff(tc.want, p.Refs(), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: Compile(%q).Refs() mismatch (-want +got):\n%s", tc.lang, tc.src, diff)
		}
	}
}

func TestTemplateRefs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want []Ref
	}{
		{"plain", nil},
		{"a ${{ tasks.a.key_fields.X }} b ${{ inputs.y }}", []Ref{
			mkRef(6, false, "tasks", "a", "key_fields", "X"), mkRef(36, false, "inputs", "y")}},
		{"$$${{ inputs.y }}", []Ref{mkRef(6, false, "inputs", "y")}},
		{"$.tasks.a.raw_data.x", []Ref{mkRef(2, false, "tasks", "a", "raw_data", "x")}},
		{"$.tasks.a.raw_data[0]", []Ref{mkRef(2, false, "tasks", "a", "raw_data", "0")}},
		{"$['tasks'].a", []Ref{mkRef(2, false, "tasks", "a")}},
		{"$.tasks[*].status", []Ref{mkRef(2, true, "tasks")}},
		{"$.tasks.a.raw_data.Results[*].reply", []Ref{mkRef(2, true, "tasks", "a", "raw_data", "Results")}},
		{"$[*]", []Ref{mkRef(0, true)}},
		{"$", []Ref{mkRef(0, false)}},
	}
	for _, tc := range tests {
		for _, lang := range []Lang{CEL, Expr} {
			tmpl, err := ParseTemplate(lang, tc.s, testOpts)
			if err != nil {
				t.Errorf("%s: ParseTemplate(%q): %v", lang, tc.s, err)
				continue
			}
			if diff := cmp.Diff(tc.want, tmpl.Refs(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: ParseTemplate(%q).Refs() mismatch (-want +got):\n%s", lang, tc.s, diff)
			}
		}
	}
}

func TestJSONPathRefs(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]Ref{
		"$":                  mkRef(0, false),
		"$..x":               mkRef(0, true),
		"$.tasks..x":         mkRef(2, true, "tasks"),
		"$.tasks.a":          mkRef(2, false, "tasks", "a"),
		`$["tasks"]["a b"]`:  mkRef(2, false, "tasks", "a b"),
		"$.tasks[-1]":        mkRef(2, true, "tasks"),
		"$.tasks[0:2]":       mkRef(2, true, "tasks"),
		"$.tasks[?@.x == 1]": mkRef(2, true, "tasks"),
		"$.tasks.a-b":        mkRef(2, true, "tasks", "a"),
		"$.tasks.1a":         mkRef(2, true, "tasks"),
		"$.é":                mkRef(2, false, "é"),
	} {
		if diff := cmp.Diff(want, jsonpathRefs(p)); diff != "" {
			t.Errorf("jsonpathRefs(%q) mismatch (-want +got):\n%s", p, diff)
		}
	}
}
