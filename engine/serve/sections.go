package serve

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/intake"
	"github.com/playbook-sh/playbook/engine/playbook"
)

var mappingKeys = []string{"extends", "main_path", "unique_key", "fields", "remove", "sources"}

// mappingOf reads mapping: a shipped mapping's name, or an inline mapping
// that may extend one (`extends:`), override or add fields by name, and
// remove fields (`remove: [Notes]`), as D3's field mapping editor does.
func (d *decoder) mappingOf(n *yaml.Node, spec actions.Spec, dedup []string, dedupNode *yaml.Node) (string, *intake.Mapping) {
	integ, _ := d.reg.Integration(spec.Integration())
	shipped := func(at *yaml.Node) (actions.Mapping, bool) {
		name := d.str(at, "mapping")
		m, ok := integ.Mapping(name)
		if !ok {
			d.errorf(pos(at), playbook.Suggest(name, spec.Intake.Mappings), "unknown mapping %q; %s ships %s",
				name, spec.Title, strings.Join(spec.Intake.Mappings, ", "))
		}
		return m, ok
	}
	var m actions.Mapping
	name := "inline"
	var shippedSources int // sources from extends:, before the inline ones
	switch n.Kind {
	case yaml.ScalarNode:
		var ok bool
		if m, ok = shipped(n); !ok {
			return "", nil
		}
		name = m.Name
	case yaml.MappingNode:
		keys := d.mapping(n, "mapping", mappingKeys)
		if keys == nil {
			return "", nil
		}
		if at := keys["extends"]; at != nil {
			base, ok := shipped(at)
			if !ok {
				return "", nil
			}
			m = copyMapping(base)
			name = base.Name + "+"
		}
		if at := keys["main_path"]; at != nil {
			m.MainPath = d.str(at, "main_path")
		}
		if at := keys["unique_key"]; at != nil {
			m.UniqueKey = d.str(at, "unique_key")
		}
		if at := keys["remove"]; at != nil {
			names := d.strings(at, "remove")
			for i, c := range names {
				if !removeField(&m, c) {
					d.errorf(pos(at.Content[i]), "", "remove: the mapping has no field %q", c)
				}
			}
		}
		if at := keys["fields"]; at != nil {
			for _, f := range d.fieldMap(at) {
				setField(&m, f)
			}
		}
		shippedSources = len(m.Sources)
		if at := keys["sources"]; at != nil {
			if at.Kind != yaml.SequenceNode {
				d.errorf(pos(at), "", "sources must be a list of {search, fields}")
			} else {
				for _, c := range at.Content {
					sk := d.mapping(c, "event source", []string{"search", "unique_key", "fields"})
					if sk == nil {
						continue
					}
					var s actions.EventSource
					if sk["search"] == nil {
						d.errorf(pos(c), "", "an event source needs search: such as \"{__typename}=Issue\"")
						continue
					}
					s.Search = d.str(sk["search"], "search")
					if sk["unique_key"] != nil {
						s.UniqueKey = d.str(sk["unique_key"], "unique_key")
					}
					if sk["fields"] != nil {
						s.Fields = d.fieldMap(sk["fields"])
					}
					m.Sources = append(m.Sources, s)
				}
			}
		}
	default:
		d.errorf(pos(n), "", "mapping must be a shipped mapping's name (%s) or a mapping, got %s",
			strings.Join(spec.Intake.Mappings, ", "), playbook.KindName(n))
		return "", nil
	}
	c, err := intake.Compile(m, dedup)
	if err != nil {
		d.errorf(d.mappingErrorAt(err, n, dedupNode, shippedSources), "", "mapping: %v", err)
		return "", nil
	}
	return name, c
}

// mappingErrorAt is where in serve.yaml an [intake.MappingError] is: the
// text at fault (at its offset) in the inline mapping or dedup list, or
// the mapping itself when that text came from a shipped mapping.
func (d *decoder) mappingErrorAt(err error, n, dedupNode *yaml.Node, shippedSources int) playbook.Pos {
	me, ok := err.(*intake.MappingError)
	if !ok {
		return pos(n)
	}
	at, field := n, me.Field
	if i, ok := strings.CutPrefix(field, "dedup["); ok {
		at, field = element(dedupNode, strings.TrimSuffix(i, "]"), 0), ""
	} else if rest, ok := strings.CutPrefix(field, "sources["); ok {
		var i string
		i, field, _ = strings.Cut(rest, "].")
		at = element(valueNode(n, "sources"), i, shippedSources)
	}
	if name, ok := strings.CutPrefix(field, "fields."); ok && at != nil {
		at, field = valueNode(at, "fields"), name
	}
	if at != nil && field != "" {
		if v := valueNode(at, field); v != nil {
			at = v
		} else if at == n {
			at = nil // from the shipped mapping
		} // else the nearest enclosing part: a source, its fields
	}
	if at == nil {
		return pos(n)
	}
	if at.Kind != yaml.ScalarNode {
		return pos(at)
	}
	v, _ := playbook.NodeValue(d.file, d.src, at)
	return v.At(me.Offset)
}

// element is the element of list numbered i, counting from skip; nil
// when there is none.
func element(list *yaml.Node, i string, skip int) *yaml.Node {
	k, err := strconv.Atoi(i)
	k -= skip
	if list == nil || list.Kind != yaml.SequenceNode || err != nil || k < 0 || k >= len(list.Content) {
		return nil
	}
	return list.Content[k]
}

func copyMapping(m actions.Mapping) actions.Mapping {
	out := m
	out.Fields = append([]actions.MappedField(nil), m.Fields...)
	out.Sources = make([]actions.EventSource, len(m.Sources))
	for i, s := range m.Sources {
		s.Fields = append([]actions.MappedField(nil), s.Fields...)
		out.Sources[i] = s
	}
	return out
}

// setField replaces the path of every field with that name, or adds the
// field to the default event source.
func setField(m *actions.Mapping, f actions.MappedField) {
	found := false
	replace := func(fs []actions.MappedField) {
		for i := range fs {
			if fs[i].Name == f.Name {
				fs[i].Path, found = f.Path, true
			}
		}
	}
	replace(m.Fields)
	for _, s := range m.Sources {
		replace(s.Fields)
	}
	if !found {
		m.Fields = append(m.Fields, f)
	}
}

// removeField drops every field with that name; false when there is none.
func removeField(m *actions.Mapping, name string) bool {
	found := false
	drop := func(fs []actions.MappedField) []actions.MappedField {
		out := fs[:0]
		for _, f := range fs {
			if f.Name == name {
				found = true
				continue
			}
			out = append(out, f)
		}
		return out
	}
	m.Fields = drop(m.Fields)
	for i := range m.Sources {
		m.Sources[i].Fields = drop(m.Sources[i].Fields)
	}
	return found
}

// fieldMap reads {Field Name: .path, ...} in file order.
func (d *decoder) fieldMap(n *yaml.Node) []actions.MappedField {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "fields must be a mapping of field names to paths, such as {Severity: .severity}")
		return nil
	}
	var out []actions.MappedField
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			d.errorf(pos(k), "", "field %q is mapped twice", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, actions.MappedField{Name: k.Value, Path: d.str(n.Content[i+1], "a field's path")})
	}
	return out
}

func (d *decoder) strings(n *yaml.Node, what string) []string {
	if n.Kind != yaml.SequenceNode {
		d.errorf(pos(n), "", "%s must be a list of names", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, d.str(c, what))
	}
	return out
}

func (d *decoder) trigger(n *yaml.Node) *Trigger {
	m := d.mapping(n, "trigger", []string{"playbook", "when", "inputs", "concurrency"})
	if m == nil {
		return nil
	}
	t := &Trigger{Concurrency: DefaultConcurrency, Inputs: map[string]*Template{}}
	if m["playbook"] == nil {
		d.errorf(pos(n), "", "trigger needs playbook:")
		return nil
	}
	t.Playbook = d.playbook(m["playbook"])
	if at := m["when"]; at != nil {
		v, errs := playbook.NodeValue(d.file, d.src, at)
		d.errs = append(d.errs, errs...)
		src := d.str(at, "when")
		if src != "" {
			p, err := eval.Compile(d.lang, src, engine.EvalOptions())
			if err != nil {
				d.exprError(v, err)
			} else if bad, ok := outsideEvent(p.Refs()); ok {
				d.errorf(v.At(bad.Offset), "", "when: a trigger sees only event, not %s", bad.Path[0])
			} else {
				t.When = p
			}
		}
	}
	if at := m["concurrency"]; at != nil {
		t.Concurrency = d.integer(at, "concurrency", 1)
	}
	t.Inputs = d.eventInputs(n, m["inputs"], t.Playbook)
	return t
}

// eventInputs reads the inputs a trigger or webhook gives its playbook:
// values that may hold templates over event. Unknown names and missing
// required inputs are errors.
func (d *decoder) eventInputs(owner, at *yaml.Node, c *engine.Compiled) map[string]*Template {
	out := map[string]*Template{}
	if at == nil {
		d.requiredInputs(pos(owner), c, nil)
		return out
	}
	v, errs := playbook.NodeValue(d.file, d.src, at)
	d.errs = append(d.errs, errs...)
	if v.Kind != playbook.MapKind {
		d.errorf(pos(at), "", "inputs must be a mapping of input names to values, got %s", playbook.KindName(at))
		return out
	}
	given := map[string]bool{}
	for _, e := range v.Map {
		out[e.Key] = d.template(e.Value)
		given[e.Key] = true
		if c != nil && c.Playbook.Input(e.Key) == nil {
			d.errorf(e.KeyPos, playbook.Suggest(e.Key, inputNames(c)), "inputs: the playbook declares no input %q", e.Key)
		}
	}
	d.requiredInputs(pos(at), c, given)
	return out
}

func inputNames(c *engine.Compiled) []string {
	var out []string
	for _, in := range c.Playbook.Inputs {
		out = append(out, in.Name)
	}
	return out
}

// requiredInputs reports the playbook's required inputs, without a
// default, that a trigger does not give.
func (d *decoder) requiredInputs(at playbook.Pos, c *engine.Compiled, given map[string]bool) {
	if c == nil {
		return
	}
	for _, in := range c.Playbook.Inputs {
		if in.Required && in.Default == nil && !given[in.Name] {
			d.errorf(at, "", "inputs: %s needs input %q", c.Playbook.Name, in.Name)
		}
	}
}

// outsideEvent is the first reference of an expression to a top-level
// name other than event.
func outsideEvent(refs []eval.Ref) (eval.Ref, bool) {
	for _, r := range refs {
		if len(r.Path) > 0 && r.Path[0] != "event" {
			return r, true
		}
	}
	return eval.Ref{}, false
}

func (d *decoder) exprError(v *playbook.Value, err error) {
	if ee, ok := err.(*eval.Error); ok {
		d.errorf(v.At(ee.Offset), ee.Hint, "%s", ee.Msg)
		return
	}
	d.errorf(v.Pos, "", "%v", err)
}

func (d *decoder) health(n *yaml.Node) *Health {
	m := d.mapping(n, "health_checks", []string{"every", "notify_after", "webhook", "connections"})
	if m == nil {
		return nil
	}
	h := &Health{Every: 0, NotifyAfter: 3}
	if at := m["every"]; at != nil {
		bad := len(d.errs)
		h.Every = d.duration(at, "every")
		if len(d.errs) == bad && h.Every < time.Second {
			d.errorf(pos(at), "", "every must be at least 1s")
		}
	} else {
		d.errorf(pos(n), "", "health_checks needs every:")
	}
	if at := m["notify_after"]; at != nil {
		h.NotifyAfter = d.integer(at, "notify_after", 1)
	}
	if at := m["webhook"]; at != nil {
		h.Webhook = d.secretRef(at, "webhook")
	}
	if at := m["connections"]; at != nil {
		h.Connections = d.strings(at, "connections")
	}
	return h
}

var consoleRoles = []string{"viewer", "runner"}

func (d *decoder) console(n *yaml.Node) *Console {
	m := d.mapping(n, "console", []string{"users", "session_ttl"})
	if m == nil {
		return nil
	}
	c := &Console{Pos: pos(n)}
	if at := m["session_ttl"]; at != nil {
		bad := len(d.errs)
		c.SessionTTL = d.duration(at, "session_ttl")
		if len(d.errs) == bad && c.SessionTTL < time.Minute {
			d.errorf(pos(at), "", "session_ttl must be at least 1m")
		}
	}
	d.named(m["users"], "console users", func(k, v *yaml.Node) {
		um := d.mapping(v, "console user "+k.Value, []string{"password", "token", "role"})
		if um == nil {
			return
		}
		u := &ConsoleUser{Name: k.Value, Pos: pos(k)}
		if at := um["password"]; at != nil {
			u.Password = d.secretRef(at, "password")
		}
		if at := um["token"]; at != nil {
			u.Token = d.secretRef(at, "token")
		}
		if um["password"] == nil && um["token"] == nil {
			d.errorf(pos(k), "", "console user %s needs password: (to log in) or token: (for scripts), as env:NAME or file:PATH", k.Value)
		}
		if at := um["role"]; at != nil {
			u.Role = d.str(at, "role")
			if u.Role != "" && !slices.Contains(consoleRoles, u.Role) {
				d.errorf(pos(at), playbook.Suggest(u.Role, consoleRoles), "role must be viewer or runner, got %q", u.Role)
			}
		} else {
			d.errorf(pos(k), "", "console user %s needs role: viewer or runner", k.Value)
		}
		c.Users = append(c.Users, u)
	})
	if len(c.Users) == 0 {
		d.errorf(pos(n), "", "console needs users: (NAME: {password: env:..., role: viewer})")
	}
	return c
}

func (d *decoder) webhook(k, v *yaml.Node) *Webhook {
	m := d.mapping(v, "webhook "+k.Value, []string{"playbook", "token", "inputs"})
	if m == nil {
		return nil
	}
	w := &Webhook{Name: k.Value, Pos: pos(k)}
	if m["playbook"] == nil || m["token"] == nil {
		d.errorf(pos(k), "", "webhook %s needs playbook: and token: (env:NAME or file:PATH)", k.Value)
		return nil
	}
	w.Playbook = d.playbook(m["playbook"])
	w.Token = d.secretRef(m["token"], "token")
	w.Inputs = d.eventInputs(v, m["inputs"], w.Playbook)
	return w
}

// Template is a trigger input as written: literal data, or strings that
// hold ${{ }} templates over event, compiled at load.
type Template struct {
	lit  any
	tmpl *eval.Template
	list []*Template
	keys []string
	vals []*Template
	kind playbook.Kind
}

func (d *decoder) template(v *playbook.Value) *Template {
	t := &Template{kind: v.Kind}
	switch v.Kind {
	case playbook.ListKind:
		for _, c := range v.List {
			t.list = append(t.list, d.template(c))
		}
	case playbook.MapKind:
		for _, e := range v.Map {
			t.keys = append(t.keys, e.Key)
			t.vals = append(t.vals, d.template(e.Value))
		}
	default:
		t.lit = v.Plain()
		if s := v.Str(); v.IsString() && eval.IsTemplate(s) {
			tm, err := eval.ParseTemplate(d.lang, s, engine.EvalOptions())
			if err != nil {
				d.exprError(v, err)
				return t
			}
			if bad, ok := outsideEvent(tm.Refs()); ok {
				d.errorf(v.At(bad.Offset), "", "a trigger's inputs see only event, not %s", bad.Path[0])
				return t
			}
			t.tmpl = tm
		}
	}
	return t
}

// Eval evaluates the template with the event's fields as event.
func (t *Template) Eval(ctx context.Context, vars eval.Vars) (any, error) {
	switch {
	case t.tmpl != nil:
		return t.tmpl.Eval(ctx, vars)
	case t.kind == playbook.ListKind:
		out := make([]any, len(t.list))
		for i, c := range t.list {
			v, err := c.Eval(ctx, vars)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case t.kind == playbook.MapKind:
		out := make(map[string]any, len(t.keys))
		for i, k := range t.keys {
			v, err := t.vals[i].Eval(ctx, vars)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return t.lit, nil
}

// String is for error messages.
func (t *Template) String() string { return fmt.Sprint(t.lit) }
