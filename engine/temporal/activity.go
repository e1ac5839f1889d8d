package temporal

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
)

// CallInput is one call: the command, the connection's name and the
// templated inputs. The connection's credentials stay on the worker.
type CallInput struct {
	RunID      string `json:"run_id"`
	Task       string `json:"task"`
	Item       int    `json:"item"`
	Attempt    int    `json:"attempt"`
	Command    string `json:"command"`
	Connection string `json:"connection,omitempty"`
	// Integration is the connection's integration as the playbook
	// declares it.
	Integration string          `json:"integration,omitempty"`
	Inputs      json.RawMessage `json:"inputs"`
}

// CallOutput is the call's envelope. Data travel as JSON text so integers
// stay integers when the workflow reads them back.
type CallOutput struct {
	ReturnData actions.ReturnData `json:"return_data"`
	RawData    json.RawMessage    `json:"raw_data,omitempty"`
	KeyFields  json.RawMessage    `json:"key_fields,omitempty"`
	Result     string             `json:"result,omitempty"`
	Error      *actions.Error     `json:"error,omitempty"`
}

func (o CallOutput) envelope() (actions.Envelope, error) {
	env := actions.Envelope{ReturnData: o.ReturnData, Result: o.Result, Error: o.Error}
	if len(o.RawData) > 0 {
		v, err := actions.DecodeJSON(o.RawData)
		if err != nil {
			return env, fmt.Errorf("raw data: %w", err)
		}
		env.RawData = v
	}
	if len(o.KeyFields) > 0 {
		v, err := actions.DecodeJSON(o.KeyFields)
		if err != nil {
			return env, fmt.Errorf("key fields: %w", err)
		}
		env.KeyFields = engine.KeyFieldsOf(v)
	}
	return env, nil
}

// errNotConfigured is the error type of a call this worker cannot make
// (an unknown command, a connection missing from its connections file):
// not retried.
const errNotConfigured = "NotConfigured"

// Call is the activity: one call of a command, with the connection from
// the worker's connections file. A vendor failure is a Failed envelope,
// not an error; the workflow's retry rules decide what follows.
func (w *Worker) Call(ctx context.Context, in CallInput) (CallOutput, error) {
	cmd, conn, with, err := w.resolve(in)
	if err != nil {
		return CallOutput{}, err
	}
	spec := cmd.Spec()
	// The workflow coerced them already; coercing again gives JSON's
	// numbers back their declared types.
	inputs, cerr := spec.CoerceInputs(with)
	if err = cerr; err != nil {
		return output(actions.Fail(spec.FailureIndicator(), 0, err.Error(), err), spec.FailureIndicator(), w.payloadLimit())
	}
	log := w.logger().Named(in.Task).With("run_id", in.RunID, "task", in.Task, "command", in.Command, "attempt", in.Attempt)
	if in.Item >= 0 {
		log = log.With("item", in.Item)
	}
	stop := heartbeat(ctx, w.heartbeatTimeout()/3)
	defer stop()
	env := engine.LocalExecutor{Registry: w.Registry}.Execute(ctx, engine.Call{RunID: in.RunID, Task: in.Task, Item: in.Item,
		Attempt: in.Attempt, Spec: spec, Command: cmd, Inputs: inputs, Connection: conn, Logger: log})
	return output(env, spec.FailureIndicator(), w.payloadLimit())
}

// resolve finds a call's command and, on this worker, its connection,
// and decodes its inputs. Its errors are not retried.
func (w *Worker) resolve(in CallInput) (actions.Command, *actions.Connection, map[string]any, error) {
	cmd, ok := w.Registry.Lookup(in.Command)
	if !ok {
		return nil, nil, nil, temporal.NewNonRetryableApplicationError("command "+in.Command+" is not registered on this worker", errNotConfigured, nil)
	}
	var conn *actions.Connection
	if cmd.Spec().Connection != "" {
		var err error
		if w.Connections != nil {
			conn, err = w.Connections(in.RunID, in.Connection, in.Integration)
		}
		if err != nil || conn == nil {
			msg := fmt.Sprintf("connection %q is not configured on this worker (add it to the worker's connections file)", in.Connection)
			if err != nil {
				msg = err.Error()
			}
			return nil, nil, nil, temporal.NewNonRetryableApplicationError(msg, errNotConfigured, nil)
		}
	}
	var with map[string]any
	if len(in.Inputs) > 0 {
		v, err := actions.DecodeJSON(in.Inputs)
		if err != nil {
			return nil, nil, nil, temporal.NewNonRetryableApplicationError("inputs: "+err.Error(), errNotConfigured, nil)
		}
		with, _ = v.(map[string]any)
	}
	return cmd, conn, with, nil
}

// PreviewOutput is the request a mutating call would send, described on
// the worker, where its connection is; OK is false for a command that
// cannot describe it. Credentials are masked, as in process.
type PreviewOutput struct {
	OK      bool              `json:"ok"`
	Method  string            `json:"method,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// Preview is the dry run's activity: the request a mutating call would
// send, with this worker's connection, not sent.
func (w *Worker) Preview(ctx context.Context, in CallInput) (PreviewOutput, error) {
	cmd, conn, with, err := w.resolve(in)
	if err != nil {
		return PreviewOutput{}, err
	}
	pv, ok := cmd.(actions.Previewer)
	if !ok {
		return PreviewOutput{}, nil
	}
	inputs, err := cmd.Spec().CoerceInputs(with)
	if err != nil {
		return PreviewOutput{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadInput", nil)
	}
	p, err := pv.Preview(actions.Request{Task: in.Task, Inputs: inputs, Connection: conn, Logger: w.logger().Named(in.Task)})
	if err != nil {
		return PreviewOutput{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadInput", nil)
	}
	out := PreviewOutput{OK: true, Method: p.Method, URL: p.URL, Headers: p.Headers}
	if p.Body != nil {
		if out.Body, err = json.Marshal(p.Body); err != nil {
			return PreviewOutput{}, temporal.NewNonRetryableApplicationError("body: "+err.Error(), "BadInput", nil)
		}
	}
	return out, nil
}

// localCall is Call as a local activity. It is not registered, so its
// type in history ("localCall") is the same for a worker and for a
// replayer, which registers no activity.
func (w *Worker) localCall(ctx context.Context, in CallInput) (CallOutput, error) {
	return w.Call(ctx, in)
}

// output encodes an envelope, refusing raw data over the payload limit
// (0: none) with an error that names it, under the command's Failure
// Indicator fi.
func output(env actions.Envelope, fi string, limit int) (CallOutput, error) {
	out := CallOutput{ReturnData: env.ReturnData, Result: env.Result, Error: env.Error}
	var err error
	if out.RawData, err = json.Marshal(env.RawData); err != nil {
		return out, temporal.NewNonRetryableApplicationError("raw data: "+err.Error(), "BadReply", nil)
	}
	if env.KeyFields != nil {
		if out.KeyFields, err = json.Marshal(env.KeyFields); err != nil {
			return out, temporal.NewNonRetryableApplicationError("key fields: "+err.Error(), "BadReply", nil)
		}
	}
	// The limit is on the payload as history records it: compressed.
	n := len(out.RawData) + len(out.KeyFields) + len(out.Result)
	if limit <= 0 {
		return out, nil
	}
	if n > limit/8 {
		p, err := DataConverter().ToPayload(out)
		if err != nil {
			return out, temporal.NewNonRetryableApplicationError("encode the reply: "+err.Error(), "BadReply", nil)
		}
		n = proto.Size(p)
	}
	if n > limit {
		msg := fmt.Sprintf("the reply is %d bytes compressed, over the %d-byte limit of a Temporal payload", n, limit)
		return CallOutput{ReturnData: actions.Failed, Error: &actions.Error{FailureIndicator: fi, Message: msg}}, nil
	}
	return out, nil
}

// heartbeat records a heartbeat every interval until stopped, so a lost
// worker is noticed within the heartbeat timeout and a cancelled run
// reaches the call.
func heartbeat(ctx context.Context, every time.Duration) (stop func()) {
	if !activity.IsActivity(ctx) || every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { close(done) }
}
