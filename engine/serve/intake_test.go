package serve

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/store"
)

// fullTriggerConfig is an intake whose trigger reads mapped fields by
// name, with and without their spaces, and the raw event.
const fullTriggerConfig = `intake:
  items:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    trigger:
      playbook: playbooks/triage.yaml
      when: event.Severity in ["CRITICAL", "HIGH"]
      inputs:
        issue_id: ${{ event.DocumentID }}
        severity: ${{ event.Severity }}
        title: ${{ event["Field Name"] }}
        short: ${{ event.FieldName }}
        note: ${{ event.Notes }}
        path: ${{ event.raw.path }}
`

var now0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// server is a Server over a new state file, whose clock starts at
// now0 and moves on an hour per fetch.
func (f *testFixture) server(t *testing.T, src string) (*Server, *syncBuffer) {
	t.Helper()
	st := openTestStore(t)
	logs := &syncBuffer{}
	log := newLogger(logs)
	var fetches atomic.Int64
	s := &Server{Config: f.parse(t, src), Store: st, Recorder: f.recorder(st, log), Logger: log,
		Connection: func(name, integration string) (*actions.Connection, error) {
			if name != "feed" || integration != "test" {
				t.Errorf("Connection(%q, %q), want feed for test", name, integration)
			}
			return &actions.Connection{Name: name, Integration: integration}, nil
		},
		Now: func() time.Time { return now0.Add(time.Duration(fetches.Add(1)) * time.Hour) }}
	return s, logs
}

// item is one of the feed's events, as test.items maps it.
func item(id, severity, title, notes, path string) map[string]any {
	return map[string]any{"id": id, "severity": severity, "title": title, "notes": notes, "path": path}
}

// recorded is the values test.record got in each run, by issue_id.
func recorded(f *testFixture) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, in := range f.record.inputs() {
		v := in["values"].(map[string]any)
		out[v["issue_id"].(string)] = v
	}
	return out
}

func states(ctx context.Context, t *testing.T, st *store.Store, source string) map[string]string {
	t.Helper()
	evs, err := st.ListEvents(ctx, store.EventFilter{Source: source})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range evs {
		out[e.Key] = e.State
	}
	return out
}

// TestIntakeOnceTriggers runs fetch cycles: the condition picks events,
// each accepted one starts exactly one run with inputs from its fields,
// and a second cycle over the same data starts nothing.
func TestIntakeOnceTriggers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newTestFixture()
	s, logs := f.server(t, fullTriggerConfig)
	f.feed.set(
		// Attacker-controlled text stays data: neither a template nor a
		// JSONPath in an event is evaluated.
		item("i-1", "HIGH", "Disk full", "${{ run.id }}", "$.x"),
		item("i-2", "LOW", "Noise", "n", "p"),
		item("i-3", "CRITICAL", "Ransom note", "$.tasks", `${{ event.Severity }}`),
		// Passed over by the condition, though its inputs would fail (no
		// notes): no warning.
		map[string]any{"id": "i-4", "severity": "LOW", "title": "Quiet"},
	)
	res, err := s.IntakeOnce(ctx, "items")
	if err != nil {
		t.Fatalf("IntakeOnce = %v", err)
	}
	if len(res.New) != 4 || res.Skipped != 2 || len(res.Triggered) != 2 {
		t.Errorf("result: %d new, %d skipped, triggered %v; want 4, 2 and 2 runs", len(res.New), res.Skipped, res.Triggered)
	}
	want := map[string]map[string]any{
		"i-1": {"issue_id": "i-1", "severity": "HIGH", "title": "Disk full", "short": "Disk full",
			"note": "${{ run.id }}", "path": "$.x"},
		"i-3": {"issue_id": "i-3", "severity": "CRITICAL", "title": "Ransom note", "short": "Ransom note",
			"note": "$.tasks", "path": "${{ event.Severity }}"},
	}
	if diff := cmp.Diff(want, recorded(f)); diff != "" {
		t.Errorf("playbook inputs (-want +got):\n%s", diff)
	}
	wantStates := map[string]string{"i-1": store.StateTriggered, "i-2": store.StateSkipped,
		"i-3": store.StateTriggered, "i-4": store.StateSkipped}
	if diff := cmp.Diff(wantStates, states(ctx, t, s.Store, "items")); diff != "" {
		t.Errorf("event states (-want +got):\n%s", diff)
	}
	if strings.Contains(logs.String(), "event not triggered") {
		t.Errorf("an event the condition passed over logged a warning:\n%s", logs)
	}

	// Each run is recorded with its trigger and event.
	evs, err := s.Store.ListEvents(ctx, store.EventFilter{Source: "items"})
	if err != nil {
		t.Fatal(err)
	}
	var runIDs []string
	for _, e := range evs {
		if e.State != store.StateTriggered {
			if e.RunID != "" {
				t.Errorf("event %s (%s) has run %s", e.Key, e.State, e.RunID)
			}
			continue
		}
		runIDs = append(runIDs, e.RunID)
		r, err := s.Store.GetRun(ctx, e.RunID)
		if err != nil {
			t.Fatal(err)
		}
		var event map[string]any
		if err := json.Unmarshal(r.Event, &event); err != nil {
			t.Fatal(err)
		}
		if r.Status != store.StatusSuccessful || r.Trigger != "intake:items" || r.TriggerRef != e.Key ||
			event["Document ID"] != e.Key || event["DocumentID"] != e.Key {
			t.Errorf("run of %s = %+v, event %v", e.Key, r, event)
		}
	}
	sort.Strings(runIDs)
	got := append([]string(nil), res.Triggered...)
	sort.Strings(got)
	if diff := cmp.Diff(runIDs, got); diff != "" {
		t.Errorf("triggered run ids (-events +result):\n%s", diff)
	}

	// The same data again: nothing new, nothing triggered.
	res, err = s.IntakeOnce(ctx, "items")
	if err != nil {
		t.Fatalf("second IntakeOnce = %v", err)
	}
	if len(res.New) != 0 || len(res.Triggered) != 0 || res.Skipped != 0 || f.record.count() != 2 {
		t.Errorf("second cycle: %d new, triggered %v, %d skipped, %d runs in all; want nothing new",
			len(res.New), res.Triggered, res.Skipped, f.record.count())
	}
}

// TestIntakeOncePendingAfterCrash triggers an event a crash left pending:
// stored, but no run started.
func TestIntakeOncePendingAfterCrash(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newTestFixture()
	s, _ := f.server(t, fullTriggerConfig)
	_, err := s.Store.AddEvents(ctx, "items", []store.Event{{Source: "items", Key: "c-1", UniqueKey: "c-1",
		Fields: json.RawMessage(`{"Document ID": "c-1", "Severity": "HIGH", "Field Name": "Left over", "Notes": "n"}`),
		Raw:    json.RawMessage(`{"id": "c-1", "path": "p"}`)}}, now0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.IntakeOnce(ctx, "items") // the feed is empty
	if err != nil {
		t.Fatalf("IntakeOnce = %v", err)
	}
	if len(res.New) != 0 || len(res.Triggered) != 1 {
		t.Errorf("result: %d new, triggered %v; want the pending event's run", len(res.New), res.Triggered)
	}
	want := map[string]map[string]any{"c-1": {"issue_id": "c-1", "severity": "HIGH", "title": "Left over",
		"short": "Left over", "note": "n", "path": "p"}}
	if diff := cmp.Diff(want, recorded(f)); diff != "" {
		t.Errorf("playbook inputs (-want +got):\n%s", diff)
	}
	if got := states(ctx, t, s.Store, "items"); got["c-1"] != store.StateTriggered {
		t.Errorf("state = %v, want triggered", got)
	}
}

// TestIntakeOnceInputError skips, and logs, an event whose trigger inputs
// do not evaluate; the other events still run.
func TestIntakeOnceInputError(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newTestFixture()
	s, logs := f.server(t, fullTriggerConfig)
	f.feed.set(
		map[string]any{"id": "bad", "severity": "HIGH", "title": "No notes", "path": "p"}, // event.Notes: no such key
		item("good", "HIGH", "Fine", "n", "p"),
	)
	res, err := s.IntakeOnce(ctx, "items")
	if err != nil {
		t.Fatalf("IntakeOnce = %v", err)
	}
	if res.Skipped != 1 || len(res.Triggered) != 1 {
		t.Errorf("result: %d skipped, triggered %v; want 1 and 1", res.Skipped, res.Triggered)
	}
	if _, ok := recorded(f)["good"]; !ok || f.record.count() != 1 {
		t.Errorf("runs = %v, want good's only", recorded(f))
	}
	if diff := cmp.Diff(map[string]string{"bad": store.StateSkipped, "good": store.StateTriggered},
		states(ctx, t, s.Store, "items")); diff != "" {
		t.Errorf("event states (-want +got):\n%s", diff)
	}
	out := logs.String()
	if !strings.Contains(out, "event not triggered") || !strings.Contains(out, "key=bad") || !strings.Contains(out, `error="input note: no such key: Notes"`) {
		t.Errorf("log does not say why bad was not triggered:\n%s", out)
	}
}

// TestIntakeOnceFetchFails starts nothing and stores nothing when the
// fetch command fails.
func TestIntakeOnceFetchFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newTestFixture()
	s, _ := f.server(t, fullTriggerConfig)
	f.feed.set(item("i-1", "HIGH", "t", "n", "p"))
	f.feed.fail = true
	if _, err := s.IntakeOnce(ctx, "items"); err == nil || !strings.Contains(err.Error(), "busy") {
		t.Errorf("IntakeOnce = %v, want the fetch's failure", err)
	}
	if f.record.count() != 0 || len(states(ctx, t, s.Store, "items")) != 0 {
		t.Error("a failed fetch stored or triggered events")
	}
	if _, err := s.IntakeOnce(ctx, "nope"); err == nil || !strings.Contains(err.Error(), `no intake "nope"`) {
		t.Errorf("IntakeOnce(nope) = %v", err)
	}
}

// TestIntakeOnceConcurrency checks a trigger never runs more than its
// concurrency at once, and does reach it.
func TestIntakeOnceConcurrency(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newTestFixture()
	s, _ := f.server(t, `intake:
  items:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    trigger:
      playbook: playbooks/steps.yaml
      inputs: {who: "${{ event.DocumentID }}"}
      concurrency: 2
`)
	var items []map[string]any
	for _, id := range []string{"e1", "e2", "e3", "e4", "e5", "e6"} {
		items = append(items, item(id, "HIGH", "t", "n", "p"))
	}
	f.feed.set(items...)
	var inflight, peak atomic.Int32
	release := make(chan struct{})
	f.block.setHook(func(ctx context.Context, _ actions.Request) actions.Envelope {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return actions.Succeed("ok", nil)
	})
	type result struct {
		res *IntakeResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := s.IntakeOnce(ctx, "items")
		done <- result{res, err}
	}()
	// Wait for the limit to fill, give a third run the chance to start
	// wrongly, then let them all go.
	deadline := time.Now().Add(10 * time.Second)
	for inflight.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	r := <-done
	if r.err != nil {
		t.Fatalf("IntakeOnce = %v", r.err)
	}
	if len(r.res.Triggered) != 6 || f.block.count() != 6 {
		t.Errorf("triggered %d runs, block ran %d times; want 6", len(r.res.Triggered), f.block.count())
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("at most %d runs at once, want the concurrency, 2", p)
	}
}

// TestIntakeOnceWithoutTrigger stores events as "none" and runs nothing.
func TestIntakeOnceWithoutTrigger(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newTestFixture()
	s, _ := f.server(t, `intake:
  items:
    connection: feed
    command: test.fetch
    with: {kind: issues}
    every: 12h
    mapping: test.items
`)
	f.feed.set(item("i-1", "HIGH", "t", "n", "p"))
	res, err := s.IntakeOnce(ctx, "items")
	if err != nil || len(res.New) != 1 || len(res.Triggered) != 0 {
		t.Fatalf("IntakeOnce = %+v, %v", res, err)
	}
	if diff := cmp.Diff(map[string]string{"i-1": store.StateNone}, states(ctx, t, s.Store, "items")); diff != "" {
		t.Errorf("event states (-want +got):\n%s", diff)
	}
	// The fetch got the literal with: and the window.
	call := f.feed.calls[0]
	if call["kind"] != "issues" || call["start_time"] == nil || call["end_time"] == nil {
		t.Errorf("fetch inputs = %v", call)
	}
}
