// Package goldencmds has the commands of the engine's golden runs
// (engine/testdata/runs), for running those cases through other hosts
// (Temporal) and requiring the same reports.
package goldencmds

import (
	"context"
	"strings"
	"sync"

	"github.com/playbook-sh/playbook/actions"
)

// Register adds test.set (value → raw data, key_fields → Key Fields) and
// test.call, whose "vendor" fails ids starting "bad" (bad-400 with 400,
// others with 500) and ids starting "flaky" with 503 on a task's first
// call; otherwise it replies {"reply": ids} with Key Field IDs. They
// match the engine's test commands' specs, so reports are the same.
func Register(reg *actions.Registry) {
	reg.Register(command{spec: actions.Spec{Name: "test.set", Title: "Set", Local: true, Inputs: []actions.Input{
		{Name: "value", Type: actions.Any},
		{Name: "key_fields", Type: actions.Object},
	}}, run: set})
	c := &counter{n: map[string]int{}}
	reg.Register(command{spec: actions.Spec{Name: "test.call", Title: "Call", KeyFields: []string{"IDs"}, Inputs: []actions.Input{
		{Name: "ids", Type: actions.Array, Items: actions.String},
		{Name: "mode", Type: actions.String, Options: []actions.Option{{Label: "Fast Mode", Value: "fast"}, {Label: "Slow Mode", Value: "slow"}}, Default: "fast"},
		{Name: "limit", Type: actions.Integer, Min: actions.Float(1), Max: actions.Float(100)},
		{Name: "note", Type: actions.String},
	}}, run: func(req actions.Request) actions.Envelope { return Vendor(c.next(req.Task), req) }})
}

// Vendor is test.call's reply to the nth call of a task.
func Vendor(n int, req actions.Request) actions.Envelope {
	ids := req.Strings("ids")
	out := []any{}
	for _, id := range ids {
		switch {
		case id == "bad-400":
			return actions.Fail("Call failed.", 400, "invalid id "+id, nil)
		case strings.HasPrefix(id, "bad"):
			return actions.Fail("Call failed.", 500, id+" is unreachable", nil)
		case strings.HasPrefix(id, "flaky") && n == 1:
			return actions.Fail("Call failed.", 503, "busy", nil)
		}
		out = append(out, id)
	}
	return actions.Envelope{ReturnData: actions.Successful, RawData: map[string]any{"reply": out}, KeyFields: map[string][]any{"IDs": out},
		Result: "<table><tr><th>IDs</th><td>" + strings.Join(ids, ", ") + "</td></tr></table>"}
}

func set(req actions.Request) actions.Envelope {
	keys := map[string][]any{}
	for k, v := range req.Map("key_fields") {
		if l, ok := v.([]any); ok {
			keys[k] = l
		} else {
			keys[k] = []any{v}
		}
	}
	return actions.Succeed(req.Value("value"), keys)
}

type command struct {
	spec actions.Spec
	run  func(req actions.Request) actions.Envelope
}

func (c command) Spec() actions.Spec                                          { return c.spec }
func (c command) Run(_ context.Context, req actions.Request) actions.Envelope { return c.run(req) }

// counter counts calls by task.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) next(task string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[task]++
	return c.n[task]
}
