package engine

import (
	"fmt"

	"github.com/playbook-sh/playbook/actions"
)

// Sandbox binds every connection the playbook declares to an in-process
// fake of its integration's API (one fake per integration, seeded with
// realistic data), for `playbook run --sandbox` and test cases with
// sandbox: true. The returned stop ends the fakes. A connection whose
// integration has no fake is left unbound: a task using it then fails to
// start, naming it.
func Sandbox(c *Compiled, reg *actions.Registry) (map[string]*actions.Connection, func(), error) {
	conns := map[string]*actions.Connection{}
	fakes := map[string]*actions.Sandbox{}
	stop := func() {
		for _, f := range fakes {
			if f.Close != nil {
				f.Close()
			}
		}
	}
	for _, cd := range c.Playbook.Connections {
		if !HasSandbox(reg, cd.Integration) {
			continue
		}
		f := fakes[cd.Integration]
		if f == nil {
			var err error
			if f, err = StartSandbox(reg, cd.Integration); err != nil {
				stop()
				return nil, nil, err
			}
			fakes[cd.Integration] = f
		}
		conns[cd.Name] = f.Connection(cd.Name, cd.Integration)
	}
	return conns, stop, nil
}

// HasSandbox reports whether the integration of a command has a fake that
// Sandbox binds to.
func HasSandbox(reg *actions.Registry, integration string) bool {
	i, ok := reg.Integration(integration)
	return ok && i.Sandbox != nil
}

// StartSandbox starts a fake of the integration's API; the caller closes
// it.
func StartSandbox(reg *actions.Registry, integration string) (*actions.Sandbox, error) {
	i, ok := reg.Integration(integration)
	if !ok || i.Sandbox == nil {
		return nil, fmt.Errorf("integration %s has no sandbox", integration)
	}
	f, err := i.Sandbox()
	if err != nil {
		return nil, fmt.Errorf("start the %s sandbox: %w", integration, err)
	}
	return f, nil
}
