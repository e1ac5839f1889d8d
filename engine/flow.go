package engine

import (
	"context"
	"time"
)

// Flow is the concurrency a run's control flow is built from: starting
// work, queues between it, and deriving contexts. The Runner's default
// runs on goroutines, channels and Go's context package. A durable backend
// (engine/temporal) supplies one built on a workflow's coroutines,
// channels and durable timers, so the same loop over engine/plan replays
// deterministically there.
//
// Every context the engine derives while running goes through WithCancel
// and WithTimeout, so a Flow can mirror each cancellation in its own
// primitives; the engine never starts a timer or a goroutine itself.
type Flow interface {
	// Go runs f concurrently with the caller.
	Go(ctx context.Context, f func())
	// NewQueue returns a FIFO queue holding up to size values; Send
	// blocks while it is full.
	NewQueue(size int) Queue
	// WithCancel is context.WithCancelCause.
	WithCancel(ctx context.Context) (context.Context, context.CancelCauseFunc)
	// WithTimeout is context.WithTimeoutCause.
	WithTimeout(ctx context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc)
}

// Queue passes values between a run's concurrent parts.
type Queue interface {
	Send(v any)
	// Receive waits for a value. With a non-nil ctx it gives up when ctx
	// ends first, and reports false.
	Receive(ctx context.Context) (any, bool)
}

// WithFlow sets the runner's concurrency primitives; see [Flow].
func WithFlow(f Flow) Option { return func(r *Runner) { r.flow = f } }

// goFlow is the in-process Flow.
type goFlow struct{}

func (goFlow) Go(_ context.Context, f func()) { go f() }

func (goFlow) NewQueue(size int) Queue { return chanQueue(make(chan any, size)) }

func (goFlow) WithCancel(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	return context.WithCancelCause(ctx)
}

func (goFlow) WithTimeout(ctx context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, d, cause)
}

type chanQueue chan any

func (q chanQueue) Send(v any) { q <- v }

func (q chanQueue) Receive(ctx context.Context) (any, bool) {
	if ctx == nil {
		return <-q, true
	}
	select {
	case v := <-q:
		return v, true
	case <-ctx.Done():
		return nil, false
	}
}

// each runs f(0) … f(n-1), at most limit at once, and returns when all
// have returned.
func each(ctx context.Context, fl Flow, n, limit int, f func(i int)) {
	if limit <= 1 || n <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	// slots holds one value per item running; an item takes its value
	// back when it returns.
	slots := fl.NewQueue(limit)
	for i := range n {
		slots.Send(struct{}{}) // blocks while limit items run
		fl.Go(ctx, func() {
			f(i)
			slots.Receive(nil)
		})
	}
	// Filling every slot waits for the items still running.
	for range limit {
		slots.Send(struct{}{})
	}
}
