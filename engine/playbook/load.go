package playbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// MaxFileSize caps the size of a playbook file.
const MaxFileSize = 8 << 20

// Load reads and loads the playbook at path. Its error is an [ErrorList]
// when the file does not load, or a plain error when it cannot be read.
func Load(path string) (*Playbook, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return Parse(path, src)
}

// Parse loads a playbook from src; file names it in errors. Its error is an
// [ErrorList] holding every problem found.
func Parse(file string, src []byte) (*Playbook, error) {
	d := &decoder{file: file, src: src}
	pb := d.playbook()
	if err := d.errs.Err(); err != nil {
		return pb, err
	}
	return pb, nil
}

type decoder struct {
	file  string
	src   []byte
	lines [][]byte
	errs  ErrorList
}

func (d *decoder) errorf(p Pos, hint, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Pos: p, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func pos(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) playbook() *Playbook {
	pb := &Playbook{File: d.file, src: d.src}
	if len(d.src) > MaxFileSize {
		d.errorf(Pos{1, 1}, "", "file is larger than %d bytes", MaxFileSize)
		return pb
	}
	d.lines = bytes.Split(d.src, []byte("\n"))
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(d.src))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf(Pos{1, 1}, "", "empty playbook: expected a mapping with playbook and tasks")
		} else {
			d.yamlError(err)
		}
		return pb
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(pos(&extra), "", "a playbook file holds one YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.errorf(Pos{1, 1}, "", "empty playbook: expected a mapping with playbook and tasks")
		return pb
	}
	root := doc.Content[0]
	if !d.checkAliases(root, 0) {
		return pb
	}
	pb.Pos = pos(root)
	fields := d.mapping(root, "playbook", playbookKeys)
	if fields == nil {
		return pb
	}
	if n := fields["playbook"]; n != nil {
		pb.Name, pb.NamePos = d.str(n, "playbook"), pos(n)
		if pb.Name != "" && !validName.MatchString(pb.Name) {
			d.errorf(pos(n), "", "playbook name %q must be letters, digits, '-', '_' or '.'", pb.Name)
		}
	} else {
		d.errorf(pos(root), "", "missing required key \"playbook\" (the playbook's name)")
	}
	if n := fields["description"]; n != nil {
		pb.Description = d.str(n, "description")
	}
	pb.Expressions = "cel"
	if n := fields["expressions"]; n != nil {
		pb.Expressions, pb.ExpressionsPos = d.str(n, "expressions"), pos(n)
		if pb.Expressions != "cel" && pb.Expressions != "expr" {
			d.errorf(pos(n), Suggest(pb.Expressions, []string{"cel", "expr"}), "expressions must be cel or expr, got %q", pb.Expressions)
		}
	}
	if n := fields["inputs"]; n != nil {
		pb.Inputs = d.inputs(n)
	}
	if n := fields["connections"]; n != nil {
		pb.Connections = d.connections(n)
	}
	if n := fields["tasks"]; n != nil {
		pb.Tasks = d.tasks(n, false)
		if len(pb.Tasks) == 0 && n.Kind == yaml.MappingNode {
			d.errorf(pos(n), "", "tasks is empty: a playbook needs at least one task")
		}
	} else {
		d.errorf(pos(root), "", "missing required key \"tasks\"")
	}
	if n := fields["finally"]; n != nil {
		pb.Finally = d.tasks(n, true)
	}
	if n := fields["outputs"]; n != nil {
		pb.Outputs = d.outputs(n)
	}
	if n := fields["fail_fast"]; n != nil {
		pb.FailFast = d.boolean(n, "fail_fast")
	}
	if n := fields["concurrency"]; n != nil {
		pb.Concurrency = d.positive(n, "concurrency")
	}
	if n := fields["timeout"]; n != nil {
		pb.Timeout = d.duration(n, "timeout")
	}
	d.checkTaskIDs(pb)
	return pb
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// validID is a task, input, output or connection name: usable as
// tasks.<id> in both expression languages.
var validID = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (d *decoder) yamlError(err error) {
	msg := err.Error()
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if m := yamlLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			d.errorf(Pos{Line: n, Col: d.firstCol(n)}, "", "yaml: %s", m[2])
			continue
		}
		if line != "" && !strings.HasPrefix(line, "yaml: unmarshal errors:") {
			d.errorf(Pos{1, 1}, "", "%s", line)
		}
	}
}

// firstCol is the column of the first non-blank character of a line.
func (d *decoder) firstCol(line int) int {
	if line < 1 || line > len(d.lines) {
		return 1
	}
	l := d.lines[line-1]
	return len(l) - len(bytes.TrimLeft(l, " \t")) + 1
}

// checkAliases rejects aliases that expand without bound (a billion
// laughs) and keeps nesting at a depth the walkers can afford.
func (d *decoder) checkAliases(n *yaml.Node, depth int) bool {
	if e := plainNode(n, depth, 100, "playbooks"); e != nil {
		e.File = d.file
		d.errs = append(d.errs, e)
		return false
	}
	return true
}

// mapping checks that n is a mapping whose keys are all in known and
// unique, and returns the value node of each key.
func (d *decoder) mapping(n *yaml.Node, what string, known []string) map[string]*yaml.Node {
	out, _ := d.mappingKeys(n, what, known)
	return out
}

// mappingKeys is mapping that also returns each key's node.
func (d *decoder) mappingKeys(n *yaml.Node, what string, known []string) (map[string]*yaml.Node, map[string]*yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "%s must be a mapping, got %s", what, kindName(n))
		return nil, nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	keys := make(map[string]*yaml.Node, len(n.Content)/2)
	seen := make(map[string]Pos, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(pos(k), "", "%s keys must be strings", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(pos(k), "", "duplicate key %q (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = pos(k)
		if known != nil && !contains(known, k.Value) {
			d.errorf(pos(k), Suggest(k.Value, known), "unknown key %q in %s", k.Value, what)
			continue
		}
		out[k.Value] = v
		keys[k.Value] = k
	}
	return out, keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch decodeScalar(n).(type) {
		case nil:
			return "null"
		case bool:
			return "a boolean"
		case int64, float64:
			return "a number"
		}
		return "a string"
	}
	return "an alias"
}

func (d *decoder) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		d.errorf(pos(n), "", "%s must be a string, got %s", what, kindName(n))
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	if n.Kind == yaml.ScalarNode {
		if b, ok := decodeScalar(n).(bool); ok {
			return b
		}
	}
	d.errorf(pos(n), "", "%s must be true or false, got %s", what, kindName(n))
	return false
}

func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	if n.Kind == yaml.ScalarNode {
		if i, ok := decodeScalar(n).(int64); ok && i >= -1<<31 && i < 1<<31 {
			return int(i), true
		}
	}
	d.errorf(pos(n), "", "%s must be an integer, got %s", what, kindName(n))
	return 0, false
}

func (d *decoder) positive(n *yaml.Node, what string) int {
	i, ok := d.integer(n, what)
	if ok && i < 1 {
		d.errorf(pos(n), "", "%s must be at least 1, got %d", what, i)
		return 0
	}
	return i
}

func (d *decoder) duration(n *yaml.Node, what string) time.Duration {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		dur, err := time.ParseDuration(n.Value)
		if err == nil && dur >= 0 {
			return dur
		}
	}
	d.errorf(pos(n), "", "%s must be a duration such as 30s, 5m or 1h30m, got %q", what, n.Value)
	return 0
}

// value converts a node into a [Value] tree.
func (d *decoder) value(n *yaml.Node) *Value {
	v := &Value{Pos: pos(n), Style: n.Style}
	switch n.Kind {
	case yaml.ScalarNode:
		v.Kind = ScalarKind
		v.Data = decodeScalar(n)
		v.Text = n.Value
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			v.indent = d.blockIndent(n.Line)
		}
	case yaml.SequenceNode:
		v.Kind = ListKind
		v.List = make([]*Value, 0, len(n.Content))
		for _, c := range n.Content {
			v.List = append(v.List, d.value(c))
		}
	case yaml.MappingNode:
		v.Kind = MapKind
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, c := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				d.errorf(pos(k), "", "keys must be strings")
				continue
			}
			if first, dup := seen[k.Value]; dup {
				d.errorf(pos(k), "", "duplicate key %q (first at line %d)", k.Value, first)
				continue
			}
			seen[k.Value] = k.Line
			v.Map = append(v.Map, &Entry{Key: k.Value, KeyPos: pos(k), Value: d.value(c)})
		}
	}
	return v
}

// blockIndent is the indentation of a block scalar's first content line,
// the line after its indicator.
func (d *decoder) blockIndent(indicatorLine int) int {
	for i := indicatorLine; i < len(d.lines); i++ {
		l := d.lines[i]
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		return len(l) - len(bytes.TrimLeft(l, " "))
	}
	return 0
}
