package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	xdrfake "github.com/playbook-sh/playbook/actions/cortexxdr/fake"
	wizfake "github.com/playbook-sh/playbook/actions/wiz/fake"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/temporal"
)

// temporalCLI finds the temporal CLI: $TEMPORAL_CLI, temporal on the PATH,
// or the one `go install` put in $(go env GOPATH)/bin. Without it the
// Temporal tests skip, except under CI (CI=true), where .ci/run has
// installed it and a missing CLI is a failure.
func temporalCLI(t testing.TB) string {
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

func freePort(t testing.TB) string {
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
func devServer(t testing.TB) string {
	t.Helper()
	bin := temporalCLI(t)
	port := freePort(t)
	c := startCLI(t, bin, "server", "start-dev", "--ip", "127.0.0.1", "--port", port, "--headless",
		"--http-port", freePort(t), "--metrics-port", freePort(t), "--log-level", "error")
	addr := "127.0.0.1:" + port
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		tc, err := temporal.Dial(ctx, addr, "", hclog.NewNullLogger(), nil)
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
		startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", "examples", "--sandbox", "--log-level", "error")
		examples, _ := filepath.Glob("../../playbooks/*.yaml")
		n := 0
		for _, f := range examples {
			if strings.HasSuffix(f, ".test.yaml") || isServeFile(f) {
				continue
			}
			n++
			t.Run(filepath.Base(f), func(t *testing.T) {
				t.Parallel()
				name := strings.TrimSuffix(filepath.Base(f), ".yaml")
				args := append([]string{"run", f, "--temporal", addr, "--task-queue", "examples", "--workflow-id", "example-" + name,
					"--format", "json", "--progress", "off"}, exampleArgs(f)...)
				out, errs, code := cli(t, t.Context(), args...)
				if code != exitOK && code != exitPartial {
					t.Fatalf("run --temporal exit %d:\n%s%s", code, out, errs)
				}
				want, err := os.ReadFile(filepath.Join("testdata", "examples", strings.TrimSuffix(filepath.Base(f), ".yaml")+".golden.json"))
				if err != nil {
					t.Fatal(err)
				}
				if got := normalizeReport(t, out); string(got) != string(want) {
					t.Errorf("the report through Temporal differs from the in-process golden file (-in process +Temporal):\n%s", cmp.Diff(string(want), string(got)))
				}
				// UPDATE_HISTORY=1 keeps the run's history for the replay test.
				if os.Getenv("UPDATE_HISTORY") != "" {
					h := historyJSON(t, history(t, addr, "example-"+name))
					if err := os.WriteFile(filepath.Join("testdata", "histories", name+".json"), h, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
		if n < 3 {
			t.Fatalf("found %d examples", n)
		}
	})
	t.Run("no secret in history", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name, playbook, conns string
			secrets               []string
		}{
			{"cortex_xdr", "ioc-sync", xdrConnections(t, xdrfake.AdvancedKey), []string{xdrfake.AdvancedKey}},
			{"wiz", "wiz-triage", wizConnections(t, wizfake.ClientSecret), []string{wizfake.ClientSecret, wizfake.ClientID}},
		} {
			queue, id := "secrets-"+tc.name, "secrets-"+tc.playbook
			w := startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", queue, "--connections", tc.conns, "--log-level", "debug")
			f := "../../playbooks/" + tc.playbook + ".yaml"
			args := append([]string{"run", f, "--temporal", addr, "--task-queue", queue, "--workflow-id", id, "--format", "json", "--progress", "off"}, exampleArgs(f)...)
			out, errs, code := cli(t, t.Context(), args...)
			if code != exitOK && code != exitPartial {
				w.kill(t)
				t.Fatalf("%s: run --temporal exit %d:\n%s%s\nworker:\n%s", tc.name, code, out, errs, &w.stderr)
			}
			// The history once as recorded, then with every payload
			// decoded: where a secret would have to hide, in plain text.
			h := history(t, addr, id)
			raw := historyJSON(t, h)
			if err := temporal.DecodePayloads(h); err != nil {
				t.Fatal(err)
			}
			decoded := historyJSON(t, h)
			if len(raw) >= len(decoded) {
				t.Errorf("%s: the history is %d bytes, %d decoded: its payloads are not compressed", tc.name, len(raw), len(decoded))
			}
			text := historyText(decoded)
			w.kill(t) // its log is complete, and read after its writer ended
			if !strings.Contains(text, "return_data") {
				t.Fatalf("%s: the history holds no call result; the search would prove nothing", tc.name)
			}
			for _, s := range tc.secrets {
				for _, where := range []struct{ what, text string }{{"history", text}, {"report", out}, {"client stderr", errs}, {"worker log", w.stderr.String()}} {
					if strings.Contains(where.text, s) {
						t.Errorf("%s: a credential is in the %s", tc.name, where.what)
					}
				}
			}
		}
	})
	t.Run("a killed worker", func(t *testing.T) {
		t.Parallel()
		testTemporalKilledWorker(t, bin, addr)
	})
	t.Run("schedules", func(t *testing.T) {
		t.Parallel()
		testTemporalSchedules(t, addr)
	})
	t.Run("serve", func(t *testing.T) {
		t.Parallel()
		testTemporalServe(t, bin, addr)
	})
	t.Run("result store", func(t *testing.T) {
		t.Parallel()
		testTemporalResultStore(t, bin, addr)
	})
	t.Run("golden cases", func(t *testing.T) {
		t.Parallel()
		testTemporalGoldenRuns(t, addr)
	})
	t.Run("run options", func(t *testing.T) {
		t.Parallel()
		testTemporalRunOptions(t, bin, addr)
	})
}

// history fetches a workflow's history from the server.
func history(t *testing.T, addr, id string) *historypb.History {
	t.Helper()
	tc, err := temporal.Dial(t.Context(), addr, "", hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	h := &historypb.History{}
	it := tc.GetWorkflowHistory(t.Context(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// historyJSON writes a history as `temporal workflow show --output json`
// does.
func historyJSON(t *testing.T, h *historypb.History) []byte {
	t.Helper()
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// historyText is a history's JSON with every payload's data decoded next
// to it: what a secret would have to hide in.
func historyText(h []byte) string {
	var sb strings.Builder
	sb.Write(h)
	for _, m := range payloadData.FindAllSubmatch(h, -1) {
		if d, err := base64.StdEncoding.DecodeString(string(m[1])); err == nil {
			sb.WriteByte('\n')
			sb.Write(d)
		}
	}
	return sb.String()
}

var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// TestTemporalReplay replays the recorded histories of the examples
// (testdata/histories, written by UPDATE_HISTORY=1 go test -run
// TestTemporal ./cmd/playbook) with the SDK's replayer: a change that makes
// the workflow decide differently from the recorded run fails here.
// incident-digest.v0.json was recorded before sub-playbooks became child
// workflows: a run started then still replays as it ran.
func TestTemporalReplay(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if len(files) < 3 {
		t.Fatalf("found %d recorded histories, want one per example", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: temporal.DataConverter()})
			if err != nil {
				t.Fatal(err)
			}
			(&temporal.Worker{Registry: registry()}).RegisterWorkflow(r)
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h, err := client.HistoryFromJSON(bytes.NewReader(b), client.HistoryJSONOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// The workflow id the run had: child workflows' ids derive
			// from it. "incident-digest.v0.json" was example-incident-digest.
			name, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".json"), ".")
			opts := worker.ReplayWorkflowHistoryOptions{OriginalExecution: workflow.Execution{ID: "example-" + name}}
			if err := r.ReplayWorkflowHistoryWithOptions(temporal.Logger(nil), h, opts); err != nil {
				t.Errorf("replay: %v", err)
			}
		})
	}
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

	tc, err := temporal.Dial(t.Context(), addr, "", hclog.NewNullLogger(), nil)
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

	// Starting the same workflow id again runs nothing: it prints the
	// finished run's report.
	out, errs, code = cli(t, t.Context(), "run", pb, "--temporal", addr, "--task-queue", queue, "--workflow-id", "crash-1", "--format", "json", "--progress", "off")
	again, err := engine.DecodeReport([]byte(out))
	if code != exitOK || err != nil || again.RunID != "crash-1" || again.Status != engine.RunSuccessful {
		t.Errorf("run with a finished run's id: exit %d, %v\n%s%s", code, err, out, errs)
	}
	if n := b.count("/count?id=first"); n != 1 {
		t.Errorf("after a second start with the same id the first call was made %d times, want once", n)
	}
}
