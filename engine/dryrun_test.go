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
