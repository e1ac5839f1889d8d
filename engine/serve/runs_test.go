package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/plan"
	"github.com/playbook-sh/playbook/engine/store"
)

// loadPlaybook compiles testdata/playbooks/name against the fixture.
func (f *testFixture) loadPlaybook(t *testing.T, name string) *engine.Compiled {
	t.Helper()
	c, err := engine.Load(filepath.Join(testDir, "playbooks", name), f.reg)
	if err != nil {
		t.Fatalf("engine.Load(%s) = %v", name, err)
	}
	return c
}

// onlyRun returns the one run in st.
func onlyRun(ctx context.Context, t *testing.T, st *store.Store) store.Run {
	t.Helper()
	runs, err := st.ListRuns(ctx, store.RunFilter{})
	if err != nil || len(runs) != 1 {
		t.Fatalf("ListRuns = %d runs, %v; want one", len(runs), err)
	}
	r, err := st.GetRun(ctx, runs[0].ID)
	if err != nil {
		t.Fatalf("GetRun(%s) = %v", runs[0].ID, err)
	}
	return r
}

func taskIDs(m map[string]json.RawMessage) []string {
	out := []string{}
	for _, id := range []string{"a", "b", "c"} {
		if _, ok := m[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// TestRecorderRecordsARun follows a run's row from running to its final
// status and report, and checks that only succeeded tasks are checkpointed.
func TestRecorderRecordsARun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		failB      bool
		wantStatus string
		wantSaved  []string
	}{
		{name: "successful", wantStatus: store.StatusSuccessful, wantSaved: []string{"a", "b", "c"}},
		// b fails and c, which needs it, is skipped: only a is saved.
		{name: "failed", failB: true, wantStatus: store.StatusFailed, wantSaved: []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			f := newTestFixture()
			st := openTestStore(t)
			c := f.loadPlaybook(t, "steps.yaml")

			// While b runs, the row is running, with a checkpointed.
			var during store.Run
			var savedDuring []string
			f.block.setHook(func(ctx context.Context, r actions.Request) actions.Envelope {
				during = onlyRun(ctx, t, st)
				saved, err := st.Tasks(ctx, during.ID)
				if err != nil {
					t.Errorf("Tasks = %v", err)
				}
				savedDuring = taskIDs(saved)
				if tc.failB {
					return actions.Fail("Block failed.", 500, "no", nil)
				}
				return actions.Succeed("ok", nil)
			})
			rc := f.recorder(st, nil)
			var finished []string
			rc.Finished = func(l Launch, status string, rep *engine.Report) {
				finished = append(finished, fmt.Sprintf("%s %s %v", l.Trigger, status, rep != nil))
			}
			rep, err := rc.Run(ctx, Launch{Playbook: c, Inputs: map[string]any{"who": "ann"},
				Trigger: "cli", TriggerRef: "ref-1"})
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if diff := cmp.Diff([]string{"cli " + tc.wantStatus + " true"}, finished); diff != "" {
				t.Errorf("Finished (-want +got):\n%s", diff)
			}
			if during.Status != store.StatusRunning || !during.FinishedAt.IsZero() || during.Report != nil {
				t.Errorf("row while running = %+v, want running with no report", during)
			}
			if diff := cmp.Diff([]string{"a"}, savedDuring); diff != "" {
				t.Errorf("checkpoints while b runs (-want +got):\n%s", diff)
			}

			got := onlyRun(ctx, t, st)
			if got.ID != rep.RunID || got.Status != tc.wantStatus || rep.Status != tc.wantStatus {
				t.Errorf("row %s = %s, report %s %s; want %s", got.ID, got.Status, rep.RunID, rep.Status, tc.wantStatus)
			}
			if got.Playbook != "steps" || got.Trigger != "cli" || got.TriggerRef != "ref-1" || got.FinishedAt.IsZero() ||
				!filepath.IsAbs(got.File) || got.Owner != store.Owner() {
				t.Errorf("row = %+v", got)
			}
			var inputs map[string]any
			if err := json.Unmarshal(got.Inputs, &inputs); err != nil || inputs["who"] != "ann" {
				t.Errorf("row inputs = %s (%v)", got.Inputs, err)
			}
			want, err := rep.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Report) != string(want) {
				t.Errorf("stored report:\n%s\nwant the run's:\n%s", got.Report, want)
			}
			saved, err := st.Tasks(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantSaved, taskIDs(saved)); diff != "" {
				t.Errorf("checkpoints (-want +got):\n%s", diff)
			}
			for id, b := range saved {
				tr, err := engine.DecodeTaskReport(b)
				if err != nil || tr.Status != plan.Succeeded {
					t.Errorf("checkpoint %s = %+v, %v; want a succeeded task", id, tr, err)
				}
			}
		})
	}
}

// TestRecorderRunThatCannotStart records a run whose connections cannot
// be bound as Failed, with the error and no report.
func TestRecorderRunThatCannotStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		conns func(*engine.Compiled) (map[string]*actions.Connection, error)
		want  string
	}{{
		name: "connections file",
		conns: func(*engine.Compiled) (map[string]*actions.Connection, error) {
			return nil, errors.New("no connections file")
		},
		want: "no connections file",
	}, {
		name:  "connection missing",
		conns: func(*engine.Compiled) (map[string]*actions.Connection, error) { return nil, nil },
		want:  `connection "feed" is not configured (add it to the connections file)`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			f := newTestFixture()
			st := openTestStore(t)
			rc := f.recorder(st, nil)
			rc.Connections = tc.conns
			// Metrics count a run that started as finished too.
			var started, finished []string
			rc.Started = func(l Launch) { started = append(started, l.Trigger) }
			rc.Finished = func(l Launch, status string, rep *engine.Report) {
				finished = append(finished, fmt.Sprintf("%s %s %v", l.Trigger, status, rep != nil))
			}
			rep, err := rc.Run(ctx, Launch{Playbook: f.loadPlaybook(t, "connected.yaml"), Trigger: "cli"})
			if err == nil || err.Error() != tc.want || rep != nil {
				t.Fatalf("Run = %v, %v; want no report and %q", rep, err, tc.want)
			}
			if diff := cmp.Diff([]string{"cli"}, started); diff != "" {
				t.Errorf("Started (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"cli Failed false"}, finished); diff != "" {
				t.Errorf("Finished (-want +got):\n%s", diff)
			}
			got := onlyRun(ctx, t, st)
			if got.Status != store.StatusFailed || got.Error != tc.want || got.Report != nil || got.FinishedAt.IsZero() {
				t.Errorf("row = %+v, want Failed with the error", got)
			}
		})
	}
}

// TestRecorderResume interrupts a run while its second task runs, then
// resumes it: the first task is not run again, the others are, and the
// run keeps its id.
func TestRecorderResume(t *testing.T) {
	t.Parallel()
	f := newTestFixture()
	st := openTestStore(t)
	logs := &syncBuffer{}
	rc := f.recorder(st, newLogger(logs))
	c := f.loadPlaybook(t, "steps.yaml")

	// The first attempt: b blocks until the run is cancelled, as serve's
	// process ending would stop it.
	runCtx, cancel := context.WithCancel(t.Context())
	defer cancel()
	f.block.setHook(func(ctx context.Context, r actions.Request) actions.Envelope {
		cancel()
		<-ctx.Done()
		return actions.Fail("Block failed.", 0, "cancelled", ctx.Err())
	})
	first, err := rc.Run(runCtx, Launch{Playbook: c, Inputs: map[string]any{"who": "ann"}, Trigger: "schedule:s"})
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	ctx := t.Context()
	id := first.RunID
	saved, err := st.Tasks(ctx, id)
	if err != nil || len(saved) != 1 || saved["a"] == nil {
		t.Fatalf("checkpoints after the interruption = %v %v, want a only", taskIDs(saved), err)
	}
	// The process died: the next start marks the run Interrupted.
	if err := st.FinishRun(ctx, id, store.StatusInterrupted, time.Now(), nil, "the process ended"); err != nil {
		t.Fatal(err)
	}
	if f.record.count() != 1 || f.block.count() != 1 {
		t.Fatalf("first attempt ran record %d, block %d times; want 1 and 1", f.record.count(), f.block.count())
	}

	f.block.setHook(nil)
	var loaded string
	rep, err := rc.Resume(ctx, id, func(file string) (*engine.Compiled, error) {
		loaded = file
		return engine.Load(file, f.reg)
	})
	if err != nil {
		t.Fatalf("Resume = %v", err)
	}
	if rep.RunID != id || rep.Status != engine.RunSuccessful {
		t.Errorf("resumed run = %s %s, want %s Successful", rep.RunID, rep.Status, id)
	}
	if abs, _ := filepath.Abs(filepath.Join(testDir, "playbooks", "steps.yaml")); loaded != abs {
		t.Errorf("Resume loaded %q, want %q", loaded, abs)
	}
	// a ran once in all (its checkpoint stands), b and c ran in the resume.
	if f.record.count() != 2 || f.block.count() != 2 {
		t.Errorf("record ran %d times, block %d; want 2 and 2 (a once, b twice, c once)", f.record.count(), f.block.count())
	}
	var steps []any
	for _, in := range f.record.inputs() {
		steps = append(steps, in["values"].(map[string]any)["step"])
	}
	if diff := cmp.Diff([]any{"a", "c"}, steps); diff != "" {
		t.Errorf("record's runs (-want +got):\n%s", diff)
	}
	if a := rep.Tasks["a"]; a == nil || a.Status != plan.Succeeded || a.Attempts != 1 {
		t.Errorf("task a = %+v, want the checkpoint's report", a)
	}
	if diff := cmp.Diff(map[string]any{"who": "ann"}, rep.Outputs); diff != "" {
		t.Errorf("outputs from a's checkpoint, with the stored inputs (-want +got):\n%s", diff)
	}
	got := onlyRun(ctx, t, st)
	if got.ID != id || got.Status != store.StatusSuccessful || got.Error != "" || got.Report == nil || got.Trigger != "schedule:s" {
		t.Errorf("row = %+v, want the same run, Successful with its report", got)
	}

	// A finished run cannot be resumed.
	if _, err := rc.Resume(ctx, id, func(string) (*engine.Compiled, error) { return c, nil }); err == nil ||
		!strings.Contains(err.Error(), "the run is Successful") {
		t.Errorf("Resume(Successful run) = %v", err)
	}
}

// TestRecorderResumeRunning refuses to resume a run some process is running.
func TestRecorderResumeRunning(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newTestFixture()
	st := openTestStore(t)
	if err := st.CreateRun(ctx, store.Run{ID: "run-1", Playbook: "steps", File: "steps.yaml", Trigger: "cli"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.recorder(st, nil).Resume(ctx, "run-1", func(string) (*engine.Compiled, error) {
		t.Error("Resume loaded the playbook of a running run")
		return nil, errors.New("no")
	})
	if err == nil || !strings.Contains(err.Error(), "run run-1 is still running") {
		t.Errorf("Resume(running) = %v", err)
	}
	if got := onlyRun(ctx, t, st); got.Status != store.StatusRunning {
		t.Errorf("status = %s, want it left running", got.Status)
	}
	if _, err := f.recorder(st, nil).Resume(ctx, "no-such-run", nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Resume(unknown) = %v, want ErrNotFound", err)
	}
}
