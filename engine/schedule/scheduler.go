package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Clock is the scheduler's time source; tests pass a fake.
type Clock interface {
	Now() time.Time
	// Sleep blocks until the clock has advanced by d or ctx ends, returning
	// ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// Cursors persists each schedule's last fire (a SQLite table in
// production). The scheduler calls it from one goroutine.
type Cursors interface {
	// LastFire is the fire recorded for name; ok is false if there is none.
	LastFire(ctx context.Context, name string) (fire time.Time, ok bool, err error)
	SetLastFire(ctx context.Context, name string, fire time.Time) error
}

// Fire is one due run of a schedule.
type Fire struct {
	Schedule string
	At       time.Time // the nominal fire time, before jitter, in UTC
	CatchUp  bool      // run on start for a fire missed while serve was down
}

// Launch starts the schedule's playbook run and returns without waiting for
// it; done is closed when the run has finished (a nil done means it has
// already). ctx is the one given to [Scheduler.Run]. The scheduler calls
// Launch from one goroutine.
type Launch func(ctx context.Context, f Fire) (done <-chan struct{}, err error)

// Scheduler fires many schedules from one goroutine.
type Scheduler struct {
	clock   Clock
	cursors Cursors
	launch  Launch
	log     hclog.Logger

	mu      sync.Mutex
	started bool
	scheds  []*Schedule
}

// Option configures a [Scheduler].
type Option func(*Scheduler)

// WithLogger sets the logger; the default discards. Each line carries the
// schedule's name.
func WithLogger(l hclog.Logger) Option {
	return func(s *Scheduler) {
		if l != nil {
			s.log = l
		}
	}
}

// New returns a scheduler with no schedules.
func New(clock Clock, cursors Cursors, launch Launch, opts ...Option) *Scheduler {
	s := &Scheduler{clock: clock, cursors: cursors, launch: launch, log: hclog.NewNullLogger()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Add registers a schedule. It must be called before Run; names must be
// unique. Fires due at the same time launch in the order added.
func (s *Scheduler) Add(sch *Schedule) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := sch.spec.Name
	switch {
	case name == "":
		return errors.New("add schedule: no name")
	case s.started:
		return fmt.Errorf("add schedule %q: scheduler already running", name)
	}
	for _, o := range s.scheds {
		if o.spec.Name == name {
			return fmt.Errorf("add schedule %q: already added", name)
		}
	}
	s.scheds = append(s.scheds, sch)
	return nil
}

// Run fires the schedules until ctx ends, then returns nil; it may be
// called once. Runs still going then are the caller's to wait for.
//
// On start each schedule reads its cursor; with catch-up last it launches
// the latest fire missed since then at once. After that each fire launches
// at its nominal time plus its jitter, subject to the overlap policy.
//
// The cursor is written before the launch, for every fire that is dealt
// with: launched, queued or skipped. Fires are so at most once: a crash
// between the write and the launch loses that fire rather than running it
// twice. A failed write is logged and the fire still launches.
//
// Should the loop wake late (host suspended, clock stepped) with several
// fires of one schedule due, only the latest runs; the others are logged as
// missed.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("run scheduler: already run")
	}
	s.started = true
	l := &loop{Scheduler: s, stop: make(chan struct{})}
	for _, sch := range s.scheds {
		l.entries = append(l.entries, &entry{sch: sch, log: s.log.With("schedule", sch.spec.Name)})
	}
	s.mu.Unlock()
	// Watchers, started for queued fires, end on stop; Run waits for them.
	defer func() { close(l.stop); l.watchers.Wait() }()

	now := s.clock.Now().UTC()
	for _, e := range l.entries {
		l.start(ctx, e, now)
	}
	for ctx.Err() == nil {
		now := s.clock.Now().UTC()
		var wake time.Time
		for _, e := range l.entries {
			l.step(ctx, e, now)
			if !e.due.IsZero() && (wake.IsZero() || e.due.Before(wake)) {
				wake = e.due
			}
		}
		if wake.IsZero() {
			<-ctx.Done() // nothing will ever fire
			break
		}
		l.sleep(ctx, wake.Sub(now))
	}
	return nil
}

// entry is one schedule's state in the loop.
type entry struct {
	sch    *Schedule
	log    hclog.Logger
	next   time.Time       // nominal time of the next fire; zero when there is none
	due    time.Time       // next plus its jitter
	last   time.Time       // latest fire written to the cursor
	done   <-chan struct{} // the latest run's; nil when none
	queued *Fire           // the fire waiting for done (overlap queue)
}

// loop is the state of one Run. Only the Run goroutine touches entries.
type loop struct {
	*Scheduler
	entries  []*entry
	stop     chan struct{}
	watchers sync.WaitGroup

	wakeMu sync.Mutex
	woken  bool               // a run ended that a queued fire waits for
	cancel context.CancelFunc // ends the current sleep; nil when awake
}

// start catches e up and sets its first fire.
func (l *loop) start(ctx context.Context, e *entry, now time.Time) {
	last, ok, err := l.cursors.LastFire(ctx, e.sch.spec.Name)
	if err != nil {
		e.log.Error("cannot read cursor", "error", err)
	}
	from := now
	if ok && err == nil {
		e.last = last.UTC()
		if f, ok := e.sch.Missed(e.last, now); ok {
			l.fire(ctx, e, Fire{Schedule: e.sch.spec.Name, At: f, CatchUp: true})
		}
		if e.last.After(from) { // the clock went back: never fire twice
			from = e.last
		}
	}
	l.setNext(e, e.sch.Next(from))
}

func (l *loop) setNext(e *entry, next time.Time) {
	e.next, e.due = next, time.Time{}
	if next.IsZero() {
		e.log.Warn("schedule has no further fires")
		return
	}
	e.due = next.Add(e.sch.Jitter(next))
}

// step launches e's queued fire if its predecessor has ended, then e's due
// fire, if any.
func (l *loop) step(ctx context.Context, e *entry, now time.Time) {
	if e.queued != nil && !running(e.done) {
		f := *e.queued
		e.queued = nil
		l.run(ctx, e, f)
	}
	if e.due.IsZero() || e.due.After(now) {
		return
	}
	at := e.next
	// Late: run the latest fire whose jittered time has come. Jitter is
	// below the gap, so the fire before a not-yet-due one is due.
	if f, _ := e.sch.latest(at.Add(-1), now); f.After(at) {
		if f.Add(e.sch.Jitter(f)).After(now) {
			f, _ = e.sch.latest(at.Add(-1), f.Add(-1))
		}
		if f.After(at) {
			e.log.Warn("scheduler late, earlier fires missed", "first_missed", at, "fire", f)
			at = f
		}
	}
	l.setNext(e, e.sch.Next(at))
	l.fire(ctx, e, Fire{Schedule: e.sch.spec.Name, At: at})
}

// fire applies the overlap policy to f and launches it or not.
func (l *loop) fire(ctx context.Context, e *entry, f Fire) {
	l.record(ctx, e, f.At)
	if !running(e.done) {
		l.run(ctx, e, f)
		return
	}
	switch e.sch.spec.Overlap {
	case OverlapSkip:
		e.log.Info("fire skipped", "fire", f.At, "reason", "previous run still running")
	case OverlapQueue:
		if e.queued != nil {
			e.log.Info("fire skipped", "fire", f.At, "reason", "a fire is already queued", "queued", e.queued.At)
			return
		}
		e.log.Info("fire queued", "fire", f.At)
		e.queued = &f
		// Owned by Run: ends when the run does or Run returns.
		l.watchers.Add(1)
		go func(done <-chan struct{}) {
			defer l.watchers.Done()
			select {
			case <-done:
				l.wake()
			case <-l.stop:
			}
		}(e.done)
	default:
		l.run(ctx, e, f)
	}
}

// record writes f to e's cursor unless a later fire is there already.
func (l *loop) record(ctx context.Context, e *entry, f time.Time) {
	if !f.After(e.last) {
		return
	}
	e.last = f
	if err := l.cursors.SetLastFire(ctx, e.sch.spec.Name, f); err != nil {
		e.log.Error("cannot write cursor", "fire", f, "error", err)
	}
}

// run launches f.
func (l *loop) run(ctx context.Context, e *entry, f Fire) {
	done, err := l.launch(ctx, f)
	if err != nil {
		e.log.Error("launch failed", "fire", f.At, "catch_up", f.CatchUp, "error", err)
		e.done = nil
		return
	}
	e.log.Info("run launched", "fire", f.At, "catch_up", f.CatchUp)
	e.done = done
}

// running reports whether done is open. A nil done is a finished run.
func running(done <-chan struct{}) bool {
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// sleep waits d on the clock, less if a queued fire's predecessor ends.
func (l *loop) sleep(ctx context.Context, d time.Duration) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.wakeMu.Lock()
	if l.woken {
		l.woken = false
		l.wakeMu.Unlock()
		return
	}
	l.cancel = cancel
	l.wakeMu.Unlock()

	_ = l.clock.Sleep(sctx, d) // an error is ctx ending or a wake: Run looks at both

	l.wakeMu.Lock()
	l.cancel, l.woken = nil, false
	l.wakeMu.Unlock()
}

// wake ends the current sleep, or the next one before it starts.
func (l *loop) wake() {
	l.wakeMu.Lock()
	defer l.wakeMu.Unlock()
	l.woken = true
	if l.cancel != nil {
		l.cancel()
	}
}
