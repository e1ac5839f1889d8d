package engine

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/engine/eval"
)

func TestRecordedEval(t *testing.T) {
	t.Parallel()
	r := runYAML(t, `
playbook: p
inputs: {severity: {type: string, default: HIGH}}
tasks:
  hosts: {run: test.call, with: {ids: [e1, e2]}}
  skipped: {run: test.call, when: "false"}
`, nil, nil)
	b, err := r.rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ReadReport(b)
	if err != nil {
		t.Fatal(err)
	}
	ok := []struct {
		lang eval.Lang
		src  string
		want any
	}{
		{eval.CEL, "tasks.hosts.key_fields.IDs", []any{"e1", "e2"}},
		{eval.CEL, "tasks.hosts.raw_data.count + 1", int64(3)}, // integers stay integers
		{eval.CEL, `size(tasks.skipped.key_fields.IDs) == 0 && tasks.skipped.reason == "when was false"`, true},
		{eval.Expr, "len(tasks.hosts.key_fields.IDs) * 10", int64(20)},
		{eval.CEL, "$.tasks.hosts.raw_data.ids[-1]", "e2"},
		{eval.CEL, "severity ${{ inputs.severity }}", "severity HIGH"},
		{eval.CEL, "run.id", r.rep.RunID},
	}
	for _, tc := range ok {
		got, err := rec.Eval(t.Context(), tc.lang, tc.src)
		if err != nil {
			t.Errorf("Eval(%q): %v", tc.src, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Eval(%q) (-want +got):\n%s", tc.src, diff)
		}
	}
	bad := []struct {
		src, msg, hint string
		off            int
	}{
		{"tasks.host.status", `the run has no task "host"`, `did you mean "hosts"?`, 0},
		{"1 + tasks.hosts.retrun_data", `tasks.hosts has no field "retrun_data"`, `did you mean "return_data"?`, 4},
		{"tasks.hosts.key_fields.Ids", `tasks.hosts.key_fields has no Key Field "Ids" (it has IDs)`, `did you mean "IDs"?`, 0},
		{"inputs.sev", `the run has no input "sev"`, `did you mean "severity"?`, 0},
		{"tasks.hosts.raw_data.count +", "syntax error: the expression ends too early", "", 28},
	}
	for _, tc := range bad {
		_, err := rec.Eval(t.Context(), eval.CEL, tc.src)
		var ee *eval.Error
		if !errors.As(err, &ee) {
			t.Errorf("Eval(%q) = %v, want an *eval.Error", tc.src, err)
			continue
		}
		if ee.Msg != tc.msg || ee.Hint != tc.hint || ee.Offset != tc.off {
			t.Errorf("Eval(%q) = {%d %q %q}, want {%d %q %q}", tc.src, ee.Offset, ee.Msg, ee.Hint, tc.off, tc.msg, tc.hint)
		}
	}
	if _, err := ReadReport([]byte(`[1]`)); err == nil {
		t.Error("ReadReport accepted a list")
	}
}
