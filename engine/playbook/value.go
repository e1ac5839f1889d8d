package playbook

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Kind is the kind of a [Value].
type Kind int

// The kinds of value a file holds.
const (
	ScalarKind Kind = iota
	ListKind
	MapKind
)

// Value is a YAML value of a file with its positions, so templates and
// expressions inside it can report errors at file:line:col.
type Value struct {
	Kind Kind
	Pos  Pos
	// Data is a scalar's decoded value: nil, bool, int64, float64 or string.
	Data any
	// Text is a scalar's text as written (for a string input given 1.10).
	Text string
	// Style is the scalar's YAML style: plain, quoted or block.
	Style yaml.Style
	List  []*Value
	Map   []*Entry // in file order

	indent int // a block scalar's content indentation
}

// Entry is one key of a map [Value].
type Entry struct {
	Key    string
	KeyPos Pos
	Value  *Value
}

// IsString reports whether v is a string scalar.
func (v *Value) IsString() bool {
	if v == nil || v.Kind != ScalarKind {
		return false
	}
	_, ok := v.Data.(string)
	return ok
}

// Str returns a string scalar's text, or "".
func (v *Value) Str() string {
	if v == nil {
		return ""
	}
	s, _ := v.Data.(string)
	return s
}

// Get returns the entry of a map value with that key.
func (v *Value) Get(key string) *Value {
	if v == nil {
		return nil
	}
	for _, e := range v.Map {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// Plain returns the value as JSON-shaped Go data (maps, lists, scalars).
func (v *Value) Plain() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case ListKind:
		out := make([]any, len(v.List))
		for i, e := range v.List {
			out[i] = e.Plain()
		}
		return out
	case MapKind:
		out := make(map[string]any, len(v.Map))
		for _, e := range v.Map {
			out[e.Key] = e.Value.Plain()
		}
		return out
	}
	return v.Data
}

// At returns the position in the file of byte offset off of a string
// scalar's value. A quoted scalar's column is its quote, so its text starts
// one column later; a block scalar (| or >) starts on the line after its
// indicator. Escapes in quoted scalars and folded line breaks make the
// column approximate; the line is exact for literal block scalars.
func (v *Value) At(off int) Pos {
	if v == nil {
		return Pos{}
	}
	s := v.Str()
	if off < 0 {
		return v.Pos
	}
	if off > len(s) {
		off = len(s)
	}
	switch {
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		line := v.Pos.Line + 1
		lineStart := 0
		if v.Style&yaml.LiteralStyle != 0 {
			for i := 0; i < off; i++ {
				if s[i] == '\n' {
					line++
					lineStart = i + 1
				}
			}
		}
		return Pos{Line: line, Col: v.indent + 1 + runeCount(s[lineStart:off])}
	case v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		return Pos{Line: v.Pos.Line, Col: v.Pos.Col + 1 + runeCount(s[:off])}
	}
	return Pos{Line: v.Pos.Line, Col: v.Pos.Col + runeCount(s[:off])}
}

func runeCount(s string) int { return len([]rune(s)) }

// decodeScalar reads a scalar node the way YAML 1.2's core schema does,
// keeping integers as int64.
func decodeScalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i
		}
		var f float64
		if err := n.Decode(&f); err == nil {
			return f
		}
		return n.Value
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil {
			return f
		}
		return n.Value
	}
	return n.Value
}

// NodeValue converts node n of the YAML file src into a [Value], for
// other authored files (serve.yaml) whose values hold templates. Duplicate
// keys and non-string keys are reported in the list.
func NodeValue(file string, src []byte, n *yaml.Node) (*Value, ErrorList) {
	d := &decoder{file: file, src: src, lines: bytes.Split(src, []byte("\n"))}
	v := d.value(n)
	return v, d.errs
}
