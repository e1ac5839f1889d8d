package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/engine/plan"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSubPlaybook(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"main.yaml": `playbook: main
tasks:
  ok:
    run: playbook
    with: {file: lib/child.yaml, inputs: {n: 20, title: "${{ 1 + 1 }} literal? no: computed"}}
  broken:
    run: playbook
    with: {file: lib/child.yaml, inputs: {n: 0}}
  after:
    needs: [ok]
    run: test.set
    with: {value: "${{ tasks.ok.raw_data.double + 1 }}"}
`,
		"lib/child.yaml": `playbook: child
inputs:
  n: {type: integer, required: true}
  title: {type: string, default: none}
tasks:
  check:
    run: test.set
    with: {value: "${{ inputs.n }}"}
  refuse:
    needs: [check]
    when: tasks.check.raw_data == 0
    run: test.call
    with: {ids: [bad-zero]}
outputs:
  double: ${{ inputs.n * 2 }}
  title: ${{ inputs.title }}
`,
	})
	rec := &calls{}
	reg := testRegistry(rec, goldenScript)
	c, err := Load(filepath.Join(dir, "main.yaml"), reg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := New(LocalExecutor{Registry: reg}).Run(t.Context(), c, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"double": int64(40), "title": "2 literal? no: computed"}, rep.Tasks["ok"].RawData); diff != "" {
		t.Errorf("ok raw_data (-want +got):\n%s", diff)
	}
	if got := rep.Tasks["after"].RawData; got != int64(41) {
		t.Errorf("after = %#v, want 41", got)
	}
	br := rep.Tasks["broken"]
	if br.Status != plan.Failed || br.Error == nil || !strings.Contains(br.Error.Message, "sub-playbook child Failed: task refuse: bad-zero is unreachable") {
		t.Errorf("broken = %s %+v", br.Status, br.Error)
	}

	// From its sources alone, with the files gone, the playbook compiles
	// and runs the same.
	src := c.Sources()
	if len(src) != 2 {
		t.Fatalf("sources: %d files, want main and child", len(src))
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	c2, err := CompileSources(c.Playbook.File, src, reg)
	if err != nil {
		t.Fatal(err)
	}
	rep2, err := New(LocalExecutor{Registry: reg}).Run(t.Context(), c2, Params{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range rep.Order {
		if a, b := rep.Tasks[id], rep2.Tasks[id]; a.Status != b.Status || !cmp.Equal(a.RawData, b.RawData) {
			t.Errorf("task %s from sources: %s %v, from files %s %v", id, b.Status, b.RawData, a.Status, a.RawData)
		}
	}
	delete(src, filepath.Join(dir, "lib/child.yaml"))
	if _, err := CompileSources(c.Playbook.File, src, reg); err == nil || !strings.Contains(err.Error(), "not among the run's sources") {
		t.Errorf("a missing sub-playbook source: %v", err)
	}
}

func TestSubPlaybookErrors(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"a.yaml":    "playbook: a\ntasks:\n  call_b: {run: playbook, with: {file: b.yaml}}\n",
		"b.yaml":    "playbook: b\ntasks:\n  call_a: {run: playbook, with: {file: a.yaml}}\n",
		"self.yaml": "playbook: self\ntasks:\n  me: {run: playbook, with: {file: self.yaml}}\n",
		"inputs.yaml": `playbook: inputs
tasks:
  missing: {run: playbook, with: {file: child.yaml}}
  unknown: {run: playbook, with: {file: child.yaml, inputs: {n: 1, nn: 2}}}
  nofile: {run: playbook, with: {file: nope.yaml}}
  templated: {run: playbook, with: {file: "${{ 'child.yaml' }}", inputs: {n: 1}}}
`,
		"child.yaml": "playbook: child\ninputs: {n: {type: integer, required: true}}\ntasks:\n  x: {run: test.set}\n",
	})
	reg := testRegistry(&calls{}, nil)
	tests := []struct {
		file string
		want []string
	}{
		{"self.yaml", []string{"self.yaml:3:36: sub-playbook self.yaml calls itself: self.yaml → self.yaml"}},
		{"a.yaml", []string{"a.yaml:3:40: sub-playbook b.yaml is invalid", "b.yaml:3:40: sub-playbook a.yaml calls itself: a.yaml → b.yaml → a.yaml"}},
		{"inputs.yaml", []string{
			`inputs.yaml:3:28: sub-playbook child.yaml needs input "n"`,
			`inputs.yaml:4:68: sub-playbook child.yaml has no input "nn" (did you mean "n"?)`,
			"inputs.yaml:5:40: sub-playbook: load nope.yaml",
			"inputs.yaml:6:43: file must be a literal path: sub-playbooks are checked before the run",
		}},
	}
	for _, tc := range tests {
		_, err := Load(filepath.Join(dir, tc.file), reg)
		if err == nil {
			t.Errorf("%s loaded", tc.file)
			continue
		}
		lines := strings.Split(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""), "\n")
		if len(lines) != len(tc.want) {
			t.Errorf("%s errors:\n%s\nwant %d lines", tc.file, strings.Join(lines, "\n"), len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s error %d = %q, want prefix %q", tc.file, i, lines[i], w)
			}
		}
	}
}
