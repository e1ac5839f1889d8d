package temporal_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.temporal.io/sdk/testsuite"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/temporal"
)

// goldenRegistry has the commands of the engine's golden runs
// (engine/testdata/runs): test.set, and test.call, whose "vendor" fails
// ids starting "bad" (bad-400 with 400, others 500) and ids starting
// "flaky" with 503 on a task's first call, as engine's goldenScript does.
func goldenRegistry() *actions.Registry {
	reg := registry()
	reg.Register(&scripted{calls: map[string]int{}, spec: actions.Spec{Name: "test.set", Title: "Set", Local: true, Inputs: []actions.Input{
		{Name: "value", Type: actions.Any},
		{Name: "key_fields", Type: actions.Object},
	}}, run: func(_ int, req actions.Request) actions.Envelope {
		keys := map[string][]any{}
		for k, v := range req.Map("key_fields") {
			if l, ok := v.([]any); ok {
				keys[k] = l
			} else {
				keys[k] = []any{v}
			}
		}
		return actions.Succeed(req.Value("value"), keys)
	}})
	calls := &scripted{calls: map[string]int{}, spec: actions.Spec{Name: "test.call", Title: "Call", KeyFields: []string{"IDs"}, Inputs: []actions.Input{
		{Name: "ids", Type: actions.Array, Items: actions.String},
		{Name: "mode", Type: actions.String, Options: []actions.Option{{Label: "Fast Mode", Value: "fast"}, {Label: "Slow Mode", Value: "slow"}}, Default: "fast"},
		{Name: "limit", Type: actions.Integer, Min: actions.Float(1), Max: actions.Float(100)},
		{Name: "note", Type: actions.String},
	}}}
	calls.run = func(n int, req actions.Request) actions.Envelope {
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
	reg.Register(calls)
	return reg
}

// TestGoldenRuns runs each of the engine's golden cases as a workflow:
// its report must be the golden one (run id and times aside).
func TestGoldenRuns(t *testing.T) {
	t.Parallel()
	dirs, _ := filepath.Glob("../testdata/runs/*")
	if len(dirs) < 4 {
		t.Fatalf("found %d golden cases", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join(dir, "playbook.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			reg := goldenRegistry()
			// The engine's golden runs compile it as test.yaml.
			c, err := engine.CompileSources("test.yaml", map[string][]byte{"test.yaml": src}, reg)
			if err != nil {
				t.Fatal(err)
			}
			inputs, err := c.BindInputs(nil)
			if err != nil {
				t.Fatal(err)
			}
			in, err := temporal.NewRunInput(c, inputs, nil)
			if err != nil {
				t.Fatal(err)
			}
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			(&temporal.Worker{Registry: reg}).Register(env)
			env.ExecuteWorkflow(temporal.WorkflowName, in)
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			var got json.RawMessage
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, "report.golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(normalize(t, want), normalize(t, got)); diff != "" {
				t.Errorf("report (-golden in process +workflow):\n%s", diff)
			}
		})
	}
}
