package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/core"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/store"
)

// daemonClock is a clock that moves only on Advance; any number of
// goroutines may sleep on it.
type daemonClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []daemonWaiter
}

type daemonWaiter struct {
	at time.Time
	ch chan struct{}
}

func (c *daemonClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *daemonClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	w := daemonWaiter{at: c.now.Add(d), ch: make(chan struct{})}
	c.waiters = append(c.waiters, w)
	c.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sleeping is how many goroutines sleep on the clock.
func (c *daemonClock) sleeping() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

func (c *daemonClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			keep = append(keep, w)
		} else {
			close(w.ch)
		}
	}
	c.waiters = keep
}

// daemonFetch is a fetch command over a list of issues that tests add to.
type daemonFetch struct {
	mu     sync.Mutex
	issues []map[string]any
	calls  atomic.Int32
}

func (f *daemonFetch) Spec() actions.Spec {
	return actions.Spec{Name: "demo.fetch", Title: "Fetch", Connection: "demo",
		Inputs: []actions.Input{{Name: "start_time", Type: actions.Time}, {Name: "end_time", Type: actions.Time}},
		Intake: &actions.Intake{Start: "start_time", End: "end_time", MinEvery: time.Hour, Mappings: []string{"demo.issues"}}}
}

func (f *daemonFetch) Run(_ context.Context, r actions.Request) actions.Envelope {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	nodes := []any{}
	for _, is := range f.issues {
		nodes = append(nodes, is)
	}
	return actions.Succeed(map[string]any{"data": map[string]any{"nodes": nodes}}, nil)
}

// daemonHealth is demo.test_connection, failing while fail is set.
type daemonHealth struct{ fail atomic.Bool }

func (h *daemonHealth) Spec() actions.Spec {
	return actions.Spec{Name: "demo.test_connection", Title: "Test Connection", Connection: "demo"}
}

func (h *daemonHealth) Run(context.Context, actions.Request) actions.Envelope {
	if h.fail.Load() {
		return actions.Fail("Test Connection failed.", 401, "Unauthorized.", nil)
	}
	return actions.Succeed(map[string]any{"ok": true}, nil)
}

type daemonEnv struct {
	dir    string
	clock  *daemonClock
	fetch  *daemonFetch
	health *daemonHealth
	st     *store.Store
	d      *serve.Daemon
	url    string
	logMu  sync.Mutex
	logs   *bytes.Buffer
	hooks  chan map[string]any
	cancel context.CancelFunc
	done   chan error
}

const (
	daemonToken     = "s3cr3t-webhook-token-0123"
	consolePassword = "s3cr3t-console-password-4567"
	consoleToken    = "s3cr3t-console-token-89abcdef"
)

// startDaemon runs a daemon over serve.yaml src (with the playbooks in
// files) on a fake clock starting at 2026-01-01T00:00:00Z.
func startDaemon(t *testing.T, src string, files map[string]string) *daemonEnv {
	t.Helper()
	return startDaemonWith(t, src, files, nil, nil)
}

// startDaemonWith is startDaemon with the Recorder's Backend set, over
// the given state store (nil: a new one).
func startDaemonWith(t *testing.T, src string, files map[string]string, b serve.Backend, st *store.Store) *daemonEnv {
	t.Helper()
	e := &daemonEnv{dir: t.TempDir(), clock: &daemonClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		fetch: &daemonFetch{}, health: &daemonHealth{}, logs: &bytes.Buffer{}, hooks: make(chan map[string]any, 10)}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(e.dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reg := actions.NewRegistry()
	core.Register(reg)
	reg.RegisterIntegration(actions.Integration{Name: "demo", Title: "Demo", Mappings: []actions.Mapping{{
		Name: "demo.issues", MainPath: "$.data.nodes", UniqueKey: ".id",
		Fields: []actions.MappedField{{Name: "Document ID", Path: ".id"}, {Name: "Severity", Path: ".severity"}}}}})
	reg.Register(e.fetch, e.health)
	path := filepath.Join(e.dir, "serve.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := serve.Load(path, reg)
	if err != nil {
		t.Fatal(err)
	}
	if e.st = st; st == nil {
		if e.st, err = store.Open(context.Background(), filepath.Join(e.dir, "state.db")); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.st.Close() })
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		e.hooks <- m
	}))
	t.Cleanup(hook.Close)
	log := hclog.New(&hclog.LoggerOptions{Output: lockedWriter{&e.logMu, e.logs}, Level: hclog.Debug})
	conn := &actions.Connection{Name: "demo", Integration: "demo"}
	rec := &serve.Recorder{Store: e.st, Registry: reg, Logger: log,
		Connections: func(*engine.Compiled) (map[string]*actions.Connection, error) {
			return map[string]*actions.Connection{"demo": conn}, nil
		}, Backend: b}
	srv := &serve.Server{Config: cfg, Store: e.st, Recorder: rec, Logger: log,
		Connection: func(string, string) (*actions.Connection, error) { return conn, nil }}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.url = "http://" + ln.Addr().String()
	e.d = &serve.Daemon{Server: srv, Clock: e.clock, Listener: ln, Drain: 2 * time.Second, FollowEvery: time.Minute,
		HealthNames: []string{"demo"},
		HealthCheck: func(ctx context.Context, name string) error {
			env := e.health.Run(ctx, actions.Request{})
			if env.ReturnData != actions.Successful {
				return fmt.Errorf("%s (%d) %s", env.Error.FailureIndicator, env.Error.StatusCode, env.Error.Message)
			}
			return nil
		},
		Secret: func(ref string) (string, error) {
			switch ref {
			case "env:HOOK_TOKEN":
				return daemonToken, nil
			case "env:SOC_URL":
				return hook.URL, nil
			case "env:ANN_PASSWORD":
				return consolePassword, nil
			case "env:ROB_TOKEN":
				return consoleToken, nil
			}
			return "", fmt.Errorf("%s is not set", ref)
		}}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	go func() { e.done <- e.d.Run(ctx) }()
	t.Cleanup(func() { e.stop(t) })
	e.waitFor(t, "the HTTP endpoint", func() bool {
		resp, err := http.Get(e.url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	return e
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (e *daemonEnv) stop(t *testing.T) {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.cancel = nil
	select {
	case err := <-e.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the daemon did not stop")
	}
}

// waitFor polls cond (real time, bounded).
func (e *daemonEnv) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// post delivers body to webhook name with the bearer token and, unless
// empty, an Idempotency-Key; it returns the status and the JSON reply.
func (e *daemonEnv) post(t *testing.T, name, token, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/webhooks/"+name, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (e *daemonEnv) runs(t *testing.T, f store.RunFilter) []store.Run {
	t.Helper()
	f.Limit = 1000
	rs, err := e.st.ListRuns(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

const daemonPlaybook = `playbook: note
inputs:
  id: {type: string, default: none}
tasks:
  note: {run: core.set, with: {value: "${{ inputs.id }}"}}
`

func TestDaemonSchedulesOnTheClock(t *testing.T) {
	e := startDaemon(t, "schedules:\n  hourly:\n    playbook: note.yaml\n    every: 1h\n    inputs: {id: sched}\n",
		map[string]string{"note.yaml": daemonPlaybook})
	for i := 1; i <= 3; i++ {
		e.waitFor(t, "the scheduler to sleep", func() bool { return e.clock.sleeping() == 1 })
		e.clock.Advance(time.Hour)
		e.waitFor(t, fmt.Sprintf("%d scheduled runs", i), func() bool {
			rs := e.runs(t, store.RunFilter{Trigger: "schedule:hourly", Status: "Successful"})
			return len(rs) == i
		})
	}
	rs := e.runs(t, store.RunFilter{})
	if len(rs) != 3 || rs[0].TriggerRef != "2026-01-01T03:00:00Z" || string(rs[0].Inputs) != `{"id":"sched"}` {
		t.Errorf("runs = %+v", rs)
	}
	st, ok, err := e.st.ScheduleState(context.Background(), "hourly")
	if err != nil || !ok || !st.LastFire.Equal(time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("cursor = %+v %v %v", st, ok, err)
	}
}

func TestDaemonIntakeEveryInterval(t *testing.T) {
	src := `intake:
  issues:
    connection: demo
    command: demo.fetch
    every: 2h
    mapping: demo.issues
    trigger:
      playbook: note.yaml
      when: event.Severity == "HIGH"
      inputs: {id: "${{ event.DocumentID }}"}
`
	e := startDaemon(t, src, map[string]string{"note.yaml": daemonPlaybook})
	// Started with no mark: the first fetch is at once.
	e.waitFor(t, "the first fetch", func() bool { return e.fetch.calls.Load() == 1 })
	e.fetch.mu.Lock()
	e.fetch.issues = append(e.fetch.issues, map[string]any{"id": "i-1", "severity": "HIGH"}, map[string]any{"id": "i-2", "severity": "LOW"})
	e.fetch.mu.Unlock()
	// Not before every has passed since the mark.
	e.waitFor(t, "the intake loop to sleep", func() bool { return e.clock.sleeping() == 1 })
	e.clock.Advance(time.Hour)
	time.Sleep(20 * time.Millisecond)
	if n := e.fetch.calls.Load(); n != 1 {
		t.Fatalf("fetched %d times after 1h of a 2h interval", n)
	}
	e.waitFor(t, "the intake loop to sleep", func() bool { return e.clock.sleeping() == 1 })
	e.clock.Advance(time.Hour)
	e.waitFor(t, "the triggered run", func() bool {
		return len(e.runs(t, store.RunFilter{Trigger: "intake:issues", Status: "Successful"})) == 1
	})
	rs := e.runs(t, store.RunFilter{})
	if rs[0].TriggerRef != "i-1" || string(rs[0].Inputs) != `{"id":"i-1"}` {
		t.Errorf("run = %+v", rs[0])
	}
	// The same issues again: stored before, nothing new runs.
	e.waitFor(t, "the intake loop to sleep", func() bool { return e.clock.sleeping() == 1 })
	e.clock.Advance(2 * time.Hour)
	e.waitFor(t, "the third fetch", func() bool { return e.fetch.calls.Load() == 3 })
	e.stop(t)
	if n := len(e.runs(t, store.RunFilter{})); n != 1 {
		t.Errorf("%d runs, want 1", n)
	}
	evs, _ := e.st.ListEvents(context.Background(), store.EventFilter{Source: "issues"})
	if len(evs) != 2 {
		t.Errorf("%d events stored, want 2", len(evs))
	}
}

func TestDaemonWebhook(t *testing.T) {
	src := "webhooks:\n  note: {playbook: note.yaml, token: env:HOOK_TOKEN, inputs: {host: \"${{ event.host }}\"}}\n"
	e := startDaemon(t, src, map[string]string{"note.yaml": "playbook: note\ninputs:\n  host: {type: string, required: true}\n" +
		"tasks:\n  note: {run: core.set, with: {value: \"${{ event.alert }}\"}}\n"})
	post := func(name, token, body string) (int, map[string]any) { return e.post(t, name, token, "", body) }
	for _, tc := range []struct {
		name, hook, token, body string
		code                    int
	}{
		{"no token", "note", "", `{}`, 401},
		{"wrong token", "note", "nope", `{}`, 401},
		{"unknown webhook", "other", daemonToken, `{}`, 401},
		{"not JSON", "note", daemonToken, `{"alert":`, 400},
		{"too large", "note", daemonToken, `{"alert":"` + strings.Repeat("x", 1<<20) + `"}`, 413},
		{"input of the wrong type", "note", daemonToken, `{"host": 7}`, 422},
	} {
		if code, m := post(tc.hook, tc.token, tc.body); code != tc.code {
			t.Errorf("%s: %d %v, want %d", tc.name, code, m, tc.code)
		}
	}
	code, m := post("note", daemonToken, `{"alert": "${{ run.id }} from the attacker", "host": "ws-1"}`)
	if code != http.StatusAccepted {
		t.Fatalf("accepted: %d %v", code, m)
	}
	id, _ := m["run_id"].(string)
	e.waitFor(t, "the webhook run", func() bool {
		r, err := e.st.GetRun(context.Background(), id)
		return err == nil && r.Status == "Successful"
	})
	r, _ := e.st.GetRun(context.Background(), id)
	if r.Trigger != "webhook:note" || string(r.Inputs) != `{"host":"ws-1"}` ||
		!strings.Contains(string(r.Report), `"raw_data": "${{ run.id }} from the attacker"`) {
		t.Errorf("run = %s %s", r.Trigger, r.Report)
	}
	e.logMu.Lock()
	logs := e.logs.String()
	e.logMu.Unlock()
	if strings.Contains(logs, daemonToken) {
		t.Error("the webhook token is in the logs")
	}
	// The run's metrics are counted just after its record is finished:
	// wait for them rather than race.
	wants := []string{`playbook_webhook_requests_total{code="202",webhook="note"} 1`,
		`playbook_webhook_requests_total{code="401",webhook="note"} 2`,
		`playbook_runs_total{playbook="note",status="Successful",trigger="webhook"} 1`,
		`playbook_task_duration_seconds_count{playbook="note",status="succeeded",task="note"} 1`}
	var body []byte
	missing := func() []string {
		resp, err := http.Get(e.url + "/metrics")
		if err != nil {
			return []string{err.Error()}
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		var out []string
		for _, w := range wants {
			if !strings.Contains(string(body), w) {
				out = append(out, w)
			}
		}
		return out
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(missing()) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, m := range missing() {
		t.Errorf("metrics lack %s", m)
	}
}

func TestDaemonHealthChecksNotifyOnce(t *testing.T) {
	e := startDaemon(t, "health_checks: {every: 15m, notify_after: 2, webhook: env:SOC_URL}\n", nil)
	e.health.fail.Store(true)
	// The first check ran at start, passing.
	e.waitFor(t, "the first check", func() bool { hs, _ := e.st.Health(context.Background()); return len(hs) == 1 })
	for range 3 {
		e.waitFor(t, "the health loop to sleep", func() bool { return e.clock.sleeping() == 1 })
		e.clock.Advance(15 * time.Minute)
	}
	select {
	case m := <-e.hooks:
		if m["connection"] != "demo" || m["status"] != "failing" || m["consecutive_failures"] != float64(2) {
			t.Errorf("notification = %v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after 2 failures")
	}
	e.waitFor(t, "3 failures recorded", func() bool {
		hs, _ := e.st.Health(context.Background())
		return len(hs) == 1 && hs[0].Failures == 3
	})
	select {
	case m := <-e.hooks:
		t.Fatalf("a second notification while still failing: %v", m)
	default:
	}
	e.health.fail.Store(false)
	e.waitFor(t, "the health loop to sleep", func() bool { return e.clock.sleeping() == 1 })
	e.clock.Advance(15 * time.Minute)
	select {
	case m := <-e.hooks:
		if m["status"] != "recovered" {
			t.Errorf("recovery = %v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no recovery notification")
	}
	e.waitFor(t, "the recovery recorded", func() bool {
		hs, _ := e.st.Health(context.Background())
		return hs[0].OK && hs[0].Failures == 0 && hs[0].LastError == "" && !hs[0].Notified &&
			hs[0].LastOK.Equal(time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC))
	})
}

func TestDaemonDrainsThenCancels(t *testing.T) {
	src := "webhooks:\n  slow: {playbook: slow.yaml, token: env:HOOK_TOKEN}\n"
	e := startDaemon(t, src, map[string]string{"slow.yaml": "playbook: slow\ntasks:\n  first: {run: core.set, with: {value: 1}}\n  wait: {run: core.sleep, needs: [first], with: {duration: 1h}}\n"})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/webhooks/slow", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+daemonToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	e.waitFor(t, "the run to start", func() bool {
		tasks, _ := e.st.Tasks(context.Background(), m["run_id"])
		return len(tasks) == 1
	})
	start := time.Now()
	e.stop(t) // SIGTERM: waits the 2s drain bound, then cancels the run
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("stopped after %v, before the drain bound", waited)
	}
	r, err := e.st.GetRun(context.Background(), m["run_id"])
	if err != nil || r.Status != "Cancelled" {
		t.Fatalf("run after drain = %+v %v", r.Status, err)
	}
	tasks, _ := e.st.Tasks(context.Background(), r.ID)
	if _, ok := tasks["first"]; !ok || len(tasks) != 1 {
		t.Errorf("checkpoints = %v, want first only", tasks)
	}
}
