package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/temporal/blob"
)

// Defaults of the CLI's --namespace and --task-queue.
const (
	DefaultNamespace = "default"
	DefaultTaskQueue = "playbook"
)

// Dial connects to a Temporal frontend, logging through log. results,
// when not nil, is the result store of payloads too large for history
// ([NewDataConverter]).
func Dial(ctx context.Context, hostPort, namespace string, log hclog.Logger, results blob.Store) (client.Client, error) {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: namespace, Logger: Logger(log),
		DataConverter: NewDataConverter(results)})
	if err != nil {
		return nil, fmt.Errorf("temporal %s: %w", hostPort, err)
	}
	return c, nil
}

// Start starts a run as a workflow with the given id: a second start with
// the id of a run still going, or of one that completed, starts nothing
// and reports the existing run (a duplicate event delivery).
func Start(ctx context.Context, c client.Client, taskQueue, id string, in RunInput) (client.WorkflowRun, error) {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue,
		// A running workflow with the id is returned as is (the SDK's
		// default); a finished one is not run again.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, WorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return c.GetWorkflow(ctx, id, ""), nil
	}
	if err != nil {
		return nil, fmt.Errorf("start workflow %s: %w", id, err)
	}
	return run, nil
}

// Wait waits for a run's report, passing its progress events to
// onProgress (nil for none) as they happen. When ctx ends first (Ctrl-C),
// it cancels the workflow and waits for the cancelled run's report.
func Wait(ctx context.Context, c client.Client, run client.WorkflowRun, onProgress func(engine.Event)) (*engine.Report, error) {
	return wait(ctx, c, run, onProgress, true)
}

// Follow is Wait without the cancellation: when ctx ends first it returns
// an error wrapping [serve.ErrDetached], and the run goes on.
func Follow(ctx context.Context, c client.Client, run client.WorkflowRun, onProgress func(engine.Event)) (*engine.Report, error) {
	return wait(ctx, c, run, onProgress, false)
}

func wait(ctx context.Context, c client.Client, run client.WorkflowRun, onProgress func(engine.Event), cancel bool) (*engine.Report, error) {
	type outcome struct {
		raw json.RawMessage
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var raw json.RawMessage
		// Not ctx: after a cancellation the report is still to come.
		err := run.Get(context.WithoutCancel(ctx), &raw)
		done <- outcome{raw, err}
	}()
	seen := 0
	poll := func() {
		if onProgress == nil {
			return
		}
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		v, err := c.QueryWorkflow(qctx, run.GetID(), run.GetRunID(), ProgressQuery, seen)
		if err != nil {
			return // not started yet, or finished: the report says the rest
		}
		var evs []Progress
		if v.Get(&evs) != nil {
			return
		}
		for _, p := range evs {
			onProgress(p.event())
		}
		seen += len(evs)
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	cancelled := false
	for {
		select {
		case o := <-done:
			poll()
			if o.err != nil {
				return nil, fmt.Errorf("workflow %s: %w", run.GetID(), rootMessage(o.err))
			}
			return engine.DecodeReport(o.raw)
		case <-tick.C:
			poll()
		case <-ctx.Done():
			if !cancel {
				return nil, fmt.Errorf("workflow %s: %w", run.GetID(), serve.ErrDetached)
			}
			if !cancelled {
				cancelled = true
				if err := c.CancelWorkflow(context.WithoutCancel(ctx), run.GetID(), run.GetRunID()); err != nil {
					return nil, fmt.Errorf("cancel workflow %s: %w", run.GetID(), err)
				}
			}
			ctx = context.WithoutCancel(ctx)
		}
	}
}

func (p Progress) event() engine.Event {
	return engine.Event{Kind: p.Kind, Task: p.Task, Status: p.Status, Reason: p.Reason, Attempt: p.Attempt,
		Duration: time.Duration(p.DurationMS) * time.Millisecond, Error: p.Error}
}

// rootMessage strips the SDK's wrapping from a workflow's failure.
func rootMessage(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// Logger adapts an hclog logger to the SDK's; nil discards.
func Logger(l hclog.Logger) tlog.Logger {
	if l == nil {
		l = hclog.NewNullLogger()
	}
	return sdkLogger{l.Named("temporal")}
}

type sdkLogger struct{ l hclog.Logger }

func (s sdkLogger) Debug(msg string, kv ...any) { s.l.Debug(msg, kv...) }
func (s sdkLogger) Info(msg string, kv ...any)  { s.l.Info(msg, kv...) }
func (s sdkLogger) Warn(msg string, kv ...any)  { s.l.Warn(msg, kv...) }
func (s sdkLogger) Error(msg string, kv ...any) { s.l.Error(msg, kv...) }
func (s sdkLogger) With(kv ...any) tlog.Logger  { return sdkLogger{s.l.With(kv...)} }
