package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/connections"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/store"
)

// StateEnvVar names the environment variable of the state file.
const StateEnvVar = "PLAYBOOK_STATE"

// statePath finds the state file: --state, else serve.yaml's state:,
// else $PLAYBOOK_STATE, else the user's state directory.
func statePath(flagPath string, cfg *serve.Config) (string, error) {
	switch {
	case flagPath != "":
		return flagPath, nil
	case cfg != nil && cfg.State != "":
		return cfg.State, nil
	case os.Getenv(StateEnvVar) != "":
		return os.Getenv(StateEnvVar), nil
	}
	return store.DefaultPath()
}

// openState opens the state file and marks the runs a dead process left
// "running" as Interrupted.
func (e *env) openState(ctx context.Context, flagPath string, cfg *serve.Config) (*store.Store, error) {
	p, err := statePath(flagPath, cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	ids, err := st.MarkInterrupted(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	for _, id := range ids {
		fmt.Fprintf(e.stderr, "run %s was interrupted (its process ended); resume it with: playbook runs resume %s\n", id, id)
	}
	return st, nil
}

var errNotInFile = errors.New("not in the connections file")

// binder binds connection names for serve, intake and recorded runs: to
// one shared in-process fake per integration with --sandbox (so what an
// intake fetches and what its playbooks change are the same fake's), else
// to the connections file's entries, each resolved once.
type binder struct {
	e       *env
	sandbox bool
	file    string

	mu       sync.Mutex
	loaded   *connections.File
	resolved map[string]*actions.Connection
	fakes    map[string]*actions.Sandbox
}

func (b *binder) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.fakes {
		if f.Close != nil {
			f.Close()
		}
	}
	b.fakes = nil
}

// bind returns the connection name of integration.
func (b *binder) bind(name, integration string) (*actions.Connection, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sandbox {
		integ, ok := b.e.reg.Integration(integration)
		if !ok || integ.Sandbox == nil {
			return nil, fmt.Errorf("connection %s: %s has no sandbox fake", name, integration)
		}
		if b.fakes == nil {
			b.fakes = map[string]*actions.Sandbox{}
		}
		f := b.fakes[integration]
		if f == nil {
			var err error
			if f, err = integ.Sandbox(); err != nil {
				return nil, fmt.Errorf("start the %s sandbox: %w", integration, err)
			}
			b.fakes[integration] = f
		}
		return f.Connection(name, integration), nil
	}
	if c := b.resolved[name]; c != nil {
		if c.Integration != integration {
			return nil, fmt.Errorf("connection %s is %s, not %s", name, c.Integration, integration)
		}
		return c, nil
	}
	if b.loaded == nil {
		path := connections.Find(b.file)
		if path == "" {
			return nil, fmt.Errorf("connection %s: there is no connections file: pass --connections F, set $%s, "+
				"give connections: in serve.yaml, or run with --sandbox", name, connections.EnvVar)
		}
		f, err := connections.Load(path, b.e.reg)
		if err != nil {
			return nil, err
		}
		for _, w := range f.Warnings {
			fmt.Fprintf(b.e.stderr, "warning: %s\n", w)
		}
		b.loaded = f
	}
	fc := b.loaded.Lookup(name)
	if fc == nil {
		return nil, fmt.Errorf("connection %q is not in %s: %w", name, b.loaded.Path, errNotInFile)
	}
	if fc.Integration != integration {
		return nil, fmt.Errorf("%s:%d:%d: connection %s is %s, not %s", b.loaded.Path, fc.Pos.Line, fc.Pos.Col, name, fc.Integration, integration)
	}
	c, err := b.loaded.Resolve(name, nil)
	if err != nil {
		return nil, err
	}
	if b.resolved == nil {
		b.resolved = map[string]*actions.Connection{}
	}
	b.resolved[name] = c
	return c, nil
}

// playbook binds every connection a playbook declares that its tasks
// use; one that cannot be bound fails the run before it starts.
func (b *binder) playbook(c *engine.Compiled) (map[string]*actions.Connection, error) {
	out := map[string]*actions.Connection{}
	for _, cd := range c.Playbook.Connections {
		conn, err := b.bind(cd.Name, cd.Integration)
		if errors.Is(err, errNotInFile) {
			continue // the run refuses to start only if a task uses it
		}
		if err != nil {
			return nil, err
		}
		out[cd.Name] = conn
	}
	return out, nil
}
