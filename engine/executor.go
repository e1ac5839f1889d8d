package engine

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
)

// Executor runs one attempt of one task. The local [Runner] calls it from
// goroutines, so implementations must be safe for concurrent use.
type Executor interface {
	Execute(ctx context.Context, call Call) actions.Envelope
}

// PreviewExecutor is an Executor that also describes the request of a
// mutating call a dry run does not make, where the call's connection is
// (a Temporal worker's). ok is false for a command with no preview. An
// Executor without it has the engine ask the command itself.
type PreviewExecutor interface {
	Preview(ctx context.Context, call Call) (p actions.Preview, ok bool, err error)
}

// Call is one attempt of one task (one item under for_each).
type Call struct {
	RunID string
	Task  string
	Item  int // the for_each index, -1 without for_each
	// ItemValue is the for_each item (what `item` is in the task's
	// templates); nil without for_each.
	ItemValue any
	Attempt   int // 1-based
	Spec      actions.Spec
	// Command is the registered command, nil when an executor must look it
	// up by Spec.Name (a remote worker).
	Command    actions.Command
	Inputs     map[string]any
	Connection *actions.Connection
	Logger     hclog.Logger
}

// LocalExecutor runs commands in this process.
type LocalExecutor struct {
	Registry *actions.Registry
}

// Execute runs the call's command, recovering a panic into a Failed
// envelope.
func (e LocalExecutor) Execute(ctx context.Context, call Call) (env actions.Envelope) {
	cmd := call.Command
	if cmd == nil && e.Registry != nil {
		cmd, _ = e.Registry.Lookup(call.Spec.Name)
	}
	if cmd == nil {
		return actions.Fail(call.Spec.FailureIndicator(), 0, "command "+call.Spec.Name+" is not registered", nil)
	}
	defer func() {
		if p := recover(); p != nil {
			call.Logger.Error("command panicked", "panic", p)
			env = actions.Fail(call.Spec.FailureIndicator(), 0, "internal error in "+call.Spec.Name, nil)
		}
	}()
	return cmd.Run(ctx, actions.Request{Task: call.Task, Inputs: call.Inputs, Connection: call.Connection, Logger: call.Logger})
}

// Clock is the runner's time source. Tests and `playbook test` use a
// virtual one, so backoff and polling waits cost nothing.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends, returning ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Sleep waits with a timer, never time.Sleep, so cancellation is prompt.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// VirtualClock starts at a given time and moves only when waited on, so
// backoff and polling cost nothing: `playbook test` runs on one.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtualClock returns a virtual clock at start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the clock's time.
func (v *VirtualClock) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Sleep moves the clock on by d at once, unless ctx has ended.
func (v *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	v.mu.Lock()
	v.now = v.now.Add(d)
	v.mu.Unlock()
	return nil
}
