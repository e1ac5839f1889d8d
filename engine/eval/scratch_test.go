package eval

import (
	"context"
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	vars := Vars{"inputs": map[string]any{"n": int64(3), "report_only": false}, "tasks": map[string]any{"x": map[string]any{"raw_data": map[string]any{"count": int64(2), "f": 7.5}, "return_data": "Failed"}}}
	for _, lang := range []Lang{CEL, Expr} {
		for _, src := range []string{
			"tasks.x.raw_data.count + 1 == 3", "inputs.n * 2", "tasks.x.raw_data.f > 7", "item", "item == null", "tasks.x.return_data in ['Failed', 'Partially Successful']",
			"tasks.x.raw_data.missing", "tasks.a.return_data ==", "inputs.x &&& true", "foo + 1", "task.a", "tasks.x.raw_data.count / 0", "[1, 2, {'a': 1}]", "{'a': [1.5, 2]}",
			"tasks.y.raw_data", "1 +\n  foo", "\"é\" + bar", "jsonpath(tasks, 'x')", "size(tasks)",
		} {
			p, err := Compile(lang, src, Options{})
			if err != nil {
				e := err.(*Error)
				fmt.Printf("%s %q: compile error off=%d msg=%q hint=%q\n", lang, src, e.Offset, e.Msg, e.Hint)
				continue
			}
			v, err := p.Eval(context.Background(), vars)
			if err != nil {
				e := err.(*Error)
				fmt.Printf("%s %q: eval error off=%d msg=%q\n", lang, src, e.Offset, e.Msg)
				continue
			}
			fmt.Printf("%s %q: %#v refs=%v\n", lang, src, v, p.Refs())
		}
	}
}
