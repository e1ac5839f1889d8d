package core

import (
	"context"
	"errors"
	"time"

	"github.com/playbook-sh/playbook/actions"
)

// The command names.
const (
	SetName   = "core.set"
	FailName  = "core.fail"
	SleepName = "core.sleep"
)

// Register adds core.set, core.fail and core.sleep to r.
func Register(r *actions.Registry) {
	r.Register(setCommand{}, failCommand{}, sleepCommand{})
}

// returnDataOptions are the four Return Data values; label and wire value
// are the same text.
var returnDataOptions = []actions.Option{
	{Label: string(actions.Successful), Value: string(actions.Successful)},
	{Label: string(actions.Failed), Value: string(actions.Failed)},
	{Label: string(actions.PartiallySuccessful), Value: string(actions.PartiallySuccessful)},
	{Label: string(actions.SuccessfulNoEventData), Value: string(actions.SuccessfulNoEventData)},
}

// setCommand is core.set: it returns its value as Raw Data.
type setCommand struct{}

var setSpec = actions.Spec{
	Name:        SetName,
	Title:       "Set",
	Description: "Returns the given value as Raw Data, with the given Key Fields and Return Data.",
	Inputs: []actions.Input{
		{Name: "value", Type: actions.Any, Description: "Any value; it becomes the task's raw_data."},
		{Name: "key_fields", Type: actions.Object, Description: "Key Fields by name; a list stays a list, any other value becomes a list of one."},
		{Name: "return_data", Type: actions.String, Options: returnDataOptions, Description: "Return Data to report instead of Successful."},
	},
	Local: true,
}

func (setCommand) Spec() actions.Spec { return setSpec }

func (setCommand) Run(_ context.Context, req actions.Request) actions.Envelope {
	in, err := setSpec.CoerceInputs(req.Inputs)
	if err != nil {
		return actions.Fail(setSpec.FailureIndicator(), 0, err.Error(), err)
	}
	r := actions.Request{Inputs: in}
	var keys map[string][]any
	// Normalize turns any Secret the value holds into "[redacted]": Raw
	// Data and Key Fields are reported.
	if m, _ := actions.Normalize(r.Value("key_fields")).(map[string]any); m != nil {
		keys = make(map[string][]any, len(m))
		for name, v := range m {
			switch x := v.(type) {
			case nil:
				keys[name] = []any{}
			case []any:
				keys[name] = x
			default:
				keys[name] = []any{x}
			}
		}
	}
	env := actions.Succeed(actions.Normalize(r.Value("value")), keys)
	if rd, ok := actions.ParseReturnData(r.String("return_data")); ok {
		env.ReturnData = rd
	}
	if env.ReturnData == actions.Failed {
		env.Error = &actions.Error{
			FailureIndicator: setSpec.FailureIndicator(),
			Message:          "return_data set to Failed",
		}
	}
	return env
}

// failCommand is core.fail: it always fails.
type failCommand struct{}

var failSpec = actions.Spec{
	Name:        FailName,
	Title:       "Fail",
	Description: "Fails with the given Status Code and message.",
	Inputs: []actions.Input{
		{Name: "message", Type: actions.String, Default: "failed", Description: "Message of the error."},
		{Name: "status_code", Type: actions.Integer, Default: int64(0), Min: actions.Float(0), Max: actions.Float(999),
			Description: "Status Code of the error, 0 to 999; retry decides by it as for a vendor's reply."},
	},
	Local: true,
}

func (failCommand) Spec() actions.Spec { return failSpec }

func (failCommand) Run(_ context.Context, req actions.Request) actions.Envelope {
	in, err := failSpec.CoerceInputs(req.Inputs)
	if err != nil {
		return actions.Fail(failSpec.FailureIndicator(), 0, err.Error(), err)
	}
	r := actions.Request{Inputs: in}
	return actions.Fail(failSpec.FailureIndicator(), int(r.Int("status_code")), r.String("message"), nil)
}

// sleepCommand is core.sleep: it waits, or fails when cancelled first.
type sleepCommand struct{}

var sleepSpec = actions.Spec{
	Name:        SleepName,
	Title:       "Sleep",
	Description: "Waits for the given duration.",
	Inputs: []actions.Input{
		{Name: "duration", Type: actions.Duration, Required: true, Description: `How long to wait: "30s", "5m".`},
	},
	Local: true,
}

func (sleepCommand) Spec() actions.Spec { return sleepSpec }

// Wait implements [actions.Waiter].
func (sleepCommand) Wait(inputs map[string]any) (time.Duration, actions.Envelope) {
	d := actions.Request{Inputs: inputs}.Duration("duration")
	return d, slept(d)
}

func slept(d time.Duration) actions.Envelope {
	return actions.Succeed(map[string]any{"slept": d.String()}, nil)
}

func (sleepCommand) Run(ctx context.Context, req actions.Request) actions.Envelope {
	in, err := sleepSpec.CoerceInputs(req.Inputs)
	if err != nil {
		return actions.Fail(sleepSpec.FailureIndicator(), 0, err.Error(), err)
	}
	d := actions.Request{Inputs: in}.Duration("duration")
	if ctx.Err() == nil {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return slept(d)
		case <-ctx.Done():
		}
	}
	return cancelled(ctx)
}

// cancelled is the Failed envelope of a sleep cut short by ctx. Its error
// wraps ctx.Err() and, when set, the context's own cause, so the engine can
// tell a task timeout from a cancelled run.
func cancelled(ctx context.Context) actions.Envelope {
	err, cause := ctx.Err(), context.Cause(ctx)
	msg := "cancelled"
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "timed out"
	}
	if cause != nil && cause != err {
		msg = cause.Error()
		err = errors.Join(err, cause)
	}
	return actions.Fail(sleepSpec.FailureIndicator(), 0, msg, err)
}
