package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCreateFinishGetRun(t *testing.T) {
	s := openTest(t)
	r := Run{ID: "run-abcdef", Playbook: "triage", File: "p/triage.yaml", Trigger: "intake:xdr", TriggerRef: "inc-7",
		Inputs: json.RawMessage(`{"b":1,"a":2}`), Event: json.RawMessage(`{"id":"inc-7"}`), StartedAt: t0, Owner: "h:1:2"}
	mustCreate(t, s, r)

	got, err := s.GetRun(t.Context(), r.ID)
	if err != nil {
		t.Fatalf("GetRun() = %v", err)
	}
	want := r
	want.Status = StatusRunning
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetRun() while running mismatch (-want +got):\n%s", diff)
	}
	if got.StartedAt.Location() != time.UTC {
		t.Errorf("StartedAt location = %v, want UTC", got.StartedAt.Location())
	}

	report := json.RawMessage(`{"status":"Failed","error":"boom"}`)
	finished := t0.Add(90*time.Second + 7)
	if err := s.FinishRun(t.Context(), r.ID, StatusFailed, finished, report, "boom"); err != nil {
		t.Fatalf("FinishRun() = %v", err)
	}
	got, err = s.GetRun(t.Context(), r.ID)
	if err != nil {
		t.Fatalf("GetRun() = %v", err)
	}
	want.Status, want.FinishedAt, want.Report, want.Error = StatusFailed, finished, report, "boom"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetRun() when finished mismatch (-want +got):\n%s", diff)
	}

	if err := s.CreateRun(t.Context(), r); !errors.Is(err, ErrExists) {
		t.Errorf("CreateRun(duplicate) = %v, want ErrExists", err)
	}
	for _, status := range []string{StatusRunning, "done", ""} {
		if err := s.FinishRun(t.Context(), r.ID, status, finished, nil, ""); err == nil {
			t.Errorf("FinishRun(status %q) = nil, want an error", status)
		}
	}
	if err := s.FinishRun(t.Context(), "run-nothere", StatusSuccessful, finished, nil, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun(missing) = %v, want ErrNotFound", err)
	}
}

func TestCreateRunDefaults(t *testing.T) {
	s := openTest(t)
	mustCreate(t, s, Run{ID: "run-defaults", Playbook: "p"})
	got, err := s.GetRun(t.Context(), "run-defaults")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusRunning || got.Owner != Owner() || got.StartedAt.IsZero() ||
		string(got.Inputs) != "{}" || got.Event != nil || got.Report != nil {
		t.Errorf("GetRun() = %+v, want running, owned by %s, started, inputs {}, no event, no report", got, Owner())
	}
	if err := s.CreateRun(t.Context(), Run{Playbook: "p"}); err == nil {
		t.Error("CreateRun(no id) = nil, want an error")
	}
	if err := s.CreateRun(t.Context(), Run{ID: "run-x", Status: "done"}); err == nil {
		t.Error("CreateRun(unknown status) = nil, want an error")
	}
}

func TestGetRunByPrefix(t *testing.T) {
	s := openTest(t)
	mustCreate(t, s, run("abcdef01", 0), run("abcdef02", 1), run("abcxyz99", 2), run("zz", 3))
	for i := range 7 {
		mustCreate(t, s, run("many-0"+string(rune('a'+i)), 10+i))
	}
	tests := []struct {
		id, want  string
		notFound  bool
		ambiguous *AmbiguousError
	}{
		{id: "abcdef01", want: "abcdef01"},
		{id: "abcxyz", want: "abcxyz99"},
		{id: "zz", want: "zz"}, // an exact id needs no minimum length
		{id: "abcdef", ambiguous: &AmbiguousError{Prefix: "abcdef", Matches: []string{"abcdef01", "abcdef02"}}},
		{id: "many-0", ambiguous: &AmbiguousError{Prefix: "many-0",
			Matches: []string{"many-0a", "many-0b", "many-0c", "many-0d", "many-0e"}, More: true}},
		{id: "abcdeg", notFound: true},
		{id: "abc", notFound: true}, // too short
		{id: "", notFound: true},
		{id: "abcdef01x", notFound: true},
	}
	for _, tc := range tests {
		got, err := s.GetRun(t.Context(), tc.id)
		switch {
		case tc.ambiguous != nil:
			ae, ok := errors.AsType[*AmbiguousError](err)
			if !ok {
				t.Errorf("GetRun(%q) = %v, want an AmbiguousError", tc.id, err)
			} else if diff := cmp.Diff(tc.ambiguous, ae); diff != "" {
				t.Errorf("GetRun(%q) error mismatch (-want +got):\n%s", tc.id, diff)
			}
		case tc.notFound:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("GetRun(%q) = %v, want ErrNotFound", tc.id, err)
			}
		case err != nil || got.ID != tc.want:
			t.Errorf("GetRun(%q) = %q, %v, want %q", tc.id, got.ID, err, tc.want)
		}
	}
	if _, err := s.GetRun(t.Context(), "abc"); err == nil || !strings.Contains(err.Error(), "at least 6 characters") {
		t.Errorf("GetRun(short prefix) = %v, want an error naming the minimum", err)
	}
	if _, err := s.GetRun(t.Context(), "abcdef"); err == nil || !strings.Contains(err.Error(), "abcdef01, abcdef02") {
		t.Errorf("GetRun(ambiguous) = %v, want an error listing the matches", err)
	}
}

func TestListRunsFilters(t *testing.T) {
	s := openTest(t)
	a := run("run-a", 0)
	b := run("run-b", 10)
	b.Playbook, b.Trigger = "contain", "schedule:nightly"
	c := run("run-c", 20)
	c.Trigger = "schedule:hourly"
	d := run("run-d", 30)
	d.Trigger = "intake:xdr"
	d.Report = json.RawMessage(`{}`)
	mustCreate(t, s, a, b, c, d)
	if err := s.FinishRun(t.Context(), "run-b", StatusSuccessful, t0.Add(time.Minute), json.RawMessage(`{"x":1}`), ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    RunFilter
		want []string
	}{
		{name: "all", want: []string{"run-d", "run-c", "run-b", "run-a"}},
		{name: "playbook", f: RunFilter{Playbook: "contain"}, want: []string{"run-b"}},
		{name: "status", f: RunFilter{Status: StatusRunning}, want: []string{"run-d", "run-c", "run-a"}},
		{name: "trigger", f: RunFilter{Trigger: "schedule:hourly"}, want: []string{"run-c"}},
		{name: "trigger kind", f: RunFilter{Trigger: "schedule"}, want: []string{"run-c", "run-b"}},
		{name: "trigger kind prefix only", f: RunFilter{Trigger: "sched"}, want: []string{}},
		{name: "since", f: RunFilter{Since: t0.Add(20 * time.Second)}, want: []string{"run-d", "run-c"}},
		{name: "limit", f: RunFilter{Limit: 2}, want: []string{"run-d", "run-c"}},
		{name: "combined", f: RunFilter{Playbook: "triage", Status: StatusRunning, Since: t0.Add(time.Second)},
			want: []string{"run-d", "run-c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListRuns(t.Context(), tc.f)
			if err != nil {
				t.Fatalf("ListRuns() = %v", err)
			}
			if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
				t.Errorf("ListRuns(%+v) mismatch (-want +got):\n%s", tc.f, diff)
			}
			for _, r := range got {
				if r.Report != nil {
					t.Errorf("ListRuns(): run %s has a report", r.ID)
				}
			}
		})
	}
}

func TestListRunsPaging(t *testing.T) {
	s := openTest(t)
	// Seven runs, the middle five started at the same instant: pages of
	// three must cut through the tie without losing or repeating one.
	for i, offset := range []int{0, 1, 1, 1, 1, 1, 2} {
		mustCreate(t, s, run(fmt.Sprintf("r%d", i), offset))
	}
	want := []string{"r6", "r5", "r4", "r3", "r2", "r1", "r0"}
	var got []string
	var pages []int
	f := RunFilter{Limit: 3}
	for {
		page, err := s.ListRuns(t.Context(), f)
		if err != nil {
			t.Fatalf("ListRuns() = %v", err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(pages, len(page))
		got = append(got, ids(page)...)
		f.Before = CursorOf(page[len(page)-1])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged ListRuns mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3, 3, 1}, pages); diff != "" {
		t.Errorf("page sizes mismatch (-want +got):\n%s", diff)
	}
}

func TestSaveTaskAndTasks(t *testing.T) {
	s := openTest(t)
	mustCreate(t, s, run("run-1", 0), run("run-2", 0))
	for _, tc := range []struct{ run, task, report string }{
		{"run-1", "a", `{"v":1}`},
		{"run-1", "b", `{"v":2}`},
		{"run-1", "a", `{"v":3}`},
		{"run-2", "a", `{"other":true}`},
	} {
		if err := s.SaveTask(t.Context(), tc.run, tc.task, json.RawMessage(tc.report)); err != nil {
			t.Fatalf("SaveTask(%s, %s) = %v", tc.run, tc.task, err)
		}
	}
	got, err := s.Tasks(t.Context(), "run-1")
	if err != nil {
		t.Fatalf("Tasks() = %v", err)
	}
	want := map[string]json.RawMessage{"a": json.RawMessage(`{"v":3}`), "b": json.RawMessage(`{"v":2}`)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tasks() mismatch (-want +got):\n%s", diff)
	}
	if got, err := s.Tasks(t.Context(), "run-none"); err != nil || len(got) != 0 {
		t.Errorf("Tasks(no run) = %v, %v, want none", got, err)
	}
	if err := s.SaveTask(t.Context(), "run-none", "a", json.RawMessage(`{}`)); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveTask(no run) = %v, want ErrNotFound", err)
	}
}

func TestResumeRun(t *testing.T) {
	tests := []struct {
		status string
		ok     bool
	}{
		{StatusInterrupted, true},
		{StatusFailed, true},
		{StatusCancelled, true},
		{StatusSuccessful, false},
		{StatusPartiallySuccessful, false},
		{StatusRunning, false},
	}
	for _, tc := range tests {
		t.Run(tc.status, func(t *testing.T) {
			s := openTest(t)
			mustCreate(t, s, run("run-1", 0))
			if err := s.SaveTask(t.Context(), "run-1", "a", json.RawMessage(`{}`)); err != nil {
				t.Fatal(err)
			}
			if tc.status != StatusRunning {
				if err := s.FinishRun(t.Context(), "run-1", tc.status, t0.Add(time.Minute), json.RawMessage(`{}`), "e"); err != nil {
					t.Fatal(err)
				}
			}
			err := s.ResumeRun(t.Context(), "run-1", "other:1:2")
			if !tc.ok {
				if err == nil || !strings.Contains(err.Error(), tc.status) {
					t.Errorf("ResumeRun(%s run) = %v, want an error naming the status", tc.status, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResumeRun() = %v", err)
			}
			got, err := s.GetRun(t.Context(), "run-1")
			if err != nil {
				t.Fatal(err)
			}
			want := run("run-1", 0)
			want.Status, want.Owner, want.Inputs = StatusRunning, "other:1:2", json.RawMessage(`{}`)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GetRun() after resume mismatch (-want +got):\n%s", diff)
			}
			if tasks, err := s.Tasks(t.Context(), "run-1"); err != nil || len(tasks) != 1 {
				t.Errorf("Tasks() after resume = %v, %v, want the checkpoint kept", tasks, err)
			}
		})
	}
	s := openTest(t)
	if err := s.ResumeRun(t.Context(), "run-none", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("ResumeRun(missing) = %v, want ErrNotFound", err)
	}
}

func TestMarkInterrupted(t *testing.T) {
	s := openTest(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no true command: %v", err)
	}
	host := hostname()
	owners := map[string]string{
		"dead-pid":    ownerToken(host, dead.ProcessState.Pid(), 1),
		"reused-pid":  ownerToken(host, pid, started+1),
		"other-host":  ownerToken("other-host.example", dead.ProcessState.Pid(), 1),
		"this-proc":   Owner(),
		"unparseable": "garbage",
		"finished":    ownerToken(host, dead.ProcessState.Pid(), 1),
	}
	for id, owner := range owners {
		r := run(id, 0)
		r.Owner = owner
		mustCreate(t, s, r)
	}
	if err := s.FinishRun(t.Context(), "finished", StatusSuccessful, t0, nil, ""); err != nil {
		t.Fatal(err)
	}
	got, err := s.MarkInterrupted(t.Context())
	if err != nil {
		t.Fatalf("MarkInterrupted() = %v", err)
	}
	if diff := cmp.Diff([]string{"dead-pid", "reused-pid"}, got); diff != "" {
		t.Errorf("MarkInterrupted() mismatch (-want +got):\n%s", diff)
	}
	for id, want := range map[string]string{"dead-pid": StatusInterrupted, "reused-pid": StatusInterrupted,
		"other-host": StatusRunning, "this-proc": StatusRunning, "unparseable": StatusRunning, "finished": StatusSuccessful} {
		r, err := s.GetRun(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != want {
			t.Errorf("run %s status = %q, want %q", id, r.Status, want)
		}
		if want == StatusInterrupted && (r.FinishedAt.IsZero() || r.Error != interruptedError) {
			t.Errorf("run %s = finished %v, error %q, want a finish time and %q", id, r.FinishedAt, r.Error, interruptedError)
		}
	}
	if got, err := s.MarkInterrupted(t.Context()); err != nil || len(got) != 0 {
		t.Errorf("second MarkInterrupted() = %v, %v, want none", got, err)
	}
}

func TestParseOwner(t *testing.T) {
	host, p, start, ok := parseOwner("host:with:colons:42:7")
	if !ok || host != "host:with:colons" || p != 42 || start != 7 {
		t.Errorf("parseOwner() = %q, %d, %d, %v", host, p, start, ok)
	}
	for _, s := range []string{"", "h:1", "h:x:1", ":1:2", "h:0:1", "h:1:x"} {
		if _, _, _, ok := parseOwner(s); ok {
			t.Errorf("parseOwner(%q) ok, want not", s)
		}
	}
	if h, p, st, ok := parseOwner(Owner()); !ok || h != hostname() || p != pid || st != started {
		t.Errorf("parseOwner(Owner()) = %q, %d, %d, %v", h, p, st, ok)
	}
}
