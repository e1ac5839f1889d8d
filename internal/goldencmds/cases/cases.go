// Package cases reads the engine's golden runs (engine/testdata/runs) as
// Temporal workflow inputs, for running them through Temporal.
package cases

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/temporal"
)

// Case is one golden run: its playbook as a workflow's input, compiled as
// the engine's golden test compiles it (as test.yaml, with its default
// inputs), and the report it must give.
type Case struct {
	Name  string
	Input temporal.RunInput
	Want  []byte
}

// Read reads the golden runs under dir, each compiled with reg (which
// needs goldencmds' commands).
func Read(dir string, reg *actions.Registry) ([]Case, error) {
	dirs, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, d := range dirs {
		src, err := os.ReadFile(filepath.Join(d, "playbook.yaml"))
		if err != nil {
			return nil, err
		}
		c, err := engine.CompileSources("test.yaml", map[string][]byte{"test.yaml": src}, reg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
		inputs, err := c.BindInputs(nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
		in, err := temporal.NewRunInput(c, inputs, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
		want, err := os.ReadFile(filepath.Join(d, "report.golden.json"))
		if err != nil {
			return nil, err
		}
		out = append(out, Case{Name: filepath.Base(d), Input: in, Want: want})
	}
	return out, nil
}
