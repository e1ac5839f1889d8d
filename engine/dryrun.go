package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/plan"
)

// dryRun is the envelope of a mutating call a dry run does not make: the
// request it would have sent, recorded as a side effect.
func (rs *runState) dryRun(ctx context.Context, t *task, item int, call Call) actions.Envelope {
	var p actions.Preview
	var ok bool
	var err error
	if pe, remote := rs.r.exec.(PreviewExecutor); remote {
		p, ok, err = pe.Preview(ctx, call)
	} else if pv, has := t.cmd.(actions.Previewer); has {
		p, err = pv.Preview(actions.Request{Task: t.ID, Inputs: call.Inputs, Connection: call.Connection, Logger: call.Logger})
		ok = true
	}
	if err != nil {
		return actions.Fail(t.spec.FailureIndicator(), 0, err.Error(), err)
	}
	var request any = map[string]any{"inputs": actions.Normalize(call.Inputs)}
	if ok {
		request = p
	}
	se := SideEffect{Task: t.ID, Command: t.Run, Request: request}
	if item >= 0 {
		se.Item = &item
	}
	rs.addEffects(se)
	raw := map[string]any{"dry_run": true, "command": t.Run, "would_send": request}
	return actions.Envelope{ReturnData: actions.Successful, RawData: raw, KeyFields: map[string][]any{},
		Result: "<table><tr><th>Dry run</th><td>" + t.Run + " not called</td></tr></table>"}
}

// dryRunRead returns a task that t reads whose call a dry run did not
// make, or "".
func (rs *runState) dryRunRead(t *task) string {
	if !rs.r.dryRun {
		return ""
	}
	for _, i := range t.reads {
		if i < len(rs.views) && rs.views[i] != nil && rs.views[i]["status"] == string(plan.DryRun) {
			return rs.c.tasks[i].ID
		}
	}
	return ""
}

// dryRunBlocked is the envelope of a task a dry run cannot call because an input
// comes from a call it did not make.
func (rs *runState) dryRunBlocked(t *task, input, dep string) actions.Envelope {
	why := fmt.Sprintf("%s resolved to no values: it comes from task %s, which the dry run did not call", input, dep)
	raw := map[string]any{"dry_run": true, "command": t.Run, "not_called": why}
	return actions.Envelope{ReturnData: actions.Successful, RawData: raw, KeyFields: map[string][]any{},
		Result: "<table><tr><th>Dry run</th><td>" + t.Run + " not called: " + why + "</td></tr></table>"}
}

func (rs *runState) addEffects(se ...SideEffect) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.effects = append(rs.effects, se...)
}

// sideEffects returns the recorded side effects in task order, then item
// order: items and tasks record them concurrently.
func (rs *runState) sideEffects() []SideEffect {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	order := map[string]int{}
	for i, t := range rs.c.tasks {
		order[t.ID] = i
	}
	for i, t := range rs.c.finally {
		order[t.ID] = len(rs.c.tasks) + i
	}
	top := func(task string) string {
		for i := range len(task) {
			if task[i] == '/' {
				return task[:i]
			}
		}
		return task
	}
	out := slices.Clone(rs.effects)
	slices.SortStableFunc(out, func(a, b SideEffect) int {
		if d := order[top(a.Task)] - order[top(b.Task)]; d != 0 {
			return d
		}
		ai, bi := -1, -1
		if a.Item != nil {
			ai = *a.Item
		}
		if b.Item != nil {
			bi = *b.Item
		}
		return ai - bi
	})
	return out
}
