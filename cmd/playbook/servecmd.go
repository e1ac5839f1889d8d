package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/connections"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/temporal"
)

func (e *env) serve(ctx context.Context, args []string) int {
	var f serveFlags
	var check bool
	var drain time.Duration
	var tf temporalFlags
	fs := newFlags("serve", "serve --config F [--state P] [--connections F] [--sandbox] [--check] [--drain D] [--temporal HOST:PORT [--namespace N] [--task-queue Q] [--result-store L]]", e.stderr)
	f.register(fs)
	tf.register(fs)
	fs.BoolVar(&check, "check", false, "check serve.yaml and its playbooks, then exit")
	fs.DurationVar(&drain, "drain", serve.DefaultDrain, "after SIGTERM, how long runs in progress may take before they are cancelled")
	pos, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 0 {
		fmt.Fprintln(e.stderr, "playbook serve: takes no arguments; name the file with --config F")
		return exitUsage
	}
	if check {
		if f.config == "" {
			fmt.Fprintln(e.stderr, "playbook serve: --config F is required")
			return exitUsage
		}
		if _, err := serve.Load(f.config, e.reg); err != nil {
			fmt.Fprintln(e.stdout, err)
			return exitFailed
		}
		fmt.Fprintf(e.stdout, "%s: valid\n", f.config)
		return exitOK
	}
	s, closeAll, err := e.server(ctx, &f)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook serve: %v\n", err)
		return exitUsage
	}
	defer closeAll()
	if tf.hostPort != "" {
		// Workers run the playbooks and Temporal fires the schedules; serve
		// fetches intake, takes webhooks, and records every run.
		tc, _, err := tf.dial(ctx, s.Logger)
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook serve: %v\n", err)
			return exitFailed
		}
		defer tc.Close()
		s.Recorder.Backend = &temporal.Backend{Client: tc, Namespace: tf.namespace, TaskQueue: tf.taskQueue, Logger: s.Logger}
	}
	integ := connIntegrations(s.Config)
	names := healthNames(integ)
	e.listedIntegrations(integ, s.Config, f)
	d := &serve.Daemon{Server: s, Drain: drain, Secret: resolveRef, HealthNames: names, Integrations: integ,
		HealthCheck: func(ctx context.Context, name string) error {
			in, ok := integ[name]
			if !ok {
				return fmt.Errorf("connection %s is not used by serve.yaml", name)
			}
			return e.checkConnection(ctx, s, name, in)
		}}
	if err := d.Run(ctx); err != nil {
		fmt.Fprintf(e.stderr, "playbook serve: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// connIntegrations maps the connection names serve.yaml uses (intake
// sources' and its playbooks') to their integrations.
func connIntegrations(cfg *serve.Config) map[string]string {
	out := map[string]string{}
	for _, in := range cfg.Intake {
		out[in.Connection] = in.Command.Spec().Integration()
	}
	for _, s := range cfg.Schedules {
		for _, cd := range s.Playbook.Playbook.Connections {
			out[cd.Name] = cd.Integration
		}
	}
	for _, in := range cfg.Intake {
		if in.Trigger != nil {
			for _, cd := range in.Trigger.Playbook.Playbook.Connections {
				out[cd.Name] = cd.Integration
			}
		}
	}
	for _, w := range cfg.Webhooks {
		for _, cd := range w.Playbook.Playbook.Connections {
			out[cd.Name] = cd.Integration
		}
	}
	return out
}

// listedIntegrations adds to integ the integrations of the connections
// health_checks lists that serve.yaml does not otherwise use, from the
// connections file, read once here rather than at every check.
func (e *env) listedIntegrations(integ map[string]string, cfg *serve.Config, f serveFlags) {
	if cfg.Health == nil || f.sandbox {
		return
	}
	var file *connections.File
	for _, name := range cfg.Health.Connections {
		if _, ok := integ[name]; ok {
			continue
		}
		if file == nil {
			connsFile := f.conns
			if connsFile == "" {
				connsFile = cfg.Connections
			}
			path := connections.Find(connsFile)
			if path == "" {
				return // its checks fail, naming it
			}
			var err error
			if file, err = connections.Load(path, e.reg); err != nil {
				return // binding reports the file's errors
			}
		}
		if c := file.Lookup(name); c != nil {
			integ[name] = c.Integration
		}
	}
}

// healthNames are the connections checked when health_checks does not
// list them: those serve.yaml uses.
func healthNames(integ map[string]string) []string {
	names := make([]string, 0, len(integ))
	for n := range integ {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkConnection runs the integration's Test Connection over a bound
// connection; a Failed envelope is the error.
func (e *env) checkConnection(ctx context.Context, s *serve.Server, name, integration string) error {
	conn, err := s.Connection(name, integration)
	if err != nil {
		return err
	}
	env, ok := e.runTestConnection(ctx, conn)
	if !ok {
		return fmt.Errorf("%s has no Test Connection command", integration)
	}
	if env.ReturnData == actions.Successful {
		return nil
	}
	if env.Error != nil {
		return fmt.Errorf("%s (%d) %s", env.Error.FailureIndicator, env.Error.StatusCode, env.Error.Message)
	}
	return errors.New("Test Connection failed")
}

// resolveRef reads serve.yaml's env:NAME or file:PATH references (their
// paths are already absolute).
func resolveRef(ref string) (string, error) { return connections.ResolveRef(ref, "", nil) }

// connectionsStatus prints the health-check state serve keeps.
func (e *env) connectionsStatus(ctx context.Context, args []string) int {
	var l listFlags
	fs := newFlags("connections status", "connections status [--format text|json] [--state P | --config F]", e.stderr)
	l.register(fs)
	if _, err := parse(fs, args); err != nil {
		return exitUsage
	}
	if _, err := l.check(); err != nil {
		fmt.Fprintf(e.stderr, "playbook connections status: %v\n", err)
		return exitUsage
	}
	st, err := e.openListState(ctx, &l)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook connections status: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	hs, err := st.Health(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook connections status: %v\n", err)
		return exitFailed
	}
	if l.format != "text" {
		out := make([]map[string]any, 0, len(hs))
		for _, h := range hs {
			m := map[string]any{"connection": h.Connection, "ok": h.OK, "consecutive_failures": h.Failures,
				"last_check": h.LastCheck, "notified": h.Notified}
			if !h.LastOK.IsZero() {
				m["last_ok"] = h.LastOK
			}
			if h.LastError != "" {
				m["last_error"] = h.LastError
			}
			out = append(out, m)
		}
		if l.format == "json" {
			writeJSON(e.stdout, out)
		} else {
			enc := json.NewEncoder(e.stdout)
			for _, m := range out {
				enc.Encode(m)
			}
		}
		return exitOK
	}
	if len(hs) == 0 {
		fmt.Fprintln(e.stdout, "no health checks yet (serve.yaml's health_checks: runs them)")
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONNECTION\tSTATE\tFAILURES\tLAST CHECK\tLAST OK\tERROR")
	for _, h := range hs {
		state, lastOK := "passing", "-"
		if !h.OK {
			state = "failing"
		}
		if !h.LastOK.IsZero() {
			lastOK = h.LastOK.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", h.Connection, state, h.Failures, h.LastCheck.Format(time.RFC3339), lastOK, dash(h.LastError))
	}
	tw.Flush()
	return exitOK
}
