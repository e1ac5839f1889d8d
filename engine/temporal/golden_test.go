package temporal_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.temporal.io/sdk/testsuite"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/temporal"
	"github.com/playbook-sh/playbook/internal/goldencmds"
	"github.com/playbook-sh/playbook/internal/goldencmds/cases"
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
	reg := goldenRegistry()
	cs, err := cases.Read("../testdata/runs", reg)
	if err != nil || len(cs) < 4 {
		t.Fatalf("found %d golden cases: %v", len(cs), err)
	}
	for _, gc := range cs {
		t.Run(gc.Name, func(t *testing.T) {
			t.Parallel()
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			(&temporal.Worker{Registry: goldenRegistry()}).Register(env)
			env.ExecuteWorkflow(temporal.WorkflowName, gc.Input)
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			var got json.RawMessage
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(normalize(t, gc.Want), normalize(t, got)); diff != "" {
				t.Errorf("report (-golden in process +workflow):\n%s", diff)
			}
		})
	}
}
