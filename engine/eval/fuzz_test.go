package eval

import (
	"context"
	"errors"
	"testing"
	"time"
)

// maxFuzzLen caps fuzz inputs, as expr's own fuzzing does.
const maxFuzzLen = 4096

var fuzzExprSeeds = []string{
	"size(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only",
	"len(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only",
	`tasks.isolate.return_data in ["Failed", "Partially Successful"]`,
	`event.Severity in ["CRITICAL", "HIGH"]`,
	`event["Document ID"] != ""`,
	"tasks.hosts.raw_data.count + 1 == 3",
	"inputs.n * 2",
	`has(tasks.hosts.raw_data.items) ? tasks.hosts.raw_data.items.map(i, i.name) : []`,
	`tasks.hosts.raw_data.items.exists(i, i.name.startsWith("ws-"))`,
	`map(tasks.hosts.raw_data.items, .name)`,
	`tasks.hosts.raw_data?.items?.[0]?.name ?? "none"`,
	`jsonpath(tasks.hosts.raw_data, "$.items[*].name")`,
	`tasks["hosts"].status == "succeeded" || item.x > index`,
	`cel.bind(n, inputs.n, n * n)`,
	`let n = inputs.n; n * n`,
	`"é" + run.id`,
	`timestamp(run.started_at) - duration("24h")`,
	"1 +\n  2 // comment",
	`r"raw\d" + '''triple'''`,
	"`raw`",
	"tasks.a.return_data ==",
	"inputs.x &&& true",
	"[1,2,3].map(a, [1,2,3].map(b, a + b))",
}

// fuzzVars is a small fixed run context.
func fuzzVars() Vars {
	return Vars{
		"inputs": map[string]any{"n": int64(3), "report_only": false, "p": "$.x"},
		"tasks": map[string]any{
			"hosts": map[string]any{
				"status": "succeeded", "return_data": "Successful",
				"key_fields": map[string]any{"EndpointIDs": []any{"e1"}},
				"raw_data":   map[string]any{"count": int64(2), "items": []any{map[string]any{"name": "ws-1"}}},
			},
		},
		"item":  map[string]any{"x": 1.5},
		"index": int64(0),
		"event": map[string]any{"Severity": "HIGH", "Document ID": "d-1"},
		"run":   map[string]any{"id": "r-1", "started_at": "2026-01-01T00:00:00Z"},
	}
}

// checkErr fails unless err is nil or an *Error located inside src.
func checkErr(t *testing.T, what, src string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s(%q): error %v (%T) is not an *Error", what, src, err, err)
	}
	if e.Offset < -1 || e.Offset > len(src) {
		t.Fatalf("%s(%q): error offset %d outside [-1, %d]: %v", what, src, e.Offset, len(src), e)
	}
}

func checkRefs(t *testing.T, what, src string, refs []Ref) {
	t.Helper()
	for _, r := range refs {
		if r.Offset < 0 || r.Offset > len(src) {
			t.Fatalf("%s(%q): ref %v offset outside [0, %d]", what, src, r, len(src))
		}
	}
}

func fuzzCompile(t *testing.T, lang Lang, src string) {
	if len(src) > maxFuzzLen {
		t.Skip()
	}
	p, err := Compile(lang, src, testOpts)
	checkErr(t, "Compile", src, err)
	if err != nil {
		return
	}
	checkRefs(t, "Compile", src, p.Refs())
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err = p.Eval(ctx, fuzzVars())
	checkErr(t, "Eval", src, err)
}

func FuzzCompileCEL(f *testing.F) {
	for _, s := range fuzzExprSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { fuzzCompile(t, CEL, src) })
}

func FuzzCompileExpr(f *testing.F) {
	for _, s := range fuzzExprSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { fuzzCompile(t, Expr, src) })
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"https://x/${{ inputs.id }}/y",
		"${{ tasks.hosts.key_fields.EndpointIDs }}",
		"$$.literal",
		"$$${{ 1 }}",
		"$${{ 1 }}",
		"$.tasks.hosts.raw_data.items[*].name",
		"$",
		`${{ "}}" }} and ${{ {"a": {"b": 1}} }}`,
		"a ${{ inputs.n",
		"${{ }}",
		"  ${{ inputs.n }}  ",
		"${{ inputs.n // c }}\n}}",
		"${{ `}}` }}",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, useExpr bool) {
		if len(s) > maxFuzzLen {
			t.Skip()
		}
		lang := CEL
		if useExpr {
			lang = Expr
		}
		tmpl, err := ParseTemplate(lang, s, testOpts)
		checkErr(t, "ParseTemplate", s, err)
		if err == nil {
			checkRefs(t, "ParseTemplate", s, tmpl.Refs())
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			v, err := tmpl.Eval(ctx, fuzzVars())
			checkErr(t, "Template.Eval", s, err)
			if c, ok := tmpl.Const(); ok && (err != nil || v != c) {
				t.Fatalf("ParseTemplate(%q): Const() = %q but Eval = %v, %v", s, c, v, err)
			}
		}
		if IsTemplate(s) == false {
			if err != nil {
				t.Fatalf("ParseTemplate(%q) failed on a string IsTemplate calls plain: %v", s, err)
			}
			if c, ok := tmpl.Const(); !ok || c != s {
				t.Fatalf("ParseTemplate(%q).Const() = %q, %v for a plain string", s, c, ok)
			}
		}
		// Data is never code: the same text arriving as data comes back.
		data, err := ParseTemplate(lang, "${{ event }}", testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := data.Eval(t.Context(), Vars{"event": s}); err != nil || v != s {
			t.Fatalf("data %q came back as %v, %v", s, v, err)
		}
	})
}
