package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/mattn/go-isatty"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/plan"
	"github.com/playbook-sh/playbook/engine/playbook"
	"github.com/playbook-sh/playbook/engine/serve"
)

// runOptions are the flags of playbook run.
type runOptions struct {
	file       string
	inputs     multi
	inputsFile string
	report     string
	format     string
	logLevel   string
	logFormat  string
	progress   string
	dryRun     bool
	conns      string
	sandbox    bool
	record     bool
	state      string
	temporal   temporalFlags
	detach     bool
	workflowID string
}

func parseRunOptions(args []string, stderr io.Writer) (*runOptions, error) {
	o := &runOptions{}
	fs := newFlags("run", "run FILE [--input k=v]... [--inputs F.json] [--connections F] [--sandbox] [--dry-run] [--record [--state P]] [--report F] [--format text|json] [--log-level L] [--log-format text|json] [--temporal HOST:PORT [--namespace N] [--task-queue Q] [--result-store L] [--workflow-id ID] [--detach]]", stderr)
	fs.Var(&o.inputs, "input", "an input as name=value (repeatable); arrays and objects as JSON")
	fs.StringVar(&o.inputsFile, "inputs", "", "a JSON file of inputs")
	fs.StringVar(&o.report, "report", "", "also write the JSON run report to this file")
	fs.StringVar(&o.format, "format", "text", "text or json: what goes to stdout")
	fs.StringVar(&o.logLevel, "log-level", "warn", "trace, debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "text or json")
	fs.StringVar(&o.conns, "connections", "", "the connections file (default $PLAYBOOK_CONNECTIONS, else ./connections.yaml)")
	fs.BoolVar(&o.sandbox, "sandbox", false, "bind every connection to its integration's in-process fake API; no credentials needed")
	fs.BoolVar(&o.dryRun, "dry-run", false, "run commands that do not mutate; for those that do, report the request they would send")
	fs.BoolVar(&o.record, "record", false, "record the run in the state store (playbook runs list|show|resume)")
	fs.StringVar(&o.state, "state", "", "the state file for --record (default $PLAYBOOK_STATE, else the user's state directory)")
	fs.StringVar(&o.progress, "progress", "auto", "auto, on or off: task progress on stderr (auto: when stderr is a terminal)")
	o.temporal.register(fs)
	fs.BoolVar(&o.detach, "detach", false, "with --temporal: start the run, print its workflow id and exit")
	fs.StringVar(&o.workflowID, "workflow-id", "", "with --temporal: the workflow id (default a new run id)")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, fmt.Errorf("name one playbook file")
	}
	o.file = pos[0]
	if o.format != "text" && o.format != "json" {
		return nil, fmt.Errorf("--format must be text or json, got %q", o.format)
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return nil, fmt.Errorf("--log-format must be text or json, got %q", o.logFormat)
	}
	if hclog.LevelFromString(o.logLevel) == hclog.NoLevel {
		return nil, fmt.Errorf("--log-level must be trace, debug, info, warn or error, got %q", o.logLevel)
	}
	if o.progress != "auto" && o.progress != "on" && o.progress != "off" {
		return nil, fmt.Errorf("--progress must be auto, on or off, got %q", o.progress)
	}
	if o.temporal.hostPort == "" {
		if o.detach || o.workflowID != "" {
			return nil, fmt.Errorf("--detach and --workflow-id need --temporal")
		}
		return o, nil
	}
	// On Temporal the calls use the worker's connections.
	for _, f := range []struct {
		set  bool
		name string
	}{{o.sandbox, "--sandbox (start the worker with --sandbox)"}, {o.conns != "", "--connections (the worker's connections file is used)"},
		{o.record && o.detach, "--record with --detach (a recorded run is waited for)"}} {
		if f.set {
			return nil, fmt.Errorf("--temporal does not take %s", f.name)
		}
	}
	return o, nil
}

func (e *env) run(ctx context.Context, args []string) int {
	o, err := parseRunOptions(args, e.stderr)
	if err != nil {
		if err.Error() != "flag: help requested" {
			fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		}
		return exitUsage
	}
	c, err := e.load(o.file)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	inputs, err := e.runInputs(c, o)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		return exitUsage
	}
	log := hclog.New(&hclog.LoggerOptions{
		Name: "playbook", Output: e.stderr, JSONFormat: o.logFormat == "json",
		Level: hclog.LevelFromString(o.logLevel),
	})
	if o.temporal.hostPort != "" {
		return e.runTemporal(ctx, o, c, inputs, log)
	}
	conns, stop, err := e.bindConnections(c, o.conns, o.sandbox)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		return exitUsage
	}
	defer stop()
	opts := []engine.Option{engine.WithLogger(log), engine.WithDryRun(o.dryRun), engine.WithConnections(conns)}
	observer := progressObserver(o.progress, e.stderr)
	var rep *engine.Report
	if o.record {
		rep, err = e.recordRun(ctx, o, c, inputs, conns, opts, observer)
	} else {
		if observer != nil {
			opts = append(opts, engine.WithObserver(observer))
		}
		r := engine.New(engine.LocalExecutor{Registry: e.reg}, opts...)
		rep, err = r.Run(ctx, c, engine.Params{Inputs: inputs})
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		return exitUsage
	}
	return e.finishRun(o, rep)
}

// finishRun writes a run's report as the flags say and gives its exit
// code.
func (e *env) finishRun(o *runOptions, rep *engine.Report) int {
	if o.report != "" {
		if err := writeReportFile(o.report, rep); err != nil {
			fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		}
	}
	if o.format == "json" {
		b, err := rep.JSON()
		if err == nil {
			_, err = e.stdout.Write(b)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook run: write report: %v\n", err)
		}
	} else {
		writeSummary(e.stdout, rep)
	}
	return exitCode(rep.Status)
}

// recordRun runs the playbook through the state store's recorder: the
// run is listed while it runs, each succeeded task is checkpointed, and
// the report is kept.
func (e *env) recordRun(ctx context.Context, o *runOptions, c *engine.Compiled, inputs map[string]any,
	conns map[string]*actions.Connection, opts []engine.Option, observer func(engine.Event)) (*engine.Report, error) {
	st, err := e.openState(ctx, o.state, nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rec := &serve.Recorder{Store: st, Registry: e.reg, Options: opts,
		Connections: func(*engine.Compiled) (map[string]*actions.Connection, error) { return conns, nil }}
	if observer != nil {
		rec.Observer = func(_ string, ev engine.Event) { observer(ev) }
	}
	rep, err := rec.Run(ctx, serve.Launch{Playbook: c, Inputs: inputs, Trigger: "cli", DryRun: o.dryRun})
	if err == nil {
		fmt.Fprintf(e.stderr, "recorded run %s in %s\n", rep.RunID, st.Path())
	}
	return rep, err
}

// exitCode maps a run status to the CLI contract's exit code.
func exitCode(status string) int {
	switch status {
	case engine.RunSuccessful:
		return exitOK
	case engine.RunPartiallySuccessful:
		return exitPartial
	case engine.RunCancelled:
		return exitCancelled
	}
	return exitFailed
}

// runInputs reads --inputs then --input (which wins), then binds them.
func (e *env) runInputs(c *engine.Compiled, o *runOptions) (map[string]any, error) {
	given := map[string]any{}
	if o.inputsFile != "" {
		b, err := os.ReadFile(o.inputsFile)
		if err != nil {
			return nil, err
		}
		v, err := actions.DecodeJSON(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", o.inputsFile, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: inputs must be a JSON object", o.inputsFile)
		}
		given = m
	}
	for _, kv := range o.inputs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--input %q: write name=value", kv)
		}
		x, err := c.ParseInput(k, v)
		if err != nil {
			return nil, err
		}
		given[k] = x
	}
	return c.BindInputs(given)
}

func writeReportFile(path string, rep *engine.Report) error {
	b, err := rep.JSON()
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return os.WriteFile(path, b, 0o600)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func showProgress(mode string, w io.Writer) bool {
	switch mode {
	case "on":
		return true
	case "off":
		return false
	}
	return isTerminal(w)
}

// progressObserver prints a run's task events on w as --progress says;
// nil when it says not to.
func progressObserver(mode string, w io.Writer) func(engine.Event) {
	if !showProgress(mode, w) {
		return nil
	}
	p := &progress{w: w, color: isTerminal(w), started: map[string]time.Time{}}
	return p.event
}

// progress prints one line per task event on stderr.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	color   bool
	started map[string]time.Time
}

func (p *progress) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *progress) event(ev engine.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev.Kind {
	case engine.TaskStarted:
		fmt.Fprintf(p.w, "%s %s\n", p.paint("36", "▶"), ev.Task)
	case engine.TaskRetrying:
		msg := ""
		if ev.Error != nil {
			msg = ": " + ev.Error.Message
		}
		fmt.Fprintf(p.w, "%s %s attempt %d failed%s; retrying in %s\n", p.paint("33", "↻"), ev.Task, ev.Attempt, msg, ev.Duration.Round(time.Millisecond))
	case engine.TaskFinished:
		switch ev.Status {
		case plan.Succeeded:
			fmt.Fprintf(p.w, "%s %s %s (%s)\n", p.paint("32", "✓"), ev.Task, ev.Status, ev.Duration.Round(time.Millisecond))
		case plan.DryRun:
			fmt.Fprintf(p.w, "%s %s dry run: not called\n", p.paint("35", "◌"), ev.Task)
		case plan.Failed:
			msg := ""
			if ev.Error != nil {
				msg = ": " + ev.Error.Message
			}
			fmt.Fprintf(p.w, "%s %s failed%s\n", p.paint("31", "✗"), ev.Task, msg)
		default:
			fmt.Fprintf(p.w, "%s %s %s: %s\n", p.paint("90", "↷"), ev.Task, ev.Status, ev.Reason)
		}
	}
}

// writeSummary prints the run as text: status, one line per task, outputs.
func writeSummary(w io.Writer, rep *engine.Report) {
	fmt.Fprintf(w, "playbook %s  run %s  %s  (%s)\n", rep.Playbook, rep.RunID, rep.Status, rep.FinishedAt.Sub(rep.StartedAt).Round(time.Millisecond))
	if rep.Error != "" {
		fmt.Fprintf(w, "error: %s\n", rep.Error)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, id := range rep.Order {
		t := rep.Tasks[id]
		detail := t.Reason
		if t.Error != nil {
			detail = t.Error.Message
		}
		rd := string(t.ReturnData)
		if rd == "" {
			rd = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", id, t.Status, rd, t.Attempts, detail)
	}
	tw.Flush()
	if rep.DryRun {
		fmt.Fprintf(w, "dry run: %d side effect(s) not performed\n", len(rep.SideEffects))
		for _, se := range rep.SideEffects {
			item := ""
			if se.Item != nil {
				item = fmt.Sprintf(" [item %d]", *se.Item)
			}
			fmt.Fprintf(w, "  %s%s %s %s\n", se.Task, item, se.Command, compactJSON(se.Request))
		}
	}
	if len(rep.Outputs) > 0 {
		fmt.Fprintln(w, "outputs:")
		names := make([]string, 0, len(rep.Outputs))
		for k := range rep.Outputs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(w, "  %s: %s\n", k, compactJSON(rep.Outputs[k]))
		}
	}
}

func hint(names []string, name string) string {
	if h := playbook.Suggest(name, names); h != "" {
		return " (" + h + ")"
	}
	return ""
}

// compactJSON is v as one line of JSON, HTML left unescaped.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
