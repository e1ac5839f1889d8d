package serve

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/playbook-sh/playbook/engine/playbook"
)

// FuzzParse checks the serve.yaml loader never panics and every error it
// reports is a playbook.Error at a position of at least 1:1, inside the
// input when it is serve.yaml's own. CI runs it:
//
//	go test -run='^$' -fuzz='^FuzzParse$' -fuzztime=10s ./engine/serve
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testDir, "*.yaml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, tc := range parseErrorCases {
		f.Add([]byte(tc.src))
	}
	f.Add([]byte(fullTriggerConfig))
	f.Add([]byte("intake:\n  a: {connection: c, command: test.fetch, every: 12h, mapping: {main_path: |\n    $.x[\n  }}\n"))
	reg := newTestFixture().reg
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<14 || !localPathsOnly(src) {
			return
		}
		cfg, err := Parse(servePath, src, reg)
		if err == nil {
			if cfg == nil {
				t.Fatal("Parse returned neither a config nor an error")
			}
			return
		}
		var list playbook.ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("Parse error %T is not a playbook.ErrorList: %v", err, err)
		}
		lines := playbook.LineCount(src)
		for _, e := range list {
			if e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Errorf("error at %d:%d, before 1:1: %v", e.Pos.Line, e.Pos.Col, e)
			}
			if e.File == servePath && e.Pos.Line > lines+1 {
				t.Errorf("error line %d outside the %d-line input: %v", e.Pos.Line, lines, e)
			}
		}
	})
}

// localPathsOnly reports whether src is YAML whose strings name no file
// outside testdata (no absolute path, no ..), so that the playbooks it
// loads are the test's and never a device that reads forever.
func localPathsOnly(src []byte) bool {
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		return true // Parse fails before it reads a file
	}
	ok := true
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || !ok || seen[n] {
			return
		}
		seen[n] = true
		v := n.Value
		if strings.Contains(v, "..") || strings.Contains(v, `\`) || strings.HasPrefix(v, "~") ||
			strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "/var/lib/playbook/") {
			ok = false
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
		walk(n.Alias)
	}
	walk(&n)
	return ok
}
