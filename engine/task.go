package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/plan"
)

// vars builds the context a task's expressions see: only the envelopes it
// reads, which have all ended.
func (rs *runState) vars(t *task) eval.Vars {
	tasks := make(map[string]any, len(t.reads)+len(t.readsFin)+1)
	for _, i := range t.reads {
		tasks[rs.c.tasks[i].ID] = rs.views[i]
	}
	for _, i := range t.readsFin {
		tasks[rs.c.finally[i].ID] = rs.fviews[i]
	}
	return eval.Vars{"inputs": rs.inputs, "tasks": tasks, "event": rs.event, "run": rs.runInfo}
}

// engineFailure is a task failure of the engine's own making (a template,
// expression or input type error): never retried.
func engineFailure(t *task, err error) actions.Envelope {
	return actions.Fail(t.spec.FailureIndicator(), 0, err.Error(), err)
}

// runTask runs one task to its end: when, for_each, attempts, polling.
func (rs *runState) runTask(ctx context.Context, t *task, idx int) result {
	log := rs.log.Named(t.ID).With("task", t.ID, "command", t.Run)
	start := rs.r.clock.Now()
	vars := rs.vars(t)
	finish := func(tr *TaskReport, st plan.Status) result {
		end := rs.r.clock.Now()
		tr.StartedAt, tr.FinishedAt, tr.Status = &start, &end, st
		log.Info("task finished", "status", st, "attempts", tr.Attempts)
		return result{idx: idx, rep: tr, status: st}
	}
	log.Info("task started")
	if t.forEach == nil {
		ir := rs.runItem(ctx, t, vars, -1, log)
		tr := rs.envelopeReport(t, ir.env)
		tr.Attempts, tr.With, tr.AttemptLog, tr.AttemptLogOmitted = ir.attempts, actions.MaskSensitive(ir.with), ir.log, ir.logOmitted
		return finish(tr, ir.status(ctx))
	}
	list, err := t.forEach.eval(ctx, vars, rs.c.Playbook.File, "for_each")
	if err == nil {
		if _, ok := list.([]any); !ok && list != nil {
			err = fmt.Errorf("for_each must give a list, got %s", typeName(list))
		}
	}
	if err != nil {
		return finish(rs.envelopeReport(t, engineFailure(t, err)), plan.Failed)
	}
	items, _ := list.([]any)
	results := make([]itemResult, len(items))
	each(ctx, rs.r.flow, len(items), max(t.Concurrency, 1), func(i int) {
		results[i] = rs.runItem(ctx, t, itemVars(vars, items[i], i), i, log)
	})
	tr, st := rs.mergeItems(ctx, t, results)
	return finish(tr, st)
}

func itemVars(base eval.Vars, item any, i int) eval.Vars {
	v := make(eval.Vars, len(base)+2)
	for k, x := range base {
		v[k] = x
	}
	v["item"], v["index"] = item, int64(i)
	return v
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64, int:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// itemResult is the outcome of one item (or of a task without for_each).
type itemResult struct {
	env      actions.Envelope
	attempts int
	log      []Attempt
	// logOmitted counts the calls past MaxAttemptLog, not logged.
	logOmitted int
	with       map[string]any
	cancelled  bool
	dryRun     bool // a mutating call a dry run did not make
}

func (ir itemResult) status(ctx context.Context) plan.Status {
	if ir.cancelled {
		return plan.Cancelled
	}
	if ir.dryRun {
		return plan.DryRun
	}
	if ir.env.ReturnData == actions.Failed {
		return plan.Failed
	}
	return plan.Succeeded
}

// mergeItems folds for_each items: raw_data in item order, Key Fields
// concatenated, Return Data by how many items failed.
func (rs *runState) mergeItems(ctx context.Context, t *task, items []itemResult) (*TaskReport, plan.Status) {
	raw := make([]any, len(items))
	keys := make(map[string][]any, len(t.keyNames))
	for _, k := range t.keyNames {
		keys[k] = []any{}
	}
	withs := make([]any, len(items))
	var log []Attempt
	omitted := 0
	var failed []string
	var firstErr *actions.Error
	attempts, partial, cancelled, dry := 0, false, false, false
	for i, it := range items {
		raw[i] = it.env.RawData
		withs[i] = actions.MaskSensitive(it.with)
		attempts += it.attempts
		room := max(MaxAttemptLog-len(log), 0)
		log = append(log, it.log[:min(room, len(it.log))]...)
		omitted += max(len(it.log)-room, 0) + it.logOmitted
		for k, v := range it.env.KeyFields {
			keys[k] = append(keys[k], v...)
		}
		cancelled = cancelled || it.cancelled
		dry = dry || it.dryRun
		switch it.env.ReturnData {
		case actions.Failed:
			failed = append(failed, strconv.Itoa(i))
			if firstErr == nil {
				firstErr = it.env.Error
			}
		case actions.PartiallySuccessful:
			partial = true
		}
	}
	tr := &TaskReport{RawData: raw, KeyFields: keys, Attempts: attempts, With: withs, ReturnData: actions.Successful,
		AttemptLog: log, AttemptLogOmitted: omitted}
	tr.Result = fmt.Sprintf("<table><tr><th>Items</th><td>%d</td></tr><tr><th>Failed</th><td>%d</td></tr></table>", len(items), len(failed))
	st := plan.Succeeded
	switch {
	case cancelled:
		st = plan.Cancelled
		tr.ReturnData = actions.Failed
		tr.Error = firstErr
	case len(failed) > 0 && len(failed) == len(items):
		st, tr.ReturnData = plan.Failed, actions.Failed
	case len(failed) > 0:
		tr.ReturnData = actions.PartiallySuccessful
	case partial:
		tr.ReturnData = actions.PartiallySuccessful
	}
	if dry && st == plan.Succeeded {
		st = plan.DryRun
	}
	if len(failed) > 0 && firstErr != nil {
		e := *firstErr
		e.Message = fmt.Sprintf("items %s failed: %s", strings.Join(failed, ", "), firstErr.Message)
		tr.Error = &e
	}
	return tr, st
}

// envelopeReport turns an envelope into a task report, with every Key
// Field the command declares present.
func (rs *runState) envelopeReport(t *task, env actions.Envelope) *TaskReport {
	kf := env.KeyFields
	if kf == nil {
		kf = make(map[string][]any, len(t.keyNames))
	}
	for _, k := range t.keyNames {
		if _, ok := kf[k]; !ok {
			kf[k] = []any{}
		}
	}
	return &TaskReport{ReturnData: env.ReturnData, RawData: env.RawData, KeyFields: kf, Result: env.Result, Error: env.Error}
}

// runItem runs the attempts and polls of one item.
func (rs *runState) runItem(ctx context.Context, t *task, vars eval.Vars, item int, log hclog.Logger) itemResult {
	var ir itemResult
	file := rs.c.Playbook.File
	w, err := t.with.eval(ctx, vars, file, "with")
	if err != nil {
		ir.env = engineFailure(t, err)
		return ir
	}
	with, _ := w.(map[string]any)
	ir.with = with
	if !t.spec.Local {
		for name := range t.dynamic {
			if t.allowEmpty[name] {
				continue
			}
			if v, ok := with[name]; ok && isEmpty(v) {
				if dep := rs.dryRunRead(t); dep != "" {
					// The value would have come from a call the dry run
					// did not make: this task cannot be called either.
					ir.env, ir.dryRun = rs.dryRunBlocked(t, name, dep), true
					return ir
				}
				ir.env = engineFailure(t, fmt.Errorf("%s resolved to no values", name))
				return ir
			}
		}
	}
	inputs, err := t.spec.CoerceInputs(with)
	if err != nil {
		ir.env = engineFailure(t, err)
		return ir
	}
	if t.Timeout > 0 {
		te := &TimeoutError{Task: t.ID, After: t.Timeout}
		var cancel context.CancelFunc
		ctx, cancel = rs.r.flow.WithTimeout(ctx, t.Timeout, te)
		defer cancel()
	}
	maxAttempts, polls, tries := 1, 0, 0
	if t.Retry != nil {
		maxAttempts = t.Retry.Attempts
	}
	var conn *actions.Connection
	if t.spec.Connection != "" {
		conn = rs.r.conns[t.Connection]
	}
	for {
		ir.attempts++
		tries++
		call := Call{RunID: rs.id, Task: t.ID, Item: item, Attempt: ir.attempts, Spec: t.spec, Command: t.cmd,
			Inputs: inputs, Connection: conn, Logger: log}
		if item >= 0 {
			call.ItemValue = vars["item"]
		}
		var env actions.Envelope
		began := rs.r.clock.Now()
		mocked := false
		if rs.r.mock != nil && !(rs.r.dryRun && t.spec.Mutates) {
			env, mocked = rs.r.mock(call)
		}
		switch {
		case mocked:
		case rs.r.dryRun && t.spec.Mutates:
			ir.env, ir.dryRun = rs.dryRun(ctx, t, item, call), true
			ir.attempts = 0 // no call was made
			return ir
		case t.sub != nil:
			env = rs.runSub(ctx, t, call, inputs)
		default:
			env = rs.r.exec.Execute(ctx, call)
		}
		if len(ir.log) < MaxAttemptLog {
			ir.log = append(ir.log, attempt(item, ir.attempts, began, rs.r.clock.Now(), env))
		} else {
			ir.logOmitted++
		}
		if ctx.Err() != nil {
			if te, ok := context.Cause(ctx).(*TimeoutError); ok && te.Task == t.ID {
				ir.env = actions.Fail(t.spec.FailureIndicator(), 0, te.Error(), te)
			} else {
				ir.env = env
				if ir.env.ReturnData != actions.Failed {
					ir.env = actions.Fail(t.spec.FailureIndicator(), 0, context.Cause(ctx).Error(), context.Cause(ctx))
				}
				ir.cancelled = true
			}
			return ir
		}
		rs.extractKeys(t, &env)
		ir.env = env
		if env.ReturnData == actions.Failed {
			if tries >= maxAttempts {
				return ir
			}
			retry, err := rs.shouldRetry(ctx, t, vars, &ir)
			if err != nil {
				ir.env = engineFailure(t, err)
				return ir
			}
			if !retry {
				return ir
			}
			wait := rs.backoff(t, tries)
			rs.emit(Event{Kind: TaskRetrying, Task: t.ID, Attempt: ir.attempts, Error: env.Error, Duration: wait})
			log.Info("task retrying", "attempt", ir.attempts, "wait", wait)
			if rs.sleep(ctx, t, wait, &ir) {
				return ir
			}
			continue
		}
		if t.until == nil {
			return ir
		}
		polls++
		tries = 0
		ok, err := evalBool(ctx, t.until, t.Task.Until, selfVars(vars, t, &ir), file, "until")
		if err != nil {
			ir.env = engineFailure(t, err)
			return ir
		}
		if ok {
			return ir
		}
		if polls >= t.Repeat.Max {
			ir.env.ReturnData = actions.Failed
			ir.env.Error = &actions.Error{FailureIndicator: t.spec.FailureIndicator(), Message: fmt.Sprintf("until not met after %d polls", polls)}
			return ir
		}
		if rs.sleep(ctx, t, t.Repeat.Every, &ir) {
			return ir
		}
	}
}

// attemptErrorMax bounds an attempt's error message; the task's envelope
// keeps the whole message of its last attempt.
const attemptErrorMax = 300

func attempt(item, n int, began, ended time.Time, env actions.Envelope) Attempt {
	a := Attempt{Attempt: n, StartedAt: began, FinishedAt: ended, ReturnData: env.ReturnData}
	if item >= 0 {
		a.Item = &item
	}
	if e := env.Error; e != nil {
		a.StatusCode, a.Error = e.StatusCode, truncate(e.Message, attemptErrorMax)
	}
	return a
}

// sleep waits d; it reports true (with ir set) when the wait was cut short.
func (rs *runState) sleep(ctx context.Context, t *task, d time.Duration, ir *itemResult) bool {
	if err := rs.r.clock.Sleep(ctx, d); err == nil {
		return false
	}
	cause := context.Cause(ctx)
	if te, ok := cause.(*TimeoutError); ok && te.Task == t.ID {
		ir.env = actions.Fail(t.spec.FailureIndicator(), 0, te.Error(), te)
		return true
	}
	if cause == nil {
		cause = context.Canceled
	}
	ir.env = actions.Fail(t.spec.FailureIndicator(), 0, cause.Error(), cause)
	ir.cancelled = true
	return true
}

// selfVars adds the task's latest envelope as tasks.<id>, for until and
// retry_if.
func selfVars(vars eval.Vars, t *task, ir *itemResult) eval.Vars {
	tasks, _ := vars["tasks"].(map[string]any)
	own := make(map[string]any, len(tasks)+1)
	for k, v := range tasks {
		own[k] = v
	}
	tr := &TaskReport{ReturnData: ir.env.ReturnData, RawData: ir.env.RawData, KeyFields: ir.env.KeyFields,
		Result: ir.env.Result, Error: ir.env.Error, Attempts: ir.attempts, Status: plan.Running}
	own[t.ID] = tr.view()
	out := make(eval.Vars, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	out["tasks"] = own
	return out
}

// shouldRetry applies retry_if, or by default retries no response, 429
// and 5xx. Engine failures never reach here.
func (rs *runState) shouldRetry(ctx context.Context, t *task, vars eval.Vars, ir *itemResult) (bool, error) {
	if t.retryIf != nil {
		return evalBool(ctx, t.retryIf, t.Retry.RetryIf, selfVars(vars, t, ir), rs.c.Playbook.File, "retry_if")
	}
	e := ir.env.Error
	if e == nil {
		return false, nil
	}
	var ee *EvalError
	if errors.As(e.Err, &ee) {
		return false, nil
	}
	return e.StatusCode == 0 || e.StatusCode == 429 || e.StatusCode >= 500, nil
}

// backoff is the wait before retry n+1: backoff·2^(n-1), capped, jittered.
func (rs *runState) backoff(t *task, n int) time.Duration {
	base := t.Retry.Backoff
	if base <= 0 {
		return 0
	}
	d := base
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	if m := t.Retry.MaxBackoff; m > 0 && d > m {
		d = m
	}
	return rs.r.jitter(d)
}

// extractKeys adds the task's key_fields: JSONPaths over its raw data.
func (rs *runState) extractKeys(t *task, env *actions.Envelope) {
	if len(t.keys) == 0 {
		return
	}
	if env.KeyFields == nil {
		env.KeyFields = map[string][]any{}
	}
	for _, k := range t.keys {
		v := k.path.Get(env.RawData)
		switch x := v.(type) {
		case nil:
			env.KeyFields[k.name] = []any{}
		case []any:
			env.KeyFields[k.name] = x
		default:
			env.KeyFields[k.name] = []any{x}
		}
	}
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	}
	return false
}
