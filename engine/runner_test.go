package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/plan"
)

// failing scripts a task named "bad" (or any named in fails) to fail with
// the given status code on every call.
func failing(code int, fails ...string) script {
	return func(task string, n int, req actions.Request) actions.Envelope {
		for _, f := range append(fails, "bad") {
			if task == f {
				return fail(code, "vendor said no")
			}
		}
		return actions.Succeed(map[string]any{"n": int64(n)}, map[string][]any{"IDs": {task}})
	}
}

// TestJoinRows runs each row of the README's readiness table end to end.
func TestJoinRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		join       string
		allowFail  bool
		skipA      bool // a's when is false
		want       plan.Status
		wantReason string
	}{
		{"all_succeeded default skips after a failure", "all_succeeded", false, false, plan.Skipped, "need bad failed"},
		{"all_succeeded counts allow_failure as success", "all_succeeded", true, false, plan.Succeeded, ""},
		{"all_succeeded skips after a skip", "all_succeeded", false, true, plan.Skipped, "need a was skipped"},
		{"any_succeeded runs when one succeeded", "any_succeeded", false, false, plan.Succeeded, ""},
		{"none_failed skips after a failure", "none_failed", false, false, plan.Skipped, "need bad failed"},
		{"none_failed runs after a skip", "none_failed", false, true, plan.Skipped, "need bad failed"},
		{"any_failed runs the handler", "any_failed", false, false, plan.Succeeded, ""},
		{"any_failed does not run when the failure was allowed", "any_failed", true, false, plan.Skipped, "no need failed"},
		{"all_done runs whatever happened", "all_done", false, true, plan.Succeeded, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			when := "true"
			if tc.skipA {
				when = "false"
			}
			src := `
playbook: joins
tasks:
  a:
    run: test.call
    when: ` + when + `
  bad:
    run: test.call
    allow_failure: ` + map[bool]string{true: "true", false: "false"}[tc.allowFail] + `
  c:
    needs: [a, bad]
    join: ` + tc.join + `
    run: test.set
`
			r := runYAML(t, src, nil, failing(500))
			r.wantStatus("c", tc.want)
			r.wantReason("c", tc.wantReason)
		})
	}
}

func TestNoneFailedAfterSkip(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  a: {run: test.call, when: "false"}
  b: {run: test.call}
  c: {needs: [a, b], join: none_failed, run: test.set}
`, nil, nil)
	r.wantStatus("a", plan.Skipped)
	r.wantReason("a", "when was false")
	r.wantStatus("c", plan.Succeeded)
	r.wantRun(RunSuccessful)
}

func TestFailureStopsOnlyItsBranch(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  bad: {run: test.call}
  after_bad: {needs: [bad], run: test.call}
  deeper: {needs: [after_bad], run: test.call}
  other: {run: test.call}
  after_other: {needs: [other], run: test.call}
`, nil, failing(400))
	r.wantStatus("bad", plan.Failed)
	r.wantStatus("after_bad", plan.Skipped)
	r.wantReason("after_bad", "need bad failed")
	r.wantReason("deeper", "need after_bad was skipped")
	r.wantStatus("after_other", plan.Succeeded)
	r.wantRun(RunFailed)
	if n := r.calls.n("after_bad"); n != 0 {
		t.Errorf("after_bad was called %d times, want 0", n)
	}
}

func TestFailFast(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := runYAML(t, `
playbook: p
fail_fast: true
tasks:
  bad: {run: test.call}
  slow: {run: test.wait, with: {duration: 1h}}
  later: {needs: [slow], run: test.call}
`, nil, failing(400))
		r.wantStatus("bad", plan.Failed)
		r.wantStatus("slow", plan.Cancelled)
		r.wantStatus("later", plan.Cancelled)
		r.wantReason("later", "fail_fast: task bad failed")
		r.wantRun(RunFailed)
	})
}

func TestRunStatusRules(t *testing.T) {
	t.Parallel()
	partialScript := func(task string, n int, req actions.Request) actions.Envelope {
		if task == "partial" {
			return actions.Envelope{ReturnData: actions.PartiallySuccessful, Error: &actions.Error{Message: "1 of 2 failed"}}
		}
		return failing(500)(task, n, req)
	}
	tests := []struct {
		name, src string
		want      string
	}{
		{"all succeeded", "tasks:\n  a: {run: test.call}\n", RunSuccessful},
		{"a failure", "tasks:\n  bad: {run: test.call}\n", RunFailed},
		{"an allowed failure", "tasks:\n  bad: {run: test.call, allow_failure: true}\n", RunPartiallySuccessful},
		{"a partially successful task", "tasks:\n  partial: {run: test.call}\n", RunPartiallySuccessful},
		{"a failed finally task", "tasks:\n  a: {run: test.call}\nfinally:\n  bad: {run: test.call}\n", RunFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runYAML(t, "playbook: p\n"+tc.src, nil, partialScript)
			r.wantRun(tc.want)
		})
	}
}

func TestSkippedTaskEnvelopeEvaluates(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  a: {run: test.call, when: "false"}
  b:
    needs: [a]
    join: all_done
    when: size(tasks.a.key_fields.IDs) == 0 && tasks.a.return_data == "" && tasks.a.raw_data == null && tasks.a.status == "skipped"
    run: test.set
    with: {value: "${{ tasks.a.reason }}"}
`, nil, nil)
	r.wantStatus("b", plan.Succeeded)
	if got := r.task("b").RawData; got != "when was false" {
		t.Errorf("b raw_data = %v, want the skip reason", got)
	}
}

func TestTemplatesKeepTypes(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
inputs:
  id: {type: string, required: true}
  n: {type: integer, default: 2}
tasks:
  a:
    run: test.set
    with:
      value:
        typed: ${{ [inputs.id, "x"] }}
        mixed: "id=${{ inputs.id }} n=${{ inputs.n }}"
        sum: ${{ inputs.n + 1 }}
        path: $.inputs.id
        escaped: $$.inputs.id
        nested: [{deep: "${{ inputs.n * 2 }}"}]
  b:
    needs: [a]
    run: test.set
    with: {value: "${{ tasks.a.raw_data.sum + 1 }}"}
`, map[string]any{"id": "INC-1"}, nil)
	want := map[string]any{
		"typed":   []any{"INC-1", "x"},
		"mixed":   "id=INC-1 n=2",
		"sum":     int64(3),
		"path":    "INC-1",
		"escaped": "$.inputs.id",
		"nested":  []any{map[string]any{"deep": int64(4)}},
	}
	if diff := cmp.Diff(want, r.task("a").RawData); diff != "" {
		t.Errorf("a raw_data (-want +got):\n%s", diff)
	}
	if got := r.task("b").RawData; got != int64(4) {
		t.Errorf("b raw_data = %#v, want int64(4): JSON integers stay integers", got)
	}
}

// TestDataIsNeverCode feeds attacker-shaped strings through inputs and
// vendor data: they come out as the same text.
func TestDataIsNeverCode(t *testing.T) {
	t.Parallel()
	evil := []string{"${{ 1 + 1 }}", "$.inputs", "{{ 7*7 }}", "<% 1 %>", "$$.x", "${{ inputs.title }}"}
	for _, lang := range []string{"cel", "expr"} {
		for _, s := range evil {
			t.Run(lang+"/"+s, func(t *testing.T) {
				t.Parallel()
				sc := func(task string, n int, req actions.Request) actions.Envelope {
					return actions.Succeed(map[string]any{"title": s}, nil)
				}
				r := runYAML(t, `
playbook: p
expressions: `+lang+`
inputs: {title: {type: string}}
tasks:
  alert: {run: test.call}
  a:
    needs: [alert]
    run: test.set
    with:
      value: ["${{ inputs.title }}", "${{ tasks.alert.raw_data.title }}", "t: ${{ tasks.alert.raw_data.title }}", $.tasks.alert.raw_data.title]
`, map[string]any{"title": s}, sc)
				want := []any{s, s, "t: " + s, s}
				if diff := cmp.Diff(want, r.task("a").RawData); diff != "" {
					t.Errorf("raw_data (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestForEach(t *testing.T) {
	t.Parallel()
	sc := func(task string, n int, req actions.Request) actions.Envelope {
		id := req.Strings("ids")[0]
		if id == "h2" {
			return fail(404, "h2 not found")
		}
		return actions.Succeed(map[string]any{"id": id}, map[string][]any{"IDs": {id, id + "-b"}})
	}
	for _, conc := range []string{"", "\n    concurrency: 3"} {
		r := runYAML(t, `
playbook: p
inputs: {hosts: {type: array}}
tasks:
  each:
    for_each: ${{ inputs.hosts }}`+conc+`
    run: test.call
    with: {ids: "${{ item }}", note: "#${{ index }}"}
`, map[string]any{"hosts": []any{"h1", "h2", "h3"}}, sc)
		tr := r.task("each")
		r.wantStatus("each", plan.Succeeded)
		if tr.ReturnData != actions.PartiallySuccessful {
			t.Errorf("return_data = %s, want Partially Successful", tr.ReturnData)
		}
		wantRaw := []any{map[string]any{"id": "h1"}, nil, map[string]any{"id": "h3"}}
		if diff := cmp.Diff(wantRaw, tr.RawData); diff != "" {
			t.Errorf("raw_data (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]any{"h1", "h1-b", "h3", "h3-b"}, tr.KeyFields["IDs"]); diff != "" {
			t.Errorf("IDs (-want +got):\n%s", diff)
		}
		r.wantMessage("each", "items 1 failed: h2 not found")
		if tr.Attempts != 3 {
			t.Errorf("attempts = %d, want 3", tr.Attempts)
		}
		r.wantRun(RunPartiallySuccessful)
	}
}

func TestForEachEdges(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  empty:
    for_each: ${{ [] }}
    run: test.call
    with: {ids: "${{ item }}"}
  all_fail:
    for_each: [a, b]
    run: test.call
    with: {ids: "${{ item }}"}
  not_list:
    for_each: ${{ "x" }}
    run: test.set
`, nil, func(task string, n int, req actions.Request) actions.Envelope { return fail(500, "down") })
	r.wantStatus("empty", plan.Succeeded)
	if diff := cmp.Diff([]any{}, r.task("empty").RawData); diff != "" {
		t.Errorf("empty raw_data (-want +got):\n%s", diff)
	}
	r.wantStatus("all_fail", plan.Failed)
	r.wantStatus("not_list", plan.Failed)
	r.wantMessage("not_list", "for_each must give a list, got a string")
}

func TestRetry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		flaky := func(task string, n int, req actions.Request) actions.Envelope {
			switch {
			case task == "flaky" && n < 3:
				return fail(503, "busy")
			case task == "client_error":
				return fail(400, "bad request")
			case task == "custom" && n < 2:
				return fail(409, "conflict")
			}
			return actions.Succeed("ok", nil)
		}
		start := time.Now()
		r := runYAML(t, `
playbook: p
tasks:
  flaky: {run: test.call, retry: {attempts: 5, backoff: 1s}}
  client_error: {run: test.call, retry: {attempts: 5, backoff: 1s}}
  custom:
    run: test.call
    retry: {attempts: 3, backoff: 1s, retry_if: "tasks.custom.error.status_code == 409 && tasks.custom.attempts < 3"}
`, nil, flaky)
		r.wantStatus("flaky", plan.Succeeded)
		if got := r.task("flaky").Attempts; got != 3 {
			t.Errorf("flaky attempts = %d, want 3", got)
		}
		r.wantStatus("client_error", plan.Failed)
		if got := r.task("client_error").Attempts; got != 1 {
			t.Errorf("client_error attempts = %d, want 1 (400 is not retried)", got)
		}
		r.wantStatus("custom", plan.Succeeded)
		if got := r.task("custom").Attempts; got != 2 {
			t.Errorf("custom attempts = %d, want 2", got)
		}
		// flaky waited 1s then 2s (no jitter in tests).
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("elapsed = %s, want 3s of backoff", got)
		}
		// The attempt log holds each call, the waits between them as gaps.
		type att struct {
			N, Code int
			RD      actions.ReturnData
			Err     string
			At      time.Duration
		}
		var got []att
		for _, a := range r.task("flaky").AttemptLog {
			if a.Item != nil || a.FinishedAt.Before(a.StartedAt) {
				t.Errorf("attempt %+v: item set or ends before it starts", a)
			}
			got = append(got, att{a.Attempt, a.StatusCode, a.ReturnData, a.Error, a.StartedAt.Sub(start)})
		}
		want := []att{
			{1, 503, actions.Failed, "busy", 0},
			{2, 503, actions.Failed, "busy", time.Second},
			{3, 0, actions.Successful, "", 3 * time.Second},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("flaky attempt_log (-want +got):\n%s", diff)
		}
	})
}

// TestAttemptLogForEach: items' calls are logged in item order with their
// index, and a task's log stops at MaxAttemptLog entries, counting the rest.
func TestAttemptLogForEach(t *testing.T) {
	t.Parallel()
	n := MaxAttemptLog + 5
	r := runYAML(t, `
playbook: p
inputs: {list: {type: array}}
tasks:
  few:
    for_each: ${{ ["ok", "bad", "ok2"] }}
    concurrency: 3
    run: test.call
    with: {ids: ["${{ item }}"]}
  many:
    for_each: ${{ inputs.list }}
    run: test.call
`, map[string]any{"list": slices.Repeat([]any{"x"}, n)}, func(task string, _ int, req actions.Request) actions.Envelope {
		if ids := req.Strings("ids"); len(ids) == 1 && ids[0] == "bad" {
			return fail(500, "bad is down")
		}
		return actions.Succeed("ok", nil)
	})
	var items []int
	var rds []actions.ReturnData
	for _, a := range r.task("few").AttemptLog {
		if a.Item == nil {
			t.Fatalf("attempt %+v has no item", a)
		}
		items, rds = append(items, *a.Item), append(rds, a.ReturnData)
	}
	if diff := cmp.Diff([]int{0, 1, 2}, items); diff != "" {
		t.Errorf("few items (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]actions.ReturnData{actions.Successful, actions.Failed, actions.Successful}, rds); diff != "" {
		t.Errorf("few return data (-want +got):\n%s", diff)
	}
	many := r.task("many")
	if many.Attempts != n || len(many.AttemptLog) != MaxAttemptLog || many.AttemptLogOmitted != 5 {
		t.Errorf("many: attempts %d, log %d, omitted %d; want %d, %d, 5", many.Attempts, len(many.AttemptLog), many.AttemptLogOmitted, n, MaxAttemptLog)
	}
	if last := many.AttemptLog[len(many.AttemptLog)-1]; *last.Item != MaxAttemptLog-1 {
		t.Errorf("last logged item = %d, want %d", *last.Item, MaxAttemptLog-1)
	}
}

// TestAttemptLogPolls: one item's polls are bounded the same way.
func TestAttemptLogPolls(t *testing.T) {
	t.Parallel()
	n := MaxAttemptLog + 7
	r := runYAML(t, fmt.Sprintf(`
playbook: p
tasks:
  poll:
    run: test.call
    until: tasks.poll.attempts < 0
    repeat: {every: 1s, max: %d}
`, n), nil, func(string, int, actions.Request) actions.Envelope { return actions.Succeed("pending", nil) },
		WithClock(fixedClock{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}))
	poll := r.task("poll")
	if poll.Attempts != n || len(poll.AttemptLog) != MaxAttemptLog || poll.AttemptLogOmitted != 7 {
		t.Errorf("poll: attempts %d, log %d, omitted %d; want %d, %d, 7", poll.Attempts, len(poll.AttemptLog), poll.AttemptLogOmitted, n, MaxAttemptLog)
	}
	if last := poll.AttemptLog[MaxAttemptLog-1]; last.Attempt != MaxAttemptLog {
		t.Errorf("last logged call = %d, want %d", last.Attempt, MaxAttemptLog)
	}
}

func TestEngineErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
inputs: {x: {type: object, default: {}}}
tasks:
  a:
    run: test.call
    retry: {attempts: 3}
    with: {limit: "${{ inputs.x.missing }}"}
`, nil, nil)
	r.wantStatus("a", plan.Failed)
	if got := r.task("a").Attempts; got != 0 {
		t.Errorf("attempts = %d, want 0: the command was never called", got)
	}
	r.wantMessage("a", "test.yaml:7:")
}

func TestUntilRepeat(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc := func(task string, n int, req actions.Request) actions.Envelope {
			status := "PENDING"
			if n >= 3 {
				status = "COMPLETED"
			}
			return actions.Succeed(map[string]any{"status": status, "poll": int64(n)}, nil)
		}
		start := time.Now()
		r := runYAML(t, `
playbook: p
tasks:
  poll:
    run: test.call
    until: tasks.poll.raw_data.status == "COMPLETED"
    repeat: {every: 10s, max: 5}
  never:
    run: test.call
    until: tasks.never.raw_data.status == "NOPE"
    repeat: {every: 10s, max: 2}
`, nil, sc)
		r.wantStatus("poll", plan.Succeeded)
		if got := r.task("poll").Attempts; got != 3 {
			t.Errorf("poll attempts = %d, want 3", got)
		}
		r.wantStatus("never", plan.Failed)
		r.wantMessage("never", "until not met after 2 polls")
		if got := time.Since(start); got != 20*time.Second {
			t.Errorf("elapsed = %s, want 20s (two waits of 10s)", got)
		}
	})
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := runYAML(t, `
playbook: p
tasks:
  slow:
    run: test.wait
    timeout: 50ms
    retry: {attempts: 3}
    with: {duration: 1h}
  after: {needs: [slow], run: test.set}
`, nil, nil)
		r.wantStatus("slow", plan.Failed)
		r.wantMessage("slow", "timed out after 50ms")
		if got := r.task("slow").Attempts; got != 1 {
			t.Errorf("attempts = %d, want 1: the timeout bounds all attempts", got)
		}
		r.wantReason("after", "need slow failed")
	})
}

func TestPlaybookTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := runYAML(t, `
playbook: p
timeout: 1m
tasks:
  slow: {run: test.wait, with: {duration: 1h}}
  after: {needs: [slow], run: test.set}
`, nil, nil)
		r.wantRun(RunFailed)
		if r.rep.Error != "playbook timed out after 1m0s" {
			t.Errorf("run error = %q", r.rep.Error)
		}
		r.wantStatus("slow", plan.Cancelled)
		r.wantStatus("after", plan.Cancelled)
	})
}

func TestCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := &calls{}
		reg := testRegistry(rec, nil)
		c := compileYAML(t, reg, `
playbook: p
tasks:
  slow: {run: test.wait, with: {duration: 1h}}
  after: {needs: [slow], run: test.set}
  quick: {run: test.set}
`)
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		rep, err := New(LocalExecutor{Registry: reg}).Run(ctx, c, Params{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != RunCancelled {
			t.Errorf("status = %s, want Cancelled", rep.Status)
		}
		if got := rep.Tasks["slow"].Status; got != plan.Cancelled {
			t.Errorf("slow = %s, want cancelled", got)
		}
		if got := rep.Tasks["after"].Status; got != plan.Cancelled {
			t.Errorf("after = %s, want cancelled", got)
		}
		if got := rep.Tasks["quick"].Status; got != plan.Succeeded {
			t.Errorf("quick = %s, want succeeded", got)
		}
	})
}

func TestEmptyTargetsFailClosed(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
inputs: {hosts: {type: array, default: []}}
tasks:
  search: {run: test.call, with: {ids: "${{ inputs.hosts }}"}}
  path: {run: test.call, with: {ids: "$.inputs.hosts[*]"}}
  allowed: {run: test.call, allow_empty: [ids], with: {ids: "${{ inputs.hosts }}"}}
  literal: {run: test.call, with: {ids: []}}
  local: {run: test.set, with: {value: "${{ inputs.hosts }}"}}
`, nil, nil)
	r.wantStatus("search", plan.Failed)
	r.wantMessage("search", "ids resolved to no values")
	r.wantStatus("path", plan.Failed)
	r.wantStatus("allowed", plan.Succeeded)
	r.wantStatus("literal", plan.Succeeded)
	r.wantStatus("local", plan.Succeeded)
	if n := r.calls.n("search") + r.calls.n("path"); n != 0 {
		t.Errorf("the vendor was called %d times with no targets", n)
	}
}

func TestTyping(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
inputs: {id: {type: string, default: h1}, n: {type: integer, default: 500}}
tasks:
  scalar_to_list: {run: test.call, with: {ids: "${{ inputs.id }}", mode: slow mode}}
  out_of_range: {run: test.call, retry: {attempts: 3}, with: {limit: "${{ inputs.n }}"}}
`, nil, nil)
	r.wantStatus("scalar_to_list", plan.Succeeded)
	got := r.calls.got["scalar_to_list"][0]
	if diff := cmp.Diff(map[string]any{"ids": []any{"h1"}, "mode": "slow"}, got); diff != "" {
		t.Errorf("inputs sent (-want +got):\n%s", diff)
	}
	r.wantStatus("out_of_range", plan.Failed)
	r.wantMessage("out_of_range", "limit")
	if r.calls.n("out_of_range") != 0 {
		t.Error("a wrongly typed input reached the command")
	}
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  a: {run: test.call, with: {ids: [x, y]}}
  skipped: {run: test.call, when: "false"}
outputs:
  ids: ${{ tasks.a.key_fields.IDs }}
  count: $.tasks.a.raw_data.count
`, nil, nil)
	if diff := cmp.Diff(map[string]any{"ids": []any{"x", "y"}, "count": int64(2)}, r.rep.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	r = runYAML(t, `
playbook: p
tasks:
  skipped: {run: test.call, when: "false"}
outputs:
  broken: ${{ tasks.skipped.raw_data.count }}
`, nil, nil)
	r.wantRun(RunFailed)
	if !strings.Contains(r.rep.Error, "output broken") {
		t.Errorf("run error = %q, want it to name the output", r.rep.Error)
	}
}

func TestFinallyAlwaysRuns(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  bad: {run: test.call}
finally:
  cleanup:
    run: test.set
    with: {value: "${{ tasks.bad.status }}"}
  after_cleanup: {needs: [cleanup], run: test.set}
`, nil, failing(500))
	r.wantStatus("cleanup", plan.Succeeded)
	if got := r.task("cleanup").RawData; got != "failed" {
		t.Errorf("cleanup saw bad as %v, want failed", got)
	}
	r.wantStatus("after_cleanup", plan.Succeeded)
	if diff := cmp.Diff([]string{"bad", "cleanup", "after_cleanup"}, r.rep.Order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestWhenRuntimeErrorFailsTask(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  a: {run: test.call}
  b:
    needs: [a]
    retry: {attempts: 3}
    when: tasks.a.raw_data.count > "x"
    run: test.call
`, nil, nil)
	r.wantStatus("b", plan.Failed)
	r.wantMessage("b", "test.yaml:7:34")
	if r.calls.n("b") != 0 {
		t.Error("b ran despite its when failing")
	}
}

func TestExprLanguage(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
expressions: expr
tasks:
  a: {run: test.call, with: {ids: [x, y]}}
  b:
    needs: [a]
    when: len(tasks.a.key_fields.IDs) == 2 && tasks.a.raw_data.count + 1 == 3
    run: test.set
    with: {value: "${{ tasks.a.raw_data.count * 10 }}"}
`, nil, nil)
	r.wantStatus("b", plan.Succeeded)
	if got := r.task("b").RawData; got != int64(20) {
		t.Errorf("b raw_data = %#v, want int64(20)", got)
	}
}

func TestExtraKeyFields(t *testing.T) {
	t.Parallel()
	sc := func(task string, n int, req actions.Request) actions.Envelope {
		return actions.Succeed(map[string]any{"reply": map[string]any{"endpoints": []any{
			map[string]any{"endpoint_id": "e1", "ip": []any{"10.0.0.1"}},
			map[string]any{"endpoint_id": "e2", "ip": []any{"10.0.0.2"}},
		}}}, map[string][]any{"IDs": {"x"}})
	}
	r := runYAML(t, `
playbook: p
tasks:
  a:
    run: test.call
    key_fields:
      EndpointIDs: $.reply.endpoints[*].endpoint_id
      First: $.reply.endpoints[0].endpoint_id
      Missing: $.reply.nothing
  b:
    needs: [a]
    when: size(tasks.a.key_fields.EndpointIDs) == 2 && tasks.a.key_fields.First == ["e1"]
    run: test.set
`, nil, sc)
	want := map[string][]any{"IDs": {"x"}, "EndpointIDs": {"e1", "e2"}, "First": {"e1"}, "Missing": {}}
	if diff := cmp.Diff(want, r.task("a").KeyFields); diff != "" {
		t.Errorf("key_fields (-want +got):\n%s", diff)
	}
	r.wantStatus("b", plan.Succeeded)
}

// TestDescendantPathReadsNeeds checks a JSONPath that may read any task
// ($..x) sees every task the reader needs.
func TestDescendantPathReadsNeeds(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  a: {run: test.set, with: {value: {marker: found}}}
  b: {run: test.set, needs: [a], with: {value: "$..marker"}}
`, nil, nil)
	if diff := cmp.Diff([]any{"found"}, r.task("b").RawData); diff != "" {
		t.Errorf("b raw_data (-want +got):\n%s", diff)
	}
}

// TestRuleBetweenInputsAtRun checks that a command's rule between inputs
// whose values come from templates fails the task before any call.
func TestRuleBetweenInputsAtRun(t *testing.T) {
	r := runYAML(t, `
playbook: rules
inputs:
  note: {type: string}
tasks:
  a:
    run: test.call
    with:
      ids: [x]
      note: "${{ inputs.note }}"
`, map[string]any{"note": "slow only"}, nil)
	r.wantStatus("a", plan.Failed)
	r.wantMessage("a", `input "note": "slow only" needs mode Slow Mode`)
	if n := r.calls.n("a"); n != 0 {
		t.Errorf("test.call was called %d times, want 0", n)
	}
}
