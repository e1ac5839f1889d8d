package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/connections"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/temporal"
	"github.com/playbook-sh/playbook/engine/temporal/blob"
)

// temporalFlags are the flags every Temporal-facing command shares.
type temporalFlags struct {
	hostPort    string
	namespace   string
	taskQueue   string
	resultStore string
}

func (t *temporalFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&t.hostPort, "temporal", "", "run on Temporal: the frontend's HOST:PORT")
	fs.StringVar(&t.namespace, "namespace", temporal.DefaultNamespace, "the Temporal namespace")
	fs.StringVar(&t.taskQueue, "task-queue", temporal.DefaultTaskQueue, "the Temporal task queue the workers poll")
	fs.StringVar(&t.resultStore, "result-store", os.Getenv(temporal.ResultStoreEnv), "where payloads too large for history are kept: a directory, or s3://BUCKET[/PREFIX]?endpoint=URL&region=R (credentials from $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY); default $"+temporal.ResultStoreEnv)
}

// dial opens the result store, if one is given, and connects.
func (t *temporalFlags) dial(ctx context.Context, log hclog.Logger) (client.Client, blob.Store, error) {
	var results blob.Store
	if t.resultStore != "" {
		var err error
		if results, err = blob.Open(t.resultStore, os.Getenv); err != nil {
			return nil, nil, fmt.Errorf("--result-store: %w", err)
		}
	}
	c, err := temporal.Dial(ctx, t.hostPort, t.namespace, log, results)
	if err != nil {
		return nil, nil, err
	}
	return c, results, nil
}

// worker serves the playbook workflow and the call activity.
func (e *env) worker(ctx context.Context, args []string) int {
	var tf temporalFlags
	var conns, logLevel, logFormat string
	var sandbox bool
	var heartbeat, callTimeout time.Duration
	fs := newFlags("worker", "worker --temporal HOST:PORT [--namespace N] [--task-queue Q] [--result-store L] [--connections F | --sandbox] [--heartbeat-timeout D] [--call-timeout D] [--log-level L] [--log-format text|json]", e.stderr)
	tf.register(fs)
	fs.StringVar(&conns, "connections", "", "the connections file whose credentials the calls use (default $PLAYBOOK_CONNECTIONS, else ./connections.yaml)")
	fs.BoolVar(&sandbox, "sandbox", false, "bind every connection to its integration's in-process fake API, fresh for each run")
	fs.DurationVar(&heartbeat, "heartbeat-timeout", temporal.DefaultHeartbeatTimeout, "how soon a call whose worker is lost is tried again on another")
	fs.DurationVar(&callTimeout, "call-timeout", temporal.DefaultCallTimeout, "bound on one call, under any task timeout")
	fs.StringVar(&logLevel, "log-level", "info", "trace, debug, info, warn or error")
	fs.StringVar(&logFormat, "log-format", "text", "text or json")
	pos, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	switch {
	case len(pos) != 0:
		fmt.Fprintln(e.stderr, "playbook worker: takes no arguments")
		return exitUsage
	case tf.hostPort == "":
		fmt.Fprintln(e.stderr, "playbook worker: --temporal HOST:PORT is required")
		return exitUsage
	case sandbox && conns != "":
		fmt.Fprintln(e.stderr, "playbook worker: --sandbox and --connections exclude each other")
		return exitUsage
	case heartbeat <= 0 || callTimeout <= 0:
		fmt.Fprintln(e.stderr, "playbook worker: --heartbeat-timeout and --call-timeout must be positive")
		return exitUsage
	case hclog.LevelFromString(logLevel) == hclog.NoLevel:
		fmt.Fprintf(e.stderr, "playbook worker: --log-level must be trace, debug, info, warn or error, got %q\n", logLevel)
		return exitUsage
	}
	log := hclog.New(&hclog.LoggerOptions{Name: "playbook", Output: e.stderr, JSONFormat: logFormat == "json", Level: hclog.LevelFromString(logLevel)})
	resolve, stop, err := e.workerConnections(conns, sandbox)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook worker: %v\n", err)
		return exitUsage
	}
	defer stop()
	c, results, err := tf.dial(ctx, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook worker: %v\n", err)
		return exitFailed
	}
	defer c.Close()
	w := worker.New(c, tf.taskQueue, worker.Options{})
	(&temporal.Worker{Registry: e.reg, Connections: resolve, Logger: log, LogOutput: e.stderr, LogJSON: logFormat == "json",
		HeartbeatTimeout: heartbeat, CallTimeout: callTimeout, Results: results}).Register(w)
	if err := w.Start(); err != nil {
		fmt.Fprintf(e.stderr, "playbook worker: %v\n", err)
		return exitFailed
	}
	log.Info("worker started", "temporal", tf.hostPort, "namespace", tf.namespace, "task_queue", tf.taskQueue, "result_store", storeName(results))
	<-ctx.Done()
	w.Stop()
	log.Info("worker stopped")
	return exitOK
}

// workerConnections resolves the calls' connections: from the connections
// file, each checked against the integration the playbook declares, or,
// with sandbox, fakes started for each run (as `run --sandbox` starts
// them), ended when the worker stops.
func (e *env) workerConnections(file string, sandbox bool) (func(runID, name, integration string) (*actions.Connection, error), func(), error) {
	if sandbox {
		var mu sync.Mutex
		fakes := map[[2]string]*actions.Sandbox{}
		stop := func() {
			mu.Lock()
			defer mu.Unlock()
			for _, f := range fakes {
				if f.Close != nil {
					f.Close()
				}
			}
		}
		return func(runID, name, integration string) (*actions.Connection, error) {
			mu.Lock()
			defer mu.Unlock()
			key := [2]string{runID, integration}
			f := fakes[key]
			if f == nil {
				var err error
				if f, err = engine.StartSandbox(e.reg, integration); err != nil {
					return nil, err
				}
				fakes[key] = f
			}
			return f.Connection(name, integration), nil
		}, stop, nil
	}
	nop := func() {}
	path := connections.Find(file)
	if path == "" {
		// A worker may serve playbooks with no connections.
		fmt.Fprintf(e.stderr, "warning: no connections file (--connections F, $%s or %s): calls that need a connection will fail\n", connections.EnvVar, connections.DefaultFile)
		return func(string, string, string) (*actions.Connection, error) { return nil, nil }, nop, nil
	}
	f, err := connections.Load(path, e.reg)
	if err != nil {
		return nil, nop, err
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	// Resolve every connection now: a missing secret stops the worker at
	// start, not a run at its first call.
	resolved := map[string]*actions.Connection{}
	for _, name := range f.Names() {
		conn, err := f.Resolve(name, nil)
		if err != nil {
			return nil, nop, err
		}
		resolved[name] = conn
	}
	return func(_, name, integration string) (*actions.Connection, error) {
		conn := resolved[name]
		if conn == nil {
			return nil, nil
		}
		if conn.Integration != integration {
			fc := f.Lookup(name)
			return nil, fmt.Errorf("%s:%d:%d: connection %s is %s, but the playbook declares it as %s", f.Path, fc.Pos.Line, fc.Pos.Col, name, conn.Integration, integration)
		}
		return conn, nil
	}, nop, nil
}

// runTemporal runs the playbook as a workflow and waits for its report,
// showing progress as a run in process does; Ctrl-C cancels the workflow.
// With --record the run is recorded in the state store as well.
func (e *env) runTemporal(ctx context.Context, o *runOptions, c *engine.Compiled, inputs map[string]any, log hclog.Logger) int {
	tc, _, err := o.temporal.dial(ctx, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		return exitFailed
	}
	defer tc.Close()
	id := o.workflowID
	if id == "" {
		id = engine.NewRunID()
	}
	observer := progressObserver(o.progress, e.stderr)
	var rep *engine.Report
	if o.record {
		st, err := e.openState(ctx, o.state, nil)
		if err != nil {
			fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
			return exitUsage
		}
		defer st.Close()
		b := &temporal.Backend{Client: tc, Namespace: o.temporal.namespace, TaskQueue: o.temporal.taskQueue, Logger: log, CancelOnStop: true}
		rec := &serve.Recorder{Store: st, Registry: e.reg, Backend: b}
		if observer != nil {
			rec.Observer = func(_ string, ev engine.Event) { observer(ev) }
		}
		if rep, err = rec.Run(ctx, serve.Launch{ID: id, Playbook: c, Inputs: inputs, Trigger: "cli", DryRun: o.dryRun}); err != nil {
			fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(e.stderr, "recorded run %s in %s\n", rep.RunID, st.Path())
		return e.finishRun(o, rep)
	}
	// A recorded run's input is built by its backend, above.
	in, err := temporal.NewRunInput(c, inputs, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		return exitUsage
	}
	in.DryRun = o.dryRun
	run, err := temporal.Start(ctx, tc, o.temporal.taskQueue, id, in)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		return exitFailed
	}
	if o.detach {
		fmt.Fprintln(e.stdout, run.GetID())
		return exitOK
	}
	if rep, err = temporal.Wait(ctx, tc, run, observer); err != nil {
		fmt.Fprintf(e.stderr, "playbook run: %v\n", err)
		return exitFailed
	}
	return e.finishRun(o, rep)
}

func storeName(s blob.Store) string {
	if s == nil {
		return "none"
	}
	return s.String()
}
