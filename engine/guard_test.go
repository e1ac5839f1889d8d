package engine

import (
	"os/exec"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Every goroutine a run starts has ended when Run returns.
	goleak.VerifyTestMain(m)
}

// TestEngineImportsNoIntegration keeps the dependency direction of
// DESIGN.md §1: the engine knows the command contract, never a vendor.
func TestEngineImportsNoIntegration(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/playbook-sh/playbook/actions/") || strings.HasPrefix(p, "github.com/playbook-sh/playbook/cmd/") {
			t.Errorf("engine depends on %s", p)
		}
	}
}
