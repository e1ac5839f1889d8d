package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/engine/store"
)

// decodeJSON decodes one JSON value, numbers as json.Number.
func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// recordRun runs a playbook with --record and returns its JSON report's
// run id and the report as printed.
func recordRun(t *testing.T, state, file string, wantCode int) (string, string) {
	t.Helper()
	out, errs, code := cli(t, t.Context(), "run", file, "--record", "--state", state, "--format", "json", "--progress", "off")
	if code != wantCode {
		t.Fatalf("run %s --record: exit %d, want %d\n%s%s", file, code, wantCode, out, errs)
	}
	var rep struct {
		RunID string `json:"run_id"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.RunID == "" {
		t.Fatalf("report without run_id (%v):\n%s", err, out)
	}
	if want := "recorded run " + rep.RunID + " in " + absPath(t, state) + "\n"; errs != want {
		t.Errorf("stderr = %q, want %q", errs, want)
	}
	return rep.RunID, out
}

func TestRunsRecordListShow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	hello := absPath(t, "../../playbooks/hello.yaml")
	helloID, helloReport := recordRun(t, state, hello, exitOK)
	broken := writeAt(t, filepath.Join(dir, "broken.yaml"), "playbook: broken\ntasks:\n  boom:\n    run: core.fail\n    with: {message: boom}\n")
	brokenID, brokenReport := recordRun(t, state, broken, exitFailed)

	// Newest first.
	runs := listRuns(t, state)
	if len(runs) != 2 || runs[0].RunID != brokenID || runs[1].RunID != helloID {
		t.Fatalf("runs list = %+v, want %s then %s", runs, brokenID, helloID)
	}
	for i, want := range []listedRun{
		{RunID: brokenID, Playbook: "broken", File: broken, Status: "Failed", Trigger: "cli"},
		{RunID: helloID, Playbook: "hello", File: hello, Status: "Successful", Trigger: "cli"},
	} {
		got := runs[i]
		if got.StartedAt == "" || got.FinishedAt == "" || got.DurationMS == nil {
			t.Errorf("run %s: no start, finish or duration: %+v", got.RunID, got)
		}
		// A run a task failed has no run-level error: its report's
		// tasks say why (runs show).
		if got.Error != "" {
			t.Errorf("run %s: error %q", got.RunID, got.Error)
		}
		got.StartedAt, got.FinishedAt, got.DurationMS, got.Error = "", "", nil, ""
		if got != want {
			t.Errorf("run %d = %+v, want %+v", i, got, want)
		}
	}

	// jsonl: the same objects, one a line.
	out, errs, code := cli(t, t.Context(), "runs", "list", "--state", state, "--format", "jsonl")
	if code != exitOK {
		t.Fatalf("runs list --format jsonl: exit %d\n%s", code, errs)
	}
	jsonOut, _, _ := cli(t, t.Context(), "runs", "list", "--state", state, "--format", "json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var asList []any
	for _, l := range lines {
		asList = append(asList, decodeJSON(t, l))
	}
	if diff := cmp.Diff(decodeJSON(t, jsonOut), any(asList)); diff != "" {
		t.Errorf("jsonl differs from json (-json +jsonl):\n%s", diff)
	}

	// text: a header and a row per run.
	out, _, code = cli(t, t.Context(), "runs", "list", "--state", state)
	if code != exitOK {
		t.Fatalf("runs list: exit %d", code)
	}
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != 3 || !sameStrings(strings.Fields(rows[0]), "RUN", "PLAYBOOK", "TRIGGER", "STATUS", "STARTED", "DURATION") {
		t.Fatalf("runs list text:\n%s", out)
	}
	for i, want := range [][]string{{brokenID, "broken", "cli", "Failed"}, {helloID, "hello", "cli", "Successful"}} {
		f := strings.Fields(rows[i+1])
		if len(f) != 6 || !sameStrings(f[:4], want...) {
			t.Errorf("row %d = %q, want %q, a start and a duration", i, rows[i+1], want)
			continue
		}
		if _, err := time.Parse(time.RFC3339, f[4]); err != nil {
			t.Errorf("row %d: started %q: %v", i, f[4], err)
		}
		if _, err := time.ParseDuration(f[5]); err != nil {
			t.Errorf("row %d: duration %q: %v", i, f[5], err)
		}
	}

	// show, by a prefix: the json is the run's report.
	for _, tc := range []struct{ id, report, status string }{
		{helloID, helloReport, "Successful"}, {brokenID, brokenReport, "Failed"},
	} {
		out, errs, code := cli(t, t.Context(), "runs", "show", tc.id[:8], "--state", state, "--format", "json")
		if code != exitOK {
			t.Fatalf("runs show %s: exit %d\n%s", tc.id[:8], code, errs)
		}
		if diff := cmp.Diff(decodeJSON(t, tc.report), decodeJSON(t, out)); diff != "" {
			t.Errorf("runs show %s --format json differs from the run's report (-report +show):\n%s", tc.id, diff)
		}
		out, _, code = cli(t, t.Context(), "runs", "show", tc.id, "--state", state)
		if first, _, _ := strings.Cut(out, "\n"); code != exitOK ||
			!regexp.MustCompile(`^playbook \S+  run `+tc.id+`  `+tc.status+`  \(`).MatchString(first) {
			t.Errorf("runs show %s: exit %d, first line %q", tc.id, code, first)
		}
	}
	out, _, _ = cli(t, t.Context(), "runs", "show", helloID, "--state", state)
	for _, want := range []string{"greet ", "per_host ", "never ", "when was false", `greeting: "hello, world"`} {
		if !strings.Contains(out, want) {
			t.Errorf("runs show text has no %q:\n%s", want, out)
		}
	}
	out, _, _ = cli(t, t.Context(), "runs", "show", brokenID, "--state", state)
	if !strings.Contains(out, "boom") {
		t.Errorf("runs show of the failed run does not say why:\n%s", out)
	}

	// Filters.
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		filters []string
		want    []string
	}{
		{[]string{"--status", "Successful"}, []string{helloID}},
		{[]string{"--status", "failed"}, []string{brokenID}},
		{[]string{"--status", "Interrupted"}, nil},
		{[]string{"--playbook", "hello"}, []string{helloID}},
		{[]string{"--playbook", "nope"}, nil},
		{[]string{"--since", "1h"}, []string{brokenID, helloID}},
		{[]string{"--since", future}, nil},
		{[]string{"--trigger", "cli"}, []string{brokenID, helloID}},
		{[]string{"--trigger", "intake"}, nil},
		{[]string{"--limit", "1"}, []string{brokenID}},
		{[]string{"--playbook", "hello", "--status", "Failed"}, nil},
	} {
		var got []string
		for _, r := range listRuns(t, state, tc.filters...) {
			got = append(got, r.RunID)
		}
		if !sameStrings(got, tc.want...) {
			t.Errorf("runs list %q = %q, want %q", tc.filters, got, tc.want)
		}
	}
	if out, _, _ := cli(t, t.Context(), "runs", "list", "--state", state, "--playbook", "nope", "--format", "json"); out != "[]\n" {
		t.Errorf("an empty json listing = %q, want []", out)
	}
}

// sameStrings reports whether got holds exactly want, in order.
func sameStrings(got []string, want ...string) bool {
	return strings.Join(got, "\x00") == strings.Join(want, "\x00") && len(got) == len(want)
}

// TestRunsUsage checks the list commands' and runs' errors: a bad flag
// or argument is exit 2, a run that is not there exit 1, each with a
// message naming the problem.
func TestRunsUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	id, _ := recordRun(t, state, "../../playbooks/hello.yaml", exitOK)
	serveFile := writeAt(t, filepath.Join(dir, "serve.yaml"), "intake:\n  src:\n    connection: wiz\n    command: wiz.fetch_event\n    every: 24h\n    mapping: wiz.issues\n")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"runs"}, exitUsage, "usage: playbook runs list|show ID|resume ID"},
		{[]string{"runs", "frob"}, exitUsage, `unknown subcommand "frob"`},
		{[]string{"runs", "list", "--format", "xml"}, exitUsage, `--format must be text, json or jsonl, got "xml"`},
		{[]string{"runs", "list", "--limit", "0"}, exitUsage, "--limit must be at least 1"},
		{[]string{"runs", "list", "--since", "yesterday"}, exitUsage, `--since must be RFC 3339 (2025-06-01T00:00:00Z) or a duration (24h), got "yesterday"`},
		{[]string{"runs", "list", "--status", "done"}, exitUsage, `--status must be one of running, Successful, Failed, Partially Successful, Cancelled, Interrupted, got "done"`},
		{[]string{"runs", "list", "hello"}, exitUsage, `unexpected argument "hello"`},
		{[]string{"runs", "list", "--nope"}, exitUsage, "flag provided but not defined: -nope"},
		{[]string{"runs", "show"}, exitUsage, "name one run id"},
		{[]string{"runs", "show", id, id}, exitUsage, "name one run id"},
		{[]string{"runs", "show", id, "--format", "jsonl"}, exitUsage, "--format is text or json"},
		{[]string{"runs", "show", "0000000000"}, exitFailed, "run 0000000000: not found"},
		{[]string{"runs", "show", id[:5]}, exitFailed, "an id prefix needs at least 6 characters"},
		{[]string{"runs", "resume"}, exitUsage, "name one run id"},
		{[]string{"runs", "resume", id, "--format", "yaml"}, exitUsage, "--format is text or json"},
		{[]string{"runs", "resume", "0000000000"}, exitFailed, "run 0000000000: not found"},
		{[]string{"runs", "resume", id}, exitFailed, "the run is Successful; only an Interrupted, Failed or Cancelled run can be resumed"},
		{[]string{"events"}, exitUsage, "usage: playbook events list"},
		{[]string{"events", "list", "--format", "yaml"}, exitUsage, `--format must be text, json or jsonl, got "yaml"`},
		{[]string{"events", "list", "src"}, exitUsage, `unexpected argument "src" (name the intake with --source NAME)`},
		{[]string{"intake", "run", "src", "--config", serveFile}, exitUsage, "pass --once"},
		{[]string{"intake", "run", "--config", serveFile, "--once"}, exitUsage, "name one intake source"},
		{[]string{"intake", "run", "src", "--once"}, exitUsage, "--config F is required"},
		{[]string{"intake", "run", "nope", "--config", serveFile, "--once"}, exitUsage, `has no intake "nope"`},
		{[]string{"intake", "run", "src", "--config", serveFile, "--once", "--format", "yaml"}, exitUsage, "--format is text or json"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			args := tc.args
			if len(args) > 1 {
				args = append(append([]string{}, args...), "--state", state)
			}
			out, errs, code := cli(t, t.Context(), args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, tc.code, tc.want)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

// TestEvalRun evaluates against runs in the state store: a finished run
// by its id prefix, and a running one from its checkpointed tasks.
func TestEvalRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	id, _ := recordRun(t, state, "../../playbooks/hello.yaml", exitOK)

	out, errs, code := cli(t, t.Context(), "eval", "tasks.greet.raw_data.greeting + ' / ' + inputs.name", "--run", id[:8], "--state", state)
	if code != exitOK || out != "\"hello, world / world\"\n(string)\n" || errs != "" {
		t.Errorf("eval --run = %d %q %q", code, out, errs)
	}
	out, _, code = cli(t, t.Context(), "eval", "$.tasks.per_host.key_fields.HostNames", "--run", id, "--state", state)
	if code != exitOK || !strings.Contains(out, `"ws-3"`) {
		t.Errorf("eval --run jsonpath = %d %q", code, out)
	}
	_, errs, code = cli(t, t.Context(), "eval", "tasks.gret.status", "--run", id, "--state", state)
	if code != exitFailed || !strings.Contains(errs, `did you mean "greet"`) {
		t.Errorf("eval --run typo = %d %q", code, errs)
	}

	// A run still running: only the tasks checkpointed so far.
	st, err := store.Open(t.Context(), state)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateRun(t.Context(), store.Run{ID: "running-run-1", Playbook: "p", File: "p.yaml", Trigger: "cli", Inputs: json.RawMessage(`{"host":"ws-9"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveTask(t.Context(), "running-run-1", "find", json.RawMessage(`{"status":"succeeded","return_data":"Successful","raw_data":{"n":3},"key_fields":{"IDs":["a"]},"attempts":1}`)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, errs, code = cli(t, t.Context(), "eval", "tasks.find.raw_data.n * 2 == 6 && inputs.host == 'ws-9'", "--run", "running-run-1", "--state", state)
	if code != exitOK || out != "true\n(bool)\n" || errs != "run running-run-1 is running: evaluating against the 1 task(s) it has finished\n" {
		t.Errorf("eval --run running = %d %q %q", code, out, errs)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "1", "--run", "nosuchrun", "--state", state}, "playbook eval: run nosuchrun: "},
		{[]string{"eval", "1", "--run", id, "--report", "r.json"}, "give one of --report RUN.json or --run ID"},
	} {
		_, errs, code := cli(t, t.Context(), tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v = %d %q, want %q", tc.args, code, errs, tc.want)
		}
	}
}

// TestRunsListByKey finds runs by a Key Field or an input value.
func TestRunsListByKey(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "state.db")
	hello := absPath(t, "../../playbooks/hello.yaml")
	id, _ := recordRun(t, state, hello, exitOK)
	for _, tc := range []struct {
		filters []string
		want    int
	}{
		{[]string{"--key", "HostNames=ws-2"}, 1},
		{[]string{"--key", "name=world", "--key", "Names:world"}, 1},
		{[]string{"--key", "HostNames=ws-9"}, 0},
		{[]string{"--key", "HostNames=ws-2", "--status", "failed"}, 0},
	} {
		runs := listRuns(t, state, tc.filters...)
		if len(runs) != tc.want || (tc.want == 1 && runs[0].RunID != id) {
			t.Errorf("runs list %v = %+v, want %d run(s)", tc.filters, runs, tc.want)
		}
	}
	if _, errs, code := cli(t, t.Context(), "runs", "list", "--state", state, "--key", "HostNames"); code != exitUsage || !strings.Contains(errs, "--key: ") {
		t.Errorf("--key without a value = %d %q", code, errs)
	}
}
