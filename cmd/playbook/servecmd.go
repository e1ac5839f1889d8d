package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/connections"
	"github.com/playbook-sh/playbook/engine/serve"
)

func (e *env) serve(ctx context.Context, args []string) int {
	var f serveFlags
	var check bool
	var drain time.Duration
	fs := newFlags("serve", "serve --config F [--state P] [--connections F] [--sandbox] [--check] [--drain D]", e.stderr)
	f.register(fs)
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
	integ := connIntegrations(s.Config)
	d := &serve.Daemon{Server: s, Drain: drain, Secret: resolveRef,
		HealthCheck: func(ctx context.Context, name string) error {
			in, ok := integ[name]
			if !ok && !f.sandbox {
				if path := connections.Find(f.conns); path != "" {
					if cf, err := connections.Load(path, e.reg); err == nil && cf.Lookup(name) != nil {
						in, ok = cf.Lookup(name).Integration, true
					}
				}
			}
			if !ok {
				return fmt.Errorf("connection %s is not used by serve.yaml", name)
			}
			return e.checkConnection(ctx, s, name, in)
		}}
	d.HealthNames = healthNames(integ)
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
	cmd, ok := e.reg.Lookup(integration + ".test_connection")
	if !ok {
		return fmt.Errorf("%s has no Test Connection command", integration)
	}
	env := cmd.Run(ctx, actions.Request{Task: "health_check", Inputs: map[string]any{}, Connection: conn, Logger: hclog.NewNullLogger()})
	if env.ReturnData == actions.Successful {
		return nil
	}
	if env.Error != nil {
		return fmt.Errorf("%s (%d) %s", env.Error.FailureIndicator, env.Error.StatusCode, env.Error.Message)
	}
	return errors.New("Test Connection failed")
}

// maxSecretFile caps a file: secret.
const maxSecretFile = 64 << 10

// resolveRef reads an env:NAME or file:PATH reference; a file's one
// trailing newline is dropped. Errors name the reference, never a value.
func resolveRef(ref string) (string, error) {
	switch {
	case strings.HasPrefix(ref, "env:"):
		v, ok := os.LookupEnv(ref[4:])
		if !ok || v == "" {
			return "", fmt.Errorf("environment variable %s is not set", ref[4:])
		}
		return v, nil
	case strings.HasPrefix(ref, "file:"):
		b, err := os.ReadFile(ref[5:])
		if err != nil {
			return "", fmt.Errorf("read %s: %w", ref[5:], errors.Unwrap(err))
		}
		if len(b) > maxSecretFile {
			return "", fmt.Errorf("%s is larger than %d bytes", ref[5:], maxSecretFile)
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if s == "" {
			return "", fmt.Errorf("%s is empty", ref[5:])
		}
		return s, nil
	}
	return "", fmt.Errorf("not an env: or file: reference")
}

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
