package cortexxdr

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/internal/vendorcmd"
)

// command is one command of the integration.
type command struct {
	x    *XDR
	spec actions.Spec
	// run sends the command's calls and builds its envelope.
	run func(ctx context.Context, e *exec) actions.Envelope
	// first builds the request a dry run shows for a mutating command.
	first func(r actions.Request) (call, error)
}

func (c *command) Spec() actions.Spec { return c.spec }

// Run coerces the inputs, finds the connection's client and runs the
// command. Every failure is a Failed envelope; nothing panics on vendor
// data.
func (c *command) Run(ctx context.Context, req actions.Request) actions.Envelope {
	in, err := c.spec.CoerceInputs(req.Inputs)
	if err != nil {
		return actions.Fail(c.spec.FailureIndicator(), 0, err.Error(), err)
	}
	cl, err := c.x.client(req.Connection)
	if err != nil {
		return actions.Fail(c.spec.FailureIndicator(), 0, err.Error(), err)
	}
	log := req.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return c.run(ctx, &exec{c: cl, r: actions.Request{Task: req.Task, Inputs: in, Connection: req.Connection, Logger: log}, log: log, spec: c.spec})
}

// Preview shows the request a mutating command would send: its URL,
// headers with the credential masked, and body.
func (c *command) Preview(req actions.Request) (actions.Preview, error) {
	if c.first == nil {
		return actions.Preview{}, fmt.Errorf("%s sends no request to preview", c.spec.Name)
	}
	in, err := c.spec.CoerceInputs(req.Inputs)
	if err != nil {
		return actions.Preview{}, err
	}
	call, err := c.first(actions.Request{Inputs: in})
	if err != nil {
		return actions.Preview{}, err
	}
	url := "{server_url}/public_api/v1/" + call.path
	headers := map[string]string{
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"Authorization": "[redacted]",
	}
	if cl, err := c.x.client(req.Connection); err == nil {
		url = cl.base + "/" + call.path
		headers["x-xdr-auth-id"] = cl.keyID
		if cl.advanced {
			headers["x-xdr-nonce"] = "[per request]"
			headers["x-xdr-timestamp"] = "[per request]"
		}
	}
	body := map[string]any{"request_data": call.data}
	for k, v := range call.top {
		body[k] = v
	}
	return actions.Preview{Method: "POST", URL: url, Headers: headers, Body: actions.Normalize(body)}, nil
}

// exec is one run of a command.
type exec struct {
	c    *client
	r    actions.Request // coerced inputs
	log  hclog.Logger
	spec actions.Spec
}

// do sends one call.
func (e *exec) do(ctx context.Context, cl call) (*reply, *failure) {
	return e.c.do(ctx, e.log, cl)
}

// fail is the Failed envelope of a failure; Raw Data is the vendor's error
// body when there was one.
func (e *exec) fail(f *failure) actions.Envelope {
	env := actions.Fail(e.spec.FailureIndicator(), f.status, f.msg, f.err)
	env.RawData = f.raw
	return env
}

// failf is a Failed envelope with a message of our own.
func (e *exec) failf(status int, format string, args ...any) actions.Envelope {
	return actions.Fail(e.spec.FailureIndicator(), status, fmt.Sprintf(format, args...), nil)
}

// single runs a command that sends one call and reads its reply with
// read, which returns the Key Fields and the Result.
func single(build func(r actions.Request) (call, error), read func(e *exec, v any) (*keyset, string)) func(ctx context.Context, e *exec) actions.Envelope {
	return func(ctx context.Context, e *exec) actions.Envelope {
		cl, err := build(e.r)
		if err != nil {
			return e.failf(0, "%v", err)
		}
		rep, f := e.do(ctx, cl)
		if f != nil {
			return e.fail(f)
		}
		keys, result := read(e, rep.value)
		env := actions.Succeed(rep.value, keys.Fields())
		env.Result = result
		return env
	}
}

// itemResult is the outcome of one call of a per-item command.
type itemResult struct {
	id    string
	reply *reply
	fail  *failure
}

// perItem sends one call per id, at most four at once, and returns the
// outcomes in input order.
func (e *exec) perItem(ctx context.Context, ids []string, build func(id string) (call, error)) []itemResult {
	out := make([]itemResult, len(ids))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, id := range ids {
		out[i].id = id
		cl, err := build(id)
		if err != nil {
			out[i].fail = &failure{msg: err.Error(), err: err}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i].reply, out[i].fail = e.do(ctx, cl)
		}()
	}
	wg.Wait()
	return out
}

// results builds the envelope of a per-item command: Raw Data
// {"Results": [reply, ...]} in input order, a failed item's entry being
// its error; Partially Successful when some items failed and Failed when
// all did, naming them. read gathers the Key Fields of one succeeded
// reply; a non-empty return fails the item with that message (an empty
// reply the vendor sends for an unknown ID).
func (e *exec) results(items []itemResult, keys *keyset, read func(id string, v any) (notFound string)) actions.Envelope {
	raw := make([]any, len(items))
	var failed []string
	status := 0
	for i, it := range items {
		if it.fail == nil {
			if msg := read(it.id, it.reply.value); msg != "" {
				// The entry is the error, not the empty reply.
				it.fail = &failure{status: 404, msg: msg}
			}
		}
		if it.fail != nil {
			raw[i] = errorEntry(it.fail)
			failed = append(failed, it.id+": "+strconv.Itoa(it.fail.status)+" "+it.fail.msg)
			if status == 0 {
				status = it.fail.status
			}
			continue
		}
		raw[i] = it.reply.value
	}
	env := actions.Envelope{ReturnData: actions.Successful, RawData: map[string]any{"Results": raw}, KeyFields: keys.Fields()}
	vendorcmd.Outcome(&env, e.spec.FailureIndicator(), len(items), failed, status)
	return env
}

// errorEntry is a failed item's entry in Results: the vendor's error body
// when there was one, else {"error": {"status_code", "message"}}.
func errorEntry(f *failure) any {
	if m, ok := f.raw.(map[string]any); ok {
		return m
	}
	return map[string]any{"error": map[string]any{"status_code": int64(f.status), "message": f.msg}}
}

// idValue returns an ID as the API types it: an action ID that is a
// number (or numeric string) as int64, anything else as text [PA], [XSOAR].
func actionID(v any) any {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n
		}
		return x
	}
	return v
}

// count reads a count the API sends as a number or a numeric string.
func count(v any) (int64, bool) {
	switch x := actionID(v).(type) {
	case int64:
		return x, true
	}
	return 0, false
}
