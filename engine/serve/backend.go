package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"time"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/store"
)

// Backend runs playbooks somewhere other than this process (on Temporal),
// where a run outlives serve: serve records and follows the runs it
// starts, and the backend fires the schedules.
type Backend interface {
	// Owner is recorded as the owner of the runs it holds, so a later serve
	// follows them instead of marking them interrupted.
	Owner() string
	// Run starts the launch as run id, or finds the run that already has
	// that id (a duplicate delivery starts nothing), and waits for its
	// report, passing progress to onEvent. When ctx ends first it returns
	// an error wrapping [ErrDetached]: the run goes on.
	Run(ctx context.Context, id string, l Launch, onEvent func(engine.Event)) (*engine.Report, error)
	// Follow waits for the report of a run started earlier, as Run does.
	Follow(ctx context.Context, id string, onEvent func(engine.Event)) (*engine.Report, error)
	// Schedules installs serve.yaml's schedules, replacing those an
	// earlier serve installed and removing the ones it no longer lists.
	Schedules(ctx context.Context, s []*Schedule) error
	// Fired lists the runs the schedule started lately, oldest first.
	Fired(ctx context.Context, schedule string) ([]Fired, error)
}

// Fired is one run a backend's schedule started.
type Fired struct {
	ID string
	// At is the fire's time, jitter included; Started when the run began.
	At, Started time.Time
}

// ErrDetached is a backend's run that serve stopped following (it shut
// down); the run goes on, and the next serve follows it.
var ErrDetached = errors.New("stopped following the run; it goes on")

// DefaultFollowEvery is how often serve asks a backend which runs its
// schedules started.
const DefaultFollowEvery = 5 * time.Second

var safeKey = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,128}$`)

// DerivedRunID is the run id of a trigger's delivery: kind, name and key
// (an event's unique key, a webhook's Idempotency-Key), the key as is when
// it is short and plain, else its SHA-256. The same delivery always gets
// the same id, so a backend that refuses a second run with an id refuses a
// duplicate delivery.
func DerivedRunID(kind, name, key string) string {
	if !safeKey.MatchString(key) {
		sum := sha256.Sum256([]byte(key))
		key = "sha256-" + hex.EncodeToString(sum[:16])
	}
	return kind + "-" + name + "-" + key
}

// followLeftRunning follows the backend's runs an earlier serve recorded
// as running, so each is recorded when it ends.
func (d *Daemon) followLeftRunning(ctx context.Context) error {
	b := d.Recorder.Backend
	rows, err := d.Store.RunningOwnedBy(ctx, b.Owner())
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.follow(Launch{ID: r.ID, Name: r.Playbook, Trigger: r.Trigger, TriggerRef: r.TriggerRef})
	}
	return nil
}

// followSchedules asks the backend, every FollowEvery, which runs each
// schedule started, and records and follows the ones not yet recorded.
// A backend remembers a schedule's last few runs only, so runs started
// while serve was down long may go unrecorded here (the backend still
// has them).
func (d *Daemon) followSchedules(ctx context.Context) {
	every := d.FollowEvery
	if every <= 0 {
		every = DefaultFollowEvery
	}
	log := d.log().Named("schedule")
	// The runs a look found recorded, so the next asks the store only
	// about the others; it holds no more than the backend last listed.
	known := map[string]bool{}
	for {
		listed := map[string]bool{}
		for _, s := range d.Config.Schedules {
			fired, err := d.Recorder.Backend.Fired(ctx, s.Name)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				log.Error("list the schedule's runs", "schedule", s.Name, "error", err)
				continue
			}
			for _, f := range fired {
				if known[f.ID] {
					listed[f.ID] = true
					continue
				}
				_, err := d.Store.GetRun(ctx, f.ID)
				if err == nil {
					listed[f.ID] = true // recorded already
					continue
				}
				if !errors.Is(err, store.ErrNotFound) {
					continue // the store cannot tell: asked again next time
				}
				// Known once the next look finds it recorded.
				d.follow(Launch{ID: f.ID, Playbook: s.Playbook, Inputs: s.Inputs, Trigger: "schedule:" + s.Name,
					TriggerRef: f.At.UTC().Format(time.RFC3339), StartedAt: f.Started})
			}
		}
		known = listed
		if d.clock().Sleep(ctx, every) != nil {
			return
		}
	}
}

// follow records a backend's run in the background until it ends, or
// until serve stops following.
func (d *Daemon) follow(l Launch) {
	d.inflight.Add(1)
	go func() {
		defer d.inflight.Done()
		rep, err := d.Recorder.Follow(d.runCtx, l)
		switch {
		case errors.Is(err, ErrDetached):
		case errors.Is(err, store.ErrExists):
			// Recorded by another serve sharing the state file.
		case err != nil:
			d.log().Error("follow a run", "run_id", l.ID, "trigger", l.Trigger, "error", err)
		default:
			d.log().Info("run finished", "run_id", l.ID, "trigger", l.Trigger, "status", rep.Status)
		}
	}()
}
