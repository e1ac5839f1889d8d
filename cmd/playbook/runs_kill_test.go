package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/playbook-sh/playbook/engine/store"
)

// TestKill9 kills the CLI with SIGKILL in the middle of a recorded run
// and of an intake's triggered runs, and checks what the state file lets
// the next process do. The CLI is built once, as a real binary, so that
// it can be killed without taking the test with it.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and kills it")
	}
	t.Parallel()
	bin := buildCLI(t)
	t.Run("recorded run resumes after its checkpoint", func(t *testing.T) {
		t.Parallel()
		testKillRecordedRun(t, bin)
	})
	t.Run("intake loses and repeats no event", func(t *testing.T) {
		t.Parallel()
		testKillIntake(t, bin)
	})
}

// buildCLI builds the CLI as a real binary, for tests that kill it.
func buildCLI(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the CLI with")
	}
	bin := filepath.Join(t.TempDir(), "playbook")
	if out, err := exec.CommandContext(t.Context(), goCmd, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a CLI process started from the built binary.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan error
}

func startCLI(t testing.TB, bin string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() { c.kill(t) })
	return c
}

// kill sends SIGKILL and waits for the process to be reaped (a zombie
// still answers signal 0, and would look alive to the state store).
func (c *child) kill(t testing.TB) {
	t.Helper()
	if _, ok := c.exited(); ok {
		return
	}
	c.cmd.Process.Kill()
	select {
	case err := <-c.done:
		c.done <- err
	case <-time.After(10 * time.Second):
		t.Errorf("process %d did not end after SIGKILL", c.cmd.Process.Pid)
	}
}

// exited reports whether the process has ended, and with what. Its
// output may be read once it has.
func (c *child) exited() (error, bool) {
	select {
	case err := <-c.done:
		c.done <- err
		return err, true
	default:
		return nil, false
	}
}

// waitFor polls cond every 10ms until it holds, failing the test after
// 15s or when the child ends first.
func waitFor(t *testing.T, c *child, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		err, ok := c.exited()
		if !ok && time.Now().After(deadline) {
			c.kill(t)
			err = fmt.Errorf("timed out")
			ok = true
		}
		if ok {
			t.Fatalf("waiting for %s: the CLI ended (%v)\nstdout:\n%s\nstderr:\n%s", what, err, &c.stdout, &c.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// blocker is an HTTP server whose /block requests wait until release
// (or until the client goes away), counting requests by their id query
// parameter; /count counts without blocking.
type blocker struct {
	URL     string
	mu      sync.Mutex
	calls   map[string]int // by path and id: "/block?id=X"
	waiting atomic.Int32
	release chan struct{}
}

func newBlocker(t *testing.T) *blocker {
	t.Helper()
	b := &blocker{calls: map[string]int{}, release: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.calls[r.URL.Path+"?id="+r.URL.Query().Get("id")]++
		b.mu.Unlock()
		if r.URL.Path == "/block" {
			b.waiting.Add(1)
			select {
			case <-b.release:
			case <-r.Context().Done():
			}
			b.waiting.Add(-1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path": %q}`, r.URL.Path)
	}))
	b.URL = srv.URL
	t.Cleanup(func() {
		b.unblock()
		srv.Close()
	})
	return b
}

// unblock lets every waiting and later /block request finish.
func (b *blocker) unblock() {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.release:
	default:
		close(b.release)
	}
}

func (b *blocker) count(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[key]
}

// blockedIDs returns the ids of /block requests seen so far, sorted.
func (b *blocker) blockedIDs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []string
	for k := range b.calls {
		if id, ok := strings.CutPrefix(k, "/block?id="); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// checkpoints reads the state file's one run and the ids of its task
// checkpoints straight from the file, as a second process would; false
// while there is no run yet.
func checkpoints(t *testing.T, ctx context.Context, path string) (store.Run, []string, bool) {
	t.Helper()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.ListRuns(ctx, store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		return store.Run{}, nil, false
	}
	tasks, err := st.Tasks(ctx, runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range tasks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return runs[0], ids, true
}

// testKillRecordedRun kills a recorded run while its second task waits,
// after the first task's checkpoint is stored; the next process marks it
// Interrupted, and runs resume finishes it without running the first
// task again.
func testKillRecordedRun(t *testing.T, bin string) {
	b := newBlocker(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	pb := writeAt(t, filepath.Join(dir, "two-steps.yaml"), `playbook: two-steps
tasks:
  first:
    run: http.request
    with: {method: POST, url: "`+b.URL+`/count", query: {id: first}}
  second:
    needs: [first]
    run: http.request
    with: {url: "`+b.URL+`/block", query: {id: second}, timeout: 0s}
outputs:
  first: ${{ tasks.first.raw_data.path }}
  second: ${{ tasks.second.raw_data.path }}
`)
	c := startCLI(t, bin, "run", pb, "--record", "--state", state, "--progress", "off")
	waitFor(t, c, "the second task's request", func() bool { return b.waiting.Load() == 1 })
	var run store.Run
	waitFor(t, c, "the first task's checkpoint", func() bool {
		r, tasks, ok := checkpoints(t, t.Context(), state)
		run = r
		return ok && slices.Equal(tasks, []string{"first"})
	})
	if run.Status != store.StatusRunning || run.Trigger != "cli" {
		t.Fatalf("run before the kill = %+v, want running, trigger cli", run)
	}
	c.kill(t)

	// The next process to open the state file marks the run Interrupted.
	out, errs, code := cli(t, t.Context(), "runs", "list", "--state", state, "--format", "json")
	if code != exitOK {
		t.Fatalf("runs list: exit %d\n%s", code, errs)
	}
	if want := fmt.Sprintf("run %s was interrupted (its process ended); resume it with: playbook runs resume %s\n", run.ID, run.ID); errs != want {
		t.Errorf("runs list stderr = %q, want %q", errs, want)
	}
	runs := listRuns(t, state)
	if len(runs) != 1 || runs[0].RunID != run.ID || runs[0].Status != store.StatusInterrupted ||
		runs[0].Error != "the process running it ended before it finished" || runs[0].FinishedAt == "" {
		t.Fatalf("runs list after the kill = %+v\n%s", runs, out)
	}

	out, _, _ = cli(t, t.Context(), "runs", "show", run.ID, "--state", state, "--format", "json")
	if shown := decodeJSON(t, out).(map[string]any); shown["status"] != store.StatusInterrupted || shown["error"] == nil {
		t.Errorf("runs show of the interrupted run = %s", out)
	}
	out, _, _ = cli(t, t.Context(), "runs", "show", run.ID, "--state", state)
	if want := "playbook two-steps  run " + run.ID + "  Interrupted  (trigger cli, started "; !strings.HasPrefix(out, want) ||
		!strings.Contains(out, "\nerror: the process running it ended before it finished\n") {
		t.Errorf("runs show of the interrupted run:\n%s\nwant it to start %q and give the error", out, want)
	}

	b.unblock()
	out, errs, code = cli(t, t.Context(), "runs", "resume", run.ID[:8], "--state", state, "--format", "json")
	if code != exitOK {
		t.Fatalf("runs resume: exit %d\n%s%s", code, out, errs)
	}
	rep := decodeJSON(t, out).(map[string]any)
	if rep["run_id"] != run.ID || rep["status"] != "Successful" {
		t.Errorf("resumed report: run %v, status %v; want %s Successful\n%s", rep["run_id"], rep["status"], run.ID, out)
	}
	if outs, _ := rep["outputs"].(map[string]any); outs["first"] != "/count" || outs["second"] != "/block" {
		t.Errorf("resumed outputs = %v, want the first task's checkpointed result and the second's", rep["outputs"])
	}
	if n := b.count("/count?id=first"); n != 1 {
		t.Errorf("the first task ran %d times, want once (resume must use its checkpoint)", n)
	}
	if n := b.count("/block?id=second"); n != 2 {
		t.Errorf("the second task's request came %d times, want 2 (killed, then resumed)", n)
	}
	runs = listRuns(t, state)
	if len(runs) != 1 || runs[0].Status != store.StatusSuccessful || runs[0].Error != "" {
		t.Errorf("runs list after the resume = %+v, want the one run Successful", runs)
	}
	if show, _, _ := cli(t, t.Context(), "runs", "show", run.ID, "--state", state, "--format", "json"); show != out {
		t.Errorf("runs show after the resume differs from the resume's report:\n%s\nwant:\n%s", show, out)
	}
}

// testKillIntake kills an intake whose triggered runs are blocked, then
// runs the intake again: every event is stored once, no event triggers a
// second run, and the killed runs are Interrupted.
func testKillIntake(t *testing.T, bin string) {
	fk, conns := wizFake(t)
	b := newBlocker(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	writeAt(t, filepath.Join(dir, "block.yaml"), `playbook: block
inputs:
  issue_id: {type: string, required: true}
tasks:
  call:
    run: http.request
    with: {url: "`+b.URL+`/block", query: {id: "${{ inputs.issue_id }}"}, timeout: 0s}
`)
	config := writeAt(t, filepath.Join(dir, "serve.yaml"), `intake:
  wiz-issues:
    connection: wiz
    command: wiz.fetch_event
    with: {event_type: Issues}
    every: 24h
    # The restart asks for the whole lookback again: every event comes
    # twice.
    tolerance: 720h
    lookback: 720h
    mapping: wiz.issues
    trigger:
      playbook: block.yaml
      when: event.Severity in ["CRITICAL", "HIGH"]
      inputs: {issue_id: "${{ event.DocumentID }}"}
      concurrency: 2
`)
	c := startCLI(t, bin, "intake", "run", "wiz-issues", "--config", config, "--state", state, "--connections", conns, "--once")
	waitFor(t, c, "two blocked runs", func() bool { return b.waiting.Load() == 2 })
	c.kill(t)
	killed := b.blockedIDs()
	if len(killed) != 2 {
		t.Fatalf("runs that called out before the kill: %q, want 2 (the trigger's concurrency)", killed)
	}

	b.unblock()
	out, errs, code := cli(t, t.Context(), "intake", "run", "wiz-issues", "--config", config, "--state", state,
		"--connections", conns, "--once", "--format", "json")
	if code != exitOK {
		t.Fatalf("intake run after the kill: exit %d\n%s%s", code, out, errs)
	}
	res := decodeJSON(t, out).(map[string]any)
	if n := res["new"].([]any); len(n) != 0 {
		t.Errorf("the restart stored %d events again: %v", len(n), n)
	}

	issues := fk.IssueIDs()
	slices.Sort(issues)
	evs := listEvents(t, state, "wiz-issues")
	var keys []string
	want := map[string]bool{} // events the trigger takes
	for _, ev := range evs {
		keys = append(keys, ev.Key)
		if sev := ev.Fields["Severity"]; sev == "CRITICAL" || sev == "HIGH" {
			want[ev.Key] = true
		}
		if st := map[bool]string{true: "triggered", false: "skipped"}[want[ev.Key]]; ev.State != st {
			t.Errorf("event %s: state %s, want %s", ev.Key, ev.State, st)
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, issues) {
		t.Errorf("stored events %q, want each of the fake's issues once: %q", keys, issues)
	}

	runs := listRuns(t, state, "--trigger", "intake:wiz-issues")
	byRef := runsByRef(runs)
	for key := range want {
		if byRef[key] != 1 {
			t.Errorf("event %s has %d runs, want 1", key, byRef[key])
		}
		if n := b.count("/block?id=" + key); n != 1 {
			t.Errorf("event %s's run called out %d times, want once", key, n)
		}
	}
	if len(runs) != len(want) {
		t.Errorf("%d runs for %d triggered events", len(runs), len(want))
	}
	if n := len(res["triggered"].([]any)); n != len(want)-len(killed) {
		t.Errorf("the restart triggered %d runs, want the %d events the killed process had not started", n, len(want)-len(killed))
	}
	var interrupted []string
	for _, r := range runs {
		switch r.Status {
		case store.StatusInterrupted:
			interrupted = append(interrupted, r.TriggerRef)
			if !strings.Contains(errs, "run "+r.RunID+" was interrupted") {
				t.Errorf("the restart did not report run %s interrupted: %q", r.RunID, errs)
			}
		case store.StatusSuccessful:
		default:
			t.Errorf("run %s for %s: %s", r.RunID, r.TriggerRef, r.Status)
		}
	}
	slices.Sort(interrupted)
	if !slices.Equal(interrupted, killed) {
		t.Errorf("interrupted runs are for %q, want the killed ones for %q", interrupted, killed)
	}
}
