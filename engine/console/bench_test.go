package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/console"
	"github.com/playbook-sh/playbook/engine/store"
)

// BenchmarkAPIRunsFirstPage serves the runs table's first page (50 runs,
// newest first) over HTTP from a store of 10,000 finished runs with 2 KB
// reports: unfiltered, by status, and by a Key Field value about 60 runs
// have.
func BenchmarkAPIRunsFirstPage(b *testing.B) {
	f := newFixture(b)
	const hosts = 500
	pad := strings.Repeat("x", 1900)
	for i := range 10_000 {
		id := fmt.Sprintf("run-%05d", i)
		at := t0.Add(time.Duration(i) * time.Second)
		status := "Successful"
		if i%7 == 0 {
			status = "Failed"
		}
		if err := f.st.CreateRun(b.Context(), store.Run{ID: id, Playbook: "contain", File: "contain.yaml", Trigger: "cli",
			Inputs: json.RawMessage(fmt.Sprintf(`{"incident_id":"INC-%d"}`, i)), StartedAt: at}); err != nil {
			b.Fatal(err)
		}
		rep := fmt.Sprintf(`{"status":%q,"tasks":{"isolate":{"status":"succeeded","key_fields":{"EndpointIDs":["e-%d","e-%d","e-%d"]},"raw_data":{"pad":%q}}}}`,
			status, i%hosts, (i+1)%hosts, (i+2)%hosts, pad)
		if err := f.st.FinishRun(b.Context(), id, status, at.Add(time.Second), json.RawMessage(rep), ""); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct{ name, query string }{
		{"all", ""},
		{"status", "?status=Failed"},
		{"key", "?key=EndpointIDs:e-17"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/api/runs"+bc.query, nil)
			req.Header.Set("Authorization", "Bearer "+viewerToken)
			h := f.con.Handler()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"next_cursor":"`) {
					b.Fatalf("GET /api/runs%s = %d %.200s", bc.query, w.Code, w.Body.String())
				}
			}
		})
	}
}

// BenchmarkBrowserGraph1000 loads the run page of a 1,000-task run in
// headless Chromium and waits for every node: page load, fetch, dagre
// layout and SVG rendering. It reports the page's own layout and render
// times.
func BenchmarkBrowserGraph1000(b *testing.B) {
	f := newFixture(b)
	big := bigPlaybook(b, 1000)
	f.setPlaybook(big)
	f.recordBig(b, big, "big-run")
	ctx := browser(b)
	if err := chromedp.Do(ctx, loginSteps(f.srv.URL, "ann", viewerPassword)...); err != nil {
		b.Fatal(err)
	}
	var layout, render float64
	for b.Loop() {
		// A fresh page each time: no layout cached from the last.
		err := chromedp.Do(ctx,
			chromedp.Navigate("about:blank"),
			chromedp.Navigate(f.srv.URL+"/#/runs/big-run"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="run-graph"][data-render-ms]`)))
		if err != nil {
			b.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="node"]').length`))
		if err != nil || n != 1000 {
			b.Fatalf("%d nodes drawn, want 1000 (%v)", n, err)
		}
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const s = document.querySelector('[data-testid="run-graph"]'); return [+s.dataset.layoutMs || 0, +s.dataset.renderMs || 0]; })()`))
		if err != nil {
			b.Fatal(err)
		}
		layout, render = ms[0], ms[1]
	}
	b.ReportMetric(layout, "layout-ms")
	b.ReportMetric(render, "render-ms")
}

// bigPlaybook writes and compiles a playbook of n tasks in layers of 25,
// each task needing two of the layer before.
func bigPlaybook(b testing.TB, n int) *engine.Compiled {
	b.Helper()
	var src strings.Builder
	src.WriteString("playbook: big\ntasks:\n")
	const width = 25
	for i := range n {
		fmt.Fprintf(&src, "  t%04d:\n    run: core.set\n    with: {value: %d}\n", i, i)
		if i >= width {
			fmt.Fprintf(&src, "    needs: [t%04d, t%04d]\n", i-width, (i-width+1)%width+(i/width-1)*width)
		}
	}
	path := filepath.Join(b.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	c, err := engine.Load(path, registry())
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func (f *fixture) setPlaybook(c *engine.Compiled) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.extra = &console.Playbook{Name: c.Playbook.Name, File: c.Playbook.File, Compiled: c}
}

// recordBig stores a finished run of c in which every task succeeded.
func (f *fixture) recordBig(b testing.TB, c *engine.Compiled, id string) {
	b.Helper()
	tasks := map[string]any{}
	for _, t := range c.Playbook.Tasks {
		tasks[t.ID] = map[string]any{"status": "succeeded", "return_data": "Successful", "attempts": 1,
			"started_at": t0, "finished_at": t0.Add(time.Second)}
	}
	rep, _ := json.Marshal(map[string]any{"playbook": c.Playbook.Name, "run_id": id, "status": "Successful", "tasks": tasks})
	if err := f.st.CreateRun(b.Context(), store.Run{ID: id, Playbook: c.Playbook.Name, File: c.Playbook.File, Trigger: "cli", StartedAt: t0}); err != nil {
		b.Fatal(err)
	}
	if err := f.st.FinishRun(b.Context(), id, "Successful", t0.Add(time.Minute), rep, ""); err != nil {
		b.Fatal(err)
	}
}
