package engine

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/plan"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// testCmd is a command of the test registry. Its behaviour is the function
// given, so each test scripts what the "vendor" does.
type testCmd struct {
	spec actions.Spec
	run  func(ctx context.Context, req actions.Request) actions.Envelope
}

func (c testCmd) Spec() actions.Spec { return c.spec }
func (c testCmd) Run(ctx context.Context, req actions.Request) actions.Envelope {
	return c.run(ctx, req)
}

// calls records the calls the test commands received, by task.
type calls struct {
	mu  sync.Mutex
	got map[string][]map[string]any
}

func (c *calls) add(task string, in map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.got == nil {
		c.got = map[string][]map[string]any{}
	}
	c.got[task] = append(c.got[task], in)
}

func (c *calls) n(task string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got[task])
}

// script decides the envelope of the nth call (1-based) of a task.
type script func(task string, n int, req actions.Request) actions.Envelope

// testRegistry has:
//   - test.set: value → raw_data, key_fields → Key Fields (like core.set);
//   - test.call: a vendor-like command with Key Field IDs whose envelope
//     comes from the script (default: Successful, IDs = its ids input);
//   - test.mutate: like test.call but Mutates;
//   - test.wait: waits for its duration or the context.
func testRegistry(rec *calls, sc script) *actions.Registry {
	reg := actions.NewRegistry()
	reg.Register(testCmd{
		spec: actions.Spec{Name: "test.set", Title: "Set", Local: true, Inputs: []actions.Input{
			{Name: "value", Type: actions.Any},
			{Name: "key_fields", Type: actions.Object},
		}},
		run: func(_ context.Context, req actions.Request) actions.Envelope {
			rec.add(req.Task, req.Inputs)
			keys := map[string][]any{}
			for k, v := range req.Map("key_fields") {
				if l, ok := v.([]any); ok {
					keys[k] = l
				} else {
					keys[k] = []any{v}
				}
			}
			return actions.Succeed(req.Value("value"), keys)
		},
	})
	vendor := func(name string, mutates bool) testCmd {
		return testCmd{
			spec: actions.Spec{Name: name, Title: "Call", Mutates: mutates, KeyFields: []string{"IDs"}, Check: slowOnly, Inputs: []actions.Input{
				{Name: "ids", Type: actions.Array, Items: actions.String},
				{Name: "mode", Type: actions.String, Options: []actions.Option{{Label: "Fast Mode", Value: "fast"}, {Label: "Slow Mode", Value: "slow"}}, Default: "fast",
					Refused: map[string]string{"Turbo Mode": "the vendor retired it"}},
				{Name: "limit", Type: actions.Integer, Min: actions.Float(1), Max: actions.Float(100)},
				{Name: "note", Type: actions.String},
			}},
			run: func(_ context.Context, req actions.Request) actions.Envelope {
				rec.add(req.Task, req.Inputs)
				n := rec.n(req.Task)
				if sc != nil {
					return sc(req.Task, n, req)
				}
				ids := []any{}
				for _, s := range req.Strings("ids") {
					ids = append(ids, s)
				}
				return actions.Succeed(map[string]any{"ids": ids, "count": int64(len(ids))}, map[string][]any{"IDs": ids})
			},
		}
	}
	reg.Register(vendor("test.call", false), vendor("test.mutate", true))
	reg.Register(testCmd{
		spec: actions.Spec{Name: "test.wait", Title: "Wait", Local: true, Inputs: []actions.Input{{Name: "duration", Type: actions.Duration, Required: true}}},
		run: func(ctx context.Context, req actions.Request) actions.Envelope {
			rec.add(req.Task, req.Inputs)
			t := time.NewTimer(req.Duration("duration"))
			defer t.Stop()
			select {
			case <-t.C:
				return actions.Succeed("waited", nil)
			case <-ctx.Done():
				return actions.Fail("Wait failed.", 0, "cancelled", context.Cause(ctx))
			}
		},
	})
	return reg
}

// slowOnly is test.call's rule between inputs: the note "slow only"
// needs mode Slow Mode.
func slowOnly(in map[string]any) error {
	if in["note"] == "slow only" && in["mode"] != "slow" {
		return &actions.InputError{Input: "note", Msg: `"slow only" needs mode Slow Mode`}
	}
	return nil
}

// compileYAML loads and compiles a playbook source, failing the test on
// any error.
func compileYAML(t *testing.T, reg *actions.Registry, src string) *Compiled {
	t.Helper()
	pb, err := playbook.Parse("test.yaml", []byte(strings.TrimLeft(src, "\n")))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	c, err := Compile(pb, reg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return c
}

// compileErrors returns the compile errors of a playbook source as lines.
func compileErrors(t *testing.T, reg *actions.Registry, src string) []string {
	t.Helper()
	pb, err := playbook.Parse("test.yaml", []byte(strings.TrimLeft(src, "\n")))
	if err == nil {
		_, err = Compile(pb, reg)
	}
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

type testRun struct {
	t     *testing.T
	rep   *Report
	calls *calls
}

// runYAML compiles and runs a playbook with the test registry.
func runYAML(t *testing.T, src string, inputs map[string]any, sc script, opts ...Option) *testRun {
	t.Helper()
	rec := &calls{}
	reg := testRegistry(rec, sc)
	c := compileYAML(t, reg, src)
	bound, err := c.BindInputs(inputs)
	if err != nil {
		t.Fatalf("BindInputs: %v", err)
	}
	opts = append([]Option{WithJitter(func(d time.Duration) time.Duration { return d })}, opts...)
	rep, err := New(LocalExecutor{Registry: reg}, opts...).Run(t.Context(), c, Params{Inputs: bound})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return &testRun{t: t, rep: rep, calls: rec}
}

func (r *testRun) task(id string) *TaskReport {
	r.t.Helper()
	tr := r.rep.Tasks[id]
	if tr == nil {
		r.t.Fatalf("no task %q in the report", id)
	}
	return tr
}

func (r *testRun) wantStatus(id string, want plan.Status) {
	r.t.Helper()
	if got := r.task(id).Status; got != want {
		r.t.Errorf("task %s status = %s (reason %q, error %v), want %s", id, got, r.task(id).Reason, r.task(id).Error, want)
	}
}

func (r *testRun) wantReason(id, want string) {
	r.t.Helper()
	if got := r.task(id).Reason; got != want {
		r.t.Errorf("task %s reason = %q, want %q", id, got, want)
	}
}

func (r *testRun) wantRun(want string) {
	r.t.Helper()
	if r.rep.Status != want {
		r.t.Errorf("run status = %s (error %q), want %s", r.rep.Status, r.rep.Error, want)
	}
}

func (r *testRun) wantMessage(id, sub string) {
	r.t.Helper()
	e := r.task(id).Error
	if e == nil || !strings.Contains(e.Message, sub) {
		r.t.Errorf("task %s error = %+v, want a message containing %q", id, e, sub)
	}
}

// fail returns a Failed envelope with a status code.
func fail(code int, msg string) actions.Envelope {
	return actions.Fail("Call failed.", code, msg, nil)
}
