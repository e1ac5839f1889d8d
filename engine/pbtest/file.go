package pbtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"gopkg.in/yaml.v3"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// File is one loaded test file.
type File struct {
	Path        string // as given
	Playbook    string // the playbook's path, resolved against the file's directory
	PlaybookPos playbook.Pos
	Cases       []*Case
}

// Case is one test case.
type Case struct {
	Name        string
	Pos         playbook.Pos
	Description string
	Inputs      map[string]any
	Event       any
	Sandbox     bool
	DryRun      bool
	Mocks       map[string]*Mock
	MockOrder   []string
	Expect      Expect
}

// Mock answers the calls of one task: successive envelopes for successive
// attempts and polls (the last repeats), or one such list per for_each
// item, chosen by the item's index or by a condition on the item.
type Mock struct {
	Task  string
	Pos   playbook.Pos
	Seq   []actions.Envelope
	Items [][]actions.Envelope // nil unless the mock is {items: [...]}
	Match []*MatchRule         // nil unless the mock is {match: [...]}
}

// MatchRule answers the for_each items its condition holds for; the
// first rule that holds answers.
type MatchRule struct {
	When Assertion // a CEL condition over item and index; "" holds for every item
	Pos  playbook.Pos
	Then []actions.Envelope
	prg  cel.Program
}

// Expect is what a case expects of the run.
type Expect struct {
	Status    string
	StatusPos playbook.Pos
	Tasks     []*TaskExpect
	Outputs   map[string]any
	OutputPos map[string]playbook.Pos
	Assert    []Assertion
}

// TaskExpect is what a case expects of one task; empty fields are not
// checked.
type TaskExpect struct {
	ID         string
	Pos        playbook.Pos
	Status     string
	Reason     string
	ReturnData string
	Attempts   *int
	With       any // compared as a subset: maps by the keys given, lists whole
	HasWith    bool
	WithAssert []Assertion // CEL conditions over with
}

// Assertion is a CEL condition: over the run report (assert), over a
// task's inputs (with_assert), or over a for_each item (match).
type Assertion struct {
	Src string
	Pos playbook.Pos // of the condition's first character
	// OneLine is set when Src is written on one line, so an offset in it
	// is a column offset in the file.
	OneLine bool
}

var (
	fileKeys     = []string{"playbook", "description", "tests"}
	caseKeys     = []string{"description", "inputs", "event", "mocks", "expect", "sandbox", "dry_run"}
	envelopeKeys = []string{"return_data", "raw_data", "key_fields", "result", "error"}
	errorKeys    = []string{"failure_indicator", "status_code", "message"}
	expectKeys   = []string{"status", "tasks", "outputs", "assert"}
	taskExpKeys  = []string{"status", "reason", "return_data", "attempts", "with", "with_assert"}
	matchKeys    = []string{"when", "then"}
	taskStatuses = []string{"succeeded", "failed", "skipped", "cancelled", "dry_run"}
	runStatuses  = []string{"Successful", "Failed", "Partially Successful", "Cancelled"}
	caseName     = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
)

// Load reads a test file. Its error is a [playbook.ErrorList] with every
// problem, or a plain error when the file cannot be read.
func Load(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return Parse(path, src)
}

// Parse loads a test file from src.
func Parse(path string, src []byte) (*File, error) {
	d := &decoder{file: path}
	f := &File{Path: path}
	d.parse(f, src)
	if err := d.errs.Err(); err != nil {
		return f, err
	}
	return f, nil
}

type decoder struct {
	file string
	errs playbook.ErrorList
}

func pos(n *yaml.Node) playbook.Pos { return playbook.Pos{Line: n.Line, Col: n.Column} }

func (d *decoder) errorf(p playbook.Pos, hint, format string, args ...any) {
	d.errs = append(d.errs, &playbook.Error{File: d.file, Pos: p, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (d *decoder) parse(f *File, src []byte) {
	root, err := playbook.DecodeDocument(d.file, src, "empty test file: expected playbook and tests", "test files", 100)
	if err != nil {
		d.errs = append(d.errs, err)
		return
	}
	m := d.mapping(root, "test file", fileKeys)
	if m == nil {
		return
	}
	if n := m["playbook"]; n != nil {
		p := d.str(n, "playbook")
		if p != "" && !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(f.Path), p)
		}
		f.Playbook, f.PlaybookPos = p, pos(n)
	} else {
		d.errorf(pos(root), "", "missing required key \"playbook\" (the playbook file under test)")
	}
	n := m["tests"]
	if n == nil {
		d.errorf(pos(root), "", "missing required key \"tests\"")
		return
	}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		d.errorf(pos(n), "", "tests must map case names to cases")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			d.errorf(pos(k), "", "duplicate test case %q", k.Value)
			continue
		}
		seen[k.Value] = true
		if !caseName.MatchString(k.Value) {
			d.errorf(pos(k), "", "test case name %q must be letters, digits, '-', '_' or '.'", k.Value)
		}
		f.Cases = append(f.Cases, d.testCase(k.Value, pos(k), v))
	}
}

// mapping checks n is a mapping with known, unique keys.
func (d *decoder) mapping(n *yaml.Node, what string, known []string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "%s must be a mapping", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := out[k.Value]; dup {
			d.errorf(pos(k), "", "duplicate key %q", k.Value)
			continue
		}
		if known != nil && !slices.Contains(known, k.Value) {
			d.errorf(pos(k), playbook.Suggest(k.Value, known), "unknown key %q in %s", k.Value, what)
			continue
		}
		out[k.Value] = v
	}
	return out
}

// condition reads a CEL condition, placed at its first character.
func (d *decoder) condition(n *yaml.Node, what string) Assertion {
	a := Assertion{Src: d.str(n, what), Pos: pos(n)}
	switch n.Style {
	case 0:
		a.OneLine = !strings.Contains(a.Src, "\n")
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		// Escapes would shift columns; only plain text maps one to one.
		a.OneLine = !strings.ContainsAny(a.Src, "\n\\'\"")
		a.Pos.Col++
	}
	return a
}

func (d *decoder) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		d.errorf(pos(n), "", "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.errorf(pos(n), "", "%s must be true or false", what)
	}
	return b
}

// data decodes a node into JSON-shaped data.
func (d *decoder) data(n *yaml.Node) any {
	var v any
	if err := n.Decode(&v); err != nil {
		d.errorf(pos(n), "", "%v", err)
		return nil
	}
	return actions.Normalize(v)
}
