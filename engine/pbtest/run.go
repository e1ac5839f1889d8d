package pbtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/playbook"
	"github.com/playbook-sh/playbook/internal/udiff"
)

// Result is the outcome of one case.
type Result struct {
	File     string
	Case     string
	Failures []string // "FILE:LINE:COL: message" lines; empty when the case passed
	Duration time.Duration
	Report   *engine.Report // nil when the run could not start
}

// Passed reports whether the case met every expectation.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

// Runner runs test files against a command registry.
type Runner struct {
	Registry *actions.Registry
}

// Run runs every case of f. The error is non-nil when the playbook under
// test does not load or the file names tasks it does not have: then no
// case runs (exit 2).
func (r *Runner) Run(ctx context.Context, f *File) ([]*Result, *engine.Compiled, error) {
	c, err := engine.Load(f.Playbook, r.Registry)
	if err != nil {
		return nil, nil, err
	}
	if err := checkNames(f, c); err != nil {
		return nil, c, err
	}
	out := make([]*Result, 0, len(f.Cases))
	for _, tc := range f.Cases {
		out = append(out, r.runCase(ctx, f, c, tc))
	}
	return out, c, nil
}

// Check loads the playbook a test file names and checks the file against
// it (task names in mocks and expectations, assertions), without running
// anything: what `playbook validate` does for a test file.
func Check(f *File, reg *actions.Registry) error {
	c, err := engine.Load(f.Playbook, reg)
	if err != nil {
		return err
	}
	return checkNames(f, c)
}

// checkNames reports mocks and expectations naming tasks the playbook
// does not have.
func checkNames(f *File, c *engine.Compiled) error {
	var errs playbook.ErrorList
	ids := []string{}
	for _, t := range c.Playbook.Tasks {
		ids = append(ids, t.ID)
	}
	for _, t := range c.Playbook.Finally {
		ids = append(ids, t.ID)
	}
	known := func(id string) bool {
		top, _, nested := strings.Cut(id, "/")
		t := c.Playbook.Task(top)
		return t != nil && (!nested || t.Run == engine.SubPlaybook)
	}
	for _, tc := range f.Cases {
		for _, id := range tc.MockOrder {
			if !known(id) {
				errs = append(errs, &playbook.Error{File: f.Path, Pos: tc.Mocks[id].Pos, Msg: fmt.Sprintf("mock for unknown task %q", id), Hint: playbook.Suggest(id, ids)})
			}
		}
		for _, id := range tc.MockOrder {
			mk := tc.Mocks[id]
			if t := c.Playbook.Task(id); t != nil && t.ForEach == nil && (mk.Items != nil || mk.Match != nil) {
				errs = append(errs, &playbook.Error{File: f.Path, Pos: mk.Pos, Msg: fmt.Sprintf("task %q has no for_each: mock it with an envelope or a list of envelopes, not per item", id)})
			}
		}
		for _, te := range tc.Expect.Tasks {
			if c.Playbook.Task(te.ID) == nil {
				errs = append(errs, &playbook.Error{File: f.Path, Pos: te.Pos, Msg: fmt.Sprintf("expectation for unknown task %q", te.ID), Hint: playbook.Suggest(te.ID, ids)})
			}
			for _, a := range te.WithAssert {
				if _, err := compileCond(withEnv, a.Src); err != nil {
					errs = append(errs, condError(f.Path, "with_assert", a, err))
				}
			}
		}
		for _, a := range tc.Expect.Assert {
			if _, err := compileCond(assertEnv, a.Src); err != nil {
				errs = append(errs, condError(f.Path, "assert", a, err))
			}
		}
	}
	return errs.Err()
}

// condError places a condition's compile error at its offset in the
// test file where the condition sits on one line.
func condError(file, what string, a Assertion, err error) *playbook.Error {
	p, msg, hint := a.Pos, err.Error(), ""
	var ee *eval.Error
	if errors.As(err, &ee) {
		msg, hint = ee.Msg, ee.Hint
		if ee.Offset >= 0 && a.OneLine {
			p.Col += len([]rune(a.Src[:min(ee.Offset, len(a.Src))]))
		}
	}
	return &playbook.Error{File: file, Pos: p, Msg: what + ": " + msg, Hint: hint}
}

// mocker answers calls from a case's mocks and records the calls that had
// none.
type mocker struct {
	tc       *Case
	reg      *actions.Registry
	file     string
	mu       sync.Mutex
	unmocked map[string]bool
	problems []string // FILE:LINE:COL: lines about mocks that could not answer
}

func (m *mocker) problem(p playbook.Pos, format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg := fmt.Sprintf("%s:%d:%d: ", m.file, p.Line, p.Col) + fmt.Sprintf(format, args...)
	if !slices.Contains(m.problems, msg) {
		m.problems = append(m.problems, msg)
	}
}

func (m *mocker) answer(call engine.Call) (actions.Envelope, bool) {
	mk := m.tc.Mocks[call.Task]
	if mk == nil {
		if call.Spec.Local {
			return actions.Envelope{}, false // core.* and sub-playbooks run for real
		}
		if m.tc.Sandbox && engine.HasSandbox(m.reg, call.Spec.Integration()) {
			return actions.Envelope{}, false // the integration's fake answers
		}
		m.mu.Lock()
		m.unmocked[call.Task] = true
		m.mu.Unlock()
		msg := "task " + call.Task + " ran with no mock"
		if m.tc.Sandbox {
			msg = "task " + call.Task + ": integration " + call.Spec.Integration() + " has no sandbox fake; mock it"
		}
		return actions.Fail(call.Spec.FailureIndicator(), 0, msg, nil), true
	}
	seq := mk.Seq
	switch {
	case mk.Items != nil:
		if call.Item < 0 || call.Item >= len(mk.Items) {
			m.problem(mk.Pos, "task %s: no mock for item %d (items gives %d)", call.Task, call.Item, len(mk.Items))
			return actions.Fail(call.Spec.FailureIndicator(), 0, fmt.Sprintf("no mock for item %d of task %s", call.Item, call.Task), nil), true
		}
		seq = mk.Items[call.Item]
	case mk.Match != nil:
		var ok bool
		if seq, ok = m.match(mk, call); !ok {
			return actions.Fail(call.Spec.FailureIndicator(), 0, fmt.Sprintf("no mock matched item %d of task %s", call.Item, call.Task), nil), true
		}
	}
	if len(seq) == 0 {
		return actions.Succeed(nil, nil), true
	}
	env := seq[min(call.Attempt-1, len(seq)-1)]
	kf := make(map[string][]any, len(env.KeyFields))
	for k, v := range env.KeyFields {
		kf[k] = v
	}
	env.KeyFields = kf
	if env.Error != nil {
		e := *env.Error
		if e.FailureIndicator == "" {
			e.FailureIndicator = call.Spec.FailureIndicator()
		}
		env.Error = &e
	}
	return env, true
}

// match picks the envelopes of the first rule whose condition holds for
// the call's item.
func (m *mocker) match(mk *Mock, call engine.Call) ([]actions.Envelope, bool) {
	vars := map[string]any{"item": call.ItemValue, "index": int64(call.Item)}
	for _, r := range mk.Match {
		if r.prg == nil {
			return r.Then, true
		}
		ok, err := holds(r.prg, vars)
		if err != nil {
			m.problem(r.Pos, "task %s: when %s, item %d (%s): %v", call.Task, r.When.Src, call.Item, show(call.ItemValue), err)
			return nil, false
		}
		if ok {
			return r.Then, true
		}
	}
	m.problem(mk.Pos, "task %s: no match rule holds for item %d: %s (add a rule with no when: for the rest)", call.Task, call.Item, show(call.ItemValue))
	return nil, false
}

func (r *Runner) runCase(ctx context.Context, f *File, c *engine.Compiled, tc *Case) *Result {
	res := &Result{File: f.Path, Case: tc.Name}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	inputs, err := c.BindInputs(tc.Inputs)
	if err != nil {
		res.Failures = append(res.Failures, fmt.Sprintf("%s:%d:%d: inputs: %v", f.Path, tc.Pos.Line, tc.Pos.Col, err))
		return res
	}
	m := &mocker{tc: tc, reg: r.Registry, file: f.Path, unmocked: map[string]bool{}}
	clock := engine.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var conns map[string]*actions.Connection
	if tc.Sandbox {
		var stop func()
		conns, stop, err = engine.Sandbox(c, r.Registry)
		if err != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("%s:%d:%d: %v", f.Path, tc.Pos.Line, tc.Pos.Col, err))
			return res
		}
		defer stop()
	}
	run := engine.New(engine.LocalExecutor{Registry: r.Registry}, engine.WithConnections(conns),
		engine.WithMock(m.answer), engine.WithClock(clock), engine.WithDryRun(tc.DryRun),
		engine.WithJitter(func(d time.Duration) time.Duration { return d }),
		engine.WithRunID(func() string { return "test-" + tc.Name }))
	rep, err := run.Run(ctx, c, engine.Params{Inputs: inputs, Event: tc.Event})
	if err != nil {
		res.Failures = append(res.Failures, fmt.Sprintf("%s:%d:%d: %v", f.Path, tc.Pos.Line, tc.Pos.Col, err))
		return res
	}
	res.Report = rep
	var unmocked []string
	for id := range m.unmocked {
		unmocked = append(unmocked, id)
	}
	sort.Strings(unmocked)
	for _, id := range unmocked {
		top, _, _ := strings.Cut(id, "/")
		res.Failures = append(res.Failures, taskPos(c, top)+fmt.Sprintf("task %s ran with no mock (add mocks: {%s: {...}} or sandbox: true)", id, id))
	}
	res.Failures = append(res.Failures, m.problems...)
	res.Failures = append(res.Failures, check(f, c, tc, rep)...)
	return res
}

// taskPos is "FILE:LINE:COL: " of a task in the playbook under test.
func taskPos(c *engine.Compiled, id string) string {
	t := c.Playbook.Task(id)
	if t == nil {
		return c.Playbook.File + ": "
	}
	return fmt.Sprintf("%s:%d:%d: ", c.Playbook.File, t.Pos.Line, t.Pos.Col)
}

// check compares the run with the case's expectations.
func check(f *File, c *engine.Compiled, tc *Case, rep *engine.Report) []string {
	var out []string
	at := func(p playbook.Pos) string { return fmt.Sprintf("%s:%d:%d: ", f.Path, p.Line, p.Col) }
	e := tc.Expect
	if e.Status != "" && rep.Status != e.Status {
		msg := fmt.Sprintf("run status = %s, want %s", rep.Status, e.Status)
		if rep.Error != "" {
			msg += " (" + rep.Error + ")"
		}
		out = append(out, at(e.StatusPos)+msg+failedTasks(rep))
	}
	for _, te := range e.Tasks {
		tr := rep.Tasks[te.ID]
		if tr == nil {
			continue
		}
		where := taskPos(c, te.ID) + "task " + te.ID + ": "
		if te.Status != "" && string(tr.Status) != te.Status {
			detail := ""
			switch {
			case tr.Reason != "":
				detail = " (" + tr.Reason + ")"
			case tr.Error != nil:
				detail = " (" + tr.Error.Message + ")"
			}
			out = append(out, where+fmt.Sprintf("status = %s%s, want %s", tr.Status, detail, te.Status))
		}
		if te.Reason != "" && tr.Reason != te.Reason {
			out = append(out, where+fmt.Sprintf("reason = %q, want %q", tr.Reason, te.Reason))
		}
		if te.ReturnData != "" && string(tr.ReturnData) != te.ReturnData {
			out = append(out, where+fmt.Sprintf("return_data = %q, want %q", tr.ReturnData, te.ReturnData))
		}
		if te.Attempts != nil && tr.Attempts != *te.Attempts {
			out = append(out, where+fmt.Sprintf("attempts = %d, want %d", tr.Attempts, *te.Attempts))
		}
		if te.HasWith {
			got := actions.Normalize(tr.With)
			for _, d := range subset(te.With, got, "with") {
				out = append(out, where+d)
			}
		}
		if len(te.WithAssert) > 0 {
			vars := map[string]any{"with": actions.Normalize(tr.With)}
			for _, a := range te.WithAssert {
				ok, err := evalCond(withEnv, a.Src, vars)
				switch {
				case err != nil:
					out = append(out, at(a.Pos)+fmt.Sprintf("task %s: with_assert %s: %v", te.ID, a.Src, err))
				case !ok:
					out = append(out, at(a.Pos)+fmt.Sprintf("task %s: with_assert %s: false; with = %s", te.ID, a.Src, show(tr.With)))
				}
			}
		}
	}
	names := make([]string, 0, len(e.Outputs))
	for k := range e.Outputs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		got, ok := rep.Outputs[k]
		if !ok {
			out = append(out, at(e.OutputPos[k])+fmt.Sprintf("output %s is missing%s", k, runError(rep)))
			continue
		}
		if g := actions.Normalize(got); !reflect.DeepEqual(g, e.Outputs[k]) {
			out = append(out, at(e.OutputPos[k])+differs("output "+k, e.Outputs[k], g))
		}
	}
	if len(e.Assert) > 0 {
		vars := reportVars(rep)
		for _, a := range e.Assert {
			ok, err := evalCond(assertEnv, a.Src, vars)
			switch {
			case err != nil:
				out = append(out, at(a.Pos)+fmt.Sprintf("assert %s: %v", a.Src, err))
			case !ok:
				out = append(out, at(a.Pos)+fmt.Sprintf("assert %s: false", a.Src))
			}
		}
	}
	return out
}

func runError(rep *engine.Report) string {
	if rep.Error != "" {
		return " (" + rep.Error + ")"
	}
	return ""
}

// failedTasks names the failed tasks and their messages, for a run status
// that surprised.
func failedTasks(rep *engine.Report) string {
	var parts []string
	for _, id := range rep.Order {
		if tr := rep.Tasks[id]; tr.Status == "failed" && tr.Error != nil {
			parts = append(parts, id+": "+tr.Error.Message)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; failed: " + strings.Join(parts, "; ")
}

// subset compares want with got: maps by the keys want gives, lists and
// scalars whole. It returns one line per difference.
func subset(want, got any, path string) []string {
	wm, ok := want.(map[string]any)
	if !ok {
		if reflect.DeepEqual(want, got) {
			return nil
		}
		return []string{differs(path, want, got)}
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s = %s, want a map with %s", path, show(got), show(want))}
	}
	keys := make([]string, 0, len(wm))
	for k := range wm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		g, has := gm[k]
		if !has {
			out = append(out, fmt.Sprintf("%s.%s is missing, want %s", path, k, show(wm[k])))
			continue
		}
		out = append(out, subset(wm[k], g, path+"."+k)...)
	}
	return out
}

func show(v any) string {
	return compactJSON(v)
}

// shortValue is the longest compact JSON a difference shows on one line.
const shortValue = 60

// differs describes how got differs from want: "NAME = GOT, want WANT"
// for short values, else a unified diff of their indented JSON.
func differs(name string, want, got any) string {
	w, g := show(want), show(got)
	if len(w) <= shortValue && len(g) <= shortValue {
		return fmt.Sprintf("%s = %s, want %s", name, g, w)
	}
	d := udiff.Unified("want", "got", indentJSON(want), indentJSON(got), 3)
	return name + " differs (-want +got):\n" + strings.TrimSuffix(d, "\n")
}

// compileCond compiles a CEL condition in one of the test file's
// environments.
func compileCond(envOf func() (*cel.Env, error), src string) (cel.Program, error) {
	env, err := envOf()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, eval.CELIssue(src, iss)
	}
	if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		return nil, fmt.Errorf("must be a condition (bool), is %s", ast.OutputType())
	}
	return env.Program(ast, cel.CostLimit(10_000_000))
}

var (
	assertEnv = sync.OnceValues(func() (*cel.Env, error) {
		return cel.NewEnv(
			cel.Variable("status", cel.StringType),
			cel.Variable("error", cel.StringType),
			cel.Variable("tasks", cel.MapType(cel.StringType, cel.DynType)),
			cel.Variable("outputs", cel.MapType(cel.StringType, cel.DynType)),
			cel.Variable("inputs", cel.MapType(cel.StringType, cel.DynType)),
			cel.Variable("side_effects", cel.ListType(cel.DynType)),
		)
	})
	// matchEnv is what a match rule's when sees: the for_each item and
	// its index.
	matchEnv = sync.OnceValues(func() (*cel.Env, error) {
		return cel.NewEnv(cel.Variable("item", cel.DynType), cel.Variable("index", cel.IntType))
	})
	// withEnv is what with_assert sees: the task's inputs after
	// templating (a list of them under for_each).
	withEnv = sync.OnceValues(func() (*cel.Env, error) {
		return cel.NewEnv(cel.Variable("with", cel.DynType))
	})
)

// holds evaluates a compiled condition.
func holds(prg cel.Program, vars map[string]any) (bool, error) {
	v, _, err := prg.Eval(vars)
	if err != nil {
		return false, err
	}
	b, ok := v.Value().(bool)
	if !ok {
		return false, fmt.Errorf("gave %v, not a bool", v.Value())
	}
	return b, nil
}

// evalCond compiles a condition in one of the test file's environments
// and evaluates it.
func evalCond(envOf func() (*cel.Env, error), src string, vars map[string]any) (bool, error) {
	prg, err := compileCond(envOf, src)
	if err != nil {
		return false, err
	}
	return holds(prg, vars)
}

// reportVars is the run report as assertions see it: JSON-shaped, with
// every task's full envelope (with included).
func reportVars(rep *engine.Report) map[string]any {
	b, err := rep.JSON()
	if err != nil {
		return map[string]any{}
	}
	v, err := actions.DecodeJSON(b)
	m, _ := v.(map[string]any)
	if err != nil || m == nil {
		return map[string]any{}
	}
	out := map[string]any{"status": m["status"], "error": "", "tasks": m["tasks"], "outputs": m["outputs"], "inputs": m["inputs"], "side_effects": []any{}}
	if e, ok := m["error"].(string); ok {
		out["error"] = e
	}
	if se, ok := m["side_effects"].([]any); ok {
		out["side_effects"] = se
	}
	// A task that did not run still has its fields, so assertions over it
	// evaluate.
	tasks, _ := out["tasks"].(map[string]any)
	for id, tv := range tasks {
		t, _ := tv.(map[string]any)
		full := map[string]any{"status": "", "reason": "", "return_data": "", "raw_data": nil, "key_fields": map[string]any{}, "result": "", "error": nil, "attempts": int64(0), "with": nil}
		for k, x := range t {
			full[k] = x
		}
		tasks[id] = full
	}
	return out
}
