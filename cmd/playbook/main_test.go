package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/playbook-sh/playbook/schema"
)

func TestMain(m *testing.M) {
	// BenchmarkValidateColdStart re-runs this binary as the CLI.
	if args := os.Getenv("PLAYBOOK_TEST_AS_CLI"); args != "" {
		os.Exit(run(context.Background(), strings.Fields(args), os.Stdin, os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

// cli runs the CLI in-process and returns stdout, stderr and the exit code.
func cli(t *testing.T, ctx context.Context, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestParseRunOptions(t *testing.T) {
	t.Parallel()
	o, err := parseRunOptions([]string{"p.yaml", "--input", "a=1", "--format=json", "--input=b=x=y", "--report", "r.json", "--log-level", "debug"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := &runOptions{file: "p.yaml", inputs: multi{"a=1", "b=x=y"}, report: "r.json", format: "json", logLevel: "debug", logFormat: "text", progress: "auto",
		temporal: temporalFlags{namespace: "default", taskQueue: "playbook"}}
	if diff := cmp.Diff(want, o, cmp.AllowUnexported(runOptions{}, temporalFlags{})); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	for _, bad := range [][]string{{}, {"a.yaml", "b.yaml"}, {"a.yaml", "--format", "xml"}, {"a.yaml", "--log-level", "loud"}, {"a.yaml", "--nope"},
		{"a.yaml", "--detach"}, {"a.yaml", "--temporal", "h:1", "--sandbox"}, {"a.yaml", "--temporal", "h:1", "--record", "--detach"}} {
		if _, err := parseRunOptions(bad, &bytes.Buffer{}); err == nil {
			t.Errorf("parseRunOptions(%q) succeeded", bad)
		}
	}
}

// TestExamples validates every example playbook and runs each top-level
// one, checking the JSON report.
func TestExamples(t *testing.T) {
	t.Parallel()
	var all []string
	globbed, _ := filepath.Glob("../../playbooks/*.yaml")
	var serveFiles []string
	for _, p := range globbed {
		switch {
		case isServeFile(p):
			serveFiles = append(serveFiles, p)
		case !strings.HasSuffix(p, ".test.yaml"):
			all = append(all, p)
		}
	}
	lib, _ := filepath.Glob("../../playbooks/lib/*.yaml")
	if len(all) < 3 {
		t.Fatalf("found %d example playbooks, want at least 3", len(all))
	}
	tests, _ := filepath.Glob("../../playbooks/*.test.yaml")
	out, errs, code := cli(t, t.Context(), append([]string{"validate"}, append(append(append(all, lib...), tests...), serveFiles...)...)...)
	if code != exitOK {
		t.Fatalf("validate exit %d:\n%s%s", code, out, errs)
	}
	for _, f := range all {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			args := append([]string{"run", f, "--sandbox", "--format", "json", "--progress", "off"}, exampleArgs(f)...)
			out, errs, code := cli(t, t.Context(), args...)
			if code != exitOK && code != exitPartial {
				t.Fatalf("run exit %d:\n%s%s", code, out, errs)
			}
			if errs != "" {
				t.Errorf("stderr with progress off = %q", errs)
			}
			golden(t, filepath.Join("testdata", "examples", strings.TrimSuffix(filepath.Base(f), ".yaml")+".golden.json"), normalizeReport(t, out))
		})
	}
}

// exampleArgs are the extra arguments of an example: its NAME.args, for
// one that needs inputs.
func exampleArgs(file string) []string {
	name := strings.TrimSuffix(filepath.Base(file), ".yaml")
	if b, err := os.ReadFile(filepath.Join("testdata", "examples", name+".args")); err == nil {
		return strings.Fields(string(b))
	}
	return nil
}

// normalizeReport makes a run report stable for a golden file: the run ID,
// every *_at time, and epoch milliseconds within a day of now (times the
// fake stamps on what it creates) become placeholders, and RFC 3339 times
// with fractional seconds within five years of now (the Wiz fake seeds its
// data relative to its start) become <recent time>.
func normalizeReport(t *testing.T, out string) []byte {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	nowT := time.Now()
	now := nowT.UnixMilli()
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				switch {
				case k == "run_id" || strings.HasSuffix(k, "_at"):
					x[k] = "<" + k + ">"
				default:
					x[k] = walk(e)
				}
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case json.Number:
			if n, err := x.Int64(); err == nil && n > now-86_400_000 && n < now+86_400_000 {
				return "<now ms>"
			}
		case string:
			return recentTime.ReplaceAllStringFunc(x, func(m string) string {
				at, err := time.Parse(time.RFC3339Nano, m)
				if d := at.Sub(nowT).Abs(); err != nil || d > 5*365*24*time.Hour {
					return m
				}
				return "<recent time>"
			})
		}
		return v
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(walk(v)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// recentTime matches an RFC 3339 time in UTC with fractional seconds, as
// Wiz writes them; Cortex XDR's fake writes fixed times without.
var recentTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z`)

// golden compares got with the file, or rewrites it with UPDATE_GOLDEN=1.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 go test ./cmd/playbook writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func writeFile(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateReportsPositions(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "bad.yaml", "playbook: bad\ntasks:\n  a:\n    run: core.sett\n  b:\n    neds: [a]\n    run: core.set\n")
	out, _, code := cli(t, t.Context(), "validate", p)
	if code != exitFailed {
		t.Errorf("exit = %d, want 1", code)
	}
	want := p + `:4:10: unknown command "core.sett" (playbook actions list shows them all) (did you mean "core.set"?)` + "\n" +
		p + `:6:5: unknown key "neds" in task b (did you mean "needs"?)` + "\n"
	if out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", out, want)
	}
	if _, _, code := cli(t, t.Context(), "validate"); code != exitUsage {
		t.Errorf("validate with no file: exit %d, want 2", code)
	}
	if out, _, code := cli(t, t.Context(), "validate", filepath.Join(t.TempDir(), "missing.yaml")); code != exitFailed || !strings.Contains(out, "missing.yaml:1:1:") {
		t.Errorf("missing file: exit %d, out %q", code, out)
	}
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		args      []string
		want      int
	}{
		{"successful", "playbook: p\ntasks:\n  a: {run: core.set, with: {value: 1}}\n", nil, exitOK},
		{"failed", "playbook: p\ntasks:\n  a: {run: core.fail, with: {message: boom, status_code: 500}}\n", nil, exitFailed},
		{"partial", "playbook: p\ntasks:\n  a: {run: core.fail, allow_failure: true}\n", nil, exitPartial},
		{"missing input", "playbook: p\ninputs: {x: {required: true}}\ntasks:\n  a: {run: core.set}\n", nil, exitUsage},
		{"bad input", "playbook: p\ninputs: {n: {type: integer}}\ntasks:\n  a: {run: core.set}\n", []string{"--input", "n=abc"}, exitUsage},
		{"unknown input", "playbook: p\ninputs: {name: {}}\ntasks:\n  a: {run: core.set}\n", []string{"--input", "nme=x"}, exitUsage},
		{"invalid playbook", "playbook: p\ntasks:\n  a: {run: nope.x}\n", nil, exitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, "p.yaml", tc.src)
			out, errs, code := cli(t, t.Context(), append([]string{"run", p, "--progress", "off"}, tc.args...)...)
			if code != tc.want {
				t.Errorf("exit = %d, want %d\n%s%s", code, tc.want, out, errs)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "p.yaml", "playbook: p\ntasks:\n  a: {run: core.sleep, with: {duration: 1h}}\n  b: {run: core.set, needs: [a]}\n")
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	report := filepath.Join(t.TempDir(), "r.json")
	out, errs, code := cli(t, ctx, "run", p, "--progress", "off", "--report", report)
	if code != exitCancelled {
		t.Fatalf("exit = %d, want 130\n%s%s", code, out, errs)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("no report written on cancel: %v", err)
	}
	if !strings.Contains(string(b), `"status": "Cancelled"`) || !strings.Contains(string(b), `"cancelled"`) {
		t.Errorf("report = %s", b)
	}
}

func TestRunInputsAndReport(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "p.yaml", `playbook: p
inputs:
  n: {type: integer}
  tags: {type: array}
  flag: {type: boolean}
  title: {type: string}
tasks:
  a: {run: core.set, with: {value: "${{ [inputs.n + 1, size(inputs.tags), inputs.flag, inputs.title] }}"}}
outputs:
  v: ${{ tasks.a.raw_data }}
`)
	inputs := writeFile(t, "in.json", `{"n": 1, "title": "from file"}`)
	out, errs, code := cli(t, t.Context(), "run", p, "--inputs", inputs, "--input", "n=41", "--input", `tags=["a","b"]`, "--input", "flag=yes", "--input", "title=${{ 1 }}", "--format", "json", "--progress", "off")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	var rep struct {
		Outputs map[string]any `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"v": []any{42.0, 2.0, true, "${{ 1 }}"}}
	if diff := cmp.Diff(want, rep.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

func TestProgressAndLogsGoToStderr(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "p.yaml", "playbook: p\ntasks:\n  a: {run: core.set}\n  b: {run: core.fail, needs: [a]}\n  c: {run: core.set, needs: [b]}\n")
	out, errs, code := cli(t, t.Context(), "run", p, "--progress", "on", "--log-level", "info", "--log-format", "json")
	if code != exitFailed {
		t.Errorf("exit = %d", code)
	}
	for _, want := range []string{"▶ a", "✓ a succeeded", "✗ b failed: failed", "↷ c skipped: need b failed", `"@message":"run finished"`} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if !strings.Contains(out, "Failed") || strings.Contains(out, "▶") {
		t.Errorf("stdout = %q", out)
	}
}

func TestGraph(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "p.yaml", `playbook: g
tasks:
  a: {run: core.set}
  b: {run: core.set, needs: [a], when: "tasks.a.status == \"succeeded\""}
  c: {run: core.set, needs: [a, b], join: all_done}
finally:
  f: {run: core.set}
`)
	out, _, code := cli(t, t.Context(), "graph", p)
	want := `flowchart TD
  a["a<br/><small>core.set</small>"]
  b["b<br/><small>core.set</small><br/><i>when tasks.a.status == #quot;succeeded#quot;</i>"]
  c["c<br/><small>core.set</small>"]
  a -->|when| b
  a -->|all_done| c
  b -->|all_done| c
  subgraph finally
  f["f<br/><small>core.set</small>"]
  end
`
	if code != exitOK || out != want {
		t.Errorf("graph (exit %d):\n%s\nwant:\n%s", code, out, want)
	}
	out, _, code = cli(t, t.Context(), "graph", p, "--format", "dot")
	for _, w := range []string{`digraph "g" {`, `"a" -> "b" [label="when"];`, `subgraph cluster_finally`} {
		if code != exitOK || !strings.Contains(out, w) {
			t.Errorf("dot lacks %q:\n%s", w, out)
		}
	}
	if _, _, code := cli(t, t.Context(), "graph", p, "--format", "svg"); code != exitUsage {
		t.Errorf("unknown format: exit %d", code)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	out, _, code := cli(t, t.Context(), "actions", "list")
	for _, w := range []string{"core.set", "core.fail", "core.sleep", "http.request", "playbook"} {
		if code != exitOK || !strings.Contains(out, w) {
			t.Errorf("actions list lacks %s:\n%s", w, out)
		}
	}
	out, _, code = cli(t, t.Context(), "actions", "describe", "http.request")
	for _, w := range []string{"HTTP Request", "Mutates:    yes", "url", "GET → GET", "StatusCodes"} {
		if code != exitOK || !strings.Contains(out, w) {
			t.Errorf("describe lacks %q:\n%s", w, out)
		}
	}
	out, _, code = cli(t, t.Context(), "actions", "describe", "wiz.update_issues")
	for _, w := range []string{"Update Issues", "In Progress → IN_PROGRESS", "not RESOLVED: Wiz resolves issues itself", "IssueStatuses"} {
		if code != exitOK || !strings.Contains(out, w) {
			t.Errorf("describe lacks %q:\n%s", w, out)
		}
	}
	_, errs, code := cli(t, t.Context(), "actions", "describe", "core.sett")
	if code != exitUsage || !strings.Contains(errs, `did you mean "core.set"?`) {
		t.Errorf("describe unknown: exit %d, %q", code, errs)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	if _, _, code := cli(t, t.Context()); code != exitUsage {
		t.Errorf("no args: exit %d", code)
	}
	if _, errs, code := cli(t, t.Context(), "frobnicate"); code != exitUsage || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: exit %d %q", code, errs)
	}
}

// BenchmarkValidateColdStart runs `playbook validate` as a new process:
// what a user waits for, process start and registry setup included.
func BenchmarkValidateColdStart(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "PLAYBOOK_TEST_AS_CLI=validate -q ../../playbooks/hello.yaml")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

// TestSchemaRegistryMatches keeps the schema generator's registry in step
// with the CLI's: a command registered here must be in the schema too.
func TestSchemaRegistryMatches(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(registry().Names(), schema.Registry().Names()); diff != "" {
		t.Errorf("schema.Registry() differs from the CLI's registry (-cli +schema):\n%s", diff)
	}
}

func TestEval(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "p.yaml", "playbook: p\ntasks:\n  a: {run: core.set, with: {value: {n: 41}, key_fields: {IDs: [x, y]}}}\n")
	report := filepath.Join(t.TempDir(), "r.json")
	if _, errs, code := cli(t, t.Context(), "run", p, "--report", report, "--progress", "off"); code != exitOK {
		t.Fatalf("run: %d %s", code, errs)
	}
	out, _, code := cli(t, t.Context(), "eval", "tasks.a.raw_data.n + 1", "--report", report)
	if code != exitOK || out != "42\n(int)\n" {
		t.Errorf("eval = %d %q", code, out)
	}
	out, _, code = cli(t, t.Context(), "eval", "--lang", "expr", "tasks.a.key_fields.IDs", "--report", report)
	if code != exitOK || out != "[\n  \"x\",\n  \"y\"\n]\n(list)\n" {
		t.Errorf("eval expr = %d %q", code, out)
	}
	_, errs, code := cli(t, t.Context(), "eval", "1 + tasks.zzz.attempts", "--report", report)
	want := "error at 1:5: the run has no task \"zzz\" (tasks: a)\n  1 + tasks.zzz.attempts\n      ^\n"
	if code != exitFailed || errs != want {
		t.Errorf("eval unknown task = %d %q, want %q", code, errs, want)
	}
	if _, _, code := cli(t, t.Context(), "eval", "1"); code != exitUsage {
		t.Errorf("eval without --report: exit %d", code)
	}
}

// TestDryRunNeverReachesTheServer runs http.request under --dry-run
// against a server that counts requests, and checks credentials are
// masked everywhere in the report.
func TestDryRunNeverReachesTheServer(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	p := writeFile(t, "p.yaml", `playbook: p
tasks:
  post:
    run: http.request
    with:
      method: POST
      url: "`+srv.URL+`/hook?api_key=sentinel-secret-1"
      headers: {Authorization: "Bearer sentinel-secret-2"}
      json: {incident: "INC-1"}
`)
	out, errs, code := cli(t, t.Context(), "run", p, "--dry-run", "--format", "json", "--progress", "off")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if hits.Load() != 0 {
		t.Errorf("the server got %d requests in a dry run", hits.Load())
	}
	if strings.Contains(out, "sentinel-secret") {
		t.Errorf("a credential leaked into the report:\n%s", out)
	}
	for _, w := range []string{`"status": "dry_run"`, `"side_effects"`, `"method": "POST"`, `"incident": "INC-1"`, `api_key=[redacted]`} {
		if !strings.Contains(out, w) {
			t.Errorf("report lacks %s:\n%s", w, out)
		}
	}
}

func TestPlaybookTest(t *testing.T) {
	t.Parallel()
	junit := filepath.Join(t.TempDir(), "junit.xml")
	out, errs, code := cli(t, t.Context(), "test", "../../playbooks", "--junit", junit, "--coverage")
	if code != exitOK {
		t.Fatalf("playbook test of the examples: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "--- PASS: ../../playbooks/hello.test.yaml/greets-by-default") || !regexp.MustCompile(`(?m)^\d+ passed, 0 failed$`).MatchString(out) {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(out, "coverage: ../../playbooks/triage-with-fallback.yaml: 4/5 tasks ran (80%)") {
		t.Errorf("coverage missing:\n%s", out)
	}
	if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b), "<testsuites") {
		t.Errorf("junit: %v %s", err, b)
	}
	// Every example playbook ships a test file.
	examples, _ := filepath.Glob("../../playbooks/*.yaml")
	for _, p := range examples {
		if strings.HasSuffix(p, ".test.yaml") || isServeFile(p) {
			continue
		}
		if _, err := os.Stat(strings.TrimSuffix(p, ".yaml") + ".test.yaml"); err != nil {
			t.Errorf("%s has no test file", p)
		}
	}

	dir := t.TempDir()
	pb := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(pb, []byte("playbook: p\ntasks:\n  a: {run: core.set, with: {value: 1}}\n  post: {run: http.request, needs: [a], with: {url: \"https://example.invalid/x\"}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failing := filepath.Join(dir, "p.test.yaml")
	if err := os.WriteFile(failing, []byte("playbook: p.yaml\ntests:\n  no-mock:\n    expect: {status: Successful}\n  mocked:\n    mocks: {post: {raw_data: ok}}\n    expect: {status: Successful, tasks: {a: {status: succeeded}}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = cli(t, t.Context(), "test", failing)
	if code != exitFailed || !strings.Contains(out, "p.yaml:4:3: task post ran with no mock") || !strings.Contains(out, "1 passed, 1 failed") {
		t.Errorf("failing test: exit %d\n%s", code, out)
	}
	bad := filepath.Join(dir, "bad.test.yaml")
	if err := os.WriteFile(bad, []byte("playbook: p.yaml\ntests:\n  x: {expect: {stauts: Failed}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code = cli(t, t.Context(), "test", bad)
	if code != exitUsage || !strings.Contains(errs, `bad.test.yaml:3:16: unknown key "stauts" in expect (did you mean "status"?)`) {
		t.Errorf("invalid test file: exit %d %q", code, errs)
	}
}
