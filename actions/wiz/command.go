package wiz

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/internal/vendorcmd"
)

// The helpers the integrations share, by their short names here.
var (
	newKeys = vendorcmd.NewKeys
	table   = vendorcmd.Table
	field   = vendorcmd.Field
	list    = vendorcmd.List
	text    = vendorcmd.Text
	clip    = vendorcmd.Clip
	opts    = vendorcmd.Opts
)

// command is one command of the integration.
type command struct {
	w    *Wiz
	spec actions.Spec
	// run sends the command's requests and builds its envelope.
	run func(ctx context.Context, e *exec) actions.Envelope
	// first builds the request a dry run shows for a mutating command.
	first func(r actions.Request) (op, error)
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
	cl, err := c.w.client(req.Connection)
	if err != nil {
		status := 0
		var ee *endpointError
		if errors.As(err, &ee) {
			status = 400
		}
		return actions.Fail(c.spec.FailureIndicator(), status, err.Error(), err)
	}
	log := req.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return c.run(ctx, &exec{c: cl, r: actions.Request{Task: req.Task, Inputs: in, Connection: req.Connection, Logger: log}, log: log, spec: c.spec})
}

// Preview shows the first request a mutating command would send: the
// GraphQL endpoint, headers with the token masked, and the document with
// its variables.
func (c *command) Preview(req actions.Request) (actions.Preview, error) {
	if c.first == nil {
		return actions.Preview{}, fmt.Errorf("%s sends no request to preview", c.spec.Name)
	}
	in, err := c.spec.CoerceInputs(req.Inputs)
	if err != nil {
		return actions.Preview{}, err
	}
	o, err := c.first(actions.Request{Inputs: in})
	if err != nil {
		return actions.Preview{}, err
	}
	url := "{api_endpoint_url}/graphql"
	if cl, err := c.w.client(req.Connection); err == nil {
		url = cl.gqlURL
	}
	return actions.Preview{Method: "POST", URL: url,
		Headers: map[string]string{
			"Content-Type":  "application/json",
			"Accept":        "application/json",
			"Authorization": "Bearer [redacted]",
		},
		Body: actions.Normalize(map[string]any{"query": o.query, "variables": o.vars})}, nil
}

// exec is one run of a command.
type exec struct {
	c    *client
	r    actions.Request // coerced inputs
	log  hclog.Logger
	spec actions.Spec
}

// do sends one GraphQL request.
func (e *exec) do(ctx context.Context, o op) (any, *failure) {
	return e.c.do(ctx, e.log, o)
}

// fail is the Failed envelope of a failure; Raw Data is the vendor's
// reply when there was one.
func (e *exec) fail(f *failure) actions.Envelope {
	env := actions.Fail(e.spec.FailureIndicator(), f.status, f.msg, f.err)
	env.RawData = f.raw
	return env
}

// itemResult is the outcome of one request of a per-item command.
type itemResult struct {
	id    string
	reply any
	fail  *failure
}

// perItem sends one request per id, at most four at once (the
// connection's concurrency may bound them further), and returns the
// outcomes in input order.
func (e *exec) perItem(ctx context.Context, ids []string, build func(id string) op) []itemResult {
	out := make([]itemResult, len(ids))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, id := range ids {
		out[i].id = id
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i].reply, out[i].fail = e.do(ctx, build(id))
		}()
	}
	wg.Wait()
	return out
}

// results builds the envelope of a per-item command: Raw Data
// {"Results": [reply, ...]} in input order as the page shows, a failed
// item's entry being the vendor's error reply; Partially Successful when
// some items failed and Failed when all did, naming them. read gathers
// the Key Fields and the Result row of one succeeded reply; a non-empty
// return fails the item with that message.
func (e *exec) results(items []itemResult, read func(id string, v any) (problem string)) actions.Envelope {
	raw := make([]any, len(items))
	var failed []string
	status := 0
	for i, it := range items {
		if it.fail == nil {
			if msg := read(it.id, it.reply); msg != "" {
				it.fail = &failure{status: 404, msg: msg, raw: it.reply}
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
		raw[i] = it.reply
	}
	env := actions.Envelope{ReturnData: actions.Successful, RawData: map[string]any{"Results": raw}}
	vendorcmd.Outcome(&env, e.spec.FailureIndicator(), len(items), failed, status)
	return env
}

// errorEntry is a failed item's entry in Results: the vendor's reply when
// there was one ({"data": {...: null}, "errors": [...]}), else the error
// in the same GraphQL form.
func errorEntry(f *failure) any {
	if m, ok := f.raw.(map[string]any); ok {
		return m
	}
	return map[string]any{"errors": []any{map[string]any{"message": f.msg,
		"extensions": map[string]any{"status_code": int64(f.status)}}}}
}
