package eval

import (
	"testing"

	"cel.dev/cel-go/cel"
)

func BenchmarkScratch(b *testing.B) {
	env, _ := celEnv()
	ast, _ := env.Compile("size(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only")
	vars := testVars()
	for _, tc := range []struct {
		name string
		opts []cel.ProgramOption
		ctx  bool
	}{
		{"plain", nil, false},
		{"optimize", []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}, false},
		{"cost", []cel.ProgramOption{cel.CostLimit(celCostLimit)}, false},
		{"interrupt-ctx", []cel.ProgramOption{cel.InterruptCheckFrequency(100)}, true},
		{"plain-ctx", nil, true},
		{"all", []cel.ProgramOption{cel.CostLimit(celCostLimit), cel.InterruptCheckFrequency(100)}, true},
	} {
		prg, _ := env.Program(ast, tc.opts...)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if tc.ctx {
					prg.ContextEval(b.Context(), celVars(vars))
				} else {
					prg.Eval(celVars(vars))
				}
			}
		})
	}
}
