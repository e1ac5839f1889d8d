package schema_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/playbook-sh/playbook/engine/serve"
	"github.com/playbook-sh/playbook/schema"
)

func TestServeCurrent(t *testing.T) {
	t.Parallel()
	got, err := schema.Serve(schema.Registry())
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("serve.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || !bytes.Equal(schema.ServeJSON, want) {
		t.Fatalf("schema/serve.schema.json is stale: run go generate ./schema\n%s", firstDiff(got, want))
	}
}

// TestServeSchemaAgreesWithLoader checks serve files the loader accepts
// validate, and files it rejects for their shape do not.
func TestServeSchemaAgreesWithLoader(t *testing.T) {
	t.Parallel()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.ServeJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schema.ServeID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schema.ServeID)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pb := "playbook: p\ninputs:\n  id: {type: string}\ntasks:\n  a: {run: core.set, with: {value: 1}}\n"
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(pb), 0o600); err != nil {
		t.Fatal(err)
	}
	intake := "intake:\n  wiz:\n    connection: wiz\n    command: wiz.fetch_event\n    every: 24h\n"
	for _, tc := range []struct {
		name, src string
		valid     bool
	}{
		{"schedule by cron", "schedules:\n  s:\n    playbook: p.yaml\n    cron: \"0 * * * *\"\n    overlap: queue\n", true},
		{"schedule by every", "schedules:\n  s:\n    playbook: p.yaml\n    every: 15m\n    jitter: 10s\n    catch_up: last\n", true},
		{"schedule without timing", "schedules:\n  s:\n    playbook: p.yaml\n", false},
		{"schedule with both", "schedules:\n  s:\n    playbook: p.yaml\n    every: 1h\n    cron: \"@hourly\"\n", false},
		{"bad overlap", "schedules:\n  s:\n    playbook: p.yaml\n    every: 1h\n    overlap: never\n", false},
		{"shipped mapping", intake + "    mapping: wiz.issues\n", true},
		{"inline mapping", intake + "    mapping:\n      extends: wiz.issues\n      fields: {Owner: .owner}\n      remove: [Notes]\n", true},
		{"unknown mapping", intake + "    mapping: wiz.alerts\n", false},
		{"trigger", intake + "    mapping: wiz.issues\n    trigger:\n      playbook: p.yaml\n      when: event.Severity == \"HIGH\"\n      inputs: {id: \"${{ event.DocumentID }}\"}\n", true},
		{"not a fetch command", "intake:\n  w:\n    connection: wiz\n    command: wiz.update_issues\n    every: 24h\n    mapping: wiz.issues\n", false},
		{"webhook", "webhooks:\n  w: {playbook: p.yaml, token: env:TOKEN}\n", true},
		{"literal token", "webhooks:\n  w: {playbook: p.yaml, token: hunter2}\n", false},
		{"unknown key", "schedule: {}\n", false},
		{"health", "health_checks: {every: 15m, notify_after: 2, webhook: env:HOOK}\n", true},
		{"console", "listen: 127.0.0.1:8080\nconsole:\n  session_ttl: 8h\n  users:\n    a: {password: env:A, role: viewer}\n    b: {token: file:b.token, role: runner}\n", true},
		{"console user without a secret", "listen: 127.0.0.1:8080\nconsole:\n  users:\n    a: {role: viewer}\n", false},
		{"console role", "listen: 127.0.0.1:8080\nconsole:\n  users:\n    a: {token: env:A, role: admin}\n", false},
		{"console literal password", "listen: 127.0.0.1:8080\nconsole:\n  users:\n    a: {password: hunter2, role: viewer}\n", false},
		{"console without users", "listen: 127.0.0.1:8080\nconsole: {session_ttl: 1h}\n", false},
	} {
		path := filepath.Join(dir, "serve.yaml")
		_, loadErr := serve.Parse(path, []byte(tc.src), schema.Registry())
		if (loadErr == nil) != tc.valid {
			t.Errorf("%s: loader error %v, want valid=%v", tc.name, loadErr, tc.valid)
		}
		if err := sch.Validate(jsonValue(t, []byte(tc.src))); (err == nil) != tc.valid {
			t.Errorf("%s: schema says %v, want valid=%v", tc.name, err, tc.valid)
		}
	}
}

func TestServeExampleValidates(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../playbooks/serve.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(schema.ServeJSON))
	c := jsonschema.NewCompiler()
	c.AddResource(schema.ServeID, doc)
	sch, err := c.Compile(schema.ServeID)
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(jsonValue(t, src)); err != nil {
		t.Error(err)
	}
	if _, err := serve.Load("../playbooks/serve.yaml", schema.Registry()); err != nil {
		t.Error(err)
	}
}
