package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playbook-sh/playbook/engine/store"
)

func TestServeCheck(t *testing.T) {
	t.Parallel()
	out, _, code := cli(t, t.Context(), "serve", "--config", "../../playbooks/serve.yaml", "--check")
	if code != exitOK || !strings.Contains(out, "serve.yaml: valid") {
		t.Errorf("check of the example: exit %d %q", code, out)
	}
	dir := t.TempDir()
	bad := writeAt(t, filepath.Join(dir, "serve.yaml"), "intake:\n  w:\n    connection: wiz\n    command: wiz.fetch_event\n    every: 1h\n    mapping: wiz.issues\n")
	out, _, code = cli(t, t.Context(), "serve", "--config", bad, "--check")
	if code != exitFailed || !strings.Contains(out, "serve.yaml:5:12: every 1h is below Fetch Event's minimum interval of 12h0m0s") {
		t.Errorf("check of a 1h Fetch Event: exit %d %q", code, out)
	}
	// playbook validate knows serve files by name.
	out, _, code = cli(t, t.Context(), "validate", bad)
	if code != exitFailed || !strings.Contains(out, "serve.yaml:5:12:") {
		t.Errorf("validate: exit %d %q", code, out)
	}
	if _, errs, code := cli(t, t.Context(), "serve"); code != exitUsage || !strings.Contains(errs, "--config F is required") {
		t.Errorf("serve without --config: exit %d %q", code, errs)
	}
}

// TestServeSandbox runs playbook serve in this process against the fakes
// until its intake has triggered its runs and its health check has
// passed, then stops it as SIGTERM would: exit 0, everything recorded.
func TestServeSandbox(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	pb, _ := filepath.Abs("../../playbooks/wiz-issue-triage.yaml")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const consoleToken = "console-token-0123456789abcdef"
	writeAt(t, filepath.Join(dir, "console.token"), consoleToken)
	config := writeAt(t, filepath.Join(dir, "serve.yaml"), `listen: `+addr+`
console:
  users:
    soc: {token: file:console.token, role: viewer}
intake:
  wiz-issues:
    connection: wiz
    command: wiz.fetch_event
    with: {event_type: Issues, issue_statuses: [OPEN]}
    every: 24h
    lookback: 720h
    mapping: wiz.issues
    trigger:
      playbook: `+pb+`
      when: event.Severity == "CRITICAL"
      inputs: {issue_id: "${{ event.DocumentID }}"}
health_checks: {every: 1h}
`)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	var errs string
	go func() {
		var code int
		_, errs, code = cli(t, ctx, "serve", "--config", config, "--state", state, "--sandbox", "--log-level", "warn")
		done <- code
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, _, _ := cli(t, t.Context(), "connections", "status", "--state", state, "--format", "json")
		var hs []map[string]any
		json.Unmarshal([]byte(out), &hs)
		out, _, _ = cli(t, t.Context(), "runs", "list", "--state", state, "--status", "Successful", "--format", "json")
		var runs []map[string]any
		json.Unmarshal([]byte(out), &runs)
		if len(hs) == 1 && hs[0]["ok"] == true && len(runs) >= 1 {
			if hs[0]["connection"] != "wiz" || runs[0]["trigger"] != "intake:wiz-issues" {
				t.Errorf("health %v, runs %v", hs, runs)
			}
			// The console on listen: sees the same connection and runs.
			for path, want := range map[string]string{
				"/api/connections":         `"integration":"wiz","last_check"`,
				"/api/runs?trigger=intake": `"trigger":"intake:wiz-issues"`,
				"/api/playbooks":           `"triggers":["intake:wiz-issues"]`,
			} {
				req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
				req.Header.Set("Authorization", "Bearer "+consoleToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
					t.Errorf("GET %s = %d %s, want %s", path, resp.StatusCode, body, want)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not trigger a run and check its connection: health %v runs %v", hs, runs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("serve exit %d: %s", code, errs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	st, err := store.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, _ := st.ListEvents(context.Background(), store.EventFilter{Source: "wiz-issues", Limit: 1000})
	runs, _ := st.ListRuns(context.Background(), store.RunFilter{Limit: 1000})
	triggered := 0
	for _, e := range evs {
		if e.State == "triggered" {
			triggered++
		}
	}
	if triggered == 0 || triggered != len(runs) {
		t.Errorf("%d events triggered, %d runs", triggered, len(runs))
	}
	for _, r := range runs {
		if r.Status != "Successful" {
			t.Errorf("run %s: %s %s", r.ID, r.Status, r.Error)
		}
	}
	out, _, code := cli(t, t.Context(), "connections", "status", "--state", state)
	if code != exitOK || !strings.Contains(out, "wiz         passing  0") {
		t.Errorf("connections status: exit %d\n%s", code, out)
	}
}
