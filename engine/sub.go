package engine

import (
	"context"
	"fmt"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/plan"
)

// runSub runs a sub-playbook; its outputs are the task's raw data. The
// sub-playbook inherits the run's connections by name.
func (rs *runState) runSub(ctx context.Context, t *task, inputs map[string]any) actions.Envelope {
	given, _ := inputs["inputs"].(map[string]any)
	bound, err := t.sub.BindInputs(given)
	if err != nil {
		return actions.Fail(t.spec.FailureIndicator(), 0, "sub-playbook "+t.sub.Playbook.Name+": "+err.Error(), err)
	}
	child := *rs.r
	child.observer = nil // the parent reports the task; the sub-run's tasks are in its own report
	child.log = rs.log.Named("sub").With("task", t.ID)
	if m := rs.r.mock; m != nil {
		// The sub-playbook's tasks are mocked as "task/subtask".
		child.mock = func(c Call) (actions.Envelope, bool) {
			c.Task = t.ID + "/" + c.Task
			return m(c)
		}
	}
	rep, err := child.Run(ctx, t.sub, Params{Inputs: bound, Event: rs.event})
	if err != nil {
		return actions.Fail(t.spec.FailureIndicator(), 0, err.Error(), err)
	}
	for _, se := range rep.SideEffects {
		se.Task = t.ID + "/" + se.Task
		rs.addEffects(se)
	}
	env := actions.Envelope{RawData: rep.Outputs, Result: fmt.Sprintf("<table><tr><th>Playbook</th><td>%s</td></tr><tr><th>Status</th><td>%s</td></tr></table>", t.sub.Playbook.Name, rep.Status)}
	switch rep.Status {
	case RunSuccessful:
		env.ReturnData = actions.Successful
	case RunPartiallySuccessful:
		env.ReturnData = actions.PartiallySuccessful
	default:
		env.ReturnData = actions.Failed
		msg := "sub-playbook " + t.sub.Playbook.Name + " " + rep.Status
		if rep.Error != "" {
			msg += ": " + rep.Error
		}
		for _, id := range rep.Order {
			if tr := rep.Tasks[id]; tr.Status == plan.Failed && tr.Error != nil {
				msg += fmt.Sprintf(": task %s: %s", id, tr.Error.Message)
				break
			}
		}
		env.Error = &actions.Error{FailureIndicator: t.spec.FailureIndicator(), Message: msg}
	}
	return env
}
