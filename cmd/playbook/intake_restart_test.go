package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	wizfake "github.com/playbook-sh/playbook/actions/wiz/fake"
)

// listedRun is one row of runs list --format json.
type listedRun struct {
	RunID      string `json:"run_id"`
	Playbook   string `json:"playbook"`
	File       string `json:"file"`
	Status     string `json:"status"`
	Trigger    string `json:"trigger"`
	TriggerRef string `json:"trigger_ref"`
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at"`
	DurationMS *int64 `json:"duration_ms"`
	Error      string `json:"error"`
}

// listRuns runs runs list --format json with the given filters.
func listRuns(t *testing.T, state string, filters ...string) []listedRun {
	t.Helper()
	args := append([]string{"runs", "list", "--state", state, "--format", "json", "--limit", "1000"}, filters...)
	out, errs, code := cli(t, t.Context(), args...)
	if code != exitOK {
		t.Fatalf("runs list %q: exit %d\n%s%s", filters, code, out, errs)
	}
	var runs []listedRun
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatalf("runs list is not JSON: %v\n%s", err, out)
	}
	return runs
}

// runsByRef counts runs by trigger_ref.
func runsByRef(runs []listedRun) map[string]int {
	n := map[string]int{}
	for _, r := range runs {
		n[r.TriggerRef]++
	}
	return n
}

// wizFake starts a Wiz fake in this process and writes a connections file
// naming it wiz, with file: credentials, so that several CLI invocations
// (in-process or not) share one tenant and see each other's changes.
func wizFake(t *testing.T, opts ...wizfake.Option) (*wizfake.Server, string) {
	t.Helper()
	fk := wizfake.New(opts...)
	srv := httptest.NewServer(fk)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	writeAt(t, filepath.Join(dir, "wiz.id"), wizfake.ClientID)
	writeAt(t, filepath.Join(dir, "wiz.secret"), wizfake.ClientSecret)
	return fk, writeAt(t, filepath.Join(dir, "connections.yaml"), `connections:
  wiz:
    integration: wiz
    api_endpoint_url: `+srv.URL+`
    token_url: `+srv.URL+`/oauth/token
    client_id: file:wiz.id
    client_secret: file:wiz.secret
    max_retries: 0
`)
}

func absPath(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestIntakeRestartRedelivery runs the example's Wiz issues intake twice
// on one state file, as two processes would (each --sandbox run starts a
// fresh fake, so the second delivers every issue again): the second run
// stores nothing and triggers nothing, each triggered event has exactly
// one run, and the trigger's condition decided each event's state.
func TestIntakeRestartRedelivery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	config := writeAt(t, filepath.Join(dir, "serve.yaml"), `intake:
  wiz-issues:
    connection: wiz
    command: wiz.fetch_event
    with: {event_type: Issues, issue_statuses: [OPEN]}
    every: 24h
    # Each cycle asks again for the whole lookback: a duplicate delivery
    # of every event.
    tolerance: 720h
    lookback: 720h
    mapping: wiz.issues
    trigger:
      playbook: `+absPath(t, "../../playbooks/wiz-issue-triage.yaml")+`
      when: event.Severity in ["CRITICAL", "HIGH"]
      inputs: {issue_id: "${{ event.DocumentID }}"}
      concurrency: 4
`)
	first := intakeOnce(t, config, state, "wiz-issues", "--sandbox")
	if first.Fetched == 0 || len(first.New) != first.Fetched || len(first.Triggered)+first.Skipped != first.Fetched ||
		len(first.Triggered) == 0 || first.Skipped == 0 {
		t.Fatalf("first intake = %+v, want every event new, some triggered and some skipped", first)
	}
	second := intakeOnce(t, config, state, "wiz-issues", "--sandbox")
	if second.Fetched != first.Fetched || len(second.New) != 0 || len(second.Triggered) != 0 || second.Skipped != 0 {
		t.Errorf("second intake = %+v, want the %d events delivered again, none new, no runs", second, first.Fetched)
	}

	// A third delivery, in text.
	out, errs, code := cli(t, t.Context(), "intake", "run", "wiz-issues", "--config", config, "--state", state, "--once", "--sandbox")
	textRE := regexp.MustCompile(fmt.Sprintf(`^intake wiz-issues: window \S+ to \S+, 1 call\(s\), %d event\(s\), 0 new, 0 run\(s\) triggered, 0 skipped\n$`, first.Fetched))
	if code != exitOK || !textRE.MatchString(out) {
		t.Errorf("third intake: exit %d, stdout %q\n%s", code, out, errs)
	}

	runs := listRuns(t, state, "--trigger", "intake:wiz-issues")
	if len(runs) != len(first.Triggered) {
		t.Errorf("%d runs, want %d (one per triggered event)", len(runs), len(first.Triggered))
	}
	byID := map[string]listedRun{}
	for _, r := range runs {
		byID[r.RunID] = r
		if r.Status != "Successful" || r.Playbook != "wiz-issue-triage" {
			t.Errorf("run %s: %s %s, want wiz-issue-triage Successful", r.RunID, r.Playbook, r.Status)
		}
	}
	for ref, n := range runsByRef(runs) {
		if n != 1 {
			t.Errorf("event %s triggered %d runs", ref, n)
		}
	}
	for _, id := range first.Triggered {
		if _, ok := byID[id]; !ok {
			t.Errorf("triggered run %s is not listed", id)
		}
	}

	evs := listEvents(t, state, "wiz-issues")
	if len(evs) != first.Fetched {
		t.Errorf("%d events stored, want %d", len(evs), first.Fetched)
	}
	triggered := 0
	for _, ev := range evs {
		sev := ev.Fields["Severity"]
		want := "skipped"
		if sev == "CRITICAL" || sev == "HIGH" {
			want = "triggered"
		}
		if ev.State != want {
			t.Errorf("event %s (%v): state %s, want %s", ev.Key, sev, ev.State, want)
		}
		if want == "skipped" {
			if ev.RunID != "" {
				t.Errorf("skipped event %s has run %s", ev.Key, ev.RunID)
			}
			continue
		}
		triggered++
		if r, ok := byID[ev.RunID]; !ok || r.TriggerRef != ev.Key {
			t.Errorf("event %s: run %q is not a run of it (%+v)", ev.Key, ev.RunID, r)
		}
	}
	if triggered != len(first.Triggered) {
		t.Errorf("%d events triggered, the intake reported %d", triggered, len(first.Triggered))
	}
	for since, want := range map[string]int{"1h": len(evs), time.Now().Add(time.Hour).UTC().Format(time.RFC3339): 0} {
		out, errs, code := cli(t, t.Context(), "events", "list", "--state", state, "--since", since, "--format", "jsonl")
		if n := strings.Count(out, "\n"); code != exitOK || n != want {
			t.Errorf("events list --since %s: exit %d, %d events, want %d\n%s", since, code, n, want, errs)
		}
	}
}

// TestIntakeDedupRetriggers runs two intakes on one Wiz fake, one
// deduplicating on the unique key alone and one on [id, updatedAt], then
// updates an issue and runs both again: only the second sees the update as a new event and
// triggers it again.
func TestIntakeDedupRetriggers(t *testing.T) {
	t.Parallel()
	fk, conns := wizFake(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	writeAt(t, filepath.Join(dir, "seen.yaml"), `playbook: seen
inputs:
  issue_id: {type: string, required: true}
tasks:
  seen:
    run: core.set
    with: {value: "${{ inputs.issue_id }}"}
`)
	source := func(name, dedup string) string {
		return `  ` + name + `:
    connection: wiz
    command: wiz.fetch_event
    with: {event_type: Issues}
    every: 24h
    tolerance: 720h
    lookback: 720h
    mapping: wiz.issues
` + dedup + `    trigger:
      playbook: seen.yaml
      inputs: {issue_id: "${{ event.DocumentID }}"}
`
	}
	config := writeAt(t, filepath.Join(dir, "serve.yaml"), "intake:\n"+
		source("by-id", "")+source("by-update", "    dedup: [id, updatedAt]\n"))
	intake := func(name string) intakeJSONOut {
		t.Helper()
		return intakeOnce(t, config, state, name, "--connections", conns)
	}
	n := len(fk.IssueIDs())
	for _, name := range []string{"by-id", "by-update"} {
		if res := intake(name); res.Fetched != n || len(res.New) != n || len(res.Triggered) != n {
			t.Fatalf("intake %s = %+v, want all %d issues new and triggered", name, res, n)
		}
	}

	id := wizfake.SampleIssueID
	before, _ := fk.Issue(id)
	pb := writeAt(t, filepath.Join(dir, "touch.yaml"), `playbook: touch
connections: {wiz: wiz}
tasks:
  touch:
    run: wiz.update_issues
    with: {issue_ids: `+id+`, status: In Progress}
`)
	if out, errs, code := cli(t, t.Context(), "run", pb, "--connections", conns, "--progress", "off"); code != exitOK {
		t.Fatalf("update the issue: exit %d\n%s%s", code, out, errs)
	}
	after, _ := fk.Issue(id)
	if before["updatedAt"] == after["updatedAt"] {
		t.Fatalf("the update left updatedAt at %v", after["updatedAt"])
	}

	if res := intake("by-id"); res.Fetched != n || len(res.New) != 0 || len(res.Triggered) != 0 {
		t.Errorf("by-id after the update = %+v, want %d fetched, none new, no runs", res, n)
	}
	res := intake("by-update")
	if res.Fetched != n || !slices.Equal(res.New, []string{id}) || len(res.Triggered) != 1 {
		t.Errorf("by-update after the update = %+v, want %d fetched, %s new and triggered", res, n, id)
	}

	for name, want := range map[string]int{"by-id": 1, "by-update": 2} {
		runs := runsByRef(listRuns(t, state, "--trigger", "intake:"+name))
		if len(runs) != n {
			t.Errorf("intake %s: runs for %d events, want %d", name, len(runs), n)
		}
		for ref, got := range runs {
			w := 1
			if ref == id {
				w = want
			}
			if got != w {
				t.Errorf("intake %s: event %s has %d runs, want %d", name, ref, got, w)
			}
		}
	}
	var updates []any
	for _, ev := range listEvents(t, state, "by-update") {
		if ev.Key == id {
			updates = append(updates, ev.Fields["Updated Time"])
		}
	}
	if len(updates) != 2 || updates[0] == updates[1] {
		t.Errorf("by-update stored %s with Updated Time %v, want two versions", id, updates)
	}
}

// TestIntakeAcrossPages fetches more issues than one page of Fetch Event
// holds (500): every page's issues are stored once, and a second cycle
// over the same pages stores none.
func TestIntakeAcrossPages(t *testing.T) {
	t.Parallel()
	fk, conns := wizFake(t, wizfake.WithGeneratedIssues(1200))
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	config := writeAt(t, filepath.Join(dir, "serve.yaml"), `intake:
  all:
    connection: wiz
    command: wiz.fetch_event
    with: {event_type: Issues}
    every: 24h
    tolerance: 8760h
    lookback: 8760h
    mapping: wiz.issues
`)
	n := len(fk.IssueIDs())
	if n < 1200 {
		t.Fatalf("the fake has %d issues", n)
	}
	res := intakeOnce(t, config, state, "all", "--connections", conns)
	if res.Fetched != n || len(res.New) != n || res.Unmapped != 0 {
		t.Fatalf("first cycle = fetched %d, new %d, unmapped %d; want all %d", res.Fetched, len(res.New), res.Unmapped, n)
	}
	pages := 0
	for _, r := range fk.Requests() {
		if r.Path == "/graphql" {
			pages++
		}
	}
	if want := (n + 499) / 500; pages != want {
		t.Errorf("%d GraphQL requests, want %d pages of 500", pages, want)
	}
	seen := map[string]bool{}
	for _, k := range res.New {
		if seen[k] {
			t.Fatalf("issue %s stored twice", k)
		}
		seen[k] = true
	}
	if res = intakeOnce(t, config, state, "all", "--connections", conns); res.Fetched != n || len(res.New) != 0 {
		t.Errorf("second cycle = fetched %d, new %d; want %d and 0", res.Fetched, len(res.New), n)
	}
}
