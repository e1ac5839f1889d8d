package serve

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/intake"
	"github.com/playbook-sh/playbook/engine/store"
)

// Server holds what serve's parts share: the configuration, the state
// store, the recorder that runs playbooks, and the connections.
type Server struct {
	Config   *Config
	Store    *store.Store
	Recorder *Recorder
	// Connection binds a connection name of serve.yaml's intake to its
	// connection; integration is the fetch command's.
	Connection func(name, integration string) (*actions.Connection, error)
	Logger     hclog.Logger
	// Now is the clock of intake windows; nil means time.Now.
	Now func() time.Time

	mu   sync.Mutex
	sems map[string]chan struct{} // per intake source: its trigger's concurrency
	runs sync.WaitGroup           // triggered runs in flight
}

// IntakeResult is one fetch cycle and what it triggered.
type IntakeResult struct {
	*intake.Result
	Triggered []string // run ids
	Skipped   int      // events the trigger's condition (or an error) passed over
}

func (s *Server) log() hclog.Logger {
	if s.Logger == nil {
		return hclog.NewNullLogger()
	}
	return s.Logger
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Source returns the intake entry with that name.
func (c *Config) Source(name string) (*Intake, bool) {
	for _, in := range c.Intake {
		if in.Name == name {
			return in, true
		}
	}
	return nil, false
}

// IntakeOnce runs one fetch cycle of the source, then triggers the
// source's pending events (new ones, and any a crash left undecided) and
// waits for those runs to finish.
func (s *Server) IntakeOnce(ctx context.Context, name string) (*IntakeResult, error) {
	in, ok := s.Config.Source(name)
	if !ok {
		return nil, fmt.Errorf("serve.yaml has no intake %q", name)
	}
	res, err := s.fetch(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &IntakeResult{Result: res}
	var mu sync.Mutex
	var wg sync.WaitGroup
	err = s.dispatch(ctx, ctx, in, &wg, func(runID string, skipped bool) {
		mu.Lock()
		defer mu.Unlock()
		if skipped {
			out.Skipped++
		} else {
			out.Triggered = append(out.Triggered, runID)
		}
	})
	wg.Wait()
	return out, err
}

func (s *Server) fetch(ctx context.Context, in *Intake) (*intake.Result, error) {
	conn, err := s.Connection(in.Connection, in.Command.Spec().Integration())
	if err != nil {
		return nil, fmt.Errorf("intake %s: %w", in.Name, err)
	}
	src := &intake.Source{Name: in.Name, Command: in.Command, With: in.With, Connection: conn,
		Tolerance: in.Tolerance, Lookback: in.Lookback, Mapping: in.Mapping, Trigger: in.Trigger != nil,
		Logger: s.log()}
	return intake.Fetch(ctx, src, s.Store, s.now())
}

func (s *Server) sem(in *Intake) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sems == nil {
		s.sems = map[string]chan struct{}{}
	}
	c := s.sems[in.Name]
	if c == nil {
		c = make(chan struct{}, max(in.Trigger.Concurrency, 1))
		s.sems[in.Name] = c
	}
	return c
}

// dispatch decides every pending event of the source: an event the
// trigger's condition accepts starts a run (its row and the event's state
// written in one transaction, so no event starts two runs), the others are
// marked skipped. Runs go at most Concurrency at a time; wg counts them.
// The runs get runCtx, which serve ends only after draining them.
func (s *Server) dispatch(ctx, runCtx context.Context, in *Intake, wg *sync.WaitGroup, done func(runID string, skipped bool)) error {
	if in.Trigger == nil {
		return nil
	}
	pending, err := s.Store.PendingEvents(ctx, in.Name)
	if err != nil {
		return fmt.Errorf("intake %s: read pending events: %w", in.Name, err)
	}
	log := s.log().With("intake", in.Name)
	sem := s.sem(in)
	for _, row := range pending {
		ev, err := intake.StoredEvent(row)
		if err != nil {
			log.Error("read a stored event", "key", row.Key, "error", err)
			continue
		}
		vars := eval.Vars{"event": ev.Context()}
		// The condition first: inputs are evaluated only for the events it
		// accepts, so an event it passes over logs no input error.
		var inputs map[string]any
		if in.Trigger.When != nil {
			var ok bool
			if ok, err = in.Trigger.When.EvalBool(ctx, vars); err == nil && !ok {
				err = errSkip
			}
		}
		if err == nil {
			inputs, err = s.triggerInputs(ctx, in.Trigger, vars)
		}
		if err != nil {
			if !errors.Is(err, errSkip) {
				log.Warn("event not triggered", "key", row.UniqueKey, "error", err)
			}
			if serr := s.Store.SetEventState(ctx, in.Name, row.Key, "skipped"); serr != nil {
				return serr
			}
			done("", true)
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		key := row.Key
		launch := Launch{Playbook: in.Trigger.Playbook, Inputs: inputs, Event: vars["event"],
			Trigger: "intake:" + in.Name, TriggerRef: row.UniqueKey,
			Start: func(ctx context.Context, r store.Run) error { return s.Store.TriggerRun(ctx, in.Name, key, r) }}
		if s.Recorder.Backend != nil {
			// The backend refuses a second run with this id: a duplicate
			// delivery, even to another serve, starts nothing.
			launch.ID = DerivedRunID("intake", in.Name, row.UniqueKey)
		}
		wg.Add(1)
		s.runs.Add(1)
		go func() {
			defer func() { <-sem; wg.Done(); s.runs.Done() }()
			rep, err := s.Recorder.Run(runCtx, launch)
			switch {
			case errors.Is(err, ErrDetached):
			case errors.Is(err, store.ErrAlreadyTriggered):
				log.Info("event already triggered elsewhere", "key", launch.TriggerRef)
			case err != nil:
				log.Error("triggered run did not start", "key", launch.TriggerRef, "error", err)
			default:
				log.Info("triggered run finished", "key", launch.TriggerRef, "run_id", rep.RunID, "status", rep.Status)
				done(rep.RunID, false)
			}
		}()
	}
	return nil
}

var errSkip = errors.New("when was false")

// triggerInputs evaluates the trigger's inputs over the event and binds
// them to the playbook's.
func (s *Server) triggerInputs(ctx context.Context, t *Trigger, vars eval.Vars) (map[string]any, error) {
	given := make(map[string]any, len(t.Inputs))
	for k, tm := range t.Inputs {
		v, err := tm.Eval(ctx, vars)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", k, err)
		}
		given[k] = v
	}
	return t.Playbook.BindInputs(given)
}
