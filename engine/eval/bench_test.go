package eval

import (
	"sync"
	"testing"
)

func benchProgram(b *testing.B, lang Lang, src string) {
	p, err := Compile(lang, src, testOpts)
	if err != nil {
		b.Fatal(err)
	}
	vars := testVars()
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		ok, err := p.EvalBool(ctx, vars)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkCELCondition(b *testing.B) {
	benchProgram(b, CEL, "size(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only")
}

func BenchmarkExprCondition(b *testing.B) {
	benchProgram(b, Expr, "len(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only")
}

func benchTemplate(b *testing.B, lang Lang, s string) {
	tmpl, err := ParseTemplate(lang, s, testOpts)
	if err != nil {
		b.Fatal(err)
	}
	vars := testVars()
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(ctx, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTemplateMixed(b *testing.B) {
	benchTemplate(b, CEL, "https://hooks.example/soc/${{ inputs.incident_id }}?n=${{ inputs.n }}")
}

func BenchmarkTemplateSingle(b *testing.B) {
	benchTemplate(b, CEL, "${{ tasks.hosts.key_fields.EndpointIDs }}")
}

func BenchmarkCompileCEL(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(CEL, "size(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only", testOpts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileExpr(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(Expr, "len(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only", testOpts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentEval shares one Program and Template between goroutines
// (run under -race).
func TestConcurrentEval(t *testing.T) {
	t.Parallel()
	vars := testVars()
	for _, lang := range []Lang{CEL, Expr} {
		p, err := Compile(lang, `jsonpath(tasks.hosts.raw_data, "$.items[*].name")`, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := ParseTemplate(lang, "a ${{ inputs.n }} ${{ tasks.hosts.key_fields.EndpointIDs }}", testOpts)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 50 {
					if _, err := p.Eval(t.Context(), vars); err != nil {
						t.Error(err)
						return
					}
					if v, err := tmpl.Eval(t.Context(), vars); err != nil || v != `a 21 ["e1","e2"]` {
						t.Errorf("Eval = %v, %v", v, err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}
