package serve_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/store"
)

// fakeBackend models a remote runner as serve sees one: a run per id
// (a second start with an id finds the first run), runs that outlive
// whoever follows them, and schedules that fire on their own.
type fakeBackend struct {
	mu        sync.Mutex
	runs      map[string]*fakeRun
	starts    int // runs started, not found
	installed []string
	fired     map[string][]serve.Fired
	hold      chan struct{} // runs end when it is closed; nil: at once
}

type fakeRun struct {
	l    serve.Launch
	done chan struct{}
	rep  *engine.Report
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{runs: map[string]*fakeRun{}, fired: map[string][]serve.Fired{}}
}

func (b *fakeBackend) Owner() string { return "fake:ns" }

func (b *fakeBackend) Run(ctx context.Context, id string, l serve.Launch, onEvent func(engine.Event)) (*engine.Report, error) {
	b.mu.Lock()
	r := b.runs[id]
	if r == nil {
		r = b.start(id, l)
	}
	b.mu.Unlock()
	return b.wait(ctx, r)
}

// start starts a run; b.mu is held.
func (b *fakeBackend) start(id string, l serve.Launch) *fakeRun {
	b.starts++
	r := &fakeRun{l: l, done: make(chan struct{})}
	b.runs[id] = r
	hold := b.hold
	go func() {
		if hold != nil {
			<-hold
		}
		now := time.Now().UTC()
		r.rep = &engine.Report{Playbook: l.PlaybookName(), RunID: id, Status: engine.RunSuccessful, StartedAt: now, FinishedAt: now,
			Inputs: l.Inputs, Tasks: map[string]*engine.TaskReport{}}
		close(r.done)
	}()
	return r
}

func (b *fakeBackend) Follow(ctx context.Context, id string, onEvent func(engine.Event)) (*engine.Report, error) {
	b.mu.Lock()
	r := b.runs[id]
	b.mu.Unlock()
	if r == nil {
		return nil, fmt.Errorf("workflow %s not found", id)
	}
	return b.wait(ctx, r)
}

func (b *fakeBackend) wait(ctx context.Context, r *fakeRun) (*engine.Report, error) {
	select {
	case <-r.done:
		return r.rep, nil
	case <-ctx.Done():
		return nil, serve.ErrDetached
	}
}

func (b *fakeBackend) Schedules(_ context.Context, ss []*serve.Schedule) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.installed = nil
	for _, s := range ss {
		b.installed = append(b.installed, s.Name)
	}
	return nil
}

func (b *fakeBackend) Fired(_ context.Context, name string) ([]serve.Fired, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fired[name], nil
}

// fire makes the schedule start a run, as the backend's scheduler would.
func (b *fakeBackend) fire(name, id string, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.start(id, serve.Launch{Name: "note"})
	b.fired[name] = append(b.fired[name], serve.Fired{ID: id, At: at, Started: at.Add(time.Second)})
}

const backendServe = `schedules:
  hourly: {playbook: note.yaml, every: 1h, inputs: {id: sched}}
intake:
  issues:
    connection: demo
    command: demo.fetch
    every: 2h
    mapping: demo.issues
    trigger:
      playbook: note.yaml
      inputs: {id: "${{ event.DocumentID }}"}
webhooks:
  note: {playbook: note.yaml, token: env:HOOK_TOKEN, inputs: {id: "${{ event.id }}"}}
`

func TestDaemonBackend(t *testing.T) {
	b := newFakeBackend()
	b.hold = make(chan struct{})
	e := startDaemonWith(t, backendServe, map[string]string{"note.yaml": daemonPlaybook}, b, nil)
	// serve listens before it installs the schedules.
	e.waitFor(t, "the schedules installed", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return fmt.Sprint(b.installed) == "[hourly]"
	})
	e.fetch.mu.Lock()
	e.fetch.issues = append(e.fetch.issues, map[string]any{"id": "i-1", "severity": "HIGH"}, map[string]any{"id": "weird key/with spaces", "severity": "LOW"})
	e.fetch.mu.Unlock()

	// The schedule fires on the backend: serve records the run on its
	// next look, not by its own clock.
	at := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	b.fire("hourly", "schedule-hourly-2026-01-01T01:00:00Z", at)
	e.clock.Advance(2 * time.Hour) // the follow loop's look, and the intake's second fetch
	e.waitFor(t, "the fired run and the intake runs recorded", func() bool {
		return len(e.runs(t, store.RunFilter{Status: store.StatusRunning})) == 3
	})
	post := func(key string) (int, map[string]any) { return e.post(t, "note", daemonToken, key, `{"id": "w-1"}`) }
	if code, m := post("retry-me"); code != http.StatusAccepted || m["run_id"] != "webhook-note-retry-me" {
		t.Fatalf("first delivery: %d %v", code, m)
	}
	if code, m := post("retry-me"); code != http.StatusOK || m["run_id"] != "webhook-note-retry-me" || m["duplicate"] != true {
		t.Fatalf("second delivery: %d %v", code, m)
	}
	e.waitFor(t, "the webhook run started", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.runs["webhook-note-retry-me"] != nil
	})

	// serve stops while every run is held: none is cancelled or marked
	// failed; each stays running, owned by the backend.
	e.stop(t)
	running := e.runs(t, store.RunFilter{})
	ids := map[string]store.Run{}
	for _, r := range running {
		ids[r.ID] = r
		if r.Status != store.StatusRunning || r.Owner != "fake:ns" {
			t.Errorf("run %s after serve stopped: %s, owner %s", r.ID, r.Status, r.Owner)
		}
	}
	if len(ids) != 4 {
		t.Errorf("%d runs recorded, want 4: %v", len(ids), ids)
	}
	for id, ref := range map[string]string{
		"schedule-hourly-2026-01-01T01:00:00Z":                          "2026-01-01T01:00:00Z",
		"intake-issues-i-1":                                             "i-1",
		serve.DerivedRunID("intake", "issues", "weird key/with spaces"): "weird key/with spaces",
		"webhook-note-retry-me":                                         "retry-me",
	} {
		if r, ok := ids[id]; !ok || r.TriggerRef != ref {
			t.Errorf("run %s: %+v; want trigger ref %q (runs %v)", id, r, ref, ids)
		}
	}
	if r := ids["schedule-hourly-2026-01-01T01:00:00Z"]; !r.StartedAt.Equal(at.Add(time.Second)) || string(r.Inputs) != `{"id":"sched"}` {
		t.Errorf("fired run: started %v, inputs %s", r.StartedAt, r.Inputs)
	}
	if id := serve.DerivedRunID("intake", "issues", "weird key/with spaces"); !strings.HasPrefix(id, "intake-issues-sha256-") || len(id) != len("intake-issues-sha256-")+32 {
		t.Errorf("derived id %q", id)
	}

	// The next serve, over the same state, follows them to their ends,
	// and starts nothing again.
	b.mu.Lock()
	starts := b.starts
	b.mu.Unlock()
	e2 := startDaemonWith(t, backendServe, map[string]string{"note.yaml": daemonPlaybook}, b, e.st)
	close(b.hold)
	e2.waitFor(t, "every run recorded as ended", func() bool {
		return len(e2.runs(t, store.RunFilter{Status: engine.RunSuccessful})) == len(ids)
	})
	e2.stop(t)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.starts != starts {
		t.Errorf("%d runs started on the backend after the restart, want none", b.starts-starts)
	}
	if len(b.runs) != len(ids) {
		t.Errorf("%d runs on the backend, %d recorded", len(b.runs), len(ids))
	}
}

// In process too, a delivery repeated with its Idempotency-Key names the
// run the first one started and starts none.
func TestDaemonWebhookIdempotencyKey(t *testing.T) {
	src := "webhooks:\n  note: {playbook: note.yaml, token: env:HOOK_TOKEN, inputs: {id: \"${{ event.id }}\"}}\n"
	e := startDaemon(t, src, map[string]string{"note.yaml": daemonPlaybook})
	post := func(key, body string) (int, map[string]any) { return e.post(t, "note", daemonToken, key, body) }
	if code, m := post("k-1", `{"id": "first"}`); code != http.StatusAccepted || m["run_id"] != "webhook-note-k-1" {
		t.Fatalf("first: %d %v", code, m)
	}
	e.waitFor(t, "the run", func() bool { return len(e.runs(t, store.RunFilter{Status: engine.RunSuccessful})) == 1 })
	// The retry carries the same key: the run that exists is named, even
	// with a different body.
	if code, m := post("k-1", `{"id": "second"}`); code != http.StatusOK || m["run_id"] != "webhook-note-k-1" || m["duplicate"] != true {
		t.Fatalf("retry: %d %v", code, m)
	}
	if code, m := post("k-2", `{"id": "third"}`); code != http.StatusAccepted || m["run_id"] != "webhook-note-k-2" {
		t.Fatalf("another key: %d %v", code, m)
	}
	e.waitFor(t, "two runs", func() bool { return len(e.runs(t, store.RunFilter{Status: engine.RunSuccessful})) == 2 })
	r, err := e.st.GetRun(context.Background(), "webhook-note-k-1")
	if err != nil || string(r.Inputs) != `{"id":"first"}` || r.TriggerRef != "k-1" {
		t.Errorf("run %+v %v", r, err)
	}
}
