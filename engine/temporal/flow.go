package temporal

import (
	"context"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/playbook-sh/playbook/engine"
)

// twinKey holds, in a context the engine derived, the workflow context
// cancelled with it.
type twinKey struct{}

// flow is the engine's Flow and Clock inside a workflow. Each context the
// engine derives has a workflow twin, cancelled by the same call; waits
// (timers, activities, queues) use the twin, so they end when the engine
// cancels, and the engine reads the cause from its own context.
//
// A blocking call must name the coroutine that makes it, which the
// engine's contexts do not know: cur is the coroutine running now. Every
// blocking call goes through block, which restores cur when its coroutine
// resumes, and a coroutine sets it when it starts.
type flow struct {
	root       workflow.Context
	cur        workflow.Context
	goRoot     context.Context
	cancelRoot context.CancelCauseFunc
}

func newFlow(ctx workflow.Context) *flow {
	f := &flow{root: ctx, cur: ctx}
	f.goRoot, f.cancelRoot = context.WithCancelCause(context.WithValue(context.Background(), twinKey{}, ctx))
	// A cancellation of the workflow (playbook run's Ctrl-C) reaches the
	// engine's contexts.
	workflow.Go(ctx, func(c workflow.Context) {
		c.Done().Receive(c, nil)
		f.cancelRoot(context.Canceled)
	})
	return f
}

func (f *flow) twin(ctx context.Context) workflow.Context {
	if ctx != nil {
		if w, ok := ctx.Value(twinKey{}).(workflow.Context); ok {
			return w
		}
	}
	return f.root
}

// sync carries a cancellation of the workflow to the engine's root
// context, for a wait it woke before the watcher ran.
func (f *flow) sync() {
	if f.root.Err() != nil {
		f.cancelRoot(context.Canceled)
	}
}

// block runs a blocking call as the running coroutine.
func (f *flow) block(call func(me workflow.Context)) {
	me := f.cur
	call(me)
	f.cur = me
}

func (f *flow) Go(ctx context.Context, fn func()) {
	workflow.Go(f.twin(ctx), func(c workflow.Context) {
		f.cur = c
		fn()
	})
}

func (f *flow) NewQueue(size int) engine.Queue {
	if size <= 0 {
		return &queue{f: f, ch: workflow.NewChannel(f.root)}
	}
	return &queue{f: f, ch: workflow.NewBufferedChannel(f.root, size)}
}

func (f *flow) WithCancel(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	wctx, wcancel := workflow.WithCancel(f.twin(ctx))
	gctx, gcancel := context.WithCancelCause(ctx)
	gctx = context.WithValue(gctx, twinKey{}, wctx)
	return gctx, func(cause error) {
		gcancel(cause)
		wcancel()
	}
}

// deadlineKey holds the workflow time a WithTimeout context ends at, for
// the activities' timeouts.
type deadlineKey struct{}

func (f *flow) WithTimeout(ctx context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	end := f.Now().Add(d)
	if prev, ok := ctx.Value(deadlineKey{}).(time.Time); ok && prev.Before(end) {
		end = prev
	}
	gctx, cancel := f.WithCancel(context.WithValue(ctx, deadlineKey{}, end))
	wctx := f.twin(gctx)
	timer := workflow.NewTimer(wctx, d)
	workflow.Go(wctx, func(c workflow.Context) {
		if timer.Get(c, nil) == nil {
			cancel(cause)
		}
	})
	return gctx, func() { cancel(context.Canceled) }
}

// Now is the workflow's time: the same on replay.
func (f *flow) Now() time.Time { return workflow.Now(f.root).UTC() }

// Sleep is a durable timer.
func (f *flow) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := workflow.NewTimer(f.twin(ctx), d)
	var err error
	f.block(func(me workflow.Context) { err = timer.Get(me, nil) })
	if err != nil {
		f.sync()
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
		return context.Canceled
	}
	return nil
}

// queue is a workflow channel; it carries values in memory, never
// through history.
type queue struct {
	f  *flow
	ch workflow.Channel
}

func (q *queue) Send(v any) {
	q.f.block(func(me workflow.Context) { q.ch.Send(me, v) })
}

func (q *queue) Receive(ctx context.Context) (any, bool) {
	var v any
	if ctx == nil {
		q.f.block(func(me workflow.Context) { q.ch.Receive(me, &v) })
		return v, true
	}
	got := false
	q.f.block(func(me workflow.Context) {
		s := workflow.NewSelector(me)
		s.AddReceive(q.ch, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(me, &v)
			got = true
		})
		s.AddReceive(q.f.twin(ctx).Done(), func(workflow.ReceiveChannel, bool) {})
		s.Select(me)
	})
	if !got {
		q.f.sync()
	}
	return v, got
}
