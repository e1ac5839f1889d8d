package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/temporal"
)

// temporalCLI finds the temporal CLI: $TEMPORAL_CLI, temporal on the PATH,
// or the one `go install` put in $(go env GOPATH)/bin. Without it the
// Temporal tests skip, except under CI (CI=true), where .ci/run has
// installed it and a missing CLI is a failure.
func temporalCLI(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("TEMPORAL_CLI")}
	if p, err := exec.LookPath("temporal"); err == nil {
		candidates = append(candidates, p)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		candidates = append(candidates, filepath.Join(strings.TrimSpace(string(out)), "bin", "temporal"))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no temporal CLI (.ci/run installs it: go install github.com/temporalio/cli/cmd/temporal@v1.5.1)")
	}
	t.Skip("no temporal CLI; go install github.com/temporalio/cli/cmd/temporal@v1.5.1 to run the Temporal tests")
	return ""
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// devServer starts `temporal server start-dev` on loopback, in memory,
// and returns its frontend's address once it answers a health check.
func devServer(t *testing.T) string {
	t.Helper()
	bin := temporalCLI(t)
	port := freePort(t)
	c := startCLI(t, bin, "server", "start-dev", "--ip", "127.0.0.1", "--port", port, "--headless",
		"--http-port", freePort(t), "--metrics-port", freePort(t), "--log-level", "error")
	addr := "127.0.0.1:" + port
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		tc, err := temporal.Dial(ctx, addr, "", hclog.NewNullLogger())
		if err == nil {
			_, err = tc.CheckHealth(ctx, nil)
			tc.Close()
		}
		cancel()
		if err == nil {
			return addr
		}
		if _, done := c.exited(); done || time.Now().After(deadline) {
			c.kill(t)
			t.Fatalf("the Temporal dev server did not come up: %v\n%s%s", err, &c.stdout, &c.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestTemporal runs against a real Temporal dev server: every example
// playbook through `run --temporal` gives the report its in-process run
// gives (the same golden file), and a worker killed with SIGKILL in the
// middle of a run is replaced without any finished call running again.
func TestTemporal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	t.Parallel()
	addr := devServer(t)
	bin := buildCLI(t)
	t.Run("examples", func(t *testing.T) {
		t.Parallel()
		worker := startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", "examples", "--sandbox", "--log-level", "error")
		examples, _ := filepath.Glob("../../playbooks/*.yaml")
		n := 0
		for _, f := range examples {
			if strings.HasSuffix(f, ".test.yaml") || isServeFile(f) {
				continue
			}
			n++
			t.Run(filepath.Base(f), func(t *testing.T) {
				t.Parallel()
				args := append([]string{"run", f, "--temporal", addr, "--task-queue", "examples", "--format", "json", "--progress", "off"}, exampleArgs(f)...)
				out, errs, code := cli(t, t.Context(), args...)
				if code != exitOK && code != exitPartial {
					t.Fatalf("run --temporal exit %d:\n%s%s\nworker:\n%s", code, out, errs, &worker.stderr)
				}
				want, err := os.ReadFile(filepath.Join("testdata", "examples", strings.TrimSuffix(filepath.Base(f), ".yaml")+".golden.json"))
				if err != nil {
					t.Fatal(err)
				}
				if got := normalizeReport(t, out); string(got) != string(want) {
					t.Errorf("the report through Temporal differs from the in-process golden file (-in process +Temporal):\n%s", cmp.Diff(string(want), string(got)))
				}
			})
		}
		if n < 3 {
			t.Fatalf("found %d examples", n)
		}
	})
	t.Run("a killed worker", func(t *testing.T) {
		t.Parallel()
		testTemporalKilledWorker(t, bin, addr)
	})
}

// testTemporalKilledWorker kills the only worker while the second of three
// calls waits at the server, then starts another: the run completes, the
// first call is not made again, and the one in flight is made twice.
func testTemporalKilledWorker(t *testing.T, bin, addr string) {
	b := newBlocker(t)
	dir := t.TempDir()
	pb := writeAt(t, filepath.Join(dir, "three-steps.yaml"), `playbook: three-steps
tasks:
  first:
    run: http.request
    with: {method: POST, url: "`+b.URL+`/count", query: {id: first}}
  second:
    needs: [first]
    run: http.request
    with: {url: "`+b.URL+`/block", query: {id: second}, timeout: 0s}
  third:
    needs: [second]
    run: http.request
    with: {method: POST, url: "`+b.URL+`/count", query: {id: third}}
outputs:
  second: ${{ tasks.second.raw_data.path }}
`)
	queue := "crash"
	w1 := startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", queue, "--heartbeat-timeout", "2s", "--log-level", "error")
	out, errs, code := cli(t, t.Context(), "run", pb, "--temporal", addr, "--task-queue", queue, "--detach", "--workflow-id", "crash-1")
	if code != exitOK || strings.TrimSpace(out) != "crash-1" {
		t.Fatalf("run --detach: exit %d, stdout %q\n%s", code, out, errs)
	}
	waitFor(t, w1, "the second call", func() bool { return b.waiting.Load() == 1 })
	w1.kill(t)
	b.unblock()
	startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", queue, "--heartbeat-timeout", "2s", "--log-level", "error")

	tc, err := temporal.Dial(t.Context(), addr, "", hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	rep, err := temporal.Wait(ctx, tc, tc.GetWorkflow(ctx, "crash-1", ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != engine.RunSuccessful || rep.Outputs["second"] != "/block" {
		t.Errorf("run after the kill: %s %v, want Successful with the second call's reply", rep.Status, rep.Outputs)
	}
	if n := b.count("/count?id=first"); n != 1 {
		t.Errorf("the first call was made %d times, want once", n)
	}
	if n := b.count("/block?id=second"); n != 2 {
		t.Errorf("the call in flight was made %d times, want twice (once per worker)", n)
	}
	if n := b.count("/count?id=third"); n != 1 {
		t.Errorf("the third call was made %d times, want once", n)
	}
}
