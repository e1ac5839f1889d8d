package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/plan"
)

// DefaultConcurrency is how many tasks of a run execute at once when the
// playbook does not say.
const DefaultConcurrency = 16

// Runner runs compiled playbooks through an [Executor]. It is safe for
// concurrent runs.
type Runner struct {
	exec        Executor
	log         hclog.Logger
	clock       Clock
	flow        Flow
	jitter      func(time.Duration) time.Duration
	conns       map[string]*actions.Connection
	observer    func(Event)
	concurrency int
	newID       func() string
	dryRun      bool
	mock        func(Call) (actions.Envelope, bool)
}

// Option configures a [Runner].
type Option func(*Runner)

// WithLogger sets the logger; the default discards.
func WithLogger(l hclog.Logger) Option { return func(r *Runner) { r.log = l } }

// WithClock sets the time source for timestamps, backoff and polling.
func WithClock(c Clock) Option { return func(r *Runner) { r.clock = c } }

// WithJitter sets how a backoff wait is randomised; the default picks
// uniformly in [d/2, d].
func WithJitter(f func(time.Duration) time.Duration) Option {
	return func(r *Runner) { r.jitter = f }
}

// WithConnections binds the playbook's connection names to resolved
// connections.
func WithConnections(c map[string]*actions.Connection) Option {
	return func(r *Runner) { r.conns = c }
}

// WithObserver receives progress events. It is called from the runner's
// own goroutine, one event at a time, and must not block.
func WithObserver(f func(Event)) Option { return func(r *Runner) { r.observer = f } }

// WithConcurrency sets the default number of tasks running at once.
func WithConcurrency(n int) Option { return func(r *Runner) { r.concurrency = n } }

// WithDryRun makes a run stop at every command that mutates: such a task
// reports dry_run with the request it would have sent, and a Successful
// envelope so the branches after it are followed.
func WithDryRun(on bool) Option { return func(r *Runner) { r.dryRun = on } }

// WithMock answers calls before the executor (and before a sub-playbook
// runs): when it returns true, its envelope is the call's. A dry run
// still stops at mutating commands first. Playbook tests use it.
func WithMock(f func(Call) (actions.Envelope, bool)) Option { return func(r *Runner) { r.mock = f } }

// WithRunID sets how run ids are made.
func WithRunID(f func() string) Option { return func(r *Runner) { r.newID = f } }

// New returns a runner.
func New(exec Executor, opts ...Option) *Runner {
	r := &Runner{
		exec:        exec,
		log:         hclog.NewNullLogger(),
		clock:       SystemClock{},
		flow:        goFlow{},
		jitter:      func(d time.Duration) time.Duration { return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1)) },
		concurrency: DefaultConcurrency,
		newID:       randomID,
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewRunID returns a new random run id (a UUID v4), as runs get by
// default.
func NewRunID() string { return randomID() }

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// EventKind names a progress event.
type EventKind string

// Progress events.
const (
	TaskStarted  EventKind = "task_started"
	TaskRetrying EventKind = "task_retrying"
	TaskFinished EventKind = "task_finished"
)

// Event is one progress event of a run.
type Event struct {
	Kind     EventKind
	Task     string
	Status   plan.Status
	Reason   string
	Attempt  int
	Duration time.Duration
	Error    *actions.Error
	// Report is the finished task's report (TaskFinished of a task that
	// ran), for checkpoints: a resumed run does not run it again.
	Report *TaskReport
}

// Params are what one run takes besides the playbook.
type Params struct {
	// Inputs are already bound by [Compiled.BindInputs].
	Inputs map[string]any
	// Event is the ingested event or webhook body, nil when none.
	Event any
	// Resume holds the reports of tasks that succeeded in an earlier,
	// interrupted attempt of this run, by task id: they are not run
	// again, and their reports stand.
	Resume map[string]*TaskReport
}

// TimeoutError is the cause of a context ended by a task's or the
// playbook's timeout.
type TimeoutError struct {
	Task  string // "" for the playbook
	After time.Duration
}

func (e *TimeoutError) Error() string { return "timed out after " + e.After.String() }

// errFailFast is the cause of a phase cancelled by fail_fast.
type failFastError struct{ task string }

func (e *failFastError) Error() string { return "fail_fast: task " + e.task + " failed" }

// runState is one run in progress.
type runState struct {
	r       *Runner
	c       *Compiled
	id      string
	log     hclog.Logger
	inputs  map[string]any
	event   any
	resume  map[string]*TaskReport
	runInfo map[string]any
	views   []map[string]any // main tasks, written by the loop before dependents start
	fviews  []map[string]any // finally tasks
	reports []*TaskReport
	freps   []*TaskReport

	mu      sync.Mutex   // guards effects: items record them concurrently
	effects []SideEffect // what a dry run did not do
}

// Run runs the playbook once and returns its report. The error is non-nil
// only when the run could not start (a connection is missing); task
// failures are in the report.
func (r *Runner) Run(ctx context.Context, c *Compiled, p Params) (*Report, error) {
	for _, cd := range c.Playbook.Connections {
		// Under a mock (playbook test) an unbound connection is fine: a
		// task that reaches a real command without one fails on its own.
		if r.conns[cd.Name] == nil && r.mock == nil && c.usesConnection(cd.Name) {
			return nil, fmt.Errorf("connection %q is not configured (add it to the connections file)", cd.Name)
		}
	}
	started := r.clock.Now()
	rs := &runState{
		r: r, c: c, id: r.newID(), inputs: p.Inputs, event: p.Event, resume: p.Resume,
		views:   make([]map[string]any, len(c.tasks)),
		fviews:  make([]map[string]any, len(c.finally)),
		reports: make([]*TaskReport, len(c.tasks)),
		freps:   make([]*TaskReport, len(c.finally)),
	}
	if rs.inputs == nil {
		rs.inputs = map[string]any{}
	}
	rs.log = r.log.Named("engine").With("run_id", rs.id, "playbook", c.Playbook.Name)
	rs.runInfo = map[string]any{"id": rs.id, "started_at": started.UTC().Format(time.RFC3339Nano)}
	rep := &Report{
		Playbook: c.Playbook.Name, File: c.Playbook.File, RunID: rs.id, StartedAt: started,
		Inputs: rs.inputs, Outputs: map[string]any{}, Tasks: map[string]*TaskReport{},
	}
	rs.log.Info("run started")

	runCtx := ctx
	if t := c.Playbook.Timeout; t > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = r.flow.WithTimeout(ctx, t, &TimeoutError{After: t})
		defer cancel()
	}
	rs.phase(runCtx, c.main, c.tasks, rs.views, rs.reports, c.Playbook.FailFast)
	if c.fin != nil {
		// finally tasks run whatever happened, unless the run was cancelled.
		rs.phase(runCtx, c.fin, c.finally, rs.fviews, rs.freps, false)
	}
	for i, t := range c.tasks {
		rep.Tasks[t.ID] = rs.reports[i]
		rep.Order = append(rep.Order, t.ID)
	}
	for i, t := range c.finally {
		rep.Tasks[t.ID] = rs.freps[i]
		rep.Order = append(rep.Order, t.ID)
	}
	rep.Status = rs.status()
	rep.DryRun = r.dryRun
	rep.SideEffects = rs.sideEffects()
	if cause := context.Cause(runCtx); cause != nil {
		var te *TimeoutError
		if errors.As(cause, &te) {
			rep.Status, rep.Error = RunFailed, "playbook "+te.Error()
		} else {
			rep.Status, rep.Error = RunCancelled, "run cancelled"
		}
	}
	if rep.Status != RunCancelled {
		if err := rs.outputs(ctx, rep); err != nil {
			rep.Status, rep.Error = RunFailed, err.Error()
		}
	}
	rep.FinishedAt = r.clock.Now()
	rs.log.Info("run finished", "status", rep.Status, "duration", rep.FinishedAt.Sub(started))
	return rep, nil
}

// usesConnection reports whether any task (or sub-playbook) binds name.
func (c *Compiled) usesConnection(name string) bool {
	for _, list := range [][]*task{c.tasks, c.finally} {
		for _, t := range list {
			if t.Connection == name && t.spec.Connection != "" {
				return true
			}
			if t.sub != nil && t.sub.usesConnection(name) {
				return true
			}
		}
	}
	return false
}

// status applies the run status rules of DESIGN.md §2.
func (rs *runState) status() string {
	partial := false
	check := func(tasks []*task, reps []*TaskReport) bool {
		for i, t := range tasks {
			tr := reps[i]
			if tr.Status == plan.Failed {
				if !t.AllowFailure {
					return true
				}
				partial = true
			}
			if tr.ReturnData == actions.PartiallySuccessful {
				partial = true
			}
		}
		return false
	}
	if check(rs.c.tasks, rs.reports) || check(rs.c.finally, rs.freps) {
		return RunFailed
	}
	if partial {
		return RunPartiallySuccessful
	}
	return RunSuccessful
}

// outputs evaluates the playbook's outputs over every task.
func (rs *runState) outputs(ctx context.Context, rep *Report) error {
	if len(rs.c.outputs) == 0 {
		return nil
	}
	tasks := make(map[string]any, len(rs.views)+len(rs.fviews))
	for i, t := range rs.c.tasks {
		tasks[t.ID] = rs.views[i]
	}
	for i, t := range rs.c.finally {
		tasks[t.ID] = rs.fviews[i]
	}
	vars := eval.Vars{"inputs": rs.inputs, "tasks": tasks, "event": rs.event, "run": rs.runInfo}
	var errs []error
	for _, o := range rs.c.outputs {
		v, err := o.val.eval(ctx, vars, rs.c.Playbook.File, "output "+o.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rep.Outputs[o.Name] = v
	}
	return errors.Join(errs...)
}

// result is what a task's goroutine hands back to the loop.
type result struct {
	idx    int
	rep    *TaskReport
	status plan.Status
}

// phase runs one plan (the tasks, or the finally tasks) to its end. Every
// goroutine it starts has sent its result before it returns.
func (rs *runState) phase(ctx context.Context, p *plan.Plan, tasks []*task, views []map[string]any, reps []*TaskReport, failFast bool) {
	if p == nil || p.Len() == 0 {
		return
	}
	fl := rs.r.flow
	ctx, cancel := fl.WithCancel(ctx)
	defer cancel(nil)
	limit := rs.r.concurrency
	if n := rs.c.Playbook.Concurrency; n > 0 {
		limit = n
	}
	st := p.NewState()
	results := fl.NewQueue(min(limit, len(tasks)) + 1)
	// work feeds the workers, started as needed up to the limit; it holds
	// limit tasks, so a send never blocks. -1 stops a worker.
	work := fl.NewQueue(limit)
	exited := fl.NewQueue(limit)
	workers := 0
	defer func() {
		// Nothing runs here, so work is empty and has room for every stop.
		for range workers {
			work.Send(-1)
		}
		for range workers {
			exited.Receive(nil) // every worker has exited before the phase returns
		}
	}()
	var queue []int
	running := 0
	stopped := false
	record := func(i int, tr *TaskReport) {
		reps[i] = tr
		views[i] = tr.view()
	}
	var apply func(ds []plan.Decision)
	apply = func(ds []plan.Decision) {
		for _, d := range ds {
			if d.Run {
				queue = append(queue, d.Node)
				continue
			}
			tr := rs.notRun(tasks[d.Node], plan.Skipped, d.Reason)
			record(d.Node, tr)
			rs.emit(Event{Kind: TaskFinished, Task: tasks[d.Node].ID, Status: plan.Skipped, Reason: d.Reason})
		}
	}
	apply(st.Start())
	for !st.Done() {
		for ctx.Err() == nil && len(queue) > 0 && running < limit {
			i := queue[0]
			queue = queue[1:]
			t := tasks[i]
			if tr := rs.resume[t.ID]; tr != nil && tr.Status == plan.Succeeded {
				record(i, tr)
				rs.emit(Event{Kind: TaskFinished, Task: t.ID, Status: tr.Status, Attempt: tr.Attempts, Report: tr})
				apply(st.Finish(i, tr.Status))
				continue
			}
			if t.when != nil {
				// when is a cheap data condition: decided here, so only tasks
				// that really start are reported started.
				ok, err := evalBool(ctx, t.when, t.Task.When, rs.vars(t), rs.c.Playbook.File, "when")
				switch {
				case err != nil:
					now := rs.r.clock.Now()
					tr := rs.envelopeReport(t, engineFailure(t, err))
					tr.Status, tr.StartedAt, tr.FinishedAt = plan.Failed, &now, &now
					record(i, tr)
					rs.emit(Event{Kind: TaskFinished, Task: t.ID, Status: plan.Failed, Error: tr.Error})
					apply(st.Finish(i, plan.Failed))
					if failFast && !t.AllowFailure {
						cancel(&failFastError{task: t.ID})
					}
					continue
				case !ok:
					record(i, rs.notRun(t, plan.Skipped, "when was false"))
					rs.emit(Event{Kind: TaskFinished, Task: t.ID, Status: plan.Skipped, Reason: "when was false"})
					apply(st.Skip(i))
					continue
				}
			}
			st.MarkRunning(i)
			running++
			rs.emit(Event{Kind: TaskStarted, Task: t.ID})
			if running == 1 && len(queue) == 0 {
				// The only runnable task: nothing else can start before it
				// ends, so run it here and spare a goroutine handoff.
				results.Send(rs.runTask(ctx, t, i))
				break
			}
			if workers < running {
				workers++
				fl.Go(ctx, func() {
					// A worker runs tasks until the phase stops it.
					for {
						v, _ := work.Receive(nil)
						j := v.(int)
						if j < 0 {
							exited.Send(struct{}{})
							return
						}
						results.Send(rs.runTask(ctx, tasks[j], j))
					}
				})
			}
			work.Send(i)
		}
		if running == 0 {
			if ctx.Err() == nil && len(queue) > 0 {
				continue // skips and failed conditions freed more tasks
			}
			// Nothing runs and nothing can start: the phase was stopped.
			rs.cancelPending(st, tasks, record, context.Cause(ctx))
			break
		}
		v, ok := results.Receive(ctx)
		if !ok {
			v, _ = results.Receive(nil) // the running tasks see ctx too and end soon
		}
		res := v.(result)
		running--
		if ctx.Err() != nil && !stopped {
			// Stopped (Ctrl-C, the playbook's timeout, fail_fast): what has
			// not started is cancelled, not skipped by its join.
			stopped = true
			queue = nil
			rs.cancelPending(st, tasks, record, context.Cause(ctx))
		}
		record(res.idx, res.rep)
		rs.emit(Event{Kind: TaskFinished, Task: tasks[res.idx].ID, Status: res.status, Reason: res.rep.Reason, Attempt: res.rep.Attempts, Error: res.rep.Error, Duration: duration(res.rep), Report: res.rep})
		if stopped {
			st.Finish(res.idx, res.status)
			continue
		}
		apply(st.Finish(res.idx, res.status))
		if failFast && res.status == plan.Failed && !tasks[res.idx].AllowFailure {
			cancel(&failFastError{task: tasks[res.idx].ID})
		}
	}
}

func duration(tr *TaskReport) time.Duration {
	if tr.StartedAt == nil || tr.FinishedAt == nil {
		return 0
	}
	return tr.FinishedAt.Sub(*tr.StartedAt)
}

func (rs *runState) cancelPending(st *plan.State, tasks []*task, record func(int, *TaskReport), cause error) {
	reason := "run cancelled"
	if cause != nil {
		var te *TimeoutError
		var ff *failFastError
		switch {
		case errors.As(cause, &te):
			reason = "playbook " + te.Error()
		case errors.As(cause, &ff):
			reason = ff.Error()
		}
	}
	for _, i := range st.CancelPending() {
		record(i, rs.notRun(tasks[i], plan.Cancelled, reason))
		rs.emit(Event{Kind: TaskFinished, Task: tasks[i].ID, Status: plan.Cancelled, Reason: reason})
	}
}

func (rs *runState) emit(e Event) {
	if rs.r.observer != nil {
		rs.r.observer(e)
	}
}

// notRun is the report of a task that did not run: every Key Field its
// command declares is [], so conditions over it evaluate.
func (rs *runState) notRun(t *task, st plan.Status, reason string) *TaskReport {
	kf := make(map[string][]any, len(t.keyNames))
	for _, k := range t.keyNames {
		kf[k] = []any{}
	}
	return &TaskReport{Status: st, Reason: reason, KeyFields: kf}
}
