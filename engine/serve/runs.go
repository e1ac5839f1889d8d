package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/plan"
	"github.com/playbook-sh/playbook/engine/store"
)

// Recorder runs playbooks and records each run in the state store: the
// run as "running" before its first task, each task's report as it
// finishes (so an interrupted run can resume), and the report at the end.
type Recorder struct {
	Store    *store.Store
	Registry *actions.Registry
	// Connections binds a playbook's connection names.
	Connections func(c *engine.Compiled) (map[string]*actions.Connection, error)
	Logger      hclog.Logger
	// Options are given to every run's runner first (a logger, a clock);
	// the recorder's own (connections, run id, observer) come after.
	Options []engine.Option
	// Observer, when set, sees every progress event of every run too.
	Observer func(runID string, e engine.Event)
	// Started and Finished, when set, are told of each run (metrics).
	Started func(l Launch)
	// Finished gets the run's status and report (nil when it did not start).
	Finished func(l Launch, status string, rep *engine.Report)
	// Executor runs the commands; nil means an [engine.LocalExecutor] over
	// Registry. serve wraps it to count API calls.
	Executor engine.Executor
	// Backend, when set, runs the playbooks instead of this process (the
	// recorder still records them); Connections and Executor are then
	// unused, as the backend's workers bind connections.
	Backend Backend
}

// Launch is one run to record.
type Launch struct {
	Playbook   *engine.Compiled
	Inputs     map[string]any // bound
	Event      any
	Trigger    string // "cli", "schedule:NAME", "intake:NAME", "webhook:NAME"
	TriggerRef string
	// Start, when set, creates the run's row instead of CreateRun (intake
	// triggers create it with the event's state in one transaction).
	Start func(ctx context.Context, r store.Run) error
	// DryRun runs without mutating calls.
	DryRun bool
	// ID is the run's id; "" means a new one.
	ID string
	// Name is the playbook's name when Playbook is nil: a run followed
	// from its record.
	Name string
	// StartedAt, when set, is recorded as the run's start (a backend's
	// schedule started it); zero means now.
	StartedAt time.Time
}

// Run runs the playbook once and records it. The report is nil only when
// the run could not start; the run's row then holds the error.
func (rc *Recorder) Run(ctx context.Context, l Launch) (*engine.Report, error) {
	id := l.ID
	if id == "" {
		id = engine.NewRunID()
	}
	return rc.run(ctx, l, id, nil, false)
}

// Follow records a run its backend started (a schedule's fire), or one
// an earlier serve started and left running (l.Start then does nothing):
// it waits for the backend's report and records it.
func (rc *Recorder) Follow(ctx context.Context, l Launch) (*engine.Report, error) {
	if rc.Backend == nil {
		return nil, errors.New("no backend to follow the run on")
	}
	return rc.run(ctx, l, l.ID, nil, true)
}

// Resume continues a recorded run that did not finish: tasks that
// succeeded are not run again.
func (rc *Recorder) Resume(ctx context.Context, id string, load func(file string) (*engine.Compiled, error)) (*engine.Report, error) {
	r, err := rc.Store.GetRun(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == "running" {
		return nil, fmt.Errorf("run %s is still running (owner %s)", r.ID, r.Owner)
	}
	c, err := load(r.File)
	if err != nil {
		return nil, err
	}
	var inputs map[string]any
	if len(r.Inputs) > 0 {
		v, err := actions.DecodeJSON(r.Inputs)
		if err != nil {
			return nil, fmt.Errorf("run %s: inputs: %w", r.ID, err)
		}
		inputs, _ = v.(map[string]any)
	}
	var event any
	if len(r.Event) > 0 {
		if event, err = actions.DecodeJSON(r.Event); err != nil {
			return nil, fmt.Errorf("run %s: event: %w", r.ID, err)
		}
	}
	saved, err := rc.Store.Tasks(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	prior := map[string]*engine.TaskReport{}
	for task, b := range saved {
		tr, err := engine.DecodeTaskReport(b)
		if err != nil {
			return nil, fmt.Errorf("run %s: task %s: %w", r.ID, task, err)
		}
		if tr.Status == plan.Succeeded {
			prior[task] = tr
		}
	}
	if err := rc.Store.ResumeRun(ctx, r.ID, store.Owner()); err != nil {
		return nil, err
	}
	l := Launch{Playbook: c, Inputs: inputs, Event: event, Trigger: r.Trigger, TriggerRef: r.TriggerRef,
		Start: func(context.Context, store.Run) error { return nil }}
	return rc.run(ctx, l, r.ID, prior, false)
}

func (rc *Recorder) run(ctx context.Context, l Launch, id string, prior map[string]*engine.TaskReport, follow bool) (*engine.Report, error) {
	l.ID = id // the hooks see the run's id
	log := rc.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if l.Playbook != nil { // nil: following a run already recorded
		start := l.Start
		if start == nil {
			start = rc.Store.CreateRun
		}
		if err := start(ctx, rc.row(l)); err != nil {
			return nil, err
		}
	}
	if rc.Started != nil {
		rc.Started(l)
	}
	// Every run told Started is told Finished, also one whose connections
	// cannot be bound.
	var rep *engine.Report
	detached := false
	if rc.Finished != nil {
		defer func() {
			if detached {
				return // serve is stopping; the run goes on, and is not counted here
			}
			status := engine.RunFailed
			if rep != nil {
				status = rep.Status
			}
			rc.Finished(l, status, rep)
		}()
	}
	finish := func(status, errText string, rep []byte) {
		// The run's end is recorded even when ctx was cancelled (SIGTERM).
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := rc.Store.FinishRun(fctx, id, status, time.Now().UTC(), rep, errText); err != nil {
			log.Error("record the run's end", "run_id", id, "error", err)
		}
	}
	if rc.Backend != nil {
		var err error
		observe := func(e engine.Event) {
			if rc.Observer != nil {
				rc.Observer(id, e)
			}
		}
		if follow {
			rep, err = rc.Backend.Follow(ctx, id, observe)
		} else {
			rep, err = rc.Backend.Run(ctx, id, l, observe)
		}
		if errors.Is(err, ErrDetached) {
			detached = true // left running: the next serve follows it
			return nil, err
		}
		return rep, rc.recordEnd(rep, err, finish)
	}
	conns, err := rc.Connections(l.Playbook)
	if err != nil {
		finish(engine.RunFailed, err.Error(), nil)
		return nil, err
	}
	opts := append([]engine.Option{engine.WithLogger(log)}, rc.Options...)
	opts = append(opts, engine.WithConnections(conns), engine.WithDryRun(l.DryRun),
		engine.WithRunID(func() string { return id }),
		engine.WithObserver(func(e engine.Event) {
			if rc.Observer != nil {
				rc.Observer(id, e)
			}
			if e.Kind != engine.TaskFinished || e.Report == nil || e.Status != plan.Succeeded {
				return
			}
			b, err := e.Report.MarshalJSON()
			if err == nil {
				err = rc.Store.SaveTask(context.WithoutCancel(ctx), id, e.Task, b)
			}
			if err != nil {
				log.Error("checkpoint a task", "run_id", id, "task", e.Task, "error", err)
			}
		}))
	r := engine.New(rc.executor(), opts...)
	rep, err = r.Run(ctx, l.Playbook, engine.Params{Inputs: l.Inputs, Event: l.Event, Resume: prior})
	if err != nil {
		rep = nil
	}
	return rep, rc.recordEnd(rep, err, finish)
}

// recordEnd records how a run ended: its report, or the error that kept
// it from giving one.
func (rc *Recorder) recordEnd(rep *engine.Report, err error, finish func(status, errText string, rep []byte)) error {
	if err != nil {
		finish(engine.RunFailed, err.Error(), nil)
		return err
	}
	b, err := rep.JSON()
	if err != nil {
		finish(rep.Status, "encode the report: "+err.Error(), nil)
		return nil
	}
	finish(rep.Status, rep.Error, b)
	return nil
}

// row is the launch's run as first recorded.
func (rc *Recorder) row(l Launch) store.Run {
	inputs, _ := json.Marshal(l.Inputs)
	file, err := filepath.Abs(l.Playbook.Playbook.File)
	if err != nil {
		file = l.Playbook.Playbook.File
	}
	row := store.Run{ID: l.ID, Playbook: l.Playbook.Playbook.Name, File: file,
		Trigger: l.Trigger, TriggerRef: l.TriggerRef, Inputs: inputs, StartedAt: time.Now().UTC(), Owner: store.Owner()}
	if rc.Backend != nil {
		row.Owner = rc.Backend.Owner()
	}
	if !l.StartedAt.IsZero() {
		row.StartedAt = l.StartedAt.UTC()
	}
	if l.Event != nil {
		row.Event, _ = json.Marshal(l.Event)
	}
	return row
}

// PlaybookName is the name of the launch's playbook.
func (l Launch) PlaybookName() string {
	if l.Playbook == nil {
		return l.Name
	}
	return l.Playbook.Playbook.Name
}

// executor is Executor, or a LocalExecutor over Registry.
func (rc *Recorder) executor() engine.Executor {
	if rc.Executor != nil {
		return rc.Executor
	}
	return engine.LocalExecutor{Registry: rc.Registry}
}
