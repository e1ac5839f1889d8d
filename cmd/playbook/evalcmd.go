package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/eval"
)

// evalOptions are the flags of playbook eval.
type evalOptions struct {
	expr   string
	report string
	lang   string
}

func (e *env) eval(ctx context.Context, args []string) int {
	o := &evalOptions{}
	fs := newFlags("eval", "eval EXPR --report RUN.json [--lang cel|expr]", e.stderr)
	fs.StringVar(&o.report, "report", "", "a JSON run report (playbook run --report F or --format json)")
	fs.StringVar(&o.lang, "lang", "cel", "cel or expr (a JSONPath starting $. needs neither)")
	pos, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "playbook eval: give one expression (quote it)")
		fs.Usage()
		return exitUsage
	}
	o.expr = pos[0]
	if o.lang != "cel" && o.lang != "expr" {
		fmt.Fprintf(e.stderr, "playbook eval: --lang must be cel or expr, got %q\n", o.lang)
		return exitUsage
	}
	if o.report == "" {
		fmt.Fprintln(e.stderr, "playbook eval: --report RUN.json is required (runs in a state store come with playbook serve)")
		return exitUsage
	}
	b, err := os.ReadFile(o.report)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook eval: %v\n", err)
		return exitUsage
	}
	rec, err := engine.ReadReport(b)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook eval: %s: %v\n", o.report, err)
		return exitUsage
	}
	v, err := rec.Eval(ctx, eval.Lang(o.lang), o.expr)
	if err != nil {
		printEvalError(e, o.expr, err)
		return exitFailed
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		out = []byte(fmt.Sprint(v))
	}
	fmt.Fprintf(e.stdout, "%s\n(%s)\n", out, engine.TypeName(v))
	return exitOK
}

// printEvalError shows the error under the expression with a caret at its
// position.
func printEvalError(e *env, src string, err error) {
	var ee *eval.Error
	if !errors.As(err, &ee) || ee.Offset < 0 || strings.Contains(src, "\n") {
		fmt.Fprintf(e.stderr, "error: %v\n", err)
		return
	}
	col := len([]rune(src[:min(ee.Offset, len(src))]))
	fmt.Fprintf(e.stderr, "error at 1:%d: %s\n  %s\n  %s^\n", col+1, ee.Error(), src, strings.Repeat(" ", col))
}
