package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/connections"
)

const connectionsUsage = `Usage:
  playbook connections list [--connections F]                 list the connections file's connections
  playbook connections test NAME [--connections F] [--sandbox]  run the integration's Test Connection
  playbook connections status [--state P | --config F]           the health-check state playbook serve keeps
`

func (e *env) connections(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, connectionsUsage)
		return exitUsage
	}
	if args[0] == "status" {
		return e.connectionsStatus(ctx, args[1:])
	}
	fs := newFlags("connections "+args[0], "connections "+args[0]+" [NAME] [--connections F] [--sandbox]", e.stderr)
	file := fs.String("connections", "", "the connections file (default $PLAYBOOK_CONNECTIONS, else ./connections.yaml)")
	sandbox := fs.Bool("sandbox", false, "test a connection to the integration's in-process fake instead")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return exitUsage
	}
	switch args[0] {
	case "list":
		if len(pos) != 0 {
			fmt.Fprint(e.stderr, connectionsUsage)
			return exitUsage
		}
		f, code := e.loadConnections(*file)
		if f == nil {
			return code
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tINTEGRATION")
		for _, c := range f.Conns {
			fmt.Fprintf(tw, "%s\t%s\n", c.Name, c.Integration)
		}
		tw.Flush()
		return exitOK
	case "test":
		if len(pos) != 1 {
			fmt.Fprint(e.stderr, connectionsUsage)
			return exitUsage
		}
		return e.testConnection(ctx, pos[0], *file, *sandbox)
	}
	fmt.Fprintf(e.stderr, "playbook connections: unknown subcommand %q (list, test, status)\n", args[0])
	return exitUsage
}

func (e *env) loadConnections(file string) (*connections.File, int) {
	path := connections.Find(file)
	if path == "" {
		fmt.Fprintf(e.stderr, "playbook connections: no connections file: pass --connections F, set $%s or create %s\n",
			connections.EnvVar, connections.DefaultFile)
		return nil, exitUsage
	}
	f, err := connections.Load(path, e.reg)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, exitUsage
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	return f, exitOK
}

// runTestConnection runs the connection's integration's Test Connection;
// false when the integration has none.
func (e *env) runTestConnection(ctx context.Context, conn *actions.Connection) (actions.Envelope, bool) {
	cmd, ok := e.reg.Lookup(conn.Integration + ".test_connection")
	if !ok {
		return actions.Envelope{}, false
	}
	return cmd.Run(ctx, actions.Request{Task: "test_connection", Inputs: map[string]any{}, Connection: conn, Logger: hclog.NewNullLogger()}), true
}

// testConnection runs INTEGRATION.test_connection over the named
// connection: exit 0 passed, 1 failed, 2 usage.
func (e *env) testConnection(ctx context.Context, name, file string, sandbox bool) int {
	var conn *actions.Connection
	if sandbox {
		integ, ok := e.reg.Integration(name)
		if !ok || integ.Sandbox == nil {
			fmt.Fprintf(e.stderr, "playbook connections test --sandbox: name an integration with a fake (%s)\n", strings.Join(e.reg.Integrations(), ", "))
			return exitUsage
		}
		sb, err := integ.Sandbox()
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook connections test: %v\n", err)
			return exitFailed
		}
		defer sb.Close()
		conn = sb.Connection(name, name)
	} else {
		f, code := e.loadConnections(file)
		if f == nil {
			return code
		}
		c, err := f.Resolve(name, nil)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitUsage
		}
		conn = c
	}
	env, ok := e.runTestConnection(ctx, conn)
	if !ok {
		fmt.Fprintf(e.stderr, "playbook connections test: %s has no Test Connection command\n", conn.Integration)
		return exitUsage
	}
	if env.ReturnData == actions.Successful {
		fmt.Fprintf(e.stdout, "%s (%s): Passed\n", conn.Name, conn.Integration)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%s (%s): Failed\n", conn.Name, conn.Integration)
	if env.Error != nil {
		fmt.Fprintf(e.stdout, "%s\nStatus Code: %d.\nMessage: %s\n", env.Error.FailureIndicator, env.Error.StatusCode, env.Error.Message)
	}
	return exitFailed
}
