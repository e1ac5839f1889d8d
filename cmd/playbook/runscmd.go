package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/console"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/store"
)

func (e *env) runs(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: playbook runs list|show ID|resume ID [flags]")
		return exitUsage
	}
	switch args[0] {
	case "list":
		return e.runsList(ctx, args[1:])
	case "show":
		return e.runsShow(ctx, args[1:])
	case "resume":
		return e.runsResume(ctx, args[1:])
	}
	fmt.Fprintf(e.stderr, "playbook runs: unknown subcommand %q (list, show, resume)\n", args[0])
	return exitUsage
}

// runStatuses are the statuses a run has, as runs list --status takes them.
var runStatuses = []string{store.StatusRunning, store.StatusSuccessful, store.StatusFailed,
	store.StatusPartiallySuccessful, store.StatusCancelled, store.StatusInterrupted}

// runStatus returns the status s names, in any case ("failed" is Failed).
func runStatus(s string) (string, bool) {
	for _, st := range runStatuses {
		if strings.EqualFold(s, st) {
			return st, true
		}
	}
	return "", false
}

func (e *env) runsList(ctx context.Context, args []string) int {
	var l listFlags
	var pb, status, trigger string
	var keys multi
	fs := newFlags("runs list", "runs list [--playbook NAME] [--status S] [--trigger T] [--key NAME=VALUE]... [--since T] [--limit N] [--format text|json|jsonl] [--state P | --config F]", e.stderr)
	fs.Var(&keys, "key", "only runs with this Key Field or input value, as NAME=VALUE (EndpointIDs=e-17); repeatable, all must match")
	l.register(fs)
	fs.StringVar(&pb, "playbook", "", "only runs of this playbook (its name)")
	fs.StringVar(&status, "status", "", "only runs with this status (any case): running, Successful, Failed, Partially Successful, Cancelled, Interrupted")
	fs.StringVar(&trigger, "trigger", "", "only runs with this trigger: cli, schedule:NAME, intake:NAME, webhook:NAME")
	pos, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "playbook runs list: unexpected argument %q (filter with --playbook, --status, --trigger, --since)\n", pos[0])
		return exitUsage
	}
	since, err := l.check()
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook runs list: %v\n", err)
		return exitUsage
	}
	if status != "" {
		st, ok := runStatus(status)
		if !ok {
			fmt.Fprintf(e.stderr, "playbook runs list: --status must be one of %s, got %q\n", strings.Join(runStatuses, ", "), status)
			return exitUsage
		}
		status = st
	}
	var values []store.Value
	for _, k := range keys {
		v, err := store.ParseValue(k)
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook runs list: --key: %v\n", err)
			return exitUsage
		}
		values = append(values, v)
	}
	st, err := e.openListState(ctx, &l)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook runs list: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	runs, err := st.ListRuns(ctx, store.RunFilter{Playbook: pb, Status: status, Trigger: trigger, Since: since, Limit: l.limit, Values: values})
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook runs list: %v\n", err)
		return exitFailed
	}
	switch l.format {
	case "json":
		out := make([]map[string]any, len(runs))
		for i, r := range runs {
			out[i] = console.RunRow(r)
		}
		writeJSON(e.stdout, out)
	case "jsonl":
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, r := range runs {
			enc.Encode(console.RunRow(r))
		}
	default:
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RUN\tPLAYBOOK\tTRIGGER\tSTATUS\tSTARTED\tDURATION")
		for _, r := range runs {
			dur := "-"
			if !r.FinishedAt.IsZero() {
				dur = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Playbook, r.Trigger, r.Status, r.StartedAt.Format(time.RFC3339), dur)
		}
		tw.Flush()
	}
	return exitOK
}

func (e *env) runsShow(ctx context.Context, args []string) int {
	var l listFlags
	fs := newFlags("runs show", "runs show ID [--format text|json] [--state P | --config F]", e.stderr)
	l.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 || (l.format != "text" && l.format != "json") {
		fmt.Fprintln(e.stderr, "playbook runs show: name one run id (or a unique prefix of 6 or more characters); --format is text or json")
		return exitUsage
	}
	st, err := e.openListState(ctx, &l)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook runs show: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	r, err := st.GetRun(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook runs show: %v\n", err)
		return exitFailed
	}
	if len(r.Report) == 0 {
		// Running or interrupted: what is known so far.
		if l.format == "json" {
			writeJSON(e.stdout, console.RunRow(r))
		} else {
			fmt.Fprintf(e.stdout, "playbook %s  run %s  %s  (trigger %s, started %s)\n", r.Playbook, r.ID, r.Status, r.Trigger, r.StartedAt.Format(time.RFC3339))
			if r.Error != "" {
				fmt.Fprintf(e.stdout, "error: %s\n", r.Error)
			}
		}
		return exitOK
	}
	if l.format == "json" {
		e.stdout.Write(r.Report)
		return exitOK
	}
	var rep engine.Report
	if err := json.Unmarshal(r.Report, &rep); err != nil {
		fmt.Fprintf(e.stderr, "playbook runs show: run %s: its report does not decode: %v\n", r.ID, err)
		return exitFailed
	}
	rep.Status = r.Status
	writeSummary(e.stdout, &rep)
	return exitOK
}

func (e *env) runsResume(ctx context.Context, args []string) int {
	var state, conns, format string
	var sandbox bool
	fs := newFlags("runs resume", "runs resume ID [--state P] [--connections F] [--sandbox] [--format text|json]", e.stderr)
	fs.StringVar(&state, "state", "", "the state file")
	fs.StringVar(&conns, "connections", "", "the connections file")
	fs.BoolVar(&sandbox, "sandbox", false, "bind every connection to its integration's in-process fake API")
	fs.StringVar(&format, "format", "text", "text or json")
	pos, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 || (format != "text" && format != "json") {
		fmt.Fprintln(e.stderr, "playbook runs resume: name one run id; --format is text or json")
		return exitUsage
	}
	st, err := e.openState(ctx, state, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook runs resume: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	b := &binder{e: e, sandbox: sandbox, file: conns}
	defer b.close()
	log := hclog.New(&hclog.LoggerOptions{Name: "playbook", Output: e.stderr, Level: hclog.Warn})
	rec := &serve.Recorder{Store: st, Registry: e.reg, Connections: b.playbook, Logger: log}
	rep, err := rec.Resume(ctx, pos[0], func(file string) (*engine.Compiled, error) {
		if _, err := os.Stat(file); err != nil {
			return nil, fmt.Errorf("the run's playbook %s: %w", file, err)
		}
		return e.load(file)
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook runs resume: %v\n", err)
		return exitFailed
	}
	if format == "json" {
		b, _ := rep.JSON()
		e.stdout.Write(b)
	} else {
		writeSummary(e.stdout, rep)
	}
	return exitCode(rep.Status)
}
