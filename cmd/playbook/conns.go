package main

import (
	"fmt"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/connections"
)

// bindConnections binds the playbook's connection names: to the
// integrations' fakes with --sandbox, else to the connections file's
// entries of the same name, their secrets resolved now. A connection the
// playbook declares but the file lacks is left unbound; the run refuses to
// start only if a task uses it.
func (e *env) bindConnections(c *engine.Compiled, file string, sandbox bool) (map[string]*actions.Connection, func(), error) {
	if sandbox {
		return engine.Sandbox(c, e.reg)
	}
	nop := func() {}
	if len(c.Playbook.Connections) == 0 {
		return nil, nop, nil
	}
	path := connections.Find(file)
	if path == "" {
		return nil, nop, fmt.Errorf("the playbook declares connections (%s) but there is no connections file: "+
			"pass --connections F, set $%s, create %s, or run with --sandbox", declared(c), connections.EnvVar, connections.DefaultFile)
	}
	f, err := connections.Load(path, e.reg)
	if err != nil {
		return nil, nop, err
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	out := map[string]*actions.Connection{}
	for _, cd := range c.Playbook.Connections {
		fc := f.Lookup(cd.Name)
		if fc == nil {
			continue
		}
		if fc.Integration != cd.Integration {
			return nil, nop, fmt.Errorf("%s:%d:%d: connection %s is %s, but %s declares it as %s",
				f.Path, fc.Pos.Line, fc.Pos.Col, cd.Name, fc.Integration, c.Playbook.File, cd.Integration)
		}
		conn, err := f.Resolve(cd.Name, nil)
		if err != nil {
			return nil, nop, err
		}
		out[cd.Name] = conn
	}
	return out, nop, nil
}

func declared(c *engine.Compiled) string {
	s := ""
	for i, cd := range c.Playbook.Connections {
		if i > 0 {
			s += ", "
		}
		s += cd.Name
	}
	return s
}
