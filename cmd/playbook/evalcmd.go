package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/console"
	"github.com/playbook-sh/playbook/engine/eval"
)

// evalOptions are the flags of playbook eval.
type evalOptions struct {
	expr   string
	report string
	run    string
	state  string
	config string
	lang   string
}

func (e *env) eval(ctx context.Context, args []string) int {
	o := &evalOptions{}
	fs := newFlags("eval", "eval EXPR (--report RUN.json | --run ID [--state P | --config F]) [--lang cel|expr]", e.stderr)
	fs.StringVar(&o.report, "report", "", "a JSON run report (playbook run --report F or --format json)")
	fs.StringVar(&o.run, "run", "", "a run in the state store: its id or a unique prefix of 6 or more characters")
	fs.StringVar(&o.state, "state", "", "with --run: the state file (default: --config's state:, else $PLAYBOOK_STATE, else the user's state directory)")
	fs.StringVar(&o.config, "config", "", "with --run: the serve file, for its state:")
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
	if (o.report == "") == (o.run == "") {
		fmt.Fprintln(e.stderr, "playbook eval: give one of --report RUN.json or --run ID")
		return exitUsage
	}
	var rec *engine.Recorded
	if o.run != "" {
		if rec, err = e.recordedRun(ctx, o); err != nil {
			fmt.Fprintf(e.stderr, "playbook eval: %v\n", err)
			return exitUsage
		}
	} else {
		b, err := os.ReadFile(o.report)
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook eval: %v\n", err)
			return exitUsage
		}
		if rec, err = engine.ReadReport(b); err != nil {
			fmt.Fprintf(e.stderr, "playbook eval: %s: %v\n", o.report, err)
			return exitUsage
		}
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

// recordedRun reads a run from the state store. A finished run is read
// from its report; a running or interrupted one from the task reports
// checkpointed so far, which stderr says.
func (e *env) recordedRun(ctx context.Context, o *evalOptions) (*engine.Recorded, error) {
	st, err := e.openListState(ctx, &listFlags{state: o.state, config: o.config})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	r, err := st.GetRun(ctx, o.run)
	if err != nil {
		return nil, err
	}
	if len(r.Report) > 0 {
		rec, err := engine.ReadReport(r.Report)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", r.ID, err)
		}
		return rec, nil
	}
	tasks, err := st.Tasks(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "run %s is %s: evaluating against the %d task(s) it has finished\n", r.ID, strings.ToLower(r.Status), len(tasks))
	b, err := console.PartialReport(r, tasks, nil)
	if err != nil {
		return nil, err
	}
	return engine.ReadReport(b)
}
