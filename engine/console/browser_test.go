package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/store"
)

// chromium finds the browser the browser tests drive: $CHROMIUM, else
// chromium on the PATH. Without one the tests skip, except under CI
// (CI=true), where .ci/run has installed Debian's chromium and a missing
// browser is a failure.
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on the PATH: .ci/run installs Debian's chromium package")
	}
	t.Skip("no chromium on the PATH (apt-get install chromium); CI runs these tests")
	return ""
}

// browser starts a headless Chromium for one test, with the flags that
// keep it off the network.
func browser(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshot saves the page as NAME.png in $PLAYBOOK_ARTIFACTS/screenshots
// (CI keeps them), and in docs/screenshots with UPDATE_SCREENSHOTS=1.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var dirs []string
	if d := os.Getenv("PLAYBOOK_ARTIFACTS"); d != "" {
		dirs = append(dirs, filepath.Join(d, "screenshots"))
	}
	if os.Getenv("UPDATE_SCREENSHOTS") != "" {
		dirs = append(dirs, "../../docs/screenshots")
	}
	if len(dirs) == 0 {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// do runs actions, failing the test with what it was doing.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action and returns its value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func loginAs(t *testing.T, ctx context.Context, base, user, pass string) {
	t.Helper()
	do(t, ctx, "log in as "+user, loginSteps(base, user, pass)...)
}

// loginSteps log in through the login form and wait for the runs table.
func loginSteps(base, user, pass string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/#/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-user"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-user"]`), user),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-password"]`), pass),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="runs-table"]`)),
	}
}

// count is how many elements match sel.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return get(t, ctx, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}

// waitCount waits until exactly n elements match sel.
func waitCount(t *testing.T, ctx context.Context, sel string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for count(t, ctx, sel) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d elements match %s, want %d", count(t, ctx, sel), sel, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBrowserRunsAndRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := browser(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17", "e-18")
	f.record("run-b", t0.Add(time.Hour), "Successful", "INC-2", "e-18")
	f.record("run-c", t0.Add(2*time.Hour), "Failed", "INC-9", "e-17")
	base := f.srv.URL

	// Unauthenticated, the pages send the browser to the login form.
	do(t, ctx, "open the console", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-user"]`)))
	screenshot(t, ctx, "login")
	loginAs(t, ctx, base, "ann", viewerPassword)
	waitCount(t, ctx, `[data-testid="run-row"]`, 3)
	screenshot(t, ctx, "runs")

	// The runs table filters by a Key Field.
	do(t, ctx, "filter by a Key Field",
		chromedp.SendKeys(chromedp.CSS(`[data-testid="filter-key"]`), "EndpointIDs=e-17"),
		chromedp.Click(chromedp.CSS(`[data-testid="filter-apply"]`)))
	waitCount(t, ctx, `[data-testid="run-row"]`, 2)
	for _, id := range []string{"run-c", "run-a"} {
		if count(t, ctx, `[data-testid="run-row"][data-run-id="`+id+`"]`) != 1 {
			t.Errorf("the filtered table lacks %s", id)
		}
	}
	loc := get(t, ctx, "read the location", chromedp.Location())
	if !strings.Contains(loc, "EndpointIDs") {
		t.Errorf("the filter is not in the URL: %s", loc)
	}

	// A failed run: its failed task is marked and shows its error; a
	// skipped task shows its reason. A viewer cannot run it again.
	do(t, ctx, "open run-a", chromedp.Navigate(base+"/#/runs/run-a"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="run-graph"] [data-task="isolate"]`)))
	status := get(t, ctx, "the failed task's status", chromedp.AttributeValue(chromedp.CSS(`[data-task="isolate"]`), "data-status")).Value
	do(t, ctx, "open the failed task",
		chromedp.Click(chromedp.CSS(`[data-task="isolate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="task-panel"] [data-testid="task-error"]`)))
	errText := get(t, ctx, "the failed task's error", chromedp.Text(chromedp.CSS(`[data-testid="task-error"]`)))
	if status != "failed" || !strings.Contains(errText, "endpoint offline") {
		t.Errorf("isolate: status %q, error %q", status, errText)
	}
	// The timeline draws each call of the task: two failed calls with the
	// backoff between them, and the panel lists them.
	waitCount(t, ctx, `[data-timeline-task="isolate"] [data-testid="timeline-attempt"][data-return-data="Failed"]`, 2)
	lefts := get(t, ctx, "the calls' positions", chromedp.Evaluate[[]float64](`[...document.querySelectorAll('[data-timeline-task="isolate"] [data-testid="timeline-attempt"]')].map((e) => parseFloat(e.style.left))`))
	// The run spans 3 s from t0: calls start at 0.4 s and 2.2 s.
	if len(lefts) != 2 || math.Abs(lefts[0]-400.0/30) > 0.01 || math.Abs(lefts[1]-2200.0/30) > 0.01 {
		t.Errorf("isolate's calls start at %v%%, want [13.33 73.33]", lefts)
	}
	calls := get(t, ctx, "the task's calls", chromedp.Text(chromedp.CSS(`[data-testid="task-attempt-log"]`)))
	if strings.Count(calls, "503 endpoint offline") != 2 || !strings.Contains(calls, "+1.80s") {
		t.Errorf("the calls table reads %q, want two 503s, the second 1.80s after the task started", calls)
	}
	screenshot(t, ctx, "run-failed")
	status = get(t, ctx, "the skipped task's status", chromedp.AttributeValue(chromedp.CSS(`[data-task="notify"]`), "data-status")).Value
	do(t, ctx, "open the skipped task",
		chromedp.Click(chromedp.CSS(`[data-task="notify"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="task-reason"]`)))
	reason := get(t, ctx, "the skipped task's reason", chromedp.Text(chromedp.CSS(`[data-testid="task-reason"]`)))
	if status != "skipped" || !strings.Contains(reason, "need isolate failed") {
		t.Errorf("notify: status %q, reason %q", status, reason)
	}
	if n := count(t, ctx, `[data-testid="rerun"]`); n != 0 {
		t.Errorf("a viewer sees %d rerun buttons", n)
	}

	// The live view moves a running task to succeeded.
	abs, _ := filepath.Abs("testdata/contain.yaml")
	if err := f.st.CreateRun(t.Context(), store.Run{ID: "live-1", Playbook: "contain", File: abs, Trigger: "cli", StartedAt: t0.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.con.RunStarted("live-1")
	f.con.TaskEvent("live-1", engine.Event{Kind: engine.TaskStarted, Task: "hosts"})
	do(t, ctx, "open the running run", chromedp.Navigate(base+"/#/runs/live-1"),
		chromedp.WaitVisible(chromedp.CSS(`[data-task="hosts"][data-status="running"]`)))
	screenshot(t, ctx, "run-live")
	report, _ := json.Marshal(map[string]any{"status": "succeeded", "return_data": "Successful", "attempts": 1,
		"key_fields": map[string]any{"EndpointIDs": []string{"e-17"}}})
	if err := f.st.SaveTask(t.Context(), "live-1", "hosts", report); err != nil {
		t.Fatal(err)
	}
	f.con.TaskEvent("live-1", engine.Event{Kind: engine.TaskFinished, Task: "hosts", Status: "succeeded"})
	do(t, ctx, "see the task succeed", chromedp.WaitVisible(chromedp.CSS(`[data-task="hosts"][data-status="succeeded"]`)))

	// The other pages render.
	for _, p := range []struct{ route, sel, shot string }{
		{"#/playbooks", `[data-testid="playbook-card"]`, "playbooks"},
		{"#/events", `[data-testid="events-table"]`, "events"},
		{"#/connections", `[data-testid="connections-table"]`, "connections"},
	} {
		do(t, ctx, "open "+p.route, chromedp.Navigate(base+"/"+p.route), chromedp.WaitVisible(chromedp.CSS(p.sel)))
		screenshot(t, ctx, p.shot)
	}
}

func TestBrowserRunnerMayRunAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := browser(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17")
	loginAs(t, ctx, f.srv.URL, "rob", runnerPassword)
	do(t, ctx, "run again",
		chromedp.Navigate(f.srv.URL+"/#/runs/run-a"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="rerun"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="rerun"]`)))
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		n := len(f.reruns)
		f.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reruns = %d, want 1", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if f.reruns[0] != "run-a by rob" {
		t.Errorf("rerun = %q", f.reruns[0])
	}
}
