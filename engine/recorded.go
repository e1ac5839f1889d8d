package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// Recorded is the run context of a finished run, rebuilt from its JSON
// report, for evaluating expressions against real data after the fact.
type Recorded struct {
	vars  eval.Vars
	tasks map[string]map[string]any
	// fields are the report's top-level context names, for hints.
	inputs []string
}

// ReadReport rebuilds the run context of a JSON run report. Integers stay
// integers.
func ReadReport(data []byte) (*Recorded, error) {
	v, err := actions.DecodeJSON(data)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	rep, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("read report: not a run report (want a JSON object)")
	}
	tasksIn, ok := rep["tasks"].(map[string]any)
	if !ok {
		return nil, errors.New("read report: not a run report (no tasks)")
	}
	r := &Recorded{tasks: map[string]map[string]any{}}
	tasks := make(map[string]any, len(tasksIn))
	for id, tv := range tasksIn {
		t, _ := tv.(map[string]any)
		view := map[string]any{
			"status": "", "return_data": "", "raw_data": nil, "key_fields": map[string]any{},
			"result": "", "error": nil, "reason": "", "attempts": int64(0),
		}
		for k := range view {
			if x, ok := t[k]; ok {
				view[k] = x
			}
		}
		r.tasks[id] = view
		tasks[id] = view
	}
	inputs, _ := rep["inputs"].(map[string]any)
	if inputs == nil {
		inputs = map[string]any{}
	}
	for k := range inputs {
		r.inputs = append(r.inputs, k)
	}
	sort.Strings(r.inputs)
	runInfo := map[string]any{"id": rep["run_id"], "started_at": rep["started_at"]}
	r.vars = eval.Vars{"inputs": inputs, "tasks": tasks, "event": rep["event"], "run": runInfo}
	return r, nil
}

// Eval evaluates an expression, a `${{ }}` template or a JSONPath (a
// string starting "$.") against the recorded run. Errors are *eval.Error
// with an offset into src and, for unknown names, a "did you mean" over
// the run's own tasks, fields and inputs.
func (r *Recorded) Eval(ctx context.Context, lang eval.Lang, src string) (any, error) {
	opts := eval.Options{JSONPath: compileJSONPath}
	var refs []eval.Ref
	var run func() (any, error)
	if eval.IsTemplate(src) {
		t, err := eval.ParseTemplate(lang, src, opts)
		if err != nil {
			return nil, err
		}
		refs, run = t.Refs(), func() (any, error) { return t.Eval(ctx, r.vars) }
	} else {
		p, err := eval.Compile(lang, src, opts)
		if err != nil {
			return nil, err
		}
		refs, run = p.Refs(), func() (any, error) { return p.Eval(ctx, r.vars) }
	}
	if err := r.checkRefs(refs); err != nil {
		return nil, err
	}
	return run()
}

// checkRefs reports the first reference to a task, field or input the
// recorded run does not have.
func (r *Recorded) checkRefs(refs []eval.Ref) error {
	for _, ref := range refs {
		p := ref.Path
		switch {
		case len(p) > 1 && p[0] == "inputs":
			if !slices.Contains(r.inputs, p[1]) {
				return &eval.Error{Offset: ref.Offset, Msg: fmt.Sprintf("the run has no input %q", p[1]), Hint: playbook.Suggest(p[1], r.inputs)}
			}
		case len(p) > 1 && p[0] == "tasks":
			view, ok := r.tasks[p[1]]
			if !ok {
				ids := make([]string, 0, len(r.tasks))
				for id := range r.tasks {
					ids = append(ids, id)
				}
				sort.Strings(ids)
				hint := playbook.Suggest(p[1], ids)
				if hint == "" {
					hint = "tasks: " + strings.Join(ids, ", ")
				}
				return &eval.Error{Offset: ref.Offset, Msg: fmt.Sprintf("the run has no task %q", p[1]), Hint: hint}
			}
			if len(p) > 2 && !slices.Contains(envelopeFields, p[2]) {
				return &eval.Error{Offset: ref.Offset, Msg: fmt.Sprintf("tasks.%s has no field %q", p[1], p[2]), Hint: playbook.Suggest(p[2], envelopeFields)}
			}
			if len(p) > 3 && p[2] == "key_fields" {
				kf, _ := view["key_fields"].(map[string]any)
				names := make([]string, 0, len(kf))
				for k := range kf {
					names = append(names, k)
				}
				sort.Strings(names)
				if _, ok := kf[p[3]]; !ok {
					return &eval.Error{Offset: ref.Offset, Msg: fmt.Sprintf("tasks.%s.key_fields has no Key Field %q (it has %s)", p[1], p[3], listOrNone(names)), Hint: playbook.Suggest(p[3], names)}
				}
			}
		}
	}
	return nil
}

// TypeName names a JSON-shaped value's type as users see it.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64, int:
		return "int"
	case float64:
		return "double"
	case string:
		return "string"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	}
	return fmt.Sprintf("%T", v)
}
