package temporal_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.temporal.io/sdk/testsuite"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/temporal"
	"github.com/playbook-sh/playbook/internal/goldencmds"
)

// goldenRegistry has the commands of the engine's golden runs.
func goldenRegistry() *actions.Registry {
	reg := registry()
	goldencmds.Register(reg)
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
