package playbook

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseModel(t *testing.T) {
	t.Parallel()
	src := `playbook: contain
description: d
expressions: expr
inputs:
  incident_id: {type: string, required: true}
  report_only: {type: boolean, default: false}
  plain:
connections:
  xdr: cortex_xdr
tasks:
  details:
    run: cortex_xdr.get_incident_details
    with: {incident_ids: ["${{ inputs.incident_id }}"], alerts_limit: 100}
  isolate:
    needs: details
    join: all_done
    when: size(tasks.details.key_fields.HostNames) > 0
    run: cortex_xdr.isolate_hosts
    retry: {attempts: 3, backoff: 2s, max_backoff: 10s}
    timeout: 60s
    allow_failure: true
    key_fields: {Extra: $.reply.x}
finally:
  note: {run: core.set}
outputs:
  out: ${{ tasks.isolate.key_fields.EndpointIDs }}
fail_fast: true
concurrency: 4
timeout: 1h
`
	pb, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if pb.Name != "contain" || pb.Expressions != "expr" || !pb.FailFast || pb.Concurrency != 4 || pb.Timeout.String() != "1h0m0s" {
		t.Errorf("top level = %+v", pb)
	}
	if got := len(pb.Inputs); got != 3 || !pb.Inputs[0].Required || pb.Inputs[1].Default.Data != false || pb.Inputs[2].Type != TypeString {
		t.Errorf("inputs = %+v", pb.Inputs)
	}
	iso := pb.Task("isolate")
	if iso == nil || iso.Join != JoinAllDone || len(iso.Needs) != 1 || iso.Needs[0].Name != "details" || !iso.AllowFailure {
		t.Fatalf("isolate = %+v", iso)
	}
	if iso.Retry.Attempts != 3 || iso.Retry.Backoff.String() != "2s" || iso.Retry.MaxBackoff.String() != "10s" {
		t.Errorf("retry = %+v", iso.Retry)
	}
	if iso.When.Pos != (Pos{Line: 17, Col: 11}) {
		t.Errorf("when pos = %v, want 17:11", iso.When.Pos)
	}
	if got := pb.Task("details").With.Get("alerts_limit").Data; got != int64(100) {
		t.Errorf("alerts_limit = %#v, want int64(100)", got)
	}
	if n := pb.Task("note"); n == nil || !n.Finally {
		t.Errorf("finally task = %+v", n)
	}
	if len(pb.Outputs) != 1 || pb.Outputs[0].Name != "out" {
		t.Errorf("outputs = %+v", pb.Outputs)
	}
}

// TestValueAt checks the one helper that maps an offset in a scalar's text
// to a file position, for each scalar style.
func TestValueAt(t *testing.T) {
	t.Parallel()
	src := `playbook: p
tasks:
  a:
    run: x.y
    with:
      plain: abc ${{ x }}
      double: "abc ${{ x }}"
      single: 'abc ${{ x }}'
      literal: |
        line one
          ${{ x }}
      folded: >
        abc ${{ x }}
`
	pb, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w := pb.Task("a").With
	tests := []struct {
		key  string
		off  int
		want Pos
	}{
		{"plain", 4, Pos{6, 18}},
		{"double", 4, Pos{7, 20}},
		{"single", 4, Pos{8, 20}},
		{"literal", 0, Pos{10, 9}},
		{"literal", strings.Index("line one\n  ${{ x }}\n", "$"), Pos{11, 11}},
		{"folded", 4, Pos{13, 13}},
	}
	for _, tc := range tests {
		if got := w.Get(tc.key).At(tc.off); got != tc.want {
			t.Errorf("%s.At(%d) = %v, want %v", tc.key, tc.off, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      []string
	}{
		{"empty", "", []string{"p.yaml:1:1: empty playbook: expected a mapping with playbook and tasks"}},
		{"not a mapping", "- a\n", []string{"p.yaml:1:1: playbook must be a mapping, got a list"}},
		{"two documents", "playbook: a\ntasks: {a: {run: x.y}}\n---\nb: 1\n", []string{"p.yaml:3:1: a playbook file holds one YAML document"}},
		{"alias", "playbook: a\nx: &a 1\ntasks: {a: {run: x.y, with: {v: *a}}}\n", []string{"p.yaml:3:33: YAML aliases are not supported in playbooks"}},
		{"missing keys", "description: x\n", []string{`p.yaml:1:1: missing required key "playbook" (the playbook's name)`, `p.yaml:1:1: missing required key "tasks"`}},
		{"no run", "playbook: a\ntasks:\n  t: {}\n", []string{"p.yaml:3:3: task t has no run: name the command it calls (see playbook actions list)"}},
		{"duplicate needs", "playbook: a\ntasks:\n  t: {run: x.y}\n  u: {run: x.y, needs: [t, t]}\n", []string{`p.yaml:4:28: needs lists "t" twice`}},
		{"finally needs task", "playbook: a\ntasks:\n  t: {run: x.y}\nfinally:\n  f: {run: x.y, needs: [t]}\n", []string{"p.yaml:5:25: finally task f needs t: finally tasks run after every task has ended; read tasks.t without needs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if diff := cmp.Diff(tc.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"need", []string{"needs", "when"}, `did you mean "needs"?`},
		{"retrun_data", []string{"return_data", "raw_data"}, `did you mean "return_data"?`},
		{"incident", []string{"incident_id"}, `did you mean "incident_id"?`},
		{"zzz", []string{"needs"}, ""},
		{"needs", []string{"needs"}, ""},
	}
	for _, tc := range tests {
		if got := Suggest(tc.name, tc.in); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLineCount(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]int{"": 1, "a": 1, "a\n": 2, "a\r\nb": 2, "\"\r\r0": 3, "a\n\rb": 3} {
		if got := LineCount([]byte(src)); got != want {
			t.Errorf("LineCount(%q) = %d, want %d", src, got, want)
		}
	}
}
