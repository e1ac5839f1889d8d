package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/plan"
)

// Names the workflow and the activity are registered under: stable, so
// runs started by one version of playbook are served by the next.
const (
	WorkflowName = "playbook.run"
	ActivityName = "playbook.call"
	// PreviewActivityName describes, for a dry run, the request a
	// mutating call would send.
	PreviewActivityName = "playbook.preview"
	// ProgressQuery answers a run's progress events from a given index.
	ProgressQuery = "progress"
)

// RunInput starts a run. It holds data only: the playbook's text, never a
// credential.
type RunInput struct {
	// File is the playbook's path as the run was started with it; it keys
	// Sources and names the file in errors.
	File string `json:"file"`
	// Sources are the texts of the playbook and its sub-playbooks
	// ([engine.Compiled.Sources]).
	Sources map[string]string `json:"sources"`
	// Inputs are the bound inputs; Event the ingested event (null for
	// none).
	Inputs json.RawMessage `json:"inputs,omitempty"`
	Event  json.RawMessage `json:"event,omitempty"`
	// Concurrency overrides the default of tasks running at once.
	Concurrency int `json:"concurrency,omitempty"`
	// DryRun makes no mutating call ([engine.WithDryRun]).
	DryRun bool `json:"dry_run,omitempty"`
	// RunID is the run's id when it is not the workflow's: a
	// sub-playbook's child workflow has its parent's.
	RunID string `json:"run_id,omitempty"`
}

// NewRunInput builds a run's input from a compiled playbook.
func NewRunInput(c *engine.Compiled, inputs map[string]any, event any) (RunInput, error) {
	in := RunInput{File: c.Playbook.File, Sources: map[string]string{}}
	for path, src := range c.Sources() {
		in.Sources[path] = string(src)
	}
	var err error
	if in.Inputs, err = json.Marshal(inputs); err != nil {
		return in, fmt.Errorf("inputs: %w", err)
	}
	if event != nil {
		if in.Event, err = json.Marshal(event); err != nil {
			return in, fmt.Errorf("event: %w", err)
		}
	}
	return in, nil
}

// Progress is one progress event, as the ProgressQuery answers it.
type Progress struct {
	Kind       engine.EventKind `json:"kind"`
	Task       string           `json:"task"`
	Status     plan.Status      `json:"status,omitempty"`
	Reason     string           `json:"reason,omitempty"`
	Attempt    int              `json:"attempt,omitempty"`
	DurationMS int64            `json:"duration_ms,omitempty"`
	Error      *actions.Error   `json:"error,omitempty"`
}

// Run is the playbook workflow: it compiles the playbook from the input's
// sources and runs it with the engine, each call an activity. Its result
// is the run report ([engine.Report.JSON]); a playbook that does not
// compile fails the workflow without retry.
func (w *Worker) Run(ctx workflow.Context, in RunInput) (json.RawMessage, error) {
	sources := make(map[string][]byte, len(in.Sources))
	for p, s := range in.Sources {
		sources[p] = []byte(s)
	}
	c, err := engine.CompileSources(in.File, sources, w.Registry)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidPlaybook", nil)
	}
	inputs := map[string]any{}
	if len(in.Inputs) > 0 && string(in.Inputs) != "null" {
		v, err := actions.DecodeJSON(in.Inputs)
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError("inputs: "+err.Error(), "InvalidInput", nil)
		}
		inputs, _ = v.(map[string]any)
	}
	if inputs, err = c.BindInputs(inputs); err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidInput", nil)
	}
	var event any
	if len(in.Event) > 0 {
		if event, err = actions.DecodeJSON(in.Event); err != nil {
			return nil, temporal.NewNonRetryableApplicationError("event: "+err.Error(), "InvalidInput", nil)
		}
	}

	info := workflow.GetInfo(ctx)
	runID := in.RunID
	if runID == "" {
		runID = info.WorkflowExecution.ID
	}
	fl := newFlow(ctx)
	var progress []Progress
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func(from int) ([]Progress, error) {
		return progress[min(max(from, 0), len(progress)):], nil
	}); err != nil {
		return nil, err
	}
	// Connections are bound by name only: the activity resolves them.
	conns := map[string]*actions.Connection{}
	for _, cd := range c.Playbook.Connections {
		conns[cd.Name] = &actions.Connection{Name: cd.Name, Integration: cd.Integration}
	}
	h := fnv.New64a()
	io.WriteString(h, info.WorkflowExecution.ID)
	rng := rand.New(rand.NewPCG(h.Sum64(), 0))
	opts := []engine.Option{
		engine.WithFlow(fl),
		engine.WithClock(fl),
		engine.WithConnections(conns),
		engine.WithRunID(func() string { return runID }),
		// Deterministic: the same waits on replay.
		engine.WithJitter(func(d time.Duration) time.Duration { return d/2 + time.Duration(rng.Int64N(int64(d/2)+1)) }),
		engine.WithLogger(w.workflowLogger(ctx)),
		engine.WithObserver(func(e engine.Event) {
			progress = append(progress, Progress{Kind: e.Kind, Task: e.Task, Status: e.Status, Reason: e.Reason,
				Attempt: e.Attempt, DurationMS: e.Duration.Milliseconds(), Error: e.Error})
		}),
	}
	if in.Concurrency > 0 {
		opts = append(opts, engine.WithConcurrency(in.Concurrency))
	}
	if in.DryRun {
		opts = append(opts, engine.WithDryRun(true))
	}
	exec := &callExecutor{f: fl, w: w, id: info.WorkflowExecution.ID, runID: runID, dryRun: in.DryRun, concurrency: in.Concurrency}
	rep, err := engine.New(exec, opts...).Run(fl.goRoot, c, engine.Params{Inputs: inputs, Event: event})
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "RunNotStarted", nil)
	}
	return rep.JSON()
}

// workflowLogger logs the engine's lines once: not again on replay.
func (w *Worker) workflowLogger(ctx workflow.Context) hclog.Logger {
	if w.Logger == nil {
		return hclog.NewNullLogger()
	}
	out := w.LogOutput
	if out == nil {
		out = os.Stderr
	}
	return hclog.New(&hclog.LoggerOptions{
		Name: w.Logger.Name(), Level: w.Logger.GetLevel(), JSONFormat: w.LogJSON,
		Output: replayWriter{ctx: ctx, w: out},
	})
}

type replayWriter struct {
	ctx workflow.Context
	w   io.Writer
}

func (r replayWriter) Write(p []byte) (int, error) {
	if workflow.IsReplaying(r.ctx) {
		return len(p), nil
	}
	return r.w.Write(p)
}

// callExecutor runs each call as an activity, and each sub-playbook as
// a child workflow with the run's settings.
type callExecutor struct {
	f           *flow
	w           *Worker
	id          string // the workflow's
	runID       string
	dryRun      bool
	concurrency int
}

// childWorkflows is the version from which sub-playbooks run as child
// workflows; before it they ran in their parent's workflow.
const childWorkflows = "sub-playbooks-as-child-workflows"

// RunSub runs a sub-playbook as a child workflow: its own history, its
// own progress, the same report as in the parent. Its id is the parent's,
// the task's, the item's and the attempt's.
func (e *callExecutor) RunSub(ctx context.Context, call engine.Call, sub *engine.Compiled, inputs map[string]any, event any) (*engine.Report, error) {
	wctx := e.f.twin(ctx)
	if workflow.GetVersion(wctx, childWorkflows, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil, engine.ErrRunSubHere
	}
	in, err := NewRunInput(sub, inputs, event)
	if err != nil {
		return nil, err
	}
	in.DryRun, in.Concurrency, in.RunID = e.dryRun, e.concurrency, e.runID
	id := e.id + "/" + call.Task
	if call.Item >= 0 {
		id += fmt.Sprintf("/%d", call.Item)
	}
	id += fmt.Sprintf("/%d", call.Attempt)
	cctx := workflow.WithChildOptions(wctx, workflow.ChildWorkflowOptions{WorkflowID: id,
		// A cancelled child ends with its Cancelled report, which the
		// parent reads as a run in process would.
		WaitForCancellation: true})
	var raw json.RawMessage
	fut := workflow.ExecuteChildWorkflow(cctx, WorkflowName, in)
	e.f.block(func(me workflow.Context) { err = fut.Get(me, &raw) })
	if err != nil {
		e.f.sync()
		if ctx.Err() != nil {
			return nil, cancelCause(ctx)
		}
		return nil, fmt.Errorf("child workflow %s: %s", id, activityMessage(err))
	}
	return engine.DecodeReport(raw)
}

func (e *callExecutor) Execute(ctx context.Context, call engine.Call) actions.Envelope {
	fi := call.Spec.FailureIndicator()
	if w, ok := call.Command.(actions.Waiter); ok {
		// A durable timer, not a worker held for the duration.
		d, env := w.Wait(call.Inputs)
		if err := e.f.Sleep(ctx, d); err != nil {
			return actions.Fail(fi, 0, err.Error(), err)
		}
		return env
	}
	in, err := callInput(call)
	if err != nil {
		return actions.Fail(fi, 0, err.Error(), err)
	}
	wctx, timeout := e.activityContext(ctx)
	var out CallOutput
	var fut workflow.Future
	if call.Spec.Local {
		// Built-ins (core.set, core.fail) never leave the process: a local
		// activity, recorded as a marker, with no round trip to the server.
		fut = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(wctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: timeout,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		}), e.w.localCall, in)
	} else {
		fut = workflow.ExecuteActivity(wctx, ActivityName, in)
	}
	e.f.block(func(me workflow.Context) { err = fut.Get(me, &out) })
	if err != nil {
		e.f.sync()
		var canceled *temporal.CanceledError
		if ctx.Err() != nil || errors.As(err, &canceled) {
			cause := cancelCause(ctx)
			return actions.Fail(fi, 0, cause.Error(), cause)
		}
		return actions.Fail(fi, 0, "activity "+ActivityName+": "+activityMessage(err), err)
	}
	env, err := out.envelope()
	if err != nil {
		return actions.Fail(fi, 0, err.Error(), err)
	}
	return env
}

// cancelCause is why ctx ended (a task's timeout, the run's cancel), or
// context.Canceled for a cancellation that reached the workflow first.
func cancelCause(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return context.Canceled
}

// callInput is the activity's input for a call.
func callInput(call engine.Call) (CallInput, error) {
	in := CallInput{RunID: call.RunID, Task: call.Task, Item: call.Item, Attempt: call.Attempt, Command: call.Spec.Name}
	if call.Connection != nil {
		in.Connection, in.Integration = call.Connection.Name, call.Connection.Integration
	}
	var err error
	if in.Inputs, err = json.Marshal(call.Inputs); err != nil {
		return in, fmt.Errorf("inputs: %w", err)
	}
	return in, nil
}

// activityContext is the workflow context of a call's activity, with its
// options, and the call's timeout.
func (e *callExecutor) activityContext(ctx context.Context) (workflow.Context, time.Duration) {
	wctx := e.f.twin(ctx)
	timeout := e.w.callTimeout()
	if end, ok := ctx.Value(deadlineKey{}).(time.Time); ok {
		// The task's timeout bounds the call too; a second more lets the
		// engine's own timer fire first and report the timeout.
		timeout = min(timeout, max(end.Sub(e.f.Now())+time.Second, time.Second))
	}
	return workflow.WithActivityOptions(wctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    e.w.heartbeatTimeout(),
		RetryPolicy: &temporal.RetryPolicy{
			// Only a lost worker or an unexpected activity error is retried
			// here; vendor failures come back as envelopes, and the
			// playbook's retry decides.
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts:        int32(e.w.lostWorkerAttempts()),
			NonRetryableErrorTypes: []string{errNotConfigured},
		},
	}), timeout
}

// Preview describes a mutating call a dry run does not make, on a worker,
// where the call's connection is.
func (e *callExecutor) Preview(ctx context.Context, call engine.Call) (actions.Preview, bool, error) {
	in, err := callInput(call)
	if err != nil {
		return actions.Preview{}, false, err
	}
	wctx, _ := e.activityContext(ctx)
	var out PreviewOutput
	fut := workflow.ExecuteActivity(wctx, PreviewActivityName, in)
	e.f.block(func(me workflow.Context) { err = fut.Get(me, &out) })
	if err != nil {
		e.f.sync()
		return actions.Preview{}, false, errors.New("activity " + PreviewActivityName + ": " + activityMessage(err))
	}
	if !out.OK {
		return actions.Preview{}, false, nil
	}
	p := actions.Preview{Method: out.Method, URL: out.URL, Headers: out.Headers}
	if len(out.Body) > 0 {
		if p.Body, err = actions.DecodeJSON(out.Body); err != nil {
			return actions.Preview{}, false, fmt.Errorf("preview body: %w", err)
		}
	}
	return p, true, nil
}

// activityMessage is the root cause of an activity error: what the user
// needs, without the SDK's wrapping.
func activityMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	var to *temporal.TimeoutError
	if errors.As(err, &to) {
		return "timed out (" + to.TimeoutType().String() + ")"
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		err = u
	}
	return err.Error()
}
