package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/console"
	"github.com/playbook-sh/playbook/engine/schedule"
	"github.com/playbook-sh/playbook/engine/store"
)

// DefaultDrain bounds how long serve waits, after SIGTERM, for runs in
// progress to finish before it cancels them (each then records its
// succeeded tasks and ends Cancelled).
const DefaultDrain = 30 * time.Second

// Daemon is `playbook serve`: schedules, intake on its intervals, health
// checks, and the HTTP endpoint (/healthz, /metrics, /webhooks/<name>),
// until its context ends; then it drains.
type Daemon struct {
	*Server
	// Clock drives schedules, intake intervals and health checks; nil
	// means the system clock.
	Clock engine.Clock
	// Drain bounds the wait for runs in progress at shutdown; 0 means
	// DefaultDrain.
	Drain   time.Duration
	Metrics *Metrics
	// Secret resolves an env:NAME or file:PATH reference (webhook tokens,
	// the health notification URL).
	Secret func(ref string) (string, error)
	// HealthNames are the connections health checks cover when
	// health_checks does not list them; HealthCheck runs one's Test
	// Connection.
	HealthNames []string
	HealthCheck func(ctx context.Context, name string) error
	// Integrations maps connection names to their integrations, for the
	// console's Connections page; it may be nil.
	Integrations map[string]string
	// Client sends health notifications; nil means a client with a 10s
	// timeout.
	Client *http.Client
	// Listener, when set, serves HTTP instead of listening on the
	// configuration's listen address.
	Listener net.Listener
	// FollowEvery is how often serve asks the Recorder's Backend, when it
	// has one, which runs its schedules started; 0 means
	// DefaultFollowEvery.
	FollowEvery time.Duration

	started  time.Time
	console  *console.Server   // nil without console:
	tokens   map[string]string // webhook name → token
	hookURL  string
	runCtx   context.Context
	inflight sync.WaitGroup // runs started by schedules and webhooks
}

func (d *Daemon) clock() engine.Clock {
	if d.Clock == nil {
		return engine.SystemClock{}
	}
	return d.Clock
}

// Run serves until ctx ends, then stops taking work, waits up to Drain
// for runs in progress, cancels the rest, and returns. It returns early
// with an error when something it needs cannot start (a secret, the
// listen address).
func (d *Daemon) Run(ctx context.Context) error {
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	d.Now = func() time.Time { return d.clock().Now() }
	d.started = d.clock().Now()
	if err := d.resolveSecrets(); err != nil {
		return err
	}
	if d.Config.Console != nil {
		c, err := d.newConsole()
		if err != nil {
			return err
		}
		d.console = c
	}
	d.instrument()
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	d.runCtx = runCtx
	log := d.log()

	var ln net.Listener
	if d.Listener != nil {
		ln = d.Listener
	} else if d.Config.Listen != "" {
		var err error
		if ln, err = net.Listen("tcp", d.Config.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w", d.Config.Listen, err)
		}
	}
	var srv *http.Server
	httpDone := make(chan error, 1)
	if ln != nil {
		srv = &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
		if d.console != nil {
			srv.RegisterOnShutdown(d.console.CloseStreams) // the console's event streams never end by themselves
		}
		go func() { httpDone <- srv.Serve(ln) }()
		log.Info("listening", "addr", ln.Addr().String())
	}

	var loops sync.WaitGroup
	if b := d.Recorder.Backend; b != nil {
		// The backend fires the schedules; serve follows its runs.
		if err := b.Schedules(ctx, d.Config.Schedules); err != nil {
			return fmt.Errorf("install the schedules: %w", err)
		}
		if err := d.followLeftRunning(ctx); err != nil {
			return err
		}
		if len(d.Config.Schedules) > 0 {
			loops.Go(func() { d.followSchedules(ctx) })
		}
	} else {
		sch := schedule.New(d.clock(), cursors{d.Store}, d.launchSchedule, schedule.WithLogger(log.Named("schedule")))
		for _, s := range d.Config.Schedules {
			if err := sch.Add(s.Schedule); err != nil {
				return err
			}
		}
		if len(d.Config.Schedules) > 0 {
			loops.Go(func() {
				if err := sch.Run(ctx); err != nil {
					log.Error("scheduler stopped", "error", err)
				}
			})
		}
	}
	for _, in := range d.Config.Intake {
		loops.Go(func() { d.intakeLoop(ctx, in) })
	}
	if h := d.Config.Health; h != nil && d.HealthCheck != nil {
		loops.Go(func() { d.healthLoop(ctx, h) })
	}
	log.Info("serving", "schedules", len(d.Config.Schedules), "intake", len(d.Config.Intake), "webhooks", len(d.Config.Webhooks))

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-httpDone:
		if errors.Is(serveErr, http.ErrServerClosed) {
			serveErr = nil
		}
	}
	log.Info("shutting down: no new runs; waiting for runs in progress", "bound", d.drain())
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	loops.Wait()
	if d.Recorder.Backend != nil {
		// Runs on a backend go on without serve: stop following them.
		cancelRuns()
	}
	d.waitRuns(cancelRuns)
	return serveErr
}

func (d *Daemon) drain() time.Duration {
	if d.Drain <= 0 {
		return DefaultDrain
	}
	return d.Drain
}

// waitRuns waits for every run in progress, up to the drain bound; then
// cancels them and waits for them to record how they ended.
func (d *Daemon) waitRuns(cancel context.CancelFunc) {
	done := make(chan struct{})
	go func() {
		d.inflight.Wait()
		d.runs.Wait()
		close(done)
	}()
	timer := time.NewTimer(d.drain())
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
	}
	d.log().Warn("drain bound reached: cancelling the runs still in progress", "bound", d.drain())
	cancel()
	<-done
}

// resolveSecrets reads the webhook tokens and the notification URL now,
// so a missing one stops serve at start rather than at the first request.
func (d *Daemon) resolveSecrets() error {
	d.tokens = map[string]string{}
	for _, w := range d.Config.Webhooks {
		tok, err := d.Secret(w.Token)
		if err != nil {
			return fmt.Errorf("webhook %s: token: %w", w.Name, err)
		}
		if len(tok) < 16 {
			return fmt.Errorf("webhook %s: the token is shorter than 16 characters", w.Name)
		}
		d.tokens[w.Name] = tok
	}
	if h := d.Config.Health; h != nil && h.Webhook != "" {
		u, err := d.Secret(h.Webhook)
		if err != nil {
			return fmt.Errorf("health_checks: webhook: %w", err)
		}
		d.hookURL = u
	}
	return nil
}

// instrument hooks the metrics into the recorder.
func (d *Daemon) instrument() {
	m := d.Metrics
	rc := d.Recorder
	rc.Executor = countingExecutor{next: rc.executor(), m: m}
	rc.Started = func(l Launch) {
		m.running.Inc()
		if d.console != nil {
			d.console.RunStarted(l.ID)
		}
	}
	if d.console != nil {
		rc.Observer = d.console.TaskEvent
	}
	rc.Finished = func(l Launch, status string, rep *engine.Report) {
		m.running.Dec()
		if d.console != nil {
			d.console.RunFinished(l.ID)
		}
		m.runs.WithLabelValues(l.PlaybookName(), triggerKind(l.Trigger), status).Inc()
		if rep == nil {
			return
		}
		for id, t := range rep.Tasks {
			if t.StartedAt != nil && t.FinishedAt != nil {
				m.taskDuration.WithLabelValues(rep.Playbook, id, string(t.Status)).Observe(t.FinishedAt.Sub(*t.StartedAt).Seconds())
			}
		}
	}
}

// launchSchedule starts a schedule's run and returns at once.
func (d *Daemon) launchSchedule(_ context.Context, f schedule.Fire) (<-chan struct{}, error) {
	var s *Schedule
	for _, c := range d.Config.Schedules {
		if c.Name == f.Schedule {
			s = c
		}
	}
	if s == nil {
		return nil, fmt.Errorf("no schedule %q", f.Schedule)
	}
	done := make(chan struct{})
	d.inflight.Add(1)
	go func() {
		defer d.inflight.Done()
		defer close(done)
		ref := f.At.UTC().Format(time.RFC3339)
		if f.CatchUp {
			ref += " (catch-up)"
		}
		rep, err := d.Recorder.Run(d.runCtx, Launch{Playbook: s.Playbook, Inputs: s.Inputs,
			Trigger: "schedule:" + s.Name, TriggerRef: ref})
		if err != nil {
			d.log().Error("scheduled run did not start", "schedule", s.Name, "error", err)
			return
		}
		d.log().Info("scheduled run finished", "schedule", s.Name, "run_id", rep.RunID, "status", rep.Status)
	}()
	return done, nil
}

// cursors keeps schedule cursors in the state store.
type cursors struct{ st *store.Store }

func (c cursors) LastFire(ctx context.Context, name string) (time.Time, bool, error) {
	s, ok, err := c.st.ScheduleState(ctx, name)
	return s.LastFire, ok && !s.LastFire.IsZero(), err
}

func (c cursors) SetLastFire(ctx context.Context, name string, fire time.Time) error {
	return c.st.SetScheduleState(ctx, store.ScheduleState{Name: name, LastFire: fire})
}

// intakeLoop fetches the source every Every, from its high-water mark, so
// a restart neither fetches early nor skips a window. Events a crash left
// undecided are triggered first. A failed fetch is tried again after a
// backoff from 1 minute up to Every.
func (d *Daemon) intakeLoop(ctx context.Context, in *Intake) {
	log := d.log().With("intake", in.Name)
	if in.Trigger != nil {
		if err := d.dispatch(ctx, d.runCtx, in, &d.inflight, func(string, bool) {}); err != nil {
			log.Error("trigger pending events", "error", err)
		}
	}
	backoff := time.Minute
	for {
		next := d.clock().Now()
		mark, ok, err := d.Store.Mark(ctx, in.Name)
		if err != nil && ctx.Err() == nil {
			log.Error("read the high-water mark", "error", err)
		}
		if ok {
			next = mark.Add(in.Every)
			d.Metrics.intakeLagSince(in.Name, mark, d.clock().Now())
		}
		if wait := next.Sub(d.clock().Now()); wait > 0 {
			if d.clock().Sleep(ctx, wait) != nil {
				return
			}
		}
		if ctx.Err() != nil {
			return
		}
		res, err := d.fetch(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			d.Metrics.intakeErrors.WithLabelValues(in.Name).Inc()
			log.Error("fetch failed; trying again", "after", backoff, "error", err)
			if d.clock().Sleep(ctx, backoff) != nil {
				return
			}
			backoff = min(2*backoff, max(in.Every, time.Minute))
			continue
		}
		backoff = time.Minute
		d.Metrics.intakeEvents.WithLabelValues(in.Name, "new").Add(float64(len(res.New)))
		d.Metrics.intakeEvents.WithLabelValues(in.Name, "stored_before").Add(float64(res.Fetched - len(res.New)))
		d.Metrics.intakeLagSince(in.Name, res.End, d.clock().Now())
		if err := d.dispatch(ctx, d.runCtx, in, &d.inflight, func(string, bool) {}); err != nil && ctx.Err() == nil {
			log.Error("trigger events", "error", err)
		}
	}
}
