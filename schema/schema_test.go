package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/pbtest"
	"github.com/playbook-sh/playbook/engine/playbook"
	"github.com/playbook-sh/playbook/schema"
)

const schemaFile = "playbook.schema.json"

func TestCurrent(t *testing.T) {
	t.Parallel()
	got, err := schema.Playbook(schema.Registry())
	if err != nil {
		t.Fatalf("Playbook(Registry()) error: %v", err)
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("read checked-in schema: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("schema/playbook.schema.json is stale: run go generate ./schema\n%s", firstDiff(got, want))
	}
	if !bytes.Equal(schema.PlaybookJSON, want) {
		t.Fatalf("schema.PlaybookJSON differs from %s: rebuild", schemaFile)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, err := schema.Playbook(schema.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := schema.Playbook(schema.Registry())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("Playbook gave different bytes on the same registry:\n%s", firstDiff(b, a))
		}
	}
	if !bytes.HasSuffix(a, []byte("}\n")) || !bytes.HasPrefix(a, []byte("{\n  \"")) {
		t.Errorf("Playbook output is not two-space indented JSON ending in a newline")
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d: generated %q, checked in %q", i+1, gl, wl)
		}
	}
	return "files differ"
}

// compile compiles the checked-in schema as draft 2020-12; the compiler
// also validates it against the 2020-12 meta-schema.
func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.PlaybookJSON))
	if err != nil {
		t.Fatalf("decode schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schema.ID, doc); err != nil {
		t.Fatalf("add schema: %v", err)
	}
	sch, err := c.Compile(schema.ID)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

func TestCompiles(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(schema.PlaybookJSON, &doc); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if got, want := doc["$schema"], "https://json-schema.org/draft/2020-12/schema"; got != want {
		t.Errorf("$schema = %v, want %v", got, want)
	}
	if got := doc["$id"]; got != schema.ID {
		t.Errorf("$id = %v, want %v", got, schema.ID)
	}
	sch := compile(t)
	if sch.DraftVersion != 2020 {
		t.Errorf("compiled as draft %d, want 2020", sch.DraftVersion)
	}
}

// jsonValue decodes one YAML document into JSON-shaped data as the
// loader reads it: YAML 1.2 core scalars, timestamps kept as text.
func jsonValue(t *testing.T, src []byte) any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	v, err := plain(doc.Content[0])
	if err != nil {
		t.Fatalf("yaml: %v", err)
	}
	// Through JSON, so numbers reach the validator as json.Number.
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	return out
}

func plain(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := plain(c)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, err
			}
			return v, nil
		}
		return n.Value, nil
	}
	return nil, errors.New("aliases are not supported")
}

func TestExamplesValidate(t *testing.T) {
	t.Parallel()
	sch := compile(t)
	// Every playbook file, sub-playbooks under playbooks/lib included.
	var files []string
	err := filepath.WalkDir("../playbooks", func(path string, d fs.DirEntry, err error) error {
		isTest := strings.HasSuffix(path, ".test.yaml") || strings.HasSuffix(path, ".test.yml") ||
			filepath.Base(path) == "serve.yaml" // serve_test.go checks it against serve.schema.json
		if err == nil && !d.IsDir() && !isTest && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no playbooks in ../playbooks")
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(filepath.ToSlash(f), "../playbooks/"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(jsonValue(t, src)); err != nil {
				t.Errorf("%s does not match the schema:\n%v", f, err)
			}
		})
	}
}

// TestSnippets checks that the schema and the engine agree on small
// playbooks: each valid one passes both, each invalid one fails both. The
// schema must never reject what `playbook validate` accepts.
func TestSnippets(t *testing.T) {
	t.Parallel()
	sch := compile(t)
	reg := schema.Registry()
	dir := t.TempDir()
	sub := "playbook: sub\ninputs: {n: {type: integer}}\ntasks:\n  a: {run: core.set, with: {value: 1}}\noutputs: {v: 2}\n"
	if err := os.WriteFile(filepath.Join(dir, "sub.yaml"), []byte(sub), 0o600); err != nil {
		t.Fatal(err)
	}
	const head = "playbook: p\ntasks:\n"
	tests := []struct {
		name  string
		src   string
		valid bool
		at    string // where the schema reports an invalid one ("" is the root)
	}{
		{"minimal", head + "  a: {run: core.set}\n", true, ""},
		{"everything", `playbook: every.thing-1
description: every key
expressions: expr
inputs:
  plain:
  n: {type: integer, required: true, description: a number}
  hosts: {type: array, default: [a, b]}
  flag: {type: boolean, default: false}
  d: {default: 1s}
fail_fast: true
concurrency: 4
timeout: 1h30m
tasks:
  first:
    description: set a value
    run: core.set
    with:
      value: {x: 1}
      key_fields: {Names: [a]}
      return_data: Partially Successful
  each:
    needs: first
    for_each: ${{ inputs.hosts }}
    concurrency: 2
    run: core.set
    with: {value: "${{ item }}"}
    key_fields: {Hosts: $.value}
  poll:
    needs: [first, each]
    join: all_done
    when: inputs.flag == false
    run: http.request
    with:
      method: POST
      url: https://example.com/x
      headers: {X-A: b}
      query: {q: 1}
      json: {a: [1, 2]}
      timeout: 10s
    retry: {attempts: 3, backoff: 500ms, max_backoff: 2s, retry_if: "tasks.poll.error.status_code == 503"}
    timeout: 1m
    until: tasks.poll.return_data == "Successful"
    repeat: {every: 5s, max: 10}
    allow_failure: true
    allow_empty: [json]
  nap:
    needs: first
    join: any_failed
    run: core.sleep
    with: {duration: $.inputs.d}
  fail:
    needs: [nap]
    join: none_failed
    when: true
    run: core.fail
    with: {message: 1.10, status_code: 503}
  child:
    run: playbook
    with: {file: sub.yaml, inputs: {n: 3}}
finally:
  done: {run: core.set, with: {value: done}}
outputs:
  total: ${{ tasks.first.raw_data.x }}
  fixed: 3
`, true, ""},
		{"status code template", head + "  a: {run: core.fail, with: {status_code: \"${{ 500 + 3 }}\"}}\n", true, ""},
		{"for_each literal list", head + "  a: {run: core.set, for_each: [1, 2], with: {value: \"${{ item }}\"}}\n", true, ""},

		{"missing playbook", "tasks:\n  a: {run: core.set}\n", false, ""},
		{"missing tasks", "playbook: p\n", false, ""},
		{"empty tasks", "playbook: p\ntasks: {}\n", false, "/tasks"},
		{"bad playbook name", "playbook: -p\ntasks:\n  a: {run: core.set}\n", false, "/playbook"},
		{"unknown top key", head + "  a: {run: core.set}\nstages: []\n", false, ""},
		{"bad expressions", "playbook: p\nexpressions: js\ntasks:\n  a: {run: core.set}\n", false, "/expressions"},
		{"unknown task key", head + "  a: {run: core.set, need: [b]}\n", false, "/tasks/a"},
		// The validator reports a propertyNames failure at an unstable
		// location, so this case checks rejection only.
		{"bad task id", head + "  1a: {run: core.set}\n", false, ""},
		{"missing run", head + "  a: {with: {value: 1}}\n", false, "/tasks/a"},
		{"unknown command", head + "  a: {run: core.sett}\n", false, "/tasks/a/run"},
		{"bad join", head + "  a: {run: core.set}\n  b: {run: core.set, needs: [a], join: any}\n", false, "/tasks/b/join"},
		{"wrong input name for core.set", head + "  a: {run: core.set, with: {valu: 1}}\n", false, "/tasks/a/with"},
		{"missing required input", head + "  a: {run: core.sleep}\n", false, "/tasks/a"},
		{"bad option", head + "  a: {run: core.set, with: {return_data: Great}}\n", false, "/tasks/a/with/return_data"},
		{"integer out of range", head + "  a: {run: core.fail, with: {status_code: 1000}}\n", false, "/tasks/a/with/status_code"},
		{"integer of wrong type", head + "  a: {run: core.fail, with: {status_code: many}}\n", false, "/tasks/a/with/status_code"},
		{"bad duration input", head + "  a: {run: core.sleep, with: {duration: soon}}\n", false, "/tasks/a/with/duration"},
		{"http without url", head + "  a: {run: http.request, with: {method: GET}}\n", false, "/tasks/a/with"},
		{"bad http method", head + "  a: {run: http.request, with: {method: FETCH, url: \"https://x\"}}\n", false, "/tasks/a/with/method"},
		{"retry attempts 0", head + "  a: {run: core.set, retry: {attempts: 0}}\n", false, "/tasks/a/retry/attempts"},
		{"retry attempts 101", head + "  a: {run: core.set, retry: {attempts: 101}}\n", false, "/tasks/a/retry/attempts"},
		{"retry without attempts", head + "  a: {run: core.set, retry: {backoff: 1s}}\n", false, "/tasks/a/retry"},
		{"unknown retry key", head + "  a: {run: core.set, retry: {attempts: 2, delay: 1s}}\n", false, "/tasks/a/retry"},
		{"bad timeout", head + "  a: {run: core.set, timeout: 10}\n", false, "/tasks/a/timeout"},
		{"until without repeat", head + "  a: {run: core.set, until: \"true\"}\n", false, "/tasks/a"},
		{"repeat without max", head + "  a: {run: core.set, until: \"true\", repeat: {every: 1s}}\n", false, "/tasks/a/repeat"},
		{"concurrency without for_each", head + "  a: {run: core.set, concurrency: 2}\n", false, "/tasks/a"},
		{"for_each mapping", head + "  a: {run: core.set, for_each: {a: 1}}\n", false, "/tasks/a/for_each"},
		{"connection on core", "playbook: p\nconnections: {c: http}\ntasks:\n  a: {run: core.set, connection: c}\n", false, "/tasks/a/connection"},
		{"unknown integration", "playbook: p\nconnections: {c: nope}\ntasks:\n  a: {run: core.set}\n", false, "/connections/c"},
		{"bad input type", "playbook: p\ninputs: {x: {type: list}}\ntasks:\n  a: {run: core.set}\n", false, "/inputs/x/type"},
		{"unknown input key", "playbook: p\ninputs: {x: {type: string, secret: true}}\ntasks:\n  a: {run: core.set}\n", false, "/inputs/x"},
		{"key field not a string", head + "  a: {run: core.set, key_fields: {IDs: 1}}\n", false, "/tasks/a/key_fields/IDs"},
		{"sub-playbook input", head + "  a: {run: playbook, with: {file: sub.yaml, input: {}}}\n", false, "/tasks/a/with"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			serr := sch.Validate(jsonValue(t, []byte(tc.src)))
			if got := serr == nil; got != tc.valid {
				t.Errorf("schema valid = %v, want %v; error: %v", got, tc.valid, serr)
			} else if serr != nil && tc.at != "" && !strings.Contains(serr.Error(), "at '"+tc.at+"'") {
				t.Errorf("schema error does not point at %q:\n%v", tc.at, serr)
			}
			eerr := engineCheck(file, []byte(tc.src), reg)
			if got := eerr == nil; got != tc.valid {
				t.Errorf("engine valid = %v, want %v; error: %v", got, tc.valid, eerr)
			}
		})
	}
}

// engineCheck loads and compiles src as `playbook validate` does.
func engineCheck(file string, src []byte, reg *actions.Registry) error {
	pb, err := playbook.Parse(file, src)
	if err != nil {
		return err
	}
	_, err = engine.Compile(pb, reg)
	return err
}

// TestTestFileSchema keeps test.schema.json current, and checks every
// example test file against it and against the loader.
func TestTestFileSchema(t *testing.T) {
	t.Parallel()
	got, err := schema.TestFile()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("test.schema.json")
	if err != nil || !bytes.Equal(got, want) || !bytes.Equal(schema.TestJSON, want) {
		t.Fatalf("schema/test.schema.json is stale: run go generate ./schema")
	}
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("test.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("test.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../playbooks/*.test.yaml")
	if len(files) == 0 {
		t.Fatal("no example test files")
	}
	// Per-item mocks by index and by condition, and with_assert.
	files = append(files, "../engine/pbtest/testdata/contain.test.yaml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(jsonValue(t, src)); err != nil {
			t.Errorf("%s does not match test.schema.json: %v", f, err)
		}
	}
	for _, bad := range []string{
		"playbook: p.yaml\ntests:\n  a: {expect: {stauts: Failed}}\n",
		"playbook: p.yaml\ntests:\n  a: {mocks: {t: {return_data: Great}}}\n",
		"playbook: p.yaml\ntests:\n  a: {mocks: {t: []}}\n",
		"playbook: p.yaml\ntests:\n  a: {mocks: {t: {match: []}}}\n",
		"playbook: p.yaml\ntests:\n  a: {mocks: {t: {match: [{when: 'item == 1'}]}}}\n",
		"playbook: p.yaml\ntests:\n  a: {mocks: {t: {match: [{when: 'item == 1', thn: {}}]}}}\n",
		"playbook: p.yaml\ntests:\n  a: {expect: {tasks: {t: {with_asert: 'true'}}}}\n",
		"tests:\n  a: {}\n",
	} {
		if sch.Validate(jsonValue(t, []byte(bad))) == nil {
			t.Errorf("schema accepted %q", bad)
		}
		if _, err := pbtest.Parse("x.test.yaml", []byte(bad)); err == nil {
			t.Errorf("loader accepted %q", bad)
		}
	}
}
