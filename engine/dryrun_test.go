package engine

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/engine/plan"
)

func TestDryRun(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
tasks:
  search: {run: test.call, with: {ids: [h1, h2]}}
  isolate:
    needs: [search]
    for_each: ${{ tasks.search.key_fields.IDs }}
    concurrency: 2
    run: test.mutate
    with: {ids: "${{ item }}", note: "isolate ${{ item }}"}
  comment:
    needs: [isolate]
    run: test.mutate
    with: {ids: [c1], mode: Slow Mode}
  after:
    needs: [comment]
    when: tasks.comment.status == "dry_run"
    run: test.set
    with: {value: "${{ tasks.comment.raw_data.dry_run }}"}
`, nil, nil, WithDryRun(true))
	r.wantStatus("search", plan.Succeeded)
	r.wantStatus("isolate", plan.DryRun)
	r.wantStatus("comment", plan.DryRun)
	r.wantStatus("after", plan.Succeeded)
	r.wantRun(RunSuccessful)
	if n := r.calls.n("isolate") + r.calls.n("comment"); n != 0 {
		t.Errorf("mutating commands were called %d times in a dry run", n)
	}
	if r.calls.n("search") != 1 {
		t.Error("the non-mutating search did not run")
	}
	if got := r.task("after").RawData; got != true {
		t.Errorf("after = %v, want true", got)
	}
	zero, one := 0, 1
	want := []SideEffect{
		{Task: "isolate", Item: &zero, Command: "test.mutate", Request: map[string]any{"inputs": map[string]any{"ids": []any{"h1"}, "mode": "fast", "note": "isolate h1"}}},
		{Task: "isolate", Item: &one, Command: "test.mutate", Request: map[string]any{"inputs": map[string]any{"ids": []any{"h2"}, "mode": "fast", "note": "isolate h2"}}},
		{Task: "comment", Command: "test.mutate", Request: map[string]any{"inputs": map[string]any{"ids": []any{"c1"}, "mode": "slow"}}},
	}
	if diff := cmp.Diff(want, r.rep.SideEffects); diff != "" {
		t.Errorf("side effects (-want +got):\n%s", diff)
	}
	if !r.rep.DryRun {
		t.Error("report does not say dry_run")
	}
	if got := r.task("comment").Attempts; got != 0 {
		t.Errorf("comment attempts = %d, want 0 (no call made)", got)
	}
}

func TestDryRunSubPlaybook(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"main.yaml":  "playbook: main\ntasks:\n  child: {run: playbook, with: {file: child.yaml}}\n",
		"child.yaml": "playbook: child\ntasks:\n  change: {run: test.mutate, with: {ids: [x]}}\n",
	})
	rec := &calls{}
	reg := testRegistry(rec, nil)
	c, err := Load(filepath.Join(dir, "main.yaml"), reg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := New(LocalExecutor{Registry: reg}, WithDryRun(true)).Run(t.Context(), c, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.SideEffects) != 1 || rep.SideEffects[0].Task != "child/change" {
		t.Errorf("side effects = %+v, want child/change", rep.SideEffects)
	}
	if rec.n("change") != 0 {
		t.Error("the sub-playbook's mutating command ran")
	}
}

// A read whose input comes from a call the dry run did not make is not
// called either: it reports dry_run saying why, instead of failing with
// "resolved to no values", and the run stays Successful. Outside a dry
// run, the same empty input fails closed.
func TestDryRunBlocksDependentReads(t *testing.T) {
	t.Parallel()
	src := `
playbook: p
tasks:
  change: {run: test.mutate, with: {ids: [h1]}}
  poll:
    needs: [change]
    run: test.call
    with: {ids: "${{ tasks.change.key_fields.IDs }}"}
`
	r := runYAML(t, src, nil, nil, WithDryRun(true))
	r.wantStatus("change", plan.DryRun)
	r.wantStatus("poll", plan.DryRun)
	r.wantRun(RunSuccessful)
	if r.calls.n("poll") != 0 {
		t.Error("poll was called")
	}
	raw, _ := r.task("poll").RawData.(map[string]any)
	if want := "ids resolved to no values: it comes from task change, which the dry run did not call"; raw["not_called"] != want {
		t.Errorf("poll raw_data = %v, want not_called %q", raw, want)
	}
	if len(r.rep.SideEffects) != 1 {
		t.Errorf("side effects = %+v, want only change's", r.rep.SideEffects)
	}
}
