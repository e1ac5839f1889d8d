package schedule

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock moves only on Advance. Each Sleep announces itself on slept
// once its deadline is set, so a test knows the scheduler has finished
// reacting and waits for time to move.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []*deadline
	timers []*deadline
	slept  chan time.Duration
}

type deadline struct {
	at time.Time
	ch chan struct{}
}

func newFakeClock(now string) *fakeClock {
	return &fakeClock{now: utc(now), slept: make(chan time.Duration)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	w := &deadline{at: c.now.Add(d), ch: make(chan struct{})}
	c.sleeps = append(c.sleeps, w)
	c.mu.Unlock()
	select {
	case c.slept <- d:
		select {
		case <-w.ch:
			return nil
		case <-ctx.Done():
		}
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, s := range c.sleeps {
		if s == w {
			c.sleeps = append(c.sleeps[:i], c.sleeps[i+1:]...)
			break
		}
	}
	return ctx.Err()
}

// after returns a channel closed once the clock has advanced by d.
func (c *fakeClock) after(d time.Duration) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := &deadline{at: c.now.Add(d), ch: make(chan struct{})}
	c.timers = append(c.timers, w)
	return w.ch
}

// Advance moves time, ending runs (timers) before waking sleepers.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.timers = expire(c.timers, c.now)
	c.sleeps = expire(c.sleeps, c.now)
}

func expire(ds []*deadline, now time.Time) []*deadline {
	var keep []*deadline
	for _, w := range ds {
		if w.at.After(now) {
			keep = append(keep, w)
		} else {
			close(w.ch)
		}
	}
	return keep
}

// waitSleep waits until the scheduler sleeps and returns for how long.
func (c *fakeClock) waitSleep(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.slept:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("scheduler did not go to sleep")
		return 0
	}
}

// step lets n sleeps run to their end.
func (c *fakeClock) step(t *testing.T, n int) {
	t.Helper()
	for range n {
		c.Advance(c.waitSleep(t))
	}
	c.waitSleep(t)
}

type memCursors struct {
	mu             sync.Mutex
	m              map[string]time.Time
	sets           int
	getErr, setErr error
}

func (c *memCursors) LastFire(_ context.Context, name string) (time.Time, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[name]
	return t, ok, c.getErr
}

func (c *memCursors) SetLastFire(_ context.Context, name string, fire time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sets++
	if c.setErr != nil {
		return c.setErr
	}
	c.m[name] = fire
	return nil
}

func (c *memCursors) get(name string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

// launched is one call of the test's Launch: the fire, the clock then, and
// how many runs were going counting this one.
type launched struct {
	Fire
	Now     time.Time
	Running int
}

type recorder struct {
	mu    sync.Mutex
	clock *fakeClock
	got   []launched
	dones []<-chan struct{}
	// run returns the nth run's done channel, or an error.
	run func(n int) (<-chan struct{}, error)
}

func (r *recorder) launch(_ context.Context, f Fire) (<-chan struct{}, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	done, err := r.run(len(r.got))
	n := 1
	for _, d := range r.dones {
		if running(d) {
			n++
		}
	}
	r.got = append(r.got, launched{f, r.clock.Now(), n})
	if err == nil {
		r.dones = append(r.dones, done)
	}
	return done, err
}

func (r *recorder) launches() []launched {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]launched(nil), r.got...)
}

// lasting makes every run last d.
func lasting(c *fakeClock, d time.Duration) func(int) (<-chan struct{}, error) {
	return func(int) (<-chan struct{}, error) { return c.after(d), nil }
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.b.String(), s)
}

type harness struct {
	clock   *fakeClock
	cursors *memCursors
	rec     *recorder
	logs    *syncBuffer
	cancel  context.CancelFunc
	ended   chan error
}

// start runs a scheduler of specs on a clock at now.
func start(t *testing.T, now string, cursors *memCursors, run func(*fakeClock) func(int) (<-chan struct{}, error), specs ...Spec) *harness {
	t.Helper()
	h := &harness{clock: newFakeClock(now), cursors: cursors, logs: &syncBuffer{}, ended: make(chan error, 1)}
	if h.cursors == nil {
		h.cursors = &memCursors{}
	}
	if h.cursors.m == nil {
		h.cursors.m = map[string]time.Time{}
	}
	h.rec = &recorder{clock: h.clock, run: run(h.clock)}
	log := hclog.New(&hclog.LoggerOptions{Output: h.logs, Level: hclog.Trace})
	s := New(h.clock, h.cursors, h.rec.launch, WithLogger(log))
	for _, sp := range specs {
		if err := s.Add(mustParse(t, sp)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	h.cancel = cancel
	go func() { h.ended <- s.Run(ctx) }()
	t.Cleanup(func() { h.stop(t) })
	return h
}

// stop cancels Run and waits for it to return.
func (h *harness) stop(t *testing.T) {
	t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.ended:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func (h *harness) wantLaunches(t *testing.T, want ...launched) {
	t.Helper()
	if diff := cmp.Diff(want, h.rec.launches()); diff != "" {
		t.Errorf("launches (-want +got):\n%s", diff)
	}
}

func fire(name, at, now string, running int) launched {
	return launched{Fire{Schedule: name, At: utc(at)}, utc(now), running}
}

func instant(*fakeClock) func(int) (<-chan struct{}, error) {
	return func(int) (<-chan struct{}, error) { return nil, nil }
}
