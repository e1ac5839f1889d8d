package temporal_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/core"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/temporal"
)

// scripted counts calls per task and ids. test.flaky: the first `fails`
// calls fail with 503, then it returns {"n": calls, "ids": ids}.
// test.poll returns {"state": "pending"} until its third call.
type scripted struct {
	mu    sync.Mutex
	calls map[string]int
	spec  actions.Spec
	run   func(n int, req actions.Request) actions.Envelope
}

func (s *scripted) Spec() actions.Spec { return s.spec }
func (s *scripted) Run(_ context.Context, req actions.Request) actions.Envelope {
	key := req.Task + "/" + strings.Join(req.Strings("ids"), ",") // per item under for_each
	s.mu.Lock()
	s.calls[key]++
	n := s.calls[key]
	s.mu.Unlock()
	return s.run(n, req)
}

func registry() *actions.Registry {
	reg := actions.NewRegistry()
	core.Register(reg)
	reg.Register(&scripted{calls: map[string]int{}, spec: actions.Spec{Name: "test.flaky", Title: "Flaky", Inputs: []actions.Input{
		{Name: "fails", Type: actions.Integer, Default: int64(0)},
		{Name: "ids", Type: actions.Array, Items: actions.String},
	}, KeyFields: []string{"IDs"}},
		run: func(n int, req actions.Request) actions.Envelope {
			if int64(n) <= req.Int("fails") {
				return actions.Fail("Flaky failed.", 503, "busy", nil)
			}
			ids := []any{}
			for _, id := range req.Strings("ids") {
				ids = append(ids, id)
			}
			env := actions.Succeed(map[string]any{"n": int64(n), "ids": ids, "ratio": 0.5}, map[string][]any{"IDs": ids})
			env.Result = "<p>ok</p>"
			return env
		}})
	reg.RegisterIntegration(actions.Integration{Name: "vault", Title: "Vault", Fields: []actions.ConnectionField{{Name: "token", Secret: true}}})
	reg.Register(&scripted{calls: map[string]int{}, spec: actions.Spec{Name: "vault.whoami", Title: "Who Am I", Connection: "vault"},
		run: func(_ int, req actions.Request) actions.Envelope {
			tok := req.Connection.Secrets["token"]
			// Proves the worker's credential arrived without printing it.
			return actions.Succeed(map[string]any{"connection": req.Connection.Name, "token_length": int64(len(tok.Reveal()))}, nil)
		}})
	reg.Register(&scripted{calls: map[string]int{}, spec: actions.Spec{Name: "test.poll", Title: "Poll"},
		run: func(n int, _ actions.Request) actions.Envelope {
			state := "pending"
			if n >= 3 {
				state = "done"
			}
			return actions.Succeed(map[string]any{"state": state}, nil)
		}})
	return reg
}

const main = `playbook: shapes
inputs:
  hosts: {type: array, default: [h1, h2, h3, h4]}
tasks:
  first:
    run: core.set
    with: {value: {count: 41}}
  second:
    needs: [first]
    run: core.set
    with: {value: "${{ tasks.first.raw_data.count + 1 }}"}
  fan:
    needs: [first]
    for_each: ${{ inputs.hosts }}
    concurrency: 2
    run: test.flaky
    with: {ids: ["${{ item }}"]}
  flaky:
    run: test.flaky
    with: {fails: 2, ids: [a]}
    retry: {attempts: 3, backoff: 2s}
  gives_up:
    run: test.flaky
    with: {fails: 5}
    retry: {attempts: 2, backoff: 1s}
  poll:
    run: test.poll
    until: tasks.poll.raw_data.state == "done"
    repeat: {every: 30s, max: 5}
  slow:
    run: core.sleep
    with: {duration: 1h}
    timeout: 100ms
  skipped:
    needs: [gives_up]
    run: core.set
  otherwise:
    needs: [gives_up, fan, second]
    join: any_failed
    when: size(tasks.fan.key_fields.IDs) == 4
    run: core.set
    with: {value: "${{ tasks.second.raw_data }}"}
  child:
    needs: [second]
    run: playbook
    with: {file: lib/child.yaml, inputs: {n: "${{ tasks.second.raw_data }}"}}
finally:
  cleanup:
    run: core.set
    with: {value: "${{ tasks.child.raw_data.doubled }}"}
outputs:
  doubled: ${{ tasks.child.raw_data.doubled }}
  ids: ${{ tasks.fan.key_fields.IDs }}
`

const child = `playbook: child
inputs:
  n: {type: integer, required: true}
tasks:
  twice:
    run: core.set
    with: {value: "${{ inputs.n * 2 }}"}
outputs:
  doubled: ${{ tasks.twice.raw_data }}
`

func load(t *testing.T, reg *actions.Registry) *engine.Compiled {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{"main.yaml": main, "lib/child.yaml": child} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := engine.Load(filepath.Join(dir, "main.yaml"), reg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// normalize blanks what differs between two runs of the same playbook:
// the run id and times.
func normalize(t *testing.T, report []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(report, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "run_id" || strings.HasSuffix(k, "_at") {
					x[k] = "<" + k + ">"
					continue
				}
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	b, _ := json.MarshalIndent(walk(v), "", "  ")
	return string(b)
}

// TestWorkflowMatchesInProcess runs one playbook of every shape (chain,
// for_each under a concurrency limit, retry with backoff, until polling, a
// task timeout, joins and when, a sub-playbook, finally, outputs) in
// process and as a workflow, and wants the same report.
func TestWorkflowMatchesInProcess(t *testing.T) {
	t.Parallel()
	reg := registry()
	c := load(t, reg)
	inputs, err := c.BindInputs(nil)
	if err != nil {
		t.Fatal(err)
	}
	// In process: the waits are real, so the clock is virtual.
	local, err := engine.New(engine.LocalExecutor{Registry: reg}, engine.WithClock(engine.NewVirtualClock(time.Unix(0, 0))),
		engine.WithJitter(func(d time.Duration) time.Duration { return d })).Run(t.Context(), c, engine.Params{Inputs: inputs})
	if err != nil {
		t.Fatal(err)
	}
	want, err := local.JSON()
	if err != nil {
		t.Fatal(err)
	}

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	wreg := registry()
	(&temporal.Worker{Registry: wreg}).Register(env)
	in, err := temporal.NewRunInput(c, inputs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var children []string
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
		children = append(children, info.WorkflowExecution.ID)
	})
	env.ExecuteWorkflow(temporal.WorkflowName, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	// The sub-playbook ran as a child workflow, not in its parent's.
	if len(children) != 1 || !strings.HasSuffix(children[0], "/child/1") {
		t.Errorf("child workflows started: %q; want one, for task child's first attempt", children)
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got json.RawMessage
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(normalize(t, want), normalize(t, got)); diff != "" {
		t.Errorf("workflow report (-in process +workflow):\n%s", diff)
	}
	rep, err := engine.DecodeReport(got)
	if err != nil {
		t.Fatal(err)
	}
	// The shapes did what they should, so the comparison means something.
	checks := []struct {
		task, status string
		attempts     int
	}{
		{"second", "succeeded", 1}, {"fan", "succeeded", 4}, {"flaky", "succeeded", 3}, {"gives_up", "failed", 2},
		{"poll", "succeeded", 3}, {"slow", "failed", 1}, {"skipped", "skipped", 0}, {"otherwise", "succeeded", 1},
		{"child", "succeeded", 1}, {"cleanup", "succeeded", 1},
	}
	for _, ck := range checks {
		tr := rep.Tasks[ck.task]
		if tr == nil || string(tr.Status) != ck.status || tr.Attempts != ck.attempts {
			t.Errorf("task %s: %+v, want %s after %d attempts", ck.task, tr, ck.status, ck.attempts)
		}
	}
	if got := rep.Tasks["second"].RawData; got != int64(42) {
		t.Errorf("second = %#v, want the integer 42", got)
	}
	if diff := cmp.Diff(map[string]any{"doubled": int64(84), "ids": []any{"h1", "h2", "h3", "h4"}}, rep.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if rep.Tasks["slow"].Error == nil || !strings.Contains(rep.Tasks["slow"].Error.Message, "timed out after 100ms") {
		t.Errorf("slow: %+v", rep.Tasks["slow"].Error)
	}
}

// TestCancelAndSecrets: a cancelled workflow returns the cancelled run's
// report; a call's connection is resolved on the worker, and its secret is
// in no activity input or result the workflow records.
func TestCancelAndSecrets(t *testing.T) {
	t.Parallel()
	const secret = "S3NT1NEL-temporal-token"
	reg := registry()
	c, err := engine.CompileSources("p.yaml", map[string][]byte{"p.yaml": []byte(`playbook: p
connections:
  v: vault
tasks:
  who:
    run: vault.whoami
  wait:
    needs: [who]
    run: core.sleep
    with: {duration: 1h}
  after:
    needs: [wait]
    run: core.set
`)}, reg)
	if err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	var mu sync.Mutex
	var recorded []string
	env.SetOnActivityStartedListener(func(_ *activity.Info, _ context.Context, args converter.EncodedValues) {
		var in temporal.CallInput
		_ = args.Get(&in)
		b, _ := json.Marshal(in)
		mu.Lock()
		recorded = append(recorded, string(b))
		mu.Unlock()
	})
	env.SetOnActivityCompletedListener(func(_ *activity.Info, result converter.EncodedValue, _ error) {
		var out temporal.CallOutput
		_ = result.Get(&out)
		b, _ := json.Marshal(out)
		mu.Lock()
		recorded = append(recorded, string(b))
		mu.Unlock()
	})
	w := &temporal.Worker{Registry: reg, Connections: func(_, name, integration string) (*actions.Connection, error) {
		if name != "v" || integration != "vault" {
			return nil, nil
		}
		return &actions.Connection{Name: name, Integration: integration, Secrets: map[string]actions.Secret{"token": actions.NewSecret(secret)}}, nil
	}}
	w.Register(env)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)
	in, err := temporal.NewRunInput(c, map[string]any{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	env.ExecuteWorkflow(temporal.WorkflowName, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	if err := env.GetWorkflowResult(&raw); err != nil {
		t.Fatal(err)
	}
	rep, err := engine.DecodeReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != engine.RunCancelled || rep.Tasks["wait"].Status != "cancelled" || rep.Tasks["after"].Status != "cancelled" {
		t.Errorf("run %s, wait %s, after %s; want all cancelled", rep.Status, rep.Tasks["wait"].Status, rep.Tasks["after"].Status)
	}
	if got := rep.Tasks["who"].RawData; !cmp.Equal(got, map[string]any{"connection": "v", "token_length": int64(len(secret))}) {
		t.Errorf("who = %v: the worker's connection did not arrive", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(recorded) != 2 {
		t.Fatalf("recorded %d activity payloads, want the call's input and output", len(recorded))
	}
	for _, r := range append(recorded, string(raw)) {
		if strings.Contains(r, secret) {
			t.Errorf("the secret is in a payload: %s", r)
		}
	}
}
