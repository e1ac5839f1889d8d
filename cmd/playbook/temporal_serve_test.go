package main

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/schedule"
	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/engine/store"
	"github.com/playbook-sh/playbook/engine/temporal"
)

// testTemporalSchedules installs schedules of every kind as Temporal
// Schedules and requires Temporal's next ten fires to be serve.yaml's,
// and the overlap and catch-up policies mapped.
func testTemporalSchedules(t *testing.T, addr string) {
	tc, err := temporal.Dial(t.Context(), addr, "", hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	const noop = "playbook: noop\ntasks:\n  a: {run: core.set, with: {value: 1}}\n"
	c, err := engine.CompileSources("noop.yaml", map[string][]byte{"noop.yaml": []byte(noop)}, registry())
	if err != nil {
		t.Fatal(err)
	}
	specs := []schedule.Spec{
		{Name: "five-minutes", Cron: "*/5 * * * *"},
		{Name: "paris-weekdays", Cron: "0 9 * * MON-FRI", Timezone: "Europe/Paris", Overlap: schedule.OverlapQueue},
		// Classic cron matches either day field: the 1st, or any Monday.
		{Name: "first-or-monday", Cron: "30 6 1 * MON", Overlap: schedule.OverlapAllow, CatchUp: schedule.CatchUpLast},
		{Name: "weekly", Cron: "@weekly", Timezone: "America/New_York"},
		{Name: "every-90s", Every: 90 * time.Second, CatchUp: schedule.CatchUpLast},
		{Name: "hourly-jitter", Cron: "0 * * * *", Jitter: 5 * time.Minute},
	}
	var ss []*serve.Schedule
	for _, sp := range specs {
		sch, err := schedule.Parse(sp)
		if err != nil {
			t.Fatal(err)
		}
		ss = append(ss, &serve.Schedule{Name: sp.Name, Playbook: c, Schedule: sch})
	}
	b := &temporal.Backend{Client: tc, TaskQueue: "schedules"}
	if err := b.Schedules(t.Context(), ss); err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		d, err := tc.ScheduleClient().GetHandle(t.Context(), temporal.SchedulePrefix+s.Name).Describe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := temporal.SameFires(s.Schedule, d.Info.NextActionTimes); err != nil || len(d.Info.NextActionTimes) < 5 {
			t.Errorf("%s: %v (%d fires listed)", s.Name, err, len(d.Info.NextActionTimes))
		}
		spec := s.Schedule.Spec()
		wantOverlap := map[schedule.Overlap]enumspb.ScheduleOverlapPolicy{
			schedule.OverlapSkip:  enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
			schedule.OverlapQueue: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
			schedule.OverlapAllow: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
		}[spec.Overlap]
		wantWindow := temporal.MinCatchupWindow
		if spec.CatchUp == schedule.CatchUpLast {
			wantWindow = s.Schedule.MinGap()
		}
		if p := d.Schedule.Policy; p.Overlap != wantOverlap || p.CatchupWindow != wantWindow {
			t.Errorf("%s: overlap %v, catch-up window %v; want %v, %v", s.Name, p.Overlap, p.CatchupWindow, wantOverlap, wantWindow)
		}
		a := d.Schedule.Action.(*client.ScheduleWorkflowAction)
		if a.Workflow != temporal.WorkflowName || a.TaskQueue != "schedules" || a.ID != "schedule-"+s.Name {
			t.Errorf("%s: action %+v", s.Name, a)
		}
	}

	// Without the split into one expression per day field, Temporal
	// would fire "30 6 1 * MON" only on a Monday the 1st: the check
	// refuses such a mapping.
	opts, err := b.ScheduleOptions(ss[2])
	if err != nil {
		t.Fatal(err)
	}
	opts.ID += "-unsplit"
	opts.Spec.CronExpressions = []string{"30 6 1 * MON"}
	h, err := tc.ScheduleClient().Create(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := temporal.SameFires(ss[2].Schedule, d.Info.NextActionTimes); err == nil {
		t.Errorf("an AND of the day fields passed the check: %v", d.Info.NextActionTimes)
	}
	h.Delete(t.Context())

	// Another task queue's serve does not take a schedule over; installing
	// again updates in place, and a schedule serve.yaml dropped is
	// deleted.
	other := &temporal.Backend{Client: tc, TaskQueue: "schedules-other"}
	if err := other.Schedules(t.Context(), ss[4:5]); err == nil || !strings.Contains(err.Error(), `installed by the serve of task queue "schedules"`) {
		t.Fatalf("another task queue's serve installing the same schedule: %v", err)
	}
	if err := b.Schedules(t.Context(), ss[:2]); err != nil {
		t.Fatal(err)
	}
	for i, s := range ss {
		_, err := tc.ScheduleClient().GetHandle(t.Context(), temporal.SchedulePrefix+s.Name).Describe(t.Context())
		if gone := err != nil; gone != (i >= 2) {
			t.Errorf("%s: described with error %v after reinstalling the first two", s.Name, err)
		}
	}
}

// testTemporalServe runs serve --temporal against workers: a schedule
// fires on Temporal and serve records its runs; intake events and
// webhook deliveries start workflows whose ids derive from their keys; a
// run serve stopped following is recorded by the next serve; and a second
// serve fetching the same events starts no second run.
func testTemporalServe(t *testing.T, bin, addr string) {
	dir := t.TempDir()
	startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", "serve", "--sandbox", "--log-level", "error")
	hello, _ := filepath.Abs("../../playbooks/hello.yaml")
	triage, _ := filepath.Abs("../../playbooks/wiz-issue-triage.yaml")
	slow := writeAt(t, filepath.Join(dir, "slow.yaml"), `playbook: slow
inputs:
  issue: {type: string}
tasks:
  wait: {run: core.sleep, with: {duration: 3s}}
  done: {needs: [wait], run: core.set, with: {value: "${{ inputs.issue }}"}}
`)
	const token = "hook-token-0123456789abcdef"
	writeAt(t, filepath.Join(dir, "hook.token"), token)
	listen := "127.0.0.1:" + freePort(t)
	config := writeAt(t, filepath.Join(dir, "serve.yaml"), `listen: `+listen+`
schedules:
  tick:
    playbook: `+hello+`
    every: 2s
intake:
  wiz-issues:
    connection: wiz
    command: wiz.fetch_event
    with: {event_type: Issues, issue_statuses: [OPEN]}
    every: 24h
    lookback: 720h
    mapping: wiz.issues
    trigger:
      playbook: `+triage+`
      when: event.Severity == "CRITICAL"
      inputs: {issue_id: "${{ event.DocumentID }}"}
webhooks:
  slow:
    playbook: `+slow+`
    token: file:hook.token
    inputs: {issue: "${{ event.id }}"}
`)
	first := filepath.Join(dir, "first.db")
	serveArgs := func(state string) []string {
		return []string{"serve", "--config", config, "--state", state, "--sandbox", "--temporal", addr, "--task-queue", "serve", "--log-level", "warn"}
	}
	srv := startCLI(t, bin, serveArgs(first)...)
	runs := func(state string) map[string]store.Run {
		st, err := store.Open(t.Context(), state)
		if err != nil {
			return nil
		}
		defer st.Close()
		rs, _ := st.ListRuns(t.Context(), store.RunFilter{Limit: 1000})
		out := map[string]store.Run{}
		for _, r := range rs {
			out[r.ID] = r
		}
		return out
	}
	// finished counts the runs of a trigger kind that ended, failing the
	// test on any that did not succeed.
	finished := func(rs map[string]store.Run, kind string) int {
		n := 0
		for _, r := range rs {
			if !strings.HasPrefix(r.Trigger, kind+":") || r.Status == store.StatusRunning {
				continue
			}
			if r.Status != engine.RunSuccessful {
				t.Fatalf("run %s (%s): %s %s", r.ID, r.Trigger, r.Status, r.Error)
			}
			n++
		}
		return n
	}
	waitFor(t, srv, "a scheduled run and the intake runs recorded", func() bool {
		rs := runs(first)
		return finished(rs, "schedule") >= 1 && finished(rs, "intake") >= 1 && finished(rs, "intake") == countPrefix(rs, "intake-wiz-issues-")
	})
	rs := runs(first)
	for id, r := range rs {
		switch {
		case r.Trigger == "schedule:tick":
			at, err := time.Parse(time.RFC3339, r.TriggerRef)
			if !strings.HasPrefix(id, "schedule-tick-") || err != nil || at.Unix()%2 != 0 || r.Owner != "temporal:default" {
				t.Errorf("scheduled run %s: ref %q, owner %q", id, r.TriggerRef, r.Owner)
			}
		case r.Trigger == "intake:wiz-issues":
			if id != serve.DerivedRunID("intake", "wiz-issues", r.TriggerRef) {
				t.Errorf("intake run %s for event %q: the id does not derive from the event's key", id, r.TriggerRef)
			}
		}
	}

	// A webhook delivery with an Idempotency-Key, twice: one run.
	post := func() (int, map[string]any) {
		req, _ := http.NewRequest("POST", "http://"+listen+"/webhooks/slow", strings.NewReader(`{"id": "issue-7"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Idempotency-Key", "delivery-42")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	const hookRun = "webhook-slow-delivery-42"
	if code, body := post(); code != http.StatusAccepted || body["run_id"] != hookRun {
		t.Fatalf("first delivery: %d %v", code, body)
	}
	if code, body := post(); code != http.StatusOK || body["run_id"] != hookRun || body["duplicate"] != true {
		t.Fatalf("second delivery: %d %v", code, body)
	}
	// serve stops while the run sleeps: the run goes on, still recorded
	// as running, owned by Temporal, not marked interrupted.
	srv.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-srv.done:
		srv.done <- err // for the cleanup's kill
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop\n%s", &srv.stderr)
	}
	if r := runs(first)[hookRun]; r.Status != store.StatusRunning || r.Owner != "temporal:default" {
		t.Fatalf("after serve stopped, run %s is %q owned by %q (%s); want running, temporal:default", hookRun, r.Status, r.Owner, r.Error)
	}
	// The next serve follows it to its end.
	srv = startCLI(t, bin, serveArgs(first)...)
	waitFor(t, srv, "the run left running recorded", func() bool { return runs(first)[hookRun].Status != store.StatusRunning })
	st, err := store.Open(t.Context(), first)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.GetRun(t.Context(), hookRun)
	st.Close()
	if err != nil || r.Status != engine.RunSuccessful || !strings.Contains(string(r.Report), `"issue-7"`) {
		t.Fatalf("run %s: %v %s %s", hookRun, err, r.Status, r.Report)
	}
	srv.kill(t)

	// Another serve, with its own state, fetches the same events: each
	// finds its workflow already there and records that run's report.
	second := filepath.Join(dir, "second.db")
	srv = startCLI(t, bin, serveArgs(second)...)
	waitFor(t, srv, "the second serve's intake runs recorded", func() bool {
		rs := runs(second)
		return finished(rs, "intake") == countPrefix(runs(first), "intake-")
	})
	srv.kill(t)
	a, b := reportStarts(t, first), reportStarts(t, second)
	if len(a) == 0 || !maps.Equal(a, b) {
		t.Errorf("intake runs' start times: first serve %v, second serve %v; want the same runs", a, b)
	}
}

func countPrefix(rs map[string]store.Run, prefix string) int {
	n := 0
	for id := range rs {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}

// reportStarts maps the intake runs recorded in a state file to their
// reports' start times: the same run, recorded twice, starts once.
func reportStarts(t *testing.T, state string) map[string]string {
	t.Helper()
	st, err := store.Open(t.Context(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.ListRuns(t.Context(), store.RunFilter{Trigger: "intake", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		full, err := st.GetRun(t.Context(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			StartedAt string `json:"started_at"`
		}
		if err := json.Unmarshal(full.Report, &rep); err != nil || rep.StartedAt == "" {
			t.Fatalf("run %s: report %s", r.ID, full.Report)
		}
		out[r.ID] = rep.StartedAt
	}
	return out
}
