// Package intake turns a fetch command's Raw Data into events (field
// mapping, as D3's Event Intake does it) and runs incremental fetch cycles
// that store each event once.
package intake

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/jsonpath"
)

// MappingError is a mapping that does not compile. Field names the part
// at fault as serve.yaml spells it ("main_path", "fields.Severity",
// "sources[0].search", "dedup[1]"); Offset is the byte offset in its text,
// -1 when none applies.
type MappingError struct {
	Field  string
	Offset int
	Msg    string
}

func (e *MappingError) Error() string { return e.Field + ": " + e.Msg }

// Mapping is a compiled field mapping. It is safe for concurrent use.
type Mapping struct {
	name    string
	main    *jsonpath.Path
	key     *jsonpath.Path
	dedup   []*jsonpath.Path
	fields  []field
	sources []source
}

type field struct {
	name string
	path *jsonpath.Path
}

type source struct {
	search  search
	key     *jsonpath.Path // nil: the mapping's
	fields  []field
	display string
}

// search is a parsed search string: {path}=value.
type search struct {
	path  *jsonpath.Path
	value string
}

// Compile compiles a mapping. dedup lists the paths whose values together
// identify an event for deduplication (["id", "updatedAt"] re-triggers on
// every update); nil means the unique key alone.
func Compile(m actions.Mapping, dedup []string) (*Mapping, error) {
	c := &Mapping{name: m.Name}
	var err error
	if m.MainPath == "" {
		return nil, &MappingError{Field: "main_path", Offset: -1, Msg: "a mapping needs its Main Event JSON Path (main_path: $.data.nodes)"}
	}
	if c.main, err = jsonpath.Compile(m.MainPath); err != nil {
		return nil, pathError("main_path", err)
	}
	if m.UniqueKey != "" {
		if c.key, err = jsonpath.CompileRelative(m.UniqueKey); err != nil {
			return nil, pathError("unique_key", err)
		}
	}
	if c.fields, err = compileFields("fields", m.Fields); err != nil {
		return nil, err
	}
	for i, s := range m.Sources {
		at := fmt.Sprintf("sources[%d]", i)
		src := source{display: s.Search}
		if src.search, err = parseSearch(s.Search); err != nil {
			me := err.(*MappingError)
			me.Field = at + ".search"
			return nil, me
		}
		if s.UniqueKey != "" {
			if src.key, err = jsonpath.CompileRelative(s.UniqueKey); err != nil {
				return nil, pathError(at+".unique_key", err)
			}
		}
		if src.fields, err = compileFields(at+".fields", s.Fields); err != nil {
			return nil, err
		}
		c.sources = append(c.sources, src)
	}
	if c.key == nil {
		for _, s := range c.sources {
			if s.key == nil {
				return nil, &MappingError{Field: "unique_key", Offset: -1, Msg: "a mapping needs a unique key (unique_key: .id) to store each event once"}
			}
		}
		if len(c.sources) == 0 {
			return nil, &MappingError{Field: "unique_key", Offset: -1, Msg: "a mapping needs a unique key (unique_key: .id) to store each event once"}
		}
	}
	for i, d := range dedup {
		p, err := jsonpath.CompileRelative(d)
		if err != nil {
			return nil, pathError(fmt.Sprintf("dedup[%d]", i), err)
		}
		c.dedup = append(c.dedup, p)
	}
	return c, nil
}

func compileFields(at string, fs []actions.MappedField) ([]field, error) {
	out := make([]field, 0, len(fs))
	seen := map[string]bool{}
	for _, f := range fs {
		if strings.TrimSpace(f.Name) == "" {
			return nil, &MappingError{Field: at, Offset: -1, Msg: "a field needs a name"}
		}
		if seen[f.Name] {
			return nil, &MappingError{Field: at + "." + f.Name, Offset: -1, Msg: "field " + f.Name + " is mapped twice"}
		}
		seen[f.Name] = true
		p, err := jsonpath.CompileRelative(f.Path)
		if err != nil {
			return nil, pathError(at+"."+f.Name, err)
		}
		out = append(out, field{name: f.Name, path: p})
	}
	return out, nil
}

func pathError(at string, err error) error {
	if se, ok := err.(*jsonpath.SyntaxError); ok {
		return &MappingError{Field: at, Offset: se.Offset, Msg: "jsonpath: " + se.Msg}
	}
	return &MappingError{Field: at, Offset: -1, Msg: err.Error()}
}

// parseSearch parses "{path}=value" (spaces around "=" allowed, as the
// vendor pages write "{__typename} = ConfigurationFinding"). The path is
// relative to the event; the value is compared as text.
func parseSearch(s string) (search, error) {
	t := strings.TrimSpace(s)
	lead := strings.Index(s, t)
	if !strings.HasPrefix(t, "{") {
		return search{}, &MappingError{Offset: lead, Msg: `a search string is {path}=value, as in {__typename}=Issue`}
	}
	end := strings.IndexByte(t, '}')
	if end < 0 {
		return search{}, &MappingError{Offset: lead + len(t), Msg: `missing "}" after the path`}
	}
	inner := strings.TrimSpace(t[1:end])
	if inner == "" {
		return search{}, &MappingError{Offset: lead + 1, Msg: "empty path in {}"}
	}
	p, err := jsonpath.CompileRelative(inner)
	if err != nil {
		me := pathError("", err).(*MappingError)
		if me.Offset >= 0 {
			me.Offset += lead + 1 + strings.Index(t[1:end], inner)
		}
		return search{}, me
	}
	rest := strings.TrimSpace(t[end+1:])
	if !strings.HasPrefix(rest, "=") {
		return search{}, &MappingError{Offset: lead + end + 1, Msg: `expected "=" after {` + inner + `}`}
	}
	return search{path: p, value: unquote(strings.TrimSpace(rest[1:]))}, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

// matches reports whether the event's value at the search path, as text,
// is the search value (any of them, for a path selecting several).
func (s search) matches(node any) bool {
	v := s.path.Get(node)
	if list, ok := v.([]any); ok && !s.path.Singular() {
		for _, x := range list {
			if text(x) == s.value {
				return true
			}
		}
		return false
	}
	return v != nil && text(v) == s.value
}

// Event is one mapped event.
type Event struct {
	// Key identifies the event for deduplication: the unique key, or the
	// dedup paths' values together.
	Key string
	// UniqueKey is the unique key's value as text.
	UniqueKey string
	// Fields are the mapped fields by name; Names keeps their order (the
	// default event source's, then the matching sources').
	Fields map[string]any
	Names  []string
	// Raw is the vendor's event node.
	Raw any
}

// Skipped is an event node the mapping could not use.
type Skipped struct {
	Index  int
	Reason string
}

// Apply maps a command's Raw Data to events, in the order the Main Event
// JSON Path selects them. A source field the event lacks leaves that field
// out, as the vendor pages say; a node that is not an object, or has no
// unique key, is skipped and reported.
func (m *Mapping) Apply(raw any) ([]Event, []Skipped) {
	nodes := m.nodes(raw)
	events := make([]Event, 0, len(nodes))
	var skipped []Skipped
	for i, n := range nodes {
		if _, ok := n.(map[string]any); !ok {
			skipped = append(skipped, Skipped{Index: i, Reason: "not an object"})
			continue
		}
		ev := Event{Fields: map[string]any{}, Raw: n}
		key := m.key
		add := func(fs []field) {
			for _, f := range fs {
				v := f.path.Get(n)
				if v == nil {
					continue
				}
				if l, ok := v.([]any); ok && len(l) == 0 && !f.path.Singular() {
					continue
				}
				if _, dup := ev.Fields[f.name]; !dup {
					ev.Names = append(ev.Names, f.name)
				}
				ev.Fields[f.name] = v
			}
		}
		add(m.fields)
		for _, s := range m.sources {
			if s.search.matches(n) {
				add(s.fields)
				if s.key != nil {
					key = s.key
				}
			}
		}
		if key == nil {
			skipped = append(skipped, Skipped{Index: i, Reason: "no event source matched and the mapping has no unique key"})
			continue
		}
		uk := key.Get(n)
		if l, ok := uk.([]any); ok && !key.Singular() {
			if len(l) == 1 {
				uk = l[0]
			} else {
				uk = nil
			}
		}
		if uk == nil || text(uk) == "" {
			skipped = append(skipped, Skipped{Index: i, Reason: "no unique key at " + key.String()})
			continue
		}
		ev.UniqueKey = text(uk)
		ev.Key = ev.UniqueKey
		if len(m.dedup) > 0 {
			parts := make([]any, len(m.dedup))
			for j, d := range m.dedup {
				parts[j] = d.Get(n)
			}
			b, _ := json.Marshal(parts)
			ev.Key = string(b)
		}
		events = append(events, ev)
	}
	return events, skipped
}

// nodes applies the Main Event JSON Path: a path selecting one array means
// its elements.
func (m *Mapping) nodes(raw any) []any {
	if m.main.Singular() {
		switch v := m.main.Get(raw).(type) {
		case nil:
			return nil
		case []any:
			return v
		default:
			return []any{v}
		}
	}
	return m.main.Query(raw)
}

// text is a value as the search string and the unique key compare it:
// strings as they are, anything else as JSON.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Context is the event as a playbook's `event` sees it: each field by
// its name as written (event["Document ID"]) and with spaces removed
// (event.DocumentID), and the vendor's node as event.raw. A field whose
// name is already taken keeps the first.
func (e Event) Context() map[string]any {
	out := make(map[string]any, 2*len(e.Fields)+1)
	for _, n := range e.Names {
		out[n] = e.Fields[n]
	}
	for _, n := range e.Names {
		if short := strings.ReplaceAll(n, " ", ""); short != n {
			if _, taken := out[short]; !taken {
				out[short] = e.Fields[n]
			}
		}
	}
	if _, taken := out["raw"]; !taken {
		out["raw"] = e.Raw
	}
	return out
}
