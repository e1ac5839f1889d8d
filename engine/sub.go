package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/plan"
)

// SubRunner is an Executor that runs a sub-playbook elsewhere (a Temporal
// child workflow) and gives its report. The run's settings (dry run,
// concurrency, run id) are the executor's to pass on. An Executor without
// it has the engine run sub-playbooks in the run itself.
type SubRunner interface {
	RunSub(ctx context.Context, call Call, sub *Compiled, inputs map[string]any, event any) (*Report, error)
}

// ErrRunSubHere, from a [SubRunner], has the engine run the sub-playbook
// in the run after all (a Temporal workflow started before sub-playbooks
// became child workflows replays as it ran).
var ErrRunSubHere = errors.New("run the sub-playbook in the run")

// runSub runs a sub-playbook; its outputs are the task's raw data. The
// sub-playbook inherits the run's connections by name.
func (rs *runState) runSub(ctx context.Context, t *task, call Call, inputs map[string]any) actions.Envelope {
	given, _ := inputs["inputs"].(map[string]any)
	bound, err := t.sub.BindInputs(given)
	if err != nil {
		return actions.Fail(t.spec.FailureIndicator(), 0, "sub-playbook "+t.sub.Playbook.Name+": "+err.Error(), err)
	}
	var rep *Report
	if sr, ok := rs.r.exec.(SubRunner); ok && rs.r.mock == nil {
		rep, err = sr.RunSub(ctx, call, t.sub, bound, rs.event)
	} else {
		err = ErrRunSubHere
	}
	if errors.Is(err, ErrRunSubHere) {
		rep, err = rs.runSubHere(ctx, t, bound)
	}
	if err != nil {
		return actions.Fail(t.spec.FailureIndicator(), 0, err.Error(), err)
	}
	return rs.subEnvelope(t, rep)
}

// runSubHere runs a sub-playbook in this run, with its runner's settings.
func (rs *runState) runSubHere(ctx context.Context, t *task, bound map[string]any) (*Report, error) {
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
	return child.Run(ctx, t.sub, Params{Inputs: bound, Event: rs.event})
}

// subEnvelope is a sub-playbook task's envelope, from its run's report.
func (rs *runState) subEnvelope(t *task, rep *Report) actions.Envelope {
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
