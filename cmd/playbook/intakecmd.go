package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/engine/console"
	"github.com/playbook-sh/playbook/engine/intake"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/store"
)

// serveFlags are the flags every command reading serve.yaml takes.
type serveFlags struct {
	config    string
	state     string
	conns     string
	sandbox   bool
	logLevel  string
	logFormat string
}

func (f *serveFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&f.config, "config", "", "the serve file (serve.yaml)")
	fs.StringVar(&f.state, "state", "", "the state file (default: serve.yaml's state:, else $PLAYBOOK_STATE, else the user's state directory)")
	fs.StringVar(&f.conns, "connections", "", "the connections file (default: serve.yaml's connections:, else $PLAYBOOK_CONNECTIONS, else ./connections.yaml)")
	fs.BoolVar(&f.sandbox, "sandbox", false, "bind every connection to its integration's in-process fake API")
	fs.StringVar(&f.logLevel, "log-level", "info", "trace, debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "text or json")
}

// server loads serve.yaml and opens what its commands share.
func (e *env) server(ctx context.Context, f *serveFlags) (*serve.Server, func(), error) {
	if f.config == "" {
		return nil, nil, fmt.Errorf("--config F is required")
	}
	if hclog.LevelFromString(f.logLevel) == hclog.NoLevel {
		return nil, nil, fmt.Errorf("--log-level must be trace, debug, info, warn or error, got %q", f.logLevel)
	}
	cfg, err := serve.Load(f.config, e.reg)
	if err != nil {
		return nil, nil, err
	}
	st, err := e.openState(ctx, f.state, cfg)
	if err != nil {
		return nil, nil, err
	}
	log := hclog.New(&hclog.LoggerOptions{Name: "playbook", Output: e.stderr,
		JSONFormat: f.logFormat == "json", Level: hclog.LevelFromString(f.logLevel)})
	connsFile := f.conns
	if connsFile == "" {
		connsFile = cfg.Connections
	}
	b := &binder{e: e, sandbox: f.sandbox, file: connsFile}
	rec := &serve.Recorder{Store: st, Registry: e.reg, Connections: b.playbook, Logger: log}
	s := &serve.Server{Config: cfg, Store: st, Recorder: rec, Connection: b.bind, Logger: log}
	return s, func() { b.close(); st.Close() }, nil
}

func (e *env) intake(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(e.stderr, "usage: playbook intake run NAME --config F --once [--sandbox] [--format text|json]")
		return exitUsage
	}
	var f serveFlags
	var once bool
	var format string
	fs := newFlags("intake run", "intake run NAME --config F --once [--state P] [--connections F] [--sandbox] [--format text|json]", e.stderr)
	f.register(fs)
	fs.BoolVar(&once, "once", false, "one fetch cycle; the runs it triggers finish before it exits")
	fs.StringVar(&format, "format", "text", "text or json")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 || !once || (format != "text" && format != "json") {
		fmt.Fprintln(e.stderr, "playbook intake run: name one intake source and pass --once (playbook serve runs intake on its interval); --format is text or json")
		return exitUsage
	}
	s, closeAll, err := e.server(ctx, &f)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook intake run: %v\n", err)
		return exitUsage
	}
	defer closeAll()
	if _, ok := s.Config.Source(pos[0]); !ok {
		fmt.Fprintf(e.stderr, "playbook intake run: %s has no intake %q\n", f.config, pos[0])
		return exitUsage
	}
	res, err := s.IntakeOnce(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook intake run: %v\n", err)
		return exitFailed
	}
	if format == "json" {
		writeJSON(e.stdout, intakeJSON(pos[0], res))
		return exitOK
	}
	fmt.Fprintf(e.stdout, "intake %s: window %s to %s, %d call(s), %d event(s), %d new, %d run(s) triggered, %d skipped\n",
		pos[0], res.Start.Format(time.RFC3339), res.End.Format(time.RFC3339), res.Calls, res.Fetched, len(res.New), len(res.Triggered), res.Skipped)
	for _, sk := range res.Result.Skipped {
		fmt.Fprintf(e.stdout, "  event %d skipped: %s\n", sk.Index, sk.Reason)
	}
	return exitOK
}

func intakeJSON(name string, res *serve.IntakeResult) map[string]any {
	keys := make([]string, len(res.New))
	for i, ev := range res.New {
		keys[i] = ev.UniqueKey
	}
	triggered := res.Triggered
	if triggered == nil {
		triggered = []string{}
	}
	return map[string]any{"intake": name, "start": res.Start, "end": res.End, "calls": res.Calls,
		"fetched": res.Fetched, "new": keys, "triggered": triggered, "skipped": res.Skipped,
		"unmapped": len(res.Result.Skipped)}
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// listFlags are the flags of the state store's list commands.
type listFlags struct {
	config, state, format, since string
	limit                        int
}

func (l *listFlags) register(fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}) {
	fs.StringVar(&l.config, "config", "", "the serve file, for its state:")
	fs.StringVar(&l.state, "state", "", "the state file (default: --config's state:, else $PLAYBOOK_STATE, else the user's state directory)")
	fs.StringVar(&l.format, "format", "text", "text, json or jsonl")
	fs.StringVar(&l.since, "since", "", "only since this time (RFC 3339) or this long ago (a duration: 24h)")
	fs.IntVar(&l.limit, "limit", 50, "at most this many, newest first")
}

func (l *listFlags) check() (time.Time, error) {
	if l.format != "text" && l.format != "json" && l.format != "jsonl" {
		return time.Time{}, fmt.Errorf("--format must be text, json or jsonl, got %q", l.format)
	}
	if l.limit < 1 {
		return time.Time{}, fmt.Errorf("--limit must be at least 1")
	}
	t, err := console.ParseSince(l.since, time.Now().UTC())
	if err != nil {
		return time.Time{}, fmt.Errorf("--%w", err)
	}
	return t, nil
}

// openListState opens the state for a list command: --state, else
// --config's state:, else the defaults.
func (e *env) openListState(ctx context.Context, l *listFlags) (*store.Store, error) {
	var cfg *serve.Config
	if l.config != "" && l.state == "" {
		var err error
		if cfg, err = serve.Load(l.config, e.reg); err != nil {
			return nil, err
		}
	}
	return e.openState(ctx, l.state, cfg)
}

func (e *env) events(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(e.stderr, "usage: playbook events list [--source NAME] [--since T] [--limit N] [--format text|json|jsonl]")
		return exitUsage
	}
	var l listFlags
	var source string
	fs := newFlags("events list", "events list [--source NAME] [--since T] [--limit N] [--format text|json|jsonl] [--state P | --config F]", e.stderr)
	l.register(fs)
	fs.StringVar(&source, "source", "", "only this intake source's events")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return exitUsage
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "playbook events list: unexpected argument %q (name the intake with --source NAME)\n", pos[0])
		return exitUsage
	}
	since, err := l.check()
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook events list: %v\n", err)
		return exitUsage
	}
	st, err := e.openListState(ctx, &l)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook events list: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	evs, err := st.ListEvents(ctx, store.EventFilter{Source: source, Since: since, Limit: l.limit})
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook events list: %v\n", err)
		return exitFailed
	}
	rows := make([]map[string]any, 0, len(evs))
	for _, ev := range evs {
		m, err := intake.StoredEvent(ev)
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook events list: event %s: %v\n", ev.Key, err)
			return exitFailed
		}
		fields, err := m.FieldsJSON()
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook events list: event %s: %v\n", ev.Key, err)
			return exitFailed
		}
		rows = append(rows, map[string]any{"source": ev.Source, "key": ev.UniqueKey, "fetched_at": ev.FetchedAt,
			"state": ev.State, "run_id": ev.RunID, "fields": fields, "raw": m.Raw})
	}
	switch l.format {
	case "json":
		writeJSON(e.stdout, rows)
	case "jsonl":
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, r := range rows {
			enc.Encode(r)
		}
	default:
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tKEY\tFETCHED\tSTATE\tRUN\tFIELDS")
		for i, r := range rows {
			ev := evs[i]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ev.Source, ev.UniqueKey, ev.FetchedAt.Format(time.RFC3339),
				ev.State, dash(ev.RunID), clip(compactJSON(r["fields"]), 80))
		}
		tw.Flush()
	}
	return exitOK
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
