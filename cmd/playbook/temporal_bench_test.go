package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/temporal"
)

// baselineSequence is the core of Temporal's DSL sample (samples-go/dsl):
// a workflow that executes activities one after another, each taking the
// previous result, with nothing else around them. It calls the same HTTP
// endpoint as the playbook's tasks, so the difference per task is what
// playbook adds on Temporal.
func baselineSequence(ctx workflow.Context, url string, n int) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	prev := ""
	for range n {
		if err := workflow.ExecuteActivity(ctx, "baseline.get", url, prev).Get(ctx, &prev); err != nil {
			return "", err
		}
	}
	return prev, nil
}

func baselineGet(ctx context.Context, url, prev string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"?prev="+prev, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return fmt.Sprint(resp.StatusCode), nil
}

// BenchmarkTemporal runs the engine benchmark's shapes on a Temporal dev
// server, with a worker in this process: a chain of 10 HTTP calls, 10 in
// parallel with a join, a for_each over 10 items, a chain of 10 core.set
// (local activities), and the DSL sample's sequence of 10 activities for
// comparison. It reports milliseconds per task.
func BenchmarkTemporal(b *testing.B) {
	addr := devServer(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok": true}`)
	}))
	defer srv.Close()
	tc, err := temporal.Dial(b.Context(), addr, "", hclog.NewNullLogger(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tc.Close()
	w := worker.New(tc, "bench", worker.Options{})
	(&temporal.Worker{Registry: registry()}).Register(w)
	w.RegisterWorkflowWithOptions(baselineSequence, workflow.RegisterOptions{Name: "baseline.sequence"})
	w.RegisterActivityWithOptions(baselineGet, activity.RegisterOptions{Name: "baseline.get"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()

	const n = 10
	var chain, fan, set strings.Builder
	for i := range n {
		fmt.Fprintf(&chain, "  t%d:\n    run: http.request\n    with: {url: %q, query: {prev: \"${{ tasks.t%d.key_fields.StatusCodes }}\"}}\n", i, srv.URL, max(i-1, 0))
		if i > 0 {
			fmt.Fprintf(&chain, "    needs: [t%d]\n", i-1)
			fmt.Fprintf(&set, "  t%d:\n    run: core.set\n    needs: [t%d]\n    with: {value: \"${{ tasks.t%d.raw_data + 1 }}\"}\n", i, i-1, i-1)
		} else {
			fmt.Fprintf(&set, "  t0:\n    run: core.set\n    with: {value: 1}\n")
		}
		fmt.Fprintf(&fan, "  f%d:\n    run: http.request\n    with: {url: %q}\n", i, srv.URL)
	}
	// The chain's first task reads its own Key Fields: give it a literal.
	chainSrc := strings.Replace(chain.String(), `"${{ tasks.t0.key_fields.StatusCodes }}"`, `start`, 1)
	needs := make([]string, n)
	for i := range needs {
		needs[i] = fmt.Sprintf("f%d", i)
	}
	fanSrc := fan.String() + "  join:\n    needs: [" + strings.Join(needs, ", ") + "]\n    run: core.set\n"
	items := strings.TrimSuffix(strings.Repeat(`"x", `, n), ", ")
	playbooks := []struct{ name, src string }{
		{"chain10", "playbook: chain10\ntasks:\n" + chainSrc},
		{"fanout10", "playbook: fanout10\ntasks:\n" + fanSrc},
		{"foreach10", fmt.Sprintf("playbook: foreach10\ntasks:\n  each:\n    for_each: [%s]\n    concurrency: %d\n    run: http.request\n    with: {url: %q}\n", items, n, srv.URL)},
		{"set-chain10", "playbook: setchain10\ntasks:\n" + set.String()},
	}
	dir := b.TempDir()
	for _, p := range playbooks {
		path := filepath.Join(dir, p.name+".yaml")
		if err := os.WriteFile(path, []byte(p.src), 0o644); err != nil {
			b.Fatal(err)
		}
		c, err := engine.Load(path, registry())
		if err != nil {
			b.Fatalf("%s: %v", p.name, err)
		}
		in, err := temporal.NewRunInput(c, map[string]any{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("playbook/"+p.name, func(b *testing.B) {
			for b.Loop() {
				run, err := temporal.Start(b.Context(), tc, "bench", "bench-"+engine.NewRunID(), in)
				if err != nil {
					b.Fatal(err)
				}
				rep, err := temporal.Wait(b.Context(), tc, run, nil)
				if err != nil || rep.Status != engine.RunSuccessful {
					b.Fatalf("%v %+v", err, rep)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/n, "ms/task")
		})
	}
	b.Run("dsl-sample/sequence10", func(b *testing.B) {
		for b.Loop() {
			run, err := tc.ExecuteWorkflow(b.Context(), client.StartWorkflowOptions{TaskQueue: "bench"}, "baseline.sequence", srv.URL, n)
			if err != nil {
				b.Fatal(err)
			}
			var out string
			if err := run.Get(b.Context(), &out); err != nil || out != "200" {
				b.Fatalf("%v %q", err, out)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/n, "ms/task")
	})
}
