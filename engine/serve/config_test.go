package serve

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/playbook"
	"github.com/playbook-sh/playbook/engine/schedule"
)

// TestParseErrors checks each problem is reported once, as FILE:LINE:COL:
// message, at the text at fault.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	f := newTestFixture()
	for _, tc := range parseErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse(servePath, []byte(tc.src), f.reg)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want errors", tc.src, cfg)
			}
			var list playbook.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse(%q) = %T %v, want a playbook.ErrorList", tc.src, err, err)
			}
			if diff := cmp.Diff(tc.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("Parse(%q) errors (-want +got):\n%s", tc.src, diff)
			}
		})
	}
}

// parseErrorCases are broken serve.yaml files (as testdata/serve.yaml) and
// their errors; FuzzParse starts from them too.
var parseErrorCases = []struct {
	name, src string
	want      []string
}{{
	name: "unknown top-level key",
	src: `schedule:
  a: {playbook: playbooks/hello.yaml, every: 1h}
`,
	want: []string{`testdata/serve.yaml:1:1: unknown key "schedule" in serve.yaml (did you mean "schedules"?)`},
}, {
	name: "duplicate top-level key",
	src: `listen: 127.0.0.1:8080
listen: 127.0.0.1:9090
`,
	want: []string{`testdata/serve.yaml:2:1: duplicate key "listen"`},
}, {
	name: "duplicate names",
	src: `schedules:
  a: {playbook: playbooks/hello.yaml, every: 1h}
  a: {playbook: playbooks/hello.yaml, every: 2h}
webhooks:
  w: {playbook: playbooks/hello.yaml, token: env:A}
  w: {playbook: playbooks/hello.yaml, token: env:B}
`,
	want: []string{
		`testdata/serve.yaml:3:3: duplicate schedules entry "a" (first at line 2)`,
		`testdata/serve.yaml:6:3: duplicate webhooks entry "w" (first at line 5)`,
	},
}, {
	name: "schedule without playbook",
	src: `schedules:
  a:
    every: 1h
`,
	want: []string{`testdata/serve.yaml:2:3: schedule a needs playbook:`},
}, {
	name: "bad cron",
	src: `schedules:
  a:
    playbook: playbooks/hello.yaml
    cron: "61 * * * *"
`,
	want: []string{`testdata/serve.yaml:4:11: schedule a: cron: minute: end of range (61) above maximum (59): 61`},
}, {
	name: "cron and every",
	src: `schedules:
  a:
    playbook: playbooks/hello.yaml
    cron: "0 * * * *"
    every: 1h
`,
	want: []string{`testdata/serve.yaml:5:12: schedule a: every: cron and every cannot both be set`},
}, {
	name: "unknown timezone",
	src: `schedules:
  a:
    playbook: playbooks/hello.yaml
    cron: "0 * * * *"
    timezone: Mars/Olympus
`,
	want: []string{`testdata/serve.yaml:5:15: schedule a: timezone: unknown time zone "Mars/Olympus"`},
}, {
	name: "bad overlap",
	src: `schedules:
  a:
    playbook: playbooks/hello.yaml
    every: 1h
    overlap: wait
`,
	want: []string{`testdata/serve.yaml:5:14: schedule a: overlap: unknown value "wait"; want skip, queue or allow`},
}, {
	name: "schedule more often than a command allows",
	src: `schedules:
  a:
    playbook: playbooks/hunt.yaml
    cron: "0 * * * *"
`,
	want: []string{`testdata/serve.yaml:4:11: schedule a fires every 1h0m0s, but Fetch Items (test.fetch) may run at most every 12h0m0s, as the vendor page says`},
}, {
	name: "schedule inputs",
	src: `schedules:
  a:
    playbook: playbooks/hello.yaml
    every: 1h
    inputs: {nam: x}
`,
	want: []string{`testdata/serve.yaml:5:13: inputs: input nam: the playbook declares no such input (did you mean "name"?)`},
}, {
	name: "schedule without a required input",
	src: `schedules:
  a:
    playbook: playbooks/triage.yaml
    every: 1h
`,
	want: []string{`testdata/serve.yaml:2:3: inputs: input issue_id: required input is missing`},
}, {
	name: "intake without a required input",
	src: `intake:
  a:
    connection: feed
    command: test.fetch_project
    every: 12h
    mapping: test.items
`,
	want: []string{`testdata/serve.yaml:2:3: with: missing required input "project"`},
}, {
	name: "intake unknown command",
	src: `intake:
  a:
    connection: feed
    command: test.fetc
    every: 12h
    mapping: test.items
`,
	want: []string{`testdata/serve.yaml:4:14: unknown command "test.fetc" (did you mean "test.fetch"?)`},
}, {
	name: "intake command not a string",
	src: `intake:
  a:
    connection: feed
    command: {name: test.fetch}
    every: 12h
    mapping: test.items
`,
	want: []string{`testdata/serve.yaml:4:14: command must be a string, got a mapping`},
}, {
	name: "intake non-fetch command",
	src: `intake:
  a:
    connection: feed
    command: test.ping
    every: 12h
    mapping: test.items
`,
	want: []string{`testdata/serve.yaml:4:14: test.ping is not a fetch command; intake takes one of test.fetch, test.fetch_project`},
}, {
	name: "intake missing keys",
	src: `intake:
  a:
    command: test.fetch
`,
	want: []string{
		`testdata/serve.yaml:2:3: intake a needs connection:`,
		`testdata/serve.yaml:2:3: intake a needs every:`,
		`testdata/serve.yaml:2:3: intake a needs mapping:`,
	},
}, {
	name: "intake every below the command's minimum",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 1h
    mapping: test.items
`,
	want: []string{`testdata/serve.yaml:5:12: every 1h is below Fetch Items's minimum interval of 12h0m0s: the vendor page says to fetch at most every 12h0m0s`},
}, {
	name: "intake every not a duration",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: soon
    mapping: test.items
health_checks:
  every: later
`,
	want: []string{
		`testdata/serve.yaml:5:12: every must be a duration such as 30s, 15m or 12h, got "soon"`,
		`testdata/serve.yaml:8:10: every must be a duration such as 30s, 15m or 12h, got "later"`,
	},
}, {
	name: "intake with sets the window",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    with:
      kind: issues
      start_time: "2025-01-01T00:00:00Z"
`,
	want: []string{`testdata/serve.yaml:9:7: start_time is set by the intake (the window from the high-water mark to now, and paging); leave it out`},
}, {
	name: "intake with holds a template",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    with: {kind: "${{ event.kind }}"}
`,
	want: []string{`testdata/serve.yaml:7:18: intake inputs are literals: kind holds a template or JSONPath`},
}, {
	name: "intake with a wrong option",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    with:
      statuses: [OPEN]
      kind: bogus
`,
	want: []string{`testdata/serve.yaml:9:13: with: input "kind": must be one of "Issues", "Alerts", got "bogus"`},
}, {
	name: "unknown mapping",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.item
`,
	want: []string{`testdata/serve.yaml:6:14: unknown mapping "test.item"; Fetch Items ships test.items, test.alerts, test.mixed (did you mean "test.items"?)`},
}, {
	name: "unknown mapping to extend",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: {extends: test.alert}
`,
	want: []string{`testdata/serve.yaml:6:24: unknown mapping "test.alert"; Fetch Items ships test.items, test.alerts, test.mixed (did you mean "test.alerts"?)`},
}, {
	name: "inline mapping bad main_path",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping:
      extends: test.items
      main_path: "$.items["
`,
	// At the end of the query, inside the quotes.
	want: []string{`testdata/serve.yaml:8:27: mapping: main_path: jsonpath: expected selector, found end of query`},
}, {
	name: "inline mapping bad field path",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping:
      extends: test.items
      fields:
        Severity: .level
        Owner: .owner[
`,
	want: []string{`testdata/serve.yaml:10:23: mapping: fields.Owner: jsonpath: expected selector, found end of query`},
}, {
	name: "inline mapping field twice",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping:
      extends: test.items
      fields: {Owner: .owner, Owner: .user}
`,
	want: []string{`testdata/serve.yaml:8:31: field "Owner" is mapped twice`},
}, {
	name: "inline mapping removes a missing field",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping:
      extends: test.items
      remove: [Notes, Nope]
`,
	want: []string{`testdata/serve.yaml:8:23: remove: the mapping has no field "Nope"`},
}, {
	name: "inline mapping bad search string",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping:
      main_path: $.items
      unique_key: .id
      sources:
        - search: "{kind}=issue"
          fields: {Kind: .kind}
        - search: "__typename=Issue"
`,
	want: []string{`testdata/serve.yaml:12:20: mapping: sources[1].search: a search string is {path}=value, as in {__typename}=Issue`},
}, {
	name: "inline source after the shipped ones",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping:
      extends: test.mixed
      sources:
        - search: "{kind}=alert"
          unique_key: .alert_id[
`,
	// sources[1] of the mapping is the first inline one.
	want: []string{`testdata/serve.yaml:10:33: mapping: sources[1].unique_key: jsonpath: expected selector, found end of query`},
}, {
	name: "inline mapping without a unique key",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping:
      main_path: $.items
`,
	want: []string{`testdata/serve.yaml:7:7: mapping: unique_key: a mapping needs a unique key (unique_key: .id) to store each event once`},
}, {
	name: "bad dedup path",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    dedup: [id, "updatedAt["]
`,
	want: []string{`testdata/serve.yaml:7:28: mapping: dedup[1]: jsonpath: expected selector, found end of query`},
}, {
	name: "trigger when syntax error",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    trigger:
      playbook: playbooks/triage.yaml
      when: event.Severity == = "HIGH"
      inputs: {issue_id: "${{ event.DocumentID }}"}
`,
	// Column 31 is the second "=", 18 characters into the expression.
	want: []string{`testdata/serve.yaml:9:31: syntax error: token recognition error at: '= '`},
}, {
	name: "trigger when reads tasks",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    trigger:
      playbook: playbooks/triage.yaml
      when: event.Severity == "HIGH" && tasks.x.status == "failed"
      inputs: {issue_id: "${{ event.DocumentID }}"}
`,
	// At tasks, 28 characters into the condition.
	want: []string{`testdata/serve.yaml:9:41: when: a trigger sees only event, not tasks`},
}, {
	name: "trigger inputs",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    trigger:
      playbook: playbooks/triage.yaml
      inputs:
        isue_id: "${{ event.DocumentID }}"
        severity: "${{ run.id }}"
`,
	want: []string{
		`testdata/serve.yaml:10:9: inputs: the playbook declares no input "isue_id" (did you mean "issue_id"?)`,
		`testdata/serve.yaml:10:9: inputs: triage needs input "issue_id"`,
		`testdata/serve.yaml:11:24: a trigger's inputs see only event, not run`,
	},
}, {
	name: "trigger without inputs misses a required one",
	src: `intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    trigger:
      playbook: playbooks/triage.yaml
      concurrency: 0
`,
	want: []string{
		`testdata/serve.yaml:8:7: inputs: triage needs input "issue_id"`,
		`testdata/serve.yaml:9:20: concurrency must be a whole number of at least 1, got "0"`,
	},
}, {
	name: "webhook token literal",
	src: `webhooks:
  contain:
    playbook: playbooks/hello.yaml
    token: s3cret-token
`,
	want: []string{`testdata/serve.yaml:4:12: token is a secret: give it as env:NAME or file:PATH, not as a literal`},
}, {
	name: "health checks without every",
	src: `health_checks:
  notify_after: 2
  webhook: https://hooks.example.com/x
`,
	want: []string{
		`testdata/serve.yaml:2:3: health_checks needs every:`,
		`testdata/serve.yaml:3:12: webhook is a secret: give it as env:NAME or file:PATH, not as a literal`,
	},
}, {
	name: "broken playbook keeps its own file",
	src: `schedules:
  a:
    playbook: playbooks/broken.yaml
    every: 1h
webhooks:
  b: {playbook: playbooks/broken.yaml, token: env:T}
`,
	// Reported once, though two entries name it.
	want: []string{
		`testdata/playbooks/broken.yaml:4:10: unknown command "core.sett" (playbook actions list shows them all) (did you mean "core.set"?)`,
		`testdata/playbooks/broken.yaml:8:5: unknown key "needz" in task other (did you mean "needs"?)`,
	},
}, {
	name: "missing playbook",
	src: `schedules:
  a:
    playbook: playbooks/nope.yaml
    every: 1h
`,
	want: []string{`testdata/serve.yaml:3:15: playbook: load testdata/playbooks/nope.yaml: open testdata/playbooks/nope.yaml: no such file or directory`},
}, {
	name: "not a mapping",
	src:  "- schedules\n",
	want: []string{`testdata/serve.yaml:1:1: serve.yaml must be a mapping, got a list`},
}, {
	name: "empty file",
	src:  "# nothing\n",
	want: []string{`testdata/serve.yaml:1:1: empty serve file: expected schedules:, intake: or webhooks:`},
}, {
	name: "scalars of the wrong shape",
	src: `expressions: python
listen: localhost
console: [a]
`,
	want: []string{
		`testdata/serve.yaml:1:14: expressions must be cel or expr, got "python"`,
		`testdata/serve.yaml:2:9: listen must be HOST:PORT such as 127.0.0.1:8080, got "localhost"`,
		`testdata/serve.yaml:3:10: console must be a mapping, got a list`,
	},
}, {
	name: "console users",
	src: `listen: 127.0.0.1:8080
console:
  session_ttl: 10s
  userz: {}
  users:
    ann: {password: "hunter2", role: viewer}
    bob: {role: admin, tokn: env:BOB}
    cat: {token: env:CAT}
`,
	want: []string{
		`testdata/serve.yaml:3:16: session_ttl must be at least 1m`,
		`testdata/serve.yaml:4:3: unknown key "userz" in console (did you mean "users"?)`,
		`testdata/serve.yaml:6:21: password is a secret: give it as env:NAME or file:PATH, not as a literal`,
		`testdata/serve.yaml:7:5: console user bob needs password: (to log in) or token: (for scripts), as env:NAME or file:PATH`,
		`testdata/serve.yaml:7:17: role must be viewer or runner, got "admin"`,
		`testdata/serve.yaml:7:24: unknown key "tokn" in console user bob (did you mean "token"?)`,
		`testdata/serve.yaml:8:5: console user cat needs role: viewer or runner`,
	},
}, {
	name: "console without listen or users",
	src:  "console: {session_ttl: 1h}\n",
	want: []string{
		`testdata/serve.yaml:1:10: console needs users: (NAME: {password: env:..., role: viewer})`,
		`testdata/serve.yaml:1:10: console needs listen: (the address it is served on)`,
	},
}}

// TestLoadFull loads a serve.yaml that uses every section and checks what
// it holds: durations, paths relative to its directory, defaults, and a
// mapping that extends a shipped one.
func TestLoadFull(t *testing.T) {
	t.Parallel()
	f := newTestFixture()
	path := filepath.Join(testDir, "full.serve.yaml")
	cfg, err := Load(path, f.reg)
	if err != nil {
		t.Fatalf("Load(%q) = %v", path, err)
	}
	abs, _ := filepath.Abs("/var/lib/playbook/connections.yaml")
	got := map[string]any{
		"file": cfg.File, "state": cfg.State, "connections": cfg.Connections, "listen": cfg.Listen,
		"lang": cfg.Lang, "schedules": len(cfg.Schedules), "intake": len(cfg.Intake), "webhooks": len(cfg.Webhooks),
	}
	want := map[string]any{
		"file": path, "state": filepath.Join(testDir, "state", "playbook.db"), "connections": abs,
		"listen": "127.0.0.1:8080", "lang": eval.CEL, "schedules": 2, "intake": 2, "webhooks": 2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	// The console's users, secrets as references.
	wantConsole := &Console{Pos: playbook.Pos{Line: 47, Col: 3}, SessionTTL: 8 * time.Hour, Users: []*ConsoleUser{
		{Name: "analyst", Pos: playbook.Pos{Line: 49, Col: 5}, Password: "env:ANALYST_PASSWORD", Role: "viewer"},
		{Name: "responder", Pos: playbook.Pos{Line: 50, Col: 5}, Token: "file:" + filepath.Join(testDir, "secrets", "responder-token"), Role: "runner"},
	}}
	if diff := cmp.Diff(wantConsole, cfg.Console); diff != "" {
		t.Errorf("console (-want +got):\n%s", diff)
	}

	// Schedules, in file order, with the schedule package's defaults.
	hunt, quarter := cfg.Schedules[0], cfg.Schedules[1]
	if hunt.Name != "hourly-hunt" || hunt.Pos != (playbook.Pos{Line: 6, Col: 3}) {
		t.Errorf("schedule 0 = %s at %v", hunt.Name, hunt.Pos)
	}
	wantSpec := schedule.Spec{Name: "hourly-hunt", Cron: "0 * * * *", Timezone: "Europe/Paris",
		Overlap: schedule.OverlapSkip, CatchUp: schedule.CatchUpLast, Jitter: 30 * time.Second}
	if diff := cmp.Diff(wantSpec, hunt.Schedule.Spec()); diff != "" {
		t.Errorf("hourly-hunt spec (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"name": "hunters"}, hunt.Inputs); diff != "" {
		t.Errorf("hourly-hunt inputs (-want +got):\n%s", diff)
	}
	if got := hunt.Playbook.Playbook.File; got != filepath.Join(testDir, "playbooks", "hello.yaml") {
		t.Errorf("hourly-hunt playbook file = %q", got)
	}
	wantSpec = schedule.Spec{Name: "every-quarter", Every: 15 * time.Minute, Timezone: "UTC",
		Overlap: schedule.OverlapQueue, CatchUp: schedule.CatchUpNone}
	if diff := cmp.Diff(wantSpec, quarter.Schedule.Spec()); diff != "" {
		t.Errorf("every-quarter spec (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"name": "world"}, quarter.Inputs); diff != "" {
		t.Errorf("every-quarter inputs are the defaults (-want +got):\n%s", diff)
	}
	if hunt.Playbook != quarter.Playbook {
		t.Error("one playbook file was compiled twice")
	}

	// Intake.
	items, alerts := cfg.Intake[0], cfg.Intake[1]
	gotIn := map[string]any{"name": items.Name, "connection": items.Connection, "command": items.Command.Spec().Name,
		"every": items.Every, "tolerance": items.Tolerance, "lookback": items.Lookback, "mapping": items.MappingName,
		"with": items.With}
	wantIn := map[string]any{"name": "items", "connection": "feed", "command": fetchName,
		"every": 24 * time.Hour, "tolerance": 5 * time.Minute, "lookback": 48 * time.Hour, "mapping": "test.items+",
		"with": map[string]any{"kind": "issues", "statuses": []any{"OPEN", "IN_PROGRESS"}}}
	if diff := cmp.Diff(wantIn, gotIn); diff != "" {
		t.Errorf("intake items (-want +got):\n%s", diff)
	}
	// The mapping: Severity read from another path, Owner added, Notes
	// removed, the others as shipped; dedup on id and updatedAt.
	raw := map[string]any{"items": []any{map[string]any{
		"id": "i-1", "severity": "LOW", "level": "HIGH", "title": "Disk full", "notes": "n",
		"count": int64(2), "owner": map[string]any{"name": "ann"}, "updatedAt": "u-1"}}}
	evs, skipped := items.Mapping.Apply(raw)
	if len(evs) != 1 || len(skipped) != 0 {
		t.Fatalf("Apply = %v, skipped %v, want one event", evs, skipped)
	}
	if diff := cmp.Diff([]string{"Document ID", "Severity", "Field Name", "Count", "Owner"}, evs[0].Names); diff != "" {
		t.Errorf("mapped field names (-want +got):\n%s", diff)
	}
	wantFields := map[string]any{"Document ID": "i-1", "Severity": "HIGH", "Field Name": "Disk full",
		"Count": int64(2), "Owner": "ann"}
	if diff := cmp.Diff(wantFields, evs[0].Fields); diff != "" {
		t.Errorf("mapped fields (-want +got):\n%s", diff)
	}
	if evs[0].UniqueKey != "i-1" || !strings.Contains(evs[0].Key, "u-1") {
		t.Errorf("event key = %q, unique key %q: want the dedup paths' values", evs[0].Key, evs[0].UniqueKey)
	}

	// The trigger, with its default concurrency.
	tr := items.Trigger
	if tr == nil || tr.Concurrency != DefaultConcurrency || tr.Playbook.Playbook.Name != "triage" || tr.When == nil {
		t.Fatalf("trigger = %+v", tr)
	}
	ctx := t.Context()
	vars := eval.Vars{"event": evs[0].Context()}
	if ok, err := tr.When.EvalBool(ctx, vars); !ok || err != nil {
		t.Errorf("when = %v %v, want true for a HIGH event", ok, err)
	}
	gotInputs := map[string]any{}
	for k, tm := range tr.Inputs {
		if gotInputs[k], err = tm.Eval(ctx, vars); err != nil {
			t.Errorf("input %s: %v", k, err)
		}
	}
	if diff := cmp.Diff(map[string]any{"issue_id": "i-1", "title": "Disk full", "severity": "HIGH"}, gotInputs); diff != "" {
		t.Errorf("trigger inputs (-want +got):\n%s", diff)
	}
	if alerts.MappingName != "test.alerts" || alerts.Trigger != nil || alerts.Tolerance != 0 || alerts.Every != 12*time.Hour {
		t.Errorf("intake alerts = %+v", alerts)
	}

	// Health checks: notify_after defaults to 3.
	wantHealth := &Health{Every: 15 * time.Minute, NotifyAfter: 3, Webhook: "env:SOC_WEBHOOK_URL", Connections: []string{"feed"}}
	if diff := cmp.Diff(wantHealth, cfg.Health); diff != "" {
		t.Errorf("health (-want +got):\n%s", diff)
	}

	// Webhooks: file: tokens are relative to serve.yaml's directory.
	gotHooks := map[string]string{}
	for _, w := range cfg.Webhooks {
		gotHooks[w.Name] = w.Token + " " + w.Playbook.Playbook.Name
	}
	wantHooks := map[string]string{
		"contain": "env:WEBHOOK_TOKEN triage",
		"hello":   "file:" + filepath.Join(testDir, "secrets", "hello-token") + " hello",
	}
	if diff := cmp.Diff(wantHooks, gotHooks); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
}

// TestParseExprLanguage checks expressions: expr compiles the trigger's
// condition and inputs in expr.
func TestParseExprLanguage(t *testing.T) {
	t.Parallel()
	f := newTestFixture()
	cfg := f.parse(t, `expressions: expr
intake:
  a:
    connection: feed
    command: test.fetch
    every: 12h
    mapping: test.items
    trigger:
      playbook: playbooks/triage.yaml
      when: event.Severity in ["HIGH"] && event.Count > 1
      inputs: {issue_id: "${{ event.DocumentID }}"}
`)
	if cfg.Lang != eval.Expr {
		t.Errorf("lang = %v, want expr", cfg.Lang)
	}
	ev := map[string]any{"Severity": "HIGH", "Count": int64(2), "DocumentID": "d"}
	if ok, err := cfg.Intake[0].Trigger.When.EvalBool(t.Context(), eval.Vars{"event": ev}); !ok || err != nil {
		t.Errorf("when = %v %v, want true", ok, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "serve.yaml"), newTestFixture().reg)
	if err == nil || !strings.Contains(err.Error(), "load ") {
		t.Errorf("Load(missing) = %v, want a load error", err)
	}
}
