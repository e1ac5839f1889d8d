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
		integ, ok := reg.Integration(cd.Integration)
		if !ok || integ.Sandbox == nil {
			continue
		}
		f := fakes[cd.Integration]
		if f == nil {
			var err error
			if f, err = integ.Sandbox(); err != nil {
				stop()
				return nil, nil, fmt.Errorf("start the %s sandbox: %w", cd.Integration, err)
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
